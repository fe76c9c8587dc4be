"""`python -m mas ask`: streamed text, tool calls with SQL and a table preview, JSON lines, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import GENIE_TABLE, TEST_TOKEN, ScriptedResponder, text_deltas
from support.emulator import Emulator, Fault

from mas.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main, summary, table_preview
from mas.results.toolresult import ToolResult
from mas.transcript import Turn, apply_event, finish
from mas.wire.events import Done, ToolCall, ToolOutput, parse_event

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workspace_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The usual Databricks auth variables, pointed at the emulator."""
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TEST_TOKEN)
    return emulator


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_ask_streams_text_and_shows_the_tool_call_with_its_table(workspace_env: Emulator) -> None:
    code, out, err = _run("ask", "Revenue by region?")
    assert code == EXIT_OK
    assert "Let me check the revenue data." in out and out.rstrip().endswith("EMEA leads with $1,200.50.")
    assert "→ agent-revenue-genie: Total net revenue by region" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "region" in line and "net_revenue" in line)
    assert "EMEA" in lines[header + 2] and "1,200.50" in lines[header + 2]
    assert "(2 rows)" in out
    assert workspace_env.url in err  # where it asked, on stderr so stdout stays the answer
    assert workspace_env.invocations()[0].body["input"] == [{"role": "user", "content": "Revenue by region?"}]


def test_the_answer_ends_with_a_summary_on_stderr(workspace_env: Emulator) -> None:
    code, out, err = _run("ask", "Revenue by region?")
    assert code == EXIT_OK
    last = err.splitlines()[-1]
    assert last.startswith("Answered in ") and last.endswith(" s with 1 sub-agent call.")
    assert "Answered" not in out


def test_summary_counts_calls_and_failures() -> None:
    turn = Turn(question="q")
    for call_id, output in (("c1", GENIE_TABLE), ("c2", "Error: the warehouse is stopped")):
        apply_event(turn, ToolCall(name="agent-genie", call_id=call_id, args={"genie_query": "q"}))
        apply_event(turn, ToolOutput(name="agent-genie", call_id=call_id, output=output))
    finish(turn)
    assert summary(turn).endswith(" s with 2 sub-agent calls, 1 failed.")


def test_json_prints_every_event_as_one_line(workspace_env: Emulator) -> None:
    code, out, _ = _run("ask", "--json", "Revenue by region?")
    events = [parse_event(json.loads(line)) for line in out.splitlines()]
    assert code == EXIT_OK and isinstance(events[-1], Done)
    assert [e.type for e in events].count("tool.call") == 1


def test_error_event_exits_non_zero_with_the_message(workspace_env: Emulator) -> None:
    workspace_env.inject(Fault(status=403, error_code="PERMISSION_DENIED", message="no access"))
    code, out, err = _run("ask", "Revenue?")
    assert code == EXIT_ERROR and out == ""
    assert "CAN_QUERY" in err and "no access" in err


def test_json_error_exits_non_zero(workspace_env: Emulator) -> None:
    workspace_env.inject(Fault(status=500))
    code, out, _ = _run("ask", "--json", "Revenue?")
    assert code == EXIT_ERROR and json.loads(out.splitlines()[-1])["type"] == "error"


def test_endpoint_option_picks_the_endpoint(workspace_env: Emulator) -> None:
    workspace_env.set_responder("mas-other-endpoint", ScriptedResponder(text_deltas(2)))
    code, out, _ = _run("ask", "--endpoint", "mas-other-endpoint", "Hi")
    assert code == EXIT_OK and "word0 word1" in out
    assert workspace_env.invocations()[0].path == "/serving-endpoints/mas-other-endpoint/invocations"


def test_blank_question_is_a_usage_error() -> None:
    code, _, err = _run("ask", "   ")
    assert code == EXIT_USAGE and "question" in err


def test_table_preview_caps_rows_and_columns() -> None:
    table = pd.DataFrame({f"c{i}": range(12) for i in range(8)})
    table["c0"] = [f"name {i}" for i in range(12)]
    lines = table_preview(ToolResult(table=table, row_count=12, total_rows=40, truncated=True))
    assert lines[0].split() == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert len(lines) == 2 + 5 + 1
    assert lines[-1] == "(first 5 of 40 rows, 2 more columns, truncated at the source)"
    assert lines[2].endswith("0") and lines[2].startswith("name 0")


def test_without_configuration_it_answers_from_the_demo(demo_emulator: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MAS_"))}
    env.update(
        MAS_DEMO_PACING="0",
        DATABRICKS_CONFIG_FILE=os.environ["DATABRICKS_CONFIG_FILE"],
        PYTHONPATH=str(ROOT),
        **{k: v for k, v in os.environ.items() if k == "MAS_DEMO_DATA_DIR"},
    )
    done = subprocess.run(
        [sys.executable, "-m", "mas", "ask", "What's our total revenue?"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_OK, done.stderr
    assert "→ agent-revenue-genie:" in done.stdout and "SQL:" in done.stdout
    assert "$" in done.stdout.split("→")[-1]
    assert "built-in demo" in done.stderr and "Traceback" not in done.stderr
