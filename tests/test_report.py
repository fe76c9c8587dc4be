"""The conversation report: every question, SQL and table comes back out of the HTML; scripts stay text."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from demo_data import demo_data_dir

from mas.demo.supervisor import DemoSupervisor
from mas.report import REPORT_ROWS, ReportContext, check_notes, html_report, markdown_report
from mas.transcript import TextPart, ToolPart, Turn, apply_event, finish
from mas.wire.normalize import Normalizer
from ui.report_view import chart_svg

QUESTIONS = (
    "What's our total revenue?",
    "Show me revenue trends",
    "Which region brings in the most revenue?",
)
CONTEXT = ReportContext(endpoint="mas-demo-endpoint", host="http://127.0.0.1:1234",
                        generated_at=dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))  # fmt: skip


class _Read(HTMLParser):
    """What a reader of the page finds: headings, code blocks, tables (as rows of cells), images."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.code: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.tags: set[str] = set()
        self._in: list[str] = []
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in.append(tag)
        if tag in ("h2", "code", "td", "th"):
            self._text = ""
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append([])
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.h2.append(self._text)
        elif tag == "code":
            self.code.append(self._text)
        elif tag in ("td", "th"):
            self.tables[-1][-1].append(self._text)
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        self._text += data


def read(page: str) -> _Read:
    parser = _Read()
    parser.feed(page)
    parser.close()
    return parser


def demo_turn(supervisor: DemoSupervisor, question: str) -> Turn:
    turn, normalizer = Turn(question=question), Normalizer()
    for wire in supervisor.respond([{"role": "user", "content": question}]):
        for event in normalizer.feed(wire):
            apply_event(turn, event)
    finish(turn)
    return turn


@pytest.fixture(scope="module")
def conversation() -> list[Turn]:
    supervisor = DemoSupervisor(data_dir=demo_data_dir())
    return [demo_turn(supervisor, q) for q in QUESTIONS]


@pytest.fixture(scope="module")
def images(conversation: list[Turn]) -> dict[str, str]:
    return {p.id: svg for t in conversation for p in t.tools if (svg := chart_svg(p)) is not None}


def test_the_html_report_holds_every_question_sql_and_table(
    conversation: list[Turn], images: dict[str, str]
) -> None:
    page = read(html_report(conversation, context=CONTEXT, images=images))
    assert page.h2 == [f"{i}. {q}" for i, q in enumerate(QUESTIONS, 1)]
    sqls = [p.sql for t in conversation for p in t.tools]
    assert all(sqls) and page.code == sqls
    assert len(page.tables) == 3
    trend = next(p for p in conversation[1].tools)
    assert trend.result is not None and trend.result.table is not None
    header, *rows = page.tables[1]
    assert header == ["Order month", "Net revenue"] and len(rows) == min(REPORT_ROWS, trend.result.row_count)
    assert rows[0][1] == f"{trend.result.table['net_revenue'].iloc[0]:,.2f}"
    assert len(page.images) == 2 and all(src.startswith("data:image/svg+xml;base64,") for src in page.images)
    assert "script" not in page.tags and "mas-demo-endpoint" in html_report(
        conversation, context=CONTEXT, images={}
    )


def test_the_charts_render_offline_to_svg(images: dict[str, str]) -> None:
    assert len(images) == 2  # the trend's line and the regions' bars; a KPI has no chart
    for svg in images.values():
        assert svg.startswith("<svg") and "<script" not in svg


def test_the_markdown_report_holds_the_same(conversation: list[Turn], images: dict[str, str]) -> None:
    text = markdown_report(conversation, context=CONTEXT, images=images)
    assert "## 1. What's our total revenue?" in text and "## 2. Show me revenue trends" in text
    for part in (p for t in conversation for p in t.tools):
        assert f"```sql\n{part.sql}\n```" in text
    assert "| Order month | Net revenue |" in text and "36 rows" in text
    assert text.count("](data:image/svg+xml;base64,") == 2


def test_scripts_in_a_question_a_column_name_or_an_answer_come_out_as_text() -> None:
    xss = "<script>alert('x')</script>"
    output = f"| region | {xss} |\n|---|---|\n| {xss} | 5.0 |\n| APAC | 3.0 |\n\n```sql\nSELECT '{xss}'\n```"
    part = ToolPart(name=f"genie{xss}", call_id="c1", question=xss, output=output, state="complete")
    turn = Turn(
        question=f"Revenue {xss}?", parts=[TextPart(text=f"Done {xss} $99.9M."), part], status="complete"
    )
    page_text = html_report([turn], context=CONTEXT, images={part.id: chart_svg(part) or ""})
    assert "<script" not in page_text.lower()
    page = read(page_text)
    assert "script" not in page.tags
    assert page.h2 == [f"1. Revenue {xss}?"]
    assert page.tables[0][0] == ["Region", xss] and page.tables[0][1][0] == xss
    assert page.code == [f"SELECT '{xss}'"]
    markdown = markdown_report([turn], context=CONTEXT, images={})
    outside_code = re.sub(r"```.*?```", "", markdown, flags=re.S)  # a code block shows its text as is
    assert "<script>" not in outside_code and "\\<script\\>" in outside_code


def test_the_number_check_notes_are_in_the_report() -> None:
    output = "| region | revenue |\n|---|---|\n| EMEA | 5.0 |"
    part = ToolPart(name="genie", call_id="c1", question="q", output=output, state="complete")
    turn = Turn(question="q", parts=[TextPart(text="EMEA made $5.00 and $7.25."), part], status="complete")
    assert check_notes(turn) == ["$7.25 is not in the results of this answer."]
    assert "Number check:</strong> $7.25 is not in the results" in html_report(
        [turn], context=CONTEXT, images={}
    )


def test_the_chat_offers_the_report_once_an_answer_has_ended(app: object) -> None:
    from streamlit.testing.v1 import AppTest

    assert isinstance(app, AppTest)
    assert not [b for b in app.get("download_button") if "report" in str(b.proto.id)]
    app.chat_input[0].set_value("Which region brings in the most revenue?").run()
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Download report" in labels and "Markdown" in labels
