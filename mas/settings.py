"""Every setting the app reads from its environment, validated in one place and read afresh each call.

`settings()` reads the environment now and returns a frozen `Settings`, or raises a
`SettingError` (a `ConfigError`) whose one sentence names the variable and what it accepts.
`Timeouts` and `RetryPolicy` are the streaming client's bounds. This module never decides
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

from mas.errors import ConfigError, SettingError

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


# --- Conversation history store (MAS_HISTORY_DB, and Lakebase's PG* variables) --------------------

HISTORY_DB_DEFAULT = "sqlite:///data/history.db"
"""Where history goes when nothing says otherwise: a SQLite file under the working directory."""


@dataclass(frozen=True)
class LakebaseSettings:
    """The Postgres a Databricks Apps database resource injects (PG*), its password an OAuth token.

    `endpoint` (PGENDPOINT, `projects/…/branches/…/endpoints/…`) selects Lakebase Autoscaling;
    else `instance_name` (LAKEBASE_INSTANCE_NAME) a Provisioned instance's credential API; with
    neither, a Provisioned `database` resource is logged into with the app's own OAuth token.
    """

    host: str
    port: int
    user: str
    database: str
    sslmode: str = "require"
    appname: str | None = None
    endpoint: str | None = None
    instance_name: str | None = None


@dataclass(frozen=True)
class HistoryDb:
    """Which store keeps conversations and pins: a SQLAlchemy URL, Lakebase, or none at all."""

    kind: str
    """"sqlite", "postgresql", "lakebase" or "none"."""
    url: str | None = None
    lakebase: LakebaseSettings | None = None


def history_db_from_env() -> HistoryDb:
    """MAS_HISTORY_DB if set (a sqlite:/// or postgresql:// URL, or `none`); else Lakebase when PGHOST is
    set; else the default SQLite file. Raises `ConfigError` naming the variable that cannot work."""
    from mas.errors import ConfigError

    raw = (os.environ.get("MAS_HISTORY_DB") or "").strip()
    if raw.lower() == "none":
        return HistoryDb(kind="none")
    if raw:
        scheme = raw.split(":", 1)[0].lower()
        if scheme.startswith("sqlite"):
            return HistoryDb(kind="sqlite", url=raw)
        if scheme.startswith(("postgresql", "postgres")):
            return HistoryDb(kind="postgresql", url=raw)
        raise ConfigError(
            "MAS_HISTORY_DB must be a sqlite:///path.db or postgresql://user:password@host:port/db URL, "
            f"or none; got a {scheme!r} URL."
        )
    if os.environ.get("PGHOST"):
        return HistoryDb(kind="lakebase", lakebase=lakebase_from_env())
    return HistoryDb(kind="sqlite", url=HISTORY_DB_DEFAULT)


def lakebase_from_env() -> LakebaseSettings:
    """The PG* variables of a Lakebase app resource; `ConfigError` naming the first that is missing or bad."""
    from mas.errors import ConfigError

    def need(name: str) -> str:
        value = (os.environ.get(name) or "").strip()
        if not value:
            raise ConfigError(f"{name} must be set for the Lakebase history store (PGHOST is set).")
        return value

    raw_port = (os.environ.get("PGPORT") or "5432").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ConfigError(f"PGPORT must be a port number, got {raw_port!r}.")
    endpoint = (os.environ.get("PGENDPOINT") or "").strip() or None
    instance = (os.environ.get("LAKEBASE_INSTANCE_NAME") or "").strip() or None
    if endpoint is not None and not endpoint.startswith("projects/"):
        raise ConfigError(f"PGENDPOINT must be a projects/…/branches/…/endpoints/… path, got {endpoint!r}.")
    return LakebaseSettings(
        host=need("PGHOST"),
        port=int(raw_port),
        user=need("PGUSER"),
        database=need("PGDATABASE"),
        sslmode=(os.environ.get("PGSSLMODE") or "require").strip(),
        appname=(os.environ.get("PGAPPNAME") or "").strip() or None,
        endpoint=endpoint,
        instance_name=instance,
    )


# --- Backend choice and the Genie Conversation API --------------------------------------------

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
