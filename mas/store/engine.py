"""SQLAlchemy engines for the history store: a SQLite file, a Postgres URL, or Lakebase with minted passwords.

Lakebase passwords are OAuth tokens that last an hour and are checked only at login, so a fresh one
is minted for every new pooled connection (the `do_connect` event) and connections are recycled
well before the hour (shared/notes/wave2-platform.md §1.3). This module builds engines and names
them for messages (passwords redacted); it does not define tables or run queries.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from mas.errors import StoreError
from mas.settings import HistoryDb, LakebaseSettings

logger = logging.getLogger(__name__)

RECYCLE_SECONDS = 45 * 60
"""A pooled Postgres connection is replaced after this long: below Lakebase's one-hour token."""
CONNECT_TIMEOUT_SECONDS = 5
"""How long a Postgres login may take before the store counts as unreachable (the chat must not hang)."""
SQLITE_BUSY_SECONDS = 5.0


@dataclass(frozen=True)
class StoreEngine:
    engine: sa.Engine
    where: str
    """What to name in messages: the SQLite file, or the Postgres URL without its password."""
    is_file: bool


_PASSWORD = re.compile(r"(?<=://)([^:/@]*):[^@/]*@")


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for logs and messages."""
    return _PASSWORD.sub(r"\1:***@", url)


def open_engine(
    target: HistoryDb, *, mint: Callable[[], str] | None = None, base_dir: Path | None = None
) -> StoreEngine:
    """An engine for `target` (not yet connected). `mint` gives a Lakebase password; relative SQLite
    paths resolve against `base_dir` (default: the working directory). Raises `StoreError`."""
    if target.kind == "sqlite" and target.url is not None:
        return _sqlite(target.url, base_dir=base_dir or Path.cwd())
    if target.kind == "postgresql" and target.url is not None:
        return _postgres(target.url)
    if target.kind == "lakebase" and target.lakebase is not None:
        if mint is None:
            raise StoreError("The Lakebase history store needs a way to mint its password.")
        return _lakebase(target.lakebase, mint)
    raise StoreError(f"No history store is configured (MAS_HISTORY_DB={target.kind}).")


def _sqlite(raw: str, *, base_dir: Path) -> StoreEngine:
    url = make_url(raw)
    database = url.database or ""
    if not database or database == ":memory:":
        raise StoreError("MAS_HISTORY_DB must name a SQLite file (sqlite:///path/to/history.db).")
    if url.query.get("uri") == "true":
        # sqlite:///file:/path/x.db?mode=ro&uri=true: SQLite's own URI, passed through.
        where = database.split("?", 1)[0].removeprefix("file:")
    else:
        path = Path(database).expanduser()
        path = path if path.is_absolute() else base_dir / path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Could not create the folder for the history file {path}: {exc.strerror}."
            ) from exc
        url = url.set(database=str(path))
        where = str(path)
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}, pool_pre_ping=True
    )
    writable = url.query.get("mode") != "ro"

    @sa.event.listens_for(engine, "connect")
    def _durable_enough(dbapi_connection: Any, connection_record: Any) -> None:
        # WAL with synchronous=NORMAL: a commit is a write to the log, not an fsync, and survives a
        # crash or kill -9 of the app (only a power loss can drop the last commits). SQLite docs, "WAL".
        cursor = dbapi_connection.cursor()
        try:
            if writable:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            # A corrupt file: the first statement reports it, worded, through the store.
            logger.debug("[STORE] SQLite pragmas not applied: %s", exc)
        finally:
            cursor.close()

    return StoreEngine(engine=engine, where=where, is_file=True)


def _postgres(raw: str) -> StoreEngine:
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, **_pg_options())
    return StoreEngine(engine=engine, where=redact(url.render_as_string(hide_password=True)), is_file=False)


def _lakebase(settings: LakebaseSettings, mint: Callable[[], str]) -> StoreEngine:
    query = {"sslmode": settings.sslmode}
    if settings.appname:
        query["application_name"] = settings.appname
    url = URL.create(
        "postgresql+psycopg", username=settings.user, host=settings.host, port=settings.port,
        database=settings.database, query=query,
    )  # fmt: skip
    engine = sa.create_engine(url, **_pg_options())

    @sa.event.listens_for(engine, "do_connect")
    def _fresh_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        # Called for every new DBAPI connection only (not per checkout): one token per login.
        cparams["password"] = mint()

    return StoreEngine(engine=engine, where=f"Lakebase {settings.host}/{settings.database}", is_file=False)


def _pg_options() -> dict[str, Any]:
    return {
        "pool_pre_ping": True,  # a server restarted mid-session: stale connections are replaced, not used
        "pool_recycle": RECYCLE_SECONDS,
        "pool_size": 5,
        "max_overflow": 5,
        "pool_timeout": CONNECT_TIMEOUT_SECONDS,
        "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    }
