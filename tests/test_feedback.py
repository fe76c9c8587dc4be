"""Votes as MLflow assessments: the bodies, sent over HTTP to the emulator's assessment routes, as the
app by default (the HUMAN source naming the user), a changed vote updating the same assessment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest
from conftest import APP_TOKEN, UI_TOKEN
from support.emulator import Emulator

from mas.demo.workspace import DemoWorkspace
from mas.endpoint.assessments import send_vote
from mas.endpoint.connection import Connection, resolve
from mas.errors import ConfigError
from mas.feedback import create_body, update_body
from mas.settings import feedback_identity_from_env
from mas.transcript import Feedback, Turn

USER_HEADERS = {"X-Forwarded-Access-Token": UI_TOKEN, "X-Forwarded-Email": "ana@example.com"}


def _print(token: str) -> str:
    return hashlib.sha256(f"Bearer {token}".encode()).hexdigest()


@pytest.fixture
def workspace(emulator: Emulator) -> Iterator[DemoWorkspace]:
    demo = DemoWorkspace()
    emulator.add_routes(demo.routes())
    yield demo


@pytest.fixture
def user_connection(
    emulator: Emulator, workspace: DemoWorkspace, as_workspace: Callable[[Emulator], Emulator]
) -> Iterator[Connection]:
    as_workspace(emulator)
    connection = resolve(headers=USER_HEADERS)
    assert connection.identity == "user"
    yield connection
    connection.close()


def test_the_create_body_is_mlflows_user_feedback_assessment() -> None:
    body = create_body("tr-1", Feedback(rating="down", reason="Wrong number", comment="Off by 10x"),
                       user="ana@example.com")  # fmt: skip
    assert body == {"assessment": {
        "trace_id": "tr-1", "assessment_name": "user_feedback", "feedback": {"value": False},
        "rationale": "Off by 10x", "metadata": {"reason": "Wrong number"},
        "source": {"source_type": "HUMAN", "source_id": "ana@example.com"}}}  # fmt: skip
    update = update_body("tr-1", Feedback(rating="up"))
    assert update["update_mask"] == "feedback,rationale,metadata"
    assert update["assessment"]["feedback"] == {"value": True} and "source" not in update["assessment"]


def test_a_vote_is_posted_as_the_app_naming_the_user_then_updated(
    user_connection: Connection, workspace: DemoWorkspace
) -> None:
    sent = send_vote(user_connection, trace_id="tr-abc", vote=Feedback(rating="down", reason="Too slow"))
    assert sent.state == "sent" and sent.assessment_id is not None and sent.error is None
    stored = workspace.assessments[("tr-abc", sent.assessment_id)]
    assert stored.body["source"] == {"source_type": "HUMAN", "source_id": "ana@example.com"}
    assert stored.body["feedback"] == {"value": False} and stored.body["metadata"] == {"reason": "Too slow"}
    assert stored.posted_by == _print(APP_TOKEN)  # the app's own identity writes to the experiment

    changed = send_vote(user_connection, trace_id="tr-abc", vote=Feedback(
        rating="up", state=sent.state, assessment_id=sent.assessment_id))  # fmt: skip
    assert changed.state == "sent" and changed.assessment_id == sent.assessment_id
    assert len(workspace.assessments) == 1  # the same assessment, changed
    assert workspace.assessments[("tr-abc", sent.assessment_id)].body["feedback"] == {"value": True}


def test_configured_to_post_as_the_user(
    user_connection: Connection, workspace: DemoWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAS_FEEDBACK_AS", "user")
    sent = send_vote(user_connection, trace_id="tr-u", vote=Feedback(rating="up"))
    assert workspace.assessments[("tr-u", sent.assessment_id or "")].posted_by == _print(UI_TOKEN)


def test_a_failed_send_keeps_the_vote_and_says_why(user_connection: Connection) -> None:
    vote = Feedback(rating="up", state="sent", assessment_id="a-gone")
    failed = send_vote(user_connection, trace_id="tr-x", vote=vote)
    assert failed.state == "failed" and failed.rating == "up"
    assert failed.error is not None and "could not be sent" in failed.error and "a-gone" in failed.error


def test_a_bad_feedback_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_FEEDBACK_AS", "robot")
    with pytest.raises(ConfigError, match="MAS_FEEDBACK_AS"):
        feedback_identity_from_env()


def test_the_vote_is_stored_with_the_turn() -> None:
    turn = Turn(question="q", status="complete", trace_id="tr-1")
    turn.feedback = Feedback(rating="down", reason="Wrong chart", comment="bars", state="sent",
                             assessment_id="a-1")
    again = Turn.from_dict(turn.to_dict())
    assert again.feedback == turn.feedback
