"""A conversation as a report to share: Markdown and a standalone HTML page, from the turns alone.

Each question with its answer text, then each result: the agent, what it was asked, its SQL, its
row counts, its table (the first `REPORT_ROWS` rows, with the count) and its chart as a static
image the caller rendered, plus the number check's notes and when and against what endpoint it
ran. The HTML carries no script and loads nothing (a CSP forbids it); every text from the
endpoint is escaped. Pure: images come in as SVG text, and writing the file is the caller's job.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from mas.figures import unsupported
from mas.results.columns import ColumnMeta, header
from mas.transcript import TextPart, ToolPart, Turn

REPORT_ROWS = 50
"""Rows of each table written into the report; the count says how many there are."""
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~$!])")
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#22252B;"
    "background:#FDFAF5}h1{font-weight:500}h2{font-weight:500;border-top:1px solid #E6DFD2;padding-top:1rem}"
    ".meta,.counts{color:#6b6f76;font-size:.9em}.answer{white-space:pre-wrap}"
    ".note{background:#FFF3E0;padding:.4rem .6rem;border-radius:.4rem}"
    "pre{background:#F4EFE6;padding:.6rem;overflow-x:auto}.scroll{overflow-x:auto}"
    "table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #E6DFD2;padding:.25rem .5rem}"
    "th{background:#F4EFE6;text-align:left}td.n{text-align:right}img{max-width:100%}"
)


@dataclass(frozen=True)
class ReportContext:
    """Where and when the conversation ran."""

    endpoint: str
    """The serving endpoint (or Genie space) asked."""
    host: str | None = None
    generated_at: dt.datetime | None = None


def when(epoch: float | None) -> str:
    if not epoch:
        return "unknown time"
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_notes(turn: Turn) -> list[str]:
    """The number check's findings for a turn: each figure its results do not hold, once."""
    tables = [p.result.table for p in turn.tools if p.result is not None and p.result.table is not None]
    texts = [p.text for p in turn.parts if isinstance(p, TextPart)]
    texts += [p.result.text for p in turn.tools if p.result is not None and p.result.text]
    found = [f.text for text in texts for f in unsupported(text, tables)]
    return [f"{figure} is not in the results of this answer." for figure in dict.fromkeys(found)]


def _counts(part: ToolPart) -> str:
    result = part.result
    if result is None or result.table is None:
        return ""
    parsed = result.row_count
    total = max(result.total_rows or parsed, parsed)
    shown = min(parsed, REPORT_ROWS)
    text = f"{total:,} row{'s' if total != 1 else ''}"
    if shown < total:
        text = f"Showing {shown:,} of {total:,} rows"
        if parsed < total:
            text += f" (the source returned {parsed:,})"
    return text


def _cell(value: object, meta: ColumnMeta | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value) if meta is not None and meta.format == "year" else f"{value:,}"
    if isinstance(value, float):
        if meta is not None and meta.format == "percent":
            return f"{value:.1f}%" if abs(value) > 1 else f"{value * 100:.1f}%"
        return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    return str(value)


def _rows(part: ToolPart) -> tuple[list[str], list[list[str]], list[bool]]:
    assert part.result is not None and part.result.table is not None
    table = part.result.table
    metas = {m.name: m for m in part.result.columns}
    names = [str(c) for c in table.columns]
    numeric = [pd.api.types.is_numeric_dtype(table[c].dtype) for c in table.columns]
    head = table.head(REPORT_ROWS)
    rows = [
        [_cell(v, metas.get(n)) for v, n in zip(row, names, strict=True)]
        for row in head.itertuples(index=False)
    ]
    return [header(n) for n in names], rows, numeric


def _md(text: str) -> str:
    return _MD_SPECIALS.sub(r"\\\1", text)


def _md_cell(text: str) -> str:
    return _md(text).replace("\n", " ")


def markdown_report(turns: Sequence[Turn], *, context: ReportContext, images: Mapping[str, str]) -> str:
    """The conversation as Markdown; `images` maps a tool part's id to its chart's SVG."""
    lines = ["# Conversation report", "", _md(_summary(turns, context)), ""]
    for number, turn in enumerate(turns, 1):
        lines += [
            f"## {number}. {_md(turn.question)}",
            "",
            f"*Asked {when(turn.started_at)} · {turn.status}*",
            "",
        ]
        if turn.answer_text:
            lines += [_md(turn.answer_text), ""]
        lines += [f"> **Number check:** {_md(note)}" for note in check_notes(turn)] + [""]
        for index, part in enumerate(turn.tools, 1):
            lines += _md_part(part, index, images.get(part.id))
    return "\n".join(lines).rstrip() + "\n"


def _md_part(part: ToolPart, index: int, svg: str | None) -> list[str]:
    lines = [f"### Result {index}: {_md(part.name)}", ""]
    if part.question:
        lines += [f"Asked: {_md(part.question)}", ""]
    if part.sql:
        fence = "````" if "```" in part.sql else "```"
        lines += [f"{fence}sql", part.sql, fence, ""]
    if part.result is None or part.result.table is None:
        return lines + ([_md(part.result.text), ""] if part.result is not None and part.result.text else [])
    names, rows, _ = _rows(part)
    lines += [_md(_counts(part)), ""]
    lines += ["| " + " | ".join(_md_cell(n) for n in names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows] + [""]
    if svg:
        lines += [f"![Chart of result {index}]({_data_uri(svg)})", ""]
    return lines


def html_report(turns: Sequence[Turn], *, context: ReportContext, images: Mapping[str, str]) -> str:
    """The conversation as one standalone HTML page (no script, no external resource)."""
    e = html.escape
    body = [f"<h1>Conversation report</h1><p class='meta'>{e(_summary(turns, context))}</p>"]
    for number, turn in enumerate(turns, 1):
        body.append(f"<section><h2>{number}. {e(turn.question)}</h2>")
        body.append(f"<p class='meta'>Asked {e(when(turn.started_at))} · {e(turn.status)}</p>")
        if turn.answer_text:
            # Escaped first; then the answer's **bold** (the demo's and the model's emphasis) as <strong>.
            answer = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", e(turn.answer_text))
            body.append(f"<div class='answer'>{answer}</div>")
        body += [
            f"<p class='note'><strong>Number check:</strong> {e(note)}</p>" for note in check_notes(turn)
        ]
        for index, part in enumerate(turn.tools, 1):
            body.append(_html_part(part, index, images.get(part.id)))
        body.append("</section>")
    policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{policy}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Conversation report</title><style>{_STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _html_part(part: ToolPart, index: int, svg: str | None) -> str:
    e = html.escape
    out = [f"<h3>Result {index}: {e(part.name)}</h3>"]
    if part.question:
        out.append(f"<p>Asked: {e(part.question)}</p>")
    if part.sql:
        out.append(f"<pre><code class='sql'>{e(part.sql)}</code></pre>")
    if part.result is None or part.result.table is None:
        if part.result is not None and part.result.text:
            out.append(f"<p>{e(part.result.text)}</p>")
        return "".join(out)
    if svg:
        # As an <img>, an SVG can run nothing; its text was escaped by the renderer as well.
        out.append(f"<img alt='Chart of result {index}' src='{_data_uri(svg)}'>")
    names, rows, numeric = _rows(part)
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    cells = [
        "<tr>"
        + "".join(f"<td{' class=n' if n else ''}>{e(c)}</td>" for c, n in zip(row, numeric, strict=True))
        + "</tr>"
        for row in rows
    ]
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table>"
    out.append(f"<div class='scroll'>{table}</div>")
    out.append(f"<p class='counts'>{e(_counts(part))}</p>")
    return "".join(out)


def _summary(turns: Sequence[Turn], context: ReportContext) -> str:
    generated = context.generated_at or dt.datetime.now(tz=dt.UTC)
    where = f"endpoint {context.endpoint}" + (f" on {context.host}" if context.host else "")
    started = [t.started_at for t in turns if t.started_at]
    span = f", asked from {when(min(started))} to {when(max(started))}" if started else ""
    count = f"{len(turns)} question{'s' if len(turns) != 1 else ''}"
    return f"{count} to {where}{span}. Generated {generated.strftime('%Y-%m-%d %H:%M UTC')}."


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
