"""Turn an `Intent` into the SQL the demo Genie runs, with words saying what it computes.

A `Plan` carries the SQL (over the `sales` view), a Genie-style description of the query, a
short title and the question rewritten as the supervisor would pass it to Genie. The SQL is
built only from catalogue values and integers, so nothing from the user reaches it verbatim.
Running it is `mas.demo.engine`'s job; phrasing the answer is `mas.demo.answer`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from mas.demo.dataset_sql import VIEW
from mas.demo.intents import Filters, Intent
from mas.demo.measures import Measure, measure_of
from mas.demo.periods import Period
from mas.demo.window import data_window
from mas.demo.wording import (
    DIMENSION_NAMES,
    DIMENSION_PLURALS,
    GRAIN_ADJECTIVES,
    GROWTH_NAMES,
    filter_phrase,
    periods_phrase,
)

DIMENSION_COLUMNS = {
    "region": "region", "country": "country", "channel": "channel", "category": "category",
    "product": "product", "segment": "customer_segment", "customer": "customer_id",
}
GRAIN_COLUMNS = {"month": "order_month", "quarter": "order_quarter", "year": "year"}
GROWTH_PREFIX = {"year": "yoy", "quarter": "qoq", "month": "mom"}


@dataclass(frozen=True)
class Plan:
    intent: Intent
    sql: str
    title: str
    description: str
    genie_query: str


def total_alias(measure: Measure) -> str:
    return measure.alias if measure.aggregate == "per" else f"total_{measure.alias}"


def growth_alias(intent: Intent) -> str:
    return f"{GROWTH_PREFIX[intent.grain]}_growth_pct"


def period_alias(measure: Measure, period: Period) -> str:
    return f"{measure.alias}_{period.key}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def filter_conditions(filters: Filters) -> list[str]:
    conditions = []
    for dim, values in filters:
        column = DIMENSION_COLUMNS[dim]
        if len(values) == 1:
            conditions.append(f"{column} = {_quote(values[0])}")
        else:
            conditions.append(f"{column} IN ({', '.join(_quote(v) for v in values)})")
    return conditions


def period_condition(periods: tuple[Period, ...]) -> str | None:
    if not periods:
        return None
    if all(p.quarter is None and p.month is None and p.through is None for p in periods):
        years = sorted({p.year for p in periods})
        return f"year = {years[0]}" if len(years) == 1 else f"year IN ({', '.join(map(str, years))})"
    if len(periods) == 1:
        return periods[0].condition
    return "(" + " OR ".join(f"({p.condition})" for p in periods) + ")"


def _where(conditions: list[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}\n" if conditions else ""


def _select(items: list[str]) -> str:
    return "SELECT\n" + ",\n".join(f"  {item}" for item in items) + "\n"


def _limit(intent: Intent) -> str:
    return f"LIMIT {intent.top_n}\n" if intent.top_n else ""


def _total_sql(intent: Intent) -> str:
    measure = measure_of(intent)
    where = filter_conditions(intent.filters) + [c for c in [period_condition(intent.periods)] if c]
    return _select([f"{measure.sql()} AS {total_alias(measure)}"]) + f"FROM {VIEW}\n" + _where(where)


def _breakdown_sql(intent: Intent) -> str:
    measure = measure_of(intent)
    column = DIMENSION_COLUMNS[intent.dimension or "product"]
    items = [column, f"{measure.sql()} AS {measure.alias}"]
    if measure.additive:
        items.append(f"ROUND(100.0 * {measure.sql()} / SUM({measure.sql()}) OVER (), 1) AS pct_of_total")
    where = filter_conditions(intent.filters) + [c for c in [period_condition(intent.periods)] if c]
    order = "ASC" if intent.ascending else "DESC"
    return (_select(items) + f"FROM {VIEW}\n" + _where(where) + f"GROUP BY {column}\n"
            + f"ORDER BY {measure.alias} {order}, {column}\n" + _limit(intent))


def _trend_sql(intent: Intent) -> str:
    measure = measure_of(intent)
    keys = [GRAIN_COLUMNS[intent.grain]]
    if intent.dimension is not None:
        keys.append(DIMENSION_COLUMNS[intent.dimension])
    where = filter_conditions(intent.filters) + [c for c in [period_condition(intent.periods)] if c]
    return (_select([*keys, f"{measure.sql()} AS {measure.alias}"]) + f"FROM {VIEW}\n" + _where(where)
            + f"GROUP BY {', '.join(keys)}\n" + f"ORDER BY {', '.join(keys)}\n")


def _at_grain(period: Period, grain: str) -> str:
    """A condition on the grain column (year, order_quarter, order_month) covering `period`."""
    if grain == "year":
        return f"year = {period.year}"
    if grain == "quarter":
        if period.quarter is not None or period.month is not None:
            quarter = period.quarter or ((period.month or 1) - 1) // 3 + 1
            return f"order_quarter = '{period.year}-Q{quarter}'"
        return f"order_quarter BETWEEN '{period.year}-Q1' AND '{period.year}-Q4'"
    if period.month is not None:
        return f"order_month = DATE '{period.year}-{period.month:02d}-01'"
    first, last = ((period.quarter - 1) * 3 + 1, period.quarter * 3) if period.quarter else (1, 12)
    return f"order_month BETWEEN DATE '{period.year}-{first:02d}-01' AND DATE '{period.year}-{last:02d}-01'"


def _whole(grain: str) -> list[str]:
    """Growth compares whole periods: the quarter or year still running (Q4 to November) is left out."""
    year, month = data_window().last
    end = {"year": 12, "quarter": (month + 2) // 3 * 3, "month": month}[grain]
    start = {"year": 1, "quarter": month - (month - 1) % 3, "month": month}[grain]
    return [] if end == month else [f"order_month < DATE '{year}-{start:02d}-01'"]


def _growth_sql(intent: Intent) -> str:
    measure = measure_of(intent)
    key = GRAIN_COLUMNS[intent.grain]
    previous = f"LAG({measure.alias}) OVER (ORDER BY {key})"
    inner = (_select([key, f"{measure.sql()} AS {measure.alias}"]) + f"FROM {VIEW}\n"
             + _where(filter_conditions(intent.filters) + _whole(intent.grain)) + f"GROUP BY {key}")
    outer = _select([
        key, measure.alias, f"{previous} AS prior_{intent.grain}_{measure.alias}",
        f"ROUND(100.0 * ({measure.alias} - {previous}) / NULLIF({previous}, 0), 1) AS {growth_alias(intent)}",
    ])
    qualify = ""
    if intent.periods:
        conditions = [_at_grain(p, intent.grain) for p in intent.periods]
        qualify = "QUALIFY " + (conditions[0] if len(conditions) == 1 else " OR ".join(conditions)) + "\n"
    indented = "\n".join("  " + line for line in inner.splitlines())
    return f"WITH per_{intent.grain} AS (\n{indented}\n)\n" + outer + f"FROM per_{intent.grain}\n" + qualify \
        + f"ORDER BY {key}\n"


def _compare_sql(intent: Intent) -> str:
    measure = measure_of(intent)
    earlier, later = intent.periods
    a, b = period_alias(measure, earlier), period_alias(measure, later)
    keys = [DIMENSION_COLUMNS[intent.dimension]] if intent.dimension else []
    inner_items = [*keys, f"{measure.sql(earlier.condition)} AS {a}",
                   f"{measure.sql(later.condition)} AS {b}"]
    where = [*filter_conditions(intent.filters), period_condition((earlier, later)) or ""]
    inner = _select(inner_items) + f"FROM {VIEW}\n" + _where(where)
    inner += f"GROUP BY {keys[0]}\n" if keys else ""
    indented = "\n".join("  " + line for line in inner.splitlines())
    outer = _select([*keys, a, b, f"{b} - {a} AS change_amount",
                     f"ROUND(100.0 * ({b} - {a}) / NULLIF({a}, 0), 1) AS change_pct"])
    order = ""
    if keys:
        direction = "ASC" if intent.ascending else "DESC"
        rank = "change_pct" if intent.by_change else b
        rank, direction = ("ABS(change_amount)", "DESC") if intent.why else (rank, direction)
        order = f"ORDER BY {rank} {direction} NULLS LAST, {keys[0]}\n" + _limit(intent)
    return f"WITH by_period AS (\n{indented}\n)\n" + outer + "FROM by_period\n" + order


_BUILDERS = {
    "total": _total_sql, "breakdown": _breakdown_sql, "trend": _trend_sql,
    "growth": _growth_sql, "compare": _compare_sql,
}


def build_plan(intent: Intent) -> Plan:
    """The SQL for an intent, and the words that go with it."""
    sql = _BUILDERS[intent.kind](intent).rstrip()
    title, description, question = describe(intent)
    return Plan(intent=intent, sql=sql, title=title, description=description, genie_query=question)


def describe(intent: Intent) -> tuple[str, str, str]:
    """(title, Genie-style description, the question rewritten for Genie)."""
    measure = measure_of(intent)
    label = measure.label
    filters = filter_phrase(intent.filters)
    scope = "".join(f" {part}" for part in (filters, periods_phrase(intent.periods)) if part)
    if intent.kind == "total":
        what = measure.total_label
        return (f"{what.capitalize()}{scope}", f"This query calculates the {what}{scope}.",
                f"What is the {what}{scope}?")
    if intent.kind == "breakdown":
        return _describe_breakdown(intent, scope=scope)
    split = f" by {DIMENSION_NAMES[intent.dimension]}" if intent.dimension else ""
    if intent.kind == "trend":
        adjective = GRAIN_ADJECTIVES[intent.grain]
        return (f"{adjective.capitalize()} {label}{split}{scope}",
                f"This query totals {label} for each {intent.grain}{split}{scope}, in date order.",
                f"Show the {adjective} {label} trend{split}{scope}.")
    if intent.kind == "growth":
        name = GROWTH_NAMES[intent.grain]
        return (f"{name.capitalize()} growth in {label}{scope}",
                f"This query totals {label} per {intent.grain}{scope} and compares each {intent.grain} "
                f"with the one before it, as a percentage change.",
                f"What is the {name} growth in {label}{scope}?")
    earlier, later = intent.periods
    where = f" {filters}" if filters else ""
    ranked = ", ranked by growth" if intent.by_change else ""
    if intent.why:
        return (f"What changed in {label}{split}: {later.label} vs {earlier.label}{where}",
                f"This query compares {label}{split} in {later.label} with {earlier.label}{where}, "
                f"with the change in dollars and percent, largest moves first.",
                f"How did {label}{split} change from {earlier.label} to {later.label}{where}, "
                f"and which moved most?")
    return (f"{label.capitalize()}{split}: {later.label} vs {earlier.label}{where}",
            f"This query compares {label}{split} in {later.label} with {earlier.label}{where}, "
            f"with the change in dollars and percent{ranked}.",
            f"How did {label}{split} in {later.label} compare with {earlier.label}{where}?")


def _describe_breakdown(intent: Intent, *, scope: str) -> tuple[str, str, str]:
    measure = measure_of(intent)
    label = measure.label
    name = DIMENSION_NAMES[intent.dimension or "product"]
    share = ", with each one's share of the total" if measure.additive else ""
    if intent.top_n:
        top = f"{'bottom' if intent.ascending else 'top'} {intent.top_n} " \
            + DIMENSION_PLURALS[intent.dimension or "product"]
        return (f"{top.capitalize()} by {label}{scope}",
                f"This query calculates {label} for each {name}{scope} and keeps the {top}{share}.",
                f"What are the {top} by {label}{scope}?")
    order = "from lowest to highest" if intent.ascending else "from highest to lowest"
    return (f"{label.capitalize()} by {name}{scope}",
            f"This query calculates {label} for each {name}{scope}, sorted {order}{share}.",
            f"What {measure.verb} the {label} by {name}{scope}, sorted {order}?")
