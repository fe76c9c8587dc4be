"""Settings read from the environment, in one place and read lazily.

Endpoint name, timeouts and retry bounds for the streaming client. It does not decide
between demo and workspace (see `mas.endpoint.connection`) and never reads or holds a token.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

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


# --- Demo answer style and feedback identity -------------------------------------------------

DemoStyle = Literal["live", "classic"]
DEMO_STYLES: tuple[DemoStyle, ...] = ("live", "classic")
DEFAULT_DEMO_STYLE: DemoStyle = "live"


def demo_style_from_env() -> DemoStyle:
    """MAS_DEMO_STYLE: "live" answers like a live Supervisor (`genie-<id>` tools, table-only Genie
    outputs, `<name>` markers, SQL only in the trace); "classic" puts the SQL in the tool output."""
    raw = (os.environ.get("MAS_DEMO_STYLE") or DEFAULT_DEMO_STYLE).strip().lower()
    for style in DEMO_STYLES:
        if raw == style:
            return style
    raise ConfigError(f"MAS_DEMO_STYLE={raw!r} is not a demo style; use one of: {', '.join(DEMO_STYLES)}.")


FeedbackIdentity = Literal["app", "user"]


def feedback_identity_from_env() -> FeedbackIdentity:
    """MAS_FEEDBACK_AS: who posts votes to MLflow, "app" (its service principal, the default: users
    rarely may edit the Supervisor's experiment) or "user"; the vote names the user either way."""
    raw = (os.environ.get("MAS_FEEDBACK_AS") or "app").strip().lower()
    if raw == "app":
        return "app"
    if raw == "user":
        return "user"
    raise ConfigError(f"MAS_FEEDBACK_AS={raw!r} is not understood; use app or user.")
