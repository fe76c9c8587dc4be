"""The demo's SQL engine: DuckDB over the demo dataset, opened so that nothing can write.

`DemoEngine.query(sql)` runs one statement and returns its typed columns and rows. The
database file is opened `read_only` with external access disabled and the configuration
locked, so INSERT/CREATE/COPY/ATTACH/INSTALL are refused by DuckDB itself and a query cannot
switch that back on. Each query gets its own cursor, so the emulator's handler threads can
share one engine. It does not choose the SQL (see `mas.demo.plans`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from mas.demo.dataset import ensure_dataset
from mas.errors import DemoDataError

READ_ONLY_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # Verified with duckdb 2.0.0: with these, COPY TO, ATTACH, read_csv('/etc/passwd'),
    # INSTALL/LOAD and SET are refused; the read_only file refuses INSERT/CREATE/DROP.
    # DuckDB shares one instance per file within a process and refuses a second connection
    # with a different configuration, so anything else opening this file must use this too.
    "enable_external_access": False,
    "lock_configuration": True,
}


@dataclass(frozen=True)
class Column:
    name: str
    type_text: str
    """DuckDB's type, e.g. DECIMAL(38,2)."""
    type_name: str
    """The Databricks statement-API type name, e.g. DECIMAL, STRING, LONG."""


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def string_rows(self) -> list[list[str | None]]:
        """Every cell as the statement API sends it: a string, or None for NULL."""
        return [[cell_string(value) for value in row] for row in self.rows]


def type_name_for(duck_type: str) -> str:
    """Map a DuckDB type to the Databricks `type_name` vocabulary (sql.py ColumnInfoTypeName)."""
    base = duck_type.split("(", 1)[0].strip().upper()
    mapping = {
        "VARCHAR": "STRING", "BIGINT": "LONG", "INTEGER": "INT", "SMALLINT": "SHORT", "TINYINT": "BYTE",
        "HUGEINT": "DECIMAL", "UBIGINT": "DECIMAL", "UINTEGER": "LONG", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT",
        "DECIMAL": "DECIMAL", "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP",
        "BLOB": "BINARY",
    }
    return mapping.get(base, "STRING")


def cell_string(value: Any) -> str | None:
    """One cell as a string: exact decimals, ISO dates, lower-case booleans; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


class DemoEngine:
    """Read-only DuckDB over the demo dataset; one connection, a cursor per query."""

    def __init__(self, *, data_dir: Path | None = None) -> None:
        dataset = ensure_dataset(data_dir)
        self.window = dataset.window
        """The data window this engine's file holds."""
        try:
            self._con = duckdb.connect(str(dataset.database), read_only=True, config=READ_ONLY_CONFIG)
        except duckdb.Error as exc:
            raise DemoDataError(f"Could not open the demo database {dataset.database}: {exc}") from exc
        self._lock = threading.Lock()
        # Close the connection when the engine goes, and at the latest at interpreter exit:
        # DuckDB's bindings report "leaked" objects if a connection outlives the interpreter.
        self._finalizer = weakref.finalize(self, self._con.close)

    def query(self, sql: str) -> QueryResult:
        """Run one statement; DuckDB errors (including refused writes) become DemoDataError."""
        with self._lock:
            # Creating the cursor touches the shared connection; running it does not.
            cursor = self._con.cursor()
        try:
            cursor.execute(sql)
            description = cursor.description or []
            rows = tuple(tuple(row) for row in cursor.fetchall())
        except duckdb.Error as exc:
            raise DemoDataError(f"The demo query failed: {exc}") from exc
        finally:
            cursor.close()
        columns = tuple(
            Column(name=str(item[0]), type_text=str(item[1]), type_name=type_name_for(str(item[1])))
            for item in description
        )
        return QueryResult(columns=columns, rows=rows)

    def close(self) -> None:
        self._finalizer()
