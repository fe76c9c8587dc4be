"""The final answer text quotes the figures of the result it was written from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mas.demo.answer import CAPABILITIES, answer_text, capabilities_text, period_label
from mas.demo.engine import Column, QueryResult
from mas.demo.intents import Intent
from mas.demo.periods import Period
from mas.demo.plans import build_plan

D = Decimal


def answer(intent: Intent, *rows: tuple[Any, ...]) -> str:
    width = len(rows[0]) if rows else 1
    columns = tuple(Column(f"c{i}", "DOUBLE", "DOUBLE") for i in range(width))
    return answer_text(build_plan(intent), QueryResult(columns=columns, rows=tuple(rows)))


def test_total() -> None:
    text = answer(Intent(kind="total"), (D("249000883.82"),))
    assert text == ("The total net revenue was **$249.0M** "
                    "(all orders from January 2023 to December 2025).")
    assert answer(Intent(kind="total", periods=(Period(2024, 3),)), (D("17602236.54"),)) == \
        "The total net revenue in Q3 2024 was **$17.6M**."


def test_total_of_other_measures() -> None:
    assert "**$4,752.11**" in answer(Intent(kind="total", measure="aov"), (D("4752.11"),))
    assert "**17,281**" in answer(Intent(kind="total", measure="orders"), (17281,))


def test_no_matching_rows_is_said_plainly() -> None:
    intent = Intent(kind="total", filters=(("channel", ("Retail",)),), periods=(Period(2024),))
    assert answer(intent, (None,)) == ("There are no matching orders through the Retail channel in 2024, "
                                       "so there is no net revenue to report.")
    assert "no matching orders" in answer(Intent(kind="breakdown", dimension="region"))


def test_breakdown_names_the_leader_and_its_share() -> None:
    rows = [("North America", D("96178379.60"), 38.6), ("EMEA", D("73442708.56"), 29.5),
            ("APAC", D("55234868.73"), 22.2), ("LATAM", D("24144926.93"), 9.7)]
    text = answer(Intent(kind="breakdown", dimension="region"), *rows)
    assert text.startswith("**North America** leads net revenue with **$96.2M**, 38.6% of the total.")
    assert "EMEA ($73.4M, 29.5%)" in text and "LATAM ($24.1M, 9.7%)" in text


def test_top_n_is_a_numbered_list() -> None:
    rows = [("Chile", D("2185081.24"), 0.9), ("Colombia", D("2470259.58"), 1.0)]
    text = answer(Intent(kind="breakdown", dimension="country", top_n=2, ascending=True), *rows)
    assert text == "The bottom 2 countries by net revenue:\n\n1. **Chile**: $2.2M\n2. **Colombia**: $2.5M"


def test_trend_quotes_peak_low_and_latest() -> None:
    rows = [(dt.date(2024, 12, 1), D("10710000")), (dt.date(2025, 7, 1), D("5810000")),
            (dt.date(2025, 12, 1), D("13140000"))]
    text = answer(Intent(kind="trend", grain="month"), *rows)
    assert "peaked at **$13.1M** in December 2025" in text
    assert "the low was **$5.8M** in July 2025" in text
    assert "December 2025, came in at $13.1M, +22.7% on December 2024." in text


def test_growth_and_first_year() -> None:
    rows = [(2023, D("67931444.03"), None, None), (2024, D("82121243.58"), D("67931444.03"), 20.9),
            (2025, D("98948196.21"), D("82121243.58"), -3.5)]
    text = answer(Intent(kind="growth", grain="year"), *rows)
    assert text == "Net revenue grew **20.9%** in 2024 (to $82.1M) and fell **3.5%** in 2025 (to $98.9M)."
    first = answer(Intent(kind="growth", grain="year", periods=(Period(2023),)), rows[0])
    assert "2023 is the first year in the data" in first and "$67.9M" in first


def test_compare_two_periods() -> None:
    intent = Intent(kind="compare", periods=(Period(2023), Period(2024)))
    text = answer(intent, (D("67931444.03"), D("82121243.58"), D("14189799.55"), 20.9))
    assert text == "Net revenue was **$82.1M** in 2024, up **20.9%** from $67.9M in 2023 (+$14.2M)."
    down = answer(intent, (D("82.0"), D("80.0"), D("-2.0"), -2.4))
    assert "down **2.4%**" in down and "(-$2.00)" in down


def test_compare_groups_by_change() -> None:
    intent = Intent(kind="compare", dimension="region", by_change=True, periods=(Period(2024), Period(2025)))
    rows = [("APAC", D("17745863.56"), D("23509349.33"), D("5763485.77"), 32.5),
            ("EMEA", D("24940379.28"), D("28650361.80"), D("3709982.52"), 14.9)]
    text = answer(intent, *rows)
    assert text.startswith("From 2024 to 2025, **APAC** grew fastest: **+32.5%** to $23.5M.")
    assert "EMEA ($28.7M, +14.9%)" in text


def test_period_labels() -> None:
    assert period_label(dt.date(2024, 7, 1)) == "July 2024"
    assert period_label("2024-Q3") == "Q3 2024"
    assert period_label(2024) == "2024"


def test_capabilities_text() -> None:
    plain = capabilities_text()
    assert plain.startswith("I couldn't match that question")
    assert CAPABILITIES in plain and plain.endswith("The data covers January 2023 to December 2025.")
    assert capabilities_text("No costs here.").startswith("No costs here.\n\nHere is what I can answer")
    assert "$" not in plain and "%" not in plain  # no figure of any kind, made up or not
