"""A KPI card from a result table: one value, its label and format, and the change when two periods
are present.

Three shapes make a KPI: a single cell (1×1); one row holding a current/previous pair of a measure
(`revenue_2024` / `revenue_2023`, `current_revenue` / `previous_revenue`, `revenue` /
`prior_year_revenue`) and/or its growth in percent (`yoy_growth_pct`); and two rows of one measure
over two periods (`year` 2023 and 2024). The change is `delta` (current − previous) and
`delta_pct` in percentage points of the previous value. Rendering the card is the UI's job.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mas.results.columns import ColumnMeta, Format, by_role, describe_columns, is_derived, label, words

_CURRENT = frozenset({"current", "this", "cur", "now", "latest", "ty", "curr"})
_PREVIOUS = frozenset({"previous", "prior", "last", "prev", "ly", "earlier", "before"})
_GRAINS = {"year": "year", "yoy": "year", "ly": "year", "annual": "year", "month": "month", "mom": "month",
           "quarter": "quarter", "qoq": "quarter", "week": "week", "wow": "week", "period": None}
_GROWTH = frozenset({"growth", "change", "delta", "diff", "yoy", "qoq", "mom", "wow"})
_PERCENT = frozenset({"pct", "percent", "percentage", "rate"})
_PERIOD_CURRENT = re.compile(r"\b(?:this|current|latest)\b", re.I)
_PERIOD_PREVIOUS = re.compile(r"\b(?:last|previous|prior)\b", re.I)


@dataclass(frozen=True)
class Kpi:
    value: Any
    """A Python scalar (int, float, str, bool or pandas Timestamp), None when missing."""
    label: str
    format: Format
    currency: str | None = None
    previous: Any = None
    delta: float | None = None
    delta_pct: float | None = None
    """Change in percentage points of |previous| (20.0 means +20 %); None when previous is 0."""
    period: str | None = None
    previous_period: str | None = None


def kpi_from_table(table: pd.DataFrame, columns: Sequence[ColumnMeta] | None = None) -> Kpi | None:
    """The KPI of a table, or None when the table is not one of the three KPI shapes."""
    metas = list(columns) if columns is not None else list(describe_columns(table))
    if table.shape == (1, 1):
        meta = metas[0]
        return Kpi(value=scalar(table.iat[0, 0]), label=label(meta.name), format=meta.format,
                   currency=meta.currency)
    if len(table) == 1:
        return _pair_in_row(table, metas)
    if len(table) == 2 and table.shape[1] == 2:
        return _two_periods(table, metas)
    return None


def scalar(value: Any) -> Any:
    """A cell as a plain Python value; NA/NaN/NaT → None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, pd.Timestamp):
        value = item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _pair_in_row(table: pd.DataFrame, metas: list[ColumnMeta]) -> Kpi | None:
    measures = by_role(metas, "measure")
    for current in measures:
        for previous in measures:
            stem = _pair_stem(current.name, previous.name)
            if stem is None:
                continue
            now, before = _periods(current.name, previous.name)
            return _with_change(current, label=stem, value=table[current.name].iat[0],
                                previous=table[previous.name].iat[0], periods=(now, before))
    return _prior_in_row(table, metas)


def _prior_in_row(table: pd.DataFrame, metas: list[ColumnMeta]) -> Kpi | None:
    """A measure with its prior-period value (`prior_year_revenue`) and/or growth (`yoy_growth_pct`)."""
    measures = by_role(metas, "measure")
    plain = [m for m in measures if not is_derived(m) and m.format != "percent"]
    for current in plain:
        previous = next((m for m in measures if _is_prior_of(m, current)), None)
        growth = next((m for m in measures if _is_growth_of(m, current, alone=len(plain) == 1)), None)
        if previous is not None or growth is not None:
            return _row_change(table, metas, current=current, previous=previous, growth=growth)
    return None


def _is_prior_of(meta: ColumnMeta, current: ColumnMeta) -> bool:
    tokens = words(meta.name)
    if not set(tokens) & _PREVIOUS or meta.format != current.format:
        return False
    return [t for t in tokens if t not in _PREVIOUS and t not in _GRAINS] == words(current.name)


def _is_growth_of(meta: ColumnMeta, current: ColumnMeta, *, alone: bool) -> bool:
    """A percent change of `current`: named for it, or unnamed when it is the only plain measure."""
    tokens = words(meta.name)
    if meta.format != "percent" or not set(tokens) & _GROWTH:
        return False
    rest = [t for t in tokens if t not in _GROWTH and t not in _PERCENT and t not in _GRAINS]
    return rest == words(current.name) or (alone and not rest)


def _row_change(
    table: pd.DataFrame,
    metas: list[ColumnMeta],
    *,
    current: ColumnMeta,
    previous: ColumnMeta | None,
    growth: ColumnMeta | None,
) -> Kpi | None:
    value = scalar(table[current.name].iat[0])
    before = scalar(table[previous.name].iat[0]) if previous is not None else None
    rate = scalar(table[growth.name].iat[0]) if growth is not None else None
    if before is None and isinstance(value, int | float) and isinstance(rate, int | float) and rate != -100:
        before = value / (1 + rate / 100)  # the previous value the reported growth implies
    grains = [_GRAINS.get(t) for m in (previous, growth) if m is not None for t in words(m.name)]
    periods = _row_periods(table, metas, grain=next((g for g in grains if g), None))
    kpi = _with_change(current, label=label(current.name), value=value, previous=before, periods=periods)
    if isinstance(rate, int | float) and kpi.delta is not None:
        kpi = dataclasses.replace(kpi, delta_pct=float(rate))  # the table's own figure, as reported
    return kpi


def _row_periods(table: pd.DataFrame, metas: list[ColumnMeta], *, grain: str | None) -> tuple[str, str]:
    """The row's period ("2025") and the one it is compared with ("2024", or "prior month")."""
    time = by_role(metas, "time")
    if not time:
        return "current", f"prior {grain}" if grain else "previous"
    value = scalar(table[time[0].name].iat[0])
    if time[0].format == "year" and grain in (None, "year") and isinstance(value, int):
        return str(value), str(value - 1)
    return _period_text(value, time[0]), f"prior {grain}" if grain else "previous"


def _pair_stem(current: str, previous: str) -> str | None:
    """The shared words of a current/previous column pair ("revenue"), or None if not a pair."""
    a, b = words(current), words(previous)
    if len(a) != len(b) or a == b:
        return None
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(diff) != 1:
        return None
    x, y = diff[0]
    if x.isdigit() and y.isdigit() and len(x) == len(y) == 4:
        if int(x) <= int(y):
            return None
    elif not (x in _CURRENT and y in _PREVIOUS):
        return None
    stem = " ".join(w for w in a if w != x and w not in ("year", "period", "value"))
    return stem or label(current)


def _periods(current: str, previous: str) -> tuple[str, str]:
    a, b = words(current), words(previous)
    x, y = next((x, y) for x, y in zip(a, b, strict=True) if x != y)
    return (x, y) if x.isdigit() else ("current", "previous")


def _two_periods(table: pd.DataFrame, metas: list[ColumnMeta]) -> Kpi | None:
    measures = by_role(metas, "measure")
    others = [m for m in metas if m.role != "measure"]
    if len(measures) != 1 or len(others) != 1:
        return None
    period = others[0]
    keys = table[period.name]
    if period.role == "time":
        order = keys.sort_values(kind="stable").index.tolist()
        if keys.isna().any() or keys.iloc[0] == keys.iloc[1]:
            return None
    elif period.role == "category":
        order = _labelled_order(keys)
        if order is None:
            return None
    else:
        return None
    old, new = order
    measure = measures[0]
    values = table[measure.name]
    periods = (_period_text(keys[new], period), _period_text(keys[old], period))
    return _with_change(measure, label=label(measure.name), value=values[new], previous=values[old],
                        periods=periods)


def _labelled_order(keys: pd.Series) -> list[int] | None:
    """Row order (previous, current) of two rows labelled like "Last year" / "This year"."""
    text = ["" if v is None else str(v) for v in map(scalar, keys)]
    current = [bool(_PERIOD_CURRENT.search(t)) for t in text]
    previous = [bool(_PERIOD_PREVIOUS.search(t)) for t in text]
    if current == [False, True] and previous == [True, False]:
        return [0, 1]
    if current == [True, False] and previous == [False, True]:
        return [1, 0]
    return None


def _period_text(value: Any, meta: ColumnMeta) -> str:
    if isinstance(value, pd.Timestamp):
        if meta.format == "month":
            return value.strftime("%Y-%m")
        if meta.format == "quarter":
            return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
        if meta.format == "date":
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    return str(scalar(value))


def _with_change(
    meta: ColumnMeta, *, label: str, value: Any, previous: Any, periods: tuple[str, str]
) -> Kpi:
    now, before = scalar(value), scalar(previous)
    delta = delta_pct = None
    if isinstance(now, int | float) and isinstance(before, int | float):
        delta = float(now) - float(before)
        delta_pct = delta / abs(before) * 100 if before else None
    return Kpi(value=now, label=label, format=meta.format, currency=meta.currency, previous=before,
               delta=delta, delta_pct=delta_pct, period=periods[0], previous_period=periods[1])
