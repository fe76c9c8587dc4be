"""Vega-Lite specs for result charts, in the brand's colours, built once per chart and kept.

Streamlit's built-in charts rebuild and validate an Altair chart on every call, which made a
long chat's reruns slow (shared/notes/streamlit-rerun-costs.md); a plain spec dict passed to
`st.vega_lite_chart` costs next to nothing to send again. Which chart fits a table is decided in
`mas.charts`; this module only draws the decision. It never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from mas.charts import ChartSpec
from mas.columns import ColumnMeta, label
from mas.errors import ResultError

BRAND = ("#2F7FD9", "#EC3115", "#7A8CA3", "#F2A541", "#3BA99C", "#9B6FCF", "#C9B79C")
SERIES_FIELD = "series"
VALUE_FIELD = "value"


def _meta(metas: Sequence[ColumnMeta], name: str) -> ColumnMeta | None:
    return next((m for m in metas if m.name == name), None)


def value_format(meta: ColumnMeta | None) -> str:
    """A d3 format for axis labels and tooltips of a measure."""
    if meta is None:
        return ",.4~g"
    if meta.format == "currency":
        # d3's "$" is the locale's currency symbol (en-US: "$"); other currencies are named in the title.
        return "$,.3~s" if meta.currency in (None, "USD") else ",.3~s"
    if meta.format == "integer":
        return ",d"
    return ",.4~g"


def _measure_title(meta: ColumnMeta | None, name: str) -> str:
    title = label(name)
    if meta is not None and meta.format == "percent":
        return f"{title} (%)"
    if meta is not None and meta.format == "currency" and meta.currency not in (None, "USD"):
        return f"{title} ({meta.currency})"
    return title


def _x_encoding(data: pd.DataFrame, x: str, meta: ColumnMeta | None) -> dict[str, Any]:
    values = data[x]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        axis = {"format": _date_format(values, meta), "labelAngle": 0}
        return {"field": field(x), "type": "temporal", "title": label(x), "axis": axis}
    if pd.api.types.is_numeric_dtype(values.dtype):
        return {"field": field(x), "type": "quantitative", "title": label(x), "scale": {"zero": False}}
    return {"field": field(x), "type": "nominal", "title": label(x)}


def _date_format(values: pd.Series, meta: ColumnMeta | None) -> str:
    grain = meta.format if meta is not None else "date"
    if grain == "date" and len(values) > 1 and bool(values.dropna().dt.day.eq(1).all()):
        grain = "month"  # typed dates that are all month starts: a monthly series
    return {"month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}.get(grain, "%Y-%m-%d")


def _tooltip(fields: Sequence[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    tips = []
    for name, kind, fmt in fields:
        tip: dict[str, Any] = {"field": field(name), "type": kind, "title": label(name)}
        if fmt:
            tip["format"] = fmt
        tips.append(tip)
    return tips


def field(name: str) -> str:
    """A column name as a Vega-Lite field: dots and brackets would otherwise mean nested access."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def chart_spec(chart: ChartSpec, metas: Sequence[ColumnMeta]) -> dict[str, Any]:
    """A Vega-Lite spec (data passed separately) drawing one `mas.charts` decision."""
    if chart.data is None or chart.x is None or not chart.y:
        raise ResultError(f"Nothing to draw for a {chart.kind!r} chart.")
    base: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "height": 300,
        "config": {"range": {"category": list(BRAND)}, "view": {"stroke": None}},
    }
    data, x, y = chart.data, chart.x, chart.y
    y_meta = _meta(metas, y[0]) or _synthetic(y[0], chart.y_format)
    if chart.kind == "multi_line":
        return base | _multi_line(data=data, x=x, y=y, metas=metas, y_meta=y_meta)
    if chart.kind == "bar" and not pd.api.types.is_datetime64_any_dtype(data[x].dtype):
        return base | _bar(x=x, y=y[0], meta=y_meta, rows=len(data))
    if chart.kind == "scatter":
        return base | _scatter(x=x, y=y[0], metas=metas)
    x_enc = _x_encoding(data, x, _meta(metas, x))
    mark: dict[str, Any] = {"type": "line", "point": True, "color": BRAND[0], "strokeWidth": 2}
    if chart.kind == "bar":
        mark = {"type": "bar", "color": BRAND[0], "cornerRadiusEnd": 2}
    return base | {
        "mark": mark,
        "encoding": {
            "x": x_enc,
            "y": {"field": field(y[0]), "type": "quantitative", "title": _measure_title(y_meta, y[0]),
                  "axis": {"format": value_format(y_meta)}},
            "tooltip": _tooltip([(x, x_enc["type"], _time_format(x_enc)),
                                 (y[0], "quantitative", value_format(y_meta))]),
        },
    }


def _synthetic(name: str, fmt: str | None) -> ColumnMeta:
    # Multi-line series are named after category values, not columns: they share the measure's format.
    return ColumnMeta(name, "measure", fmt or "number")  # type: ignore[arg-type]


def _time_format(encoding: dict[str, Any]) -> str | None:
    axis = encoding.get("axis") or {}
    return axis.get("format") if encoding["type"] == "temporal" else None


def _bar(*, x: str, y: str, meta: ColumnMeta | None, rows: int) -> dict[str, Any]:
    # Horizontal bars in the data's order (mas.charts puts the highest first and "Other" last):
    # long category names stay readable and the biggest reads first.
    return {
        "height": {"step": 30 if rows <= 8 else 22},
        "mark": {"type": "bar", "color": BRAND[0], "cornerRadiusEnd": 3},
        "encoding": {
            "y": {"field": field(x), "type": "nominal", "title": None, "sort": None},
            "x": {"field": field(y), "type": "quantitative", "title": _measure_title(meta, y),
                  "axis": {"format": value_format(meta)}},
            "tooltip": _tooltip([(x, "nominal", None), (y, "quantitative", value_format(meta))]),
        },
    }


def _scatter(*, x: str, y: str, metas: Sequence[ColumnMeta]) -> dict[str, Any]:
    x_meta, y_meta = _meta(metas, x), _meta(metas, y)
    return {
        "mark": {"type": "circle", "color": BRAND[0], "opacity": 0.8, "size": 70},
        "encoding": {
            "x": {"field": field(x), "type": "quantitative", "title": _measure_title(x_meta, x),
                  "axis": {"format": value_format(x_meta)}},
            "y": {"field": field(y), "type": "quantitative", "title": _measure_title(y_meta, y),
                  "axis": {"format": value_format(y_meta)}},
            "tooltip": _tooltip([(x, "quantitative", value_format(x_meta)),
                                 (y, "quantitative", value_format(y_meta))]),
        },
    }


def _multi_line(
    *, data: pd.DataFrame, x: str, y: Sequence[str], metas: Sequence[ColumnMeta], y_meta: ColumnMeta
) -> dict[str, Any]:
    # The chart data is wide (one column per series): fold it into (series, value) rows inside Vega.
    x_enc = _x_encoding(data, x, _meta(metas, x))
    return {
        "transform": [{"fold": [field(name) for name in y], "as": [SERIES_FIELD, VALUE_FIELD]}],
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": x_enc,
            "y": {"field": VALUE_FIELD, "type": "quantitative", "title": None,
                  "axis": {"format": value_format(y_meta)}},
            "color": {"field": SERIES_FIELD, "type": "nominal", "title": None,
                      "legend": {"orient": "bottom"}},
            "tooltip": _tooltip([(x, x_enc["type"], _time_format(x_enc)), (SERIES_FIELD, "nominal", None),
                                 (VALUE_FIELD, "quantitative", value_format(y_meta))]),
        },
    }
