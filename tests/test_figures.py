"""The number check: clean answers stay unflagged, wrong figures are caught, precision is the text's own."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest
from demo_data import demo_data_dir

from mas.demo.supervisor import DemoSupervisor
from mas.figures import figures, unsupported
from mas.transcript import Turn, apply_event
from mas.wire.normalize import Normalizer

REGIONS = pd.DataFrame({
    "region": ["EMEA", "Americas", "APAC", "LATAM"],
    "net_revenue": [98_312_000.0, 81_204_500.0, 45_090_000.0, 24_400_000.0],
    "orders": [1402, 1210, 655, 402],
    "pct_of_total": [0.3945, 0.3259, 0.1809, 0.0979],
})  # fmt: skip
YEARS = pd.DataFrame({
    "channel": ["Online", "Retail", "Partner"],
    "net_revenue_2024": [52_100_000.0, 61_300_000.0, 12_400_000.0],
    "net_revenue_2025": [63_090_000.0, 59_340_000.0, 15_020_000.0],
    "change_pct": [21.1, -3.2, 21.1],
})  # fmt: skip
MONTHS = pd.DataFrame({
    "month": pd.date_range("2025-01-01", periods=12, freq="MS"),
    "net_revenue": [20.1e6, 12.18e6, 19.4e6, 21.0e6, 22.3e6, 20.9e6, 21.7e6, 23.5e6, 22.2e6, 24.8e6, 25.9e6,
                    30.1e6],
})  # fmt: skip
KPI = pd.DataFrame({"total_net_revenue": [249_006_500.0]})
PRODUCTS = pd.DataFrame({
    "product": ["Aurora Laptop 16 Pro", "UltraView 27 Monitor", "Slate Tablet"],
    "units": [4_840_000, 1_250_000, 980_000],
    "avg_price": [1234.25, 412.0, 399.99],
})  # fmt: skip

CLEAN: list[tuple[str, Sequence[pd.DataFrame]]] = [
    ("Total net revenue was $249.0M.", [KPI]),
    ("Total net revenue was $249M across all orders from 2023 to 2025.", [KPI]),
    ("Revenue reached 249.0 million dollars.", [KPI]),
    ("Net revenue came to $249,006,500.", [KPI]),
    ("Revenue totalled $0.25B.", [KPI]),
    ("EMEA leads with $98.3M, 39.4% of the total.", [REGIONS]),
    ("EMEA brought in $98.3 million from 1,402 orders.", [REGIONS]),
    ("EMEA is ahead of the Americas by $17.1M.", [REGIONS]),
    ("The four regions together took 3,669 orders.", [REGIONS]),
    ("Revenue across regions adds up to $249.0M; the average region made $62.3M.", [REGIONS]),
    ("EMEA holds 39.45% of revenue, the Americas 32.6% and APAC 18.1%.", [REGIONS]),
    ("LATAM is the smallest region at $24.4M (9.8%).", [REGIONS]),
    ("EMEA had 1,402 orders, about 1,400, versus 402 in LATAM.", [REGIONS]),
    ("Online grew 21.1% to $63.1M while Retail fell 3.2% to $59.3M.", [YEARS]),
    ("Online revenue rose from $52.1M in 2024 to $63.09M in 2025, up $11.0M (+21.1%).", [YEARS]),
    ("Retail slipped −3.2%, a drop of $1.96M.", [YEARS]),
    ("Partner went from $12.4M to $15.0M, up 21.1% year over year.", [YEARS]),
    ("Retail decreased by 3.2 percent in 2025.", [YEARS]),
    ("Revenue fell 39.4% from January to February, to $12.18M, then recovered to $19.4M in March.", [MONTHS]),
    ("December 2025 was the best month at $30.1M; on Dec 31 the year closed at $264.08M.", [MONTHS]),
    ("In Q3 2025, revenue was $21.7M in July, $23.5M in August and $22.2M in September.", [MONTHS]),
    ("Revenue grew from $20.1M in January to $30.1M in December, a 49.8% rise.", [MONTHS]),
    ("The Aurora Laptop 16 Pro sold 4.84 million units at an average of $1,234.25.", [PRODUCTS]),
    ("The UltraView 27 Monitor sold 1.25M units; it ranks 2nd, with a price of $412.", [PRODUCTS]),
    ("Slate Tablet averages $399.99 across 980K units.", [PRODUCTS]),
    ("The top 3 products sold 7,070,000 units in total.", [PRODUCTS]),
    (
        "Here are the 3 channels for 2024 and 2025, over 12 months, ranked 1st to 3rd; Online leads "
        "with $63.09M.",
        [YEARS],
    ),
    ("Query:\n```sql\nSELECT 1234567 AS x\n```\nThe total was `9999` rows: $249.0M.", [KPI]),
]
WRONG: list[tuple[str, Sequence[pd.DataFrame], list[str]]] = [
    ("Total net revenue was $5.2M.", [KPI], ["$5.2M"]),
    ("Total net revenue was $249.1M.", [KPI], ["$249.1M"]),
    ("Total net revenue was $248M.", [KPI], ["$248M"]),
    ("EMEA leads with $98.3M, 41.2% of the total.", [REGIONS], ["41.2%"]),
    ("EMEA took 1,420 orders.", [REGIONS], ["1,420"]),
    ("APAC made $45.9M.", [REGIONS], ["$45.9M"]),
    ("Online grew 12.1% while Retail fell 3.2%.", [YEARS], ["12.1%"]),
    ("Online revenue was $63.9M in 2025.", [YEARS], ["$63.9M"]),
    ("Revenue fell 38.4% in February.", [MONTHS], ["38.4%"]),
    ("The product sold 4.94 million units.", [PRODUCTS], ["4.94 million"]),
    ("The average price was $1,243.", [PRODUCTS], ["$1,243"]),
    ("EMEA made $98.3M and LATAM $3.4B, with 77 new customers.", [REGIONS], ["$3.4B", "77"]),
    ("Revenue was €2.5K per order on 14 March.", [KPI], ["€2.5K"]),
]


@pytest.mark.parametrize(("text", "tables"), CLEAN, ids=[t[:40] for t, _ in CLEAN])
def test_a_clean_answer_is_not_flagged(text: str, tables: Sequence[pd.DataFrame]) -> None:
    assert figures(text), "the answer states figures: the check has something to do"
    assert [f.text for f in unsupported(text, tables)] == []


@pytest.mark.parametrize(("text", "tables", "flagged"), WRONG, ids=[t[:40] for t, _, _ in WRONG])
def test_a_figure_no_table_supports_is_flagged(
    text: str, tables: Sequence[pd.DataFrame], flagged: list[str]
) -> None:
    found = unsupported(text, tables)
    assert [f.text for f in found] == flagged
    for figure in found:
        assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    ("written", "cell", "supported"),
    [
        ("$249.0M", 249_049_000.0, True),
        ("$249.0M", 249_051_000.0, False),
        ("$249.0M", 248_950_000.0, True),
        ("$249.0M", 248_949_000.0, False),
        ("$249M", 249_499_000.0, True),
        ("$249M", 249_501_000.0, False),
        ("$1,234", 1234.5, True),
        ("$1,234", 1234.51, False),
        ("$1,234", 1233.5, True),
        ("22.7%", 22.75, True),
        ("22.7%", 22.76, False),
        ("22.7%", 0.2265, True),
        ("22.7%", 0.2264, False),
        ("20.1%", 0.201, True),
        ("4.84 million", 4_844_999.0, True),
        ("4.84 million", 4_845_100.0, False),
        ("2.5K", 2549.0, True),
        ("2.5K", 2551.0, False),
        ("$3.10B", 3_104_000_000.0, True),
        ("$3.10B", 3_106_000_000.0, False),
        ("about 1,200", 1240.0, True),
        ("about 1,200", 1260.0, False),
        ("1,200", 1240.0, False),
    ],
)
def test_precision_is_what_the_text_states(written: str, cell: float, supported: bool) -> None:
    table = pd.DataFrame({"label": ["a"], "value": [cell]})
    flagged = unsupported(f"The value is {written}.", [table])
    assert (flagged == []) is supported, flagged


def test_the_figure_keeps_its_written_form_and_span() -> None:
    text = "Up 21.1% to $5.2M (4.84 million units; 1,402 orders), US$ 7.5bn overall."
    assert [f.text for f in figures(text)] == ["21.1%", "$5.2M", "4.84 million", "1,402", "US$ 7.5bn"]
    assert [(f.value, f.percent) for f in figures(text)][:3] == [
        (21.1, True),
        (5.2e6, False),
        (4.84e6, False),
    ]
    for figure in figures(text):
        assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    "text",
    [
        "In 2025 and FY2024",
        "Q3 2025 and Q4",
        "H1 and 3Q24",
        "the 1st, 2nd, 3rd and 21st",
        "top 10, 5 and 12",
        "on 2025-03-14",
        "on 03/14/2025",
        "March 14, 2025",
        "14 March",
        "at 10:30",
        "COVID-19",
        "v2 of x86",
        "the agent-revenue-genie",
    ],
)
def test_labels_are_not_figures(text: str) -> None:
    assert figures(text) == []


def test_with_no_table_nothing_is_checked() -> None:
    assert unsupported("Revenue was $5.2M.", []) == []
    assert unsupported("Revenue was $5.2M.", [pd.DataFrame()]) == []


def test_a_difference_or_change_is_found_in_a_long_series() -> None:
    values = [1000.0 + 7 * i + (i % 5) * 3 for i in range(5000)]
    table = pd.DataFrame({"day": pd.date_range("2020-01-01", periods=5000), "revenue": values})
    a, b = values[2000], values[2001]
    change = (b - a) / a * 100
    text = f"A day moved by {abs(b - a):,.0f}, a {abs(change):.2f}% change; in all {values[-1]:,.0f}."
    assert unsupported(text, [table]) == []
    assert [f.text for f in unsupported("A 93.17% change.", [table])] == ["93.17%"]


def test_numbers_in_text_cells_name_things() -> None:
    assert unsupported("The UltraView 27 Monitor and the Aurora Laptop 16 Pro.", [PRODUCTS]) == []
    assert [f.text for f in unsupported("The UltraView 29 Monitor.", [PRODUCTS])] == ["29"]


QUESTIONS = [
    "What's our total revenue?", "Show me revenue trends", "Which region brings in the most revenue?",
    "What are our top 10 products by revenue?", "How did revenue change quarter over quarter?",
    "Which sales channel grew fastest this year?", "How did Q3 2025 compare to Q3 2024 by channel?",
    "What was revenue in Q3 2024?", "How much did revenue grow in 2025?", "2024 vs 2023",
    "average order value by region", "revenue by channel in EMEA in 2024", "top 5 products",
    "worst 3 countries", "quarterly revenue in 2025", "revenue by customer segment",
    "how many orders in 2025", "Why did revenue drop in January?", "units sold by category",
]  # fmt: skip


@pytest.fixture(scope="module")
def supervisor() -> DemoSupervisor:
    return DemoSupervisor(data_dir=demo_data_dir())


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_demo_answers_are_supported_by_their_own_tables(
    supervisor: DemoSupervisor, question: str
) -> None:
    turn, normalizer = Turn(question=question), Normalizer()
    for wire in supervisor.respond([{"role": "user", "content": question}]):
        for event in normalizer.feed(wire):
            apply_event(turn, event)
    tables = [p.result.table for p in turn.tools if p.result is not None and p.result.table is not None]
    assert tables and figures(turn.answer_text)
    assert [f.text for f in unsupported(turn.answer_text, tables)] == []
    wrong = turn.answer_text + " That is $987.6M more than planned."
    assert [f.text for f in unsupported(wrong, tables)] == ["$987.6M"]
