"""What the rules recognise in one question, before any decision is made."""

from __future__ import annotations

import pytest

from mas.demo.clue_text import normalise
from mas.demo.clues import read_clues


def test_case_sensitive_abbreviations() -> None:
    assert read_clues("US revenue").filters == (("country", ("United States",)),)
    assert read_clues("show us revenue").filters == ()
    assert read_clues("NA revenue by channel").filters == (("region", ("North America",)),)
    assert read_clues("revenue n/a").filters == ()


def test_longest_alias_wins() -> None:
    assert read_clues("revenue from retail customers").filters == (("segment", ("Consumer",)),)
    assert read_clues("retail revenue").filters == (("channel", ("Retail",)),)
    assert read_clues("north america revenue").filters == (("region", ("North America",)),)


def test_filters_follow_catalogue_order_and_keep_several_values() -> None:
    clues = read_clues("enterprise laptop sales in Germany and France online")
    assert clues.filters == (
        ("country", ("Germany", "France")), ("channel", ("Online",)), ("category", ("Computers",)),
        ("segment", ("Enterprise",)))


@pytest.mark.parametrize(
    ("question", "measure"),
    [("average order value by region", "aov"), ("revenue per order", "aov"), ("gross sales", "gross"),
     ("refunds by channel", "returns"), ("discounts in 2024", "discounts"), ("how many orders", "orders"),
     ("units sold", "units"),
     ("revenue per customer", "per_customer"), ("sales by region", "revenue"), ("top products", None)],
)
def test_measure(question: str, measure: str | None) -> None:
    assert read_clues(question).measure == measure


@pytest.mark.parametrize(
    ("question", "followup"),
    [("and in 2024?", True), ("What about EMEA?", True), ("how about by channel", True),
     ("only online", True), ("same for 2025", True), ("break it down by country", True),
     ("revenue by region", False), ("Which region is best?", False)],
)
def test_followup_markers(question: str, followup: bool) -> None:
    assert read_clues(question).followup is followup


def test_top_n_words_and_digits() -> None:
    assert (read_clues("top five products").top_n, read_clues("top five products").direction) == (5, "desc")
    assert (read_clues("worst 3 countries").top_n, read_clues("worst 3 countries").direction) == (3, "asc")
    assert (read_clues("a dozen best customers").top_n, read_clues("a dozen best customers").direction) == (
        12, "desc")
    assert read_clues("top products").top_n == 10
    assert read_clues("which region sells the most").top_n is None


def test_normalise_keeps_case_and_plain_punctuation() -> None:
    text = "  What\u2019s   our \u201cUS\u201d revenue\u2014now? "
    assert normalise(text) == 'What\'s our "US" revenue-now?'
