"""The Genie backend: one question in, the Supervisor path's typed events out, with live progress.

`GenieBackend.stream_events(messages, state=...)` sends the last question to the Genie space —
starting a conversation the first time and continuing it afterwards (its id kept in `state`,
the chat's backend state) — after its turn in the workspace's rate-limit queue, polls the
message on a backoff schedule while yielding `status` events in words, then yields a `tool.call`
and a `tool.output` (statement result + SQL) per query attachment, `text.delta` for Genie's
text, and `done`; any failure is one terminal `error`. Closing the generator stops the waiting
at once: the Conversation API has no cancel for a space's message, so Genie finishes it unseen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from mas.errors import GenieError
from mas.genie import attachments as att
from mas.genie.http import GenieHttp
from mas.genie.pacing import RateGate, gate_for, poll_delays, rate_wait_words, status_words
from mas.http_errors import (
    GENIE_CANCELLED,
    GENIE_NO_ANSWER,
    genie_failed_message,
    genie_rate_wait_message,
    genie_timeout_message,
)
from mas.settings import GeniePolicy, Timeouts
from mas.wire.events import Done, ErrorEvent, Event, Status, TextDelta, ToolCall, ToolOutput
from mas.wire.messages import ChatMessage

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

logger = logging.getLogger(__name__)

CONVERSATION_KEY = "genie_conversation_id"
SPACE_KEY = "genie_space_id"
LAST_MESSAGE_KEY = "genie_message_id"
HEARTBEAT_SECONDS = 1.0
"""While waiting, a `status` goes out at least this often: it carries the elapsed time, and each
one is a point where a closed generator stops (the UI's pump closes it at its next event)."""
_DONE = frozenset({"COMPLETED", "QUERY_RESULT_EXPIRED"})
_RESULT_PENDING = frozenset({"PENDING", "RUNNING"})
RERUN_NOTE = "_Genie's stored result had expired, so the query was run again for fresh figures._\n\n"
CLARIFY_PREFIX = "**Genie needs more detail:** "


class GenieBackend:
    """Asks one Genie space as one identity. Thread-safe apart from one stream per `state`."""

    def __init__(
        self,
        *,
        workspace_client: WorkspaceClient,
        space_id: str,
        policy: GeniePolicy | None = None,
        timeouts: Timeouts | None = None,
        gate: RateGate | None = None,
    ) -> None:
        self.space_id = space_id
        self.policy = policy or GeniePolicy.from_env()
        self.http = GenieHttp(workspace_client=workspace_client, space_id=space_id, timeouts=timeouts)
        self._gate = gate
        self._title: str | None = None
        self._sleep: Callable[[float], None] = time.sleep
        self._clock: Callable[[], float] = time.monotonic

    @property
    def gate(self) -> RateGate:
        if self._gate is None:
            self._gate = gate_for(self.http.host, self.policy)
        return self._gate

    def close(self) -> None:
        self.http.close()

    def tool_name(self) -> str:
        """The name the Genie "tool" goes by in events: the space's title when it can be read."""
        if self._title is None:
            try:
                title = str(self.http.space().get("title") or "").strip()
            except GenieError as exc:
                logger.info("[GENIE] space title not readable: %s", exc.message)
                title = ""
            self._title = title or f"genie-{self.space_id[:12]}"
        return self._title

    def stream_events(
        self, messages: list[ChatMessage], *, state: dict[str, Any] | None = None
    ) -> Generator[Event, None, None]:
        """The answer to the last message; ends with one `done` or `error`."""
        question = messages[-1].content if messages else ""
        started = self._clock()
        try:
            yield from self._ask(question, {} if state is None else state, started=started)
        except GenieError as exc:
            logger.warning("[GENIE] question failed: %s", exc.message)
            yield ErrorEvent(message=exc.message, code=exc.code, status=exc.status)
            return
        yield Done()

    def _status(self, message: str, *, started: float, stage: str | None = None, **extra: Any) -> Status:
        return Status(message=message, elapsed=round(self._clock() - started, 1), stage=stage, **extra)

    def _ask(self, question: str, state: dict[str, Any], *, started: float) -> Iterator[Event]:
        yield self._status(status_words("SENDING"), started=started, stage="SENDING")
        message = yield from self._submit(question, state, started=started)
        conversation_id = str(message.get("conversation_id") or state[CONVERSATION_KEY])
        message_id = str(message.get("message_id") or message.get("id") or "")
        if not message_id:
            raise GenieError("Genie accepted the question but gave no message id.", code="protocol")
        state[LAST_MESSAGE_KEY] = message_id
        ids = att.Ids(self.space_id, conversation_id, message_id)
        announced: set[str] = set()
        message = yield from self._poll(message, ids=ids, started=started, announced=announced)
        yield from self._answer(message, ids=ids, name=self.tool_name(), announced=announced, started=started)

    # --- sending, in turn --------------------------------------------------------------------

    def _submit(
        self, question: str, state: dict[str, Any], *, started: float
    ) -> Generator[Event, None, dict[str, Any]]:
        gate = self.gate
        ticket = gate.join()
        try:
            while True:
                wait, position = gate.wait_for(ticket)
                if wait > 0 or position > 1:
                    if self._clock() - started > self.policy.max_rate_wait:
                        raise GenieError(
                            genie_rate_wait_message(self._clock() - started), status=429, code="rate_limit"
                        )
                    if wait > 0:
                        yield self._status(
                            rate_wait_words(wait),
                            started=started,
                            stage="RATE_LIMITED",
                            queue_position=position,
                            wait_seconds=round(wait, 1),
                        )
                    self._sleep(min(max(wait, 0.05), HEARTBEAT_SECONDS))
                    continue
                gate.sending(ticket)
                try:
                    message = self._send(question, state)
                except GenieError as exc:
                    if exc.status != 429:
                        gate.landed()
                        raise
                    pause = exc.retry_after if exc.retry_after is not None else 2.0
                    logger.info("[GENIE] 429 from Genie; waiting %.1f s", pause)
                    gate.refused(ticket, seconds=pause)
                    continue
                except BaseException:
                    gate.landed()
                    raise
                gate.landed()
                return message
        finally:
            gate.leave(ticket)

    def _send(self, question: str, state: dict[str, Any]) -> dict[str, Any]:
        conversation_id = state.get(CONVERSATION_KEY)
        if conversation_id and state.get(SPACE_KEY, self.space_id) == self.space_id:
            try:
                message = self.http.create_message(str(conversation_id), question)
                message.setdefault("conversation_id", conversation_id)
                return message
            except GenieError as exc:
                if exc.status != 404:
                    raise
                logger.info("[GENIE] conversation %s is gone; starting a new one", conversation_id)
        started = self.http.start_conversation(question)
        state[CONVERSATION_KEY] = str(started.get("conversation_id") or "")
        state[SPACE_KEY] = self.space_id
        message = dict(started.get("message") or {})
        message.setdefault("conversation_id", state[CONVERSATION_KEY])
        message.setdefault("message_id", started.get("message_id"))
        return message

    # --- waiting -------------------------------------------------------------------------------

    def _poll(
        self, message: dict[str, Any], *, ids: att.Ids, started: float, announced: set[str]
    ) -> Generator[Event, None, dict[str, Any]]:
        delays = poll_delays(self.policy)
        first = True
        while True:
            if not first:
                try:
                    message = self.http.get_message(ids)
                except GenieError as exc:
                    if exc.status not in (429, 503):
                        raise
                    logger.info("[GENIE] poll answered %s; polling on", exc.status)
            first = False
            status = str(message.get("status") or "SUBMITTED")
            yield from self._announce(message, announced=announced)
            if status in _DONE:
                return message
            if status == "FAILED":
                raise GenieError(genie_failed_message(message.get("error")), code="genie_failed")
            if status == "CANCELLED":
                raise GenieError(GENIE_CANCELLED, code="genie_cancelled")
            words = status_words(status)
            yield self._status(words, started=started, stage=status)
            delay = next(delays)
            deadline = self._clock() + delay
            while (left := deadline - self._clock()) > 0:
                if self._clock() - started > self.policy.timeout:
                    raise GenieError(genie_timeout_message(self.policy.timeout), code="timeout")
                self._sleep(min(left, HEARTBEAT_SECONDS))
                if deadline - self._clock() > 0.05:
                    yield self._status(words, started=started, stage=status)

    def _announce(self, message: dict[str, Any], *, announced: set[str]) -> Iterator[Event]:
        """A `tool.call` for each query attachment the moment its SQL is known (not before the first
        status: the space's title, read on first use, waits until there is a call to name)."""
        for query in att.query_attachments(message):
            if query.attachment_id not in announced:
                announced.add(query.attachment_id)
                question = str(message.get("content") or "").strip()
                args = {"question": question} if question else {}
                if query.title:
                    args["title"] = query.title
                yield ToolCall(name=self.tool_name(), args=args, call_id=query.attachment_id)

    # --- the answer ------------------------------------------------------------------------

    def _answer(
        self, message: dict[str, Any], *, ids: att.Ids, name: str, announced: set[str], started: float
    ) -> Iterator[Event]:
        expired = message.get("status") == "QUERY_RESULT_EXPIRED"
        follow_ups = att.suggestions(message)
        parts = att.ordered(message)
        queries = [p for p in parts if isinstance(p, att.QueryAttachment)]
        if not parts:
            raise GenieError(GENIE_NO_ANSWER, code="empty")
        for part in parts:
            if isinstance(part, att.TextAttachment):
                yield TextDelta(delta=(CLARIFY_PREFIX if part.clarifying else "") + part.content + "\n\n")
                continue
            yield self._status(status_words("COMPLETED"), started=started, stage="COMPLETED")
            statement, rerun = self._statement(part, ids=ids, expired=expired)
            if rerun:
                yield TextDelta(delta=RERUN_NOTE)
            last = part is queries[-1]
            output = att.tool_output(
                part, ids=ids, statement=statement, follow_ups=follow_ups if last else [], rerun=rerun
            )
            yield ToolOutput(name=name, output=output, call_id=part.attachment_id)

    def _statement(
        self, query: att.QueryAttachment, *, ids: att.Ids, expired: bool
    ) -> tuple[dict[str, Any] | None, bool]:
        """The attachment's statement result, re-run when Genie says it expired."""
        rerun = expired
        response: dict[str, Any] = {}
        if not expired:
            try:
                response = self.http.query_result(ids, query.attachment_id)
            except GenieError as exc:
                if "EXPIRED" not in (exc.code or "").upper() and "expired" not in exc.message.lower():
                    raise
                rerun = True
        if rerun:
            logger.info("[GENIE] result of %s expired; re-running it", query.attachment_id)
            response = self.http.execute_query(ids, query.attachment_id)
        statement = response.get("statement_response")
        deadline = self._clock() + self.policy.timeout
        while (
            isinstance(statement, dict) and _state(statement) in _RESULT_PENDING and self._clock() < deadline
        ):
            self._sleep(1.0)
            response = self.http.query_result(ids, query.attachment_id)
            statement = response.get("statement_response")
        return (statement if isinstance(statement, dict) else None), rerun


def _state(statement: dict[str, Any]) -> str:
    status = statement.get("status")
    return str(status.get("state") or "") if isinstance(status, dict) else ""
