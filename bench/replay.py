"""A replay upstream for the benches: a serving endpoint in its own process that replays one recorded answer.

`python -m bench.replay RECORDING` serves every question with the recorded ResponsesAgent events
(parsed once, no DuckDB, optionally paced), prints its URL and stops when its stdin closes, so what a
bench measures in the app process is the app's own cost. `record()` makes the recording: an
answer of ~200 events in the shape live MAS endpoints send (see `bench.p2_decode`).
It measures nothing itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

ROOT = Path(__file__).resolve().parent.parent
ENDPOINT = "mas-replay-endpoint"
TOKEN_CHARS = 4  # about one model token


def record(path: Path, *, events: int = 200) -> int:
    """Write a ResponsesAgent answer of about `events` events as JSON lines; returns the count.

    The shape of P2's recorded stream (word-sized text deltas, Genie calls whose outputs carry
    SQL and a 200-row table), cut to a typical answer's length.
    """
    from bench.p2_decode import _turn

    out: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": "resp_1", "output": []}}]
    n = 0
    while len(out) < events - 1:
        out += list(_turn(n))
        n += 1
    out = [*out[: events - 1], {"type": "response.completed", "response": {"id": "resp_1"}}]
    path.write_text("".join(json.dumps(e) + "\n" for e in out), encoding="utf-8")
    return len(out)


class Replay:
    """A `Responder` that answers every question with the recorded events."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return iter(self.events)


@contextmanager
def replay_upstream(recording: Path, *, pacing: float = 0.0) -> Iterator[str]:
    """The replay endpoint in a child process, `pacing` seconds between events; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.replay", str(recording), repr(pacing)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        stdout = cast(IO[bytes], process.stdout)
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(60)
        url = lines[0].decode().strip() if lines else ""
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the replay upstream did not start (first line {url!r})")
        yield url
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def main(argv: list[str]) -> int:
    from mas.demo.server import Emulator

    lines = Path(argv[0]).read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines if line.strip()]
    pacing = float(argv[1]) if len(argv) > 1 else 0.0
    with Emulator(responder=Replay(events), endpoint_name=ENDPOINT, pacing=pacing) as emulator:
        print(emulator.url, flush=True)
        sys.stdin.buffer.read()  # until the bench closes our stdin
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
