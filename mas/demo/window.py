"""The demo data's window: three whole calendar years, then this year up to the last complete month.

`data_window()` takes today from `mas.settings.demo_today()` (the real date unless
`MAS_DEMO_TODAY` pins it), so "this year" and "last year" mean what the calendar says; the
dataset generator, the period reader and the capability sentences all read this one window.
It holds no data and knows nothing of SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mas.settings import demo_today

FULL_YEARS = 3
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class DataWindow:
    first: tuple[int, int]
    """(year, month) of the first month in the data."""
    last: tuple[int, int]
    """(year, month) of the last month in the data: the last complete month before today."""

    @property
    def start(self) -> dt.date:
        return dt.date(self.first[0], self.first[1], 1)

    @property
    def end(self) -> dt.date:
        """The day after the data ends (the first day of today's month)."""
        year, month = self.last
        return dt.date(year + month // 12, month % 12 + 1, 1)

    @property
    def months(self) -> int:
        return (self.last[0] - self.first[0]) * 12 + self.last[1] - self.first[1] + 1

    @property
    def label(self) -> str:
        """'January 2023 to December 2025'."""
        return f"{_month(self.first)} to {_month(self.last)}"

    @property
    def key(self) -> str:
        """A file-name-safe name for the window: '2023-01_2025-12'."""
        return f"{self.first[0]}-{self.first[1]:02d}_{self.last[0]}-{self.last[1]:02d}"


def _month(year_month: tuple[int, int]) -> str:
    return f"{MONTH_NAMES[year_month[1] - 1]} {year_month[0]}"


def window_for(today: dt.date) -> DataWindow:
    """From January three whole years back to the month before `today`'s.

    On 2026-01-01 that is January 2023 to December 2025 (36 months); on 2026-12-01, January
    2023 to November 2026 (2026 to date after three whole years), so no year is cut at its start.
    """
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    first_year = last[0] - FULL_YEARS + (1 if last[1] == 12 else 0)
    return DataWindow(first=(first_year, 1), last=last)


def data_window() -> DataWindow:
    """The window for today (`MAS_DEMO_TODAY` or the real date)."""
    return window_for(demo_today())
