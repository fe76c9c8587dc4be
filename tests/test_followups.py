"""Follow-up questions derived from a result, in phrasing the demo understands."""

from __future__ import annotations

import pandas as pd
import pytest

from mas.demo.intents import Intent, interpret_conversation
from mas.results.followups import derive_followups
from mas.results.toolresult import parse_tool_output

TOTAL = "| total_revenue |\n|---|\n| $1,000 |"
TREND = "| month | revenue |\n|---|---|\n| 2024-01 | 5 |\n| 2024-02 | 6 |"
QUARTERS = "| quarter | revenue |\n|---|---|\n| 2024-Q1 | 5 |\n| 2024-Q2 | 6 |"
REGIONS = "| region | revenue |\n|---|---|\n| EMEA | 5 |\n| North America | 9 |\n| APAC | 2 |"
PRODUCTS = "| product | revenue |\n|---|---|\n" + "\n".join(f"| Product {i} | {i} |" for i in range(12))
COMPARE = (
    "| region | revenue_2023 | revenue_2024 | change_pct |\n|---|---|---|---|\n"
    "| EMEA | 1 | 2 | 100% |\n| APAC | 3 | 4 | 33% |"
)
ORDERS = "| month | orders |\n|---|---|\n| 2024-01 | 5 |\n| 2024-02 | 6 |"


@pytest.mark.parametrize(
    ("question", "output", "expected"),
    [
        (
            "What's our total revenue?",
            TOTAL,
            [
                "Show revenue by month",
                "Revenue by region",
                "Compare revenue with last year",
                "Top 10 products by revenue",
            ],
        ),
        (
            "Show me revenue trends",
            TREND,
            [
                "Show revenue by quarter",
                "Revenue by region in 2024",
                "Top 10 products by revenue",
                "Compare revenue with last year",
            ],
        ),
        (
            "Revenue by quarter",
            QUARTERS,
            [
                "Show revenue by month",
                "Revenue by region in 2024",
                "Top 10 products by revenue",
                "Compare revenue with last year",
            ],
        ),
        (
            "Which region brings in the most revenue?",
            REGIONS,
            ["Show revenue by month for North America", "Revenue by region last year", "Revenue by product"],
        ),
        (
            "Revenue by product",
            PRODUCTS,
            [
                "Show revenue by month for Product 11",
                "Top 10 products by revenue",
                "Revenue by product last year",
                "Revenue by region",
            ],
        ),
        (
            "Compare 2024 with 2023 by region",
            COMPARE,
            ["Show revenue by month for APAC", "Revenue by region in 2024", "Revenue by product"],
        ),
        (
            "How many orders per month?",
            ORDERS,
            [
                "Show orders by quarter",
                "Orders by region in 2024",
                "Top 10 products by orders",
                "Compare orders with last year",
            ],
        ),
        (
            "hello",
            "Hi! Ask me about revenue.",
            [
                "Show revenue by month",
                "Revenue by region",
                "Compare revenue with last year",
                "Top 10 products by revenue",
            ],
        ),
        (
            "How many units did we sell?",
            "We sold many units.",
            [
                "Show units by month",
                "Units by region",
                "Compare units with last year",
                "Top 10 products by units",
            ],
        ),
    ],
)
def test_derived_followups(question: str, output: str, expected: list[str]) -> None:
    assert derive_followups(question, parse_tool_output(output)) == expected


@pytest.mark.parametrize(
    "output", [TOTAL, TREND, QUARTERS, REGIONS, PRODUCTS, COMPARE, ORDERS, "text only", "| a |\n|---|\n"]
)
def test_two_to_four_that_the_demo_understands(output: str) -> None:
    followups = derive_followups("What about it?", parse_tool_output(output))
    assert 2 <= len(followups) <= 4
    for question in followups:
        assert isinstance(interpret_conversation([question]), Intent), question


def test_never_repeats_the_question() -> None:
    followups = derive_followups("Show revenue by quarter?", parse_tool_output(TREND))
    assert "Show revenue by quarter" not in followups and len(followups) >= 2


def test_no_compare_suggestion_when_already_comparing() -> None:
    followups = derive_followups("Compare with last year", parse_tool_output(TOTAL))
    assert not any(f.startswith("Compare") for f in followups)


def test_year_from_the_question_wins() -> None:
    assert "Revenue by region in 2023" in derive_followups("Revenue trend in 2023", parse_tool_output(TREND))


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "revenue](javascript:x)", "**bold**", "a" * 60, "sum(revenue)"]
)
def test_unsafe_or_odd_column_names_are_not_echoed(name: str) -> None:
    output = f"| region | {name} |\n|---|---|\n| <img src=x onerror=alert(1)> | 5 |\n| APAC | 7 |"
    followups = derive_followups("q", parse_tool_output(output))
    assert 2 <= len(followups) <= 4
    assert all("<" not in f and "*" not in f and "](" not in f for f in followups)
    if name == "sum(revenue)":
        assert followups[0] == "Show revenue by month for APAC"


def test_a_follow_up_that_only_rewords_the_question_is_dropped() -> None:
    table = pd.DataFrame({"channel": ["Direct Sales", "Online"], "net_revenue": [5.0, 3.0]})
    result = parse_tool_output(table.to_dict(orient="records"))
    ideas = derive_followups("revenue by channel in 2024", result)
    assert ideas
    assert all(idea.lower().replace("net ", "") != "revenue by channel in 2024" for idea in ideas)
