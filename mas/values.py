"""Cell coercion: turn untyped text columns (markdown cells, JSON records) into real types.

Numbers with thousands separators, currency marks, signs, accounting parentheses, percentages
and K/M/B suffixes become numbers; ISO dates, timestamps, months and quarters become datetimes.
A column converts only when every non-null cell parses, so no value is ever lost. Percentages are
kept in points ("12.5%" → 12.5) with the column flagged `percent`. This module does not decide
what a column means (see `mas.columns`) and never touches typed (statement-response) data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Grain = Literal["day", "datetime", "month", "quarter"]
TEXT_DTYPE = pd.StringDtype("pyarrow")

NULL_TOKENS = frozenset({"", "null", "none", "nan", "n/a", "na", "-", "—", "–", "<na>", "nat"})
"""Cells read as missing when (and only when) the rest of their column converts."""

_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "USD": "USD", "EUR": "EUR", "GBP": "GBP",
               "JPY": "JPY", "CHF": "CHF"}
_CUR = r"[$€£¥]|USD|EUR|GBP|JPY|CHF"
_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_NUMBER = re.compile(
    rf"^(?P<open>\()?\s*(?P<sign>[-+−])?\s*(?P<cur>{_CUR})?\s*(?P<sign2>[-+−])?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<exp>[eE][-+]?\d+)?\s*"
    rf"(?P<scale>[KkMmBbTt]|bn|mn)?\s*(?P<pct>%)?\s*(?P<cur2>{_CUR})?\s*(?P<close>\))?$"
)
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MONTH_NAME = re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})$")
_QUARTER = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*[Qq](?P<q1>[1-4])|[Qq](?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4}))$"
)
_EXACT = 2**53
"""Whole numbers from here on are not exact as floats."""
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")


@dataclass(frozen=True)
class ValueHint:
    """What parsing the cells of one column learned that its dtype cannot say."""

    percent: bool = False
    """Values are percentage points: 12.5 means 12.5 %."""
    currency: str | None = None
    """ISO code of the currency mark the cells carried ($ → USD)."""
    grain: Grain | None = None
    """For datetimes: the period each value stands for."""


def cell_text(value: object) -> str:
    """One JSON cell as text: lists and objects as compact JSON, booleans as JSON spells them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def coerce_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, ValueHint]]:
    """Coerce every untyped column of `frame`; returns the new frame and hints by column name."""
    columns: dict[str, pd.Series] = {}
    hints: dict[str, ValueHint] = {}
    for name in frame.columns:
        series, hint = coerce_column(frame[name])
        columns[name] = series
        if hint != ValueHint():
            hints[name] = hint
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame))), hints


def coerce_column(values: pd.Series) -> tuple[pd.Series, ValueHint]:
    """One column to its best type: numbers, booleans or datetimes when every cell fits, else text."""
    values = values.reset_index(drop=True)
    if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
        return values, ValueHint()
    native = _native(values)
    if native is not None:
        return native, ValueHint()
    text = _as_text(values)
    stripped = text.str.strip()
    nulls = stripped.isna() | stripped.str.lower().isin(NULL_TOKENS)
    if nulls.all():
        return text, ValueHint()
    cells = stripped.mask(nulls)
    for parse in (_parse_numbers, _parse_booleans, _parse_times):
        parsed = parse(cells)
        if parsed is not None:
            return parsed
    return text, ValueHint()


def _native(values: pd.Series) -> pd.Series | None:
    """Object columns of JSON records that already hold numbers or booleans (and nulls)."""
    present = values.dropna()
    if present.empty or values.dtype != object:
        return None
    kinds = {type(v) for v in present}
    if kinds <= {bool}:
        return values.astype("boolean")
    if kinds <= {int, float} and bool not in kinds:
        if any(isinstance(v, int) and abs(v) >= _EXACT for v in present):
            return None  # beyond float precision: an identifier more than a quantity; kept as text
        return values.astype("Int64" if kinds == {int} else "float64")
    return None


def _as_text(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(TEXT_DTYPE)
    mapped = [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else cell_text(v)
              for v in values]
    return pd.Series(mapped, dtype=TEXT_DTYPE)


def _parse_numbers(cells: pd.Series) -> tuple[pd.Series, ValueHint] | None:
    present = cells.notna()
    parts = cells.str.extract(_NUMBER)
    if parts["num"][present].isna().any():
        return None
    parts = parts[present]
    if (parts["open"].isna() != parts["close"].isna()).any():
        return None
    if parts["num"].str.match(r"^0\d").any():
        return None  # leading zeros: codes and postcodes, not quantities
    pct = parts["pct"].notna()
    if pct.any() and not pct.all():
        return None
    codes = set(parts["cur"].fillna(parts["cur2"]).dropna().map(_CURRENCIES))
    if len(codes) > 1:
        return None
    digits = parts["num"].str.replace(",", "", regex=False) + parts["exp"].fillna("")
    number = pd.to_numeric(digits.astype(object)).astype("float64")
    scale = parts["scale"].str.lower().map(_SCALES).fillna(1.0).astype("float64")
    negative = parts["sign"].isin(["-", "−"]) | parts["sign2"].isin(["-", "−"]) | parts["open"].notna()
    signed = number * scale * np.where(negative, -1.0, 1.0)
    result = pd.Series(np.nan, index=cells.index, dtype="float64")
    result[present] = signed.to_numpy()
    whole = not (digits.str.contains(r"[.eE]").any() or parts["scale"].notna().any() or pct.any())
    if whole and result.abs().max() >= _EXACT:
        return None  # e.g. a 20-digit account number: converting would round it
    if whole:
        result = result.astype("Int64")
    return result, ValueHint(percent=bool(pct.all()), currency=next(iter(codes), None))


def _parse_booleans(cells: pd.Series) -> tuple[pd.Series, ValueHint] | None:
    lower = cells.str.lower()
    if not lower.dropna().isin(["true", "false"]).all():
        return None
    return lower.map({"true": True, "false": False}).astype("boolean"), ValueHint()


def _parse_times(cells: pd.Series) -> tuple[pd.Series, ValueHint] | None:
    present = cells.dropna()
    if present.str.fullmatch(_ISO_DATE.pattern).all():
        return _iso_times(cells)
    if present.str.fullmatch(_ISO_MONTH.pattern).all():
        return _checked(pd.to_datetime(cells, format="%Y-%m", errors="coerce"), cells, "month")
    if present.str.fullmatch(_QUARTER.pattern).all():
        parts = cells.str.extract(_QUARTER)
        year = parts["y1"].fillna(parts["y2"])
        quarter = parts["q1"].fillna(parts["q2"])
        month = (pd.to_numeric(quarter.astype(object)) - 1) * 3 + 1
        return _from_parts(year, month, cells, "quarter")
    if present.str.fullmatch(_MONTH_NAME.pattern).all():
        parts = cells.str.extract(_MONTH_NAME)
        month = parts["mon"].str.lower().map(_month_number)
        return _from_parts(parts["year"], month, cells, "month")
    return None


def _month_number(name: str) -> float:
    """1–12 for a month name or its abbreviation ("Mar", "Sept", "March"); NaN otherwise."""
    for number, full in enumerate(_MONTHS, start=1):
        if len(name) >= 3 and (full.startswith(name) or (name == "sept" and full == "september")):
            return float(number)
    return float("nan")


def _iso_times(cells: pd.Series) -> tuple[pd.Series, ValueHint] | None:
    has_tz = cells.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
    parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce", utc=bool(has_tz.any()))
    timed = cells.str.len().fillna(0) > 10
    return _checked(parsed, cells, "datetime" if timed.any() else "day")


def _from_parts(
    year: pd.Series, month: pd.Series, cells: pd.Series, grain: Grain
) -> tuple[pd.Series, ValueHint] | None:
    frame = pd.DataFrame({"year": pd.to_numeric(year.astype(object)), "month": month, "day": 1})
    parsed = pd.to_datetime(frame.astype("float64"), errors="coerce")
    return _checked(parsed, cells, grain)


def _checked(parsed: pd.Series, cells: pd.Series, grain: Grain) -> tuple[pd.Series, ValueHint] | None:
    """Accept the datetimes only when no present cell failed to parse (e.g. "2024-13-01")."""
    if (parsed.isna() & cells.notna()).any():
        return None
    return parsed.reset_index(drop=True), ValueHint(grain=grain)
