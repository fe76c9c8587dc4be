"""`python -m mas.demo`: run the demo serving endpoint on 127.0.0.1 until Ctrl-C.

Prints the URL, the endpoint name and a curl example, so the emulator can be tried by hand or
used as `DATABRICKS_HOST` by another process; with `--for-parent` it prints only the URL and
stops when its stdin closes, which is how the app runs its demo (`EmulatorProcess`). It listens
on loopback only and accepts any bearer token: a local stand-in for a workspace, not a server.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Sequence

from mas.demo.server import Emulator, demo_pacing_from_env
from mas.settings import endpoint_name_from_env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mas.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--pacing",
        type=float,
        default=None,
        help="seconds between streamed events (default: MAS_DEMO_PACING or 0.03)",
    )
    parser.add_argument("--endpoint", default=None, help="endpoint name (default: MAS_ENDPOINT_NAME)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request")
    parser.add_argument(
        "--for-parent",
        action="store_true",
        help="print only the URL, then serve until stdin closes (mas.demo.server.EmulatorProcess)",
    )
    return parser


def _serve_for_parent(emulator: Emulator) -> int:
    print(emulator.url, flush=True)
    try:
        sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or exited
    except KeyboardInterrupt:  # Ctrl-C in the parent's terminal reaches its whole process group
        pass
    finally:
        emulator.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until Ctrl-C."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    pacing = demo_pacing_from_env() if args.pacing is None else args.pacing
    name = args.endpoint or endpoint_name_from_env()
    emulator = Emulator(pacing=pacing, endpoint_name=name, port=args.port)
    if args.for_parent:
        return _serve_for_parent(emulator)
    invoke = f"{emulator.url}/serving-endpoints/{name}/invocations"
    body = '{"input": [{"role": "user", "content": "Revenue by region"}], "stream": true}'
    print(f"MAS demo endpoint {name} at {emulator.url} (pacing {pacing:g} s). Ctrl-C to stop.")
    print(f"  DATABRICKS_HOST={emulator.url} DATABRICKS_TOKEN=demo python -m mas ask 'Total revenue?'")
    print(f"  curl -N -H 'Authorization: Bearer demo' {invoke} -d '{body}'")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        emulator.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
