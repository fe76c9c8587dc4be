"""The demo's data window: derived from today (`MAS_DEMO_TODAY`, else the real date), read the same
way by the dataset, the period reader, the answers and their readings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from mas.demo.dataset import ensure_dataset
from mas.demo.intents import Intent, Refusal, interpret_conversation
from mas.demo.periods import MONTH_NAMES, Period
from mas.demo.plans import build_plan
from mas.demo.readings import period_readings, readings_note
from mas.demo.supervisor import DemoSupervisor
from mas.demo.window import DataWindow, data_window, window_for
from mas.errors import ConfigError
from mas.settings import demo_today


def _last_complete_month(today: dt.date) -> tuple[int, int]:
    """Computed independently of the code under test: the day before the first of today's month."""
    day = today.replace(day=1) - dt.timedelta(days=1)
    return day.year, day.month


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        ("2026-01-01", (2023, 1), (2025, 12)),
        ("2026-01-31", (2023, 1), (2025, 12)),
        ("2026-12-01", (2023, 1), (2026, 11)),
        ("2026-03-15", (2023, 1), (2026, 2)),
        ("2027-01-02", (2024, 1), (2026, 12)),
    ],
)
def test_window_is_three_whole_years_then_this_year_to_the_last_complete_month(
    today: str, first: tuple[int, int], last: tuple[int, int]
) -> None:
    window = window_for(dt.date.fromisoformat(today))
    assert (window.first, window.last) == (first, last)
    assert window.end == dt.date.fromisoformat(today).replace(day=1)


def test_a_bad_today_is_a_config_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "1 December")
    with pytest.raises(ConfigError, match="MAS_DEMO_TODAY"):
        demo_today()
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    assert demo_today() == dt.date(2026, 12, 1)


def test_by_default_the_window_ends_at_the_last_complete_month_before_the_real_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAS_DEMO_TODAY")
    today = dt.datetime.now(dt.UTC).date()
    year, month = _last_complete_month(today)
    assert data_window().last == (year, month)
    assert period_readings("Revenue last year vs this year") == [
        f"“last year” = {year - 1}", f"“this year” = {year}"]
    assert period_readings("revenue this month") == [f"“this month” = {MONTH_NAMES[month - 1]} {year}"]
    assert f"the demo data ends in {MONTH_NAMES[month - 1]} {year}" in readings_note("revenue last year")


def test_on_the_first_of_december_last_year_is_the_previous_calendar_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    assert period_readings("Revenue last year vs this year") == ["“last year” = 2025", "“this year” = 2026"]
    assert readings_note("revenue this year") == (
        "Read “this year” = 2026: the demo data ends in November 2026, so 2026 is the year to date.")
    # A month named without a year is its latest one in the data: December is last December.
    january = interpret_conversation(["revenue in January"])
    december = interpret_conversation(["revenue in December"])
    assert isinstance(january, Intent) and january.periods == (Period(2026, month=1),)
    assert isinstance(december, Intent) and december.periods == (Period(2025, month=12),)
    assert isinstance(interpret_conversation(["revenue in 2022"]), Refusal)
    refusal = interpret_conversation(["revenue in December 2026"])
    assert isinstance(refusal, Refusal) and "January 2023 to November 2026" in refusal.reason


def _bounds(database: Path) -> tuple[dt.date, dt.date]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        row = con.execute("SELECT min(order_date), max(order_date) FROM orders").fetchone()
    finally:
        con.close()
    assert row is not None
    return row[0], row[1]


def test_the_dataset_is_keyed_by_its_window_and_regenerates_when_it_moves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    december = ensure_dataset(tmp_path)
    monkeypatch.setenv("MAS_DEMO_TODAY", "2027-01-05")
    january = ensure_dataset(tmp_path)
    assert december.database != january.database and december.parquet.exists()
    assert december.window == DataWindow(first=(2023, 1), last=(2026, 11))
    first, last = _bounds(december.database)
    assert first.year == 2023 and (last.year, last.month) == (2026, 11) and last.day >= 28
    first, last = _bounds(january.database)
    assert first == dt.date(2024, 1, 1) and (last.year, last.month) == (2026, 12)


def test_the_supervisor_answers_from_the_window_of_today(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    supervisor = DemoSupervisor(data_dir=tmp_path)
    assert supervisor.engine.window.last == (2026, 11)
    latest = supervisor.engine.query("SELECT max(order_month) FROM sales").rows[0][0]
    assert latest == dt.date(2026, 11, 1)
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-01-01")
    # The month turned (here: backwards): the next question is answered from that window's data.
    assert supervisor.engine.query("SELECT max(order_month) FROM sales").rows[0][0] == dt.date(2025, 12, 1)


def test_a_year_still_running_is_compared_like_for_like(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    for question in ("Which sales channel grew fastest this year?", "How much did revenue grow in 2026?",
                     "2026 vs 2025", "which region grew fastest"):
        intent = interpret_conversation([question])
        assert isinstance(intent, Intent) and intent.kind == "compare", question
        assert [p.label for p in intent.periods] == ["January–November 2025", "January–November 2026"]
    # A whole year is compared whole.
    intent = interpret_conversation(["2025 vs 2024"])
    assert isinstance(intent, Intent) and [p.label for p in intent.periods] == ["2024", "2025"]


def test_growth_over_time_leaves_out_the_quarter_and_year_still_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAS_DEMO_TODAY", "2026-12-01")
    supervisor = DemoSupervisor(data_dir=tmp_path)

    def rows(question: str) -> list[tuple[object, ...]]:
        intent = interpret_conversation([question])
        assert isinstance(intent, Intent)
        return list(supervisor.engine.query(build_plan(intent).sql).rows)

    assert rows("How did revenue change quarter over quarter?")[-1][0] == "2026-Q3"
    assert rows("year over year growth")[-1][0] == 2025
    assert rows("month over month growth")[-1][0] == dt.date(2026, 11, 1)
    # Like for like: January–November of both years, straight from the orders.
    (before, after, _, _), = rows("How much did revenue grow in 2026?")
    totals = supervisor.engine.query(
        "SELECT year, sum(net_revenue) FROM sales WHERE month <= 11 AND year >= 2025 "
        "GROUP BY year ORDER BY year")
    assert [before, after] == [row[1] for row in totals.rows]
