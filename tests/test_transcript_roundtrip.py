"""Every `.sse` fixture → transcript → dict → JSON → transcript: an equal record and the same result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streams import fixture_names, load

from mas.errors import TranscriptError
from mas.results.toolresult import ToolResult
from mas.transcript import SCHEMA_VERSION, TextPart, ToolPart, Turn, apply_event, finish
from mas.wire.decode import iter_events


def _folded(name: str) -> Turn:
    turn = Turn(question=f"Replay of {name}")
    for event in iter_events([load(name)]):
        apply_event(turn, event)
    finish(turn)
    return turn


def _result_view(result: ToolResult | None) -> dict[str, Any] | None:
    """What drawing a result depends on: its prose, SQL, kind, KPI, counts, columns and every cell."""
    if result is None:
        return None
    table = None if result.table is None else result.table.to_dict(orient="split")
    return {
        "text": result.text, "sql": result.sql, "kind": result.kind, "kpi": result.kpi,
        "rows": (result.row_count, result.total_rows, result.truncated), "columns": result.columns,
        "suggestions": result.suggestions, "is_error": result.is_error, "table": table,
        "dtypes": None if result.table is None else [str(t) for t in result.table.dtypes],
    }  # fmt: skip


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_round_trips_through_json(name: str) -> None:
    turn = _folded(name)
    text = json.dumps(turn.to_dict())
    again = Turn.from_dict(json.loads(text))
    assert again.to_dict() == turn.to_dict()
    assert [type(p) for p in again.parts] == [type(p) for p in turn.parts]
    for before, after in zip(turn.tools, again.tools, strict=True):
        assert _result_view(after.result) == _result_view(before.result)
    assert again.answer_text == turn.answer_text


def test_some_fixtures_carry_tool_results_so_the_round_trip_means_something() -> None:
    turns = [_folded(name) for name in fixture_names()]
    tables = [p for t in turns for p in t.tools if p.result is not None and p.result.table is not None]
    assert len(tables) >= 5
    assert any(p.result is not None and p.result.kpi is not None for p in tables)


def test_the_raw_output_is_what_arrived_and_the_chart_pick_is_kept() -> None:
    part = ToolPart(name="agent-x", call_id="c1", question="q", output="| a | b |\n|---|---|\n| x | 1 |")
    part.chart_kind = "bar"
    turn = Turn(question="q", parts=[TextPart(text="hi", agent="Revenue"), part], status="complete")
    again = Turn.from_dict(json.loads(json.dumps(turn.to_dict())))
    [tool] = again.tools
    assert tool.output == part.output and tool.chart_kind == "bar" and tool.id == part.id
    assert again.parts[0] == TextPart(text="hi", agent="Revenue")


def test_a_newer_format_is_refused_with_a_sentence() -> None:
    data = Turn(question="q").to_dict()
    data["version"] = SCHEMA_VERSION + 1
    with pytest.raises(TranscriptError, match="newer version"):
        Turn.from_dict(data)


def test_a_broken_record_is_refused_with_a_sentence() -> None:
    with pytest.raises(TranscriptError, match="could not be read"):
        Turn.from_dict({"version": SCHEMA_VERSION, "parts": []})
    with pytest.raises(TranscriptError, match="unknown kind"):
        Turn.from_dict({"version": 1, "id": "x", "question": "q", "parts": [{"kind": "video"}]})
