"""Charts that compare, per result shape: periods side by side, changes by sign, long results, scatters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mas.errors import ResultError
from mas.results.charts import available_kinds, build_chart, choose_chart
from mas.results.columns import describe_columns, header
from mas.results.toolresult import parse_tool_output
from ui.vega import BRAND, LABELLED_DOTS, chart_frame, chart_spec

CHANNELS = pd.DataFrame({
    "channel": ["Direct Sales", "Partner", "Online", "Retail"],
    "net_revenue_q3_2024": [7133522.02, 5756671.32, 3823956.0, 888087.2],
    "net_revenue_q3_2025": [8639482.31, 6087333.17, 4570230.75, 1293404.08],
    "change_amount": [1505960.29, 330661.85, 746274.75, 405316.88],
    "change_pct": [21.1, 5.7, 19.5, 45.6],
})  # fmt: skip
ACTUAL_TARGET = pd.DataFrame({"region": ["EMEA", "APAC", "LATAM"], "actual": [5.0, 3.0, 1.0],
                              "target": [4.0, 3.5, 1.5]})  # fmt: skip
QUARTERS = pd.DataFrame({
    "order_quarter": pd.date_range("2024-01-01", periods=6, freq="QS"),
    "net_revenue": [10.0, 12.0, 9.0, 14.0, 15.0, 13.0],
    "prior_quarter_net_revenue": [np.nan, 10.0, 12.0, 9.0, 14.0, 15.0],
    "qoq_growth_pct": [np.nan, 20.0, -25.0, 55.6, 7.1, -13.3],
})  # fmt: skip
LONG = pd.DataFrame({
    "year": pd.array([2023] * 3 + [2024] * 3 + [2025] * 3, dtype="Int64"),
    "region": ["EMEA", "APAC", "LATAM"] * 3,
    "net_revenue": [5.0, 3.0, 1.0, 6.0, 4.0, 1.5, 7.0, 4.5, 2.0],
})  # fmt: skip
MEASURES = pd.DataFrame({"region": ["EMEA", "APAC", "LATAM", "NA"], "net_revenue": [5.0, 3.0, 1.0, 8.0],
                         "orders": pd.array([50, 20, 12, 70], dtype="Int64")})  # fmt: skip


def draw(table: pd.DataFrame, kind: str) -> tuple[dict[str, Any], pd.DataFrame]:
    columns = describe_columns(table)
    chart = build_chart(table, kind, columns=columns)  # type: ignore[arg-type]
    return chart_spec(chart, columns), chart_frame(chart)


def test_one_category_and_the_same_measure_for_two_periods_draws_grouped_bars() -> None:
    assert available_kinds(CHANNELS) == ["grouped_bar", "bar", "diverging_bar"]  # no scatter of 4 dots
    chart = choose_chart(CHANNELS)
    assert chart.kind == "grouped_bar" and chart.y == ["net_revenue_q3_2024", "net_revenue_q3_2025"]
    assert chart.caption == (
        "Grouped bar chart: net revenue q3 2024 and net revenue q3 2025 by channel, "
        "highest net revenue q3 2025 first."
    )
    spec, frame = draw(CHANNELS, "grouped_bar")
    assert spec["encoding"]["yOffset"]["field"] == "series" and spec["encoding"]["color"]["field"] == "series"
    assert frame["series"].unique().tolist() == ["Net revenue Q3 2024", "Net revenue Q3 2025"]
    assert frame["x"].unique().tolist() == ["Direct Sales", "Partner", "Online", "Retail"]
    assert frame.set_index(["x", "series"]).loc[("Retail", "Net revenue Q3 2025"), "y"] == 1293404.08


def test_actual_and_target_are_compared_side_by_side() -> None:
    assert available_kinds(ACTUAL_TARGET)[0] == "grouped_bar"
    assert choose_chart(ACTUAL_TARGET).y == ["actual", "target"]


def test_a_change_column_draws_bars_coloured_by_sign() -> None:
    spec, frame = draw(CHANNELS.assign(change_pct=[21.1, -5.7, 19.5, -45.6]), "diverging_bar")
    assert frame["y"].tolist() == [21.1, 19.5, -5.7, -45.6]  # largest rise first, largest fall last
    color = spec["encoding"]["color"]
    assert color == {"condition": {"test": "datum.y < 0", "value": BRAND[1]}, "value": BRAND[0]}
    assert build_chart(CHANNELS, "diverging_bar").caption.startswith(
        "Bar chart of change: change pct by channel"
    )


def test_a_change_over_time_draws_diverging_bars_in_time_order() -> None:
    kinds = available_kinds(QUARTERS)
    assert kinds[0] == "line" and "diverging_bar" in kinds and "scatter" not in kinds
    spec, frame = draw(QUARTERS, "diverging_bar")
    assert frame["y"].tolist() == [20.0, -25.0, 55.6, 7.1, -13.3]  # the first quarter has no change
    assert spec["encoding"]["x"]["type"] == "ordinal" and spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    parsed = parse_tool_output(
        "| order_quarter | qoq_growth_pct |\n|---|---|\n"
        "| 2024-Q1 | 5.0 |\n| 2024-Q2 | -3.0 |\n| 2024-Q3 | 2.0 |"
    )
    assert parsed.table is not None
    chart = build_chart(parsed.table, "diverging_bar", columns=parsed.columns)
    assert chart_spec(chart, parsed.columns)["encoding"]["x"]["timeUnit"] == "yearquarter"


def test_a_long_result_draws_lines_or_bars_per_series() -> None:
    assert available_kinds(LONG) == ["multi_line", "grouped_bar", "line", "bar"]
    lines = build_chart(LONG, "multi_line")
    assert lines.y == ["EMEA", "APAC", "LATAM"]
    spec, frame = draw(LONG, "grouped_bar")
    assert spec["encoding"]["xOffset"]["field"] == "series" and spec["encoding"]["x"]["type"] == "ordinal"
    assert frame[frame["x"] == 2025].set_index("series")["y"].to_dict() == {"EMEA": 7.0, "APAC": 4.5,
                                                                           "LATAM": 2.0}  # fmt: skip
    assert build_chart(LONG, "grouped_bar").caption == (
        "Grouped bar chart: net revenue per year, one bar per region."
    )


def test_many_periods_are_lines_not_grouped_bars() -> None:
    months = pd.date_range("2020-01-01", periods=40, freq="MS").repeat(2)
    table = pd.DataFrame({"month": months, "region": ["A", "B"] * 40, "revenue": np.arange(80.0)})
    assert "grouped_bar" not in available_kinds(table)
    with pytest.raises(ResultError):
        build_chart(table, "grouped_bar")


def test_a_scatter_only_for_two_different_measures_with_each_dot_named() -> None:
    assert "scatter" in available_kinds(MEASURES)
    assert "scatter" not in available_kinds(CHANNELS) and "scatter" not in available_kinds(ACTUAL_TARGET)
    spec, frame = draw(MEASURES, "scatter")
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["circle", "text"]
    assert spec["encoding"]["tooltip"][0]["field"] == "name" and frame["name"].tolist()[0] == "EMEA"
    count = LABELLED_DOTS + 1
    many = pd.DataFrame({"customer": [f"C{i}" for i in range(count)], "revenue": np.arange(float(count)),
                         "orders": pd.array(range(count), dtype="Int64")})  # fmt: skip
    spec, _ = draw(many, "scatter")
    assert "layer" not in spec and spec["mark"]["type"] == "circle"
    assert spec["encoding"]["tooltip"][0]["field"] == "name"


def test_the_kinds_are_described_once_into_the_parsed_result() -> None:
    markdown = (
        "| channel | net_revenue_2024 | net_revenue_2025 | change_pct |\n|---|---|---|---|\n"
        + "\n".join(
            f"| {c} | {a} | {b} | {p} |" for c, a, b, p in [("Online", 10, 12, 20.0), ("Retail", 8, 7, -12.5)]
        )
    )
    result = parse_tool_output(markdown)
    assert result.chart_kinds == ("grouped_bar", "bar", "diverging_bar")
    assert parse_tool_output("| total_revenue |\n|---|\n| 5 |").chart_kinds == ()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("net_revenue_q3_2025", "Net revenue Q3 2025"),
        ("pct_of_total", "% of total"),
        ("change_pct", "Change %"),
        ("yoy_growth_pct", "YoY growth %"),
        ("orderDate", "Order date"),
        ("customer_id", "Customer ID"),
        ("avg_order_value", "Average order value"),
        ("Net Revenue", "Net Revenue"),
        ("region", "Region"),
    ],
)
def test_headers_read_in_sentence_case(name: str, shown: str) -> None:
    assert header(name) == shown
