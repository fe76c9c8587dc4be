"""The terminal client: `python -m mas ask "What's our total revenue?"`.

Streams the answer into the terminal as it arrives, with each sub-agent call shown as it
happens (its question, then the SQL and a compact preview of the table it returned), or, with
`--json`, every event as one JSON line. The endpoint and identity come from `mas.endpoint.connection`
(the usual Databricks auth variables, or the embedded demo when nothing is configured).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from mas.agents import readable_name
from mas.citations import safe_url
from mas.endpoint.connection import resolve
from mas.errors import MasError
from mas.results.toolresult import ToolResult
from mas.settings import settings
from mas.transcript import ToolPart, Turn, apply_event, finish
from mas.wire.events import (
    Citation,
    Done,
    ErrorEvent,
    Event,
    Status,
    TextDelta,
    ToolApproval,
    ToolCall,
    ToolOutput,
    TraceEvent,
)
from mas.wire.messages import MAX_CONTENT_CHARS, ChatMessage

PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 6
CELL_WIDTH = 24
SQL_LINES = 12
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mas", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="ask one question and stream the answer")
    ask.add_argument("question", help="the question, in plain English")
    ask.add_argument("--json", action="store_true", help="print every event as one JSON line")
    ask.add_argument("--endpoint", help="serving endpoint name (default: MAS_ENDPOINT_NAME)")
    ask.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    ask.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr (-vv: debug)")
    return parser


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.enabled else text

    def accent(self, text: str) -> str:
        return f"\033[36m{text}\033[0m" if self.enabled else text


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = ""
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def table_preview(result: ToolResult) -> list[str]:
    """A few aligned rows of the result table, and how many there are in all."""
    table = result.table
    if table is None or table.empty:
        return []
    columns = [str(c) for c in table.columns[:PREVIEW_COLUMNS]]
    rows = [
        [_cell(v) for v in row[: len(columns)]] for row in table.head(PREVIEW_ROWS).itertuples(index=False)
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(columns)]
    numeric = [table[c].dtype.kind in "iuf" for c in table.columns[: len(columns)]]

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True))
        return "  ".join(padded).rstrip()

    lines = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    total = result.total_rows or result.row_count
    more_columns = len(table.columns) - len(columns)
    note = f"{total:,} row{'s' if total != 1 else ''}"
    if total > len(rows):
        note = f"first {len(rows)} of {note}"
    if more_columns > 0:
        note += f", {more_columns} more column{'s' if more_columns != 1 else ''}"
    return [*lines, f"({note}{', truncated at the source' if result.truncated else ''})"]


class _Renderer:
    """Writes events to a terminal: text as it streams, tool activity on its own indented lines.

    Each event is folded into `turn` first (`mas.transcript`), and what is shown comes from it.
    """

    def __init__(self, out: TextIO, style: _Style, *, turn: Turn) -> None:
        self.out = out
        self.style = style
        self.turn = turn
        self.mid_line = False
        self.after_block = False
        self.sql_shown: set[str] = set()

    def block(self, lines: Sequence[str]) -> None:
        self._block(lines)

    def _block(self, lines: Sequence[str]) -> None:
        if self.mid_line:
            self.out.write("\n")
        for text in lines:
            self.out.write(self.style.dim("  " + text) + "\n")
        self.mid_line = False
        self.after_block = True

    def text(self, event: TextDelta) -> None:
        apply_event(self.turn, event)
        delta = event.delta
        if self.after_block:  # one blank line between a tool block and the text after it
            delta = delta.lstrip("\n")
            if not delta:
                return
            delta = "\n" + delta
            self.after_block = False
        self.out.write(delta)
        self.mid_line = not delta.endswith("\n")

    def call(self, event: ToolCall) -> None:
        part = apply_event(self.turn, event)
        question = part.question if isinstance(part, ToolPart) else None
        shown = question if question is not None else json.dumps(event.args, ensure_ascii=False)
        if self.mid_line:
            self.out.write("\n")
        self.out.write(self.style.accent(f"→ {event.name}") + f": {shown}\n")
        self.mid_line = False

    def output(self, event: ToolOutput) -> None:
        part = apply_event(self.turn, event)
        result = part.result if isinstance(part, ToolPart) else None
        if result is None:
            return
        lines: list[str] = []
        if result.sql:
            lines += self._sql_lines("SQL:", result.sql)
        lines += table_preview(result)
        if not lines and result.text:
            lines = result.text.strip().splitlines()[:4]
        self._block(lines or ["(no output)"])

    def _sql_lines(self, label: str, sql_text: str) -> list[str]:
        self.sql_shown.add(sql_text.strip())
        sql = sql_text.strip().splitlines()
        return [label, *("  " + s for s in sql[:SQL_LINES]), *(["  …"] if len(sql) > SQL_LINES else [])]

    def trace(self, event: TraceEvent) -> None:
        """The SQL a trace recorded that no output showed, and the trace id (where feedback goes)."""
        apply_event(self.turn, event)
        lines: list[str] = []
        for call in event.calls:
            if call.sql and call.sql.strip() not in self.sql_shown:
                rows = f", {call.rows:,} rows" if call.rows is not None else ""
                lines += self._sql_lines(f"SQL ({readable_name(call.name)}, from the trace{rows}):", call.sql)
        if event.trace_id:
            lines.append(f"Trace: {event.trace_id}")
        if lines:
            self._block(lines)

    def finish(self) -> None:
        if self.mid_line:
            self.out.write("\n")
        self.mid_line = False


def _render(events: Iterator[Event], out: TextIO, *, err: TextIO, style: _Style, turn: Turn) -> int:
    renderer = _Renderer(out, style, turn=turn)
    status = EXIT_ERROR  # a stream that ended without a terminal event is a failure
    said = ""
    for event in events:
        if isinstance(event, Status):
            if event.message != said:  # progress (a Genie status, a queue wait) once per change, on stderr
                said = event.message
                err.write(style.dim(f"… {event.message}") + "\n")
        elif isinstance(event, TextDelta):
            renderer.text(event)
        elif isinstance(event, ToolCall):
            renderer.call(event)
        elif isinstance(event, ToolOutput):
            renderer.output(event)
        elif isinstance(event, TraceEvent):
            renderer.trace(event)
        elif isinstance(event, ToolApproval):
            apply_event(turn, event)
            server = f" on {event.server}" if event.server else ""
            renderer.block([f"The agent asks to run {event.name}{server} with {json.dumps(event.args)};",
                            "approve it in the app: the CLI cannot."])  # fmt: skip
        elif isinstance(event, Citation):
            apply_event(turn, event)
            renderer.block([f"Source: {event.title or 'untitled'} {safe_url(event.url) or ''}".rstrip()])
        elif isinstance(event, ErrorEvent):
            apply_event(turn, event)
            renderer.finish()
            err.write(f"Error: {event.message}\n")
            status = EXIT_ERROR
        elif isinstance(event, Done):
            finish(turn)
            renderer.finish()
            err.write(summary(turn) + "\n")
            status = EXIT_OK
        out.flush()
    return status


def summary(turn: Turn) -> str:
    """One line on how the answer went: its time and its sub-agent calls."""
    took = f" in {turn.ended_at - turn.started_at:.1f} s" if turn.ended_at is not None else ""
    calls = len(turn.tools)
    failed = sum(1 for p in turn.tools if p.state == "error")
    said = f"{calls} sub-agent call{'s' if calls != 1 else ''}" + (f", {failed} failed" if failed else "")
    return f"Answered{took} with {said}."


def _print_json(events: Iterator[Event], out: TextIO) -> int:
    status = EXIT_ERROR
    for event in events:
        out.write(json.dumps(event.model_dump(), ensure_ascii=False) + "\n")
        out.flush()
        if isinstance(event, Done | ErrorEvent):
            status = EXIT_OK if isinstance(event, Done) else EXIT_ERROR
    return status


def _configure_logging(verbosity: int) -> None:
    # Errors reach the user as messages; logs (with stack traces) only on request. Without a
    # handler Python would print every warning, such as the SDK's host-metadata probe miss.
    level = {0: logging.CRITICAL + 1, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the CLI; returns the exit code (0 answered, 1 error event, 2 usage or setup, 130 Ctrl-C)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    question = args.question.strip()
    if not question or len(question) > MAX_CONTENT_CHARS:
        err.write(f"Error: the question must have 1 to {MAX_CONTENT_CHARS:,} characters.\n")
        return EXIT_USAGE
    try:
        connection = resolve(endpoint_name=args.endpoint)
    except MasError as exc:
        err.write(f"Error: {exc}\n")
        return EXIT_USAGE
    if not args.json:
        where = "the built-in demo" if connection.identity == "demo" else connection.host
        genie = connection.genie
        target = connection.endpoint_name if genie is None else f"Genie space {genie.space_id}"
        err.write(f"Asking {target} on {where}…\n")
    events = connection.stream_events([ChatMessage(role="user", content=question)])
    use_color = not args.no_color and not settings().no_color and out.isatty()
    try:
        return (
            _print_json(events, out)
            if args.json
            else _render(events, out, err=err, style=_Style(use_color), turn=Turn(question=question))
        )
    except KeyboardInterrupt:
        err.write("\nInterrupted.\n")
        return EXIT_INTERRUPTED
    finally:
        # Closes the HTTP response at once, also after Ctrl-C mid-answer.
        close = getattr(events, "close", None)
        if close is not None:
            close()
