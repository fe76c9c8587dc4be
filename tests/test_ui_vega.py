"""Vega-Lite specs drawn from the chart rules' decisions: marks, fields, formats, brand colours."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mas.charts import ChartSpec, available_kinds, build_chart
from mas.columns import describe_columns
from mas.errors import ResultError
from ui.vega import BRAND, chart_spec, field


def spec_for(table: pd.DataFrame, kind: str) -> dict:  # type: ignore[type-arg]
    columns = describe_columns(table)
    return chart_spec(build_chart(table, kind, columns), columns)  # type: ignore[arg-type]


MONTHS = pd.DataFrame({"order_month": pd.date_range("2025-01-01", periods=6, freq="MS"),
                       "net_revenue": [10.0, 12.0, 9.0, 14.0, 15.0, 13.0]})
REGIONS = pd.DataFrame({"region": ["EMEA", "APAC", "LATAM"], "net_revenue": [3.0, 5.0, 1.0],
                        "orders": [30, 50, 10]})


def test_time_and_a_measure_draw_a_brand_blue_line_with_currency_axis() -> None:
    spec = spec_for(MONTHS, "line")
    assert spec["mark"]["type"] == "line" and spec["mark"]["color"] == BRAND[0]
    assert spec["encoding"]["x"]["type"] == "temporal" and spec["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert spec["encoding"]["y"]["axis"]["format"].startswith("$")
    json.dumps(spec)  # a plain, serialisable dict


def test_categories_draw_horizontal_bars_in_the_rules_order() -> None:
    spec = spec_for(REGIONS, "bar")
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"] == {"field": "region", "type": "nominal", "title": None, "sort": None}
    assert spec["encoding"]["x"]["field"] == "net_revenue"


def test_two_measures_draw_a_scatter() -> None:
    assert "scatter" in available_kinds(REGIONS, describe_columns(REGIONS))
    spec = spec_for(REGIONS, "scatter")
    assert spec["mark"]["type"] == "circle"
    assert {spec["encoding"]["x"]["field"], spec["encoding"]["y"]["field"]} == {"net_revenue", "orders"}


def test_several_series_over_time_are_folded_in_vega() -> None:
    table = pd.DataFrame({"order_month": list(MONTHS["order_month"]) * 2,
                          "region": ["EMEA"] * 6 + ["APAC"] * 6, "net_revenue": list(range(12))})
    spec = spec_for(table, "multi_line")
    assert spec["transform"][0]["fold"] == ["APAC", "EMEA"]  # biggest series first
    assert spec["encoding"]["color"]["field"] == "series"
    assert spec["config"]["range"]["category"] == list(BRAND)


def test_field_names_with_dots_and_brackets_are_escaped() -> None:
    assert field("revenue.total[usd]") == "revenue\\.total\\[usd\\]"
    table = pd.DataFrame({"a.b": ["x", "y"], "net.revenue": [1.0, 2.0]})
    spec = spec_for(table, "bar")
    assert spec["encoding"]["x"]["field"] == "net\\.revenue"


def test_a_chart_without_data_is_refused() -> None:
    with pytest.raises(ResultError):
        chart_spec(ChartSpec("none", None, [], "No chart fits."), ())
