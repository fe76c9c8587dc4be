"""The demo supervisor's wire events: MAS-shaped, honest, and quoting the table its shown SQL returns."""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from demo_data import demo_data_dir

from mas.demo.answer import CAPABILITIES
from mas.demo.engine import DemoEngine
from mas.demo.supervisor import (
    GENIE_TOOL,
    SUPERVISOR_NAME,
    DemoSupervisor,
    Style,
    demo_endpoint_metadata,
    style_for,
    user_questions,
    word_deltas,
)
from mas.demo.wording import count, money, percent

MARKER = f"<name>{SUPERVISOR_NAME}</name>"
STYLES = [Style(genie_shape=shape, stream_answer=stream, marker=marker)
          for shape in ("markdown", "json") for stream in (True, False)
          for marker in ("none", "start", "before_answer")]


@pytest.fixture(scope="session")
def supervisor() -> DemoSupervisor:
    return DemoSupervisor(data_dir=demo_data_dir(), wire_style="classic")


@pytest.fixture(scope="session")
def engine(supervisor: DemoSupervisor) -> DemoEngine:
    return supervisor.engine


@dataclass
class Table:
    sql: str
    columns: list[str]
    rows: list[list[str | None]]
    total_rows: int


@dataclass
class Stream:
    """A response's events, checked for the invariants every MAS-shaped response keeps."""

    events: list[dict[str, Any]]
    done: list[dict[str, Any]] = field(default_factory=list)
    deltas: dict[str, str] = field(default_factory=lambda: defaultdict(str))

    def __post_init__(self) -> None:
        assert self.events[0]["type"] == "response.created"
        assert self.events[-1]["type"] == "response.completed"
        assert self.events[-1]["response"]["id"] == self.events[0]["response"]["id"]
        sequence = [event["sequence_number"] for event in self.events]
        assert sequence == list(range(len(self.events)))
        for event in self.events:
            if event["type"] == "response.output_text.delta":
                assert event["delta"]
                self.deltas[event["item_id"]] += event["delta"]
            elif event["type"] == "response.output_item.done":
                self.done.append(event["item"])
        ids = [item["id"] for item in self.done]
        assert len(ids) == len(set(ids)), "item ids must be unique within a response"
        for item in self.done:
            if item["type"] == "message" and item["id"] in self.deltas:
                assert self.deltas[item["id"]] == self.text(item), "deltas must add up to the done text"

    @staticmethod
    def text(item: dict[str, Any]) -> str:
        return "".join(part["text"] for part in item["content"])

    def messages(self) -> list[dict[str, Any]]:
        return [item for item in self.done if item["type"] == "message"]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [item for item in self.done if item["type"] == kind]

    @property
    def answer(self) -> dict[str, Any]:
        return self.done[-1]

    @property
    def answer_text(self) -> str:
        return self.text(self.answer)

    def streamed(self, item: dict[str, Any]) -> bool:
        return item["id"] in self.deltas


def run(supervisor: DemoSupervisor, *turns: str | dict[str, Any]) -> Stream:
    items = [turn if isinstance(turn, dict) else {"role": "user", "content": turn} for turn in turns]
    return Stream(list(supervisor.respond(items)))


def forced(style: Style) -> DemoSupervisor:
    return DemoSupervisor(data_dir=demo_data_dir(), style=style, wire_style="classic")


def genie_table(output: str) -> Table:
    """Read the Genie output back, in either shape, the way a client would."""
    if output.startswith("{"):
        payload = json.loads(output)
        response = payload["statement_response"]
        columns = [column["name"] for column in response["manifest"]["schema"]["columns"]]
        positions = [column["position"] for column in response["manifest"]["schema"]["columns"]]
        assert positions == list(range(len(columns)))
        rows = response["result"]["data_array"]
        assert all(cell is None or isinstance(cell, str) for row in rows for cell in row)
        return Table(payload["query"], columns, rows, response["manifest"]["total_row_count"])
    match = re.search(r"```sql\n(.*?)\n```\n\n(.*)", output, re.S)
    assert match is not None, output
    lines = [line for line in match.group(2).splitlines() if line.startswith("|")]
    split = [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines]
    cells = [[cell.strip().replace("\\|", "|") for cell in row] for row in split]
    assert set(lines[1]) <= {"|", "-"}
    rows: list[list[str | None]] = [[cell or None for cell in row] for row in cells[2:]]
    return Table(match.group(1), cells[0], rows, len(rows))


def call_and_table(stream: Stream) -> tuple[dict[str, Any], Table]:
    (call,) = stream.of_type("function_call")
    (output,) = stream.of_type("function_call_output")
    assert output["call_id"] == call["call_id"]
    assert stream.done.index(output) == stream.done.index(call) + 1
    return call, genie_table(output["output"])


def figures(table: Table) -> set[str]:
    """Every way the answer may quote a numeric cell of the table."""
    quoted: set[str] = set()
    for row in table.rows:
        for cell in row:
            if cell is None or not re.fullmatch(r"-?\d+(\.\d+)?", cell):
                continue
            number = float(cell)
            if "." not in cell:
                quoted.add(count(number))
            quoted |= {money(number), percent(number), percent(abs(number), signed=False), f"${number:,.2f}"}
    return quoted


THREE = [
    ("What's our total revenue?", ["total_net_revenue"], 1),
    ("Show me revenue trends", ["order_month", "net_revenue"], 36),
    ("Which region brings in the most revenue?", ["region", "net_revenue", "pct_of_total"], 4),
]


@pytest.mark.parametrize("shape", ["markdown", "json"])
@pytest.mark.parametrize(("question", "columns", "row_count"), THREE)
def test_the_three_demo_questions(
    engine: DemoEngine, shape: str, question: str, columns: list[str], row_count: int
) -> None:
    stream = run(forced(Style(genie_shape=shape)), question)  # type: ignore[arg-type]
    call, table = call_and_table(stream)
    assert call["name"] == GENIE_TOOL
    assert table.columns == columns
    assert len(table.rows) == row_count == table.total_rows
    if question.startswith("Show"):
        assert [row[0] for row in table.rows][:2] == ["2023-01-01", "2023-02-01"]
    if question.startswith("Which"):
        values = [float(row[1] or 0) for row in table.rows]
        assert values == sorted(values, reverse=True)
        assert table.rows[0][0] in stream.answer_text
    assert figures(table) & set(re.findall(r"[+-]?\$?[\d,]+(?:\.\d+)?[KMB%]?", stream.answer_text))


QUESTIONS = [
    "What's our total revenue?", "Show me revenue trends", "Which region brings in the most revenue?",
    "top 5 products in 2024", "worst 3 countries", "revenue by channel in EMEA in 2024", "2024 vs 2023",
    "compare Q1 2025 with Q1 2024", "year over year growth", "QoQ growth in 2025",
    "which region grew fastest",
    "average order value by channel", "AOV in 2024", "How many orders did we get in 2024?",
    "monthly revenue by region in 2025", "units sold by category", "revenue in Q3 2024",
    "How much did revenue grow in 2023?", "online vs retail revenue", "top 3 customers in LATAM",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_shown_sql_is_the_sql_run_and_the_answer_quotes_it(
    supervisor: DemoSupervisor, engine: DemoEngine, question: str
) -> None:
    stream = run(supervisor, question)
    call, table = call_and_table(stream)
    arguments = call["arguments"]
    assert isinstance(arguments, str)
    assert set(json.loads(arguments)) == {"genie_query"}
    rerun = engine.query(table.sql)
    assert [column.name for column in rerun.columns] == table.columns
    assert rerun.string_rows()[: len(table.rows)] == table.rows
    assert figures(table) & set(re.findall(r"[+-]?\$?[\d,]+(?:\.\d+)?[KMB%]?", stream.answer_text)), \
        stream.answer_text


def style_id(style: Style) -> str:
    return f"{style.genie_shape}-{'streamed' if style.stream_answer else 'done-only'}-{style.marker}"


@pytest.mark.parametrize("style", STYLES, ids=style_id)
def test_event_order_for_every_style(style: Style) -> None:
    stream = run(forced(style), "revenue by region in 2024")
    messages = stream.messages()
    kinds = [item["type"] for item in stream.done]
    markers = [item for item in messages if Stream.text(item) == MARKER]
    expected = ["message", "function_call", "function_call_output", "message"]
    if style.marker == "start":
        expected.insert(0, "message")
        assert stream.done[0] is markers[0]
    if style.marker == "before_answer":
        expected.insert(3, "message")
        assert stream.done[-2] is markers[0]
    assert kinds == expected
    assert len(markers) == (0 if style.marker == "none" else 1)
    narration = next(item for item in messages if Stream.text(item) != MARKER)
    assert stream.streamed(narration) and len(word_deltas(Stream.text(narration))) > 3
    assert stream.streamed(stream.answer) is style.stream_answer
    assert not any(stream.streamed(marker) for marker in markers)
    output = stream.of_type("function_call_output")[0]["output"]
    assert output.startswith("{") is (style.genie_shape == "json")


def test_styles_vary_by_question_but_not_between_runs() -> None:
    questions = [f"revenue in {region} in {year}" for region in ("EMEA", "APAC", "LATAM", "Germany")
                 for year in (2023, 2024, 2025)] + QUESTIONS
    styles = [style_for(question) for question in questions]
    assert styles == [style_for(question) for question in questions]
    assert {style.genie_shape for style in styles} == {"markdown", "json"}
    assert {style.stream_answer for style in styles} == {True, False}
    assert {style.marker for style in styles} == {"none", "start", "before_answer"}
    assert style_for("  Show me revenue trends ") == style_for("show me revenue trends")


@pytest.mark.parametrize(
    "question", ["hello", "What's the profit margin?", "revenue in 2026", "Tell me a joke"])
def test_unmapped_questions_get_an_honest_answer_without_a_tool_call(
    supervisor: DemoSupervisor, question: str
) -> None:
    stream = run(supervisor, question)
    assert stream.of_type("function_call") == [] and stream.of_type("function_call_output") == []
    assert CAPABILITIES in stream.answer_text
    assert "$" not in stream.answer_text


def test_refusal_reason_comes_first(supervisor: DemoSupervisor) -> None:
    text = run(supervisor, "What's the profit margin?").answer_text
    assert text.startswith("The demo dataset holds order lines")


def test_follow_up_uses_the_history(supervisor: DemoSupervisor) -> None:
    stream = run(
        supervisor,
        {"role": "user", "content": "revenue by region"},
        {"role": "assistant", "content": "North America leads with $96.2M."},
        {"type": "function_call", "call_id": "c1", "name": GENIE_TOOL, "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "| x |"},
        {"role": "user", "content": [{"type": "input_text", "text": "what about "},
                                     {"type": "input_text", "text": "2024?"}]},
    )
    call, table = call_and_table(stream)
    assert json.loads(call["arguments"])["genie_query"] == \
        "What is the net revenue by region in 2024, sorted from highest to lowest?"
    assert "year = 2024" in table.sql and table.columns[0] == "region"


def test_user_questions_reads_strings_and_content_parts() -> None:
    items = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "  first  "},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "second"}, "junk"]},
        {"role": "assistant", "content": [{"type": "output_text", "text": "answer"}]},
        {"role": "user", "content": ""},
        {"role": "user", "content": None},
        "not a dict",
    ]
    assert user_questions(items) == ["first", "second"]  # type: ignore[arg-type]


def test_empty_input_gets_the_capabilities(supervisor: DemoSupervisor) -> None:
    stream = Stream(list(supervisor.respond([])))
    assert CAPABILITIES in stream.answer_text


def test_word_deltas_join_back_exactly() -> None:
    text = "Net revenue was **$82.1M**.\n\n1. **EMEA**: $3.7M\n"
    assert "".join(word_deltas(text)) == text
    assert word_deltas("one two three") == ["one ", "two ", "three"]


def test_plan_is_exposed_for_other_tests(supervisor: DemoSupervisor) -> None:
    plan = supervisor.plan("Which region brings in the most revenue?")
    assert plan is not None and plan.intent.dimension == "region" and "GROUP BY region" in plan.sql
    follow = supervisor.plan("by month", history=["revenue in EMEA"])
    assert follow is not None and follow.intent.kind == "trend" and "region = 'EMEA'" in follow.sql
    assert supervisor.plan("hello") is None


def test_prepare_generates_the_dataset_up_front(tmp_path: Path) -> None:
    supervisor = DemoSupervisor(data_dir=tmp_path, wire_style="classic")
    assert list(tmp_path.iterdir()) == []
    supervisor.prepare()
    assert sorted(path.suffix for path in tmp_path.iterdir()) == [".duckdb", ".parquet"]


def test_a_failing_engine_becomes_an_answer_not_a_crash(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    stream = run(DemoSupervisor(data_dir=not_a_folder, wire_style="classic"), "What's our total revenue?")
    (output,) = stream.of_type("function_call_output")
    assert output["output"].startswith("Genie could not run the query")
    assert "could not run the query" in stream.answer_text
    assert "$" not in stream.answer_text


def test_many_threads_share_one_supervisor(supervisor: DemoSupervisor) -> None:
    expected = {question: run(supervisor, question).answer_text for question in QUESTIONS[:4]}
    failures: list[str] = []

    def ask(question: str) -> None:
        for _ in range(3):
            text = run(supervisor, question).answer_text
            if text != expected[question]:
                failures.append(question)

    threads = [threading.Thread(target=ask, args=(question,)) for question in QUESTIONS[:4] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_endpoint_metadata_looks_like_a_mas() -> None:
    metadata = demo_endpoint_metadata("mas-3d3b5439-endpoint")
    assert metadata["name"] == "mas-3d3b5439-endpoint"
    assert metadata["state"]["ready"] == "READY"
    assert metadata["task"] == "agent/v1/responses"
    tile = metadata["tile_endpoint_metadata"]
    assert tile["problem_type"] == "MULTI_AGENT_SUPERVISOR"
    assert tile["tile_id"].startswith("3d3b5439-")
    assert demo_endpoint_metadata("my-endpoint")["name"] == "my-endpoint"
    assert json.loads(json.dumps(metadata)) == metadata
