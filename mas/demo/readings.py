"""How the demo read a question, said out loud: relative periods and chart kinds it cannot offer.

The demo's data ends at the last complete month before today (`mas.demo.window`), so "last year"
is the calendar's last year and "this month" the last complete one; the answer names each such
reading and where the data ends.
A pie, donut or map chart is not one the app draws: the answer says so and what comes instead.
It only words readings; what the question means is `mas.demo.intents`'.
"""

from __future__ import annotations

import re

from mas.demo.periods import MONTH_NAMES, find_periods
from mas.demo.window import data_window

_RELATIVE = re.compile(
    r"\b(?:this|current|last|previous|prior|latest|most\s+recent)\s+(?:year|quarter|month)\b"
    r"|\byear[- ]to[- ]date\b|\bytd\b|\btwo\s+years\s+ago\b|\b(?:the\s+)?year\s+before\s+last\b",
    re.I,
)
_UNOFFERED = re.compile(
    r"\b(?P<kind>pie|donut|doughnut|radar|funnel|gauge|treemap|tree\s+map|heat\s?map|sankey|waterfall|"
    r"bubble|map|area|histogram)\s+(?:chart|graph|plot|view)s?\b|\bas\s+an?\s+(?P<as>pie|donut|doughnut|map)\b",
    re.I,
)
_SHARES = frozenset({"pie", "donut", "doughnut", "treemap", "tree map"})


def period_readings(question: str) -> list[str]:
    """Each relative period of the question with what it was read as: '"last year" = 2024'."""
    readings: list[str] = []
    for match in _RELATIVE.finditer(question):
        phrase = " ".join(match.group(0).lower().split())
        clues, _ = find_periods(phrase)
        periods = clues.ordered()
        if periods:
            readings.append(f"“{phrase}” = {periods[0].label}")
    return list(dict.fromkeys(readings))


def chart_note(question: str) -> str | None:
    """The sentence acknowledging a chart kind the app does not draw, or None."""
    match = _UNOFFERED.search(question)
    if match is None:
        return None
    kind = " ".join((match["kind"] or match["as"]).lower().split())
    instead = "here is a bar chart of the shares" if kind in _SHARES else "here are the charts that fit"
    return f"{kind.capitalize()} charts aren't offered; {instead}."


def readings_note(question: str) -> str:
    """What to add under the answer: the period readings (with where the data ends) and the chart note."""
    parts: list[str] = []
    readings = period_readings(question)
    if readings:
        year, month = data_window().last
        so_far = f", so {year} is the year to date" if month < 12 else ""
        ends = f"the demo data ends in {MONTH_NAMES[month - 1]} {year}{so_far}"
        parts.append(f"Read {', '.join(readings)}: {ends}.")
    note = chart_note(question)
    if note:
        parts.append(note)
    return " ".join(parts)
