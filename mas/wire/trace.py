"""Reading an MLflow trace that came back with an answer: the trace id and each Genie call's SQL.

A live Supervisor puts its trace on the wire when asked (`databricks_options.return_trace`): as
`databricks_output.trace` on `response.output_item.done` chunks or on a JSON body, and MLflow's
AgentServer sends a bare `{"trace_id": "tr-…"}` chunk. `TraceReader.read(wire)` turns any of these
into one `TraceEvent`, parsing MLflow 3 span JSON and MLflow 2 span dicts. It only reads; which
tool part a Genie call belongs to is `mas.transcript`'s business.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from mas.wire.events import TraceCall, TraceEvent

log = logging.getLogger(__name__)

# Span names: `genie-<space id>` for a Genie sub-agent, with a `poll_query_results` child whose
# input `query_str` is the SQL run (shared/notes/mas-output.md §2, source B).
GENIE_PREFIX = "genie"
POLL_SPAN = "poll_query_results"
INPUTS = "mlflow.spanInputs"
OUTPUTS = "mlflow.spanOutputs"
_SQL_KEYS = ("sql_query", "query_str", "sql", "query")
_ROW_KEYS = ("row_count", "total_row_count")
_QUESTION_KEYS = ("genie_query", "question", "query", "content")
_MAX_DEPTH = 6


def _decoded(value: Any) -> Any:
    """An attribute value: MLflow stores each one JSON-encoded (`"\\"SELECT …\\""`); plain text stays."""
    if isinstance(value, str) and (value[:1] in ('"', "{", "[") or value[:1].isdigit()):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _find(value: Any, keys: tuple[str, ...], depth: int = 0) -> Any:
    """The first value under one of `keys` in nested dicts/lists (bounded depth), else None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        for key in keys:
            found = value.get(key)
            if found is not None and found != "":
                return found
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        if isinstance(child, dict | list):
            found = _find(child, keys, depth + 1)
            if found is not None:
                return found
    return None


class _Span:
    """One span in either schema: MLflow 3 (`span_id`, `parent_span_id`, `*_unix_nano`) or MLflow 2
    (`context.span_id`, `parent_id`, `start_time`/`end_time` in nanoseconds)."""

    __slots__ = ("attributes", "end", "name", "parent", "span_id", "start")

    def __init__(self, raw: dict[str, Any]) -> None:
        context = raw.get("context")
        context = context if isinstance(context, dict) else {}
        name = raw.get("name")
        self.name: str = name if isinstance(name, str) else ""
        self.span_id = raw.get("span_id") or context.get("span_id")
        self.parent = raw.get("parent_span_id") or raw.get("parent_id") or None
        self.start = _number(raw.get("start_time_unix_nano", raw.get("start_time")))
        self.end = _number(raw.get("end_time_unix_nano", raw.get("end_time")))
        attributes = raw.get("attributes")
        self.attributes: dict[str, Any] = attributes if isinstance(attributes, dict) else {}

    def attribute(self, key: str) -> Any:
        return _decoded(self.attributes.get(key))


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _spans(trace: dict[str, Any]) -> list[dict[str, Any]]:
    data = trace.get("data")
    spans = data.get("spans") if isinstance(data, dict) else trace.get("spans")
    return [s for s in spans if isinstance(s, dict)] if isinstance(spans, list) else []


def _trace_id(trace: dict[str, Any]) -> str | None:
    info = trace.get("info")
    if isinstance(info, dict):
        # MLflow 3 `info.trace_id`; MLflow 2 `info.request_id`.
        return _text(info.get("trace_id")) or _text(info.get("request_id"))
    return _text(trace.get("trace_id"))


def _is_genie(name: str) -> bool:
    return name.lower().startswith(GENIE_PREFIX + "-") or name.lower().startswith(GENIE_PREFIX + "_")


def genie_calls(trace: dict[str, Any]) -> list[TraceCall]:
    """Each `genie-*` span of the trace, in start order, with what it and its children say."""
    spans = [_Span(raw) for raw in _spans(trace)]
    genie = [s for s in spans if _is_genie(s.name)]
    if not genie:
        return []
    by_parent: dict[Any, list[_Span]] = {}
    for span in spans:
        if span.parent is not None:
            by_parent.setdefault(span.parent, []).append(span)
    genie.sort(key=lambda s: s.start or 0)
    return [_call(span, list(_descendants(span, by_parent))) for span in genie]


def _descendants(span: _Span, by_parent: dict[Any, list[_Span]]) -> Iterator[_Span]:
    stack = list(by_parent.get(span.span_id, ())) if span.span_id is not None else []
    seen = 0
    while stack and seen < 10_000:
        child = stack.pop(0)
        seen += 1
        yield child
        if child.span_id is not None:
            stack.extend(by_parent.get(child.span_id, ()))


def _call(span: _Span, children: list[_Span]) -> TraceCall:
    inputs, outputs = span.attribute(INPUTS), span.attribute(OUTPUTS)
    sql = _text(span.attribute("sql_query"))
    for child in children:
        if sql is None and child.name == POLL_SPAN:
            sql = _text(_find(child.attribute(INPUTS), ("query_str",)))
    if sql is None:
        sql = _text(_find(outputs, _SQL_KEYS))
    rows = _number(span.attribute("row_count"))
    if rows is None:
        rows = _number(_find(outputs, _ROW_KEYS))
    for child in children:
        if rows is None and child.name == POLL_SPAN:
            rows = _number(_find(child.attribute(OUTPUTS), _ROW_KEYS))
    description = _text(span.attribute("description")) or _text(_find(outputs, ("description",)))
    question = _text(inputs) or _text(_find(inputs, _QUESTION_KEYS))
    took = (span.end - span.start) / 1e9 if span.start is not None and span.end is not None else None
    return TraceCall(
        name=span.name,
        span_id=str(span.span_id) if span.span_id is not None else None,
        sql=sql,
        description=description,
        question=question,
        rows=rows,
        duration=took if took is None or took >= 0 else None,
    )


def summarize(trace: dict[str, Any]) -> TraceEvent:
    """The trace's id and Genie calls as one event."""
    return TraceEvent(trace_id=_trace_id(trace), calls=genie_calls(trace))


class TraceReader:
    """Finds traces on wire chunks and reports each distinct one once."""

    def __init__(self) -> None:
        self._seen: set[tuple[str | None, int]] = set()

    def read(self, wire: dict[str, Any]) -> TraceEvent | None:
        """The trace this chunk carries (`databricks_output.trace`, `response.databricks_output`,
        or a bare `trace_id`), or None; a trace already reported is not reported again."""
        event = self._event(wire)
        if event is None:
            return None
        key = (event.trace_id, len(event.calls))
        if key in self._seen or (event.trace_id is None and not event.calls):
            return None
        self._seen.add(key)
        return event

    @staticmethod
    def _event(wire: dict[str, Any]) -> TraceEvent | None:
        output = wire.get("databricks_output")
        if not isinstance(output, dict):
            response = wire.get("response")
            output = response.get("databricks_output") if isinstance(response, dict) else None
        if isinstance(output, dict):
            trace = output.get("trace")
            if isinstance(trace, str):
                trace = _decoded(trace)  # some servers send the trace JSON as a string
            if isinstance(trace, dict):
                return summarize(trace)
            log.debug("databricks_output without a trace object: keys %s", sorted(output)[:8])
        trace_id = _text(wire.get("trace_id"))
        if trace_id is not None and "type" not in wire:
            # MLflow AgentServer with `x-mlflow-return-trace-id: true` (real-producers.md).
            return TraceEvent(trace_id=trace_id)
        return None
