"""Cell coercion: turn untyped text columns (markdown cells, JSON records) into real types.

Numbers with thousands separators, currency marks, signs, accounting parentheses, percentages
and K/M/B suffixes become numbers; ISO dates, timestamps, months and quarters become datetimes.
A column converts only when every non-null cell parses, so no value is ever lost. Percentages are
kept in points ("12.5%" → 12.5) with the column flagged `percent`. The work runs on Arrow arrays
(RE2 kernels), not per cell in Python. This module does not decide what a column means (see
`mas.results.columns`); of typed (statement-response) data it only reads STRING columns of ISO dates,
months and `YYYY-Qn` quarters as times (`parse_time_text`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Grain = Literal["day", "datetime", "month", "quarter"]
Parsed = tuple[pd.Series, "ValueHint"]
TEXT_DTYPE = pd.StringDtype("pyarrow")

NULL_TOKENS = frozenset({"", "null", "none", "nan", "n/a", "na", "-", "—", "–", "<na>", "nat"})
"""Cells read as missing when (and only when) the rest of their column converts."""

_CURRENCIES = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "JPY": "JPY",
    "CHF": "CHF",
}
_CUR = r"[$€£¥]|USD|EUR|GBP|JPY|CHF"
_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_EXACT = 2**53
"""Whole numbers from here on are not exact as floats."""
_NUMBER = re.compile(
    rf"^(?P<open>\()?\s*(?P<sign>[-+−])?\s*(?P<cur>{_CUR})?\s*(?P<sign2>[-+−])?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<exp>[eE][-+]?\d+)?\s*"
    rf"(?P<scale>[KkMmBbTt]|bn|mn)?\s*(?P<pct>%)?\s*(?P<cur2>{_CUR})?\s*(?P<close>\))?$"
)
_BOOLEAN = re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MONTH_NAME = re.compile(
    r"^(?P<mon>(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))\.?,?\s+(?P<year>\d{4})$"
)
_QUARTER = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*[Qq](?P<q1>[1-4])|[Qq](?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>\d{4}))$"
)
_STRICT_TIME = re.compile(r"^\d{4}-(?:\d{2}(?:-\d{2}(?:[T ].*)?)?|Q[1-4])$")
"""The only spellings a typed STRING column may use to be read as times (checked on a sample first)."""
_MONTHS = pa.array(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
_SAMPLE = 20


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


def coerce_column(values: pd.Series) -> Parsed:
    """One column to its best type: numbers, booleans or datetimes when every cell fits, else text."""
    values = values.reset_index(drop=True)
    if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
        return values, ValueHint()
    native = _native(values)
    if native is not None:
        return native, ValueHint()
    text = _arrow_text(values)
    stripped = pc.utf8_trim_whitespace(text)
    is_null = pc.fill_null(pc.is_in(pc.utf8_lower(stripped), value_set=_NULL_SET), True)
    cells = pc.if_else(is_null, pa.scalar(None, pa.string()), stripped)
    sample = pc.drop_null(cells).slice(0, _SAMPLE).to_pylist()
    if cells.null_count < len(cells):
        for pattern, parse in _PARSERS:
            if sample and all(pattern.match(cell) for cell in sample):  # cheap early "no": all must fit
                parsed = parse(cells)
                if parsed is not None:
                    return parsed
    return text.to_pandas(types_mapper=_STRING.get), ValueHint()


def parse_time_text(values: pd.Series) -> Parsed | None:
    """A typed STRING column as datetimes when every non-null value is an ISO date or timestamp, a
    `YYYY-MM` month or a `YYYY-Qn` quarter, all of one kind; else None. Stricter than
    `coerce_column`: no null tokens, no padding, no month names, no other quarter spellings."""
    text = _arrow_text(values.reset_index(drop=True))
    sample = pc.drop_null(text).slice(0, _SAMPLE).to_pylist()
    if not sample or not all(_STRICT_TIME.match(cell) for cell in sample):
        return None
    if not _all_match(text, _STRICT_TIME):
        return None
    return _parse_times(text)


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


def _arrow_text(values: pd.Series) -> pa.Array:
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if _missing(v) else cell_text(v) for v in values], type=pa.string())


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _count(mask: pa.Array) -> int:
    """How many entries of a boolean array are true (nulls are not)."""
    return int(pc.sum(mask).as_py() or 0)


def _field(parts: pa.Array, name: str, *, filled: bool = True) -> pa.Array:
    field = pc.struct_field(parts, name)
    return pc.fill_null(field, "") if filled else field


def _parse_numbers(cells: pa.Array) -> Parsed | None:
    present = len(cells) - cells.null_count
    parts = pc.extract_regex(cells, _NUMBER.pattern)  # null where a cell is null or does not match
    if len(parts) - parts.null_count != present:
        return None
    flag = {name: pc.not_equal(_field(parts, name), "") for name in ("open", "close", "scale", "pct")}
    num = pc.replace_substring(_field(parts, "num", filled=False), ",", "")
    if _count(pc.not_equal(flag["open"], flag["close"])) or _count(pc.match_substring_regex(num, r"^0\d")):
        return None  # unbalanced parenthesis, or leading zeros (codes and postcodes, not quantities)
    percents = _count(flag["pct"])
    codes = {
        _CURRENCIES[c]
        for c in pc.unique(
            pc.binary_join_element_wise(_field(parts, "cur"), _field(parts, "cur2"), "")
        ).to_pylist()
        if c
    }
    if 0 < percents < present or len(codes) > 1:
        return None
    digits = pc.binary_join_element_wise(num, _field(parts, "exp"), "")
    values = pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False) * _multipliers(parts)
    whole = not (_count(pc.match_substring_regex(digits, r"[.eE]")) or _count(flag["scale"]) or percents)
    if whole and np.nanmax(np.abs(values)) >= _EXACT:
        return None  # e.g. a 20-digit account number: converting would round it
    series = pd.Series(values, dtype="float64")
    return (series.astype("Int64") if whole else series), ValueHint(
        percent=percents > 0, currency=next(iter(codes), None)
    )


def _multipliers(parts: pa.Array) -> np.ndarray:
    """Scale suffix (K, M, bn …) times sign (−, or accounting parentheses) per cell."""
    scale = pc.utf8_lower(_field(parts, "scale"))
    factors = np.ones(len(parts))
    for suffix, factor in _SCALES.items():
        factors[pc.equal(scale, suffix).to_numpy(zero_copy_only=False)] = factor
    minus = pa.array(["-", "−"])
    negative = pc.or_(
        pc.or_(
            pc.is_in(_field(parts, "sign"), value_set=minus),
            pc.is_in(_field(parts, "sign2"), value_set=minus),
        ),
        pc.not_equal(_field(parts, "open"), ""),
    )
    return np.where(negative.to_numpy(zero_copy_only=False), -factors, factors)


def _parse_booleans(cells: pa.Array) -> Parsed | None:
    lower = pc.utf8_lower(cells)
    if _count(pc.is_in(lower, value_set=pa.array(["true", "false"]))) != len(cells) - cells.null_count:
        return None
    return pc.equal(lower, "true").to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get), ValueHint()


def _all_match(cells: pa.Array, pattern: re.Pattern[str]) -> bool:
    return _count(pc.match_substring_regex(cells, pattern.pattern)) == len(cells) - cells.null_count


def _parse_times(cells: pa.Array) -> Parsed | None:
    if _all_match(cells, _ISO_DATE):
        has_tz = _count(pc.match_substring_regex(cells, r"(?:Z|[+-]\d{2}:?\d{2})$")) > 0
        text = cells.to_pandas(types_mapper=_STRING.get)
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=has_tz)
        timed = _count(pc.greater(pc.utf8_length(cells), 10)) > 0
        return _checked(parsed, cells, grain="datetime" if timed else "day")
    if _all_match(cells, _ISO_MONTH):
        days = pc.binary_join_element_wise(cells, "-01", "")
        stamps = pc.strptime(days, format="%Y-%m-%d", unit="us", error_is_null=True)
        return _checked(pd.Series(stamps.to_numpy(zero_copy_only=False)), cells, grain="month")
    if _all_match(cells, _QUARTER):
        parts = pc.extract_regex(cells, _QUARTER.pattern)
        year, quarter = (
            pc.binary_join_element_wise(_field(parts, a, filled=False), _field(parts, b, filled=False), "")
            for a, b in (("y1", "y2"), ("q1", "q2"))
        )
        month = pc.subtract(pc.multiply(pc.cast(quarter, pa.int64()), 3), 2)
        return _from_parts(year, month, cells=cells, grain="quarter")
    if _all_match(cells, _MONTH_NAME):
        parts = pc.extract_regex(cells, _MONTH_NAME.pattern)
        prefix = pc.utf8_slice_codeunits(pc.utf8_lower(_field(parts, "mon")), 0, 3)
        month = pc.add(pc.index_in(prefix, value_set=_MONTHS), 1)
        return _from_parts(_field(parts, "year", filled=False), month, cells=cells, grain="month")
    return None


def _from_parts(year: pa.Array, month: pa.Array, *, cells: pa.Array, grain: Grain) -> Parsed | None:
    years = pc.cast(year, pa.float64()).to_numpy(zero_copy_only=False)
    months = pc.cast(month, pa.float64()).to_numpy(zero_copy_only=False)
    frame = pd.DataFrame({"year": years, "month": months, "day": 1.0})
    return _checked(pd.to_datetime(frame, errors="coerce"), cells, grain=grain)


def _checked(parsed: pd.Series, cells: pa.Array, *, grain: Grain) -> Parsed | None:
    """Accept the datetimes only when no present cell failed to parse (e.g. "2024-13-01")."""
    failed = parsed.isna().to_numpy() & pc.is_valid(cells).to_numpy(zero_copy_only=False)
    if failed.any():
        return None
    return parsed.reset_index(drop=True), ValueHint(grain=grain)


_NULL_SET = pa.array(sorted(NULL_TOKENS))
_STRING = {pa.string(): TEXT_DTYPE}
_TIME = re.compile("|".join(f"(?:{p.pattern})" for p in (_ISO_DATE, _ISO_MONTH, _MONTH_NAME, _QUARTER)))
_PARSERS: tuple[tuple[re.Pattern[str], Callable[[pa.Array], Parsed | None]], ...] = (
    (_NUMBER, _parse_numbers),
    (_BOOLEAN, _parse_booleans),
    (_TIME, _parse_times),
)
