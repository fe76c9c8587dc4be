"""Tests of mas.wire.textflow: deltas reconciled with done texts, speaker markers and noise."""

from __future__ import annotations

import pytest

from mas.wire.events import TextDelta
from mas.wire.textflow import TextFlow


def texts(events: list[TextDelta]) -> list[str]:
    return [event.delta for event in events]


def test_done_equal_to_the_deltas_adds_nothing() -> None:
    flow = TextFlow()
    assert texts(flow.delta("m", "Hello ") + flow.delta("m", "world")) == ["Hello ", "world"]
    assert flow.done("m", "Hello world") == []


def test_done_extending_the_deltas_adds_only_the_suffix() -> None:
    flow = TextFlow()
    flow.delta("m", "Revenue grew ")
    assert texts(flow.done("m", "Revenue grew 12%.")) == ["12%."]


def test_done_differing_from_the_deltas_keeps_what_was_streamed() -> None:
    flow = TextFlow()
    flow.delta("m", "See the report.")
    assert flow.done("m", "See the report[^1].") == []


def test_done_without_deltas_is_shown_whole_and_only_once() -> None:
    flow = TextFlow()
    assert texts(flow.done("m", "Only in done.")) == ["Only in done."]
    assert flow.done("m", "Only in done.") == []


def test_a_plain_first_delta_is_not_held_back() -> None:
    assert texts(TextFlow().delta("m", "Earlier")) == ["Earlier"]


@pytest.mark.parametrize("marker", ["<name>supervisor-agent</name>", "  <NAME>supervisor-agent</Name>\n"])
def test_a_marker_split_anywhere_sets_the_agent_and_shows_nothing(marker: str) -> None:
    for cut in range(1, len(marker)):
        flow = TextFlow()
        shown = flow.delta("m", marker[:cut]) + flow.delta("m", marker[cut:]) + flow.done("m", marker)
        assert shown == [], cut
        assert flow.agent == "supervisor-agent"
        assert flow.delta("n", "Answer.") == [TextDelta(delta="Answer.", agent="supervisor-agent")]


def test_text_that_only_looked_like_a_marker_is_released() -> None:
    flow = TextFlow()
    assert flow.delta("m", "<na") == []
    assert texts(flow.delta("m", "ive> html")) == ["<naive> html"]


def test_an_unfinished_marker_prefix_is_released_when_another_item_starts() -> None:
    flow = TextFlow()
    assert flow.delta("m", "<name>half") == []
    assert texts(flow.delta("n", "Next.")) == ["<name>half", "\n\nNext."]


def test_a_complete_marker_takes_effect_when_another_item_starts() -> None:
    flow = TextFlow()
    flow.delta("m", "<name>genie</name>")
    assert flow.delta("n", "Rows.") == [TextDelta(delta="Rows.", agent="genie")]


def test_empty_noise_is_dropped_streamed_or_whole() -> None:
    flow = TextFlow()
    assert flow.delta("a", "EMP") + flow.delta("a", "TY") + flow.done("a", "EMPTY") == []
    assert flow.done("b", " EMPTY ") == []
    assert texts(flow.settle()) == []
    assert texts(flow.delta("c", "EMPTY-ish")) == ["EMPTY-ish"]


def test_held_text_is_released_by_settle() -> None:
    flow = TextFlow()
    assert flow.delta("m", "EM") == []
    assert texts(flow.settle()) == ["EM"]


def test_markers_inside_a_done_text_split_it_between_agents() -> None:
    flow = TextFlow()
    events = flow.done("m", "Intro. <name>genie</name> Rows. <name>sup</name>EMPTY")
    assert events == [TextDelta(delta="Intro. "), TextDelta(delta="Rows. ", agent="genie")]
    assert flow.agent == "sup"


def test_separate_items_are_separated_by_a_paragraph_break() -> None:
    flow = TextFlow()
    assert texts(flow.delta("a", "One.") + flow.delta("b", "Two.") + flow.delta("a", " More.")) == [
        "One.",
        "\n\nTwo.",
        "\n\n More.",
    ]


def test_deltas_without_an_id_are_matched_to_the_next_done_with_an_id() -> None:
    flow = TextFlow()
    flow.delta("", "No id.")
    assert flow.done("msg_1", "No id.") == []


def test_an_item_id_reused_after_its_message_was_complete_is_a_new_message() -> None:
    flow = TextFlow()
    assert texts(flow.delta("m", "Asking Genie.") + flow.done("m", "Asking Genie.")) == ["Asking Genie."]
    assert texts(flow.delta("m", "EMEA ") + flow.delta("m", "leads.")) == ["\n\nEMEA ", "leads."]
    assert flow.done("m", "EMEA leads.") == []
    assert texts(flow.done("m", "Next.")) == ["\n\nNext."]
    assert flow.done("m", "Next.") == []


def test_a_reused_item_id_starting_with_a_marker_still_sets_the_agent() -> None:
    flow = TextFlow()
    flow.done("m", "Narration.")
    assert flow.delta("m", "<name>sup</name>") == []
    assert flow.delta("m", "Answer.") == [TextDelta(delta="\n\nAnswer.", agent="sup")]
