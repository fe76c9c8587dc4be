"""How the demo says things in English: names, scope phrases and figures.

Dimension and grain names, "in EMEA through the Online channel in 2024"-style scope phrases,
and figures formatted the way an analyst writes them ($12.3M, 1,234 orders, +18.4%). Pure
functions over catalogue values and numbers; it builds no SQL and reads no data.
"""

from __future__ import annotations

from decimal import Decimal

from mas.demo.periods import Period

# Figures are written by the one rule the KPI card uses too (re-exported for the demo).
from mas.results.numbers import money as money
from mas.results.numbers import percent as percent

DIMENSION_NAMES = {
    "region": "region", "country": "country", "channel": "sales channel", "category": "product category",
    "product": "product", "segment": "customer segment", "customer": "customer",
}
DIMENSION_PLURALS = {
    "region": "regions", "country": "countries", "channel": "sales channels",
    "category": "product categories",
    "product": "products", "segment": "customer segments", "customer": "customers",
}
GRAIN_ADJECTIVES = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}
GROWTH_NAMES = {"year": "year-over-year", "quarter": "quarter-over-quarter", "month": "month-over-month"}


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def filter_phrase(filters: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """'in EMEA through the Online channel for Enterprise customers'."""
    parts = []
    for dim, values in filters:
        listed = join_words(list(values))
        if dim in ("region", "country"):
            parts.append(f"in {listed}")
        elif dim == "channel":
            parts.append(f"through the {listed} channel{'s' if len(values) > 1 else ''}")
        elif dim == "segment":
            parts.append(f"from {listed} customers")
        else:
            parts.append(f"for {listed}")
    return " ".join(parts)


def periods_phrase(periods: tuple[Period, ...]) -> str:
    """'in 2024', 'from 2023 to 2025', 'in Q1 2024 and Q1 2025'; empty for all time."""
    if not periods:
        return ""
    if len(periods) > 2:
        return f"from {periods[0].label} to {periods[-1].label}"
    return "in " + join_words([p.label for p in periods])


def count(value: Decimal | float | int) -> str:
    return f"{int(value):,}"
