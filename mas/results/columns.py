"""What each column of a result table means: its role (time, measure, category, id, text) and
how to format it (currency, percent, integer, dates…).

Roles come from the dtype first and the column name second (an integer `year` is time, an
`order_id` is an id, a `revenue` is a currency measure); hints from cell parsing (`mas.results.values`)
add what a dtype cannot carry, like a percent sign or a currency mark. It reads tables and
never changes them; the UI and the chart rules read the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from mas.results.values import ValueHint

Role = Literal["time", "measure", "category", "id", "text"]
Format = Literal["currency", "percent", "integer", "number", "date", "datetime", "month", "quarter",
                 "year", "boolean", "text"]

_CURRENCY_WORDS = frozenset({
    "revenue", "revenues", "sales", "amount", "price", "aov", "value", "cost", "costs", "spend", "profit",
    "income", "gmv", "arr", "mrr", "budget", "fee", "fees", "earnings", "turnover", "payment", "payments",
    "usd", "eur", "gbp", "jpy", "dollars", "arpu", "ltv", "cogs", "bookings",
})
_CODE_WORDS = {"usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY", "dollars": "USD"}
_COUNT_WORDS = frozenset({
    "count", "orders", "units", "qty", "quantity", "customers", "num", "n", "transactions", "items",
    "users", "visits", "deals", "accounts", "lines",
})
_PERCENT_WORDS = frozenset({"pct", "percent", "percentage", "%"})
_NON_ADDITIVE_WORDS = frozenset({
    "avg", "average", "mean", "median", "min", "max", "minimum", "maximum", "rate", "ratio", "price", "aov",
    "arpu", "share", "margin", "per", "growth", "change", "yoy", "mom",
})
_ID_WORDS = frozenset({"id", "uuid", "guid", "key", "sku", "zip", "zipcode", "postcode", "no", "nr", "number",
                       "code"})
_TIME_INT_RANGES = {"year": (1900, 2100), "fy": (1900, 2100), "month": (1, 12), "quarter": (1, 4),
                    "week": (1, 53)}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|%")


@dataclass(frozen=True)
class ColumnMeta:
    """One column as the UI and the charts see it."""

    name: str
    role: Role
    format: Format
    currency: str | None = None
    """ISO code when known (from a $/€ mark or a `_usd` name); None for an unknown currency."""
    additive: bool = True
    """Whether summing rows makes sense (totals and counts yes; averages, prices, percents no)."""


def words(name: str) -> list[str]:
    """A column name as lowercase words: "orderDate" / "order_date" / "Order Date" → ["order", "date"]."""
    return [w.lower() for w in _WORD.findall(name)]


def describe_columns(
    frame: pd.DataFrame, hints: Mapping[str, ValueHint] | None = None
) -> tuple[ColumnMeta, ...]:
    """Role and format of every column of `frame`, in column order."""
    hints = hints or {}
    return tuple(describe(frame[name], name=str(name), hint=hints.get(str(name), ValueHint()))
                 for name in frame.columns)


def describe(values: pd.Series, *, name: str, hint: ValueHint) -> ColumnMeta:
    """Role and format of one column."""
    tokens = words(name)
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnMeta(name, "time", _time_format(values, hint))
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnMeta(name, "category", "boolean")
    if pd.api.types.is_numeric_dtype(dtype):
        return _numeric(values, name=name, tokens=tokens, hint=hint)
    if tokens and tokens[-1] in _ID_WORDS:
        return ColumnMeta(name, "id", "text")
    return ColumnMeta(name, "text" if _is_long_text(values) else "category", "text")


def _numeric(values: pd.Series, *, name: str, tokens: Sequence[str], hint: ValueHint) -> ColumnMeta:
    integer = pd.api.types.is_integer_dtype(values.dtype)
    if tokens and tokens[-1] in _ID_WORDS and (integer or values.dropna().mod(1).eq(0).all()):
        return ColumnMeta(name, "id", "integer" if integer else "number")
    time = _time_integer(values, tokens) if integer else None
    if time is not None:
        return ColumnMeta(name, "time", time)
    additive = not (set(tokens) & _NON_ADDITIVE_WORDS)
    if hint.percent or set(tokens) & _PERCENT_WORDS or "%" in name:
        return ColumnMeta(name, "measure", "percent", additive=False)
    if set(tokens) & _COUNT_WORDS and integer:
        return ColumnMeta(name, "measure", "integer", additive=additive)
    code = hint.currency or next((_CODE_WORDS[t] for t in tokens if t in _CODE_WORDS), None)
    if code or set(tokens) & _CURRENCY_WORDS:
        return ColumnMeta(name, "measure", "currency", currency=code, additive=additive)
    return ColumnMeta(name, "measure", "integer" if integer else "number", additive=additive)


def _time_integer(values: pd.Series, tokens: Sequence[str]) -> Format | None:
    """An integer column that counts calendar periods: `year` 2024, `month` 3, `quarter` 2."""
    for token in reversed(tokens):
        bounds = _TIME_INT_RANGES.get(token)
        if bounds is None:
            continue
        present = values.dropna()
        if not present.empty and present.between(*bounds).all():
            return "year" if bounds[0] == 1900 else "integer"
        return None
    return None


def _time_format(values: pd.Series, hint: ValueHint) -> Format:
    if hint.grain in ("month", "quarter"):
        return hint.grain
    if hint.grain == "datetime":
        return "datetime"
    present = values.dropna()
    if present.empty or (present.dt.normalize() == present).all():
        return "date"
    return "datetime"


def _is_long_text(values: pd.Series) -> bool:
    """Sentences rather than labels: long or multi-line cells."""
    present = values.dropna().astype(str)
    if present.empty:
        return False
    lengths = present.str.len()
    return bool(lengths.median() > 60 or present.str.contains("\n", regex=False).any())


_DERIVED_WORDS = frozenset({
    "change", "growth", "delta", "diff", "difference", "prior", "previous", "prev", "last", "yoy", "qoq",
    "mom", "pct", "percent", "percentage", "share", "rank",
})


def primary_first(measures: Sequence[ColumnMeta]) -> list[ColumnMeta]:
    """Measures with the headline one first: plain values before changes, shares and prior periods,
    and the latest year of a `revenue_2023` / `revenue_2024` pair before the earlier one."""

    def key(item: tuple[int, ColumnMeta]) -> tuple[bool, bool, int, int]:
        index, meta = item
        years = [int(t) for t in words(meta.name) if len(t) == 4 and t.isdigit()]
        return is_derived(meta), meta.format == "percent", -max(years, default=0), index

    return [meta for _, meta in sorted(enumerate(measures), key=key)]


def is_derived(meta: ColumnMeta) -> bool:
    """A measure computed from another one: a change, a growth rate, a share, a prior period."""
    return bool(set(words(meta.name)) & _DERIVED_WORDS)


def by_role(metas: Sequence[ColumnMeta], role: Role) -> list[ColumnMeta]:
    """The columns of one role, in table order."""
    return [meta for meta in metas if meta.role == role]


def label(name: str) -> str:
    """A column name as words for captions and labels: "order_date" → "order date", "Revenue" → "revenue"."""
    text = re.sub(r"[_\s]+", " ", name).strip()
    if text[:1].isupper() and text[1:] == text[1:].lower():
        return text[:1].lower() + text[1:]
    return text or name


_CHANGE_WORDS = frozenset({"change", "growth", "delta", "diff", "difference", "yoy", "qoq", "mom", "wow",
                           "variance"})
_SHARE_WORDS = frozenset({"share", "pct", "percent", "percentage", "%", "rank", "mix"})
_PERIOD_WORDS = frozenset({
    "q", "h", "fy", "ytd", "qtd", "mtd", "prior", "previous", "prev", "last", "this", "current", "curr", "ly",
    "py", "cy", "year", "quarter", "month", "week", "period", "ago", "target", "plan", "actual", "budget",
    "forecast", "goal", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
})  # fmt: skip
_EARLIER_WORDS = frozenset({"prior", "previous", "prev", "last", "ly", "py", "ago"})


def is_change(meta: ColumnMeta) -> bool:
    """A change between two periods: `change_pct`, `yoy_growth_pct`, `revenue_delta`."""
    return bool(set(words(meta.name)) & _CHANGE_WORDS)


def is_comparable(meta: ColumnMeta, headline: ColumnMeta) -> bool:
    """The headline's quantity for another period or scenario (`revenue_2024` beside `revenue_2025`,
    `prior_year_revenue`, `target`): same format and currency, neither a change nor a share."""
    tokens = set(words(meta.name))
    same_unit = (meta.format, meta.currency) == (headline.format, headline.currency)
    return same_unit and not tokens & (_CHANGE_WORDS | _SHARE_WORDS)


def stem(name: str) -> tuple[str, ...]:
    """What a column measures, without its period or scenario: `net_revenue_q3_2024` → ("net", "revenue")."""
    return tuple(t for t in words(name) if not t.isdigit() and t not in _PERIOD_WORDS)


def chronological(metas: Sequence[ColumnMeta]) -> list[ColumnMeta]:
    """Period variants of one measure, earliest first: by the year in the name, a prior one first."""

    def key(item: tuple[int, ColumnMeta]) -> tuple[int, int, int]:
        index, meta = item
        tokens = words(meta.name)
        years = [int(t) for t in tokens if len(t) == 4 and t.isdigit()]
        return max(years, default=9999), 0 if set(tokens) & _EARLIER_WORDS else 1, index

    return [meta for _, meta in sorted(enumerate(metas), key=key)]


_ACRONYMS = {
    "yoy": "YoY", "qoq": "QoQ", "mom": "MoM", "wow": "WoW", "ytd": "YTD", "qtd": "QTD", "mtd": "MTD",
    "id": "ID", "sku": "SKU", "aov": "AOV", "arr": "ARR", "mrr": "MRR", "gmv": "GMV", "ltv": "LTV",
    "arpu": "ARPU", "kpi": "KPI", "usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY", "emea": "EMEA",
    "apac": "APAC", "latam": "LATAM", "amer": "AMER", "nps": "NPS", "roi": "ROI", "cogs": "COGS",
    "pct": "%", "percent": "%", "avg": "average", "qty": "quantity", "num": "number",
}  # fmt: skip
_PERIOD_LABEL = re.compile(r"^(q[1-4]|h[12]|fy\d{0,4}|w\d{1,2})$", re.I)


def header(name: str) -> str:
    """A column name as a table header in sentence case: "net_revenue_q3_2025" → "Net revenue Q3 2025",
    "pct_of_total" → "% of total", "orderDate" → "Order date"; a name with capitals of its own
    beyond a first one ("ARR (EUR)", "Net Revenue") keeps them."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", " ", name.strip())
    tokens = [t for t in re.split(r"[_\s]+", spaced) if t]
    if not tokens:
        return name
    if " " in name.strip() and "_" not in name:
        return name.strip()[:1].upper() + name.strip()[1:]  # written for people already
    out: list[str] = []
    for token in tokens:
        lowered = token.lower()
        if lowered in _ACRONYMS:
            out.append(_ACRONYMS[lowered])
        elif _PERIOD_LABEL.match(token):
            out.append(token.upper())
        else:
            out.append(lowered)
    text = " ".join(out)
    return text[:1].upper() + text[1:]
