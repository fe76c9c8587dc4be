"""The streaming client of a MAS serving endpoint: chat history in, typed events out, as they arrive.

`MASStreamingClient.stream_events` POSTs the whole history to `/serving-endpoints/{name}/invocations`
with the workspace client's host and fresh auth headers, in the body the endpoint's task asks for
(`mas.endpoint.dialect`), retries only before a successful answer
starts (429/503 with Retry-After, refused or reset connections), and turns every failure into one
terminal `ErrorEvent`. Reading the body is `mas.endpoint.answer_events`; wording HTTP errors is
`mas.http_errors`.
"""

from __future__ import annotations

import functools
import logging
import math
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from mas.endpoint.answer_events import json_answer, sse_answer
from mas.endpoint.dialect import DialectChoice
from mas.endpoint.response_io import drain_in_background, read_bounded
from mas.error_body import retry_after_seconds
from mas.http_errors import error_event_for_status, network_error_event, setup_error_event
from mas.settings import RetryPolicy, Timeouts, endpoint_name_from_env
from mas.wire.events import ErrorEvent, Event
from mas.wire.messages import HistoryItem, request_body

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

logger = logging.getLogger(__name__)

MAX_ERROR_BODY_BYTES = 64 * 1024
RETRY_STATUSES = frozenset({429, 503})
# A Supervisor returns its MLflow trace (the only place its Genie SQL is) when asked
# (mas-output.md §3; databricks-ai-bridge `includeTrace`); `mas.wire.trace` reads it.
TRACE_REQUEST = {"databricks_options": {"return_trace": True}}
# Failures before any answer byte that are safe to retry: the MAS is stateless, so a question
# that may have reached it is simply asked again (connection refused, reset, closed early).
RETRY_EXCEPTIONS = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class _Switched:
    """`_attempt`'s answer when the endpoint asked for the other body: send it again at once."""


_SWITCHED = _Switched()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~50 ms; share one context (thread-safe) across all clients,
    # since a client may be built per user and per request on Databricks Apps.
    return httpx.create_ssl_context()


class MASStreamingClient:
    """Streams a MAS endpoint's answers as typed events; one reusable HTTP connection pool."""

    def __init__(
        self,
        *,
        endpoint_name: str | None = None,
        workspace_client: WorkspaceClient | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        identity_key: str = "app",
    ) -> None:
        self.endpoint_name = endpoint_name or endpoint_name_from_env()
        self.identity_key = identity_key
        """Who this client acts as, for what it learns about the endpoint (never a token)."""
        self._dialect = DialectChoice(endpoint_name=self.endpoint_name, identity_key=identity_key)
        self.timeouts = timeouts or Timeouts.from_env()
        self.retry = retry or RetryPolicy()
        self._workspace_client = workspace_client
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._sleep = time.sleep  # tests replace it to record the waits

    @property
    def workspace_client(self) -> WorkspaceClient:
        """The workspace client, created on first use (unified auth from the environment)."""
        with self._lock:
            if self._workspace_client is None:
                from databricks.sdk import WorkspaceClient
                from databricks.sdk.core import Config

                # The SDK probes the host at start-up and retries a refused connection for its
                # whole retry budget (300 s by default): bound it by our connect timeout so a
                # wrong DATABRICKS_HOST fails in seconds. Everything else comes from the env.
                budget = max(1, math.ceil(self.timeouts.connect))
                self._workspace_client = WorkspaceClient(config=Config(retry_timeout_seconds=budget))
            return self._workspace_client

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                t = self.timeouts
                timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.connect, pool=t.connect)
                # No cap on concurrent streams: the app and demo identities share one client, and
                # httpx's default of 100 connections would make the 101st concurrent answer wait
                # for a free slot and then fail.
                limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
                self._http = httpx.Client(
                    timeout=timeout, follow_redirects=False, verify=_ssl_context(), limits=limits
                )
            return self._http

    def close(self) -> None:
        """Close the pooled connections; the client may not be used afterwards."""
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __enter__(self) -> MASStreamingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stream_events(
        self, messages: Sequence[HistoryItem], *, extra_input: list[dict[str, Any]] | None = None
    ) -> Iterator[Event]:
        """The answer to the last message given the whole history; ends with one `done` or `error`.

        `extra_input` items follow the history in a ResponsesAgent request's `input` (a tool
        approval's answer, `mas.wire.approvals`).
        """
        logger.info("[MAS] Streaming from endpoint: %s", self.endpoint_name)
        logger.info("[MAS] Message count: %d", len(messages))
        opened = self._open(messages, extra_input=extra_input or [])
        if isinstance(opened, ErrorEvent):
            logger.info("[STREAM] failed before the answer started: %s", opened.code)
            yield opened
            return
        response, host = opened
        chunks = response.iter_bytes()
        ended: list[bool] = []  # set once the decoder's terminal event is handed over
        try:
            yield from self._read(response, host, chunks=chunks, ended=ended)
        finally:
            if ended:
                drain_in_background(response, chunks)
            else:
                response.close()
                logger.debug("[STREAM] response closed")

    def learn_task(self, task: object, *, host: str) -> None:
        """The endpoint's `task` from its metadata (the preflight's lookup): it decides the body."""
        self._dialect.learn_task(task, host=host)

    def _request(
        self, messages: Sequence[HistoryItem], *, extra_input: list[dict[str, Any]]
    ) -> tuple[httpx.Request, str]:
        config = self.workspace_client.config
        host = (config.host or "").rstrip("/")
        if not host:
            raise ValueError("the workspace client has no host configured")
        url = f"{host}/serving-endpoints/{quote(self.endpoint_name, safe='')}/invocations"
        auth = config.authenticate()  # fresh per request: OAuth tokens refresh here
        headers = {
            "Accept": "text/event-stream",
            "Content-Type": "application/json",
            # No compression: a compressing hop has to buffer, and SSE must not be held back.
            "Accept-Encoding": "identity",
            # MLflow's AgentServer answers this with a bare `{"trace_id": …}` chunk (real-producers.md).
            "x-mlflow-return-trace-id": "true",
            **auth,
        }
        timeout = self.timeouts.connect
        dialect = self._dialect.body_dialect(self._client(), host=host, auth=auth, timeout=timeout)
        body = request_body(dialect, messages)
        if dialect == "responses":
            # The trace (the only place a Supervisor's Genie SQL is) and an approval's answer are
            # ResponsesAgent input; a chat-dialect body keeps MLflow's plain shape.
            body = {**body, "input": [*body["input"], *extra_input], **TRACE_REQUEST}
        return self._client().build_request("POST", url, json=body, headers=headers), host

    def _open(
        self, messages: Sequence[HistoryItem], *, extra_input: list[dict[str, Any]]
    ) -> tuple[httpx.Response, str] | ErrorEvent:
        """A successful response whose body is not yet read, after the allowed retries; or the error."""
        attempts = max(1, self.retry.attempts)
        attempt, switched = 1, False
        while attempt <= attempts:
            try:
                request, host = self._request(messages, extra_input=extra_input)
            except Exception as exc:  # the SDK raises assorted types for config and credential failures
                logger.exception("[MAS] could not prepare the request")
                return setup_error_event(exc)
            outcome = self._attempt(
                request, host=host, attempt=attempt, last=attempt == attempts, may_switch=not switched
            )
            if isinstance(outcome, _Switched):
                switched = True
                continue
            attempt += 1
            if outcome is None:
                continue
            if isinstance(outcome, ErrorEvent):
                return outcome
            return outcome, host
        raise AssertionError("unreachable: the last attempt always returns")

    def _attempt(
        self, request: httpx.Request, *, host: str, attempt: int, last: bool, may_switch: bool
    ) -> httpx.Response | ErrorEvent | _Switched | None:
        """One try: the response, the error to end with, None to try again, or `_SWITCHED`."""
        try:
            response = self._client().send(request, stream=True)
        except RETRY_EXCEPTIONS as exc:
            if last:
                logger.exception("[MAS] request failed after %d attempts", attempt)
                return self._network_error(exc, host=host, started=False)
            self._pause(self._backoff(attempt), reason=type(exc).__name__, attempt=attempt)
            return None
        except httpx.HTTPError as exc:
            logger.exception("[MAS] request failed")
            return self._network_error(exc, host=host, started=False)
        if response.status_code in RETRY_STATUSES and not last:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            response.close()
            wait = self._backoff(attempt) if retry_after is None else retry_after
            self._pause(wait, reason=str(response.status_code), attempt=attempt)
            return None
        if response.status_code >= 400:
            body = self._error_body(response)
            if response.status_code == 400 and may_switch and self._dialect.switch(body, host=host):
                return _SWITCHED
            return self._http_error(response, attempts=attempt, body=body)
        return response

    def _network_error(self, exc: httpx.HTTPError, *, host: str, started: bool) -> ErrorEvent:
        t = self.timeouts
        return network_error_event(
            exc, host=host, connect_timeout=t.connect, read_timeout=t.read, started=started
        )

    def _backoff(self, attempt: int) -> float:
        return float(self.retry.base_wait * 2 ** (attempt - 1))

    def _pause(self, seconds: float, *, reason: str, attempt: int) -> None:
        wait = min(max(0.0, seconds), self.retry.max_wait)
        logger.warning("[MAS] attempt %d failed (%s); retrying in %.2f s", attempt, reason, wait)
        self._sleep(wait)

    def _error_body(self, response: httpx.Response) -> bytes:
        try:
            return read_bounded(response, MAX_ERROR_BODY_BYTES)
        except httpx.HTTPError:
            logger.exception("[MAS] could not read the error body")
            return b""
        finally:
            response.close()

    def _http_error(
        self, response: httpx.Response, *, attempts: int, body: bytes | None = None
    ) -> ErrorEvent:
        if body is None:
            body = self._error_body(response)
        event = error_event_for_status(
            status=response.status_code,
            body=body,
            content_type=response.headers.get("Content-Type"),
            endpoint_name=self.endpoint_name,
            attempts=attempts,
        )
        logger.error(
            "[MAS] HTTP %d from endpoint %s: %s", response.status_code, self.endpoint_name, event.message
        )
        return event

    def _read(
        self, response: httpx.Response, host: str, *, chunks: Iterator[bytes], ended: list[bool]
    ) -> Iterator[Event]:
        """Yield the answer's events (`mas.endpoint.answer_events`); `ended` marks the terminal one."""
        content_type = response.headers.get("Content-Type", "").lower()
        logger.debug("[STREAM] HTTP %d, content type %r", response.status_code, content_type)
        if "html" in content_type:
            yield self._http_error(response, attempts=1)
            return

        def network_error(exc: httpx.HTTPError, started: bool) -> ErrorEvent:
            return self._network_error(exc, host=host, started=started)

        if "application/json" in content_type:
            yield from json_answer(response, network_error=network_error)
            return
        yield from sse_answer(chunks, ended=ended, network_error=network_error)
