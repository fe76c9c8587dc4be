"""Column roles and format hints: what the UI and the chart rules read from a table."""

from __future__ import annotations

import pandas as pd
import pytest

from mas.results.columns import ColumnMeta, describe, describe_columns, label, primary_first, words
from mas.results.values import ValueHint


def _meta(
    values: list[object], name: str, dtype: str | None = None, hint: ValueHint | None = None
) -> ColumnMeta:
    return describe(pd.Series(values, dtype=dtype), name=name, hint=hint or ValueHint())


@pytest.mark.parametrize(
    ("name", "values", "dtype", "role", "fmt"),
    [
        ("revenue", [1.5, 2.0], "float64", "measure", "currency"),
        ("Total Sales", [1, 2], "Int64", "measure", "currency"),
        ("aov", [50.0, 60.0], "float64", "measure", "currency"),
        ("order_value", [1.0], "float64", "measure", "currency"),
        ("net_revenue_usd", [1.0], "float64", "measure", "currency"),
        ("orders", [3, 4], "Int64", "measure", "integer"),
        ("order_count", [3, 4], "Int64", "measure", "integer"),
        ("sales_count", [3, 4], "Int64", "measure", "integer"),
        ("discount", [0.1, 0.2], "float64", "measure", "number"),
        ("pct_of_total", [12.5, 3.0], "float64", "measure", "percent"),
        ("Margin %", [12.5, 3.0], "float64", "measure", "percent"),
        ("growthPercent", [1.0], "float64", "measure", "percent"),
        ("year", [2023, 2024], "Int64", "time", "year"),
        ("fiscal_year", [2023, 2024], "int64", "time", "year"),
        ("month", [1, 12], "Int64", "time", "integer"),
        ("year", [1, 5000], "Int64", "measure", "integer"),
        ("order_id", [1, 2], "Int64", "id", "integer"),
        ("customerId", [1, 2], "int64", "id", "integer"),
        ("sku", ["A-1", "B-2"], "string", "id", "text"),
        ("zip", ["02139", "10001"], "string", "id", "text"),
        ("region", ["EMEA", "APAC"], "string", "category", "text"),
        ("<script>alert(1)</script>", ["a"], "string", "category", "text"),
        ("is_active", [True, False], "boolean", "category", "boolean"),
        ("notes", ["a long sentence " * 6, "another long sentence " * 5], "string", "text", "text"),
        ("comment", ["line one\nline two", "x"], "string", "text", "text"),
    ],
)
def test_roles_and_formats(name: str, values: list[object], dtype: str, role: str, fmt: str) -> None:
    meta = _meta(values, name, dtype)
    assert (meta.role, meta.format) == (role, fmt)


def test_datetime_formats() -> None:
    days = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"]))
    times = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00"]))
    assert describe(days, name="d", hint=ValueHint()).format == "date"
    assert describe(times, name="t", hint=ValueHint()).format == "datetime"
    assert describe(days, name="m", hint=ValueHint(grain="month")).format == "month"
    assert describe(days, name="q", hint=ValueHint(grain="quarter")).role == "time"


def test_hints_win_over_names() -> None:
    assert _meta([1.0], "x", "float64", ValueHint(percent=True)).format == "percent"
    meta = _meta([1.0], "x", "float64", ValueHint(currency="EUR"))
    assert (meta.format, meta.currency) == ("currency", "EUR")
    assert _meta([1.0], "revenue_usd", "float64").currency == "USD"
    assert _meta([1.0], "revenue", "float64").currency is None


@pytest.mark.parametrize(
    ("name", "additive"),
    [
        ("revenue", True),
        ("orders", True),
        ("avg_order_value", False),
        ("aov", False),
        ("unit_price", False),
        ("conversion_rate", False),
        ("pct_of_total", False),
    ],
)
def test_additivity(name: str, additive: bool) -> None:
    assert _meta([1.0], name, "float64").additive is additive


def test_describe_columns_keeps_order_and_uses_hints() -> None:
    frame = pd.DataFrame({"region": pd.Series(["a"], dtype="string"), "share": [1.0]})
    metas = describe_columns(frame, {"share": ValueHint(percent=True)})
    assert [(m.name, m.format) for m in metas] == [("region", "text"), ("share", "percent")]


def test_primary_measure_first() -> None:
    names = ["change_pct", "revenue_2023", "prior_revenue", "revenue_2024", "change_amount"]
    metas = [_meta([1.0], n, "float64") for n in names]
    assert [m.name for m in primary_first(metas)][:2] == ["revenue_2024", "revenue_2023"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("orderDate", ["order", "date"]),
        ("order_date", ["order", "date"]),
        ("AOV usd", ["aov", "usd"]),
        ("revenue_2024", ["revenue", "2024"]),
        ("Margin %", ["margin", "%"]),
    ],
)
def test_words(name: str, expected: list[str]) -> None:
    assert words(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("order_date", "order date"), ("Revenue", "revenue"), ("AOV", "AOV"), ("  a__b ", "a b")],
)
def test_label(name: str, expected: str) -> None:
    assert label(name) == expected
