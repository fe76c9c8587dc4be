"""How result values look: `st.dataframe` column configs and KPI numbers, from each column's meaning.

A column's role and format come from `mas.results.columns` (currency, percent, month, …); this module only
maps them onto Streamlit's column types and onto short display strings ("$1.24M", "12.5 %",
"Mar 2025"). It builds configs once per result; the render layer caches them in the record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from mas.results import numbers
from mas.results.columns import ColumnMeta, header, is_change
from mas.results.kpi import Kpi
from ui.vega import time_grain

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}
_DATE_FORMATS = {
    "month": "MMM YYYY", "quarter": "[Q]Q YYYY", "date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:mm",
}


def is_fraction(values: pd.Series) -> bool:
    """Percent-named columns from typed data may hold 0.125 rather than 12.5; decide from the values."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    return not present.empty and bool(present.abs().le(1.0).all())


def column_config(table: pd.DataFrame, columns: Sequence[ColumnMeta]) -> dict[str, Any]:
    """A `column_config` for `st.dataframe`: currency, percent, integer and date formats; labels as words."""
    config: dict[str, Any] = {}
    for meta in columns:
        if meta.name not in table.columns:
            continue
        title = header(meta.name)
        if meta.format == "currency":
            config[meta.name] = st.column_config.NumberColumn(title, format=_currency_format(meta.currency))
        elif meta.format == "percent":
            # A change reads with its sign: "+21.1%", "-3.2%" (a fraction keeps the percent preset).
            fmt = "percent" if is_fraction(table[meta.name]) else "%+.1f%%" if is_change(meta) else "%.1f%%"
            config[meta.name] = st.column_config.NumberColumn(title, format=fmt)
        elif meta.format == "integer":
            config[meta.name] = st.column_config.NumberColumn(title, format="localized")
        elif meta.format in _DATE_FORMATS and pd.api.types.is_datetime64_any_dtype(table[meta.name].dtype):
            fmt = _DATE_FORMATS[time_grain(table[meta.name], meta.format)]
            if meta.format == "datetime":
                config[meta.name] = st.column_config.DatetimeColumn(title, format=fmt)
            else:
                config[meta.name] = st.column_config.DateColumn(title, format=fmt)
        elif meta.format == "year":
            config[meta.name] = st.column_config.NumberColumn(title, format="%d")
        else:
            config[meta.name] = st.column_config.Column(title)
    first = next((m for m in columns if m.name in table.columns), None)
    if first is not None and first.role != "measure" and len(config) > PINNED_FROM:
        # Wide tables scroll sideways inside their card (a phone shows two or three columns):
        # the row's name stays in view while the figures scroll.
        config[first.name]["pinned"] = True
    return config


PINNED_FROM = 3
"""Tables with more columns than this keep their first (naming) column pinned while scrolling."""


def _currency_format(currency: str | None) -> str:
    presets = {None: "dollar", "USD": "dollar", "EUR": "euro", "JPY": "yen"}
    if currency in presets:
        return presets[currency]
    return f"{_SYMBOLS.get(currency or '', currency + ' ' if currency else '')}%,.2f"


def compact(value: float) -> str:
    """Exact below 100,000 ("4,788", "12.50"); above, three significant digits: 249_000_000 → "249M".

    A KPI of 6,810 customers or a $4,788 order value reads better whole than as "6.81K".
    """
    magnitude = abs(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= max(size, 1e5) * 0.9995:
            return f"{value / size:.3g}{suffix}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"


def kpi_value(kpi: Kpi) -> str:
    """The KPI's value as the card shows it."""
    value = kpi.value
    if value is None:
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%b %Y" if kpi.format == "month" else "%Y-%m-%d")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if kpi.format == "currency":
        # The rule the answer text quotes figures by ("$249.0M"), so card and sentence agree.
        return numbers.money(value, symbol=_SYMBOLS.get(kpi.currency or "USD", ""))
    if kpi.format == "percent":
        return numbers.percent(value, signed=False)
    if kpi.format == "year":
        return str(int(value))
    return compact(value)


def kpi_delta(kpi: Kpi) -> str | None:
    """The change shown under the value: "+12.5% vs 2024" (or the absolute change when % is unknown)."""
    if kpi.delta is None:
        return None
    against = f" vs {kpi.previous_period}" if kpi.previous_period else ""
    if kpi.delta_pct is not None:
        return f"{numbers.percent(kpi.delta_pct)}{against}"
    change = Kpi(value=kpi.delta, label=kpi.label, format=kpi.format, currency=kpi.currency)
    text = kpi_value(change)
    return f"{text if text.startswith('-') else '+' + text}{against}"
