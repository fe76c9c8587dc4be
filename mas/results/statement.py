"""Tables from JSON shapes: the SQL Statement Execution result (`manifest.schema.columns` +
`result.data_array`), column/row envelopes, records, and markdown cells.

Statement cells arrive as strings or nulls and are typed by each column's `type_name` (Databricks
`sql.ColumnInfo`; see wire-format.md §5), nulls kept as NA; untyped shapes go through `mas.results.values`.
Large JSON texts are scanned row by row straight into Arrow string columns, so the rows never
exist as millions of Python strings at once (issue 5, P4: peak memory ≤ 5× the payload). This
module does not find these shapes inside a tool output: see `mas.results.toolresult`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json import scanner
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mas.results.values import TEXT_DTYPE, ValueHint, cell_text, coerce_frame, parse_time_text

log = logging.getLogger(__name__)

ROWS_PER_CHUNK = 512
"""Rows parsed before they are moved into Arrow. Small chunks die young: on 200k rows, 512 ran
2–3× faster than 16k, whose row lists lived long enough to be promoted and re-scanned by the GC."""
SENTINEL = "\x00mas:data_array"
"""Stands in for a scanned `data_array` in the rest of the document, which is parsed normally."""

_DATA_ARRAY = re.compile(r'"data_array"\s*:\s*\[')
_WS = re.compile(r"[ \t\n\r]*")
# The C scanner behind json.loads, called for one value at a time (typeshed mistypes its argument).
_SCAN = scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]

_INTEGER = frozenset({"INT", "INTEGER", "LONG", "BIGINT", "SHORT", "SMALLINT", "BYTE", "TINYINT"})
_FLOAT = frozenset({"FLOAT", "DOUBLE", "DECIMAL", "REAL", "NUMERIC"})
_TIMESTAMP = frozenset({"TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ"})
_TEXT = frozenset({"STRING", "VARCHAR", "CHAR"})
_TO_PANDAS = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): TEXT_DTYPE}


@dataclass(frozen=True)
class RawColumns:
    """The cells of a data array, column by column, as Arrow strings (nulls kept)."""

    columns: tuple[pa.ChunkedArray, ...]
    row_count: int


class _Builder:
    """Collects rows chunk by chunk into per-column Arrow string arrays."""

    def __init__(self) -> None:
        self.parts: list[list[pa.Array]] = []
        self.rows = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        lengths = set(map(len, rows))
        width = max(lengths, default=0)
        while len(self.parts) < width:
            self.parts.append([pa.nulls(self.rows, pa.string())] if self.rows else [])
        if lengths and lengths != {len(self.parts)}:
            rows = [list(row) + [None] * (len(self.parts) - len(row)) for row in rows]
        for parts, cells in zip(self.parts, zip(*rows, strict=True), strict=True):
            parts.append(_strings(cells))
        self.rows += len(rows)

    def finish(self) -> RawColumns:
        columns = tuple(pa.chunked_array(parts, type=pa.string()) for parts in self.parts)
        return RawColumns(columns=columns, row_count=self.rows)


def _strings(cells: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(cells, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # Some writers put native JSON numbers/booleans in data_array; keep their JSON spelling.
        return pa.array([None if c is None else cell_text(c) for c in cells], type=pa.string())


def raw_from_rows(rows: Sequence[Sequence[Any]]) -> RawColumns:
    """Rows already parsed (lists of cells) → raw columns."""
    builder = _Builder()
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        builder.add(rows[start : start + ROWS_PER_CHUNK])
    return builder.finish()


def split_statement_text(text: str, *, rows_per_chunk: int = ROWS_PER_CHUNK) -> tuple[Any, RawColumns] | None:
    """Parse a JSON text holding a `data_array`: the document with the array replaced by `SENTINEL`,
    and the array's cells. None when there is no array or the text is not valid JSON there."""
    match = _DATA_ARRAY.search(text)
    if match is None:
        return None
    try:
        raw, end = _scan_rows(text, match.end(), rows_per_chunk=rows_per_chunk)
        start = match.end() - 1
        document = json.loads(text[:start] + json.dumps(SENTINEL) + text[end:])
    except (ValueError, StopIteration, IndexError, TypeError, RecursionError) as exc:
        log.debug("data_array scan failed, parsing the whole text instead: %s", exc)
        return None
    return document, raw


def _scan_rows(text: str, pos: int, *, rows_per_chunk: int) -> tuple[RawColumns, int]:
    """Rows from just after the array's `[` to its `]`; returns the columns and the index after `]`."""
    builder = _Builder()
    pos = _skip(text, pos)
    more = text[pos] != "]"
    while more:
        chunk, pos, more = _scan_chunk(text, pos, limit=rows_per_chunk)
        builder.add(chunk)
    return builder.finish(), pos + 1


def _scan_chunk(text: str, pos: int, *, limit: int) -> tuple[list[Any], int, bool]:
    """Up to `limit` rows from `pos`: the rows, the index after the last one, and whether more follow."""
    rows: list[Any] = []
    append, scan = rows.append, _SCAN
    for _ in range(limit):
        row, pos = scan(text, pos)
        if type(row) is not list:
            raise TypeError("data_array row is not a list")
        append(row)
        if text[pos] != ",":
            pos = _skip(text, pos)
            if text[pos] != ",":
                if text[pos] != "]":
                    raise ValueError(f"expected ',' or ']' at {pos}")
                return rows, pos, False
        pos += 1
        if text[pos] != "[":
            pos = _skip(text, pos)
    return rows, pos, True


def _skip(text: str, pos: int) -> int:
    """The index of the first non-whitespace character at or after `pos`."""
    match = _WS.match(text, pos)
    return match.end() if match else pos


def typed_frame(columns: Sequence[Mapping[str, Any]], raw: RawColumns) -> pd.DataFrame:
    """Raw string columns → a DataFrame typed by each column's `type_name`."""
    names = [str(column.get("name", f"column {i + 1}")) for i, column in enumerate(columns)]
    count = max(len(names), len(raw.columns))
    names += [f"column {i + 1}" for i in range(len(names), count)]
    empty = pa.chunked_array([pa.nulls(raw.row_count, pa.string())])
    data = {}
    for index, name in enumerate(unique_names(names)):
        cells = raw.columns[index] if index < len(raw.columns) else empty
        type_name = _type_name(columns[index]) if index < len(columns) else "STRING"
        data[name] = _typed(cells, type_name, name=name)
    return pd.DataFrame(data, index=pd.RangeIndex(raw.row_count))


def _type_name(column: Mapping[str, Any]) -> str:
    name = column.get("type_name") or column.get("type_text") or column.get("type") or "STRING"
    return str(name).upper().split("(", 1)[0].strip()


def _typed(cells: pa.ChunkedArray, type_name: str, *, name: str) -> pd.Series:
    try:
        if type_name in _INTEGER:
            return _pandas(pc.cast(cells, pa.int64()))
        if type_name in _FLOAT:
            return _pandas(pc.cast(cells, pa.float64()))
        if type_name == "BOOLEAN":
            return _pandas(pc.cast(cells, pa.bool_()))
        if type_name == "DATE":
            return _pandas(pc.cast(pc.cast(cells, pa.date32()), pa.timestamp("us")))
        if type_name in _TIMESTAMP:
            return _timestamps(_pandas(cells))
    except (pa.ArrowInvalid, ValueError) as exc:
        log.warning("column %r is typed %s but holds other values; kept as text (%s)", name, type_name, exc)
    return _pandas(cells)


def _pandas(cells: pa.ChunkedArray) -> pd.Series:
    return cells.to_pandas(types_mapper=_TO_PANDAS.get)


def _timestamps(text: pd.Series) -> pd.Series:
    # Databricks writes e.g. "2024-03-01T10:00:00.000Z"; offsets may differ between rows.
    try:
        return pd.to_datetime(text, format="ISO8601")
    except ValueError:
        return pd.to_datetime(text, format="ISO8601", utc=True)


def unique_names(names: Iterable[str]) -> list[str]:
    """Column names made unique ("a", "a (2)") and never empty; otherwise kept verbatim."""
    seen: set[str] = set()
    out: list[str] = []
    for index, name in enumerate(names):
        base = name if name.strip() else f"column {index + 1}"
        candidate, n = base, 2
        while candidate in seen:
            candidate, n = f"{base} ({n})", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def table_from_columns(
    columns: Sequence[Mapping[str, Any]], raw: RawColumns
) -> tuple[pd.DataFrame, dict[str, ValueHint]]:
    """A frame typed by `type_name` when the columns carry types, else coerced from the cell text."""
    if any(c.get("type_name") or c.get("type_text") for c in columns):
        frame = typed_frame(columns, raw)
        texts = [i for i, c in enumerate(columns) if _type_name(c) in _TEXT and i < frame.shape[1]]
        return _string_times(frame, positions=texts)
    untyped = [{"name": c.get("name", f"column {i + 1}")} for i, c in enumerate(columns)]
    return coerce_frame(typed_frame(untyped, raw))


def _string_times(
    frame: pd.DataFrame, *, positions: Sequence[int]
) -> tuple[pd.DataFrame, dict[str, ValueHint]]:
    """STRING columns holding only ISO dates, months or `YYYY-Qn` quarters (e.g. a Genie
    `order_quarter` of "2023-Q1") read as times, as the same text in a pipe table would be."""
    hints: dict[str, ValueHint] = {}
    for position in positions:
        name = str(frame.columns[position])
        parsed = parse_time_text(frame.iloc[:, position])
        if parsed is not None:
            frame.isetitem(position, parsed[0].set_axis(frame.index))
            hints[name] = parsed[1]
    return frame, hints


def table_from_records(
    rows: Sequence[Mapping[str, Any]], *, names: Sequence[str] = ()
) -> tuple[pd.DataFrame, dict[str, ValueHint]]:
    """Records (one dict per row, keys in first-seen order after `names`) → a coerced frame."""
    keys = list(dict.fromkeys([*names, *(key for row in rows for key in row)]))
    columns = unique_names(str(k) for k in keys)
    data = {name: pd.Series([row.get(key) for row in rows], dtype=object)
            for name, key in zip(columns, keys, strict=True)}
    return coerce_frame(pd.DataFrame(data, index=pd.RangeIndex(len(rows))))


def table_from_cells(
    header: Sequence[str], rows: Sequence[Sequence[str | None]]
) -> tuple[pd.DataFrame, dict[str, ValueHint]]:
    """Text cells under unique column names (a markdown table) → a coerced frame."""
    data = {name: pd.Series([row[i] for row in rows], dtype=object) for i, name in enumerate(header)}
    return coerce_frame(pd.DataFrame(data, index=pd.RangeIndex(len(rows))))
