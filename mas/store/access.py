"""The database access every history-store table shares: one pooled engine, transactions, failure wording.

`StoreAccess` opens a transaction per call and turns any SQLAlchemy failure into a `StoreError`
sentence naming the store (a corrupt SQLite file, a read-only disk, a refused login). It reads and
writes no table itself; conversations are `mas.store.history`, pins `mas.store.pins`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from mas.errors import StoreError
from mas.store.engine import StoreEngine, redact


class StoreAccess:
    """One history database's engine and its transactions. Thread-safe (a pooled engine)."""

    def __init__(self, engine: StoreEngine) -> None:
        self._engine = engine.engine
        self.where = engine.where
        self._is_file = engine.is_file

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _tx(self, action: str) -> Iterator[sa.Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(self._explain(exc, action)) from exc

    def _explain(self, exc: SQLAlchemyError, action: str) -> str:
        orig: Any = getattr(exc, "orig", None) or exc.__cause__ or exc
        reason = redact(str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__)
        if self._is_file and isinstance(orig, sqlite3.DatabaseError) and "not a database" in reason:
            return (
                f"The history file {self.where} is not a readable SQLite database ({reason}). "
                "Move it aside to start a fresh history, or set MAS_HISTORY_DB to another file."
            )
        if self._is_file and "readonly" in reason.replace("-", "").replace(" ", ""):
            return f"The history file {self.where} is read-only, so nothing can be saved ({reason})."
        return f"The history store ({self.where}) could not be {action}: {reason}"
