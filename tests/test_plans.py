"""Intent → SQL: the SQL for every kind of intent runs on the real engine and returns the right shape."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from demo_data import demo_data_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from mas.demo import catalog
from mas.demo.engine import DemoEngine
from mas.demo.intents import Intent, interpret_conversation
from mas.demo.measures import MEASURES
from mas.demo.periods import Period
from mas.demo.plans import DIMENSION_COLUMNS, build_plan, filter_conditions, period_condition

EXAMPLES = settings(max_examples=int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "60")), deadline=None)


@pytest.fixture(scope="session")
def engine() -> DemoEngine:
    return DemoEngine(data_dir=demo_data_dir())


def plan_for(question: str) -> Intent:
    intent = interpret_conversation([question])
    assert isinstance(intent, Intent)
    return intent


def test_total_revenue_sql() -> None:
    plan = build_plan(plan_for("What's our total revenue?"))
    assert plan.sql == "SELECT\n  SUM(net_revenue) AS total_net_revenue\nFROM sales"
    assert plan.genie_query == "What is the total net revenue?"
    assert plan.description.startswith("This query calculates")


def test_breakdown_sql_with_filters_and_limit() -> None:
    plan = build_plan(plan_for("top 3 channels in EMEA in 2024"))
    assert plan.sql.splitlines() == [
        "SELECT",
        "  channel,",
        "  SUM(net_revenue) AS net_revenue,",
        "  ROUND(100.0 * SUM(net_revenue) / SUM(SUM(net_revenue)) OVER (), 1) AS pct_of_total",
        "FROM sales",
        "WHERE region = 'EMEA' AND year = 2024",
        "GROUP BY channel",
        "ORDER BY net_revenue DESC, channel",
        "LIMIT 3",
    ]
    assert plan.genie_query == "What are the top 3 sales channels by net revenue in EMEA in 2024?"


def test_values_are_quoted_safely() -> None:
    assert filter_conditions((("country", ("O'Brien Land",)),)) == ["country = 'O''Brien Land'"]
    assert filter_conditions((("channel", ("Online", "Retail")),)) == ["channel IN ('Online', 'Retail')"]
    assert period_condition((Period(2023), Period(2024))) == "year IN (2023, 2024)"
    assert period_condition((Period(2024, 1), Period(2025, 1))) == \
        "((year = 2024 AND quarter = 1) OR (year = 2025 AND quarter = 1))"


def test_compare_figures_match_separate_totals(engine: DemoEngine) -> None:
    compared = engine.query(build_plan(plan_for("compare Q1 2025 with Q1 2024")).sql)
    q1_2024 = engine.query(build_plan(plan_for("revenue in Q1 2024")).sql).rows[0][0]
    q1_2025 = engine.query(build_plan(plan_for("revenue in Q1 2025")).sql).rows[0][0]
    assert [column.name for column in compared.columns] == [
        "net_revenue_q1_2024", "net_revenue_q1_2025", "change_amount", "change_pct"]
    before, after, change, pct = compared.rows[0]
    assert (before, after, change) == (q1_2024, q1_2025, q1_2025 - q1_2024)
    assert pct == round(float((q1_2025 - q1_2024) / q1_2024 * 100), 1)


def test_growth_for_one_year_keeps_the_prior_year(engine: DemoEngine) -> None:
    rows = engine.query(build_plan(plan_for("How much did revenue grow in 2024?")).sql).rows
    totals = dict(engine.query(build_plan(plan_for("revenue per year")).sql).rows)
    assert len(rows) == 1
    year, revenue, prior, pct = rows[0]
    assert (year, revenue, prior) == (2024, totals[2024], totals[2023])
    assert pct == round(float((totals[2024] - totals[2023]) / totals[2023] * 100), 1)


def test_quarter_over_quarter_in_a_year_starts_from_the_previous_q4(engine: DemoEngine) -> None:
    rows = engine.query(build_plan(plan_for("QoQ growth in 2025")).sql).rows
    quarters = dict(engine.query(build_plan(plan_for("quarterly revenue")).sql).rows)
    assert [row[0] for row in rows] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert rows[0][2] == quarters["2024-Q4"]


def test_breakdown_shares_add_up_to_100(engine: DemoEngine) -> None:
    rows = engine.query(build_plan(plan_for("revenue by country")).sql).rows
    assert len(rows) == len(catalog.COUNTRIES)
    assert abs(sum(row[2] for row in rows) - 100) < 0.5
    assert [row[1] for row in rows] == sorted((row[1] for row in rows), reverse=True)


def test_trend_by_month_is_36_ordered_months(engine: DemoEngine) -> None:
    rows = engine.query(build_plan(plan_for("Show me revenue trends")).sql).rows
    assert len(rows) == 36
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    assert all(isinstance(row[1], Decimal) for row in rows)


periods = st.sampled_from([
    (), (Period(2024),), (Period(2023), Period(2024)), (Period(2025, 3),), (Period(2024, month=2),),
    (Period(2023), Period(2024), Period(2025)),
])
filters = st.lists(st.sampled_from(list(catalog.DIMENSION_VALUES)), max_size=2, unique=True).flatmap(
    lambda dims: st.tuples(*[
        st.tuples(st.just(dim), st.lists(st.sampled_from(catalog.DIMENSION_VALUES[dim]), min_size=1,
                                         max_size=2, unique=True).map(tuple))
        for dim in dims
    ]))
intents = st.builds(
    Intent,
    kind=st.sampled_from(["total", "trend", "breakdown", "growth"]),
    measure=st.sampled_from(list(MEASURES)),
    dimension=st.sampled_from([None, *DIMENSION_COLUMNS]),
    grain=st.sampled_from(["month", "quarter", "year"]),
    top_n=st.sampled_from([None, 1, 3, 10]),
    ascending=st.booleans(),
    filters=filters,
    periods=periods,
)
compare_intents = st.builds(
    Intent,
    kind=st.just("compare"),
    measure=st.sampled_from(list(MEASURES)),
    dimension=st.sampled_from([None, *DIMENSION_COLUMNS]),
    top_n=st.sampled_from([None, 3]),
    ascending=st.booleans(),
    by_change=st.booleans(),
    filters=filters,
    periods=st.sampled_from([(Period(2023), Period(2024)), (Period(2024, 1), Period(2025, 1)),
                             (Period(2025, month=11), Period(2025, month=12))]),
)


@EXAMPLES
@given(intent=st.one_of(intents, compare_intents))
def test_every_plan_runs_and_has_the_expected_columns(engine: DemoEngine, intent: Intent) -> None:
    if intent.kind == "breakdown" and intent.dimension is None:
        intent = Intent(**{**intent.__dict__, "dimension": "product"})
    plan = build_plan(intent)
    result = engine.query(plan.sql)
    names = [column.name for column in result.columns]
    measure = MEASURES[intent.measure]
    if intent.kind == "total":
        assert len(names) == 1 and len(result.rows) == 1
    elif intent.kind == "breakdown":
        assert names[:2] == [DIMENSION_COLUMNS[intent.dimension or "product"], measure.alias]
        assert len(result.rows) <= (intent.top_n or 10_000)
    elif intent.kind == "growth":
        assert names[1] == measure.alias and names[-1].endswith("_growth_pct")
    elif intent.kind == "compare":
        assert names[-2:] == ["change_amount", "change_pct"]
    assert plan.genie_query and plan.description and plan.title
