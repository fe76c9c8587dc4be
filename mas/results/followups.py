"""Follow-up questions derived from a result, for when the endpoint suggests none.

From what the table shows (a total, a trend, a ranking by some category) it proposes two to four
short next questions in the phrasing the demo understands: "Show revenue by month", "Top 10
products by revenue", "Revenue by region in 2024". Names taken from columns are used only when
they are plain words. It does not read the endpoint's own suggestions (`ToolResult.suggestions`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from mas.results.columns import ColumnMeta, by_role, label, primary_first
from mas.results.toolresult import ToolResult

DEFAULT_MEASURE = "revenue"
DIMENSIONS = ("region", "product", "channel", "segment")
_MEASURE_WORDS = ("revenue", "sales", "orders", "units", "profit", "margin", "customers", "aov")
_PLAIN = re.compile(r"^[A-Za-z][\w \-/&.%]{0,39}$")
_CALL = re.compile(r"^\w+\((.+)\)$")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_COARSER_GRAIN = {
    "date": "month",
    "datetime": "month",
    "month": "quarter",
    "quarter": "month",
    "year": "month",
}
_TOTAL = re.compile(r"^(?:total|sum of|sum)\s+", re.I)


_FILLER = frozenset(
    {"show", "me", "the", "what", "whats", "is", "was", "our", "net", "total", "please", "a", "of", "s"}
)


def derive_followups(question: str, result: ToolResult) -> list[str]:
    """Two to four follow-up questions for `result`, none repeating `question`."""
    metas = list(result.columns)
    measure = _measure(metas, question)
    times, categories = by_role(metas, "time"), by_role(metas, "category")
    year = _year(result.table, times, question=question)
    if times:
        ideas = _for_trend(measure, times[0], result=result, year=year)
    elif categories and result.row_count > 1:
        ideas = _for_ranking(measure, categories[0], result=result, year=year)
    else:
        ideas = _for_total(measure, question)
    asked = _gist(question)
    unique = [idea for idea in dict.fromkeys(ideas) if _gist(idea) != asked]
    return unique[:4]


def _gist(question: str) -> frozenset[str]:
    """The words that make a question what it is ("Net revenue by X" ≡ "revenue by X")."""
    words = re.findall(r"[a-z0-9]+", question.lower())
    return frozenset(w for w in words if w not in _FILLER)


def _plain(name: str) -> str | None:
    """A column name as words fit for a question, or None when it is not plain words."""
    inner = _CALL.match(name.strip())
    text = _TOTAL.sub("", label(inner.group(1) if inner else name))
    text = re.sub(r"\s*\b(?:19|20)\d{2}\b\s*", " ", text).strip()
    return text if _PLAIN.match(text) else None


def _measure(metas: Sequence[ColumnMeta], question: str) -> str:
    for meta in primary_first(by_role(metas, "measure")):
        name = _plain(meta.name)
        if name:
            return name
    lowered = question.lower()
    return next((w for w in _MEASURE_WORDS if w in lowered), DEFAULT_MEASURE)


def _year(table: pd.DataFrame | None, times: Sequence[ColumnMeta], *, question: str) -> str | None:
    found = _YEAR.search(question)
    if found:
        return found.group(0)
    if table is None or not times:
        return None
    values = table[times[0].name].dropna()
    if values.empty:
        return None
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return str(int(values.dt.year.max()))
    return str(int(values.max())) if times[0].format == "year" else None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def _other_dimension(shown: str | None) -> str:
    return next(d for d in DIMENSIONS if d != shown)


def _for_total(measure: str, question: str) -> list[str]:
    ideas = [f"Show {measure} by month", _cap(f"{measure} by region"), f"Top 10 products by {measure}"]
    if not re.search(r"\b(last|previous|prior) year\b|\bcompare", question, re.I):
        ideas.insert(2, f"Compare {measure} with last year")
    return ideas


def _for_trend(measure: str, time: ColumnMeta, *, result: ToolResult, year: str | None) -> list[str]:
    grain = _COARSER_GRAIN.get(_grain(time, result.table), "quarter")
    region = f" in {year}" if year else ""
    ideas = [
        f"Show {measure} by {grain}",
        _cap(f"{measure} by region{region}"),
        f"Top 10 products by {measure}",
    ]
    if year:
        ideas.append(f"Compare {measure} with last year")
    return ideas


def _grain(time: ColumnMeta, table: pd.DataFrame | None) -> str:
    """The period a time column steps by: a DATE column of first-of-month days is monthly."""
    if time.format != "date" or table is None:
        return time.format
    days = table[time.name].dropna()
    if not days.empty and (days.dt.day == 1).all():
        return "quarter" if days.dt.month.isin([1, 4, 7, 10]).all() and days.nunique() > 1 else "month"
    return "date"


def _for_ranking(measure: str, category: ColumnMeta, *, result: ToolResult, year: str | None) -> list[str]:
    what = _plain(category.name)
    ideas: list[str] = []
    leader = _leader(category, result)
    ideas.append(f"Show {measure} by month" + (f" for {leader}" if leader else ""))
    if what and result.row_count > 10:
        ideas.append(f"Top 10 {_plural(what)} by {measure}")
    if what:
        when = f"in {year}" if year else "last year"
        ideas.append(_cap(f"{measure} by {what} {when}"))
    ideas.append(_cap(f"{measure} by {_other_dimension(what)}"))
    return ideas


def _leader(category: ColumnMeta, result: ToolResult) -> str | None:
    """The category value with the largest measure, when it is plain words."""
    table, measures = result.table, by_role(result.columns, "measure")
    if table is None or not measures:
        return None
    values = pd.to_numeric(table[primary_first(measures)[0].name]).astype("float64")
    if values.isna().all():
        return None
    value = (
        table[category.name].iloc[int(values.to_numpy().argmax())]
        if not values.isna().any()
        else (table[category.name].loc[values.idxmax()])
    )
    if value is None or value is pd.NA:
        return None
    return str(value) if _PLAIN.match(str(value)) else None
