"""Every setting the app reads from its environment, validated in one place and read afresh each call.

`settings()` reads the environment now and returns a frozen `Settings`, or raises a
`SettingError` (a `ConfigError`) whose one sentence names the variable and what it accepts.
`Timeouts` and `RetryPolicy` are the streaming client's bounds; the history store's and Genie's
settings live in `mas.settings.history` and `mas.settings.genie`, re-exported here. This package never decides
between demo and workspace (see `mas.endpoint.connection`) and never reads or holds a token.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mas.errors import SettingError
from mas.settings.genie import (
    BACKENDS,
    GeniePolicy,
    backend_from_env,
    demo_genie_rate_limit_from_env,
    demo_genie_step_from_env,
    genie_space_id_configured,
    genie_space_id_from_env,
)
from mas.settings.history import (
    HISTORY_DB_DEFAULT,
    HistoryDb,
    LakebaseSettings,
    history_db_from_env,
    lakebase_from_env,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_DEMO_PACING",
    "DEFAULT_ENDPOINT_NAME",
    "HISTORY_DB_DEFAULT",
    "DemoStyle",
    "FeedbackIdentity",
    "GeniePolicy",
    "HistoryDb",
    "LakebaseSettings",
    "RetryPolicy",
    "Settings",
    "Timeouts",
    "backend_from_env",
    "databricks_env_digest",
    "demo_genie_rate_limit_from_env",
    "demo_genie_step_from_env",
    "demo_style_from_env",
    "demo_today",
    "endpoint_name_from_env",
    "feedback_identity_from_env",
    "genie_space_id_configured",
    "genie_space_id_from_env",
    "history_db_from_env",
    "lakebase_from_env",
    "settings",
]

DEFAULT_ENDPOINT_NAME = "mas-3d3b5439-endpoint"
DEFAULT_DEMO_PACING = 0.03  # seconds between the demo's events: about a model's pace

_SECONDS = "a number of seconds"


def _env(name: str, default: Any, accepts: str, **constraints: Any) -> Any:
    """A field read from variable `name`; `accepts` ends the sentence of a bad value ("… must be …")."""
    return Field(default, validation_alias=name, description=accepts, **constraints)


class Settings(BaseSettings):
    """The app's environment, as read at one moment. Add a setting: one `_env(...)` line in a block.

    Empty variables count as unset (`env_ignore_empty`), as `VAR= command` means "no value" to
    a shell user; names are case-sensitive, as the environment is on Linux.
    """

    model_config = SettingsConfigDict(
        frozen=True, case_sensitive=True, env_ignore_empty=True, extra="ignore", populate_by_name=False
    )

    # The endpoint and who asks it.
    endpoint_name: str = _env("MAS_ENDPOINT_NAME", DEFAULT_ENDPOINT_NAME, "a serving endpoint name")
    auth: Literal["user", "app", "auto"] = _env("MAS_AUTH", "auto", "one of user, app or auto")
    user_api_scopes: str | None = _env(
        "MAS_USER_API_SCOPES", None, "a list of OAuth scopes separated by spaces or commas"
    )

    # Timeouts of the streaming client and the SSE API.
    connect_timeout: float = _env("MAS_CONNECT_TIMEOUT", 10.0, f"{_SECONDS} greater than 0", gt=0)
    # The longest silence tolerated between two bytes: Genie queries on a cold warehouse take
    # minutes, and clients of live MAS endpoints use 120–600 s (shared/notes/mas-output.md §3).
    read_timeout: float = _env("MAS_READ_TIMEOUT", 300.0, f"{_SECONDS} greater than 0", gt=0)
    sse_keepalive: float = _env("MAS_SSE_KEEPALIVE", 15.0, f"{_SECONDS} greater than 0", gt=0)

    # The embedded demo.
    demo: bool = _env("MAS_DEMO", False, "one of 1, true, yes, on (the demo) or 0, false, no, off")
    demo_pacing: float = _env("MAS_DEMO_PACING", DEFAULT_DEMO_PACING, f"{_SECONDS}, 0 or more", ge=0)
    demo_data_dir: Path | None = _env("MAS_DEMO_DATA_DIR", None, "a folder path")
    # The demo's today: its data ends at the last complete month before it (tests and benchmarks pin it).
    demo_today: dt.date | None = _env("MAS_DEMO_TODAY", None, "an ISO date such as 2026-12-01")

    # Databricks' own variables, as far as the app reads them itself (the SDK reads the rest).
    databricks_host: str | None = _env("DATABRICKS_HOST", None, "a workspace URL")
    databricks_config_profile: str | None = _env("DATABRICKS_CONFIG_PROFILE", None, "a profile name")
    databricks_config_file: Path = _env("DATABRICKS_CONFIG_FILE", Path("~/.databrickscfg"), "a file path")
    databricks_app_name: str | None = _env("DATABRICKS_APP_NAME", None, "an app name")

    # The demo's answer style and who posts feedback (a block of its own).
    # "live": shaped like a live Supervisor (`genie-<id>` tools, table-only Genie outputs, `<name>`
    # markers, SQL only in the MLflow trace); "classic": the SQL and description in the tool output.
    demo_style: Literal["live", "classic"] = _env("MAS_DEMO_STYLE", "live", "one of live or classic")
    # Who posts votes to MLflow: the app (its service principal; users rarely may edit the
    # Supervisor's experiment) or the user; the vote names the user either way.
    feedback_as: Literal["app", "user"] = _env("MAS_FEEDBACK_AS", "app", "one of app or user")

    # The terminal (no-color.org: any non-empty value turns colour off).
    no_color: str | None = _env("NO_COLOR", None, "any text (colour off) or empty")

    @field_validator("auth", "demo_style", "feedback_as", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "demo", "connect_timeout", "read_timeout", "sse_keepalive", "demo_pacing", "demo_today", mode="before"
    )
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @property
    def declared_scopes(self) -> set[str] | None:
        """The app's user_api_scopes as app.yaml passes them, if known."""
        raw = self.user_api_scopes
        return set(raw.replace(",", " ").split()) if raw else None


def _sentence(error: ValidationError) -> str:
    """One sentence for the first bad variable: its name, what it accepts, what it was."""
    first = error.errors(include_url=False)[0]
    name = str(first["loc"][0]) if first["loc"] else "a setting"
    accepts = next(
        (f.description for f in Settings.model_fields.values() if f.validation_alias == name), None
    )
    got = first.get("input")
    shown = f" (got {got.strip() if isinstance(got, str) else got!r})" if got is not None else ""
    return f"{name} must be {accepts or 'valid'}{shown}."


_NAMES = tuple(str(f.validation_alias) for f in Settings.model_fields.values())


def settings() -> Settings:
    """The settings as the environment holds them now. Raises `SettingError` on a bad value.

    Validating costs ~0.5 ms, so the result is kept per distinct value of the variables read:
    a changed environment (a test's monkeypatch, a re-configured process) is read anew.
    """
    return _validated(tuple(os.environ.get(name) for name in _NAMES))


@functools.lru_cache(maxsize=8)
def _validated(values: tuple[str | None, ...]) -> Settings:
    # `values` is only the cache key: pydantic-settings reads the same variables itself.
    del values
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingError(_sentence(exc)) from None


def databricks_env_digest() -> str:
    """A digest of every DATABRICKS_* variable (the SDK's auth environment), revealing none of them.

    A cache key for clients built from the environment: a changed environment gets a new client.
    """
    names = sorted(name for name in os.environ if name.startswith("DATABRICKS_"))
    material = "\0".join(f"{name}={os.environ[name]}" for name in names)
    return hashlib.sha256(material.encode()).hexdigest()


def endpoint_name_from_env() -> str:
    return settings().endpoint_name


@dataclass(frozen=True)
class Timeouts:
    """Connect and idle-read timeouts, in seconds (`MAS_CONNECT_TIMEOUT`, `MAS_READ_TIMEOUT`)."""

    connect: float = 10.0
    read: float = 300.0

    @classmethod
    def from_env(cls) -> Timeouts:
        current = settings()
        return cls(connect=current.connect_timeout, read=current.read_timeout)


@dataclass(frozen=True)
class RetryPolicy:
    """Retries before the first byte of a successful response (429, 503, refused, reset)."""

    attempts: int = 3
    max_wait: float = 30.0
    base_wait: float = 0.5


def demo_today() -> dt.date:
    """`MAS_DEMO_TODAY` if set, else the real date (UTC): where the demo's data window ends."""
    return settings().demo_today or dt.datetime.now(dt.UTC).date()


DemoStyle = Literal["live", "classic"]
FeedbackIdentity = Literal["app", "user"]


def demo_style_from_env() -> DemoStyle:
    """MAS_DEMO_STYLE: how the embedded demo shapes its answers (live, the default, or classic)."""
    return settings().demo_style


def feedback_identity_from_env() -> FeedbackIdentity:
    """MAS_FEEDBACK_AS: whose token posts votes to the answer's MLflow trace (app, the default, or user)."""
    return settings().feedback_as
