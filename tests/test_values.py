"""Cell coercion: untyped text cells become numbers, booleans and datetimes only when every cell fits."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mas.results.values import ValueHint, coerce_column, coerce_frame, parse_time_text


def _coerce(cells: list[object]) -> tuple[pd.Series, ValueHint]:
    return coerce_column(pd.Series(cells, dtype=object))


def _plain(values: pd.Series) -> list[object]:
    return [
        None if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)) else v
        for v in values.tolist()
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1,234", "12,345,678", "7"], [1234, 12345678, 7]),
        (["$1,200.50", "$950"], [1200.5, 950.0]),
        (["€5", "€1.5"], [5.0, 1.5]),
        (["£3", "£4"], [3, 4]),
        (["¥300", "¥12"], [300, 12]),
        (["12 USD", "USD 3"], [12, 3]),
        (["-5", "+3", "−4"], [-5, 3, -4]),
        (["(300)", "($1,000.25)", "50"], [-300.0, -1000.25, 50.0]),
        (["$-5", "-$6"], [-5, -6]),
        (["1.2M", "500K", "3.4k", "2B"], [1.2e6, 5e5, 3.4e3, 2e9]),
        (["1.5e3", "2"], [1500.0, 2.0]),
        ([".5", "0.25"], [0.5, 0.25]),
        (["0", "10"], [0, 10]),
        ([" 42 ", "7"], [42, 7]),
    ],
)
def test_numbers_parse(cells: list[object], expected: list[float]) -> None:
    values, _ = _coerce(cells)
    assert pd.api.types.is_numeric_dtype(values.dtype)
    assert _plain(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("cells", "dtype"),
    [(["1,234", "7"], "Int64"), (["1.0", "2"], "float64"), (["1K"], "float64"), (["5%"], "float64")],
)
def test_integers_only_when_every_cell_is_whole(cells: list[object], dtype: str) -> None:
    values, _ = _coerce(cells)
    assert str(values.dtype) == dtype


def test_percentages_are_points_and_flag_the_column() -> None:
    values, hint = _coerce(["12.5%", "3 %", "-0.5%"])
    assert _plain(values) == pytest.approx([12.5, 3.0, -0.5])
    assert hint.percent is True


def test_currency_mark_becomes_the_hint() -> None:
    assert _coerce(["$1", "$2"])[1].currency == "USD"
    assert _coerce(["€1", "2"])[1].currency == "EUR"
    assert _coerce(["1", "2"])[1] == ValueHint()


@pytest.mark.parametrize(
    "cells",
    [
        ["12", "apples"],
        ["1,2,3", "4"],  # not thousands separators
        ["007", "12"],  # leading zeros: a code, not a number
        ["02139", "10001"],
        ["€5", "$4"],  # two currencies in one column
        ["12%", "13"],  # some percent, some not
        ["(5", "6"],  # unbalanced parenthesis
        ["1.234,56", "2"],  # European decimal comma is not guessed
        ["NA", "EMEA", "APAC"],  # "NA" is North America here, not missing
        ["2024-13-01", "2024-01-01"],  # month 13
        ["2024-03-01", "2024-03"],  # mixed date shapes
        ["yes", "no"],
        ["<script>alert(1)</script>", "=1+1"],
        ["12345678901234567890", "1"],  # would be rounded as a number
    ],
)
def test_columns_that_do_not_fully_parse_stay_verbatim_text(cells: list[object]) -> None:
    values, hint = _coerce(cells)
    assert isinstance(values.dtype, pd.StringDtype)
    assert values.tolist() == cells
    assert hint == ValueHint()


def test_null_tokens_count_as_missing_only_in_converted_columns() -> None:
    values, _ = _coerce(["5", "", "n/a", "-", "—", None, "NULL", "7"])
    assert _plain(values) == [5, None, None, None, None, None, None, 7]
    assert str(values.dtype) == "Int64"
    text, _ = _coerce(["n/a", "x", None])
    assert _plain(text) == ["n/a", "x", None]


def test_all_missing_column_stays_text() -> None:
    values, _ = _coerce([None, "", "n/a"])
    assert isinstance(values.dtype, pd.StringDtype)


@pytest.mark.parametrize(
    ("cells", "expected", "grain"),
    [
        (["2024-03-01", "2024-03-02"], ["2024-03-01", "2024-03-02"], "day"),
        (["2024-03", "2024-04"], ["2024-03-01", "2024-04-01"], "month"),
        (
            ["Mar 2024", "April 2024", "Sept 2024", "dec. 2023"],
            ["2024-03-01", "2024-04-01", "2024-09-01", "2023-12-01"],
            "month",
        ),
        (
            ["2024-Q1", "2024 Q2", "Q3 2024", "q4-2024"],
            ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"],
            "quarter",
        ),
        (
            ["2024-03-01T10:15:00", "2024-03-01 11:00:00.123"],
            ["2024-03-01 10:15:00", "2024-03-01 11:00:00.123"],
            "datetime",
        ),
    ],
)
def test_dates_months_and_quarters_become_period_starts(
    cells: list[object], expected: list[str], grain: str
) -> None:
    values, hint = _coerce(cells)
    assert pd.api.types.is_datetime64_any_dtype(values.dtype)
    assert values.tolist() == [pd.Timestamp(e) for e in expected]
    assert hint.grain == grain


@pytest.mark.parametrize(
    "cells",
    [
        ["2024-Q1", None, "n/a", "Q2 2024"],
        ["Mar 2024", None, "", "Apr 2024"],
        ["2024-03", None, "-", "2024-04"],
        ["2024-03-01", None, "null", "2024-04-01"],
    ],
)
def test_periods_with_missing_cells(cells: list[object]) -> None:
    values, _ = _coerce(cells)
    assert pd.api.types.is_datetime64_any_dtype(values.dtype)
    assert values.isna().tolist() == [False, True, True, False]


def test_leading_missing_cells_do_not_hide_the_type() -> None:
    values, _ = _coerce([None] * 500 + ["1,000", "2"])
    assert str(values.dtype) == "Int64" and values.iloc[-2] == 1000


def test_timestamps_with_offsets_become_utc() -> None:
    values, _ = _coerce(["2024-03-01T10:00:00Z", "2024-03-01T12:00:00+01:00", None])
    assert str(values.dt.tz) == "UTC"
    assert values[1] == pd.Timestamp("2024-03-01T11:00:00Z")
    assert values.isna().tolist() == [False, False, True]


def test_month_name_that_is_not_a_month_stays_text() -> None:
    values, _ = _coerce(["Foo 2024", "Mar 2024"])
    assert values.tolist() == ["Foo 2024", "Mar 2024"]


def test_booleans() -> None:
    values, _ = _coerce(["true", "False", None])
    assert str(values.dtype) == "boolean"
    assert _plain(values) == [True, False, None]


@pytest.mark.parametrize(
    ("cells", "dtype"),
    [([1, 2, None], "Int64"), ([1.5, 2, None], "float64"), ([True, None, False], "boolean")],
)
def test_native_json_values(cells: list[object], dtype: str) -> None:
    values, _ = _coerce(cells)
    assert str(values.dtype) == dtype
    assert values.isna().sum() == 1


def test_huge_native_integers_stay_exact_as_text() -> None:
    values, _ = _coerce([2**64, 1])
    assert values.tolist() == [str(2**64), "1"]


def test_nested_json_cells_become_compact_json_text() -> None:
    values, _ = _coerce([{"a": 1}, [1, 2], "x"])
    assert values.tolist() == ['{"a":1}', "[1,2]", "x"]


def test_typed_columns_are_left_alone() -> None:
    series = pd.Series([1.5, 2.5])
    values, hint = coerce_column(series)
    assert values.dtype == "float64" and hint == ValueHint()


def test_coerce_frame_returns_hints_by_column() -> None:
    frame = pd.DataFrame(
        {"share": ["1%", "2%"], "region": ["EMEA", "APAC"], "amount": ["$1", "$2"]}, dtype=object
    )
    typed, hints = coerce_frame(frame)
    assert typed["share"].tolist() == [1.0, 2.0]
    assert hints == {"share": ValueHint(percent=True), "amount": ValueHint(currency="USD")}
    assert list(typed.columns) == ["share", "region", "amount"]


def test_large_columns_convert_whole() -> None:
    cells = [f"${i:,}.50" for i in range(50_000)] + [None]
    values, hint = _coerce(cells)
    assert values.iloc[49_999] == pytest.approx(49_999.5)
    assert values.isna().sum() == 1 and hint.currency == "USD"


@pytest.mark.parametrize(
    ("cells", "first", "grain"),
    [
        (["2023-Q1", None, "2024-Q4"], "2023-01-01", "quarter"),
        (["2023-01", "2023-02"], "2023-01-01", "month"),
        (["2023-01-31", "2023-02-01"], "2023-01-31", "day"),
        (["2023-01-31T10:00:00", None], "2023-01-31T10:00:00", "datetime"),
    ],
)
def test_typed_strings_of_iso_periods_read_as_times(cells: list[object], first: str, grain: str) -> None:
    parsed = parse_time_text(pd.Series(cells, dtype="string"))
    assert parsed is not None
    series, hint = parsed
    assert series.iloc[0] == pd.Timestamp(first) and hint.grain == grain
    assert series.isna().tolist() == [c is None for c in cells]


@pytest.mark.parametrize(
    "cells",
    [
        ["2023-Q1", "2023-Q5"],
        ["2023-Q1", "n/a"],
        ["2023-Q1", ""],
        ["2023 Q1", "2023 Q2"],
        ["Q1 2023"],
        ["Jan 2024", "Feb 2024"],
        ["2023-01", "2023-Q1"],
        ["2023-13"],
        [" 2023-01"],
        ["2023", "2024"],
        [None, None],
        ["2023-Q1"] * 30 + ["EMEA"],
    ],
)
def test_typed_strings_read_as_times_only_when_every_value_parses(cells: list[object]) -> None:
    assert parse_time_text(pd.Series(cells, dtype="string")) is None
