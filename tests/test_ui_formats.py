"""Column configs and KPI numbers from each column's meaning."""

from __future__ import annotations

import pandas as pd

from mas.results.columns import describe_columns
from mas.results.kpi import Kpi
from ui.formats import column_config, compact, is_fraction, kpi_delta, kpi_value


def test_columns_get_currency_percent_integer_and_month_formats() -> None:
    table = pd.DataFrame({
        "order_month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
        "net_revenue": [1200.5, 950.25],
        "orders": [12, 9],
        "pct_of_total": [55.8, 44.2],
        "region": ["EMEA", "APAC"],
    })
    config = column_config(table, describe_columns(table))
    assert config["net_revenue"]["type_config"]["format"] == "dollar"
    assert config["pct_of_total"]["type_config"]["format"] == "%.1f%%"
    assert config["orders"]["type_config"]["format"] == "localized"
    assert config["net_revenue"]["label"] == "Net revenue"
    assert config["pct_of_total"]["label"] == "% of total"
    assert config["region"]["label"] == "Region"
    assert (config["order_month"]["type_config"]["type"], config["order_month"]["type_config"]["format"]) == (
        "date", "MMM YYYY")


def test_percent_fractions_use_the_percent_preset() -> None:
    table = pd.DataFrame({"share_pct": [0.25, 0.75]})
    assert is_fraction(table["share_pct"])
    assert column_config(table, describe_columns(table))["share_pct"]["type_config"]["format"] == "percent"


def test_compact_keeps_three_significant_digits_from_a_hundred_thousand() -> None:
    assert [compact(v) for v in (249_000_000, 96_178_379.6, 1_234_567, 575_400, 12.5, 7)] == [
        "249M", "96.2M", "1.23M", "575K", "12.50", "7",
    ]


def test_kpis_under_a_hundred_thousand_are_shown_whole() -> None:
    assert [compact(v) for v in (1_500, 6_810, 4_788.48, -4_788.48, 99_940)] == [
        "1,500", "6,810", "4,788", "-4,788", "99,940",
    ]
    aov = Kpi(value=4_788.48, label="avg order value", format="currency", currency="USD")
    assert kpi_value(aov) == "$4,788"


def test_kpi_values_and_deltas_read_like_a_card() -> None:
    kpi = Kpi(value=249_000_000.0, label="net revenue", format="currency", currency="USD",
              previous=200_000_000.0, delta=49_000_000.0, delta_pct=24.5,
              period="2025", previous_period="2024")
    assert kpi_value(kpi) == "$249.0M"  # as the answer text writes it (mas.results.numbers)
    assert kpi_delta(kpi) == "+24.5% vs 2024"
    loss = Kpi(value=-5.0, label="margin", format="percent", delta=-1.5)
    assert kpi_value(loss) == "-5.0%" and kpi_delta(loss) == "-1.5%"
    assert kpi_value(Kpi(value=None, label="x", format="number")) == "—"
    assert kpi_value(Kpi(value=pd.Timestamp("2025-03-01"), label="best month", format="month")) == "Mar 2025"


def test_a_change_column_is_signed() -> None:
    table = pd.DataFrame({"channel": ["Online", "Retail"], "change_pct": [21.1, -3.2],
                          "pct_of_total": [60.0, 40.0]})  # fmt: skip
    config = column_config(table, describe_columns(table))
    assert config["change_pct"]["type_config"]["format"] == "%+.1f%%"
    assert config["change_pct"]["label"] == "Change %"
    assert config["pct_of_total"]["type_config"]["format"] == "%.1f%%"


def test_the_kpi_card_writes_the_figure_as_the_demo_answer_does() -> None:
    from demo_data import demo_data_dir

    from mas.demo.supervisor import DemoSupervisor
    from mas.transcript import Turn, apply_event
    from mas.wire.normalize import Normalizer

    for question in ("What's our total revenue?", "What was the average order value in 2024?"):
        turn, normalizer = Turn(question=question), Normalizer()
        for wire in DemoSupervisor(data_dir=demo_data_dir()).respond([{"role": "user", "content": question}]):
            for event in normalizer.feed(wire):
                apply_event(turn, event)
        [result] = [p.result for p in turn.tools if p.result is not None]
        assert result.kpi is not None
        assert kpi_value(result.kpi) in turn.answer_text
