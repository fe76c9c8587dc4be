"""Footnotes for cited answers: `[^id]` markers numbered, each citation a safe link titled by its document.

A Knowledge Assistant's text carries GFM-style markers such as `[^nAI8-1]` and its citations arrive
as `url_citation`s (shared/notes/mas-output.md §3). Markers are numbered in the order they first
appear and the n-th marker is paired with the n-th citation, since the wire links them no other
way. Only http and https links are kept: anything else (`javascript:`, `data:`, relative paths)
is shown as its title alone. It returns Markdown text; drawing it is the UI's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

MARKER = re.compile(r"\[\^([^\]\s]{1,80})\]")
_SAFE_SCHEMES = frozenset({"http", "https"})
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#|~$!])")


@dataclass(frozen=True)
class Footnote:
    number: int
    title: str
    url: str | None
    """A link safe to put in Markdown, or None when the citation gave none that is."""


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) link, percent-quoted for a Markdown link target; else None."""
    if not url:
        return None
    candidate = url.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    # Quote what could end the link target or open HTML, keep what URLs legitimately use.
    return quote(candidate, safe=":/?#[]@!$&'*+,;=%~-._")


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text.replace("\n", " "))


def number_markers(text: str, numbering: dict[str, int]) -> str:
    """`text` with each `[^id]` replaced by `[n]`; new ids get the next number in `numbering`."""

    def numbered(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in numbering:
            numbering[key] = len(numbering) + 1
        return f"\\[{numbering[key]}\\]"

    return MARKER.sub(numbered, text) if "[^" in text else text


def footnotes(citations: list[tuple[str | None, str | None]], *, markers: int) -> list[Footnote]:
    """One footnote per citation (title, url), numbered 1…; markers without a citation get a plain note."""
    notes = []
    for index in range(max(len(citations), markers)):
        title, url = citations[index] if index < len(citations) else (None, None)
        safe = safe_url(url)
        name = title or (safe if safe else None) or "Source not given"
        notes.append(Footnote(number=index + 1, title=name, url=safe))
    return notes


def footnote_markdown(note: Footnote) -> str:
    """ "[1] [Title](https://…)", or the title alone (escaped, inert) when there is no safe link."""
    label = _escaped(note.title)
    return f"\\[{note.number}\\] [{label}]({note.url})" if note.url else f"\\[{note.number}\\] {label}"
