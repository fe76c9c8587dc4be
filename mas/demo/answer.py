"""The supervisor's final answer text, written from the rows Genie returned.

`answer_text(plan, result)` quotes figures taken from the result itself (formatted like
$12.3M, +20.9%), so every number in the answer can be found in the table sent with it.
`capabilities_text(reason)` is the honest answer to a question the rules cannot map. It does
not run queries or decide what a question means.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mas.demo.engine import QueryResult
from mas.demo.intents import Intent, data_range
from mas.demo.measures import Measure, measure_of
from mas.demo.periods import MONTH_NAMES
from mas.demo.plans import Plan
from mas.demo.window import data_window
from mas.demo.wording import (
    DIMENSION_NAMES,
    DIMENSION_PLURALS,
    GRAIN_ADJECTIVES,
    count,
    filter_phrase,
    join_words,
    money,
    percent,
    periods_phrase,
)

Rows = tuple[tuple[Any, ...], ...]
LIST_LIMIT = 10

CAPABILITIES = (
    "- **Total revenue**, for all time, a year, a quarter or a month (\"What was revenue in Q3 2024?\")\n"
    "- **Trends** by month, quarter or year (\"Show me revenue trends\", \"quarterly revenue in 2025\")\n"
    "- **Revenue by** region, country, sales channel, product category, product, customer segment "
    "or customer (\"Which region brings in the most revenue?\")\n"
    "- **Top or bottom N** (\"top 5 products\", \"worst 3 countries\")\n"
    "- **Growth** year over year or quarter over quarter (\"How much did revenue grow in 2025?\")\n"
    "- **Comparing two periods** (\"2024 vs 2023\", \"compare Q1 2025 with Q1 2024\")\n"
    "- **Average order value**, revenue per customer, orders, customers, units sold, gross revenue, "
    "discounts and returns\n"
    "- **Filters** on year, quarter, region, country, channel, category or segment "
    "(\"revenue by channel in EMEA in 2024\"), and follow-ups such as \"by month\" or \"what about 2024?\""
)


def capabilities_text(reason: str | None = None) -> str:
    """The honest answer when a question cannot be mapped: why, if known, and what can be asked."""
    opening = reason or "I couldn't match that question to the revenue data I can query."
    listing = f"Here is what I can answer from the demo revenue data:\n\n{CAPABILITIES}"
    return f"{opening}\n\n{listing}\n\n{data_range()}."


def figure(measure: Measure, value: Any) -> str:
    """One measure value as the answer quotes it."""
    if value is None:
        return "n/a"
    if measure.unit == "count":
        return count(value)
    if measure.aggregate == "per":
        return f"${Decimal(value):,.2f}"
    return money(value)


def period_label(value: Any) -> str:
    """A grain value as words: 2024-07-01 → July 2024, 2024-Q3 → Q3 2024, 2024 → 2024."""
    text = str(value)
    if len(text) == 10 and text[4] == "-":
        return f"{MONTH_NAMES[int(text[5:7]) - 1]} {text[:4]}"
    if "-Q" in text:
        year, quarter = text.split("-Q")
        return f"Q{quarter} {year}"
    return text


def _scope(intent: Intent) -> str:
    parts = [part for part in (filter_phrase(intent.filters), periods_phrase(intent.periods)) if part]
    return "".join(f" {part}" for part in parts)


def answer_text(plan: Plan, result: QueryResult) -> str:
    """The final answer for a plan and the rows its SQL returned."""
    intent = plan.intent
    if not result.rows or (intent.kind == "total" and result.rows[0][0] is None):
        label = measure_of(intent).label
        return f"There are no matching orders{_scope(intent)}, so there is no {label} to report."
    writers = {"total": _total, "breakdown": _breakdown, "trend": _trend, "growth": _growth,
               "compare": _compare}
    return writers[intent.kind](intent, result.rows)


def _pct(value: Any, *, signed: bool = True) -> str:
    return "n/a" if value is None else percent(value, signed=signed)


def _size(pct: Any) -> str:
    """A change's size without its sign, for after "grew"/"fell"/"up"/"down"."""
    return percent(abs(float(pct)), signed=False)


def _filters(intent: Intent) -> str:
    phrase = filter_phrase(intent.filters)
    return f" {phrase}" if phrase else ""


def _total(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    span = "" if intent.periods else f" (all orders from {data_window().label})"
    return f"The {measure.total_label}{_scope(intent)} was **{figure(measure, rows[0][0])}**{span}."


def _breakdown(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    plural = DIMENSION_PLURALS[intent.dimension or "product"]
    shares = measure.additive and len(rows[0]) > 2

    def item(row: tuple[Any, ...]) -> str:
        share = f", {_pct(row[2], signed=False)}" if shares else ""
        return f"{row[0]} ({figure(measure, row[1])}{share})"

    if intent.top_n:
        side = "bottom" if intent.ascending else "top"
        lines = [f"{rank}. **{row[0]}**: {figure(measure, row[1])}"
                 for rank, row in enumerate(rows[:LIST_LIMIT], 1)]
        return f"The {side} {len(rows)} {plural} by {measure.label}{_scope(intent)}:\n\n" + "\n".join(lines)
    first, rest = rows[0], rows[1:]
    verb = "has the lowest" if intent.ascending else "leads"
    text = f"**{first[0]}** {verb} {measure.label}{_scope(intent)} with **{figure(measure, first[1])}**"
    text += f", {_pct(first[2], signed=False)} of the total." if shares else "."
    if len(rest) == 1:
        text += f" Then {item(rest[0])}."
    elif rest:
        text += f" Next come {join_words([item(row) for row in rest[:3]])}."
    if len(rest) > 3:
        end = "Highest" if intent.ascending else "Lowest"
        text += f" {end} of the {len(rows)} {plural}: {item(rest[-1])}."
    return text


def _trend(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    if intent.dimension is not None:
        return _trend_split(intent, rows)
    peak = max(rows, key=lambda row: row[1] or 0)
    low = min(rows, key=lambda row: row[1] or 0)
    text = (f"Over {len(rows)} {intent.grain}s{_scope(intent)}, {measure.label} peaked at "
            f"**{figure(measure, peak[1])}** in {period_label(peak[0])}; the low was "
            f"**{figure(measure, low[1])}** in {period_label(low[0])}.")
    last = rows[-1]
    text += f" The latest {intent.grain}, {period_label(last[0])}, came in at {figure(measure, last[1])}"
    before = _year_before(intent, rows, key=last[0])
    if before is not None and before[1] and last[1] is not None:
        change = (float(last[1]) - float(before[1])) / float(before[1]) * 100
        return text + f", {percent(change)} on {period_label(before[0])}."
    return text + "."


def _trend_split(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    latest = rows[-1][0]
    final = sorted((row for row in rows if row[0] == latest), key=lambda row: row[2] or 0, reverse=True)
    listed = join_words([f"{row[1]} ({figure(measure, row[2])})" for row in final[:LIST_LIMIT]])
    periods = len({row[0] for row in rows})
    return (f"{GRAIN_ADJECTIVES[intent.grain].capitalize()} {measure.label}{_scope(intent)} by "
            f"{intent.dimension} covers {periods} {intent.grain}s. "
            f"In the latest, {period_label(latest)}: {listed}.")


def _year_before(intent: Intent, rows: Rows, *, key: Any) -> tuple[Any, ...] | None:
    text = str(key)
    target = str(int(text) - 1) if intent.grain == "year" else f"{int(text[:4]) - 1}{text[4:]}"
    return next((row for row in rows if str(row[0]) == target), None)


def _growth(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    known = [row for row in rows if row[3] is not None]
    if not known:
        first = rows[0]
        return (f"{period_label(first[0])} is the first {intent.grain} in the data, so there is nothing "
                f"earlier to measure growth against; {measure.label}{_filters(intent)} was "
                f"{figure(measure, first[1])} in {period_label(first[0])}.")
    parts = [f"{'grew' if float(row[3]) >= 0 else 'fell'} **{_size(row[3])}** in {period_label(row[0])} "
             f"(to {figure(measure, row[1])})" for row in known[-4:]]
    text = f"{measure.label.capitalize()}{_filters(intent)} {join_words(parts)}."
    if len(known) > 4:
        best = max(known, key=lambda row: row[3])
        worst = min(known, key=lambda row: row[3])
        text += (f" Of all {intent.grain}s with one before, the strongest was {period_label(best[0])} "
                 f"({percent(best[3])}) and the weakest {period_label(worst[0])} ({percent(worst[3])}).")
    return text


def _compare(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    earlier, later = intent.periods
    if intent.why:
        return _why(intent, rows)
    if intent.dimension is not None:
        return _compare_groups(intent, rows)
    before, after, change, pct = rows[0]
    label = measure.label.capitalize()
    if pct is None:
        return (f"{label}{_filters(intent)} was {figure(measure, after)} in {later.label} and "
                f"{figure(measure, before)} in {earlier.label}.")
    direction = "up" if float(pct) >= 0 else "down"
    sign = "+" if change >= 0 else "-"
    return (f"{label}{_filters(intent)} was **{figure(measure, after)}** in {later.label}, "
            f"{direction} **{_size(pct)}** from {figure(measure, before)} in {earlier.label} "
            f"({sign}{figure(measure, abs(change))}).")


def _signed(measure: Measure, value: Any) -> str:
    return ("+" if value >= 0 else "-") + figure(measure, abs(value))


def _why(intent: Intent, rows: Rows) -> str:
    """What changed from the prior period, and which groups moved most (the rows come largest move first)."""
    measure, (earlier, later) = measure_of(intent), intent.periods
    moves = [f"{row[0]} ({_signed(measure, row[3])}, {_pct(row[4])})" for row in rows[:4]
             if row[3] is not None]
    by = f" By {DIMENSION_NAMES[intent.dimension or 'region']}, the largest moves: {join_words(moves)}."
    if not measure.additive:
        return f"{measure.label.capitalize()}{_filters(intent)}, {later.label} vs {earlier.label}.{by}"
    before, after = (sum(row[column] or 0 for row in rows) for column in (1, 2))
    change = after - before
    text = (f"{measure.label.capitalize()}{_filters(intent)} {'rose' if change >= 0 else 'fell'} by "
            f"**{figure(measure, abs(change))}**, from {figure(measure, before)} in {earlier.label} to "
            f"**{figure(measure, after)}** in {later.label}.{by}")
    lead = rows[0][3]
    if change and lead is not None and (lead >= 0) == (change >= 0):
        share = percent(float(lead) / float(change) * 100, signed=False)
        text += f" {rows[0][0]} alone accounts for {share} of the change."
    return text


def _compare_groups(intent: Intent, rows: Rows) -> str:
    measure = measure_of(intent)
    earlier, later = intent.periods
    first = rows[0]
    items = [f"{row[0]} ({figure(measure, row[2])}, {_pct(row[4])})" for row in rows[:5]]
    if intent.by_change:
        lead = "slowest" if intent.ascending else "fastest"
        text = (f"From {earlier.label} to {later.label}{_filters(intent)}, **{first[0]}** grew {lead}: "
                f"**{_pct(first[4])}** to {figure(measure, first[2])}.")
    else:
        rank = "lowest" if intent.ascending else "highest"
        text = (f"In {later.label}{_filters(intent)}, **{first[0]}** had the {rank} {measure.label}: "
                f"**{figure(measure, first[2])}**.")
    return text + f" By {intent.dimension}, {later.label} vs {earlier.label}: {join_words(items)}."
