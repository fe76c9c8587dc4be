"""Chart rules: the default chart, the kinds a user may switch to, and the capped chart data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mas.errors import ResultError
from mas.results.charts import (
    MAX_POINTS,
    OTHER,
    TOP_BARS,
    ChartKind,
    available_kinds,
    build_chart,
    choose_chart,
)
from mas.results.toolresult import parse_tool_output

ALL_KINDS: tuple[ChartKind, ...] = ("line", "bar", "scatter", "multi_line", "grouped_bar", "diverging_bar")


def _months(n: int) -> pd.Series:
    return pd.Series(pd.date_range("2023-01-01", periods=n, freq="MS"))


def _categories(n: int) -> pd.Series:
    return pd.Series([f"P{i:02d}" for i in range(n)], dtype="string")


TABLES: dict[str, tuple[pd.DataFrame, ChartKind, list[ChartKind]]] = {
    "time + measure": (
        pd.DataFrame({"month": _months(12), "revenue": np.arange(12.0)}),
        "line",
        ["line", "bar"],
    ),
    "year + measure": (
        pd.DataFrame({"year": pd.array([2021, 2022, 2023], dtype="Int64"), "revenue": [1.0, 2.0, 3.0]}),
        "line",
        ["line", "bar"],
    ),
    "time + two measures": (
        pd.DataFrame({"month": _months(6), "revenue": np.arange(6.0), "cost": np.arange(6.0)}),
        "multi_line",
        ["multi_line", "line", "bar", "scatter"],
    ),
    "time + measure + its growth": (
        pd.DataFrame({"month": _months(6), "revenue": np.arange(6.0), "growth_pct": np.arange(6.0)}),
        "line",
        ["line", "bar", "diverging_bar"],
    ),
    "category + measure + its share": (
        pd.DataFrame({"region": _categories(3), "revenue": [4.0, 3, 2], "pct_of_total": [40.0, 30, 20]}),
        "bar",
        ["bar"],
    ),
    "category + measure + its prior period": (
        pd.DataFrame({"region": _categories(3), "revenue": [4.0, 3, 2], "prior_year_revenue": [3.0, 3, 1]}),
        "grouped_bar",
        ["grouped_bar", "bar"],
    ),
    "time + category + measure": (
        pd.DataFrame(
            {
                "month": _months(4).repeat(3).reset_index(drop=True),
                "region": _categories(3).tolist() * 4,
                "revenue": np.arange(12.0),
            }
        ),
        "multi_line",
        ["multi_line", "grouped_bar", "line", "bar"],
    ),
    "category + measure": (
        pd.DataFrame({"region": _categories(5), "revenue": [5.0, 9, 1, 7, 3]}),
        "bar",
        ["bar"],
    ),
    "category + two measures": (
        pd.DataFrame(
            {"region": _categories(5), "revenue": np.arange(5.0), "orders": pd.array(range(5), "Int64")}
        ),
        "bar",
        ["bar", "scatter"],
    ),
    "two measures": (
        pd.DataFrame({"revenue": np.arange(5.0), "units": np.arange(5.0) * 2}),
        "scatter",
        ["scatter"],
    ),
    "id + measure": (
        pd.DataFrame({"order_id": pd.array([11, 12, 13], "Int64"), "revenue": [3.0, 1.0, 2.0]}),
        "bar",
        ["bar"],
    ),
    "one value": (pd.DataFrame({"revenue": [5.0]}), "none", []),
    "one category row": (pd.DataFrame({"region": _categories(1), "revenue": [5.0]}), "none", []),
    "one row of two measures": (pd.DataFrame({"revenue": [5.0], "units": [2.0]}), "none", []),
    "one year row with its growth": (
        pd.DataFrame({"year": pd.array([2025], "Int64"), "revenue": [9.0], "growth_pct": [20.5]}),
        "none",
        [],
    ),
    "text only": (pd.DataFrame({"region": _categories(3), "note": _categories(3)}), "none", []),
    "time only": (pd.DataFrame({"month": _months(3)}), "none", []),
    "one measure": (pd.DataFrame({"revenue": [1.0, 2.0]}), "none", []),
    "empty": (
        pd.DataFrame({"region": pd.Series([], dtype="string"), "revenue": pd.Series([], dtype=float)}),
        "none",
        [],
    ),
}


@pytest.mark.parametrize(("table", "default", "kinds"), TABLES.values(), ids=TABLES.keys())
def test_rules(table: pd.DataFrame, default: ChartKind, kinds: list[ChartKind]) -> None:
    assert choose_chart(table).kind == default
    assert available_kinds(table) == kinds


@pytest.mark.parametrize(("table", "default", "kinds"), TABLES.values(), ids=TABLES.keys())
def test_every_offered_kind_builds_and_no_other_does(
    table: pd.DataFrame, default: ChartKind, kinds: list[ChartKind]
) -> None:
    before = table.copy()
    for kind in ALL_KINDS:
        if kind not in kinds:
            with pytest.raises(ResultError):
                build_chart(table, kind)
            continue
        spec = build_chart(table, kind)
        assert spec.kind == kind and spec.data is not None and not spec.data.empty
        assert spec.x in spec.data.columns and set(spec.y) <= set(spec.data.columns)
        assert len(spec.data) * len(spec.y) <= MAX_POINTS
        assert all(spec.data[y].dtype == "float64" for y in spec.y)
        assert spec.caption.endswith(".") and ". " not in spec.caption
    assert build_chart(table, "none").kind == "none"
    pd.testing.assert_frame_equal(table, before)


def test_line_caption_and_time_order() -> None:
    table = pd.DataFrame({"month": _months(3)[::-1].reset_index(drop=True), "revenue": [3.0, 2.0, 1.0]})
    spec = choose_chart(table)
    assert spec.caption == "Line chart: revenue over month."
    assert (spec.x, spec.y, spec.y_format, spec.x_format) == ("month", ["revenue"], "currency", "date")
    assert spec.data is not None and spec.data["revenue"].tolist() == [1.0, 2.0, 3.0]
    assert spec.data["month"].is_monotonic_increasing


def test_repeated_times_are_summed_and_said_so() -> None:
    table = pd.DataFrame(
        {"day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]), "revenue": [1.0, 2, 4]}
    )
    spec = choose_chart(table)
    assert spec.caption == "Line chart: total revenue over day."
    assert spec.data is not None and spec.data["revenue"].tolist() == [3.0, 4.0]


def test_bar_highest_first_with_top_15_and_other() -> None:
    table = pd.DataFrame({"product": _categories(40), "revenue": np.arange(40.0)})
    spec = choose_chart(table)
    assert spec.data is not None and len(spec.data) == TOP_BARS + 1
    assert spec.data["product"].tolist()[:3] == ["P39", "P38", "P37"]
    assert spec.data["product"].iloc[-1] == OTHER
    assert spec.data["revenue"].iloc[-1] == sum(range(25))
    assert spec.data["revenue"].sum() == table["revenue"].sum()
    assert spec.caption == "Bar chart: revenue by product, top 15 of 40 with the rest summed as Other."


def test_bar_of_a_non_additive_measure_has_no_other() -> None:
    table = pd.DataFrame({"product": _categories(40), "avg_order_value": np.arange(40.0)})
    spec = choose_chart(table)
    assert spec.data is not None and len(spec.data) == TOP_BARS and OTHER not in spec.data["product"].tolist()
    assert spec.caption == "Bar chart: avg order value by product, top 15 of 40."


def test_bar_merges_repeated_and_missing_categories() -> None:
    regions = pd.Series(["EMEA", None, "EMEA", "APAC"], dtype="string")
    spec = choose_chart(pd.DataFrame({"region": regions, "revenue": [1.0, 5, 2, 4]}))
    assert spec.data is not None
    assert spec.data.to_dict("list") == {"region": ["(missing)", "APAC", "EMEA"], "revenue": [5.0, 4.0, 3.0]}
    assert spec.caption == "Bar chart: total revenue by region, highest first."


def test_lines_per_category_keep_the_top_10_and_sum_the_rest() -> None:
    months = _months(3)
    rows = [(m, f"R{r:02d}", float(r + 1)) for m in months for r in range(14)]
    table = pd.DataFrame(rows, columns=["month", "region", "revenue"])
    spec = choose_chart(table)
    assert spec.kind == "multi_line" and spec.data is not None
    assert spec.y[:2] == ["R13", "R12"] and spec.y[-1] == OTHER and len(spec.y) == 11
    assert spec.data[OTHER].tolist() == [10.0, 10.0, 10.0]  # R00..R03 = 1+2+3+4
    assert spec.data[spec.y].to_numpy().sum() == table["revenue"].sum()
    assert (
        spec.caption
        == "Line chart: revenue over month, one line per region (top 10, the rest summed as Other)."
    )


def test_category_named_like_the_x_column_does_not_clash() -> None:
    table = pd.DataFrame(
        {
            "month": _months(2).repeat(2).reset_index(drop=True),
            "series": pd.Series(["month", "b"] * 2, dtype="string"),
            "revenue": [1.0, 2, 3, 4],
        }
    )
    spec = choose_chart(table)
    assert spec.data is not None and len(set(spec.data.columns)) == len(spec.data.columns) == 3


def test_scatter_caption() -> None:
    spec = choose_chart(pd.DataFrame({"revenue": [1.0, 2.0], "units": [3.0, 4.0]}))
    assert (spec.x, spec.y, spec.caption) == ("revenue", ["units"], "Scatter chart: units against revenue.")


def test_scatter_dots_keep_their_category_and_skip_derived_measures() -> None:
    table = pd.DataFrame(
        {
            "region": pd.array(["EMEA", None, "APAC", "LATAM"], dtype="string"),
            "revenue": [3.0, 1.0, 5.0, None],
            "pct_of_total": [30.0, 10.0, 50.0, None],
            "orders": pd.array([30, 10, 50, 7], "Int64"),
        }
    )
    spec = build_chart(table, "scatter")
    assert (spec.x, spec.y, spec.label) == ("revenue", ["orders"], "region")
    assert spec.data is not None and list(spec.data.columns) == ["region", "revenue", "orders"]
    assert spec.data["region"].tolist() == ["EMEA", "(missing)", "APAC"]  # LATAM has no revenue
    assert spec.data["orders"].tolist() == [30.0, 10.0, 50.0]
    assert choose_chart(pd.DataFrame({"revenue": [1.0, 2.0], "units": [3.0, 4.0]})).label is None


def test_long_daily_series_is_coarsened_to_weeks() -> None:
    days = pd.date_range("2000-01-01", periods=20_000, freq="D")
    table = pd.DataFrame({"day": days, "revenue": np.ones(20_000)})
    spec = choose_chart(table)
    assert spec.data is not None and len(spec.data) <= MAX_POINTS
    assert spec.caption == "Line chart: revenue over day, summed per week."
    assert spec.x_format == "date"
    assert spec.data["revenue"].sum() == 20_000
    assert spec.data["revenue"].max() == 7


def test_coarsening_with_time_zones_and_several_series() -> None:
    days = pd.date_range("2000-01-01", periods=6_000, freq="D", tz="UTC")
    table = pd.DataFrame({"day": days, "revenue": np.ones(6_000), "cost": np.ones(6_000)})
    spec = choose_chart(table)
    assert spec.kind == "multi_line" and spec.data is not None
    assert len(spec.data) * 2 <= MAX_POINTS
    assert spec.data["cost"].sum() == 6_000


def test_big_scatter_is_evenly_sampled() -> None:
    table = pd.DataFrame({"revenue": np.arange(20_000.0), "units": np.arange(20_000.0)})
    spec = choose_chart(table)
    assert spec.data is not None and len(spec.data) == MAX_POINTS
    assert spec.data["revenue"].iloc[0] == 0 and spec.data["revenue"].iloc[-1] == 19_999
    assert spec.caption == "Scatter chart: units against revenue (5,000 of 20,000 points, evenly sampled)."


def test_kpi_and_table_only_captions() -> None:
    assert choose_chart(pd.DataFrame({"revenue": [5.0]})).caption == "A single value, shown as a KPI card."
    assert "table only" in choose_chart(pd.DataFrame({"a": _categories(2)})).caption


def test_unfit_kind_raises_a_readable_error() -> None:
    with pytest.raises(ResultError, match=r"^A multi-line chart does not fit this table\.$"):
        build_chart(pd.DataFrame({"region": _categories(2), "revenue": [1.0, 2.0]}), "multi_line")


def test_charts_from_parsed_markdown_with_html_names() -> None:
    result = parse_tool_output(
        "| <b>region</b> | revenue |\n|---|---|\n| <script>x</script> | $5 |\n| APAC | $7 |"
    )
    spec = choose_chart(result.table, result.columns) if result.table is not None else None
    assert spec is not None and spec.kind == "bar"
    assert spec.caption == "Bar chart: revenue by <b>region</b>, highest first."
    assert spec.data is not None and spec.data["<b>region</b>"].tolist() == ["APAC", "<script>x</script>"]


def test_x_format_follows_the_parsed_period() -> None:
    result = parse_tool_output(
        "| quarter | revenue |\n|---|---|\n| 2024-Q1 | 5 |\n| 2024-Q2 | 6 |\n| 2024-Q3 | 1 |"
    )
    assert result.table is not None
    assert choose_chart(result.table, result.columns).x_format == "quarter"


def test_percent_measure_from_cells_keeps_its_format() -> None:
    result = parse_tool_output("| region | share |\n|---|---|\n| EMEA | 40% |\n| APAC | 60% |")
    assert result.table is not None
    assert choose_chart(result.table, result.columns).y_format == "percent"


def test_quarters_from_a_typed_string_column_draw_a_line_in_time_order() -> None:
    columns = [
        {"name": "order_quarter", "type_name": "STRING"},
        {"name": "net_revenue", "type_name": "DOUBLE"},
    ]
    rows = [["2023-Q4", "30"], ["2023-Q1", "10"], ["2024-Q1", "5"]]
    result = parse_tool_output({"manifest": {"schema": {"columns": columns}}, "result": {"data_array": rows}})
    assert result.table is not None
    assert available_kinds(result.table, result.columns) == ["line", "bar"]
    chart = choose_chart(result.table, result.columns)
    assert chart.x_format == "quarter" and chart.data is not None
    assert chart.data["net_revenue"].tolist() == [10.0, 30.0, 5.0]
