"""The number check: figures an answer states that none of its turn's result tables supports.

`unsupported(text, tables)` finds the figures in answer prose ("$5.2M", "41.2%", "1,402",
"4.84 million") and keeps those that, at the precision the text states them ("$249.0M" is
±$0.05M, "22.7%" ±0.05 points), equal no cell, column total or mean, row count, difference of
two cells, share of a column total, or percent change between two cells. Years, dates, quarter
labels, ordinals and small plain counts are not figures. It reads text and frames, never
changes them, and knows nothing of how a flag is shown (that is the UI's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMALL_COUNT = 12
"""Plain whole numbers up to this are counts of things ("top 5", "3 regions"), not figures."""
ALL_PAIRS = 120
"""Columns up to this many rows are compared pairwise; longer ones row to next row (a series)."""
PAIRED_ROWS = 1_000
"""Within-row pairs (this year vs last year) are read from this many rows at most: beyond that the
differences of random cells are so dense that any figure would find one, which proves nothing."""

_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.,])(?<!\w-)(?<!\d[/:])"
    r"(?P<cur>(?:US|C|A)?[$€£¥]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|[KkMmBbTt](?:n|m)?)(?![A-Za-z]))?"
    r"(?P<pct>\s?%|\s?per\s?cent(?![a-z])|\s?percent(?![a-z]))?"
    r"(?![\w/]|[.,]\d|-\d|:\d)",
    re.I,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_BEFORE = re.compile(rf"(?:{_MONTHS})\.?\s+$", re.I)
_MONTH_AFTER = re.compile(rf"^\s*(?:of\s+)?(?:{_MONTHS})\b", re.I)
_HEDGE = re.compile(
    r"(?:about|around|roughly|approximately|approx\.?|nearly|almost|over|under|more\s+than|less\s+than"
    r"|close\s+to|some|just\s+(?:over|under)|upwards\s+of|~|≈)\s*$",
    re.I,
)
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.S)


@dataclass(frozen=True)
class Figure:
    """A figure as the answer wrote it, with where it is and what it stands for."""

    text: str
    """Exactly as written: "$5.2M", "41.2%", "1,402", "4.84 million"."""
    start: int
    end: int
    """Its span in the text checked (`text[start:end]`)."""
    value: float
    """Its magnitude in plain units ("$5.2M" → 5_200_000, "41.2%" → 41.2); signs are not read."""
    tolerance: float
    """Half a unit of the last digit stated, in the same units."""
    percent: bool = False


def figures(text: str) -> list[Figure]:
    """Every figure in `text` worth checking, in order (code spans and fences are skipped)."""
    masked = _CODE.sub(lambda m: " " * len(m.group(0)), text)
    return [f for f in _scan(masked) if f is not None]


def unsupported(text: str, tables: Sequence[pd.DataFrame]) -> list[Figure]:
    """The figures of `text` that no table of `tables` supports; none at all when there is no table."""
    frames = [t for t in tables if t is not None and not t.empty]
    found = figures(text)
    if not frames or not found:
        return []
    evidence = _Evidence(frames)
    return [f for f in found if not evidence.supports(f)]


def _scan(text: str) -> Iterator[Figure | None]:
    for match in _NUMBER.finditer(text):
        yield _figure(text, match)


def _figure(text: str, match: re.Match[str]) -> Figure | None:
    number, scale_word = match["num"], (match["scale"] or "").lower()
    currency, percent = bool(match["cur"]), bool(match["pct"])
    if scale_word and scale_word not in _SCALES:
        return None  # "5 min", "3 ms": a unit, not a scale
    plain = not (currency or percent or scale_word)
    if plain and _is_label(text, match, number):
        return None
    scale = _SCALES.get(scale_word, 1.0)
    digits = number.replace(",", "")
    value = float(digits) * scale
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    step = 10.0**-decimals
    if decimals == 0 and _HEDGE.search(text[max(0, match.start() - 16) : match.start()]):
        # "about 1,200 customers": precise to its last non-zero digit, not to the unit.
        whole = digits.rstrip("0") or "0"
        step = 10.0 ** (len(digits) - len(whole))
    start = match.start("cur") if currency else match.start("num")
    return Figure(
        text=text[start : match.end()].strip(),
        start=start,
        end=start + len(text[start : match.end()].strip()),
        value=value,
        tolerance=step * scale / 2,
        percent=percent,
    )


def _is_label(text: str, match: re.Match[str], number: str) -> bool:
    """A plain number that names rather than measures: a year, a day of a date, a small count."""
    if "," in number or "." in number:
        return False
    value = int(number)
    if value <= SMALL_COUNT:
        return True
    if len(number) == 4 and 1900 <= value <= 2100:
        return True
    before, after = text[max(0, match.start() - 12) : match.start()], text[match.end() : match.end() + 14]
    return value <= 31 and bool(_MONTH_BEFORE.search(before) or _MONTH_AFTER.search(after))


class _Evidence:
    """The values the tables of a turn can back a figure with, as sorted arrays, built lazily."""

    def __init__(self, frames: Sequence[pd.DataFrame]) -> None:
        self.columns: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        """Per table, its measure columns side by side (rows × measures) for within-row pairs."""
        self.names: set[str] = set()
        """Numbers inside the tables' text cells ("Aurora Laptop 16 Pro"): parts of names."""
        singles: list[np.ndarray] = []
        for frame in frames:
            self.names.update(_name_numbers(frame))
            numeric = [_values(frame[c]) for c in frame.columns]
            kept = [v for v in numeric if v is not None]
            self.columns.extend(v for v in kept if v.size)
            measures = [v for v, c in zip(numeric, frame.columns, strict=True) if v is not None
                        and not _is_key(str(c))]  # fmt: skip
            if len(measures) > 1:
                self.rows.append(np.column_stack([m[:PAIRED_ROWS] for m in measures]))
            singles.append(np.array([len(frame)], dtype="float64"))
            for v in kept:
                finite = v[np.isfinite(v)]
                if finite.size:
                    singles.append(np.array([finite.sum(), finite.mean()]))
        self.values = _pool([np.abs(c) for c in self.columns] + [np.abs(s) for s in singles])
        self._derived: tuple[np.ndarray, np.ndarray] | None = None

    def supports(self, figure: Figure) -> bool:
        value, tolerance = figure.value, figure.tolerance
        if figure.text in self.names:
            return True
        if _near(self.values, value, tolerance) or (
            figure.percent and _near(self.values, value / 100, tolerance / 100)
        ):
            return True
        differences, changes = self._pairs()
        if _near(differences, value, tolerance):
            return True
        if figure.percent:
            return _near(differences, value / 100, tolerance / 100) or _near(changes, value, tolerance)
        return False

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Differences of two cells (|a − b|) and percent changes and shares (as % values)."""
        if self._derived is None:
            differences: list[np.ndarray] = []
            changes: list[np.ndarray] = []
            for column in self.columns:
                a, b = _column_pairs(column[np.isfinite(column)])
                differences.append(np.abs(a - b))
                changes.extend((_change(a, b), _change(b, a)))
                total = np.nansum(column)
                if total:
                    changes.append(np.abs(column / total * 100))
            for block in self.rows:
                for i in range(block.shape[1]):
                    for j in range(i + 1, block.shape[1]):
                        a, b = block[:, i], block[:, j]
                        differences.append(np.abs(a - b))
                        changes.extend((_change(a, b), _change(b, a)))
            self._derived = (_pool(differences), _pool(changes))
        return self._derived


def _values(series: pd.Series) -> np.ndarray | None:
    """A column's numbers as float64, or None when it holds none (text, dates, booleans)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    present = series.dropna()
    if len(present) and re.fullmatch(r"[-+]?[$€£]?\d[\d,]*(?:\.\d+)?%?", str(present.iloc[0]).strip()):
        cleaned = series.astype("string").str.replace(r"[,$€£%]", "", regex=True)
        return pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return None


def _name_numbers(frame: pd.DataFrame) -> set[str]:
    found: set[str] = set()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype):
            distinct = column.dropna().unique()
            if len(distinct) <= ALL_PAIRS * 10:
                found.update(re.findall(r"(?<![\d.,])\d+(?![\d.,])", " ".join(map(str, distinct))))
    return found


def _is_key(name: str) -> bool:
    """A year, month or id column: no within-row arithmetic with it means anything."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    return bool(words & {"year", "month", "quarter", "week", "day", "id", "fy", "rank"})


def _column_pairs(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs of a short column; for a long one, each row with the next, and first with last."""
    n = column.size
    if n < 2:
        return np.empty(0), np.empty(0)
    if n <= ALL_PAIRS:
        i, j = np.triu_indices(n, k=1)
        return column[i], column[j]
    return np.append(column[:-1], column[0]), np.append(column[1:], column[-1])


def _change(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs((after - before) / np.abs(before) * 100)


def _pool(parts: Sequence[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.empty(0)
    joined = np.concatenate([p.ravel() for p in parts])
    return np.sort(joined[np.isfinite(joined)])


def _near(pool: np.ndarray, value: float, tolerance: float) -> bool:
    """Is some value of the sorted `pool` within `tolerance` of `value` (ends included, float slack)?"""
    slack = tolerance * (1 + 1e-9) + abs(value) * 1e-12
    low = int(np.searchsorted(pool, value - slack, side="left"))
    return low < pool.size and pool[low] <= value + slack
