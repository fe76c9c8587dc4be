"""Statement-response tables: cells typed by `type_name`, and the row-by-row scan of big JSON texts."""

from __future__ import annotations

import json
import logging
from typing import Any

import pandas as pd
import pytest

from mas.results import statement
from mas.results.values import ValueHint

_TRICKY_ROWS: list[list[Any]] = [
    ["a],[b", "1"],
    ['quote " and \\ backslash', None],
    ["unicode é € 中文 \u2028", "3"],
    ["<script>alert(1)</script>", "-4"],
    [None, "5"],
]


def _doc(rows: list[list[Any]], **extra: Any) -> dict[str, Any]:
    columns = [{"name": "label", "type_name": "STRING"}, {"name": "n", "type_name": "INT"}]
    return {
        "statement_id": "s",
        "manifest": {"schema": {"columns": columns}, "total_row_count": len(rows)},
        "result": {"data_array": rows, **extra},
    }


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 512])
@pytest.mark.parametrize("indent", [None, 2])
def test_scan_matches_json_loads(rows_per_chunk: int, indent: int | None) -> None:
    text = json.dumps(_doc(_TRICKY_ROWS), indent=indent, ensure_ascii=indent is None)
    split = statement.split_statement_text(text, rows_per_chunk=rows_per_chunk)
    assert split is not None
    document, raw = split
    assert document["result"]["data_array"] == statement.SENTINEL
    assert document["manifest"] == _doc([])["manifest"] | {"total_row_count": len(_TRICKY_ROWS)}
    assert raw.row_count == len(_TRICKY_ROWS)
    assert [c.to_pylist() for c in raw.columns] == [list(col) for col in zip(*_TRICKY_ROWS, strict=True)]


def test_empty_data_array() -> None:
    split = statement.split_statement_text('{"result": {"data_array": [ ], "row_count": 0}}')
    assert split is not None
    assert split[1].row_count == 0 and split[1].columns == ()
    assert split[0]["result"]["row_count"] == 0


@pytest.mark.parametrize(
    "text",
    [
        '{"result": {"rows": []}}',  # no data_array
        '{"result": {"data_array": [["a", "b"], ["c"',  # cut off
        '{"result": {"data_array": [["a"] ["b"]]}}',  # missing comma
        '{"result": {"data_array": ["a", "b"]}}',  # rows are not lists
        '{"result": {"data_array": [["a"]]} trailing',
    ],
)
def test_unusable_texts_give_none(text: str) -> None:
    assert statement.split_statement_text(text) is None


def test_native_json_cells_keep_their_json_spelling() -> None:
    raw = statement.raw_from_rows([[1, 2.5, True, None, {"k": [1]}]])
    assert [c.to_pylist() for c in raw.columns] == [["1"], ["2.5"], ["true"], [None], ['{"k":[1]}']]


def test_ragged_rows_are_padded_with_nulls() -> None:
    raw = statement.raw_from_rows([["a"], ["b", "c", "d"], []])
    assert [c.to_pylist() for c in raw.columns] == [["a", "b", None], [None, "c", None], [None, "d", None]]


def test_width_growing_in_a_later_chunk() -> None:
    text = json.dumps({"result": {"data_array": [["a"], ["b"], ["c", "d"]]}})
    split = statement.split_statement_text(text, rows_per_chunk=2)
    assert split is not None
    assert [c.to_pylist() for c in split[1].columns] == [["a", "b", "c"], [None, None, "d"]]


@pytest.mark.parametrize(
    ("type_name", "cells", "dtype", "expected"),
    [
        ("INT", ["1", None, "-3"], "Int64", [1, None, -3]),
        ("LONG", ["9007199254740993"], "Int64", [9007199254740993]),
        ("SHORT", ["2"], "Int64", [2]),
        ("BYTE", ["2"], "Int64", [2]),
        ("BIGINT", ["2"], "Int64", [2]),
        ("FLOAT", ["1.5", None], "float64", [1.5, None]),
        ("DOUBLE", ["-2.25e3"], "float64", [-2250.0]),
        ("DECIMAL", ["1200.00", "950.50"], "float64", [1200.0, 950.5]),
        ("BOOLEAN", ["true", "false", None], "boolean", [True, False, None]),
        ("STRING", ["x", None, ""], "string", ["x", None, ""]),
        ("BINARY", ["AAE="], "string", ["AAE="]),
        ("ARRAY", ['["a","b"]'], "string", ['["a","b"]']),
        ("MAP", ['{"a":1}'], "string", ['{"a":1}']),
        ("INTERVAL", ["1 day"], "string", ["1 day"]),
    ],
)
def test_typed_by_type_name(type_name: str, cells: list[str | None], dtype: str, expected: list[Any]) -> None:
    frame = statement.typed_frame(
        [{"name": "c", "type_name": type_name}], statement.raw_from_rows([[c] for c in cells])
    )
    assert str(frame["c"].dtype) == dtype
    assert [None if pd.isna(v) else v for v in frame["c"].tolist()] == expected


def test_dates_and_timestamps() -> None:
    columns = [
        {"name": "d", "type_name": "DATE"},
        {"name": "t", "type_name": "TIMESTAMP"},
        {"name": "n", "type_name": "TIMESTAMP_NTZ"},
    ]
    rows = [["2024-03-01", "2024-03-01T10:00:00.000Z", "2024-03-01T10:00:00"], [None, None, None]]
    frame = statement.typed_frame(columns, statement.raw_from_rows(rows))
    assert frame["d"].tolist()[0] == pd.Timestamp("2024-03-01")
    assert frame["t"].tolist()[0] == pd.Timestamp("2024-03-01T10:00:00Z")
    assert frame["n"].tolist()[0] == pd.Timestamp("2024-03-01T10:00:00")
    assert frame.isna().sum().tolist() == [1, 1, 1]
    assert all(pd.api.types.is_datetime64_any_dtype(frame[c].dtype) for c in "dtn")


def test_type_from_type_text_when_type_name_missing() -> None:
    frame = statement.typed_frame(
        [{"name": "x", "type_text": "DECIMAL(38,2)"}], statement.raw_from_rows([["1.5"]])
    )
    assert frame["x"].dtype == "float64"


def test_a_typed_column_holding_other_values_is_kept_as_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mas.results.statement"):
        frame = statement.typed_frame(
            [{"name": "n", "type_name": "INT"}], statement.raw_from_rows([["1"], ["x"]])
        )
    assert frame["n"].tolist() == ["1", "x"]
    assert "kept as text" in caplog.text


def test_more_cells_than_columns_and_more_columns_than_cells() -> None:
    frame = statement.typed_frame(
        [{"name": "a", "type_name": "STRING"}], statement.raw_from_rows([["x", "y"]])
    )
    assert list(frame.columns) == ["a", "column 2"]
    frame = statement.typed_frame(
        [{"name": "a"}, {"name": "b", "type_name": "INT"}], statement.raw_from_rows([["x"]])
    )
    assert frame["b"].isna().all() and len(frame) == 1


@pytest.mark.parametrize(
    ("names", "unique"),
    [
        (["a", "a", "a"], ["a", "a (2)", "a (3)"]),
        (["", " ", "x"], ["column 1", "column 2", "x"]),
        (["a (2)", "a", "a"], ["a (2)", "a", "a (3)"]),
        (["<b>x</b>"], ["<b>x</b>"]),
    ],
)
def test_unique_names(names: list[str], unique: list[str]) -> None:
    assert statement.unique_names(names) == unique


def test_string_columns_of_iso_quarters_months_and_dates_become_times() -> None:
    columns = [
        {"name": "q", "type_name": "STRING"},
        {"name": "m", "type_name": "STRING"},
        {"name": "label", "type_name": "STRING"},
        {"name": "n", "type_name": "INT"},
    ]
    rows = [["2023-Q1", "2023-01", "2023-Q1", "1"], ["2023-Q2", None, "later", "2"]]
    frame, hints = statement.table_from_columns(columns, statement.raw_from_rows(rows))
    assert frame["q"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-04-01")]
    assert frame["m"].iloc[0] == pd.Timestamp("2023-01-01") and pd.isna(frame["m"].iloc[1])
    assert frame["label"].tolist() == ["2023-Q1", "later"]
    assert frame["n"].tolist() == [1, 2]
    assert hints == {"q": ValueHint(grain="quarter"), "m": ValueHint(grain="month")}


def test_string_times_keep_positions_under_duplicate_names() -> None:
    columns = [{"name": "p", "type_name": "STRING"}, {"name": "p", "type_name": "STRING"}]
    frame, hints = statement.table_from_columns(columns, statement.raw_from_rows([["x", "2024-Q3"]]))
    assert frame["p"].tolist() == ["x"]
    assert frame["p (2)"].tolist() == [pd.Timestamp("2024-07-01")]
    assert hints == {"p (2)": ValueHint(grain="quarter")}
