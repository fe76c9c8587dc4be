"""Chart building: the default chart for a result, a chart of any kind that fits, and its data.

Which kinds fit is `mas.results.chart_rules`; this module builds each one's small wide frame
(an `x` column plus one column per `y` series, plus a scatter's names), capped at `MAX_POINTS`
points: lines over time, bars highest first (top 15 plus "Other"), lines per category, scatters
named by their category. Comparisons (grouped and diverging bars) are `mas.results.compare`.
Pure functions: drawing is the UI's job.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mas.errors import ResultError
from mas.results import compare
from mas.results.chart_data import by_category, capped_how, numeric, over_time, per, pivot_series, what
from mas.results.chart_data import x_format as _x_format
from mas.results.chart_rules import (
    MAX_POINTS,
    MAX_SERIES,
    MAX_TIME_BARS,
    OTHER,
    TOP_BARS,
    ChartKind,
    ChartSpec,
    available_kinds,
    roles,
)
from mas.results.columns import ColumnMeta, label

__all__ = ["MAX_POINTS", "MAX_SERIES", "OTHER", "TOP_BARS", "ChartKind", "ChartSpec", "available_kinds",
           "build_chart", "choose_chart"]  # fmt: skip


def choose_chart(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> ChartSpec:
    """The default chart for `table` by the rules of `mas.results.chart_rules`."""
    kinds = available_kinds(table, columns)
    return build_chart(table, kinds[0] if kinds else "none", columns=columns)


def build_chart(
    table: pd.DataFrame, kind: ChartKind, *, columns: Sequence[ColumnMeta] | None = None
) -> ChartSpec:
    """The chart of one kind for `table`; raises `ResultError` for a kind that does not fit."""
    if kind == "none":
        return _none(table)
    if kind not in available_kinds(table, columns):
        raise ResultError(f"A {kind.replace('_', '-')} chart does not fit this table.")
    found = roles(table, columns)
    if kind == "line":
        return _line(table, found.time[0], measures=[found.measures[0]])
    if kind == "multi_line":
        if found.categories:
            return _lines_by_category(
                table, found.time[0], category=found.categories[0], measure=found.measures[0]
            )
        return _line(table, found.time[0], measures=found.series)
    if kind == "bar":
        if found.categories:
            return _bar(table, found.categories[0], measure=found.measures[0])
        return _time_bar(table, found.time[0], measure=found.measures[0])
    if kind == "grouped_bar":
        return compare.grouped(table, found)
    if kind == "diverging_bar":
        return compare.diverging(table, found)
    if kind == "scatter" and found.versus is not None:
        named_by = next(iter(found.categories), None)
        return _scatter(table, x=found.measures[0], y=found.versus, named_by=named_by)
    raise ResultError(f"Unknown chart kind {kind!r}.")


def _none(table: pd.DataFrame) -> ChartSpec:
    if table.shape == (1, 1):
        return ChartSpec("none", None, [], "A single value, shown as a KPI card.")
    return ChartSpec("none", None, [], "No chart fits this table, so it is shown as a table only.")


def _line(table: pd.DataFrame, time: ColumnMeta, *, measures: Sequence[ColumnMeta]) -> ChartSpec:
    limit = MAX_POINTS // len(measures)
    frame, grain, merged = over_time(table, time, measures=measures, limit=limit)
    kind: ChartKind = "line" if len(measures) == 1 else "multi_line"
    shown = what(measures, merged=merged, grain=grain)
    caption = f"Line chart: {shown} over {label(time.name)}{per(measures, grain)}."
    return ChartSpec(kind, time.name, [m.name for m in measures], caption, frame, measures[0].format,
                     _x_format(time, grain))  # fmt: skip


def _lines_by_category(
    table: pd.DataFrame, time: ColumnMeta, *, category: ColumnMeta, measure: ColumnMeta
) -> ChartSpec:
    wide, metas, capped = pivot_series(table, time, category=category, measure=measure)
    frame, grain, _ = over_time(wide, time, measures=metas, limit=MAX_POINTS // max(1, len(metas)))
    caption = (
        f"Line chart: {label(measure.name)} over {label(time.name)}, one line per "
        f"{label(category.name)}{capped_how(measure, capped=capped)}{per([measure], grain)}."
    )
    return ChartSpec("multi_line", time.name, [m.name for m in metas], caption, frame, measure.format,
                     _x_format(time, grain))  # fmt: skip


def _bar(table: pd.DataFrame, category: ColumnMeta, *, measure: ColumnMeta) -> ChartSpec:
    frame, merged = by_category(table, category, measures=[measure])
    total = len(frame)
    name, which = what([measure], merged=merged), label(category.name)
    if total <= TOP_BARS:
        caption = f"Bar chart: {name} by {which}, highest first."
    elif measure.additive:
        rest = frame[measure.name].iloc[TOP_BARS:].sum()
        other = pd.DataFrame({category.name: [OTHER], measure.name: [rest]})
        frame = pd.concat([frame.head(TOP_BARS), other], ignore_index=True)
        caption = f"Bar chart: {name} by {which}, top {TOP_BARS} of {total} with the rest summed as {OTHER}."
    else:
        frame = frame.head(TOP_BARS)
        caption = f"Bar chart: {name} by {which}, top {TOP_BARS} of {total}."
    frame = frame.reset_index(drop=True)
    return ChartSpec("bar", category.name, [measure.name], caption, frame, measure.format, category.format)


def _time_bar(table: pd.DataFrame, time: ColumnMeta, *, measure: ColumnMeta) -> ChartSpec:
    frame, grain, merged = over_time(table, time, measures=[measure], limit=MAX_TIME_BARS)
    shown = what([measure], merged=merged, grain=grain)
    caption = f"Bar chart: {shown} per {label(time.name)}{per([measure], grain)}."
    return ChartSpec("bar", time.name, [measure.name], caption, frame, measure.format, _x_format(time, grain))


def _scatter(table: pd.DataFrame, *, x: ColumnMeta, y: ColumnMeta, named_by: ColumnMeta | None) -> ChartSpec:
    frame = numeric(table[[x.name, y.name]].dropna(), [x.name, y.name])
    if named_by is not None:
        names = table.loc[frame.index, named_by.name].astype("string").fillna("(missing)")
        frame.insert(0, named_by.name, names)
    total = len(frame)
    caption = f"Scatter chart: {label(y.name)} against {label(x.name)}"
    if total > MAX_POINTS:
        frame = frame.iloc[np.linspace(0, total - 1, MAX_POINTS).astype(int)]
        caption += f" ({MAX_POINTS:,} of {total:,} points, evenly sampled)"
    frame = frame.reset_index(drop=True)
    named = named_by.name if named_by else None
    return ChartSpec("scatter", x.name, [y.name], caption + ".", frame, y.format, x.format, named)
