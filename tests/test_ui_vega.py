"""Vega-Lite specs drawn from the chart rules' decisions: marks, fields, formats, brand colours."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from mas.errors import ResultError
from mas.results.charts import ChartSpec, available_kinds, build_chart
from mas.results.columns import describe_columns
from ui.vega import BRAND, chart_frame, chart_spec

MONTHS = pd.DataFrame(
    {
        "order_month": pd.date_range("2025-01-01", periods=6, freq="MS"),
        "net_revenue": [10.0, 12.0, 9.0, 14.0, 15.0, 13.0],
    }
)
REGIONS = pd.DataFrame(
    {"region": ["EMEA", "APAC", "LATAM"], "net_revenue": [3.0, 5.0, 1.0], "orders": [30, 50, 10]}
)


def draw(table: pd.DataFrame, kind: str) -> tuple[dict[str, Any], pd.DataFrame]:
    columns = describe_columns(table)
    chart = build_chart(table, kind, columns=columns)  # type: ignore[arg-type]
    return chart_spec(chart, columns), chart_frame(chart)


def test_time_and_a_measure_draw_a_brand_blue_monthly_line_with_a_currency_axis() -> None:
    spec, frame = draw(MONTHS, "line")
    assert spec["mark"]["type"] == "line" and spec["mark"]["color"] == BRAND[0]
    assert spec["encoding"]["x"] | {"axis": None} == {
        "field": "x",
        "type": "temporal",
        "title": "order month",
        "axis": None,
    }
    assert spec["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert spec["encoding"]["y"]["axis"]["format"].startswith("$")
    assert list(frame.columns) == ["x", "y"] and frame["y"].tolist() == MONTHS["net_revenue"].tolist()
    json.dumps(spec)  # a plain, serialisable dict


def test_categories_draw_horizontal_bars_in_the_rules_order() -> None:
    spec, frame = draw(REGIONS, "bar")
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["field"] == "x" and spec["encoding"]["y"]["sort"] is None
    assert spec["encoding"]["x"]["title"] == "net revenue"
    assert frame["x"].tolist() == ["APAC", "EMEA", "LATAM"]  # highest first


def test_two_measures_draw_a_scatter() -> None:
    assert "scatter" in available_kinds(REGIONS, describe_columns(REGIONS))
    spec, frame = draw(REGIONS, "scatter")
    dots, names = spec["layer"]  # three dots: each is named beside it too
    assert dots["mark"]["type"] == "circle"
    assert names["mark"]["type"] == "text" and names["encoding"]["text"] == {"field": "name"}
    assert {spec["encoding"]["x"]["title"], spec["encoding"]["y"]["title"]} == {"net revenue", "orders"}
    assert len(frame) == 3
    assert spec["encoding"]["tooltip"][0] == {"field": "name", "type": "nominal", "title": "region"}
    assert frame["name"].tolist() == ["EMEA", "APAC", "LATAM"]
    assert frame.set_index("name").loc["APAC"].tolist() == [5.0, 50.0]


def test_a_measure_and_its_share_draw_no_scatter() -> None:
    table = REGIONS.assign(pct_of_total=[33.3, 55.6, 11.1]).drop(columns="orders")
    assert available_kinds(table, describe_columns(table)) == ["bar"]


def test_several_series_over_time_become_long_rows_with_a_series_colour() -> None:
    table = pd.DataFrame(
        {
            "order_month": list(MONTHS["order_month"]) * 2,
            "region": ["EMEA"] * 6 + ["APAC"] * 6,
            "net_revenue": [float(i) for i in range(12)],
        }
    )
    spec, frame = draw(table, "multi_line")
    assert spec["encoding"]["color"]["field"] == "series"
    assert spec["config"]["range"]["category"] == list(BRAND)
    assert set(frame["series"]) == {"EMEA", "APAC"} and len(frame) == 12


def test_hostile_column_names_are_only_titles_never_fields() -> None:
    name = "net.revenue['x']<img src=x onerror=alert(1)>"
    table = pd.DataFrame({"a.b[0]": ["x", "y"], name: [1.0, 2.0]})
    spec, frame = draw(table, "bar")
    fields = {spec["encoding"][axis]["field"] for axis in ("x", "y")}
    assert fields == {"x", "y"} and list(frame.columns) == ["x", "y"]
    assert spec["encoding"]["x"]["title"].startswith("net.revenue")


def test_a_chart_without_data_is_refused() -> None:
    with pytest.raises(ResultError):
        chart_spec(ChartSpec("none", None, [], "No chart fits."), ())
    with pytest.raises(ResultError):
        chart_frame(ChartSpec("none", None, [], "No chart fits."))


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_years_are_steps_on_an_ordinal_axis_not_fractions_on_a_number_line(kind: str) -> None:
    years = pd.DataFrame({"year": pd.array([2023, 2024, 2025], dtype="Int64"),
                          "net_revenue": [67.9e6, 82.1e6, 98.9e6]})
    spec, frame = draw(years, kind)
    x = spec["encoding"]["x"]
    # A quantitative axis labelled them "2,023.0, 2,023.2, …" and drew the bars as hairlines.
    assert (x["field"], x["type"], x["title"]) == ("x", "ordinal", "year")
    assert frame["x"].tolist() == [2023, 2024, 2025]
