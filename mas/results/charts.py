"""Chart rules: which chart fits a result table, and the small frame to draw it from.

Time + one measure → line; several measures (or one measure split by a category) over time →
multi-line; category + measure → bar, highest first, top 15 plus "Other"; two measures, the
second not derived from the first (a share, change or prior period) → scatter, dots named by
their category; a single row → none (a KPI card, or the table alone); anything else → none.
Chart data is always wide (an `x` column plus one column per `y` series, plus a scatter's names)
and capped at `MAX_POINTS` points. Pure functions: drawing is the UI's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mas.errors import ResultError
from mas.results.columns import ColumnMeta, by_role, describe_columns, is_derived, label, primary_first

ChartKind = Literal["line", "bar", "scatter", "multi_line", "none"]
MAX_POINTS = 5_000
TOP_BARS = 15
MAX_SERIES = 10
MAX_TIME_BARS = 100
OTHER = "Other"
_COARSER = (("W", "week"), ("M", "month"), ("Q", "quarter"), ("Y", "year"))
_ORDER: tuple[ChartKind, ...] = ("line", "multi_line", "bar", "scatter")


@dataclass(frozen=True, eq=False)
class ChartSpec:
    kind: ChartKind
    x: str | None
    y: list[str]
    caption: str
    """One sentence saying what the chart shows, e.g. "Line chart: revenue over month."."""
    data: pd.DataFrame | None = None
    """Wide frame to plot, row order meaningful (bars highest first, lines by time)."""
    y_format: str | None = None
    """The measure's format (see `mas.results.columns.Format`) for the axis and tooltips."""
    x_format: str | None = None
    """The x column's format: "year", "month", "quarter", "date", "currency", "text" …"""
    label: str | None = None
    """A scatter's category column, kept in `data` to name each point (tooltips); None otherwise."""


@dataclass(frozen=True)
class _Roles:
    time: list[ColumnMeta]
    measures: list[ColumnMeta]
    """Headline measure first (see `primary_first`)."""
    categories: list[ColumnMeta]
    series: list[ColumnMeta]
    """Measures that can share an axis with the headline one: same format, none derived from it."""
    versus: ColumnMeta | None
    """The measure a scatter plots against the headline one: the first not derived from another."""


def _roles(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None) -> _Roles:
    metas = list(columns) if columns is not None else list(describe_columns(table))
    categories = by_role(metas, "category") or (by_role(metas, "id") if len(table) <= TOP_BARS * 4 else [])
    measures = primary_first(by_role(metas, "measure"))
    series = [
        m
        for m in measures
        if m is measures[0]
        or ((m.format, m.currency) == (measures[0].format, measures[0].currency) and not is_derived(m))
    ]
    versus = next((m for m in measures[1:] if not is_derived(m)), None)
    return _Roles(
        time=by_role(metas, "time"), measures=measures, categories=categories, series=series, versus=versus
    )


def available_kinds(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> list[ChartKind]:
    """The chart kinds that make sense for `table`, the default first; empty for a KPI or no chart."""
    if len(table) < 2:
        return []  # one row: a KPI card or the table itself; a single bar or dot says nothing more
    roles = _roles(table, columns)
    kinds: list[ChartKind] = []
    if roles.time and roles.measures:
        kinds.append("line")
        if len(roles.series) > 1 or roles.categories:
            kinds.insert(0, "multi_line")
    if roles.measures and (roles.categories or roles.time):
        kinds.append("bar")
    if roles.versus is not None:
        kinds.append("scatter")  # not for a share or change of the headline: a line by construction
    return kinds


def choose_chart(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> ChartSpec:
    """The default chart for `table` by the rules above."""
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
    roles = _roles(table, columns)
    if kind == "line":
        return _line(table, roles.time[0], measures=[roles.measures[0]])
    if kind == "multi_line":
        if roles.categories:
            return _lines_by_category(
                table, roles.time[0], category=roles.categories[0], measure=roles.measures[0]
            )
        return _line(table, roles.time[0], measures=roles.series)
    if kind == "bar":
        if roles.categories:
            return _bar(table, roles.categories[0], measure=roles.measures[0])
        return _time_bar(table, roles.time[0], measure=roles.measures[0])
    if kind == "scatter" and roles.versus is not None:
        named_by = next(iter(roles.categories), None)
        return _scatter(table, x=roles.measures[0], y=roles.versus, named_by=named_by)
    raise ResultError(f"Unknown chart kind {kind!r}.")


def _none(table: pd.DataFrame) -> ChartSpec:
    if table.shape == (1, 1):
        return ChartSpec("none", None, [], "A single value, shown as a KPI card.")
    return ChartSpec("none", None, [], "No chart fits this table, so it is shown as a table only.")


def _words(names: Sequence[str]) -> str:
    labels = [label(n) for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _aggregate(frame: pd.DataFrame, key: str, *, measures: Sequence[ColumnMeta]) -> tuple[pd.DataFrame, bool]:
    """One row per `key` value (sum for additive measures, mean otherwise); says whether rows merged."""
    frame = frame.dropna(subset=[key])
    merged = bool(frame[key].duplicated().any())
    if not merged:
        return frame.reset_index(drop=True), False
    groups = frame.groupby(key, sort=False, dropna=True)
    data = {
        m.name: groups[m.name].sum(min_count=1) if m.additive else groups[m.name].mean() for m in measures
    }
    return pd.DataFrame(data).rename_axis(key).reset_index(), True


def _numeric(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for name in names:
        out[name] = pd.to_numeric(out[name]).astype("float64")
    return out


def _over_time(
    table: pd.DataFrame, time: ColumnMeta, *, measures: Sequence[ColumnMeta], limit: int
) -> tuple[pd.DataFrame, str | None, bool]:
    """Measures per time value, coarsened (week, month, …) until at most `limit` rows remain."""
    names = [m.name for m in measures]
    frame, merged = _aggregate(table[[time.name, *names]], time.name, measures=measures)
    grain = None
    x = frame[time.name]
    if len(frame) > limit and pd.api.types.is_datetime64_any_dtype(x):
        naive = x.dt.tz_localize(None) if getattr(x.dt, "tz", None) is not None else x
        for freq, grain in _COARSER:  # noqa: B007 - the last grain tried is the one used
            coarse = frame.assign(**{time.name: naive.dt.to_period(freq).dt.start_time})
            frame, _ = _aggregate(coarse, time.name, measures=measures)
            if len(frame) <= limit:
                break
        merged = True
    frame = frame.sort_values(time.name, kind="stable").tail(limit).reset_index(drop=True)
    return _numeric(frame, names), grain, merged


def _what(measures: Sequence[ColumnMeta], *, merged: bool, grain: str | None = None) -> str:
    """The measures as words; "total …"/"average …" when rows were merged (no coarser grain)."""
    names = _words([m.name for m in measures])
    if not merged or grain:
        return names
    return ("total " if all(m.additive for m in measures) else "average ") + names


def _per(measures: Sequence[ColumnMeta], grain: str | None) -> str:
    """The suffix ", summed per month" when a time axis was coarsened to a grain."""
    if grain is None:
        return ""
    return f", {'summed' if all(m.additive for m in measures) else 'averaged'} per {grain}"


def _line(table: pd.DataFrame, time: ColumnMeta, *, measures: Sequence[ColumnMeta]) -> ChartSpec:
    limit = MAX_POINTS // len(measures)
    frame, grain, merged = _over_time(table, time, measures=measures, limit=limit)
    kind: ChartKind = "line" if len(measures) == 1 else "multi_line"
    what = _what(measures, merged=merged, grain=grain)
    caption = f"Line chart: {what} over {label(time.name)}{_per(measures, grain)}."
    return ChartSpec(
        kind,
        time.name,
        [m.name for m in measures],
        caption,
        frame,
        measures[0].format,
        _x_format(time, grain),
    )


def _lines_by_category(
    table: pd.DataFrame, time: ColumnMeta, *, category: ColumnMeta, measure: ColumnMeta
) -> ChartSpec:
    keys = table[category.name].astype("string").fillna("(missing)")
    totals = table[measure.name].groupby(keys).sum(min_count=1).abs().sort_values(ascending=False)
    keep = list(totals.index[:MAX_SERIES])
    capped = len(totals) > MAX_SERIES
    if capped and measure.additive:
        keys = keys.where(keys.isin(keep), OTHER)
        keep.append(OTHER)
    frame = pd.DataFrame({time.name: table[time.name], "series": keys, measure.name: table[measure.name]})
    frame = frame[frame["series"].isin(keep)]
    wide = frame.pivot_table(
        index=time.name,
        columns="series",
        values=measure.name,
        aggfunc="sum" if measure.additive else "mean",
        observed=True,
        sort=False,
    )
    series = [str(s) for s in keep if s in wide.columns]
    wide = wide[series]
    names = [f"{s} " if s == time.name else s for s in series]  # a series may not reuse the x name
    wide.columns = pd.Index(names)
    wide = wide.rename_axis(time.name).reset_index().sort_values(time.name, kind="stable")
    metas = [ColumnMeta(n, "measure", measure.format, measure.currency, measure.additive) for n in names]
    frame, grain, _ = _over_time(wide, time, measures=metas, limit=MAX_POINTS // max(1, len(names)))
    how = ""
    if capped:
        how = f" (top {MAX_SERIES}" + (f", the rest summed as {OTHER})" if measure.additive else ")")
    caption = (
        f"Line chart: {label(measure.name)} over {label(time.name)}, one line per "
        f"{label(category.name)}{how}{_per([measure], grain)}."
    )
    return ChartSpec("multi_line", time.name, names, caption, frame, measure.format, _x_format(time, grain))


def _bar(table: pd.DataFrame, category: ColumnMeta, *, measure: ColumnMeta) -> ChartSpec:
    keys = table[category.name].astype("string").fillna("(missing)")
    frame = pd.DataFrame({category.name: keys, measure.name: table[measure.name]})
    frame, merged = _aggregate(frame, category.name, measures=[measure])
    frame = _numeric(frame, [measure.name]).sort_values(measure.name, ascending=False, kind="stable")
    total = len(frame)
    name, what = _what([measure], merged=merged), label(category.name)
    if total <= TOP_BARS:
        caption = f"Bar chart: {name} by {what}, highest first."
    elif measure.additive:
        rest = frame[measure.name].iloc[TOP_BARS:].sum()
        other = pd.DataFrame({category.name: [OTHER], measure.name: [rest]})
        frame = pd.concat([frame.head(TOP_BARS), other], ignore_index=True)
        caption = f"Bar chart: {name} by {what}, top {TOP_BARS} of {total} with the rest summed as {OTHER}."
    else:
        frame = frame.head(TOP_BARS)
        caption = f"Bar chart: {name} by {what}, top {TOP_BARS} of {total}."
    frame = frame.reset_index(drop=True)
    return ChartSpec("bar", category.name, [measure.name], caption, frame, measure.format, category.format)


def _time_bar(table: pd.DataFrame, time: ColumnMeta, *, measure: ColumnMeta) -> ChartSpec:
    frame, grain, merged = _over_time(table, time, measures=[measure], limit=MAX_TIME_BARS)
    what = _what([measure], merged=merged, grain=grain)
    caption = f"Bar chart: {what} per {label(time.name)}{_per([measure], grain)}."
    return ChartSpec("bar", time.name, [measure.name], caption, frame, measure.format, _x_format(time, grain))


def _scatter(table: pd.DataFrame, *, x: ColumnMeta, y: ColumnMeta, named_by: ColumnMeta | None) -> ChartSpec:
    frame = _numeric(table[[x.name, y.name]].dropna(), [x.name, y.name])
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


def _x_format(time: ColumnMeta, grain: str | None) -> str:
    """A coarsened axis steps by its new grain (weekly sums are dated by their first day)."""
    if grain in ("month", "quarter", "year"):
        return grain
    return "date" if grain == "week" else time.format
