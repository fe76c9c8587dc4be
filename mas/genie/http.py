"""The Genie Conversation API over HTTP: one method per endpoint, JSON in and out, errors raised.

Requests go to `{host}/api/2.0/genie/spaces/{space_id}/…` with the workspace client's auth
headers fetched fresh for each request (OAuth tokens refresh there), on one pooled httpx client,
the same way `mas.endpoint.client` talks to serving endpoints. Paths follow databricks-sdk
0.156 `service/dashboards.py` `GenieAPI`. A failed call raises `GenieError` worded by
`mas.http_errors`; no retries and no polling here (see `mas.genie.conversation`).
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from mas.error_body import retry_after_seconds
from mas.errors import GenieError
from mas.genie.attachments import Ids
from mas.http_errors import genie_error_message, genie_network_message
from mas.settings import Timeouts

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
"""An inline query result holds at most 5,000 rows; this bounds a misbehaving server."""


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~50 ms; one shared (thread-safe) context for every user's client.
    return httpx.create_ssl_context()


class GenieHttp:
    """Authenticated calls to one Genie space; thread-safe, one connection pool; close() when done."""

    def __init__(
        self, *, workspace_client: WorkspaceClient, space_id: str, timeouts: Timeouts | None = None
    ) -> None:
        self.workspace_client = workspace_client
        self.space_id = space_id
        t = timeouts or Timeouts.from_env()
        # Each call is a short JSON request (the waiting is polling), so the read timeout is the
        # connect timeout's few multiples, not the stream's long idle timeout.
        read = max(30.0, t.connect * 3)
        self._timeout = httpx.Timeout(connect=t.connect, read=read, write=t.connect, pool=t.connect)
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        host = (self.workspace_client.config.host or "").rstrip("/")
        if not host:
            raise GenieError("The Databricks connection has no workspace host configured.", code="auth")
        return host

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    timeout=self._timeout, follow_redirects=False, verify=_ssl_context()
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def _headers(self) -> dict[str, str]:
        try:
            auth = self.workspace_client.config.authenticate()
        except Exception as exc:  # the SDK raises assorted types for credential failures
            logger.exception("[GENIE] could not get auth headers")
            raise GenieError(
                f"The Databricks connection is not configured or its credentials failed: {exc}", code="auth"
            ) from exc
        return {"Accept": "application/json", "Content-Type": "application/json", **auth}

    def url(self, path: str) -> str:
        return f"{self.host}/api/2.0/genie/spaces/{quote(self.space_id, safe='')}{path}"

    def call(self, method: str, path: str, *, body: Any = None, query: dict[str, str] | None = None) -> Any:
        """One request; the parsed JSON answer, or `GenieError` (status, code, Retry-After)."""
        url = self.url(path)
        try:
            with self._client().stream(
                method, url, json=body, params=query, headers=self._headers()
            ) as response:
                raw = _read_bounded(response.iter_bytes(), MAX_BODY_BYTES)
        except httpx.HTTPError as exc:
            raise GenieError(genie_network_message(exc, host=self.host), code="network") from exc
        logger.debug("[GENIE] %s %s -> %d", method, path, response.status_code)
        if response.status_code >= 400:
            message, code = genie_error_message(
                status=response.status_code,
                body=raw,
                content_type=response.headers.get("Content-Type"),
                space_id=self.space_id,
            )
            retry = retry_after_seconds(response.headers.get("Retry-After"))
            raise GenieError(message, status=response.status_code, code=code, retry_after=retry)
        try:
            return json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise GenieError("Genie answered with invalid JSON.", code="protocol") from exc

    # --- the endpoints (sdk GenieAPI method names in the comments) -------------------------

    def space(self) -> dict[str, Any]:  # get_space
        return dict(self.call("GET", ""))

    def start_conversation(self, content: str) -> dict[str, Any]:  # start_conversation
        return dict(self.call("POST", "/start-conversation", body={"content": content}))

    def create_message(self, conversation_id: str, content: str) -> dict[str, Any]:  # create_message
        return dict(
            self.call("POST", f"/conversations/{_seg(conversation_id)}/messages", body={"content": content})
        )

    def get_message(self, ids: Ids) -> dict[str, Any]:  # get_message
        return dict(self.call("GET", _message(ids)))

    def query_result(self, ids: Ids, attachment_id: str) -> dict[str, Any]:
        # get_message_attachment_query_result
        return dict(self.call("GET", _attachment(ids, attachment_id) + "/query-result"))

    def execute_query(self, ids: Ids, attachment_id: str) -> dict[str, Any]:
        # execute_message_attachment_query: re-runs an expired result
        return dict(self.call("POST", _attachment(ids, attachment_id) + "/execute-query"))

    def generate_download(self, ids: Ids, attachment_id: str) -> dict[str, Any]:
        # generate_download_full_query_result
        return dict(self.call("POST", _attachment(ids, attachment_id) + "/downloads"))

    def get_download(
        self, ids: Ids, attachment_id: str, *, download_id: str, signature: str
    ) -> dict[str, Any]:  # get_download_full_query_result
        path = _attachment(ids, attachment_id) + f"/downloads/{_seg(download_id)}"
        return dict(self.call("GET", path, query={"download_id_signature": signature}))

    def send_feedback(self, ids: Ids, *, rating: str, comment: str | None = None) -> None:
        # send_message_feedback
        body: dict[str, Any] = {"rating": rating}
        if comment:
            body["comment"] = comment
        self.call("POST", _message(ids) + "/feedback", body=body)

    def workspace_json(self, path: str) -> dict[str, Any]:
        """GET another workspace API path (e.g. a statement's `next_chunk_internal_link`), authenticated."""
        url = f"{self.host}{path if path.startswith('/') else '/' + path}"
        try:
            response = self._client().get(url, headers=self._headers())
        except httpx.HTTPError as exc:
            raise GenieError(genie_network_message(exc, host=self.host), code="network") from exc
        if response.status_code >= 400:
            message, code = genie_error_message(
                status=response.status_code,
                body=response.content,
                content_type=response.headers.get("Content-Type"),
                space_id=self.space_id,
            )
            raise GenieError(message, status=response.status_code, code=code)
        return dict(response.json())

    @contextmanager
    def external(self, url: str, *, headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """Stream a presigned result link. Never with the Authorization header: the link carries its
        own short-lived credential, and cloud storage rejects a second one (sdk `GenieAPI`
        `get_download_full_query_result` docstring). Only the link's own `http_headers` are sent."""
        safe = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
        try:
            with self._client().stream("GET", url, headers=safe) as response:
                if response.status_code >= 400:
                    response.read()
                    raise GenieError(
                        f"Downloading the full result failed (HTTP {response.status_code}); the link may "
                        "have expired. Try the download again.",
                        status=response.status_code,
                        code="download",
                    )
                yield response
        except httpx.HTTPError as exc:
            raise GenieError("The full-result download broke off. Try it again.", code="network") from exc


def _seg(value: str) -> str:
    return quote(value, safe="")


def _message(ids: Ids) -> str:
    return f"/conversations/{_seg(ids.conversation_id)}/messages/{_seg(ids.message_id)}"


def _attachment(ids: Ids, attachment_id: str) -> str:
    return _message(ids) + f"/attachments/{_seg(attachment_id)}"


def _read_bounded(chunks: Iterator[bytes], limit: int) -> bytes:
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise GenieError(f"Genie's answer is larger than {limit // (1024 * 1024)} MiB.", code="protocol")
    return bytes(data)
