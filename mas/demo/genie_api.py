"""The emulator's Genie Conversation API: the demo's question mapper behind Genie's own shapes.

`GenieEmulator.routes()` serves `/api/2.0/genie/spaces/{id}/…` as databricks-sdk 0.156 `GenieAPI`
calls it: start-conversation and messages (at most `rate_limit` per `rate_window` seconds per
workspace, else 429 with Retry-After), messages that walk through Genie's statuses one
`step_seconds` at a time, query/text/suggested-question attachments (a clarifying question when
nothing in the request can be mapped; one query per `;`-separated part), statement results capped
at 5,000 rows, `QUERY_RESULT_EXPIRED` while `expire_results` is set, execute-query, feedback, and
full downloads whose external links it serves itself — refusing any request that carries
Authorization, as presigned cloud-storage links do. Knobs are plain attributes, set by tests;
a message's statuses and JSON live in `mas.demo.genie_messages`, the 429 gate in `mas.demo.genie_rate`.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from mas.demo.answer import answer_text, capabilities_text
from mas.demo.genie_downloads import GenieDownloads, statement_response
from mas.demo.genie_messages import (
    CLARIFY,
    CLARIFY_SUGGESTIONS,
    FOLLOW_UPS,
    GenieMessage,
    GenieQuery,
    render,
    status,
)
from mas.demo.genie_rate import RateGate
from mas.demo.intents import Intent, Refusal, interpret_conversation
from mas.demo.plans import build_plan
from mas.demo.routes import ApiRequest, ApiResponse, Route, error, route
from mas.demo.supervisor import DemoSupervisor
from mas.demo.tracing import DEMO_SPACE_DESCRIPTION, DEMO_SPACE_TITLE

_BASE = r"/api/2\.0/genie/spaces/([^/]+)"
_MESSAGE = _BASE + r"/conversations/([^/]+)/messages/([^/]+)"
_ATTACHMENT = _MESSAGE + r"/attachments/([^/]+)"


class GenieEmulator:
    """In-memory Genie spaces over the demo engine; thread-safe."""

    def __init__(self, supervisor: DemoSupervisor, *, step_seconds: float = 0.3) -> None:
        self.supervisor = supervisor
        self.step_seconds = step_seconds
        self.rate_limit = 5
        self.rate_window = 60.0
        self.expire_results = False
        self.title = DEMO_SPACE_TITLE
        self.hidden_spaces: set[str] = set()
        """Space ids the lookup answers 404 for, as the real API does for a space the caller cannot see."""
        self._messages: dict[str, GenieMessage] = {}
        self._conversations: dict[str, list[str]] = {}
        self.downloads = GenieDownloads(step_seconds=lambda: self.step_seconds)
        self._gate = RateGate()
        self._lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [
            route("GET", _BASE, self._space),
            route("POST", _BASE + r"/start-conversation", self._start),
            route("POST", _BASE + r"/conversations/([^/]+)/messages", self._follow_up),
            route("GET", _MESSAGE, self._get_message),
            route("POST", _MESSAGE + r"/feedback", self._feedback),
            route("GET", _ATTACHMENT + r"/query-result", self._query_result),
            route("POST", _ATTACHMENT + r"/execute-query", self._execute),
            route("POST", _ATTACHMENT + r"/downloads", self._generate_download),
            route("GET", _ATTACHMENT + r"/downloads/([^/]+)", self._get_download),
            *self.downloads.routes(),
        ]

    # --- questions ---------------------------------------------------------------------------

    def _space(self, request: ApiRequest) -> ApiResponse:
        if request.groups[0] in self.hidden_spaces:
            return error(404, "RESOURCE_DOES_NOT_EXIST", f"Genie space {request.groups[0]} does not exist.")
        return ApiResponse(
            200,
            {
                "space_id": request.groups[0],
                "title": self.title,
                "description": DEMO_SPACE_DESCRIPTION,
            },
        )

    def _throttled(self) -> ApiResponse | None:
        return self._gate.admit(limit=self.rate_limit, window=self.rate_window)

    def _content(self, request: ApiRequest) -> str | None:
        body = request.body if isinstance(request.body, dict) else {}
        content = body.get("content")
        return content.strip() if isinstance(content, str) and content.strip() else None

    def _start(self, request: ApiRequest) -> ApiResponse:
        content = self._content(request)
        if content is None:
            return error(400, "INVALID_PARAMETER_VALUE", "Field 'content' is required.")
        throttled = self._throttled()
        if throttled is not None:
            return throttled
        conversation_id = uuid.uuid4().hex
        message = self._new_message(request, conversation_id=conversation_id, content=content)
        return ApiResponse(
            200,
            {
                "conversation_id": conversation_id,
                "message_id": message.id,
                "conversation": {
                    "id": conversation_id,
                    "conversation_id": conversation_id,
                    "space_id": message.space_id,
                    "title": content[:80],
                },
                "message": self._render(message),
            },
        )

    def _follow_up(self, request: ApiRequest) -> ApiResponse:
        content = self._content(request)
        if content is None:
            return error(400, "INVALID_PARAMETER_VALUE", "Field 'content' is required.")
        conversation_id = request.groups[1]
        with self._lock:
            history = self._conversations.get(conversation_id)
            owner = self._messages[history[0]].owner if history else None
        if history is None or owner != request.identity:
            return error(404, "RESOURCE_DOES_NOT_EXIST", f"Conversation {conversation_id} does not exist.")
        throttled = self._throttled()
        if throttled is not None:
            return throttled
        return ApiResponse(
            200, self._render(self._new_message(request, conversation_id=conversation_id, content=content))
        )

    def _new_message(self, request: ApiRequest, *, conversation_id: str, content: str) -> GenieMessage:
        with self._lock:
            earlier = [self._messages[m].content for m in self._conversations.get(conversation_id, [])]
        message = GenieMessage(
            id=uuid.uuid4().hex,
            conversation_id=conversation_id,
            space_id=request.groups[0],
            content=content,
            owner=request.identity,
            created=time.monotonic(),
            expired=self.expire_results,
        )
        self._think(message, earlier)
        with self._lock:
            self._messages[message.id] = message
            self._conversations.setdefault(conversation_id, []).append(message.id)
        return message

    def _think(self, message: GenieMessage, earlier: list[str]) -> None:
        """Map each `;`-separated part of the question, in the context of the earlier ones."""
        parts = [p.strip() for p in message.content.split(";") if p.strip()] or [message.content]
        answers, refusal = [], None
        for index, part in enumerate(parts):
            interpretation = interpret_conversation([*earlier, part])
            if isinstance(interpretation, Intent):
                plan = build_plan(interpretation)
                result = self.supervisor.engine.query(plan.sql)
                message.queries.append(GenieQuery(f"{message.id[:12]}-q{index}", plan, result))
                answers.append(answer_text(plan, result))
            elif isinstance(interpretation, Refusal):
                refusal = interpretation.reason
        if message.queries:
            message.text = " ".join(answers)
            message.follow_ups = FOLLOW_UPS[message.queries[-1].plan.intent.kind]
        elif refusal is not None:
            message.text = capabilities_text(refusal)
            message.follow_ups = CLARIFY_SUGGESTIONS
        else:
            message.text, message.clarifying, message.follow_ups = CLARIFY, True, CLARIFY_SUGGESTIONS

    # --- messages ----------------------------------------------------------------------------

    def _status(self, message: GenieMessage) -> str:
        return status(message, self.step_seconds)

    def _render(self, message: GenieMessage) -> dict[str, Any]:
        return render(message, self.step_seconds)

    def _find(self, request: ApiRequest) -> GenieMessage | ApiResponse:
        message_id = request.groups[2]
        with self._lock:
            message = self._messages.get(message_id)
        if (
            message is None
            or message.owner != request.identity
            or message.conversation_id != request.groups[1]
        ):
            return error(404, "RESOURCE_DOES_NOT_EXIST", f"Message {message_id} does not exist.")
        return message

    def _find_query(self, request: ApiRequest) -> tuple[GenieMessage, GenieQuery] | ApiResponse:
        message = self._find(request)
        if isinstance(message, ApiResponse):
            return message
        query = next((q for q in message.queries if q.attachment_id == request.groups[3]), None)
        if query is None:
            return error(404, "RESOURCE_DOES_NOT_EXIST", f"Attachment {request.groups[3]} does not exist.")
        return message, query

    def _get_message(self, request: ApiRequest) -> ApiResponse:
        found = self._find(request)
        return found if isinstance(found, ApiResponse) else ApiResponse(200, self._render(found))

    def _feedback(self, request: ApiRequest) -> ApiResponse:
        found = self._find(request)
        if isinstance(found, ApiResponse):
            return found
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("rating") not in ("POSITIVE", "NEGATIVE", "NONE"):
            return error(400, "INVALID_PARAMETER_VALUE", "rating must be POSITIVE, NEGATIVE or NONE.")
        found.feedback = {k: body[k] for k in ("rating", "comment") if k in body}
        return ApiResponse(200, {})

    # --- results -----------------------------------------------------------------------------

    def _query_result(self, request: ApiRequest) -> ApiResponse:
        found = self._find_query(request)
        if isinstance(found, ApiResponse):
            return found
        message, query = found
        status = self._status(message)
        if status not in ("EXECUTING_QUERY", "COMPLETED", "QUERY_RESULT_EXPIRED"):
            return error(400, "INVALID_STATE", f"The query has not started yet (status {status}).")
        if message.expired:
            return error(400, "QUERY_RESULT_EXPIRED", "The query result has expired; re-run the query.")
        return ApiResponse(200, {"statement_response": statement_response(query.result, query.plan.sql)})

    def _execute(self, request: ApiRequest) -> ApiResponse:
        found = self._find_query(request)
        if isinstance(found, ApiResponse):
            return found
        message, query = found
        query.result = self.supervisor.engine.query(query.plan.sql)
        message.expired = False
        return ApiResponse(200, {"statement_response": statement_response(query.result, query.plan.sql)})

    def _generate_download(self, request: ApiRequest) -> ApiResponse:
        found = self._find_query(request)
        return found if isinstance(found, ApiResponse) else self.downloads.start(found[1].result)

    def _get_download(self, request: ApiRequest) -> ApiResponse:
        found = self._find_query(request)
        return found if isinstance(found, ApiResponse) else self.downloads.status(request, request.groups[4])
