"""Periods named in questions: years, quarters, months, relative words, ranges."""

from __future__ import annotations

import pytest

from mas.demo.periods import Period, find_periods

Y = Period


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("revenue in 2024", [Y(2024)]),
        ("fy2024", [Y(2024)]),
        ("fy24", [Y(2024)]),
        ("q3 2024", [Y(2024, 3)]),
        ("q3 of 2024", [Y(2024, 3)]),
        ("q3 '24", [Y(2024, 3)]),
        ("2024 q3", [Y(2024, 3)]),
        ("2024-q3", [Y(2024, 3)]),
        ("the third quarter of 2024", [Y(2024, 3)]),
        ("last quarter of 2024", [Y(2024, 4)]),
        ("q2", [Y(2025, 2)]),
        ("last quarter", [Y(2025, 4)]),
        ("this quarter", [Y(2025, 4)]),
        ("the previous quarter", [Y(2025, 3)]),
        ("march 2024", [Y(2024, month=3)]),
        ("mar 2024", [Y(2024, month=3)]),
        ("in may 2025", [Y(2025, month=5)]),
        ("revenue in march", [Y(2025, month=3)]),
        ("last month", [Y(2025, month=12)]),
        ("this year", [Y(2025)]),
        ("year to date", [Y(2025)]),
        ("last year", [Y(2024)]),
        ("the prior year", [Y(2024)]),
        ("the year before last", [Y(2023)]),
        ("2024 vs 2023", [Y(2024), Y(2023)]),
        ("q1 2025 and q1 2024", [Y(2025, 1), Y(2024, 1)]),
        ("from 2023 to 2025", [Y(2023), Y(2025)]),
        ("between 2023 and 2024", [Y(2023), Y(2024)]),
        ("since 2024", [Y(2024), Y(2025)]),
        ("the past two years", [Y(2024), Y(2025)]),
        ("revenue in 2026", [Y(2026)]),
    ],
)
def test_find_periods(text: str, periods: list[Period]) -> None:
    clues, _ = find_periods(text)
    assert list(clues.ordered()) == periods


@pytest.mark.parametrize(
    "text", ["may i see revenue", "year over year growth", "top 5 products", "by quarter"])
def test_no_period_in(text: str) -> None:
    clues, rest = find_periods(text)
    assert clues.ordered() == ()
    assert rest == text


def test_matches_are_blanked_but_keep_positions() -> None:
    clues, rest = find_periods("compare q1 2025 with q1 2024")
    assert rest == "compare         with        "
    assert clues.ordered() == (Y(2025, 1), Y(2024, 1))


def test_range_and_same_period_flags() -> None:
    assert find_periods("from 2023 to 2025")[0].is_range
    assert not find_periods("2023 vs 2025")[0].is_range
    same, _ = find_periods("q1 2025 vs the same quarter last year")
    assert same.same_period_last_year
    assert same.ordered() == (Y(2025, 1),)


@pytest.mark.parametrize(
    ("period", "label", "key", "condition", "previous"),
    [
        (Y(2024), "2024", "2024", "year = 2024", Y(2023)),
        (Y(2024, 1), "Q1 2024", "q1_2024", "year = 2024 AND quarter = 1", Y(2023, 4)),
        (Y(2024, 3), "Q3 2024", "q3_2024", "year = 2024 AND quarter = 3", Y(2024, 2)),
        (Y(2025, month=1), "January 2025", "jan_2025", "year = 2025 AND month = 1", Y(2024, month=12)),
        (Y(2025, month=7), "July 2025", "jul_2025", "year = 2025 AND month = 7", Y(2025, month=6)),
    ],
)
def test_period_words_and_sql(
    period: Period, label: str, key: str, condition: str, previous: Period
) -> None:
    assert period.label == label
    assert period.key == key
    assert period.condition == condition
    assert period.previous() == previous


def test_calendar_order_and_latest() -> None:
    assert sorted([Y(2025), Y(2024, 3), Y(2024, month=2)], key=lambda p: p.start) == [
        Y(2024, month=2), Y(2024, 3), Y(2025)]
    assert Y(2023, 2).latest_like() == Y(2025, 4)
    assert Y(2023, month=2).latest_like() == Y(2025, month=12)
    assert not Y(2022).in_data and Y(2023).in_data and not Y(2026).in_data
