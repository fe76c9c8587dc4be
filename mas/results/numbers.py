"""How a figure is written, one rule for the answer text and the KPI card: "$249.0M", "$1.23B",
"$845.2K", "$4,788", "$999.50", "+18.4%".

Money at a million or more keeps one decimal (two below ten billion), so the card reads as the
sentence that quotes it; from a thousand to a hundred thousand it is whole, below that to the
cent. The demo's wording and `ui.formats` both call these; neither keeps a rule of its own.
"""

from __future__ import annotations

from decimal import Decimal

Number = Decimal | float | int


def money(value: Number, *, symbol: str = "$") -> str:
    """$1.23B, $12.3M, $845.2K, $4,788, $999.50 — the way revenue figures are quoted."""
    number = float(value)
    sign = "-" if number < 0 else ""
    size = abs(number)
    # (from, divisor, suffix): thousands get a K only from 100K; 0.99995 lets 999.96M read $1.00B.
    for start, divisor, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e5, 1e3, "K")):
        if size >= start * 0.99995:
            scaled = size / divisor
            digits = 2 if scaled < 10 and suffix == "B" else 1
            return f"{sign}{symbol}{scaled:,.{digits}f}{suffix}"
    if size >= 1000:
        return f"{sign}{symbol}{size:,.0f}"
    return f"{sign}{symbol}{size:,.2f}"


def percent(value: Number, *, signed: bool = True) -> str:
    """+18.4% / -3.0% (signed) or 42.1%."""
    number = float(value)
    return f"{number:+.1f}%" if signed else f"{number:.1f}%"
