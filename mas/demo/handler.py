"""The request handler of the emulator: the serving-endpoint protocol over HTTP/1.1.

`POST /serving-endpoints/{name}/invocations` and the OpenAI-compatible `POST
/serving-endpoints/responses` (`model` = the endpoint; validated like the real ones, streamed as
chunked `data: <json>` lines in the endpoint's dialect (`mas.demo.dialects`) ending with
`data: [DONE]`, or one JSON body for `stream: false`),
`GET /api/2.0/serving-endpoints/{name}`, and Databricks-style 404s for everything else
(including the SDK's `/.well-known/databricks-config` probe). Faults are played here; the
server's lifecycle is in `mas.demo.server`.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import struct
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from mas.demo import dialects
from mas.demo.faults import Fault, RecordedRequest, fingerprint
from mas.demo.routes import ApiRequest, find

if TYPE_CHECKING:
    from mas.demo.server import Emulator

logger = logging.getLogger(__name__)

# The second form is the OpenAI-compatible route openai-python posts to (`model` names the endpoint).
_INVOCATIONS = re.compile(r"^/serving-endpoints/(?:([^/]+)/invocations|responses)$")
_METADATA = re.compile(r"^/api/2\.0/serving-endpoints/([^/]+)$")


def _json_response_body(events: Iterator[dict[str, Any]]) -> dict[str, Any]:
    items = []
    for event in events:
        if event.get("type") == "response.output_item.done" and isinstance(event.get("item"), dict):
            items.append(event["item"])
        elif event.get("type") == "function_call_output":
            items.append({k: v for k, v in event.items() if k != "sequence_number"})
    return {"object": "response", "status": "completed", "output": items}


class _Stop(Exception):
    """The stream ends here on purpose (a fault) or because the client went away."""


class ServingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mas-emulator"

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.emulator._lock:
            self.emulator._connections.add(self.connection)

    def finish(self) -> None:
        with self.emulator._lock:
            self.emulator._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("[EMULATOR] " + format, *args)

    def _start(self, body: Any) -> RecordedRequest:
        auth = self.headers.get("Authorization")
        safe = {k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "cookie")}
        record = RecordedRequest(self.command, self.path, body, fingerprint(auth), safe, self.client_address)
        self.emulator._record(record)
        return record

    def _send_json(self, status: int, payload: Any, *, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error_body(self, status: int, code: str, *, message: str) -> None:
        self._send_json(status, {"error_code": code, "message": message})

    def _play_status_fault(self, fault: Fault, record: RecordedRequest) -> None:
        status = fault.status or 500
        extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        record.outcome = "error"
        if fault.html:
            page = (
                f"<!DOCTYPE html><html><head><title>{status} {self.responses.get(status, ('Error',))[0]}"
                f"</title></head><body><h1>{fault.message or 'Bad Gateway'}</h1></body></html>"
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(page)
            return
        payload = {"error_code": fault.error_code or "INTERNAL_ERROR", "message": fault.message or "Failed"}
        self._send_json(status, payload, extra=extra)

    def _reset(self, record: RecordedRequest) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True
        record.outcome = "reset"

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", errors="replace")

    def do_GET(self) -> None:
        record = self._start(
            self._read_body()
        )  # a GET may carry a body: read it to keep the connection in sync
        try:
            self._get(record)
        finally:
            record.finished.set()

    def _api_route(self, record: RecordedRequest) -> bool:
        """Answer a mounted workspace API route (`mas.demo.routes`); False when none matches."""
        path, _, query = self.path.partition("?")
        found = find(self.emulator.api_routes(), method=self.command, path=path)
        if found is None:
            return False
        chosen, groups = found
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        request = ApiRequest(method=self.command, path=path, groups=groups, body=record.body, query=params,
                             headers=record.headers, identity=record.auth_fingerprint)  # fmt: skip
        response = chosen.handler(request)
        record.outcome = "ok" if response.status < 400 else "error"
        self._send_json(response.status, response.body, extra=dict(response.headers))
        return True

    def _get(self, record: RecordedRequest) -> None:
        if self._api_route(record):
            return
        fault = self.emulator._take_fault("metadata")
        if fault and fault.reset:
            self._reset(record)
            return
        if fault:
            self._play_status_fault(fault, record)
            return
        match = _METADATA.match(self.path.split("?")[0])
        if match and self.emulator._responder(match.group(1)) is not None:
            record.outcome = "ok"
            self._send_json(200, self.emulator._metadata(match.group(1)))
            return
        record.outcome = "error"
        if match:
            message = f"Endpoint with name '{match.group(1)}' does not exist."
            self._send_error_body(404, "RESOURCE_DOES_NOT_EXIST", message=message)
            return
        # Also `/.well-known/databricks-config`, which WorkspaceClient probes at start-up.
        self._send_error_body(404, "ENDPOINT_NOT_FOUND", message=f"No API found for 'GET {self.path}'")

    def _method_not_allowed(self) -> None:
        record = self._start(self._read_body())
        if self._api_route(record):
            record.finished.set()
            return
        record.outcome = "error"
        self._send_error_body(
            405, "METHOD_NOT_ALLOWED", message=f"{self.command} is not supported on {self.path}"
        )
        record.finished.set()

    do_PUT = do_PATCH = do_DELETE = _method_not_allowed

    def do_POST(self) -> None:
        record = self._start(self._read_body())
        try:
            self._post(record)
        finally:
            record.finished.set()

    def _post(self, record: RecordedRequest) -> None:
        if self._api_route(record):
            return
        match = _INVOCATIONS.match(self.path.split("?")[0])
        fault = self.emulator._take_fault("invocations") if match else None
        if fault and fault.reset:
            self._reset(record)
            return
        if fault and fault.status:
            self._play_status_fault(fault, record)
            return
        if not match:
            record.outcome = "error"
            self._send_error_body(404, "ENDPOINT_NOT_FOUND", message=f"No API found for 'POST {self.path}'")
            return
        body = record.body
        name = match.group(1) or (str(body.get("model")) if isinstance(body, dict) else "")
        responder = self.emulator._responder(name)
        if responder is None:
            record.outcome = "error"
            message = f"Endpoint with name '{name}' does not exist."
            self._send_error_body(404, "RESOURCE_DOES_NOT_EXIST", message=message)
            return
        task = self.emulator._metadata(name).get("task")
        configured = self.emulator.dialect_of(name)
        dialect = dialects.choose(task=task, openai_route=match.group(1) is None, configured=configured)
        items = dialects.input_items(body, dialect)
        if isinstance(items, str):
            record.outcome = "error"
            return self._send_error_body(400, "BAD_REQUEST", message=items)
        events = responder.respond(items)
        if body.get("stream") is True and not (fault and fault.force_json):
            trace = self.headers.get("x-mlflow-return-trace-id", "").lower() == "true"
            events = dialects.render(events, dialect, model=name, trace_id=trace)
            self._stream(events, record, fault=fault or Fault())
        else:
            record.outcome = "ok"
            answer = _json_response_body(events) if dialect == "verbatim" else dialects.json_body(
                events, dialect, model=name)  # fmt: skip
            self._send_json(200, answer)

    def _chunk(self, data: bytes, record: RecordedRequest | None = None) -> None:
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError as exc:
            if record is not None:
                record.outcome = "disconnected"
            self.close_connection = True
            raise _Stop from exc
        if record is not None:
            record.write_times.append(time.perf_counter())

    def _stream(self, events: Iterator[dict[str, Any]], record: RecordedRequest, *, fault: Fault) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._write_events(events, record, fault=fault)
            self._chunk(b"data: [DONE]\n\n", record)
            self.wfile.write(b"0\r\n\r\n")
            record.outcome = "ok"
        except _Stop:
            return

    def _write_events(
        self, events: Iterator[dict[str, Any]], record: RecordedRequest, *, fault: Fault
    ) -> None:
        emulator = self.emulator
        pacing = emulator.pacing if fault.pacing is None else fault.pacing
        for line in self._lines(events):
            if emulator._closing.is_set():
                raise _Stop
            self._before_event(record, fault)
            if fault.cut_after is not None and record.events_sent >= fault.cut_after:
                self._cut(line, record)
            if record.events_sent:
                emulator._wait(pacing)
            self._chunk(line, record)
            record.events_sent += 1
        self._before_event(record, fault)
        if fault.cut_after is not None:
            self._cut(b'data: {"type":"response.output_text.delta","delta":"cut here"}\n\n', record)

    def _before_event(self, record: RecordedRequest, fault: Fault) -> None:
        if fault.stall and record.events_sent == fault.stall_after:
            self.emulator._wait(fault.stall)
        if fault.malformed and record.events_sent == fault.malformed_after:
            for line in fault.malformed:
                self._chunk(line.encode("utf-8"))

    def _lines(self, events: Iterator[dict[str, Any]]) -> Iterator[bytes]:
        try:
            for event in events:
                yield f"data: {json.dumps(event)}\n\n".encode()
        except Exception as exc:
            # A responder bug becomes an in-stream error event, as a failing agent's would.
            logger.exception("[EMULATOR] responder failed")
            error = {"type": "error", "code": "server_error", "message": f"Responder failed: {exc}"}
            yield f"data: {json.dumps(error)}\n\n".encode()

    def _cut(self, line: bytes, record: RecordedRequest) -> None:
        self._chunk(line[: max(1, len(line) // 2)], record)
        record.outcome = "cut"
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
        raise _Stop
