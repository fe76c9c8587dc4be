"""Markdown pipe tables and fenced blocks found in free text."""

from __future__ import annotations

import pytest

from mas.results.pipe_tables import find_fences, find_table, split_cells


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", ["a", "b"]),
        ("a | b", ["a", "b"]),
        ("|a|b", ["a", "b"]),
        ("| a \\| b | c |", ["a | b", "c"]),
        ("| x |  |", ["x", ""]),
        ("| ends with pipe \\|", ["ends with pipe |"]),
    ],
)
def test_split_cells(line: str, cells: list[str]) -> None:
    assert split_cells(line) == cells


@pytest.mark.parametrize(
    "text",
    [
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "a | b\n--- | ---\n1 | 2",
        "| a | b |\n|:--|--:|\n| 1 | 2 |",
        "| a | b |\n| :---: | - |\n| 1 | 2 |",
        "  | a | b |\n  |---|---|\n  | 1 | 2 |",
    ],
)
def test_table_variants(text: str) -> None:
    table = find_table(text.split("\n"))
    assert table is not None
    assert (table.header, table.rows) == (["a", "b"], [["1", "2"]])


def test_table_inside_prose_reports_its_lines() -> None:
    lines = ["Intro | with a pipe", "", "| a |", "|---|", "| 1 |", "| 2 |", "", "After."]
    table = find_table(lines)
    assert table is not None and (table.start, table.end) == (2, 6)


def test_header_and_delimiter_must_have_the_same_width() -> None:
    assert find_table(["| a | b |", "|---|", "| 1 | 2 |"]) is None


def test_missing_cells_padded_extra_cells_dropped_empty_cells_none() -> None:
    table = find_table(["| a | b | c |", "|---|---|---|", "| 1 |", "| 1 | 2 | 3 | 4 |", "| | **5** | `6` |"])
    assert table is not None
    assert table.rows == [["1", None, None], ["1", "2", "3"], [None, "5", "6"]]


def test_skipped_lines_are_not_tables() -> None:
    lines = ["| a |", "|---|", "| 1 |"]
    assert find_table(lines, skip=frozenset({0, 1, 2})) is None


def test_confluence_header() -> None:
    table = find_table(["||region||revenue||", "|EMEA|5|", "|APAC|6|"])
    assert table is not None
    assert table.header == ["region", "revenue"] and table.rows == [["EMEA", "5"], ["APAC", "6"]]


def test_prose_with_pipes_but_no_delimiter_is_not_a_table() -> None:
    assert find_table(["a | b", "c | d"]) is None


def test_fences() -> None:
    text = (
        "x\n```sql\nSELECT 1\n```\n~~~python\nprint(1)\n~~~\n```\nWITH a AS (SELECT 1) SELECT * FROM a\n```\n"
    )
    fences = find_fences(text)
    assert [(f.language, f.is_sql) for f in fences] == [("sql", True), ("python", False), ("", True)]
    assert fences[0].body == "SELECT 1"
    assert text[fences[1].start : fences[1].end] == "~~~python\nprint(1)\n~~~"
