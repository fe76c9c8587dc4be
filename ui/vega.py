"""Vega-Lite specs for result charts, in the brand's colours, built once per chart and kept.

Streamlit's built-in charts rebuild and validate an Altair chart on every call, which made a
long chat's reruns slow (shared/notes/streamlit-rerun-costs.md); a plain spec dict passed to
`st.vega_lite_chart` costs next to nothing to send again. The chart's data is rebuilt once with
fixed field names (`x`, `y`, `series`, `name` for a scatter's dots): column names from a tool
output are only ever titles, since Vega reads dots, brackets and quotes in a field name as an
access path. Which chart fits a table is decided in `mas.results.charts`; this module only draws the
decision. It never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from mas.errors import ResultError
from mas.results.charts import ChartSpec
from mas.results.columns import ColumnMeta, Format, label, stem

LABELLED_DOTS = 15
"""A scatter of at most this many dots names each one beside it."""
BRAND = ("#2F7FD9", "#EC3115", "#7A8CA3", "#F2A541", "#3BA99C", "#9B6FCF", "#C9B79C")
X, Y, SERIES, NAME = "x", "y", "series", "name"
_CONFIG = {"range": {"category": list(BRAND)}, "view": {"stroke": None}}


def chart_frame(chart: ChartSpec) -> pd.DataFrame:
    """The chart's data with fixed column names: `x` and `y`, plus `series` for several lines and
    `name` for the category of each dot of a scatter."""
    if chart.data is None or chart.x is None or not chart.y:
        raise ResultError(f"Nothing to draw for a {chart.kind!r} chart.")
    data = chart.data
    if chart.kind not in ("multi_line", "grouped_bar"):
        frame = pd.DataFrame({X: data[chart.x].to_numpy(), Y: data[chart.y[0]].to_numpy()})
        if chart.label is not None:
            frame.insert(0, NAME, data[chart.label].to_numpy())
        return frame
    wide = pd.DataFrame({X: data[chart.x].to_numpy(), **{str(i): data[name].to_numpy()
                                                          for i, name in enumerate(chart.y)}})
    long = wide.melt(id_vars=[X], var_name=SERIES, value_name=Y)
    names = chart.legend or [name.strip() for name in chart.y]
    long[SERIES] = long[SERIES].map(lambda i: names[int(i)])
    return long


def value_format(fmt: Format | None, currency: str | None = None) -> str:
    """A d3 format for axis labels and tooltips of a measure."""
    if fmt == "currency":
        # d3's "$" is the locale's currency symbol (en-US: "$"); other currencies are named in the title.
        return "$,.3~s" if currency in (None, "USD") else ",.3~s"
    if fmt == "integer":
        return ",d"
    return ",.4~g"


def _meta(metas: Sequence[ColumnMeta], name: str) -> ColumnMeta | None:
    return next((m for m in metas if m.name == name), None)


def _measure_title(name: str, fmt: Format | None, *, currency: str | None) -> str:
    title = label(name)
    if fmt == "percent":
        return f"{title} (%)"
    if fmt == "currency" and currency not in (None, "USD"):
        return f"{title} ({currency})"
    return title


def time_grain(values: pd.Series, fmt: str) -> str:
    """The period a time column stands for: typed dates that are all month starts are months."""
    if fmt == "date" and len(values) > 1 and bool(values.dropna().dt.day.eq(1).all()):
        return "month"
    return fmt


def _date_format(values: pd.Series, meta: ColumnMeta | None) -> str:
    grain = time_grain(values, meta.format if meta is not None else "date")
    return {"month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}.get(grain, "%Y-%m-%d")


def _x_encoding(
    values: pd.Series, name: str, *, meta: ColumnMeta | None, x_format: str | None = None
) -> dict[str, Any]:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        axis = {"format": _date_format(values, meta), "labelAngle": 0}
        return {"field": X, "type": "temporal", "title": label(name), "axis": axis}
    if "year" in (x_format, meta.format if meta is not None else None):
        # Years as numbers on a quantitative axis read "2,024.5" and make bars hairlines.
        return {"field": X, "type": "ordinal", "title": label(name), "axis": {"labelAngle": 0}}
    if pd.api.types.is_numeric_dtype(values.dtype):
        return {"field": X, "type": "quantitative", "title": label(name), "scale": {"zero": False}}
    return {"field": X, "type": "nominal", "title": label(name)}


def _measure_encoding(
    field: str, name: str, *, meta: ColumnMeta | None, fallback: Format | None
) -> dict[str, Any]:
    fmt = meta.format if meta is not None else fallback
    currency = meta.currency if meta is not None else None
    return {"field": field, "type": "quantitative", "title": _measure_title(name, fmt, currency=currency),
            "axis": {"format": value_format(fmt, currency)}}


def _tip(encoding: dict[str, Any]) -> dict[str, Any]:
    tip = {k: encoding[k] for k in ("field", "type", "title")}
    fmt = (encoding.get("axis") or {}).get("format")
    return tip | ({"format": fmt} if fmt else {})


def _mark(kind: str) -> dict[str, Any]:
    if kind == "scatter":
        return {"type": "circle", "color": BRAND[0], "opacity": 0.8, "size": 70}
    if kind == "bar":
        return {"type": "bar", "color": BRAND[0], "cornerRadiusEnd": 2}
    if kind == "multi_line":
        return {"type": "line", "point": True, "strokeWidth": 2}
    return {"type": "line", "point": True, "strokeWidth": 2, "color": BRAND[0]}


def chart_spec(chart: ChartSpec, metas: Sequence[ColumnMeta]) -> dict[str, Any]:
    """A Vega-Lite spec for `chart_frame(chart)` (data passed separately): one charts decision."""
    if chart.data is None or chart.x is None or not chart.y:
        raise ResultError(f"Nothing to draw for a {chart.kind!r} chart.")
    x_values, y_name = chart.data[chart.x], chart.y[0]
    fallback: Format | None = chart.y_format  # type: ignore[assignment]
    y_enc = _measure_encoding(Y, y_name, meta=_meta(metas, y_name), fallback=fallback)
    x_enc = _x_encoding(x_values, chart.x, meta=_meta(metas, chart.x), x_format=chart.x_format)
    spec: dict[str, Any] = {"height": 300, "config": _CONFIG}
    if chart.kind == "bar" and x_enc["type"] == "nominal":
        # Horizontal bars in the data's order (mas.results.charts puts the highest first and "Other" last):
        # long category names stay readable and the biggest reads first.
        return spec | {
            "height": {"step": 30 if len(x_values) <= 8 else 22},
            "autosize": {"type": "fit-x", "contains": "padding"},
            "mark": {"type": "bar", "color": BRAND[0], "cornerRadiusEnd": 3},
            "encoding": {"y": x_enc | {"title": None, "sort": None}, "x": y_enc,
                         "tooltip": [_tip(x_enc), _tip(y_enc)]},
        }
    if chart.kind in ("grouped_bar", "diverging_bar"):
        return spec | compare_spec(chart, x_enc=x_enc, y_enc=y_enc)
    if chart.kind == "scatter":
        x_enc = _measure_encoding(X, chart.x, meta=_meta(metas, chart.x), fallback=None)
    spec["mark"] = _mark(chart.kind)
    spec["encoding"] = {"x": x_enc, "y": y_enc, "tooltip": [_tip(x_enc), _tip(y_enc)]}
    if chart.label is not None:
        spec["encoding"]["tooltip"].insert(0, {"field": NAME, "type": "nominal", "title": label(chart.label)})
        if len(x_values) <= LABELLED_DOTS:
            # Few dots: each named beside it, not only in its tooltip.
            text = {"type": "text", "align": "left", "dx": 7, "dy": -6, "fontSize": 11, "color": "#555"}
            names = {"mark": text, "encoding": {"text": {"field": NAME}}}
            spec["layer"] = [{"mark": spec.pop("mark")}, names]
    if chart.kind == "multi_line":
        y_enc["title"] = None
        legend = {"orient": "bottom", "title": None}
        spec["encoding"]["color"] = {"field": SERIES, "type": "nominal", "legend": legend}
        spec["encoding"]["tooltip"].insert(1, {"field": SERIES, "type": "nominal", "title": "series"})
    return spec


_TIME_UNITS = {"year": "year", "quarter": "yearquarter", "month": "yearmonth"}


def compare_spec(chart: ChartSpec, *, x_enc: dict[str, Any], y_enc: dict[str, Any]) -> dict[str, Any]:
    """Grouped bars (one bar per series within each category or period) and diverging bars of a
    change (rises in brand blue, falls in brand red); categories run down, periods across."""
    assert chart.data is not None and chart.x is not None
    across = x_enc["type"] != "nominal"
    if across and x_enc["type"] == "temporal":
        # Bars side by side need a band scale: periods become ordinal steps, still read as dates.
        grain = chart.x_format or "date"
        grain = grain if grain in _TIME_UNITS else time_grain(chart.data[chart.x], grain)
        x_enc = x_enc | {"type": "ordinal", "timeUnit": _TIME_UNITS.get(grain, "yearmonthdate")}
    tooltip = [_tip(x_enc), _tip(y_enc)]
    mark = {"type": "bar", "cornerRadiusEnd": 2}
    if chart.kind == "diverging_bar":
        falls = {"test": f"datum.{Y} < 0", "value": BRAND[1]}
        color: dict[str, Any] = {"condition": falls, "value": BRAND[0]}
        offset: dict[str, Any] = {}
    else:
        legend = {"orient": "bottom", "title": None, "columns": 2, "labelLimit": 150}  # two fit a phone
        color = {"field": SERIES, "type": "nominal", "legend": legend, "sort": None}
        if chart.legend:
            # One measure over periods: earlier ones muted, the latest in brand blue; the axis names it.
            color["scale"] = {"range": [*BRAND[2:][: len(chart.legend) - 1], BRAND[0]]}
            y_enc = y_enc | {"title": " ".join(stem(chart.y[-1])) or y_enc["title"]}
        offset = {"field": SERIES, "sort": None}
        tooltip.insert(1, {"field": SERIES, "type": "nominal", "title": "series"})
    if across:
        encoding = {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip}
        if offset:
            encoding["xOffset"] = offset
        return {"mark": mark, "encoding": encoding}
    bars = len(chart.y) if offset else 1
    encoding = {"y": x_enc | {"title": None, "sort": None}, "x": y_enc, "color": color, "tooltip": tooltip}
    if offset:
        encoding["yOffset"] = offset
    return {
        "height": {"step": 14 * bars + 8},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "mark": mark,
        "encoding": encoding,
    }
