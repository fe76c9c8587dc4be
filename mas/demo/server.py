"""The serving-endpoint emulator: a real HTTP/1.1 server on 127.0.0.1 that speaks `/invocations`.

`Emulator` runs a `ThreadingHTTPServer` in a background thread on a free port, serves each
endpoint name from a `Responder` (the demo supervisor by default), queues `Fault`s and keeps
the `RecordedRequest`s. `EmulatorProcess` runs the demo one in a child process instead. It is
not the demo's brain (`mas.demo.supervisor`); the wire protocol itself is in `mas.demo.handler`.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Protocol, cast

from mas.demo.dialects import Dialect
from mas.demo.faults import MALFORMED_LINES, Fault, RecordedRequest, fingerprint
from mas.demo.handler import ServingHandler
from mas.demo.routes import Route
from mas.errors import ConfigError
from mas.settings import DEFAULT_ENDPOINT_NAME, demo_genie_rate_limit_from_env, demo_genie_step_from_env

__all__ = [
    "MALFORMED_LINES",
    "Emulator",
    "EmulatorProcess",
    "Fault",
    "RecordedRequest",
    "Responder",
    "fingerprint",
]

logger = logging.getLogger(__name__)

DEFAULT_DEMO_PACING = 0.03
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds the `mas` package


class _Server(ThreadingHTTPServer):
    # Python's default listen backlog of 5 drops bursts of 30+ connections, which then wait
    # ~1 s for the client's SYN retry (measured with 50 concurrent API streams).
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-stream (the stop button, an early close) is routine here;
        # socketserver would print its traceback to stderr.
        logger.debug("[EMULATOR] connection from %s ended with an error", client_address, exc_info=True)


class Responder(Protocol):
    def respond(self, input_items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]: ...


def demo_pacing_from_env() -> float:
    """Seconds between streamed events for the demo: env MAS_DEMO_PACING, else a model-like 30 ms."""
    raw = os.environ.get("MAS_DEMO_PACING")
    return float(raw) if raw else DEFAULT_DEMO_PACING


def scripted_metadata(name: str) -> dict[str, Any]:
    """Endpoint metadata shaped like a MAS (shared/notes/mas-output.md §4) for non-demo responders."""
    return {
        "name": name,
        "task": "agent/v1/responses",
        "config": {},
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "tile_endpoint_metadata": {"problem_type": "MULTI_AGENT_SUPERVISOR"},
    }


class Emulator:
    """A MAS serving endpoint on 127.0.0.1, in a background thread; a context manager."""

    def __init__(
        self,
        *,
        responder: Responder | None = None,
        pacing: float = 0.0,
        endpoint_name: str = DEFAULT_ENDPOINT_NAME,
        port: int = 0,
        metadata: Callable[[str], dict[str, Any]] | None = None,
        dialect: Dialect | None = None,
    ) -> None:
        from mas.demo.genie_api import GenieEmulator
        from mas.demo.supervisor import DemoSupervisor, demo_endpoint_metadata

        # The demo speaks the full Responses protocol; a given responder's script is played as written.
        chosen: Dialect = dialect or ("verbatim" if responder else "responses")
        self._dialects: dict[str, Dialect] = {endpoint_name: chosen}
        demo = responder if isinstance(responder, DemoSupervisor) else DemoSupervisor()
        if responder is None:
            responder = demo
            metadata = metadata or demo_endpoint_metadata
        self.endpoint_name = endpoint_name
        self.pacing = pacing
        self._metadata = metadata or scripted_metadata
        self._responders: dict[str, Responder] = {endpoint_name: responder}
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._routes: list[Route] = []
        self.genie = GenieEmulator(demo, step_seconds=demo_genie_step_from_env())
        """The Genie Conversation API over the demo data (`mas.demo.genie_api`); its knobs are attributes.
        Mounted for the demo supervisor only, so a scripted emulator's own routes are the only ones."""
        self.genie.rate_limit = demo_genie_rate_limit_from_env()
        if isinstance(responder, DemoSupervisor):
            self._routes.extend(self.genie.routes())
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", port), ServingHandler)
        self._server.emulator = self  # type: ignore[attr-defined]
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="mas-emulator",
            daemon=True,
        )
        self._thread.start()
        logger.info("[EMULATOR] serving %s at %s", endpoint_name, self.url)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def invocations(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/invocations")]

    def settle(self, timeout: float = 10.0) -> list[RecordedRequest]:
        """The recorded requests once their handlers are done (a client may finish reading first)."""
        deadline = time.monotonic() + timeout
        for record in self.requests:
            if not record.finished.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"{record.method} {record.path} still being handled after {timeout} s")
        return self.requests

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.extend([fault] * fault.times)

    def set_responder(
        self, endpoint_name: str, responder: Responder, *, dialect: Dialect | None = None
    ) -> None:
        """Serve `endpoint_name` (new or existing) from `responder`, in `dialect` (`mas.demo.dialects`)."""
        with self._lock:
            self._responders[endpoint_name] = responder
            self._dialects[endpoint_name] = dialect or self._dialects.get(endpoint_name, "verbatim")

    def dialect_of(self, endpoint_name: str) -> Dialect:
        """How `endpoint_name`'s `/invocations` streams (a chat task or the OpenAI route decide first)."""
        with self._lock:
            return self._dialects.get(endpoint_name, "verbatim")

    def add_routes(self, routes: Iterable[Route]) -> None:
        """Mount workspace API routes (`mas.demo.routes`); earlier ones win on a tie."""
        with self._lock:
            self._routes.extend(routes)

    def api_routes(self) -> list[Route]:
        with self._lock:
            return list(self._routes)

    def close(self) -> None:
        """Stop serving now, also cutting streams still open."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError as exc:  # already closed by its handler
                logger.debug("[EMULATOR] shutdown of a closed connection: %s", exc)
        self._thread.join(timeout=5)

    def _take_fault(self, route: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.route in (route, "any"):
                    return self._faults.pop(index)
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _responder(self, name: str) -> Responder | None:
        with self._lock:
            return self._responders.get(name)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._closing.wait(seconds)


class EmulatorProcess:
    """The demo endpoint as `python -m mas.demo` in a child process, with its own interpreter and GIL.

    In one process the emulator's answers and the app's streams take turns on one GIL: with
    50 concurrent API streams they doubled the delay to each first event (bench P5). The child
    prints its URL once it serves and stops when its stdin closes, so it cannot outlive us.
    """

    def __init__(
        self, *, pacing: float = 0.0, endpoint_name: str = DEFAULT_ENDPOINT_NAME, timeout: float = 60.0
    ) -> None:
        self.endpoint_name = endpoint_name
        self.pacing = pacing
        path = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
        command = [sys.executable, "-m", "mas.demo", "--for-parent", "--pacing", repr(pacing)]
        self._process = subprocess.Popen(
            [*command, "--endpoint", endpoint_name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        try:
            self.url = self._announced_url(timeout)
        except BaseException:
            self.close()
            raise
        self.port = int(self.url.rsplit(":", 1)[1])
        logger.info("[EMULATOR] serving %s at %s in process %d", endpoint_name, self.url, self._process.pid)

    def _announced_url(self, timeout: float) -> str:
        stdout = cast(IO[bytes], self._process.stdout)  # Popen(stdout=PIPE) sets it
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = lines[0].decode(errors="replace").strip() if lines else ""
        if not line.startswith("http://127.0.0.1:"):
            raise ConfigError(
                f"The demo endpoint process did not start within {timeout:g} s "
                f"(exit code {self._process.poll()}, first line {line!r}); its errors are in this log."
            )
        return line

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child: closing its stdin asks it to stop; it is killed if it does not."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
