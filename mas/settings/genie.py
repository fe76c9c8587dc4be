"""The backend choice and the Genie Conversation API's settings: MAS_BACKEND, GENIE_*, MAS_DEMO_GENIE_*.

`backend_from_env()` picks the Supervisor endpoint or one Genie space; `GeniePolicy` holds the
Genie client's polling and rate-limit bounds. It only reads and validates variables: it never
talks to Genie (see `mas.genie`) and never decides between demo and workspace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mas.errors import ConfigError

BACKENDS = ("supervisor", "genie")


def _genie_float(name: str, default: float) -> float:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(f"{name} must be a number of seconds above 0 (got {raw!r}).")
    return value


# Genie space ids are hex strings (e.g. 01ef1fa2b3c45678…, Databricks Apps docs "Genie space"
# resource); letters, digits, '-' and '_' are accepted so that no real id is refused.
_SPACE_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def backend_from_env() -> str:
    """`MAS_BACKEND`: `supervisor` (the default: a serving endpoint) or `genie` (one Genie space)."""
    raw = (os.environ.get("MAS_BACKEND") or "supervisor").strip().lower()
    if raw not in BACKENDS:
        raise ConfigError(f"MAS_BACKEND must be supervisor or genie (got {raw!r}).")
    return raw


def genie_space_id_configured() -> bool:
    """Whether `GENIE_SPACE_ID` is set at all (the demo serves its own space when it is not)."""
    return bool((os.environ.get("GENIE_SPACE_ID") or "").strip())


def genie_space_id_from_env() -> str:
    """`GENIE_SPACE_ID`, required when MAS_BACKEND=genie; a bad or missing id is a ConfigError."""
    raw = (os.environ.get("GENIE_SPACE_ID") or "").strip()
    if not raw:
        raise ConfigError(
            "MAS_BACKEND=genie needs GENIE_SPACE_ID, the id of the Genie space to ask (the last part of "
            "its URL, …/genie/rooms/<id>); set it, or set MAS_BACKEND=supervisor."
        )
    if len(raw) > 64 or not set(raw) <= _SPACE_ID_CHARS:
        raise ConfigError(
            f"GENIE_SPACE_ID={raw[:80]!r} is not a Genie space id: it should be letters and digits only, "
            "like 01ef1fa2b3c456789abcdef012345678."
        )
    return raw


@dataclass(frozen=True)
class GeniePolicy:
    """How the Genie backend polls and queues: Genie advises polling every 1–5 s with backoff and
    giving up after about 10 minutes, and allows about 5 questions a minute per workspace on its
    free tier (shared/notes/wave2-platform.md §3.4)."""

    first_poll: float = 1.0
    max_poll: float = 5.0
    timeout: float = 600.0
    questions_per_minute: int = 5
    rate_window: float = 60.0
    max_rate_wait: float = 300.0
    """The longest wait for the rate limit before the question fails with an error."""

    @classmethod
    def from_env(cls) -> GeniePolicy:
        per_minute = os.environ.get("GENIE_QUESTIONS_PER_MINUTE") or str(cls.questions_per_minute)
        if not per_minute.strip().isdigit() or int(per_minute) < 1:
            raise ConfigError(
                f"GENIE_QUESTIONS_PER_MINUTE must be a whole number above 0 (got {per_minute!r})."
            )
        return cls(
            timeout=_genie_float("GENIE_TIMEOUT", cls.timeout),
            questions_per_minute=int(per_minute),
            rate_window=_genie_float("GENIE_RATE_WINDOW", cls.rate_window),
        )


def demo_genie_step_from_env() -> float:
    """Seconds the demo's Genie spends on each status (MAS_DEMO_GENIE_STEP, default 0.5)."""
    return _genie_float("MAS_DEMO_GENIE_STEP", 0.5)


def demo_genie_rate_limit_from_env() -> int:
    """Questions a minute the demo's Genie accepts before it answers 429 (MAS_DEMO_GENIE_RATE_LIMIT;
    default 5, as Genie's free tier)."""
    raw = (os.environ.get("MAS_DEMO_GENIE_RATE_LIMIT") or "5").strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"MAS_DEMO_GENIE_RATE_LIMIT must be a whole number above 0 (got {raw!r}).")
    return int(raw)
