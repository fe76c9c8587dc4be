"""Figures and phrases as the demo writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mas.demo.periods import Period
from mas.demo.wording import count, filter_phrase, join_words, money, percent, periods_phrase


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("249000883.82"), "$249.0M"),
        (Decimal("12345678.00"), "$12.3M"),
        (Decimal("1234567890.12"), "$1.23B"),
        (Decimal("845200"), "$845.2K"),
        (Decimal("999.5"), "$999.50"),
        (Decimal("0"), "$0.00"),
        (Decimal("-3709982.52"), "-$3.7M"),
        (4752.11, "$4,752"),  # whole from a thousand to a hundred thousand, as the KPI card
    ],
)
def test_money(value: Decimal | float, text: str) -> None:
    assert money(value) == text


def test_percent_and_count() -> None:
    assert percent(20.94) == "+20.9%"
    assert percent(-3.0) == "-3.0%"
    assert percent(38.6, signed=False) == "38.6%"
    assert count(17281) == "17,281"
    assert count(Decimal("161403")) == "161,403"


def test_join_words() -> None:
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_scope_phrases() -> None:
    assert filter_phrase((("region", ("EMEA",)), ("channel", ("Online", "Retail")),
                          ("segment", ("Enterprise",)))) == \
        "in EMEA through the Online and Retail channels from Enterprise customers"
    assert filter_phrase((("category", ("Audio",)),)) == "for Audio"
    assert periods_phrase(()) == ""
    assert periods_phrase((Period(2024),)) == "in 2024"
    assert periods_phrase((Period(2023), Period(2024), Period(2025))) == "from 2023 to 2025"
    assert periods_phrase((Period(2024, 1), Period(2025, 1))) == "in Q1 2024 and Q1 2025"
