"""P11: the number check on an answer with 30 figures against a 10,000-row × 8-column result.

Ours is `mas.figures.unsupported` over the parsed table: 20 figures the table supports (cells,
a total, a difference, a percent change, shares) and 10 it does not, which cost the most since
every kind of evidence is tried. Baseline, interleaved: `parse_tool_output` of the same table's
statement JSON (what the app already spends on the result). A second row runs the worst case, all
eight columns numeric measures, so every within-row pair is built.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from bench.measure import Row, interleaved, median, timed
from bench.p4_results import statement_payload

ROWS = 10_000


def _answer(table: pd.DataFrame) -> str:
    """30 figures written as an analyst would: 20 from the table, 10 made up."""
    rng = random.Random(11)
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c].dtype)]
    parts: list[str] = []
    for i in range(14):
        column = numeric[i % len(numeric)]
        parts.append(f"one row had ${float(table[column].iloc[rng.randrange(ROWS)]):,.2f}")
    first = numeric[0]
    total = float(table[first].sum())
    a, b = float(table[first].iloc[100]), float(table[first].iloc[101])
    parts += [
        f"in all ${total / 1e6:.2f}M",
        f"{len(table):,} rows",
        f"a gap of {abs(a - b):,.2f}",
        f"a {abs(b - a) / abs(a) * 100:.1f}% change",
        f"the mean was {float(table[first].mean()):,.1f}",
        f"one share {float(table[first].iloc[0]) / total * 100:.4f}%",
    ]
    parts += [f"a made-up ${rng.uniform(1e9, 9e9) / 1e9:.3f}B" for _ in range(5)]
    parts += [f"and {rng.uniform(1e6, 9e6):,.0f} units" for _ in range(5)]
    return "; ".join(parts) + "."


def _wide() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({f"measure_{i}": rng.uniform(10, 5000, ROWS).round(2) for i in range(8)})


def _row(rid: str, measure: str, table: pd.DataFrame, payload: str, *, quick: bool) -> Row:
    from mas.figures import figures, unsupported
    from mas.results.toolresult import parse_tool_output

    text = _answer(table)
    count = len(figures(text))
    flagged = len(unsupported(text, [table]))
    ours, base = interleaved(
        lambda: timed(lambda: unsupported(text, [table])),
        lambda: timed(lambda: parse_tool_output(payload)),
        repeats=5 if quick else 15,
    )
    ms = median(ours) * 1000
    return Row(
        id=rid,
        measure=measure,
        value=round(ms, 2),
        unit="ms",
        baseline=round(median(base) * 1000, 2),
        baseline_name="parse_tool_output of the same table",
        target="≤ 50 ms",
        met=ms <= 50,
        extra={"figures": count, "flagged": flagged},
    )


def _payload_of(table: pd.DataFrame) -> str:
    import json

    columns = [{"name": c, "type_name": "DOUBLE", "position": i} for i, c in enumerate(table.columns)]
    rows = [[str(v) for v in row] for row in table.itertuples(index=False)]
    manifest = {"schema": {"columns": columns}, "total_row_count": len(rows)}
    return json.dumps({"statement_response": {"manifest": manifest, "result": {"data_array": rows}}})


def run(*, quick: bool) -> list[Row]:
    from mas.results.toolresult import parse_tool_output

    payload = statement_payload(ROWS)
    parsed = parse_tool_output(payload).table
    assert parsed is not None
    wide = _wide()
    return [
        _row("P11", "number check: 30 figures vs 10k×8 result (3 measures)", parsed, payload, quick=quick),
        _row(
            "P11-wide",
            "number check: 30 figures vs 10k×8, all measures",
            wide,
            _payload_of(wide),
            quick=quick,
        ),
    ]
