"""Starts the app as users do, `streamlit run streamlit_app.py`, on a free loopback port, for the benches.

One place for spawning the server, waiting for `/_stcore/health` and stopping it, in demo mode
with no pacing unless told otherwise. It measures nothing itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_ENV = {"MAS_DEMO": "1", "MAS_DEMO_PACING": "0"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=0.5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def spawn(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its URL, right after spawning (not yet healthy)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, *, limit: float = 60.0) -> None:
    deadline = time.perf_counter() + limit
    while not healthy(url):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"streamlit did not become healthy within {limit} s")
        time.sleep(0.02)


@contextmanager
def serve_app(env: dict[str, str] | None = None) -> Iterator[str]:
    """A healthy app in demo mode (no pacing); yields its URL and stops it afterwards."""
    proc, url = spawn({**DEMO_ENV, **(env or {})})
    try:
        wait_healthy(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
