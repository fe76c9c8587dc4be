"""Putting other people's text into our Markdown: questions, tool names, header values, messages.

Streamlit's Markdown never renders raw HTML without `unsafe_allow_html` (checked in Chromium:
`<script>` and `<img onerror>` show as literal text), and this app never passes that flag. What
is left is Markdown itself: a value spliced into a template like `**Asked:** {q}` could open a
link or end the bold early, so such values are escaped to show exactly as typed.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~$])")
# Characters that only mean something at the start of a line: lists ("- ", "1. "), rules, quotes.
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])", re.MULTILINE)
_CARRIAGE_RETURN = re.compile(r"\r\n?")
# Streamlit's Markdown does `$…$` maths: "$10M–$20M" would set "10M–" as a formula.
_CURRENCY_DOLLAR = re.compile(r"(?<!\\)\$(?=[\d.,])")


def literal(text: str) -> str:
    """`text` escaped so that Markdown shows it character for character, line breaks included."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", _CARRIAGE_RETURN.sub("\n", text))
    escaped = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    # A newline inside a paragraph is only a space in Markdown; a backslash before it is a hard
    # break. Not before trailing newlines: there a hard break would show its backslash.
    body = escaped.rstrip()
    return body.replace("\n", "\\\n") + escaped[len(body) :]


def answer_markdown(text: str) -> str:
    """Model text for `st.markdown`: Markdown stays Markdown, but a `$` before a number is a dollar."""
    return _CURRENCY_DOLLAR.sub(r"\\$", text)
