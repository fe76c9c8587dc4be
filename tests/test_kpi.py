"""KPI cards: one value, or one measure over two periods with its change."""

from __future__ import annotations

import pandas as pd
import pytest

from mas.results.kpi import Kpi, kpi_from_table
from mas.results.toolresult import parse_tool_output


def _kpi(markdown: str) -> Kpi | None:
    return (parse_tool_output(markdown)).kpi


def test_single_value() -> None:
    kpi = _kpi("| total_revenue |\n|---|\n| $1,234.50 |")
    assert kpi == Kpi(value=1234.5, label="total revenue", format="currency", currency="USD")
    assert type(kpi.value) is float


@pytest.mark.parametrize(
    ("cell", "value", "fmt"),
    [
        ("42", 42, "integer"),
        ("12.5%", 12.5, "percent"),
        ("Acme Corp", "Acme Corp", "text"),
        ("n/a", "n/a", "text"),
    ],
)
def test_single_value_formats(cell: str, value: object, fmt: str) -> None:
    kpi = _kpi(f"| metric |\n|---|\n| {cell} |")
    assert kpi is not None and (kpi.value, kpi.format) == (value, fmt)


def test_single_missing_value_is_none() -> None:
    kpi = kpi_from_table(pd.DataFrame({"revenue": [float("nan")]}))
    assert kpi is not None and kpi.value is None


@pytest.mark.parametrize(
    ("table", "label", "periods"),
    [
        ("| revenue_2023 | revenue_2024 |\n|---|---|\n| 100 | 120 |", "revenue", ("2024", "2023")),
        ("| revenue_2024 | revenue_2023 |\n|---|---|\n| 120 | 100 |", "revenue", ("2024", "2023")),
        (
            "| current_revenue | previous_revenue |\n|---|---|\n| 120 | 100 |",
            "revenue",
            ("current", "previous"),
        ),
        (
            "| this_year_sales | last_year_sales |\n|---|---|\n| 120 | 100 |",
            "sales",
            ("current", "previous"),
        ),
        ("| year | revenue |\n|---|---|\n| 2023 | 100 |\n| 2024 | 120 |", "revenue", ("2024", "2023")),
        ("| year | revenue |\n|---|---|\n| 2024 | 120 |\n| 2023 | 100 |", "revenue", ("2024", "2023")),
        (
            "| month | revenue |\n|---|---|\n| 2024-02 | 120 |\n| 2024-01 | 100 |",
            "revenue",
            ("2024-02", "2024-01"),
        ),
        (
            "| q | revenue |\n|---|---|\n| 2024-Q1 | 100 |\n| 2024-Q2 | 120 |",
            "revenue",
            ("2024-Q2", "2024-Q1"),
        ),
        (
            "| period | revenue |\n|---|---|\n| Last year | 100 |\n| This year | 120 |",
            "revenue",
            ("This year", "Last year"),
        ),
    ],
)
def test_two_periods_give_the_change(table: str, label: str, periods: tuple[str, str]) -> None:
    kpi = _kpi(table)
    assert kpi is not None
    assert (kpi.value, kpi.previous, kpi.label) == (120, 100, label)
    assert kpi.delta == pytest.approx(20.0) and kpi.delta_pct == pytest.approx(20.0)
    assert (kpi.period, kpi.previous_period) == periods


def test_pair_with_extra_change_columns() -> None:
    kpi = _kpi("| revenue_2023 | revenue_2024 | change_pct |\n|---|---|---|\n| 100 | 80 | -20% |")
    assert kpi is not None and kpi.delta == pytest.approx(-20.0) and kpi.delta_pct == pytest.approx(-20.0)


@pytest.mark.parametrize(("previous", "pct"), [("0", None), ("-50", 340.0)])
def test_delta_percent_against_zero_and_negative(previous: str, pct: float | None) -> None:
    kpi = _kpi(f"| year | profit |\n|---|---|\n| 2023 | {previous} |\n| 2024 | 120 |")
    assert kpi is not None and kpi.delta_pct == (None if pct is None else pytest.approx(pct))


def test_missing_previous_gives_no_change() -> None:
    kpi = _kpi("| year | revenue |\n|---|---|\n| 2023 |  |\n| 2024 | 120 |")
    assert kpi is not None and (kpi.value, kpi.previous, kpi.delta) == (120, None, None)


@pytest.mark.parametrize(
    "table",
    [
        "| region | revenue |\n|---|---|\n| EMEA | 1 |\n| APAC | 2 |",  # two categories, not two periods
        "| year | revenue |\n|---|---|\n| 2024 | 1 |\n| 2024 | 2 |",  # the same period twice
        "| year | revenue |\n|---|---|\n| 2022 | 1 |\n| 2023 | 2 |\n| 2024 | 3 |",
        "| revenue | orders |\n|---|---|\n| 1 | 2 |",  # two unrelated measures
        "| revenue_2024 | orders_2023 |\n|---|---|\n| 1 | 2 |",
        "| year | revenue | orders |\n|---|---|---|\n| 2023 | 1 | 2 |\n| 2024 | 3 | 4 |",
        "| a |\n|---|\n",
        "Just text.",
    ],
)
def test_not_kpis(table: str) -> None:
    result = parse_tool_output(table)
    assert (result).kpi is None and result.kind != "kpi"


def test_kind_is_kpi_for_kpi_shapes() -> None:
    assert parse_tool_output("| year | revenue |\n|---|---|\n| 2023 | 1 |\n| 2024 | 3 |").kind == "kpi"


@pytest.mark.parametrize(
    ("table", "previous", "pct", "periods"),
    [
        (
            "| year | net_revenue | prior_year_net_revenue | yoy_growth_pct |\n|---|---|---|---|\n"
            "| 2025 | 120 | 100 | 20.5 |",
            100,
            20.5,
            ("2025", "2024"),
        ),
        ("| year | net_revenue | prior_year_net_revenue |\n|---|---|---|\n| 2025 | 120 | 100 |", 100, 20.0,
         ("2025", "2024")),
        ("| net_revenue | net_revenue_last_year |\n|---|---|\n| 120 | 100 |", 100, 20.0,
         ("current", "prior year")),
        ("| year | net_revenue | yoy_growth_pct |\n|---|---|---|\n| 2025 | 120 | 20% |", 100, 20.0,
         ("2025", "2024")),
        ("| month | revenue | revenue_mom_change_pct |\n|---|---|---|\n| 2025-03 | 120 | 20 |", 100, 20.0,
         ("2025-03", "prior month")),
    ],
)
def test_one_row_with_prior_value_or_growth_gives_the_change(
    table: str, previous: float, pct: float, periods: tuple[str, str]
) -> None:
    result = parse_tool_output(table)
    kpi = (result).kpi
    assert result.kind == "kpi" and kpi is not None
    assert kpi.value == 120 and kpi.label in ("net revenue", "revenue")
    assert kpi.previous == pytest.approx(previous) and kpi.delta == pytest.approx(120 - previous)
    assert kpi.delta_pct == pytest.approx(pct)
    assert (kpi.period, kpi.previous_period) == periods


@pytest.mark.parametrize(
    "table",
    [
        "| region | revenue | pct_of_total |\n|---|---|---|\n| EMEA | 120 | 30 |",  # a share, not a change
        "| revenue | orders | growth_pct |\n|---|---|---|\n| 120 | 7 | 20 |",  # whose growth?
        "| revenue | orders_growth_pct |\n|---|---|\n| 120 | 20 |",  # another measure's growth
        "| revenue | prior_year_orders |\n|---|---|\n| 120 | 100 |",
    ],
)
def test_one_row_without_a_change_of_its_measure_is_not_a_kpi(table: str) -> None:
    result = parse_tool_output(table)
    assert (result).kpi is None and result.kind == "table"
