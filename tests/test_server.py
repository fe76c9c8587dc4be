"""The emulator speaks the serving protocol over real loopback HTTP, records requests safely, plays faults."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SCRIPT, ScriptedResponder, text_deltas
from support.emulator import MALFORMED_LINES, Emulator, Fault

from mas.demo.server import EmulatorProcess, demo_pacing_from_env
from mas.errors import ConfigError
from mas.settings import DEFAULT_ENDPOINT_NAME

INVOKE = f"/serving-endpoints/{DEFAULT_ENDPOINT_NAME}/invocations"
BODY = {"input": [{"role": "user", "content": "hi"}], "stream": True}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _data_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def test_streams_every_event_as_a_data_line_then_done(http: httpx.Client, emulator: Emulator) -> None:
    response = http.post(emulator.url + INVOKE, json=BODY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["transfer-encoding"] == "chunked"
    lines = _data_lines(response.text)
    assert all(line.startswith("data: ") for line in lines)
    assert [json.loads(line[6:]) for line in lines[:-1]] == SCRIPT
    assert lines[-1] == "data: [DONE]"
    assert response.text.endswith("\n\n")


def test_stream_false_answers_one_json_body_of_the_done_items(http: httpx.Client, emulator: Emulator) -> None:
    response = http.post(emulator.url + INVOKE, json={**BODY, "stream": False})
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "response"
    done_items = [e["item"] for e in SCRIPT if e["type"] == "response.output_item.done"]
    assert body["output"] == done_items


def test_records_request_with_auth_fingerprint_not_the_header(http: httpx.Client, emulator: Emulator) -> None:
    http.post(emulator.url + INVOKE, json=BODY, headers={"Authorization": "Bearer sekrit"})
    (record,) = emulator.requests
    assert record.method == "POST" and record.path == INVOKE and record.body == BODY
    assert record.auth_fingerprint == hashlib.sha256(b"Bearer sekrit").hexdigest()
    assert "sekrit" not in repr(record)
    assert all(key.lower() != "authorization" for key in record.headers)
    emulator.settle()
    assert record.outcome == "ok" and record.events_sent == len(SCRIPT)


def test_request_without_authorization_has_no_fingerprint(http: httpx.Client, emulator: Emulator) -> None:
    http.post(emulator.url + INVOKE, json=BODY)
    assert emulator.requests[0].auth_fingerprint is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "'input'"),
        ({"input": []}, "non-empty"),
        ({"input": "hi"}, "non-empty"),
        ([1, 2], "expected a map"),
    ],
)
def test_validates_the_body_like_the_real_endpoint(
    http: httpx.Client, emulator: Emulator, body: Any, fragment: str
) -> None:
    response = http.post(emulator.url + INVOKE, json=body)
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_REQUEST"
    assert fragment in response.json()["message"]


def test_invalid_json_is_a_400(http: httpx.Client, emulator: Emulator) -> None:
    response = http.post(
        emulator.url + INVOKE, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_REQUEST"


def test_unknown_endpoint_is_a_databricks_404(http: httpx.Client, emulator: Emulator) -> None:
    response = http.post(emulator.url + "/serving-endpoints/nope/invocations", json=BODY)
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert "'nope'" in response.json()["message"]


def test_metadata_get_for_known_and_unknown_endpoints(http: httpx.Client, emulator: Emulator) -> None:
    known = http.get(f"{emulator.url}/api/2.0/serving-endpoints/{DEFAULT_ENDPOINT_NAME}")
    assert known.status_code == 200
    assert known.json()["name"] == DEFAULT_ENDPOINT_NAME
    assert known.json()["state"]["ready"] == "READY"
    assert known.json()["task"] == "agent/v1/responses"
    unknown = http.get(f"{emulator.url}/api/2.0/serving-endpoints/nope")
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_other_methods_are_405_and_the_connection_survives(http: httpx.Client, emulator: Emulator) -> None:
    response = http.put(emulator.url + INVOKE, json=BODY)
    assert response.status_code == 405 and response.json()["error_code"] == "METHOD_NOT_ALLOWED"
    assert http.post(emulator.url + INVOKE, json=BODY).status_code == 200


def test_well_known_probe_and_unknown_paths_are_json_404s(http: httpx.Client, emulator: Emulator) -> None:
    for method, path in [("GET", "/.well-known/databricks-config"), ("GET", "/x"), ("POST", "/api/2.0/y")]:
        response = http.request(method, emulator.url + path, json={})
        assert response.status_code == 404
        assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_per_endpoint_responder_override(http: httpx.Client, emulator: Emulator) -> None:
    other = ScriptedResponder(text_deltas(2))
    emulator.set_responder("other-endpoint", other)
    response = http.post(emulator.url + "/serving-endpoints/other-endpoint/invocations", json=BODY)
    assert "word1" in response.text
    assert other.calls == [BODY["input"]]
    assert http.get(f"{emulator.url}/api/2.0/serving-endpoints/other-endpoint").status_code == 200


def test_status_fault_with_databricks_body_and_retry_after(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(
        Fault(status=429, error_code="REQUEST_LIMIT_EXCEEDED", message="slow down", retry_after="2")
    )
    response = http.post(emulator.url + INVOKE, json=BODY)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}
    assert http.post(emulator.url + INVOKE, json=BODY).status_code == 200  # one request only


def test_fault_times_applies_to_n_requests(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(status=503, times=2))
    statuses = [http.post(emulator.url + INVOKE, json=BODY).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_faults_skip_the_well_known_probe(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(status=500))
    assert http.get(emulator.url + "/.well-known/databricks-config").status_code == 404
    assert http.post(emulator.url + INVOKE, json=BODY).status_code == 500


def test_html_error_page(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(status=502, html=True))
    response = http.post(emulator.url + INVOKE, json=BODY)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>") and "502 Bad Gateway" in response.text


def test_reset_before_response(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(reset=True))
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.post(emulator.url + INVOKE, json=BODY)
    assert emulator.settle()[0].outcome == "reset"


def test_cut_mid_line_leaves_an_incomplete_chunked_body(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(cut_after=2))
    received = b""
    with pytest.raises(httpx.RemoteProtocolError), http.stream("POST", emulator.url + INVOKE, json=BODY) as r:
        for chunk in r.iter_bytes():
            received += chunk
    complete, _, partial = received.decode().rpartition("\n\n")
    assert len(_data_lines(complete)) == 2
    assert partial.startswith("data: {") and not partial.endswith("}")
    assert emulator.settle()[0].outcome == "cut"


def test_malformed_lines_are_written_verbatim(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(malformed=MALFORMED_LINES, malformed_after=1))
    text = http.post(emulator.url + INVOKE, json=BODY).text
    first_end = text.index("\n\n") + 2
    assert text[first_end:].startswith("".join(MALFORMED_LINES))
    assert text.endswith("data: [DONE]\n\n")


def test_force_json_answers_json_to_a_streaming_request(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(force_json=True))
    response = http.post(emulator.url + INVOKE, json=BODY)
    assert response.headers["content-type"] == "application/json"
    assert response.json()["object"] == "response"


def test_pacing_spaces_the_writes(http: httpx.Client) -> None:
    with Emulator(responder=ScriptedResponder(text_deltas(3)), pacing=0.1) as server:
        http.post(server.url + INVOKE, json=BODY)
        times = server.settle()[0].write_times
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 4  # three deltas, the completion, then [DONE] straight after it
    assert min(gaps[:3]) >= 0.09


def test_stall_holds_the_stream_after_k_events(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault(stall=0.3, stall_after=1))
    http.post(emulator.url + INVOKE, json=BODY)
    times = emulator.settle()[0].write_times
    assert times[1] - times[0] >= 0.29


def test_responder_failure_becomes_an_in_stream_error(http: httpx.Client) -> None:
    class Broken:
        def respond(self, input_items: list[dict[str, Any]]) -> Any:
            yield {"type": "response.output_text.delta", "item_id": "m", "delta": "partial"}
            raise RuntimeError("boom")

    with Emulator(responder=Broken()) as server:
        lines = _data_lines(http.post(server.url + INVOKE, json=BODY).text)
    error = json.loads(lines[1][6:])
    assert error["type"] == "error" and "boom" in error["message"]
    assert lines[-1] == "data: [DONE]"


def test_close_is_prompt_with_a_stream_open_and_frees_the_port(http: httpx.Client) -> None:
    server = Emulator(responder=ScriptedResponder())
    server.inject(Fault(stall=60, stall_after=1))
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            with http.stream("POST", server.url + INVOKE, json=BODY, timeout=30) as r:
                for _ in r.iter_bytes():
                    pass
        except httpx.HTTPError as exc:
            errors.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    while not server.requests or not server.requests[0].write_times:
        time.sleep(0.01)
    started = time.perf_counter()
    server.close()
    reader.join(timeout=10)
    assert time.perf_counter() - started < 5  # generous: the stall was 60 s
    assert not reader.is_alive() and errors
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_demo_pacing_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert 0.02 <= demo_pacing_from_env() <= 0.05
    monkeypatch.setenv("MAS_DEMO_PACING", "0")
    assert demo_pacing_from_env() == 0.0


def test_demo_emulator_serves_the_supervisor(http: httpx.Client, demo_emulator: Emulator) -> None:
    response = http.post(
        demo_emulator.url + INVOKE,
        json={"input": [{"role": "user", "content": "What's our total revenue?"}], "stream": True},
        timeout=60,
    )
    lines = _data_lines(response.text)
    types = [json.loads(line[6:]).get("type") for line in lines[:-1]]
    assert "response.output_item.done" in types and lines[-1] == "data: [DONE]"
    metadata = http.get(f"{demo_emulator.url}/api/2.0/serving-endpoints/{DEFAULT_ENDPOINT_NAME}").json()
    assert metadata["name"] == DEFAULT_ENDPOINT_NAME


def test_python_m_mas_demo_serves_until_ctrl_c(http: httpx.Client, demo_emulator: Emulator) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mas.demo", "--pacing", "0", "--endpoint", "mas-cli-endpoint"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url and "mas-cli-endpoint" in first, first
        body = {"input": [{"role": "user", "content": "Revenue by region"}], "stream": True}
        answer = http.post(
            f"{url.group(0)}/serving-endpoints/mas-cli-endpoint/invocations", json=body, timeout=60
        )
        assert answer.text.endswith("data: [DONE]\n\n")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Stopped." in out


def test_emulator_process_serves_the_demo_in_a_child_and_stops_on_close(http: httpx.Client) -> None:
    with EmulatorProcess(pacing=0.0, endpoint_name="mas-child-endpoint") as child:
        body = {"input": [{"role": "user", "content": "Revenue by region"}], "stream": True}
        answer = http.post(
            f"{child.url}/serving-endpoints/mas-child-endpoint/invocations", json=body, timeout=60
        )
        assert answer.text.endswith("data: [DONE]\n\n") and "agent-revenue-genie" in answer.text
        assert child._process.pid != os.getpid() and child._process.poll() is None
    assert child._process.returncode == 0  # it stopped by itself once its stdin closed
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", child.port), timeout=2)


def test_for_parent_mode_prints_only_the_url_and_ends_with_its_stdin() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mas.demo", "--for-parent", "--pacing", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stdin is not None
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+\n", process.stdout.readline())
        process.stdin.close()  # what the parent's exit does, however it exits
        process.wait(timeout=30)
        out, err = process.stdout.read(), process.stderr.read() if process.stderr else ""
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out == ""


def test_emulator_process_that_cannot_start_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, printing nothing
    with pytest.raises(ConfigError, match="did not start"):
        EmulatorProcess(timeout=10)


def test_mounted_api_routes_answer_json_with_the_callers_fingerprint() -> None:
    from mas.demo.routes import ApiRequest, ApiResponse, error, route

    seen: list[ApiRequest] = []

    def space(request: ApiRequest) -> ApiResponse:
        seen.append(request)
        if request.groups[0] == "missing":
            return error(404, "RESOURCE_DOES_NOT_EXIST", "No such space.")
        return ApiResponse(200, {"space_id": request.groups[0], "title": "Revenue"})

    with Emulator(responder=ScriptedResponder(SCRIPT)) as emulator:
        emulator.add_routes([route("GET", r"/api/2\.0/genie/spaces/([^/]+)", space)])
        ok = httpx.get(f"{emulator.url}/api/2.0/genie/spaces/abc?x=1", headers={"Authorization": "Bearer t"})
        missing = httpx.get(f"{emulator.url}/api/2.0/genie/spaces/missing")
        other = httpx.get(f"{emulator.url}/api/2.0/genie/other")
    assert ok.status_code == 200 and ok.json() == {"space_id": "abc", "title": "Revenue"}
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert other.status_code == 404
    assert seen[0].query == {"x": "1"} and seen[0].identity == hashlib.sha256(b"Bearer t").hexdigest()
    assert "authorization" not in {k.lower() for k in seen[0].headers}
