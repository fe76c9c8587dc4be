"""Decide what a revenue question asks for, using earlier turns for elliptical follow-ups.

`interpret_conversation(questions)` reads each user turn's clues (`mas.demo.clues`), merges
an elliptical turn ("by month", "top 10", "what about 2024?") into the context of the last
understood one, and returns for the last turn an `Intent` (total, trend, breakdown, growth
or compare, with measure, grouping, filters and periods), a `Refusal` with an honest reason,
or None when nothing was recognised. Turning an intent into SQL is `mas.demo.plans`' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from mas.demo.catalog import DIMENSION_VALUES
from mas.demo.clues import Clues, Grain, read_clues
from mas.demo.periods import Period
from mas.demo.window import data_window

Kind = Literal["total", "trend", "breakdown", "growth", "compare"]
Filters = tuple[tuple[str, tuple[str, ...]], ...]



def data_range() -> str:
    """'The data covers January 2023 to December 2025': where today's window starts and ends."""
    return f"The data covers {data_window().label}"


@dataclass(frozen=True)
class Intent:
    kind: Kind
    measure: str = "revenue"
    dimension: str | None = None
    grain: Grain = "month"
    top_n: int | None = None
    ascending: bool = False
    by_change: bool = False
    """Compare only: rank the groups by their change rather than by the later value."""
    why: bool = False
    """Compare only: "why did it change" — the groups that moved most (either way) first."""
    filters: Filters = ()
    periods: tuple[Period, ...] = ()
    """Compare: exactly two, earlier first. Other kinds: the periods the answer is limited to."""


@dataclass(frozen=True)
class Refusal:
    reason: str


Interpretation = Intent | Refusal | None


def interpret_conversation(questions: Sequence[str]) -> Interpretation:
    """Interpret the last question, with the earlier ones as context for follow-ups."""
    context: Clues | None = None
    result: Interpretation = None
    for question in questions:
        clues = read_clues(question)
        if context is not None and _is_followup(clues):
            clues = merge(context, clues)
        result = interpret(clues)
        if isinstance(result, Intent):
            context = clues
    return result


def _says_something(clues: Clues) -> bool:
    return bool(clues.measure or clues.structural or clues.periods or clues.filters
                or clues.clear_filters or clues.same_period_last_year)


def _is_followup(clues: Clues) -> bool:
    # A turn naming its own measure ("revenue by region") starts afresh unless it opens like a
    # follow-up ("and", "what about"); one with no measure ("by month") leans on the context.
    if clues.refusal is not None or not _says_something(clues):
        return False
    return clues.followup or clues.measure is None


def merge(previous: Clues, new: Clues) -> Clues:
    """The context's clues, overridden by whatever the follow-up names."""
    has_kind = bool(new.trend or new.grain or new.growth or new.compare)
    ranks = new.top_n is not None or new.direction is not None
    filters = {} if new.clear_filters else dict(previous.filters)
    filters.update(dict(new.filters))
    time_grouping = (new.trend or new.grain is not None) and not new.growth
    dimension = new.dimension or ("region" if new.where else None)
    if dimension is None and not time_grouping:
        dimension = previous.dimension or ("region" if previous.where else None)
        named = dict(new.filters)
        # "Revenue by region" then "what about EMEA?": one region is no longer a grouping.
        if dimension in named and len(named[dimension]) == 1:
            dimension = None
    kinds = new if has_kind else previous
    if ranks and not has_kind:
        kinds = replace(previous, trend=False, grain=None)
    periods = new if (new.periods or new.same_period_last_year) else previous
    period_list = periods.periods or (previous.periods[:1] if new.same_period_last_year else ())
    return Clues(
        measure=new.measure or previous.measure, dimension=dimension,
        trend=kinds.trend, grain=kinds.grain, growth=kinds.growth, growth_grain=kinds.growth_grain,
        compare=kinds.compare,
        top_n=new.top_n if new.top_n is not None else previous.top_n,
        direction=new.direction if ranks else previous.direction,
        filters=tuple((dim, filters[dim]) for dim in DIMENSION_VALUES if dim in filters),
        periods=period_list, is_range=periods.is_range, same_period_last_year=periods.same_period_last_year,
        why=new.why,
    )


def interpret(clues: Clues) -> Interpretation:
    """Decide the intent of one question's (possibly merged) clues."""
    if clues.refusal is not None:
        return Refusal(clues.refusal)
    if not (clues.measure or clues.structural):
        return None
    periods = list(dict.fromkeys(clues.periods))
    if clues.same_period_last_year and len(periods) == 1:
        periods.append(periods[0].shifted(-1))
    outside = [period for period in periods if not period.in_data]
    if outside:
        return Refusal(f"{data_range()}, so there is nothing to report for {outside[0].label}.")
    dimension, filters = _grouping(clues)
    base = Intent(
        kind="total", measure=clues.measure or "revenue", dimension=dimension,
        top_n=clues.top_n, ascending=clues.direction == "asc", filters=filters,
        periods=_expand(periods, is_range=clues.is_range),
    )
    if (clues.compare or clues.growth) and clues.is_range and len(periods) > 2:
        return Refusal("I can compare two years, quarters or months, but not half-years or other spans yet.")
    if clues.why and len(periods) <= 2:
        return _why(base, periods)
    if clues.growth:
        return _growth(base, clues, periods=periods)
    if clues.compare and len(periods) < 2 and _listed_dimension(clues.filters) is not None:
        return _breakdown(base)  # "compare online and partner revenue in 2025": values, not periods
    two_periods = len(periods) == 2 and not (clues.trend or clues.grain or clues.is_range)
    if clues.compare or two_periods:
        return _compare(base, periods, by_change=False)
    if clues.trend or clues.grain is not None or (len(periods) > 2 and not clues.is_range):
        grain = clues.grain or ("year" if len(periods) > 2 else "month")
        return replace(base, kind="trend", grain=grain, top_n=None)
    if dimension is not None or clues.top_n is not None or clues.direction is not None:
        return _breakdown(base)
    return replace(base, dimension=None, top_n=None)


def _grouping(clues: Clues) -> tuple[str | None, Filters]:
    """The dimension to group by, and the filters left once a "share of" value became the grouping."""
    dimension = clues.dimension or ("region" if clues.where else None) or _listed_dimension(clues.filters)
    if dimension is None and clues.share and clues.filters:
        # "What share of revenue comes from online?": all channels, each with its share.
        dimension = clues.filters[-1][0]
        return dimension, clues.filters[:-1]
    return dimension, clues.filters


def _listed_dimension(filters: Filters) -> str | None:
    """"Online vs retail": two values of one dimension make it the grouping."""
    return next((dim for dim, values in filters if len(values) > 1), None)


def _expand(periods: list[Period], *, is_range: bool) -> tuple[Period, ...]:
    if is_range and len(periods) == 2 and all(p.quarter is None and p.month is None for p in periods):
        first, last = sorted(p.year for p in periods)
        return tuple(Period(year) for year in range(first, last + 1))
    return tuple(periods)


def _breakdown(base: Intent) -> Intent:
    dimension = base.dimension or "product"
    top_n = base.top_n if base.top_n is not None else (10 if dimension == "customer" else None)
    return replace(base, kind="breakdown", dimension=dimension, top_n=top_n)


def _compare(base: Intent, periods: list[Period], *, by_change: bool) -> Interpretation:
    if not periods:
        if base.dimension is not None:
            return _breakdown(base)
        periods = [Period(data_window().last[0])]
    if len(periods) == 1:
        # "Compare with last year": the named period against the latest one at its grain;
        # the latest period itself ("what about 2025?") against the one before it.
        named, latest = periods[0], periods[0].latest_like()
        periods = [named, latest] if named.start < latest.start else [named.previous(), named]
    pair = tuple(sorted(periods[:2], key=lambda period: period.start))
    if not pair[0].in_data:
        return Refusal(f"{data_range()}, so there is no earlier period to compare {pair[1].label} with.")
    return replace(base, kind="compare", periods=_like_for_like(pair),
                   by_change=by_change and base.dimension is not None,
                   top_n=base.top_n if base.dimension else None)


def _like_for_like(pair: tuple[Period, ...]) -> tuple[Period, ...]:
    """Two years, the later still running (2026 to November): both cut at that month."""
    year, month = data_window().last
    if month < 12 and pair[-1] == Period(year) and all(period == Period(period.year) for period in pair):
        return tuple(replace(period, through=month) for period in pair)
    return pair


def _why(base: Intent, periods: list[Period]) -> Interpretation:
    """"Why did revenue drop in January?": January against the month before, by region (by channel
    when one region is the filter), the groups that moved most first."""
    year, month = data_window().last
    target = periods[0] if periods else Period(year, month=month)
    pair = periods if len(periods) == 2 else [target.previous(), target]
    region_filtered = any(dim in ("region", "country") for dim, _ in base.filters)
    split = base.dimension or ("channel" if region_filtered else "region")
    result = _compare(replace(base, dimension=split, top_n=None), pair, by_change=False)
    return replace(result, why=True) if isinstance(result, Intent) else result


def _growth(base: Intent, clues: Clues, *, periods: list[Period]) -> Interpretation:
    grain: Grain = clues.growth_grain or (clues.grain if clues.grain in ("quarter", "month") else "year")
    if len(periods) == 2:
        return _compare(base, periods, by_change=True)
    if base.dimension is None and grain == "year" and periods and _like_for_like((periods[0],))[0].through:
        return _compare(base, periods, by_change=True)  # "growth in 2026", still running: to date
    if base.dimension is None:
        return replace(base, kind="growth", grain=grain, top_n=None)
    target = _at_grain(periods[0] if periods else Period(data_window().last[0]), grain)
    earlier = target.previous()
    if not earlier.in_data:
        return Refusal(f"{data_range()}, so there is no growth figure for {target.label}.")
    return replace(base, kind="compare", periods=_like_for_like((earlier, target)), by_change=True)


def _at_grain(period: Period, grain: Grain) -> Period:
    """The period at the grain growth is measured in: the year, or its last quarter or month."""
    if grain == "year":
        return Period(period.year)
    if grain == "quarter":
        if period.quarter is not None:
            return period
        return Period(period.year, (period.month - 1) // 3 + 1 if period.month else 4)
    if period.month is not None:
        return period
    return Period(period.year, month=period.quarter * 3 if period.quarter else 12)
