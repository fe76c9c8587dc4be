"""The text handling under the demo's clue rules: normalising a question and blanking what a rule matched.

Positions are kept throughout: lower-casing and blanking never change a string's length, so a
span found in the lower-cased text marks the same characters in the original. It holds no rules
and knows no catalogue (see `mas.demo.clues`).
"""

from __future__ import annotations

import re
import unicodedata


def normalise(question: str) -> str:
    """NFKC, plain quotes and dashes, single spaces; case kept (some aliases are case-sensitive)."""
    text = unicodedata.normalize("NFKC", question)
    plain: dict[str, str | int | None] = {
        "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
    text = text.translate(str.maketrans(plain))
    return re.sub(r"\s+", " ", text).strip()


def lower_in_place(text: str) -> str:
    # Lower-case character by character, keeping length, so spans match the original text.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def blank(text: str, *, start: int, end: int) -> str:
    """`text` with the span start:end turned to spaces, so later positions stay where they were."""
    return text[:start] + " " * (end - start) + text[end:]


def take(pattern: re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """Every match of `pattern`, and `text` with each blanked out."""
    matches = list(pattern.finditer(text))
    for match in matches:
        text = blank(text, start=match.start(), end=match.end())
    return matches, text
