"""The store's tables and their explicit, versioned migrations (a `schema_version` table, no autogeneration).

`migrate` brings a database up to `CURRENT_VERSION` inside one transaction and refuses one a newer
app wrote. Tables hold JSON documents (`Turn.to_dict`) beside the few columns queries need.
It does not read or write rows itself; that is `mas.store.history` and `mas.store.pins`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from mas.errors import StoreError

metadata = sa.MetaData()

schema_version = sa.Table(
    "mas_schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.Float, nullable=False),
)  # fmt: skip

conversations = sa.Table(
    "mas_conversations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(320), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("backend", sa.String(64), nullable=False, default=""),
    sa.Column("endpoint", sa.Text, nullable=False, default=""),
    sa.Column("state", sa.JSON, nullable=False, default=dict),
)  # fmt: skip

turns = sa.Table(
    "mas_turns", metadata,
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("turn_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("mas_turns_by_position", "conversation_id", "position"),
)  # fmt: skip

pins = sa.Table(
    "mas_pins", metadata,
    sa.Column("user_id", sa.String(320), primary_key=True),
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("conversation_id", sa.String(64), nullable=True),
    sa.Column("turn_id", sa.String(64), nullable=True),
    sa.Column("part_id", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("data_as_of", sa.Float, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    # A one-part turn (`Turn.to_dict`) holding the pinned tool part: the card outlives its conversation.
    sa.Column("data", sa.JSON, nullable=False),
)  # fmt: skip

_TABLES_V1 = (conversations, turns, pins)


def _v1(conn: sa.Connection) -> None:
    for table in _TABLES_V1:
        table.create(conn, checkfirst=True)


MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {1: _v1}
"""Version → the step that brings the previous version to it. Add steps; never edit a shipped one."""
CURRENT_VERSION = max(MIGRATIONS)


def installed_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)


def migrate(conn: sa.Connection, *, where: str, now: float) -> int:
    """Apply the missing migrations in the caller's transaction; return the version now installed.

    Raises `StoreError` naming `where` when the database was written by a newer app.
    """
    if conn.dialect.name == "postgresql":
        # Two app instances starting together must not both create the tables.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7264091)"))
    schema_version.create(conn, checkfirst=True)
    version = installed_version(conn)
    if version > CURRENT_VERSION:
        raise StoreError(
            f"The history in {where} was written by a newer version of the app (schema {version}); "
            f"this one reads up to {CURRENT_VERSION}. Upgrade the app, or point MAS_HISTORY_DB elsewhere."
        )
    for step in range(version + 1, CURRENT_VERSION + 1):
        MIGRATIONS[step](conn)
        conn.execute(sa.insert(schema_version).values(version=step, applied_at=now))
    return CURRENT_VERSION
