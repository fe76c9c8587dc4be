"""Charts that compare: grouped bars (one group per category or period, one bar per series) and
diverging bars of a change column, coloured by sign in the drawing.

A category with the same measure for several periods (`revenue_2024`, `revenue_2025`) groups
those columns per category, highest latest first; a category × period result groups its
categories per period; a change column (`change_pct`, `yoy_growth_pct`) is drawn as bars from
zero, largest rise first (or in time order). Frames only, like `mas.results.charts`: no drawing.
"""

from __future__ import annotations

import pandas as pd

from mas.results.chart_data import by_category, capped_how, numeric, over_time, per, pivot_series, what, words
from mas.results.chart_data import x_format as time_format
from mas.results.chart_rules import MAX_TIME_BARS, TOP_BARS, ChartSpec, Roles
from mas.results.columns import header, label


def grouped(table: pd.DataFrame, found: Roles) -> ChartSpec:
    """Grouped bars: per category when the result has one and no time, else per period."""
    if found.time and found.categories:
        return _per_period(table, found)
    category, measures = found.categories[0], found.compared
    head = found.measures[0]  # sorted by the headline (the latest period), drawn earliest first
    frame, merged = by_category(table, category, measures=[head, *[m for m in measures if m is not head]])
    total = len(frame)
    frame = frame.head(TOP_BARS)[[category.name, *[m.name for m in measures]]]
    top = f", top {TOP_BARS} of {total}" if total > TOP_BARS else ""
    caption = (
        f"Grouped bar chart: {what(measures, merged=merged)} by {label(category.name)}, "
        f"highest {label(head.name)} first{top}."
    )
    return ChartSpec("grouped_bar", category.name, [m.name for m in measures], caption, frame, head.format,
                     category.format, legend=[header(m.name) for m in measures])  # fmt: skip


def _per_period(table: pd.DataFrame, found: Roles) -> ChartSpec:
    time, category, measure = found.time[0], found.categories[0], found.measures[0]
    wide, metas, capped = pivot_series(table, time, category=category, measure=measure)
    frame, grain, _ = over_time(wide, time, measures=metas, limit=max(1, MAX_TIME_BARS // max(1, len(metas))))
    caption = (
        f"Grouped bar chart: {label(measure.name)} per {label(time.name)}, one bar per "
        f"{label(category.name)}{capped_how(measure, capped=capped)}{per([measure], grain)}."
    )
    return ChartSpec("grouped_bar", time.name, [m.name for m in metas], caption, frame, measure.format,
                     time_format(time, grain))  # fmt: skip


def diverging(table: pd.DataFrame, found: Roles) -> ChartSpec:
    """The change column as bars from zero: rises and falls told apart by colour."""
    change = found.change
    assert change is not None  # offered only with one (mas.results.chart_rules)
    how = "rises and falls in their own colours"
    if found.categories:
        category = found.categories[0]
        frame, _ = by_category(table, category, measures=[change])
        frame = frame.dropna(subset=[change.name])
        total = len(frame)
        if total > TOP_BARS:  # the biggest moves either way
            order = frame[change.name].abs().sort_values(ascending=False, kind="stable").index[:TOP_BARS]
            frame = frame.loc[sorted(order)]
        top = f", the {TOP_BARS} largest of {total}" if total > TOP_BARS else ""
        caption = f"Bar chart of change: {label(change.name)} by {label(category.name)}, {how}{top}."
        return ChartSpec("diverging_bar", category.name, [change.name], caption, frame.reset_index(drop=True),
                         change.format, category.format)  # fmt: skip
    time = found.time[0]
    frame, grain, _ = over_time(table, time, measures=[change], limit=MAX_TIME_BARS)
    frame = numeric(frame.dropna(subset=[change.name]), [change.name])
    caption = f"Bar chart of change: {words([change.name])} per {label(time.name)}, {how}"
    caption += f"{per([change], grain)}."
    return ChartSpec("diverging_bar", time.name, [change.name], caption, frame.reset_index(drop=True),
                     change.format, time_format(time, grain))  # fmt: skip
