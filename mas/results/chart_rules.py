"""Chart rules: which chart kinds fit a result table, the default first, and what a chart is.

Time + one measure → line; several measures (or one measure split by a category) over time →
lines per series, or grouped bars per period for a few periods; a category and one measure →
bars, highest first; a category and the same measure for several periods or scenarios
(`revenue_2024`/`revenue_2025`, actual/target) → grouped bars; a change column → diverging bars
coloured by sign; two *different* measures (revenue and orders, not revenue in two years) →
scatter; a single row → none. It reads column roles only (`mas.results.columns`); building the
chart data is `mas.results.charts`, drawing it the UI's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from mas.results.columns import (
    ColumnMeta,
    by_role,
    chronological,
    describe_columns,
    is_change,
    is_comparable,
    is_derived,
    primary_first,
    stem,
)

ChartKind = Literal["line", "bar", "scatter", "multi_line", "grouped_bar", "diverging_bar", "none"]
MAX_POINTS = 5_000
TOP_BARS = 15
MAX_SERIES = 10
MAX_TIME_BARS = 100
MAX_GROUPS = 24
"""Grouped bars per period only up to this many periods; beyond, lines read better."""
OTHER = "Other"


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
    legend: list[str] | None = None
    """Each `y` series as a legend names it, when the names are column names (grouped bars)."""


@dataclass(frozen=True)
class Roles:
    time: list[ColumnMeta]
    measures: list[ColumnMeta]
    """Headline measure first (see `primary_first`)."""
    categories: list[ColumnMeta]
    series: list[ColumnMeta]
    """Measures that can share a time axis with the headline one: same format, none derived from it."""
    compared: list[ColumnMeta]
    """The headline measure and its other periods or scenarios, earliest first (grouped bars)."""
    change: ColumnMeta | None
    """The change column to draw as diverging bars: a percent change before an amount."""
    versus: ColumnMeta | None
    """The measure a scatter plots against the headline one: not derived, and a different quantity."""
    periods: int
    """Distinct time values (0 without a time column)."""


def roles(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> Roles:
    metas = list(columns) if columns is not None else list(describe_columns(table))
    categories = by_role(metas, "category") or (by_role(metas, "id") if len(table) <= TOP_BARS * 4 else [])
    measures = primary_first(by_role(metas, "measure"))
    time = by_role(metas, "time")
    if not measures:
        return Roles(time, measures, categories, [], [], None, None, 0)
    head = measures[0]
    same = (head.format, head.currency)
    series = [m for m in measures if m is head or ((m.format, m.currency) == same and not is_derived(m))]
    compared = chronological([m for m in measures if m is head or is_comparable(m, head)])
    changes = sorted((m for m in measures if is_change(m)), key=lambda m: m.format != "percent")
    versus = next((m for m in measures[1:] if not is_derived(m) and stem(m.name) != stem(head.name)), None)
    periods = int(table[time[0].name].nunique()) if time else 0
    return Roles(time, measures, categories, series, compared, next(iter(changes), None), versus, periods)


def available_kinds(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> list[ChartKind]:
    """The chart kinds that make sense for `table`, the default first; empty for a KPI or no chart."""
    if len(table) < 2:
        return []  # one row: a KPI card or the table itself; a single bar or dot says nothing more
    found = roles(table, columns)
    kinds: list[ChartKind] = []
    if found.time and found.measures:
        if found.categories:
            kinds.append("multi_line")
            if found.periods <= MAX_GROUPS:
                kinds.append("grouped_bar")
        elif len(found.series) > 1:
            kinds.append("multi_line")
        kinds.append("line")
    elif found.categories and len(found.compared) > 1:
        kinds.append("grouped_bar")
    if found.measures and (found.categories or found.time):
        kinds.append("bar")
    if found.change is not None and (found.categories or found.time):
        kinds.append("diverging_bar")
    if found.versus is not None:
        kinds.append("scatter")
    return kinds
