""""Download report": the conversation as a standalone HTML page or Markdown, with static charts.

Each result's chart (the kind the user last picked) is drawn by the same Vega-Lite spec as on the
page, rendered offline to SVG by vl-convert (no browser, no network), and handed to the pure
report writer `mas.report`. Both files are built only when a button is clicked.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import streamlit as st

from mas.errors import ResultError
from mas.report import ReportContext, html_report, markdown_report
from mas.results.charts import build_chart
from mas.transcript import ToolPart, Turn
from ui import session
from ui.vega import chart_frame, chart_spec


def chart_svg(part: ToolPart) -> str | None:
    """The part's chart as SVG (its picked kind, else the default), or None when it has none."""
    import vl_convert

    result = part.result
    if result is None or result.table is None or not result.chart_kinds:
        return None
    kind = part.chart_kind if part.chart_kind in result.chart_kinds else result.chart_kinds[0]
    try:
        chart = build_chart(result.table, kind, columns=result.columns)
    except ResultError:
        return None
    values = _records(chart_frame(chart))
    spec = chart_spec(chart, result.columns) | {"data": {"values": values}, "width": 640}
    svg: str = vl_convert.vegalite_to_svg(vl_spec=spec)
    return svg


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name].dtype):
            out[name] = out[name].dt.strftime("%Y-%m-%dT%H:%M:%S")
    records: list[dict[str, Any]] = out.astype(object).where(out.notna(), None).to_dict("records")
    return records


def _context() -> ReportContext:
    conn = session.connection()
    return ReportContext(endpoint=conn.endpoint_name, host=conn.host, generated_at=dt.datetime.now(tz=dt.UTC))


def _images(turns: list[Turn]) -> dict[str, str]:
    images: dict[str, str] = {}
    for turn in turns:
        for part in turn.tools:
            svg = chart_svg(part)
            if svg is not None:
                images[part.id] = svg
    return images


def file_name(turns: list[Turn], extension: str) -> str:
    words = re.findall(r"\w+", turns[0].question.lower())[:6] if turns else []
    return f"report-{'-'.join(words) or 'conversation'}.{extension}"


def buttons(turns: list[Turn]) -> None:
    """The two download buttons under a conversation (nothing while it is empty)."""
    ended = [t for t in turns if t.status != "streaming"]
    if not ended:
        return
    with st.container(horizontal=True, gap="small", key="report"):
        st.download_button(
            "Download report",
            data=lambda: html_report(ended, context=_context(), images=_images(ended)).encode(),
            file_name=file_name(ended, "html"),
            mime="text/html",
            on_click="ignore",
            icon=":material/description:",
            type="tertiary",
            key="report-html",
            help="Every question, answer, SQL, table and chart as one HTML page",
        )
        st.download_button(
            "Markdown",
            data=lambda: markdown_report(ended, context=_context(), images=_images(ended)).encode(),
            file_name=file_name(ended, "md"),
            mime="text/markdown",
            on_click="ignore",
            type="tertiary",
            key="report-md",
            help="The same report as Markdown",
        )
