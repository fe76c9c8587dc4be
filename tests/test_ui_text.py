"""Escaping other people's text for Markdown, and dollars in model answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ui.text import answer_markdown, literal


def test_html_and_markdown_in_a_value_are_escaped() -> None:
    assert literal("<script>alert(1)</script>") == r"\<script\>alert(1)\</script\>"
    assert literal("[click](javascript:x) **b** `c` $5") == r"\[click\](javascript:x) \*\*b\*\* \`c\` \$5"


def test_line_starts_that_would_make_lists_or_rules_are_escaped() -> None:
    assert literal("1. one\n- two\n+ three\n---") == "1\\. one\\\n\\- two\\\n\\+ three\\\n\\---"


def test_line_breaks_stay_line_breaks_but_trailing_ones_add_nothing() -> None:
    # Markdown joins lines of a paragraph with a space; a backslash before the newline keeps the break.
    assert literal("# heading\n- item\r\nrevenue?\n\n") == "\\# heading\\\n\\- item\\\nrevenue?\n\n"


def test_plain_words_stay_as_they_are() -> None:
    assert literal("Revenue by region, 2025 (net)") == "Revenue by region, 2025 (net)"


@given(st.text(max_size=60))
def test_every_special_character_is_preceded_by_a_backslash(text: str) -> None:
    escaped = literal(text)
    assert escaped.replace("\\", "") == text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "")
    for index, char in enumerate(escaped):
        if char in "`*_{}[]<>#|~$" and (index == 0 or escaped[index - 1] != "\\"):
            raise AssertionError(f"unescaped {char!r} in {escaped!r}")


def test_a_dollar_before_a_number_is_a_dollar_not_maths() -> None:
    assert answer_markdown("From $10M to $20M, **up**") == r"From \$10M to \$20M, **up**"
    assert answer_markdown(r"already \$5 and $x$ maths") == r"already \$5 and $x$ maths"
