"""Find and split a markdown pipe table, or a fenced SQL block, inside free text.

Follows the GitHub-flavoured-markdown table rules: a header row, a delimiter row of dashes with
optional alignment colons and the same number of cells, then body rows until a blank or
pipe-less line; outer pipes are optional and `\\|` is a literal pipe. Confluence-style
`||a||b||` headers (seen in sub-agent text, mas-output.md §2) are read too. `split_prose` takes
the SQL fences and the first table out of a text. It returns strings only; typing the cells is
`mas.results.values`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_SQL_START = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:SELECT|WITH|FROM)\b", re.I | re.S)
_WRAPPED = re.compile(r"^(\*\*|__|`)(.+)\1$", re.S)


@dataclass(frozen=True)
class PipeTable:
    header: list[str]
    rows: list[list[str | None]]
    start: int
    """Index of the header line in the text's lines."""
    end: int
    """Index one past the last body line."""


def split_cells(line: str) -> list[str]:
    """The cells of one table line, trimmed, with `\\|` unescaped."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(text)]


def _is_delimiter(line: str) -> bool:
    return "|" in line and "-" in line and all(_DELIMITER_CELL.match(c) for c in split_cells(line))


def _cell(text: str) -> str | None:
    if not text:
        return None
    wrapped = _WRAPPED.match(text)
    return wrapped.group(2).strip() if wrapped else text


def find_table(lines: list[str], *, skip: frozenset[int] = frozenset()) -> PipeTable | None:
    """The first pipe table among `lines` (lines whose index is in `skip` are never part of one)."""
    for i in range(len(lines) - 1):
        if i in skip or "|" not in lines[i]:
            continue
        delimited = i + 1 not in skip and _is_delimiter(lines[i + 1])
        if not delimited and lines[i].lstrip().startswith("||"):
            table = _confluence(lines, i, skip=skip)
            if table is not None:
                return table
        if not delimited:
            continue
        header = split_cells(lines[i])
        if len(header) != len(split_cells(lines[i + 1])):
            continue
        end = _body_end(lines, i + 2, skip=skip)
        rows = [_fit(split_cells(line), len(header)) for line in lines[i + 2 : end]]
        return PipeTable(header=header, rows=rows, start=i, end=end)
    return None


def _confluence(lines: list[str], i: int, *, skip: frozenset[int]) -> PipeTable | None:
    header = [c.strip() for c in lines[i].strip().strip("|").split("||")]
    end = _body_end(lines, i + 1, skip=skip)
    if end == i + 1 or len(header) < 1:
        return None
    rows = [_fit(split_cells(line), len(header)) for line in lines[i + 1 : end]]
    return PipeTable(header=header, rows=rows, start=i, end=end)


def _body_end(lines: list[str], start: int, *, skip: frozenset[int]) -> int:
    end = start
    while end < len(lines) and end not in skip and "|" in lines[end] and lines[end].strip():
        end += 1
    return end


def _fit(cells: list[str], width: int) -> list[str | None]:
    """GFM: missing cells are empty, excess cells are ignored."""
    fitted: list[str | None] = [_cell(c) for c in cells[:width]]
    return fitted + [None] * (width - len(fitted))


@dataclass(frozen=True)
class Fence:
    language: str
    body: str
    start: int
    end: int
    """Character offsets of the whole fence (markers included) in the text."""

    @property
    def is_sql(self) -> bool:
        if self.language.lower() in ("sql", "sparksql", "databricks-sql", "postgresql", "tsql"):
            return True
        return not self.language and bool(_SQL_START.match(self.body))


def find_fences(text: str) -> list[Fence]:
    """Every ``` / ~~~ fenced block of `text`, in order."""
    return [
        Fence(language=m.group(2), body=m.group(3).strip(), start=m.start(), end=m.end())
        for m in _FENCE.finditer(text)
    ]


@dataclass(frozen=True)
class Prose:
    text: str
    """What is left: the prose without SQL fences and without the table."""
    sql: str | None
    """The last SQL fence (Genie keeps its last query when it corrects itself)."""
    table: PipeTable | None


def split_prose(text: str, *, want_table: bool = True) -> Prose:
    """Take the SQL fences, and the first table outside other fences, out of `text`."""
    fences = find_fences(text)
    sql = next((f.body for f in reversed(fences) if f.is_sql and f.body), None)
    for fence in reversed(fences):
        if fence.is_sql:
            text = text[: fence.start] + text[fence.end :]
    lines = text.split("\n")
    table = find_table(lines, skip=_fenced_lines(text)) if want_table else None
    if table is not None:
        lines = lines[: table.start] + lines[table.end :]
    return Prose(text=re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), sql=sql, table=table)


def _fenced_lines(text: str) -> frozenset[int]:
    """Indices of the lines inside fenced blocks, where tables are not looked for."""
    lines: set[int] = set()
    for fence in find_fences(text):
        first = text.count("\n", 0, fence.start)
        lines.update(range(first, first + text.count("\n", fence.start, fence.end) + 1))
    return frozenset(lines)
