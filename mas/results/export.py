"""Spreadsheet-safe CSV of a result table, and the capped frame the browser is sent.

`to_csv_bytes` writes every parsed row as UTF-8 CSV with a header; text cells (and column
names) that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, tab or
carriage return — get a leading single quote (OWASP "CSV Injection"). Numeric, boolean and date
columns are written as values, so a genuine -12.5 stays a number. No file or HTTP I/O here.
"""

from __future__ import annotations

import pandas as pd

DISPLAY_CAP = 10_000
"""At most this many rows go to the browser (issue 3; issue 5, P4)."""

_FORMULA_START = r"^[=+\-@\t\r]"


def defuse(values: pd.Series) -> pd.Series:
    """Text cells that start like a formula, prefixed with `'`; missing cells stay missing."""
    text = values.astype("string")
    risky = text.str.contains(_FORMULA_START, regex=True).fillna(False).astype(bool)
    return text.mask(risky, "'" + text)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text column and every column name defused."""
    columns = {}
    for index in range(frame.shape[1]):
        values = frame.iloc[:, index]
        typed = (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
                 or pd.api.types.is_datetime64_any_dtype(values.dtype))
        columns[index] = values if typed else defuse(values)
    safe = pd.DataFrame(columns, index=frame.index)
    safe.columns = pd.Index(defuse(pd.Series([str(c) for c in frame.columns], dtype="string")).tolist())
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Every row of `frame` as spreadsheet-safe UTF-8 CSV with a header row (no index, no BOM).

    Rows end in CRLF (RFC 4180), which also makes the csv writer quote any cell holding a bare CR.
    """
    return spreadsheet_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def display_frame(
    frame: pd.DataFrame, cap: int = DISPLAY_CAP, *, total_rows: int | None = None
) -> tuple[pd.DataFrame, int, int]:
    """The first `cap` rows to show, how many that is, and the honest total.

    The total is the larger of the rows parsed and the source's own count (`total_rows`, e.g.
    Genie's truncated results), so the UI can say "showing N of M rows".
    """
    shown = frame.head(cap) if len(frame) > cap else frame
    total = max(len(frame), total_rows or 0)
    return shown, len(shown), total
