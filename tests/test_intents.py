"""Plain-English revenue questions, paraphrases included, mapped to intents; follow-ups; honest refusals."""

from __future__ import annotations

import pytest

from mas.demo.intents import Intent, Refusal, interpret_conversation


def shape(result: Intent | Refusal | None) -> str:
    """A compact, readable summary of an interpretation, for table-driven tests."""
    if not isinstance(result, Intent):
        return "refusal" if isinstance(result, Refusal) else "unknown"
    parts = [result.kind]
    if result.measure != "revenue":
        parts.append(result.measure)
    if result.dimension:
        parts.append(f"by {result.dimension}")
    if result.kind in ("trend", "growth"):
        parts.append(result.grain)
    if result.top_n:
        parts.append(f"{'bottom' if result.ascending else 'top'} {result.top_n}")
    elif result.ascending:
        parts.append("asc")
    if result.by_change:
        parts.append("by change")
    parts += [f"{dim}={'+'.join(values)}" for dim, values in result.filters]
    if result.periods:
        parts.append(" ".join(period.label for period in result.periods))
    return ", ".join(parts)


def ask(*turns: str) -> str:
    return shape(interpret_conversation(list(turns)))


CASES = [
    # Total revenue: all time, a year, a quarter, a month.
    ("What's our total revenue?", "total"),
    ("What is the total revenue?", "total"),
    ("How much revenue did we make?", "total"),
    ("How much money have we made in total?", "total"),
    ("total sales", "total"),
    ("What's our turnover?", "total"),
    ("What were our sales in 2024?", "total, 2024"),
    ("Revenue for 2024", "total, 2024"),
    ("net revenue for FY2024", "total, 2024"),
    ("How much did we sell in Q3 2024?", "total, Q3 2024"),
    ("What was revenue in the third quarter of 2024?", "total, Q3 2024"),
    ("revenue Q3'24", "total, Q3 2024"),
    ("What's our revenue this year?", "total, 2025"),
    ("What was revenue last year?", "total, 2024"),
    ("revenue in March 2025", "total, March 2025"),
    # Trends.
    ("Show me revenue trends", "trend, month"),
    ("monthly revenue", "trend, month"),
    ("How has revenue changed over time?", "trend, month"),
    ("how has revenue been trending", "trend, month"),
    ("revenue over time", "trend, month"),
    ("what does revenue look like month by month", "trend, month"),
    ("Is our revenue seasonal?", "trend, month"),
    ("Show me the revenue trend by quarter", "trend, quarter"),
    ("quarterly revenue", "trend, quarter"),
    ("Plot monthly sales for 2025", "trend, month, 2025"),
    ("revenue per year", "trend, year"),
    ("annual revenue", "trend, year"),
    ("monthly revenue in Europe", "trend, month, region=EMEA"),
    ("monthly revenue by region in 2025", "trend, by region, month, 2025"),
    ("revenue by month from 2023 to 2024", "trend, month, 2023 2024"),
    # Breakdowns.
    ("Which region brings in the most revenue?", "breakdown, by region"),
    ("revenue by region", "breakdown, by region"),
    ("What's the revenue breakdown by region?", "breakdown, by region"),
    ("How do our regions perform?", "breakdown, by region"),
    ("Where do we make the most money?", "breakdown, by region"),
    ("Which country generates the least revenue?", "breakdown, by country, asc"),
    ("sales by channel", "breakdown, by channel"),
    ("revenue split by sales channel", "breakdown, by channel"),
    ("revenue by product category", "breakdown, by category"),
    ("Which product line earns the most?", "breakdown, by category"),
    ("revenue per customer segment", "breakdown, by segment"),
    ("revenue by customer type", "breakdown, by segment"),
    ("revenue by product", "breakdown, by product"),
    ("Which products sell best?", "breakdown, by product"),
    ("online vs retail revenue", "breakdown, by channel, channel=Online+Retail"),
    # Top and bottom N.
    ("top 5 products", "breakdown, by product, top 5"),
    ("Top 5 products by revenue in 2024", "breakdown, by product, top 5, 2024"),
    ("three best-selling products", "breakdown, by product, top 3"),
    ("top products", "breakdown, by product, top 10"),
    ("Show me the top ten countries by revenue", "breakdown, by country, top 10"),
    ("What are our 10 biggest customers?", "breakdown, by customer, top 10"),
    ("Who are our best customers?", "breakdown, by customer, top 10"),
    ("worst 3 countries", "breakdown, by country, bottom 3"),
    ("bottom 3 regions by sales", "breakdown, by region, bottom 3"),
    ("the 2 weakest channels", "breakdown, by channel, bottom 2"),
    # Growth.
    ("year over year growth", "growth, year"),
    ("What's our YoY revenue growth?", "growth, year"),
    ("How much did revenue grow in 2025?", "growth, year, 2025"),
    ("Did sales increase in 2024?", "growth, year, 2024"),
    ("quarter over quarter growth", "growth, quarter"),
    ("QoQ growth in 2025", "growth, quarter, 2025"),
    ("month-over-month revenue growth", "growth, month"),
    ("How is APAC revenue growing year on year?", "growth, year, region=APAC"),
    ("Which region grew fastest?", "compare, by region, by change, 2024 2025"),
    ("fastest growing product category", "compare, by category, by change, 2024 2025"),
    ("Which channel grew the slowest in 2024?", "compare, by channel, asc, by change, 2023 2024"),
    # Comparing two periods.
    ("2024 vs 2023", "compare, 2023 2024"),
    ("Compare 2024 with 2023", "compare, 2023 2024"),
    ("How did revenue change from 2023 to 2024?", "compare, 2023 2024"),
    ("compare Q1 2025 with Q1 2024", "compare, Q1 2024 Q1 2025"),
    ("Q1 2025 vs the same quarter last year", "compare, Q1 2024 Q1 2025"),
    ("revenue this year versus last year", "compare, 2024 2025"),
    ("revenue in 2024 and 2025", "compare, 2024 2025"),
    ("compare revenue by region 2025 vs 2024", "compare, by region, 2024 2025"),
    ("How does 2024 compare?", "compare, 2024 2025"),
    # Average order value and other measures.
    ("average order value", "total, aov"),
    ("What's our AOV?", "total, aov"),
    ("What is the average order size?", "total, aov"),
    ("AOV in 2024", "total, aov, 2024"),
    ("average order value by channel", "breakdown, aov, by channel"),
    ("monthly average order value", "trend, aov, month"),
    ("How many orders did we get in 2024?", "total, orders, 2024"),
    ("units sold by category", "breakdown, units, by category"),
    ("gross revenue in 2025", "total, gross, 2025"),
    ("How much did we lose to returns?", "total, returns"),
    ("discounts by segment", "breakdown, discounts, by segment"),
    ("What's the average revenue per customer?", "total, per_customer"),
    ("ARPU in 2024", "total, per_customer, 2024"),
    ("average revenue per customer by region", "breakdown, per_customer, by region"),
    ("revenue per region", "breakdown, by region"),
    # Filters combined with the above.
    ("revenue by channel in EMEA in 2024", "breakdown, by channel, region=EMEA, 2024"),
    ("revenue in EMEA", "total, region=EMEA"),
    ("Online revenue in 2024", "total, channel=Online, 2024"),
    ("What did Germany bring in last year?", "total, country=Germany, 2024"),
    ("US revenue by channel", "breakdown, by channel, country=United States"),
    ("Show us revenue by region", "breakdown, by region"),
    ("enterprise revenue by region", "breakdown, by region, segment=Enterprise"),
    ("top 5 products in North America", "breakdown, by product, top 5, region=North America"),
    ("revenue from partners in 2025", "total, channel=Partner, 2025"),
    ("SMB revenue through the web store", "total, channel=Online, segment=Small Business"),
    ("laptop sales in Asia", "total, region=APAC, category=Computers"),
    ("How much did the Aurora Laptop 14 sell in 2024?", "total, product=Aurora Laptop 14, 2024"),
    ("How much revenue came from Enterprise customers?", "total, segment=Enterprise"),
    ("revenue trend for audio products", "trend, month, category=Audio"),
    ("Revenue by quarter in 2024 for the online channel", "trend, quarter, channel=Online, 2024"),
    ("Compare online and partner revenue in 2025", "breakdown, by channel, channel=Online+Partner, 2025"),
    ("sales in germany vs france", "breakdown, by country, country=Germany+France"),
    # Everyday phrasings.
    ("How are we doing in APAC?", "total, region=APAC"),
    ("How did we do last quarter?", "total, Q4 2025"),
    ("Give me the numbers for Q4", "total, Q4 2025"),
    ("year-to-date revenue", "total, 2025"),
    ("What were total sales in the first half of 2025?", "total, Q1 2025 Q2 2025"),
    ("Revenue in the last 3 months", "total, October 2025 November 2025 December 2025"),
    ("Which month had the highest revenue?", "trend, month"),
    ("What was our best month?", "trend, month"),
    ("Which quarter was the weakest?", "trend, quarter, asc"),
    ("Show me a chart of revenue by region", "breakdown, by region"),
    ("What share of revenue comes from online?", "breakdown, by channel"),
    ("What percentage of sales is from EMEA?", "breakdown, by region"),
    ("How many customers did we have in EMEA in 2024?", "total, customers, region=EMEA, 2024"),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question(question: str, expected: str) -> None:
    assert ask(question) == expected


FOLLOW_UPS = [
    (("revenue by region", "by month"), "trend, month"),
    (("revenue by region", "what about 2024?"), "breakdown, by region, 2024"),
    (("revenue by region", "2024"), "breakdown, by region, 2024"),
    (("revenue by region", "what about EMEA?"), "total, region=EMEA"),
    (("revenue by region", "break it down by country"), "breakdown, by country"),
    (("revenue by region", "in 2024 and 2025"), "compare, by region, 2024 2025"),
    (("Show me revenue trends", "by quarter"), "trend, quarter"),
    (("Show me revenue trends", "by region"), "trend, by region, month"),
    (("Show me revenue trends", "what about 2024?"), "trend, month, 2024"),
    (("Show me revenue trends", "top 10"), "breakdown, by product, top 10"),
    (("monthly revenue", "only online"), "trend, month, channel=Online"),
    (("What's our total revenue?", "by month"), "trend, month"),
    (("What's our total revenue?", "what about 2024?"), "total, 2024"),
    (("What's our total revenue?", "and in EMEA?"), "total, region=EMEA"),
    (("What's our total revenue?", "compare with last year"), "compare, 2024 2025"),
    (("top 5 products", "what about 2024?"), "breakdown, by product, top 5, 2024"),
    (("top 5 products", "bottom 5"), "breakdown, by product, bottom 5"),
    (("top 5 products", "by country"), "breakdown, by country, top 5"),
    (("top 3 regions", "what about the worst?"), "breakdown, by region, bottom 3"),
    (("top 5 products in 2024", "and in 2025?"), "breakdown, by product, top 5, 2025"),
    (("2024 vs 2023", "by region"), "compare, by region, 2023 2024"),
    (("2024 vs 2023", "what about EMEA?"), "compare, region=EMEA, 2023 2024"),
    (("2024 vs 2023", "what about 2025?"), "compare, 2024 2025"),
    (("year over year growth", "by region"), "compare, by region, by change, 2024 2025"),
    (("year over year growth", "in APAC"), "growth, year, region=APAC"),
    (("revenue in EMEA", "what about APAC?"), "total, region=APAC"),
    (("revenue in EMEA", "by channel"), "breakdown, by channel, region=EMEA"),
    (("revenue in EMEA in 2024", "overall"), "total, 2024"),
    (("revenue by channel in EMEA", "and AOV?"), "breakdown, aov, by channel, region=EMEA"),
    (("revenue by region in 2024", "same for 2025"), "breakdown, by region, 2025"),
    (("revenue by region", "revenue by channel"), "breakdown, by channel"),
    (("revenue in EMEA", "revenue by channel"), "breakdown, by channel"),
    (("revenue in EMEA", "and revenue by channel"), "breakdown, by channel, region=EMEA"),
    (("What's our total revenue?", "what about 2024?", "by channel", "top 2"),
     "breakdown, by channel, top 2, 2024"),
    (("revenue by region", "thanks!", "by month"), "trend, month"),
]


@pytest.mark.parametrize(("turns", "expected"), FOLLOW_UPS)
def test_follow_up_uses_earlier_turns(turns: tuple[str, ...], expected: str) -> None:
    assert ask(*turns) == expected


@pytest.mark.parametrize("question", ["by month", "top 10", "what about 2024?", "and in EMEA?", "Germany"])
def test_elliptical_question_without_context(question: str) -> None:
    standalone = ask(question)
    if question in ("by month", "top 10"):
        assert standalone != "unknown"  # a shape of answer alone is still a revenue question
    else:
        assert standalone == "unknown"


UNKNOWN = ["hello", "thanks!", "What can you do?", "Tell me a joke", "Who won the match yesterday?", ""]


@pytest.mark.parametrize("question", UNKNOWN)
def test_unmapped_questions(question: str) -> None:
    assert interpret_conversation([question]) is None


REFUSED = [
    ("What's the profit margin?", "no costs"),
    ("profit by region", "no costs"),
    ("What were our costs in 2024?", "no costs"),
    ("forecast next year's revenue", "forecast"),
    ("What will revenue be in 2026?", "forecast"),
    ("Are we on track for our sales target?", "forecast"),
    ("What's the weather in Germany?", "can't answer that"),
    ("how many employees do we have", "can't answer that"),
    ("What is our customer churn?", "can't answer that"),
    ("revenue in 2026", "nothing to report for 2026"),
    ("revenue in 2022", "nothing to report for 2022"),
    ("compare 2022 with 2023", "nothing to report for 2022"),
    ("growth by region in 2023", "no growth figure for 2023"),
    ("H1 2025 vs H1 2024", "not half-years"),
]


@pytest.mark.parametrize(("question", "reason"), REFUSED)
def test_refusals_say_why(question: str, reason: str) -> None:
    result = interpret_conversation([question])
    assert isinstance(result, Refusal)
    assert reason in result.reason


def test_refused_follow_up_does_not_drop_the_context() -> None:
    assert ask("revenue by region", "what about profit?") == "refusal"
    assert ask("revenue by region", "what about profit?", "and 2024?") == "breakdown, by region, 2024"
