"""The request handler of the emulator: the serving-endpoint protocol over HTTP/1.1.

`POST /serving-endpoints/{name}/invocations` and the OpenAI-compatible `POST
/serving-endpoints/responses` (`model` = the endpoint; validated like the real ones, streamed as
chunked `data: <json>` lines in the endpoint's dialect (`mas.demo.dialects`) ending with
`data: [DONE]`, or one JSON body for `stream: false`), `GET /api/2.0/serving-endpoints/{name}`,
mounted workspace API routes (`mas.demo.routes`), and Databricks-style 404s for everything else
(including the SDK's `/.well-known/databricks-config` probe). It sees the emulator only through
`ServingHost`, and each request's hooks through an `Exchange` (`mas.demo.exchange`); the
server's lifecycle is in `mas.demo.server`.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from mas.demo import dialects
from mas.demo.dialects import Dialect
from mas.demo.exchange import PLAIN, Exchange, Outcome, RequestInfo, StreamEnded, fingerprint
from mas.demo.routes import ApiRequest, Route, find

logger = logging.getLogger(__name__)

# The second form is the OpenAI-compatible route openai-python posts to (`model` names the endpoint).
_INVOCATIONS = re.compile(r"^/serving-endpoints/(?:([^/]+)/invocations|responses)$")
_METADATA = re.compile(r"^/api/2\.0/serving-endpoints/([^/]+)$")


class Responder(Protocol):
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


class ServingHost(Protocol):
    """What the handler needs of the emulator that serves it (`mas.demo.server.Emulator`)."""

    pacing: float

    def responder(self, name: str) -> Responder | None: ...

    def metadata(self, name: str) -> dict[str, Any]: ...

    def api_routes(self) -> list[Route]: ...

    def dialect_of(self, name: str) -> Dialect: ...

    def exchange(self, request: RequestInfo) -> Exchange: ...

    def opened(self, connection: socket.socket) -> None: ...

    def closed(self, connection: socket.socket) -> None: ...

    @property
    def closing(self) -> bool: ...

    def wait(self, seconds: float) -> None: ...


def _json_response_body(events: Iterator[dict[str, Any]]) -> dict[str, Any]:
    items = []
    for event in events:
        if event.get("type") == "response.output_item.done" and isinstance(event.get("item"), dict):
            items.append(event["item"])
        elif event.get("type") == "function_call_output":
            items.append({k: v for k, v in event.items() if k != "sequence_number"})
    return {"object": "response", "status": "completed", "output": items}


class ServingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mas-emulator"
    exchange: Exchange = PLAIN
    info: RequestInfo

    @property
    def host(self) -> ServingHost:
        return self.server.host  # type: ignore[attr-defined]  # set by the emulator

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host.opened(self.connection)

    def finish(self) -> None:
        self.host.closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("[EMULATOR] " + format, *args)

    def _handle(self, answer: Callable[[], None]) -> None:
        """Read the request (a GET may carry a body: read it to keep the connection in sync), answer it."""
        auth = self.headers.get("Authorization")
        safe = {k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "cookie")}
        self.info = RequestInfo(self.command, self.path, self._read_body(), safe, fingerprint(auth),
                                self.client_address)  # fmt: skip
        self.exchange = self.host.exchange(self.info)
        try:
            answer()
        finally:
            self.exchange.finished()

    def _outcome(self, outcome: Outcome) -> None:
        self.exchange.outcome(outcome)

    # --- Wire: what an exchange's hooks may do to this connection

    def send_json(self, status: int, payload: Any, *, extra: dict[str, str] | None = None) -> None:
        self.send_body(status, json.dumps(payload).encode(), content_type="application/json", extra=extra)

    def send_body(
        self, status: int, data: bytes, *, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def write_chunk(self, data: bytes) -> None:
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError as exc:
            self._outcome("disconnected")
            self.close_connection = True
            raise StreamEnded from exc

    def wait(self, seconds: float) -> None:
        self.host.wait(seconds)

    def drop(self) -> None:
        self.close_connection = True

    # --- The protocol

    def _send_error_body(self, status: int, code: str, *, message: str) -> None:
        self._outcome("error")
        self.send_json(status, {"error_code": code, "message": message})

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", errors="replace")

    def do_GET(self) -> None:
        self._handle(self._get)

    def _api_route(self) -> bool:
        """Answer a mounted workspace API route (`mas.demo.routes`); False when none matches."""
        path, _, query = self.path.partition("?")
        found = find(self.host.api_routes(), method=self.command, path=path)
        if found is None:
            return False
        chosen, groups = found
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        info = self.info
        request = ApiRequest(method=self.command, path=path, groups=groups, body=info.body, query=params,
                             headers=info.headers, identity=info.identity)  # fmt: skip
        response = chosen.handler(request)
        self._outcome("ok" if response.status < 400 else "error")
        self.send_json(response.status, response.body, extra=dict(response.headers))
        return True

    def _get(self) -> None:
        if self._api_route() or self.exchange.intercept("metadata", self):
            return
        match = _METADATA.match(self.path.split("?")[0])
        if match and self.host.responder(match.group(1)) is not None:
            self._outcome("ok")
            self.send_json(200, self.host.metadata(match.group(1)))
            return
        if match:
            message = f"Endpoint with name '{match.group(1)}' does not exist."
            self._send_error_body(404, "RESOURCE_DOES_NOT_EXIST", message=message)
            return
        # Also `/.well-known/databricks-config`, which WorkspaceClient probes at start-up.
        self._send_error_body(404, "ENDPOINT_NOT_FOUND", message=f"No API found for 'GET {self.path}'")

    def _method_not_allowed(self) -> None:
        if self._api_route():
            return
        message = f"{self.command} is not supported on {self.path}"
        self._send_error_body(405, "METHOD_NOT_ALLOWED", message=message)

    def _other_method(self) -> None:
        self._handle(self._method_not_allowed)

    do_PUT = do_PATCH = do_DELETE = _other_method

    def do_POST(self) -> None:
        self._handle(self._post)

    def _post(self) -> None:
        if self._api_route():
            return
        match = _INVOCATIONS.match(self.path.split("?")[0])
        if match and self.exchange.intercept("invocations", self):
            return
        if not match:
            self._send_error_body(404, "ENDPOINT_NOT_FOUND", message=f"No API found for 'POST {self.path}'")
            return
        body = self.info.body
        name = match.group(1) or (str(body.get("model")) if isinstance(body, dict) else "")
        responder = self.host.responder(name)
        if responder is None:
            message = f"Endpoint with name '{name}' does not exist."
            self._send_error_body(404, "RESOURCE_DOES_NOT_EXIST", message=message)
            return
        task = self.host.metadata(name).get("task")
        configured = self.host.dialect_of(name)
        dialect = dialects.choose(task=task, openai_route=match.group(1) is None, configured=configured)
        items = dialects.input_items(body, dialect)
        if isinstance(items, str):
            return self._send_error_body(400, "BAD_REQUEST", message=items)
        events = responder.respond(items)
        if body.get("stream") is True and not self.exchange.as_json():
            trace = self.headers.get("x-mlflow-return-trace-id", "").lower() == "true"
            events = dialects.render(events, dialect, model=name, trace_id=trace)
            self._stream(events)
        else:
            self._outcome("ok")
            answer = _json_response_body(events) if dialect == "verbatim" else dialects.json_body(
                events, dialect, model=name)  # fmt: skip
            self.send_json(200, answer)

    def _chunk(self, data: bytes, *, event: bool) -> None:
        self.write_chunk(data)
        self.exchange.wrote(event=event)

    def _stream(self, events: Iterator[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._write_events(events)
            self._chunk(b"data: [DONE]\n\n", event=False)
            self.wfile.write(b"0\r\n\r\n")
            self._outcome("ok")
        except StreamEnded:
            return

    def _write_events(self, events: Iterator[dict[str, Any]]) -> None:
        host, exchange = self.host, self.exchange
        pacing = exchange.pacing(host.pacing)
        sent = 0
        for line in self._lines(events):
            if host.closing:
                raise StreamEnded
            exchange.before_event(sent, line, self)
            if sent:
                host.wait(pacing)
            self._chunk(line, event=True)
            sent += 1
        exchange.before_event(sent, None, self)

    def _lines(self, events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
        try:
            for event in events:
                yield f"data: {json.dumps(event)}\n\n".encode()
        except Exception as exc:
            # A responder bug becomes an in-stream error event, as a failing agent's would.
            logger.exception("[EMULATOR] responder failed")
            error = {"type": "error", "code": "server_error", "message": f"Responder failed: {exc}"}
            yield f"data: {json.dumps(error)}\n\n".encode()
