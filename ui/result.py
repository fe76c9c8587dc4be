"""A parsed Genie result on the page: KPI card, table with honest row counts, switchable chart, actions.

`render(part)` draws the result of one tool call, the same way live and on replay, and on the
Dashboard. Everything it needs beyond the parsed `ToolResult` (the capped frame, column
configs, Vega-Lite specs) is built once into a `ResultView` kept in the session's cache (keyed by
part id, never on the record), so a rerun only re-sends. The block is a fragment: switching the
chart or pinning reruns this block alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from mas.results.charts import ChartKind, build_chart
from mas.results.columns import ColumnMeta
from mas.results.export import DISPLAY_CAP, display_frame, to_csv_bytes
from mas.results.kpi import Kpi
from mas.results.toolresult import ToolResult
from mas.transcript import ToolPart
from ui import formats, session
from ui.text import literal
from ui.vega import chart_frame, chart_spec

KIND_LABELS = {"line": "Line", "multi_line": "Lines", "bar": "Bar", "scatter": "Scatter",
               "grouped_bar": "Grouped bars", "diverging_bar": "Change"}  # fmt: skip
_FILLER = frozenset({
    "what", "whats", "is", "are", "was", "were", "the", "our", "me", "show", "which", "how", "did", "do",
    "does", "a", "an", "of", "please",
})  # fmt: skip
_NAME_CHARS = 60


@dataclass
class ResultView:
    """What drawing one result needs, derived once from its `ToolResult`."""

    table: pd.DataFrame
    """Every parsed row (what the CSV gets)."""
    columns: tuple[ColumnMeta, ...]
    frame: pa.Table
    """The rows sent to the browser, converted to Arrow once (the conversion dominated reruns)."""
    config: dict[str, Any]
    counts: str
    kpi: Kpi | None
    kinds: list[ChartKind]
    charts: dict[str, tuple[dict[str, Any], pa.Table, str]] = field(default_factory=dict)


def counts_caption(result: ToolResult, shown: int) -> str:
    """Honest row counts: "24 rows", or what was cut, by whom, and what the CSV holds."""
    parsed = result.row_count
    total = max(result.total_rows or parsed, parsed)
    plural = "s" if total != 1 else ""
    if shown >= total and not result.truncated:
        return f"{total:,} row{plural}"
    if result.truncated and result.total_rows is None:
        return f"Showing {shown:,} rows · the source cut the result and did not say how many there are"
    text = f"Showing {shown:,} of {total:,} rows"
    if parsed < total:
        text += f" · the source returned only the first {parsed:,}"
    if shown < parsed:
        text += f" · the CSV has all {parsed:,}"
    return text


def csv_file_name(part: ToolPart, *, question: str) -> str:
    """A download name that says what the rows are: the sub-agent's question (else the user's), slugged.

    "What is the net revenue by region?" → "net-revenue-by-region.csv".
    """
    words = re.findall(r"\w+", re.sub(r"['’]", "", (part.question or question).lower()))
    words = [w for w in words if w not in _FILLER] or words
    slug = "-".join(words)[:_NAME_CHARS].rstrip("-_")
    return f"{slug or 'result'}.csv"


def view_of(part: ToolPart) -> ResultView | None:
    """The part's render-ready view, built on first use and kept in this session's cache by part id."""
    cache = session.result_views()
    view = cache.get(part.id)
    if view is None and part.result is not None and part.result.table is not None:
        result, table = part.result, part.result.table
        frame, _, _ = display_frame(table, cap=DISPLAY_CAP, total_rows=result.total_rows)
        kpi = result.kpi if result.kind == "kpi" else None
        kinds = list(result.chart_kinds)
        view = cache[part.id] = ResultView(
            table=table,
            columns=result.columns,
            frame=pa.Table.from_pandas(frame, preserve_index=False),
            config=formats.column_config(frame, result.columns),
            counts=counts_caption(result, len(frame)),
            kpi=kpi,
            kinds=kinds,
        )
        if part.chart_kind is None and kinds:
            part.chart_kind = kinds[0]
    return view


def rows_label(part: ToolPart) -> str:
    """For the tool call's one-line label: "24 rows", "1 value" or nothing."""
    result = part.result
    if result is None or result.table is None:
        return ""
    if result.kind == "kpi":
        return "1 value"
    total = max(result.total_rows or result.row_count, result.row_count)
    return f"{total:,} row{'s' if total != 1 else ''}"


def _chart(view: ResultView, kind: ChartKind) -> tuple[dict[str, Any], pa.Table, str]:
    cached = view.charts.get(kind)
    if cached is None:
        chart = build_chart(view.table, kind, columns=view.columns)
        data = pa.Table.from_pandas(chart_frame(chart), preserve_index=False)
        cached = (chart_spec(chart, view.columns), data, chart.caption)
        view.charts[kind] = cached
    return cached


def render(part: ToolPart, *, key: str, question: str, on_remove: Callable[[], None] | None = None) -> None:
    """Draw the part's result (nothing for prose-only or missing results; a warning for errors)."""
    result = part.result
    if result is None:
        return
    if result.is_error:
        st.warning(literal(result.text or "The sub-agent reported an error."), icon=":material/warning:")
        return
    if view_of(part) is not None:
        _result_block(part, key=key, question=question, on_remove=on_remove)


@st.fragment
def _result_block(part: ToolPart, *, key: str, question: str, on_remove: Callable[[], None] | None) -> None:
    view = view_of(part)
    if view is None:
        return
    if view.kpi is not None:
        _kpi(view.kpi)
    else:
        _chart_with_switcher(view, part, key=key)
        st.dataframe(view.frame, column_config=view.config, hide_index=True, height="auto")
    _actions(view, part, key=key, question=question, on_remove=on_remove)


def _kpi(kpi: Kpi) -> None:
    st.metric(
        kpi.label[:1].upper() + kpi.label[1:],
        formats.kpi_value(kpi),
        formats.kpi_delta(kpi),
        border=True,
        width="content",
        help=f"{kpi.period} against {kpi.previous_period}" if kpi.period and kpi.previous_period else None,
    )


def _chart_with_switcher(view: ResultView, part: ToolPart, *, key: str) -> None:
    if not view.kinds:
        return
    choice = next((k for k in view.kinds if k == part.chart_kind), view.kinds[0])
    if len(view.kinds) > 1:
        picked = st.segmented_control(
            "Chart type",
            view.kinds,
            default=choice,
            format_func=KIND_LABELS.__getitem__,
            key=f"chart-{key}",
            label_visibility="collapsed",
            required=True,
        )
        choice = picked or choice
    part.chart_kind = choice
    spec, data, caption = _chart(view, choice)
    st.caption(literal(caption))
    st.vega_lite_chart(data, spec, width="stretch")


def _actions(
    view: ResultView, part: ToolPart, *, key: str, question: str, on_remove: Callable[[], None] | None
) -> None:
    table = view.table
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        if view.kpi is None:
            st.caption(view.counts)
        st.download_button(
            "Download CSV",
            data=lambda: to_csv_bytes(table),
            file_name=csv_file_name(part, question=question),
            mime="text/csv",
            key=f"csv-{key}",
            on_click="ignore",
            icon=":material/download:",
            type="tertiary",
            help="Download every parsed row as CSV",
        )
        if on_remove is not None:
            st.button(
                "Remove", key=f"unpin-{key}", on_click=on_remove, icon=":material/close:", type="tertiary"
            )
            return
        pinned = session.is_pinned(part)
        st.button(
            "Pinned" if pinned else "Pin to dashboard",
            key=f"pin-{key}",
            disabled=pinned,
            type="tertiary",
            icon=":material/push_pin:",
            on_click=session.pin,
            args=(part,),
            kwargs={"question": question, "key": key},
        )
