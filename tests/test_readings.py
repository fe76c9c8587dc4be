"""The demo says how it read a question: relative periods against where its data ends, unoffered charts."""

from __future__ import annotations

import pytest
from demo_data import demo_data_dir

from mas.demo.readings import chart_note, period_readings, readings_note
from mas.demo.supervisor import DemoSupervisor
from mas.transcript import Turn, apply_event
from mas.wire.normalize import Normalizer

LAST_YEAR = 2025  # the pinned window ends in December 2025 (tests/conftest.py)


@pytest.mark.parametrize(
    ("question", "readings"),
    [
        ("Which sales channel grew fastest this year?", [f"“this year” = {LAST_YEAR}"]),
        ("Revenue last year vs this year", [f"“last year” = {LAST_YEAR - 1}", f"“this year” = {LAST_YEAR}"]),
        ("Revenue in the previous quarter", [f"“previous quarter” = Q3 {LAST_YEAR}"]),
        ("Revenue this  month", [f"“this month” = December {LAST_YEAR}"]),
        ("Revenue in 2024", []),
        ("Total revenue", []),
    ],
)
def test_relative_periods_are_read_out(question: str, readings: list[str]) -> None:
    assert period_readings(question) == readings


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("Revenue by region as a pie chart", "Pie charts aren't offered; here is a bar chart of the shares."),
        ("Show it as a donut", "Donut charts aren't offered; here is a bar chart of the shares."),
        (
            "Revenue by country on a heat map chart",
            "Heat map charts aren't offered; here are the charts that fit.",
        ),
        ("Revenue by region as a bar chart", None),
        ("Revenue by region", None),
    ],
)
def test_a_chart_kind_the_app_cannot_draw_is_acknowledged(question: str, note: str | None) -> None:
    assert chart_note(question) == note


def _answer(question: str) -> str:
    turn, normalizer = Turn(question=question), Normalizer()
    for wire in DemoSupervisor(data_dir=demo_data_dir()).respond([{"role": "user", "content": question}]):
        for event in normalizer.feed(wire):
            apply_event(turn, event)
    return turn.answer_text


def test_the_demo_answer_carries_its_readings() -> None:
    answer = _answer("Which sales channel grew fastest this year?")
    assert answer.endswith(f"_{readings_note('Which sales channel grew fastest this year?')}_")
    assert f"“this year” = {LAST_YEAR}" in answer and f"ends in December {LAST_YEAR}" in answer
    pie = _answer("Revenue by region as a pie chart")
    assert "Pie charts aren't offered; here is a bar chart of the shares." in pie
    assert readings_note("Which region brings in the most revenue?") == ""
    assert not _answer("Which region brings in the most revenue?").endswith("_")
