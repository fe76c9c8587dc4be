"""The demo's measures: each figure a question can ask for, with its words and its SQL aggregate.

A `Measure` names a figure (net revenue, orders, average order value…), agrees a verb with it and
writes its aggregate over the `sales` view, optionally limited to rows matching a condition;
`MEASURES` is the catalogue `measure_of()` looks intents up in. It does not build whole queries
(see `mas.demo.plans`) or phrase answers (see `mas.demo.answer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mas.demo.intents import Intent


@dataclass(frozen=True)
class Measure:
    label: str
    total_label: str
    alias: str
    aggregate: Literal["sum", "count_distinct", "per"]
    """SUM(column), COUNT(DISTINCT column), or net revenue per distinct column value."""
    column: str = ""
    unit: Literal["money", "count"] = "money"

    @property
    def verb(self) -> str:
        """'is' or 'are', to agree with the label in a question."""
        return "are" if self.label.endswith(("s", "sold")) else "is"

    @property
    def additive(self) -> bool:
        """Group values add up to the total, so a share of the total means something."""
        return self.aggregate == "sum"

    def sql(self, condition: str | None = None) -> str:
        def only(column: str) -> str:
            return column if condition is None else f"CASE WHEN {condition} THEN {column} END"

        if self.aggregate == "sum":
            summed = f"SUM({only(self.column)})"
            return f"CAST({summed} AS BIGINT)" if self.unit == "count" else summed
        if self.aggregate == "count_distinct":
            return f"COUNT(DISTINCT {only(self.column)})"
        return f"CAST(SUM({only('net_revenue')}) / COUNT(DISTINCT {only(self.column)}) AS DECIMAL(18, 2))"


MEASURES: dict[str, Measure] = {
    "revenue": Measure("net revenue", "total net revenue", "net_revenue", "sum", "net_revenue"),
    "gross": Measure("gross revenue", "total gross revenue", "gross_revenue", "sum", "gross_revenue"),
    "returns": Measure("returns", "total value of returns", "returned_amount", "sum", "returned_amount"),
    "discounts": Measure("discounts", "total discounts given", "discount_amount", "sum", "discount_amount"),
    "units": Measure("units sold", "number of units sold", "units_sold", "sum", "quantity", unit="count"),
    "orders": Measure("orders", "number of orders", "orders", "count_distinct", "order_id", unit="count"),
    "customers": Measure("customers", "number of customers", "customers", "count_distinct", "customer_id",
                         unit="count"),
    "aov": Measure("average order value", "average order value", "avg_order_value", "per", "order_id"),
    "per_customer": Measure("revenue per customer", "average net revenue per customer",
                            "revenue_per_customer", "per", "customer_id"),
}


def measure_of(intent: Intent) -> Measure:
    return MEASURES[intent.measure]
