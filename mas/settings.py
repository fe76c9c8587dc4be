"""Settings read from the environment, in one place and read lazily.

Endpoint name, timeouts and retry bounds for the streaming client. It does not decide
between demo and workspace (see `mas.endpoint.connection`) and never reads or holds a token.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

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
