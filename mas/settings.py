"""Settings read from the environment, in one place and read lazily.

Endpoint name, timeouts and retry bounds for the streaming client. It does not decide
between demo and workspace (see `mas.endpoint.connection`) and never reads or holds a token.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from mas.errors import ConfigError

DEFAULT_ENDPOINT_NAME = "mas-3d3b5439-endpoint"


def endpoint_name_from_env() -> str:
    return os.environ.get("MAS_ENDPOINT_NAME") or DEFAULT_ENDPOINT_NAME


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class Timeouts:
    """Connect and idle-read timeouts, in seconds.

    The idle-read timeout is the longest silence tolerated between two bytes: Genie queries
    on a cold warehouse take minutes, and clients of live MAS endpoints use 120–600 s
    (shared/notes/mas-output.md §3).
    """

    connect: float = 10.0
    read: float = 300.0

    @classmethod
    def from_env(cls) -> Timeouts:
        return cls(
            connect=_float_env("MAS_CONNECT_TIMEOUT", cls.connect),
            read=_float_env("MAS_READ_TIMEOUT", cls.read),
        )


@dataclass(frozen=True)
class RetryPolicy:
    """Retries before the first byte of a successful response (429, 503, refused, reset)."""

    attempts: int = 3
    max_wait: float = 30.0
    base_wait: float = 0.5


# --- The demo's "today" (its data ends at the last complete month before it) ---


def demo_today() -> dt.date:
    """`MAS_DEMO_TODAY` (an ISO date) pins the demo's today for tests and benchmarks; else today (UTC)."""
    raw = os.environ.get("MAS_DEMO_TODAY", "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(f"MAS_DEMO_TODAY must be an ISO date such as 2026-12-01, not {raw!r}.") from exc
