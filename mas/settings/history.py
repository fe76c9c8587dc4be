"""The conversation history store's settings: MAS_HISTORY_DB, and the PG* variables of Lakebase.

`history_db_from_env()` says which store keeps conversations and pins (a SQLAlchemy URL,
Lakebase, or none); `lakebase_from_env()` reads a Databricks Apps database resource. It only
reads and validates variables: it never opens a connection or fetches a credential (see `mas.store`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mas.errors import ConfigError

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
