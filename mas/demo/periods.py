"""Time periods named in a plain-English question: years, quarters, months, ranges.

`find_periods(text)` finds "2024", "Q3 2024", "the third quarter of 2024", "March 2025",
"last year", "from 2023 to 2025", "since 2024" and "the same quarter last year", in the
order they appear, and blanks them out of the text so later rules do not see their digits.
Relative words count from the end of the data (`mas.demo.window`: the last complete month is
"this month", its year "this year"; a month or quarter without a year is its latest one in the
data). It knows nothing
about revenue or SQL beyond the WHERE conditions of a period.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mas.demo.window import MONTH_NAMES, data_window

__all__ = ["MONTH_NAMES", "Period", "PeriodClues", "find_periods"]
_MONTH_WORDS = {name.lower(): i + 1 for i, name in enumerate(MONTH_NAMES)} | {
    name.lower()[:3]: i + 1 for i, name in enumerate(MONTH_NAMES)
} | {"sept": 9}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "last": 4, "final": 4}
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12, "2": 2, "3": 3}

_MONTH_ALT = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))


@dataclass(frozen=True)
class Period:
    """One calendar year, or one quarter or month of a year."""

    year: int
    quarter: int | None = None
    month: int | None = None
    through: int | None = None
    """A year cut at this month, to compare a year to date like for like (January–November)."""

    @property
    def label(self) -> str:
        if self.through is not None:
            return f"January–{MONTH_NAMES[self.through - 1]} {self.year}"
        if self.quarter is not None:
            return f"Q{self.quarter} {self.year}"
        if self.month is not None:
            return f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return str(self.year)

    @property
    def key(self) -> str:
        """A SQL-identifier-safe name: 2024, q3_2024, mar_2024."""
        if self.quarter is not None:
            return f"q{self.quarter}_{self.year}"
        if self.month is not None:
            return f"{MONTH_NAMES[self.month - 1][:3].lower()}_{self.year}"
        return f"ytd_{self.year}" if self.through is not None else str(self.year)

    @property
    def condition(self) -> str:
        parts = [f"year = {self.year}"]
        if self.quarter is not None:
            parts.append(f"quarter = {self.quarter}")
        if self.month is not None:
            parts.append(f"month = {self.month}")
        if self.through is not None:
            parts.append(f"month <= {self.through}")
        return " AND ".join(parts)

    @property
    def start(self) -> tuple[int, int]:
        """(year, first month): a sort key in calendar order."""
        if self.quarter is not None:
            return (self.year, self.quarter * 3 - 2)
        return (self.year, self.month or 1)

    @property
    def end(self) -> tuple[int, int]:
        """(year, last month)."""
        if self.quarter is not None:
            return (self.year, self.quarter * 3)
        return (self.year, self.month or self.through or 12)

    def latest_like(self) -> Period:
        """The last period in the data at this period's grain (2025, Q4 2025 or December 2025)."""
        if self.quarter is not None:
            return _latest_quarter()
        if self.month is not None:
            return _latest_month()
        return Period(data_window().last[0])

    def shifted(self, years: int) -> Period:
        return replace(self, year=self.year + years)

    def previous(self) -> Period:
        """The period just before: the prior year, quarter or month."""
        if self.quarter is not None:
            return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        if self.month is not None:
            if self.month == 1:
                return Period(self.year - 1, month=12)
            return Period(self.year, month=self.month - 1)
        return Period(self.year - 1)

    @property
    def in_data(self) -> bool:
        window = data_window()
        return self.start <= window.last and self.end >= window.first


def _latest_month() -> Period:
    year, month = data_window().last
    return Period(year, month=month)


def _latest_quarter() -> Period:
    year, month = data_window().last
    return Period(year, (month - 1) // 3 + 1)


def _latest_year_of(month: int) -> int:
    """The latest year whose `month` is in the data ("January" alone is the latest January)."""
    year, last = data_window().last
    return year if month <= last else year - 1


@dataclass
class PeriodClues:
    periods: list[tuple[int, Period]] = field(default_factory=list)
    """(position in the text, period), in order of appearance."""
    is_range: bool = False
    same_period_last_year: bool = False

    def ordered(self) -> tuple[Period, ...]:
        return tuple(period for _, period in sorted(self.periods, key=lambda item: item[0]))


def _year(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    if groups.get("y"):
        return int(groups["y"])
    if groups.get("yy"):
        return 2000 + int(groups["yy"])
    return None


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], PeriodClues], None]]


def _add(clues: PeriodClues, match: re.Match[str], *periods: Period) -> None:
    for offset, period in enumerate(periods):
        clues.periods.append((match.start() + offset, period))


def _quarter(match: re.Match[str], clues: PeriodClues) -> None:
    number = int(match["q"]) if match["q"] else _ORDINALS[match["ord"]]
    year = _year(match)
    _add(clues, match, Period(year if year is not None else _latest_year_of(number * 3 - 2), number))


def _year_quarter(match: re.Match[str], clues: PeriodClues) -> None:
    _add(clues, match, Period(int(match["y"]), int(match["q"])))


def _month(match: re.Match[str], clues: PeriodClues) -> None:
    year = _year(match)
    month = _MONTH_WORDS[match["m"]]
    _add(clues, match, Period(year if year is not None else _latest_year_of(month), month=month))


def _range(match: re.Match[str], clues: PeriodClues) -> None:
    start, end = sorted((int(match["a"]), int(match["b"])))
    clues.is_range = True
    _add(clues, match, Period(start), Period(end))


def _since(match: re.Match[str], clues: PeriodClues) -> None:
    clues.is_range = True
    _add(clues, match, Period(int(match["a"])), Period(max(data_window().last[0], int(match["a"]))))


def _last_years(match: re.Match[str], clues: PeriodClues) -> None:
    count = _NUMBER_WORDS[match["n"]]
    clues.is_range = True
    last = data_window().last[0]
    _add(clues, match, Period(last - count + 1), Period(last))


def _half(match: re.Match[str], clues: PeriodClues) -> None:
    first = 1 if (match["h"] or match["hw"]) in ("1", "first") else 3
    year = _year(match) or _latest_year_of(first * 3 - 2)
    clues.is_range = True
    _add(clues, match, Period(year, first), Period(year, first + 1))


def _last_months(match: re.Match[str], clues: PeriodClues) -> None:
    count = _NUMBER_WORDS.get(match["n"], 0) or int(match["n"])
    latest = _latest_quarter() if match["unit"].startswith("quarter") else _latest_month()
    periods = [latest]
    while len(periods) < min(count, 36):
        periods.insert(0, periods[0].previous())
    clues.is_range = True
    _add(clues, match, *periods)


def _same_last_year(match: re.Match[str], clues: PeriodClues) -> None:
    clues.same_period_last_year = True


def _fixed(period: Callable[[], Period]) -> Callable[[re.Match[str], PeriodClues], None]:
    # Called per question, not at import: the window moves with today.
    def add(match: re.Match[str], clues: PeriodClues) -> None:
        _add(clues, match, period())

    return add


def _plain_year(match: re.Match[str], clues: PeriodClues) -> None:
    year = _year(match)
    if year is not None:
        _add(clues, match, Period(year))


_Y = r"(?:fy\s*)?(?:(?P<y>20\d{2})|'(?P<yy>\d{2}))"
_RULES: tuple[Rule, ...] = tuple((re.compile(pattern), handler) for pattern, handler in (
    (r"\bsame\s+(?:quarter|month|period)\s+(?:of\s+|in\s+)?(?:last|the\s+previous|the\s+prior|a|the)\s+year"
     r"(?:\s+before)?\b|\ba\s+year\s+(?:earlier|before|ago)\b|\bprior[- ]year\s+period\b", _same_last_year),
    (r"\b(?:from|between)\s+(?:fy\s*)?(?P<a>20\d{2})\s*(?:to|and|through|until|thru|-|–)\s*(?:fy\s*)?"
     r"(?P<b>20\d{2})\b", _range),
    (r"\b(?:since|starting(?:\s+in|\s+from)?)\s+(?P<a>20\d{2})\b", _since),
    (r"\b(?:last|past|previous)\s+(?P<n>two|three|2|3)\s+years\b", _last_years),
    (r"\b(?P<y>20\d{2})\s*[- ]?\s*q(?P<q>[1-4])\b", _year_quarter),
    (rf"\b(?:h(?P<h>[12])|(?P<hw>first|second)\s+half)(?:\s*(?:of|in|,|-)?\s*{_Y})?", _half),
    (r"\b(?:last|past|previous|trailing)\s+(?P<n>\d{1,2}|two|three|four|six|twelve)\s+"
     r"(?P<unit>months|quarters)\b",
     _last_months),
    (rf"\b(?:q(?P<q>[1-4])|(?P<ord>{'|'.join(_ORDINALS)})\s+quarter)\b"
     rf"(?:\s*(?:of|in|,|-)?\s*{_Y})?", _quarter),
    (r"\b(?:this|current|latest|most\s+recent|the\s+last)\s+quarter\b", _fixed(_latest_quarter)),
    (r"\b(?:previous|prior)\s+quarter\b|\bquarter\s+before\b", _fixed(lambda: _latest_quarter().previous())),
    (rf"\b(?P<m>{_MONTH_ALT})\b\.?\s*(?:of\s+|in\s+)?{_Y}", _month),
    (r"\b(?P<m>january|february|march|april|june|july|august|september|october|november|december)\b", _month),
    (r"\b(?:this|current|latest|most\s+recent|(?:the\s+)?last)\s+month\b",
     _fixed(_latest_month)),
    (r"\b(?:previous|prior)\s+month\b", _fixed(lambda: _latest_month().previous())),
    (r"\b(?:this|current|latest|most\s+recent)\s+year\b|\byear[- ]to[- ]date\b"
     r"|\bytd\b", _fixed(lambda: Period(data_window().last[0]))),
    (r"\b(?:last|previous|prior)\s+year\b", _fixed(lambda: Period(data_window().last[0] - 1))),
    (r"\b(?:the\s+)?year\s+before\s+last\b|\btwo\s+years\s+ago\b",
     _fixed(lambda: Period(data_window().last[0] - 2))),
    (r"\b(?:fy\s*)?(?P<y>20\d{2})\b|\bfy\s*'?(?P<yy>\d{2})\b", _plain_year),
))


def find_periods(text: str) -> tuple[PeriodClues, str]:
    """Find the periods in lower-cased `text`; return them and the text with them blanked out."""
    clues = PeriodClues()
    for pattern, handler in _RULES:
        while (match := pattern.search(text)) is not None:
            handler(match, clues)
            text = _blank(text, match)
    return clues, text
