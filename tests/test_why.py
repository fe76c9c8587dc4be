""""Why did X change": the period against the one before it, broken down by the main dimension,
run on the real DuckDB engine and worded from its rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from demo_data import demo_data_dir

from mas.demo.engine import DemoEngine
from mas.demo.intents import Intent, interpret_conversation
from mas.demo.plans import build_plan
from mas.demo.supervisor import DemoSupervisor
from mas.demo.wording import money, percent
from mas.figures import unsupported
from mas.transcript import Turn, apply_event
from mas.wire.normalize import Normalizer


def why(*turns: str) -> Intent:
    intent = interpret_conversation(list(turns))
    assert isinstance(intent, Intent) and intent.why, intent
    return intent


@pytest.mark.parametrize(
    ("question", "dimension", "periods"),
    [
        ("Why did revenue drop in January?", "region", ("December 2024", "January 2025")),
        ("why did sales fall in Q1 2025?", "region", ("Q4 2024", "Q1 2025")),
        ("What caused the dip in revenue in July 2025?", "region", ("June 2025", "July 2025")),
        ("Why did EMEA revenue drop in January?", "channel", ("December 2024", "January 2025")),
        ("Why did revenue grow in 2025 by channel?", "channel", ("2024", "2025")),
        ("Explain the change in orders in March 2025", "region", ("February 2025", "March 2025")),
        ("Why did revenue change?", "region", ("November 2025", "December 2025")),
    ],
)
def test_why_compares_with_the_prior_period_by_the_main_dimension(
    question: str, dimension: str, periods: tuple[str, str]
) -> None:
    intent = why(question)
    assert intent.kind == "compare" and intent.dimension == dimension and intent.top_n is None
    assert tuple(period.label for period in intent.periods) == periods


def test_why_as_a_follow_up_keeps_the_period_and_filters() -> None:
    intent = why("revenue in Germany in March 2025", "why?")
    assert intent.filters == (("country", ("Germany",)),) and intent.dimension == "channel"
    assert [period.label for period in intent.periods] == ["February 2025", "March 2025"]


def test_why_before_the_data_starts_is_refused() -> None:
    refusal = interpret_conversation(["Why did revenue drop in January 2023?"])
    assert not isinstance(refusal, Intent) and refusal is not None
    assert "January 2023 to December 2025" in refusal.reason


@pytest.fixture(scope="module")
def engine() -> DemoEngine:
    return DemoEngine(data_dir=demo_data_dir())


def test_the_breakdown_adds_up_and_lists_the_largest_moves_first(engine: DemoEngine) -> None:
    result = engine.query(build_plan(why("Why did revenue drop in January?")).sql)
    assert [column.name for column in result.columns] == [
        "region", "net_revenue_dec_2024", "net_revenue_jan_2025", "change_amount", "change_pct"]
    total = engine.query("SELECT sum(CASE WHEN month = 1 THEN net_revenue ELSE -net_revenue END) FROM sales "
                         "WHERE (year = 2024 AND month = 12) OR (year = 2025 AND month = 1)").rows[0][0]
    assert sum(row[3] for row in result.rows) == total < 0
    moves = [abs(row[3]) for row in result.rows]
    assert moves == sorted(moves, reverse=True) and len(result.rows) == 4


def _answer(supervisor: DemoSupervisor, question: str) -> Turn:
    turn, normalizer = Turn(question=question), Normalizer()
    for wire in supervisor.respond([{"role": "user", "content": question}]):
        for event in normalizer.feed(wire):
            apply_event(turn, event)
    return turn


def test_the_answer_states_the_change_and_who_drove_it(engine: DemoEngine) -> None:
    turn = _answer(DemoSupervisor(data_dir=demo_data_dir()), "Why did revenue drop in January?")
    rows = engine.query(build_plan(why("Why did revenue drop in January?")).sql).rows
    before, after = sum(row[1] for row in rows), sum(row[2] for row in rows)
    lead = rows[0]
    text = turn.answer_text
    assert f"fell by **{money(before - after)}**, from {money(before)} in December 2024" in text
    assert f"to **{money(after)}** in January 2025" in text
    assert f"{lead[0]} (-{money(abs(lead[3]))}, {percent(lead[4])})" in text
    share = percent(float(Decimal(lead[3]) / (after - before) * 100), signed=False)
    assert f"{lead[0]} alone accounts for {share} of the change." in text
    tables = [p.result.table for p in turn.tools if p.result is not None and p.result.table is not None]
    assert len(tables) == 1 and [f.text for f in unsupported(text, tables)] == []
