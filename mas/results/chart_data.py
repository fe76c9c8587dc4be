"""The frames charts are drawn from: rows merged per key, time axes coarsened, series pivoted wide.

Shared by the chart builders (`mas.results.charts`, `mas.results.compare`): sums for additive
measures and means otherwise, a daily axis coarsened to weeks, months… until it fits, one
category's values pivoted into a column per series (top `MAX_SERIES`, the rest as "Other").
It decides no chart kind and words nothing but the small caption fragments it returns.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mas.results.chart_rules import MAX_SERIES, OTHER
from mas.results.columns import ColumnMeta, label

_COARSER = (("W", "week"), ("M", "month"), ("Q", "quarter"), ("Y", "year"))


def words(names: Sequence[str]) -> str:
    labels = [label(n) for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def aggregate(frame: pd.DataFrame, key: str, *, measures: Sequence[ColumnMeta]) -> tuple[pd.DataFrame, bool]:
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


def numeric(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for name in names:
        out[name] = pd.to_numeric(out[name]).astype("float64")
    return out


def by_category(table: pd.DataFrame, category: ColumnMeta, *, measures: Sequence[ColumnMeta]) -> tuple[
    pd.DataFrame, bool
]:
    """One row per category (missing ones named), highest headline first; says whether rows merged."""
    keys = table[category.name].astype("string").fillna("(missing)")
    frame = pd.DataFrame({category.name: keys, **{m.name: table[m.name] for m in measures}})
    frame, merged = aggregate(frame, category.name, measures=measures)
    frame = numeric(frame, [m.name for m in measures])
    return frame.sort_values(measures[0].name, ascending=False, kind="stable").reset_index(drop=True), merged


def over_time(
    table: pd.DataFrame, time: ColumnMeta, *, measures: Sequence[ColumnMeta], limit: int
) -> tuple[pd.DataFrame, str | None, bool]:
    """Measures per time value, coarsened (week, month, …) until at most `limit` rows remain."""
    names = [m.name for m in measures]
    frame, merged = aggregate(table[[time.name, *names]], time.name, measures=measures)
    grain = None
    x = frame[time.name]
    if len(frame) > limit and pd.api.types.is_datetime64_any_dtype(x):
        naive = x.dt.tz_localize(None) if getattr(x.dt, "tz", None) is not None else x
        for freq, grain in _COARSER:  # noqa: B007 - the last grain tried is the one used
            coarse = frame.assign(**{time.name: naive.dt.to_period(freq).dt.start_time})
            frame, _ = aggregate(coarse, time.name, measures=measures)
            if len(frame) <= limit:
                break
        merged = True
    frame = frame.sort_values(time.name, kind="stable").tail(limit).reset_index(drop=True)
    return numeric(frame, names), grain, merged


def pivot_series(
    table: pd.DataFrame, time: ColumnMeta, *, category: ColumnMeta, measure: ColumnMeta
) -> tuple[pd.DataFrame, list[ColumnMeta], bool]:
    """One column per category value over time (top `MAX_SERIES` by size, the rest summed as "Other"
    when the measure adds up); returns the wide frame, its series as measures, and whether capped."""
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
    return wide, metas, capped


def capped_how(measure: ColumnMeta, *, capped: bool) -> str:
    if not capped:
        return ""
    return f" (top {MAX_SERIES}" + (f", the rest summed as {OTHER})" if measure.additive else ")")


def what(measures: Sequence[ColumnMeta], *, merged: bool, grain: str | None = None) -> str:
    """The measures as words; "total …"/"average …" when rows were merged (no coarser grain)."""
    names = words([m.name for m in measures])
    if not merged or grain:
        return names
    return ("total " if all(m.additive for m in measures) else "average ") + names


def per(measures: Sequence[ColumnMeta], grain: str | None) -> str:
    """The suffix ", summed per month" when a time axis was coarsened to a grain."""
    if grain is None:
        return ""
    return f", {'summed' if all(m.additive for m in measures) else 'averaged'} per {grain}"


def x_format(time: ColumnMeta, grain: str | None) -> str:
    """A coarsened axis steps by its new grain (weekly sums are dated by their first day)."""
    if grain in ("month", "quarter", "year"):
        return grain
    return "date" if grain == "week" else time.format
