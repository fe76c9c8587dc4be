"""The emulator's Genie API checked against databricks-sdk's own `w.genie` client, and ours against both.

If the SDK's dataclasses read the emulator's answers (statuses, attachments, thoughts, statement
results, downloads, feedback) the way it reads a workspace's, the emulator keeps to the real
shapes; and the statement result our backend hands to `parse_tool_output` must be the same one
the SDK parses from the same message.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.dashboards import GenieFeedbackRating, MessageStatus, ThoughtType
from support.emulator import Emulator

from mas.genie.attachments import GenieDetails
from mas.genie.conversation import GenieBackend
from mas.genie.pacing import RateGate
from mas.results.toolresult import parse_tool_output
from mas.settings import GeniePolicy
from mas.wire.events import ToolOutput
from mas.wire.messages import ChatMessage

SPACE = "01f0sdk0check0space"


@pytest.fixture
def genie() -> Iterator[tuple[Emulator, WorkspaceClient]]:
    with Emulator() as emulator:
        emulator.genie.step_seconds = 0.05
        emulator.genie.rate_limit = 100
        yield emulator, WorkspaceClient(host=emulator.url, token="sdk-user", auth_type="pat")


def test_start_conversation_and_wait_reads_a_completed_message(
    genie: tuple[Emulator, WorkspaceClient],
) -> None:
    _, w = genie
    message = w.genie.start_conversation_and_wait(SPACE, "Which region brings in the most revenue?")
    assert message.status == MessageStatus.COMPLETED and message.attachments
    query = next(a.query for a in message.attachments if a.query)
    assert query.query and "region" in query.query and query.statement_id
    assert query.thoughts and query.thoughts[0].thought_type == ThoughtType.THOUGHT_TYPE_DESCRIPTION
    assert query.query_result_metadata and query.query_result_metadata.row_count == 4
    questions = next(a.suggested_questions for a in message.attachments if a.suggested_questions)
    assert questions.questions
    follow = w.genie.create_message_and_wait(SPACE, message.conversation_id, "what about 2024?")
    assert follow.status == MessageStatus.COMPLETED and follow.conversation_id == message.conversation_id
    assert w.genie.get_space(SPACE).title


def test_our_statement_result_is_the_one_the_sdk_parses(genie: tuple[Emulator, WorkspaceClient]) -> None:
    _, w = genie
    policy = GeniePolicy(first_poll=0.05, max_poll=0.2, questions_per_minute=100)
    backend = GenieBackend(
        workspace_client=w, space_id=SPACE, policy=policy, gate=RateGate(limit=100, window=60)
    )
    try:
        events = list(backend.stream_events([ChatMessage(role="user", content="top 5 products by revenue")]))
    finally:
        backend.close()
    output = next(e for e in events if isinstance(e, ToolOutput)).output
    details = GenieDetails.from_output(output)
    assert details is not None
    ids = details.ids
    sdk = w.genie.get_message_attachment_query_result(
        SPACE, ids.conversation_id, ids.message_id, details.attachment_id
    )
    statement = sdk.statement_response
    assert statement is not None and statement.manifest and statement.result and statement.manifest.schema
    names = [c.name for c in statement.manifest.schema.columns or []]
    ours = parse_tool_output(output)
    assert ours.table is not None and list(ours.table.columns) == names
    rows = statement.result.data_array or []
    assert len(ours.table) == len(rows) == 5
    assert [str(v) for v in ours.table.iloc[:, 0]] == [r[0] for r in rows]
    assert [float(v) for v in ours.table.iloc[:, 1]] == pytest.approx([float(r[1]) for r in rows])
    rerun = w.genie.execute_message_attachment_query(
        SPACE, ids.conversation_id, ids.message_id, details.attachment_id
    )
    assert rerun.statement_response and rerun.statement_response.result
    assert rerun.statement_response.result.data_array == rows


def test_full_download_and_feedback_through_the_sdk(genie: tuple[Emulator, WorkspaceClient]) -> None:
    _, w = genie
    message = w.genie.start_conversation_and_wait(SPACE, "quarterly revenue by customer")
    query = next(a for a in message.attachments or [] if a.query)
    assert query.query and query.query.query_result_metadata
    assert query.query.query_result_metadata.is_truncated is True
    args = (SPACE, message.conversation_id, message.message_id, query.attachment_id or "")
    started = w.genie.generate_download_full_query_result(*args)
    assert started.download_id and started.download_id_signature
    import time

    for _ in range(50):
        got = w.genie.get_download_full_query_result(
            *args, download_id=started.download_id, download_id_signature=started.download_id_signature
        )
        status = got.statement_response.status if got.statement_response else None
        if status is not None and status.state is not None and status.state.value == "SUCCEEDED":
            break
        time.sleep(0.05)
    statement = got.statement_response
    assert statement and statement.result and statement.result.external_links and statement.manifest
    link = statement.result.external_links[0]
    assert link.external_link and link.external_link.startswith("http://127.0.0.1:")
    assert (
        link.next_chunk_internal_link
        and statement.manifest.total_row_count == query.query.query_result_metadata.row_count
    )
    w.genie.send_message_feedback(
        SPACE, message.conversation_id, message.message_id, GenieFeedbackRating.POSITIVE
    )
    again = w.genie.get_message(SPACE, message.conversation_id, message.message_id)
    assert again.feedback and again.feedback.rating == GenieFeedbackRating.POSITIVE
