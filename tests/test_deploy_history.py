"""Deploying with history: where `streamlit run` listens, and the optional Lakebase bundle target.

The app trusts the proxy's X-Forwarded-Email, so a local run must not be reachable from the network
(`.streamlit/config.toml` sets `server.address = "127.0.0.1"`); Databricks Apps sets
STREAMLIT_SERVER_ADDRESS=0.0.0.0 and STREAMLIT_SERVER_PORT, which take precedence over the file.
The listening sockets are read from /proc/net/tcp, so nothing outside 127.0.0.1 is contacted.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml
from databricks.sdk.service import apps

ROOT = Path(__file__).resolve().parent.parent
LISTEN = "0A"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> set[str]:
    """The local addresses (dotted IPv4) with a socket listening on `port`."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, hex_port = fields[1].split(":")
        if fields[3] == LISTEN and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def _start(tmp_path: Path, extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "DATABRICKS_"))}
    env.update(
        MAS_DEMO="1",
        MAS_HISTORY_DB="none",
        MAS_DEMO_DATA_DIR=str(tmp_path / "demo"),
        STREAMLIT_SERVER_PORT=str(port),
        **extra,
    )
    command = yaml.safe_load((ROOT / "app.yaml").read_text())["command"]
    log = tmp_path / f"streamlit-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", *command], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok":
                return process, port, log
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(log.read_text(errors="replace"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_the_config_file_serves_only_this_machine() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert "port" not in config["server"]


@pytest.mark.parametrize(
    ("extra", "expected"), [({}, {"127.0.0.1"}), ({"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}, {"0.0.0.0"})]
)
def test_app_yaml_command_listens_where_expected(
    tmp_path: Path, extra: dict[str, str], expected: set[str]
) -> None:
    process, port, _ = _start(tmp_path, extra)
    try:
        assert _listening(port) == expected
    finally:
        _stop(process)


def test_optional_lakebase_target_grants_connect_and_create() -> None:
    bundle = yaml.safe_load((ROOT / "databricks.yml").read_text())
    target = bundle["targets"]["dev_lakebase"]
    (resource,) = target["resources"]["apps"]["mas_chat"]["resources"]
    spec = resource["database"]
    assert spec["permission"] == apps.AppResourceDatabaseDatabasePermission.CAN_CONNECT_AND_CREATE.value
    assert set(spec) <= {f.name for f in dataclasses.fields(apps.AppResourceDatabase)}
    assert spec["instance_name"] == "${var.lakebase_instance}"
    assert all(r.get("name") != "database" for r in bundle["resources"]["apps"]["mas_chat"]["resources"])
