"""Spreadsheet-safe CSV (OWASP CSV injection) and the capped frame sent to the browser."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from mas.results.export import DISPLAY_CAP, display_frame, spreadsheet_safe, to_csv_bytes
from mas.results.toolresult import parse_tool_output


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "'-5"),  # in a text column, even a number-looking cell is text
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ('’quoted’ , "comma"', '’quoted’ , "comma"'),
    ],
)
def test_formula_cells_in_text_columns_are_prefixed(cell: str, written: str) -> None:
    frame = pd.DataFrame({"note": pd.Series([cell, "plain"], dtype="string")})
    assert _rows(to_csv_bytes(frame)) == [["note"], [written], ["plain"]]


def test_negative_numbers_in_numeric_columns_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "delta": [-12.5, 3.0],
            "n": pd.array([-3, None], dtype="Int64"),
            "flag": pd.array([True, None], "boolean"),
            "day": pd.to_datetime(["2024-03-01", None]),
        }
    )
    rows = _rows(to_csv_bytes(frame))
    assert rows == [["delta", "n", "flag", "day"], ["-12.5", "-3", "True", "2024-03-01"], ["3.0", "", "", ""]]
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert back["delta"].tolist() == [-12.5, 3.0]


def test_header_cells_are_defused_too() -> None:
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "-total": [1.0]})
    assert _rows(to_csv_bytes(frame))[0] == ["'=cmd|' /C calc'!A0", "'-total"]


def test_object_columns_with_mixed_values() -> None:
    frame = pd.DataFrame({"mixed": pd.Series(["=1", 5, None], dtype=object)})
    assert _rows(to_csv_bytes(frame)) == [["mixed"], ["'=1"], ["5"], [""]]


def test_utf8_every_row_and_no_index() -> None:
    frame = pd.DataFrame(
        {"city": pd.Series(["Zürich", "東京", "€ 😀"] * 10_000, dtype="string"), "v": np.arange(30_000)}
    )
    data = to_csv_bytes(frame)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data)
    assert len(rows) == 30_001 and rows[1] == ["Zürich", "0"] and rows[3] == ["€ 😀", "2"]


def test_rows_end_in_crlf_so_bare_carriage_returns_are_quoted() -> None:
    data = to_csv_bytes(pd.DataFrame({"t": pd.Series(["a\rb"], dtype="string")}))
    assert data == b't\r\n"a\rb"\r\n'


def test_embedded_newlines_and_quotes_round_trip() -> None:
    frame = pd.DataFrame({"t": pd.Series(["line1\nline2", 'say "hi"'], dtype="string")})
    assert _rows(to_csv_bytes(frame))[1:] == [["line1\nline2"], ['say "hi"']]


def test_spreadsheet_safe_does_not_change_the_input() -> None:
    frame = pd.DataFrame({"a": pd.Series(["=1"], dtype="string")})
    safe = spreadsheet_safe(frame)
    assert frame["a"].tolist() == ["=1"] and safe["a"].tolist() == ["'=1"]


def test_csv_of_a_parsed_result_has_every_row_typed() -> None:
    rows = "\n".join(f"| R{i} | -{i * 1000:,} | =A{i} |" for i in range(12_000))
    result = parse_tool_output("| region | change | formula |\n|---|---|---|\n" + rows)
    assert result.table is not None
    csv_rows = _rows(to_csv_bytes(result.table))
    assert len(csv_rows) == 12_001
    assert csv_rows[2] == ["R1", "-1000", "'=A1"]
    assert csv_rows[-1] == ["R11999", "-11999000", "'=A11999"]


@pytest.mark.parametrize(
    ("rows", "cap", "total_rows", "expected"),
    [
        (10, 100, None, (10, 10)),
        (DISPLAY_CAP + 5, DISPLAY_CAP, None, (DISPLAY_CAP, DISPLAY_CAP + 5)),
        (100, 100, 5_000, (100, 5_000)),
        (100, 10, 50, (10, 100)),
        (0, 10, None, (0, 0)),
    ],
)
def test_display_frame(rows: int, cap: int, total_rows: int | None, expected: tuple[int, int]) -> None:
    frame = pd.DataFrame({"a": np.arange(rows)})
    shown_frame, shown, total = display_frame(frame, cap, total_rows=total_rows)
    assert (shown, total) == expected and len(shown_frame) == shown
    assert shown_frame["a"].tolist() == list(range(shown))
