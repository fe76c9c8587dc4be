"""Runs every benchmark of issue 5 and prints one table (or JSON lines with `--json`).

Each measure lives in its own module (`p1_latency`, `p2_decode`, …) and returns `Row`s with
its baseline measured in the same process, interleaved. `--quick` keeps the whole run under
two minutes on a 2-core machine; `--only P2,P4` picks measures. Nothing here asserts: the
figures are printed, and the README and the closing notes carry them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import Row  # noqa: E402

MEASURES = {
    "P1": "bench.p1_latency",
    "P2": "bench.p2_decode",
    "P3": "bench.p3_rerun",
    "P4": "bench.p4_results",
    "P5": "bench.p5_api",
    "P6": "bench.p6_startup",
    "P7": "bench.p7_browser",
    "P2T": "bench.p2_trace",
    "P10": "bench.p10_genie",
    "P8": "bench.p8_reopen",
    "P9": "bench.p9_store_cpu",
    "P11": "bench.p11_figures",
    "R": "bench.resilience",
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _table(rows: list[Row]) -> str:
    head = f"{'id':<10} {'value':>12} {'unit':<9} {'baseline':>12} {'ratio':>7}  {'met':<4} measure / target"
    lines = [head, "-" * len(head)]
    for r in rows:
        met = "—" if r.met is None else ("yes" if r.met else "NO")
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(
            f"{r.id:<10} {_fmt(r.value):>12} {r.unit:<9} {_fmt(r.baseline):>12} {ratio:>7}  {met:<4} "
            f"{r.measure}  [{r.target}]" + (f"  vs {r.baseline_name}" if r.baseline_name else "")
        )
        if r.extra:
            lines.append(" " * 11 + ", ".join(f"{k}={v}" for k, v in r.extra.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--quick", action="store_true", help="fewer repeats: the whole run under two minutes")
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. P1,P4")
    args = parser.parse_args(argv)
    # One demo data window for every run, so figures compare across months (its processes inherit it).
    os.environ.setdefault("MAS_DEMO_TODAY", "2026-01-01")
    wanted = [m.strip().upper() for m in args.only.split(",") if m.strip()] or list(MEASURES)
    rows: list[Row] = []
    failed = 0
    for key in wanted:
        started = time.perf_counter()
        try:
            module = importlib.import_module(MEASURES[key])
            new = module.run(quick=args.quick)
        except Exception as exc:  # a broken measure is reported as such; the others still run
            failed += 1
            new = [Row(id=key, measure=f"FAILED: {type(exc).__name__}: {exc}", value=float("nan"), unit="")]
        rows.extend(new)
        if args.json:
            for row in new:
                print(json.dumps(row.as_json()), flush=True)
        else:
            print(f"[{key} took {time.perf_counter() - started:.1f} s]", file=sys.stderr, flush=True)
    if not args.json:
        print(
            f"machine: {platform.node()} · {platform.machine()} · {platform.python_version()} · "
            f"{_cpus()} cores · quick={args.quick}"
        )
        print(_table(rows))
    return 1 if failed else 0


def _cpus() -> int:
    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main())
