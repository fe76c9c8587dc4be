"""`parse_tool_output`: one Genie / sub-agent tool output → prose, SQL and a typed table.

Accepts the output as text or as parsed JSON and reads every shape seen from MAS sub-agents
(mas-output.md §2, wire-format.md §5): prose with markdown pipe tables and ```sql fences,
statement responses, `{"columns", "data"|"rows"}` envelopes, MCP `{"type": "text"}` wrappers,
Genie messages with query/text/suggested-question attachments, lists of records, and JSON
strings of all of these. It never raises on odd input and does no I/O; rendering is the UI's.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from mas.results import statement
from mas.results.chart_rules import ChartKind, available_kinds
from mas.results.columns import ColumnMeta, describe_columns
from mas.results.kpi import Kpi, kpi_from_table
from mas.results.pipe_tables import split_prose
from mas.results.tool_errors import error_of, is_error_text
from mas.results.values import ValueHint

log = logging.getLogger(__name__)

Kind = Literal["kpi", "table", "text"]

_MAX_DEPTH = 16
_SQL = re.compile(
    r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:SELECT|WITH|VALUES|SHOW|DESCRIBE|EXPLAIN)\b", re.I | re.S
)
_SQL_KEYS = frozenset({"sql", "sql_query", "query_str", "generated_sql", "statement_text"})
_TEXT_KEYS = frozenset({"text", "content", "message", "answer", "response", "summary", "output", "result"})
_SUGGESTION_KEYS = frozenset({"suggested_questions", "suggestions", "follow_up_questions", "followups"})
_STATEMENT_KEYS = frozenset({"manifest", "result", "status", "statement_id"})
_SHOWING = re.compile(
    r"(?<![a-z])showing\s+(?:the\s+)?(?:first\s+|top\s+)?([\d,]+)\s+(?:of|out\s+of)\s+([\d,]+)\s+rows\b", re.I
)


@dataclass(frozen=True, eq=False)
class ToolResult:
    """What one tool output holds, ready to render."""

    text: str = ""
    """The prose, with the parsed table and SQL fences taken out."""
    sql: str | None = None
    table: pd.DataFrame | None = None
    row_count: int = 0
    """Rows parsed into `table`."""
    total_rows: int | None = None
    """The source's own row total (statement manifest, Genie metadata), when it gave one."""
    truncated: bool = False
    """The source cut the rows: its own flag, or `total_rows` above `row_count`."""
    suggestions: list[str] = field(default_factory=list)
    is_error: bool = False
    columns: tuple[ColumnMeta, ...] = ()
    """Role and format of each table column (see `mas.results.columns`)."""
    kind: Kind = "text"
    kpi: Kpi | None = None
    """The headline figure when the table is KPI-shaped (then `kind` is "kpi")."""
    chart_kinds: tuple[ChartKind, ...] = ()
    """The charts that fit the table, the default first (`mas.results.chart_rules`); none for a KPI."""


@dataclass
class _Found:
    texts: list[str] = field(default_factory=list)
    sql: str | None = None
    table: pd.DataFrame | None = None
    hints: dict[str, ValueHint] = field(default_factory=dict)
    total_rows: int | None = None
    truncated: bool = False
    suggestions: list[str] = field(default_factory=list)
    error: str | None = None
    raw: statement.RawColumns | None = None
    descriptions: list[str] = field(default_factory=list)
    """Genie's description of its query: the prose when nothing else is."""


def parse_tool_output(output: str | Mapping[str, Any] | Sequence[Any]) -> ToolResult:
    """Parse one tool output (text or parsed JSON) into a `ToolResult`."""
    found = _Found()
    _walk(output, found, depth=0)
    return _result(found)


def _result(found: _Found) -> ToolResult:
    table = found.table
    columns = describe_columns(table, found.hints) if table is not None else ()
    rows = len(table) if table is not None else 0
    text = "\n\n".join(t for t in found.texts or found.descriptions if t).strip()
    if found.error and not text:
        text = found.error
    kind: Kind = "text"
    kpi = kpi_from_table(table, columns) if table is not None else None
    charts: tuple[ChartKind, ...] = ()
    if table is not None:
        kind = "kpi" if kpi is not None else "table"
        charts = () if kpi is not None else tuple(available_kinds(table, columns))
    total = found.total_rows
    return ToolResult(
        text=text,
        sql=found.sql,
        table=table,
        row_count=rows,
        total_rows=total,
        truncated=found.truncated or (total is not None and total > rows),
        suggestions=list(dict.fromkeys(found.suggestions)),
        is_error=found.error is not None,
        columns=columns,
        kind=kind,
        kpi=kpi,
        chart_kinds=charts,
    )


def _walk(node: Any, found: _Found, *, depth: int) -> None:
    if depth > _MAX_DEPTH:
        log.debug("tool output nested deeper than %d levels; the rest is ignored", _MAX_DEPTH)
        return
    if isinstance(node, str):
        _walk_text(node, found, depth=depth)
    elif isinstance(node, Mapping):
        _walk_dict(node, found, depth=depth)
    elif isinstance(node, list | tuple):
        _walk_list(node, found, depth=depth)


def _walk_text(text: str, found: _Found, *, depth: int) -> None:
    stripped = text.strip()
    if stripped[:1] in ("{", "[", '"'):
        document = _load_json(stripped, found)
        if document is not None:
            _walk(document, found, depth=depth + 1)
            return
    _prose(text, found)


def _load_json(text: str, found: _Found) -> Any:
    split = statement.split_statement_text(text)
    if split is not None:
        document, found.raw = split
        return document
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _walk_list(items: Sequence[Any], found: _Found, *, depth: int) -> None:
    dicts = [item for item in items if isinstance(item, Mapping)]
    if dicts and len(dicts) == len(items) and all(_is_record(d) for d in dicts):
        if found.table is None:
            found.table, found.hints = statement.table_from_records(dicts)
        return
    for item in items:
        if isinstance(item, Mapping | list | tuple):
            _walk(item, found, depth=depth + 1)


def _is_record(item: Mapping[str, Any]) -> bool:
    """A row of a table: flat values only (objects mean a container such as a Genie attachment),
    and not a shape we understand (an MCP text item, an error)."""
    if not item or any(isinstance(value, Mapping) for value in item.values()):
        return False
    keys = set(item)
    return not (
        keys & {"manifest", "statement_response", "attachments", "data_array", "error", "error_code"}
        or ("columns" in keys and keys & {"data", "rows"})
        or (item.get("type") == "text" and isinstance(item.get("text"), str))
    )


def _walk_dict(item: Mapping[str, Any], found: _Found, *, depth: int) -> None:
    handled = _error(item, found)
    if "manifest" in item or (isinstance(item.get("result"), Mapping) and "data_array" in item["result"]):
        _statement(item, found)
        handled |= _STATEMENT_KEYS
    if "columns" in item and ("data" in item or "rows" in item):
        _envelope(item, found)
        handled |= {"columns", "data", "rows"}
    if "attachments" in item:
        handled |= {"content"}  # a Genie message's `content` is the question, not the answer
    for key, value in item.items():
        if key not in handled:
            _walk_key(str(key), value, found=found, depth=depth)


def _walk_key(key: str, value: Any, *, found: _Found, depth: int) -> None:
    lowered = key.lower()
    if isinstance(value, str):
        if lowered in _SQL_KEYS or (lowered == "query" and _SQL.match(value)):
            found.sql = value.strip()
        elif lowered in _TEXT_KEYS:
            _walk_text(value, found, depth=depth + 1)
        elif lowered == "description" and value.strip():
            found.descriptions.append(value.strip())
    elif lowered in _SUGGESTION_KEYS:
        _suggestions(value, found)
    elif lowered in ("is_truncated", "truncated") and isinstance(value, bool):
        found.truncated |= value
    elif lowered == "total_row_count" and _is_count(value):
        found.total_rows = int(value)
    elif lowered == "query_result_metadata" and isinstance(value, Mapping):
        _genie_metadata(value, found)
    elif isinstance(value, Mapping | list | tuple):
        _walk(value, found, depth=depth + 1)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _error(item: Mapping[str, Any], found: _Found) -> set[str]:
    """Record an error the dict reports; returns the keys it used."""
    message, used = error_of(item)
    if message is not None and found.error is None:
        found.error = message
        found.texts.append(message)
    return used


def _suggestions(value: Any, found: _Found) -> None:
    if isinstance(value, Mapping):
        value = value.get("questions") or value.get("suggestions") or []
    if isinstance(value, list):
        found.suggestions.extend(v.strip() for v in value if isinstance(v, str) and v.strip())


def _genie_metadata(meta: Mapping[str, Any], found: _Found) -> None:
    if _is_count(meta.get("row_count")):
        found.total_rows = int(meta["row_count"])
    if isinstance(meta.get("is_truncated"), bool):
        found.truncated |= meta["is_truncated"]


def _statement(item: Mapping[str, Any], found: _Found) -> None:
    manifest, result = _mapping(item.get("manifest")), _mapping(item.get("result"))
    if _is_count(manifest.get("total_row_count")):
        found.total_rows = int(manifest["total_row_count"])
    found.truncated |= manifest.get("truncated") is True or result.get("next_chunk_index") is not None
    if found.table is not None:
        return
    columns = [c for c in _list(_mapping(manifest.get("schema")).get("columns")) if isinstance(c, Mapping)]
    data = result.get("data_array")
    if data == statement.SENTINEL and found.raw is not None:
        raw = found.raw
    else:
        rows = [r for r in data if isinstance(r, list)] if isinstance(data, list) else []
        raw = statement.raw_from_rows(rows)
    found.table, found.hints = statement.table_from_columns(columns, raw)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _envelope(item: Mapping[str, Any], found: _Found) -> None:
    for key in ("is_truncated", "truncated"):
        if isinstance(item.get(key), bool):
            found.truncated |= item[key]
    if found.table is not None:
        return
    columns = [c if isinstance(c, Mapping) else {"name": str(c)} for c in _list(item.get("columns"))]
    rows = item.get("data") if "data" in item else item.get("rows")
    rows = rows if isinstance(rows, list) else []
    if rows and all(isinstance(r, Mapping) for r in rows):
        names = [str(c.get("name", "")) for c in columns]
        found.table, found.hints = statement.table_from_records(rows, names=names)
        return
    raw = statement.raw_from_rows([r for r in rows if isinstance(r, list)])
    found.table, found.hints = statement.table_from_columns(columns, raw)


def _prose(text: str, found: _Found) -> None:
    prose = split_prose(text, want_table=found.table is None)
    if prose.sql:
        found.sql = prose.sql
    if prose.table is not None:
        header = statement.unique_names(prose.table.header)
        found.table, found.hints = statement.table_from_cells(header, prose.table.rows)
    showing = _SHOWING.search(prose.text)
    if showing and found.total_rows is None:
        found.total_rows = int(showing.group(2).replace(",", ""))
    if prose.text and is_error_text(prose.text) and found.error is None and found.table is None:
        found.error = prose.text
    if prose.text:
        found.texts.append(prose.text)
