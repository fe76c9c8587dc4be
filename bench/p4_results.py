"""P4: a 200,000-row × 8-column Genie result (statement-response JSON) → typed DataFrame + chart data.

Ours is the whole path the UI takes: `parse_tool_output` on the JSON string (typing every
column by `type_name`, roles and formats), the default chart's data, and the capped frame
that goes to the browser. Baseline, interleaved: `pandas.DataFrame(json.loads(...))` of the
same payload's rows (untyped strings). Peak memory is traced for ours alone.
"""

from __future__ import annotations

import json
import random
import tracemalloc

from bench.measure import Row, interleaved, median, timed

_COLUMNS = [
    ("order_date", "DATE"),
    ("region", "STRING"),
    ("country", "STRING"),
    ("channel", "STRING"),
    ("category", "STRING"),
    ("units", "LONG"),
    ("net_revenue", "DECIMAL"),
    ("discount_pct", "DOUBLE"),
]


def statement_payload(rows: int = 200_000) -> str:
    rng = random.Random(7)
    regions = ["EMEA", "AMER", "APAC", "LATAM"]
    data = [
        [
            f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            regions[i % 4],
            f"C{i % 40}",
            ("Online", "Retail")[i % 2],
            f"Cat{i % 9}",
            str(rng.randint(1, 50)),
            f"{rng.uniform(10, 5000):.2f}",
            None if i % 97 == 0 else f"{rng.random():.3f}",
        ]
        for i in range(rows)
    ]
    return json.dumps(
        {
            "query": "SELECT * FROM orders",
            "statement_response": {
                "status": {"state": "SUCCEEDED"},
                "manifest": {
                    "schema": {
                        "columns": [
                            {"name": n, "type_name": t, "position": i} for i, (n, t) in enumerate(_COLUMNS)
                        ]
                    },
                    "total_row_count": rows,
                    "truncated": False,
                },
                "result": {"data_array": data},
            },
        }
    )


def _ours(payload: str) -> tuple[int, int]:
    from mas.results.charts import choose_chart
    from mas.results.export import display_frame
    from mas.results.toolresult import parse_tool_output

    result = parse_tool_output(payload)
    assert result.table is not None
    choose_chart(result.table, result.columns)
    shown, count, _total = display_frame(result.table)
    return count, len(shown)


def _baseline(payload: str) -> None:
    import pandas as pd

    body = json.loads(payload)["statement_response"]
    pd.DataFrame(
        body["result"]["data_array"], columns=[c["name"] for c in body["manifest"]["schema"]["columns"]]
    )


def run(*, quick: bool) -> list[Row]:
    payload = statement_payload()
    ours, base = interleaved(
        lambda: timed(lambda: _ours(payload)),
        lambda: timed(lambda: _baseline(payload)),
        repeats=3 if quick else 7,
    )
    tracemalloc.start()
    sent, _ = _ours(payload)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = len(payload.encode())
    seconds = median(ours)
    return [
        Row(
            id="P4",
            measure="200k×8 statement JSON → typed DataFrame + chart data",
            value=round(seconds, 3),
            unit="s",
            baseline=round(median(base), 3),
            baseline_name="pandas.DataFrame(json.loads(...))",
            target="≤ 1.5 s; peak ≤ 5× payload; ≤ 10,000 rows to the browser",
            met=seconds <= 1.5 and peak <= 5 * size and sent <= 10_000,
            extra={
                "payload_mb": round(size / 1e6, 1),
                "peak_mb": round(peak / 1e6, 1),
                "peak_x_payload": round(peak / size, 2),
                "rows_to_browser": sent,
            },
        ),
    ]
