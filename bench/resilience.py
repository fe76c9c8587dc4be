"""Resilience figures beside the speed: fault cases covered, and generated streams survived.

It runs the real test suite's fault tests (client, emulator, API, HTTP wording, stream
quirks) and counts what passed by category, then runs the property-based decoder tests with
`MAS_HYPOTHESIS_EXAMPLES` raised (10,000 per property; 1,000 with `--quick`) and sums the
passing examples Hypothesis reports. Figures only: failures show as such, nothing is hidden.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.measure import Row

ROOT = Path(__file__).resolve().parent.parent
FAULT_FILES = [
    "tests/test_client.py",
    "tests/test_server.py",
    "tests/test_api.py",
    "tests/test_http_errors.py",
    "tests/test_decode.py",
    "tests/test_preflight.py",
]
CATEGORIES = {
    "http_status": r"40[0-9]|41[0-9]|429|50[0-9]|status|http|html|retry|rate",
    "drop": r"cut|reset|refused|drop|disconnect|close|broke|truncat",
    "stall": r"stall|timeout|idle|slow|silent",
    "malformed": r"malformed|invalid|garbage|not_json|not_sse|bad|empty|arbitrary",
    "wire_quirk": r"\.sse",
}
PROPERTY_TESTS = ["tests/test_decode.py", "tests/test_sse.py", "tests/test_normalize.py"]


def _pytest(args: list[str], *, env: dict[str, str] | None = None) -> str:
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", *args]
    done = subprocess.run(
        cmd, cwd=ROOT, env=env or dict(os.environ), capture_output=True, text=True, timeout=1800
    )
    return done.stdout


def fault_cases() -> tuple[dict[str, int], int, int]:
    out = _pytest(FAULT_FILES)
    passed = re.findall(r"^PASSED (\S+)", out, re.M)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
    counts = {name: sum(1 for t in passed if re.search(rx, t, re.I)) for name, rx in CATEGORIES.items()}
    faulty = sum(1 for t in passed if any(re.search(rx, t, re.I) for rx in CATEGORIES.values()))
    return counts, faulty, len(failed)


def generated_streams(examples: int) -> tuple[int, int]:
    env = {**os.environ, "MAS_HYPOTHESIS_EXAMPLES": str(examples)}
    out = _pytest(
        [*PROPERTY_TESTS, "-k", "never or split or chunking or anywhere", "--hypothesis-show-statistics"],
        env=env,
    )
    passing = sum(int(n) for n in re.findall(r"(\d+) passing examples", out))
    failing = sum(int(n) for n in re.findall(r"(\d+) failing examples", out))
    return passing, failing


def run(*, quick: bool) -> list[Row]:
    counts, faults, failed = fault_cases()
    passing, failing = generated_streams(1_000 if quick else 10_000)
    return [
        Row(
            id="R1",
            measure="fault cases in the test suite that pass",
            value=faults,
            unit="cases",
            target="all pass",
            met=failed == 0,
            extra={**counts, "failed": failed},
        ),
        Row(
            id="R2",
            measure="generated streams through the decoder without an exception",
            value=passing,
            unit="examples",
            target="0 failing; ≥ 10,000 per property in the full run",
            met=failing == 0,
            extra={"failing": failing, "per_property": 1_000 if quick else 10_000},
        ),
    ]
