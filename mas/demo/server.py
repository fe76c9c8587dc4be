"""The serving-endpoint emulator: a real HTTP/1.1 server on 127.0.0.1 that speaks `/invocations`.

`Emulator` runs a `ThreadingHTTPServer` in a background thread on a free port and serves each
endpoint name from a `Responder` (the demo supervisor by default); an `Observer`
(`mas.demo.exchange`) may watch and steer its requests. `EmulatorProcess` runs the demo one in
a child process instead. It is not the demo's brain (`mas.demo.supervisor`); the wire protocol
itself is in `mas.demo.handler`.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast

from mas.demo.dialects import Dialect
from mas.demo.exchange import PLAIN, Exchange, Observer, RequestInfo
from mas.demo.handler import Responder, ServingHandler
from mas.demo.routes import Route
from mas.errors import ConfigError
from mas.settings import (
    DEFAULT_ENDPOINT_NAME,
    demo_genie_rate_limit_from_env,
    demo_genie_step_from_env,
    settings,
)

__all__ = ["Emulator", "EmulatorProcess", "Responder"]

logger = logging.getLogger(__name__)

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds the `mas` package


class _Server(ThreadingHTTPServer):
    # Python's default listen backlog of 5 drops bursts of 30+ connections, which then wait
    # ~1 s for the client's SYN retry (measured with 50 concurrent API streams).
    request_queue_size = 128
    daemon_threads = True
    host: Any  # the `Emulator`, which the handler sees as its `ServingHost`

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-stream (the stop button, an early close) is routine here;
        # socketserver would print its traceback to stderr.
        logger.debug("[EMULATOR] connection from %s ended with an error", client_address, exc_info=True)


def demo_pacing_from_env() -> float:
    """Seconds between streamed events for the demo: env MAS_DEMO_PACING, else a model-like 30 ms."""
    return settings().demo_pacing


def scripted_metadata(name: str) -> dict[str, Any]:
    """Endpoint metadata shaped like a MAS (shared/notes/mas-output.md §4) for non-demo responders."""
    return {
        "name": name,
        "task": "agent/v1/responses",
        "config": {},
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "tile_endpoint_metadata": {"problem_type": "MULTI_AGENT_SUPERVISOR"},
    }


def _demo_supervisor() -> type:
    from mas.demo.supervisor import DemoSupervisor

    return DemoSupervisor


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
        observer: Observer | None = None,
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
        self._observer = observer
        self._responders: dict[str, Responder] = {endpoint_name: responder}
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
        self._server.host = self  # the handler's `ServingHost`
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.workspace = None
        if isinstance(responder, _demo_supervisor()):
            from mas.demo.workspace import DemoWorkspace

            self.workspace = DemoWorkspace()  # MLflow assessments on the demo's traces
            self.add_routes(self.workspace.routes())
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

    # --- ServingHost: what the request handler (`mas.demo.handler`) asks of the emulator

    def responder(self, name: str) -> Responder | None:
        with self._lock:
            return self._responders.get(name)

    def metadata(self, name: str) -> dict[str, Any]:
        return self._metadata(name)

    def exchange(self, request: RequestInfo) -> Exchange:
        return PLAIN if self._observer is None else self._observer.exchange(request)

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, waking at once when the emulator closes."""
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
