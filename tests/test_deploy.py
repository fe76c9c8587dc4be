"""The deploy files against what Databricks Apps requires, and the app.yaml command run for real.

No workspace is reachable, so the bundle is checked structurally: keys against the installed SDK's
`App`/`AppResource` schema, `valueFrom` against declared resource names, scopes, variables. Then
the app.yaml command is started the way the platform starts it (STREAMLIT_SERVER_PORT set) with
the emulator as the workspace, and must serve the UI and the SSE API on that one port.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import streamlit
import yaml
from databricks.sdk.service import apps
from streamlit.web.server.app_discovery import discover_asgi_app
from support.emulator import Emulator, fingerprint

from mas.settings import DEFAULT_ENDPOINT_NAME

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$")  # Apps: lowercase letters, digits, hyphens
VAR_REF = re.compile(r"\$\{var\.([a-z_][a-z0-9_]*)\}")
REQUIRED_SCOPES = {"serving.serving-endpoints", "dashboards.genie", "sql"}
# Set by the platform for Streamlit apps; app.yaml must not fight them (shared/notes §4).
PLATFORM_OWNED = {
    "STREAMLIT_SERVER_PORT",
    "STREAMLIT_SERVER_ADDRESS",
    "DATABRICKS_APP_PORT",
    "DATABRICKS_HOST",
}


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app_yaml() -> dict[str, Any]:
    return load("app.yaml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return load("databricks.yml")  # type: ignore[no-any-return]


def app_of(bundle: dict[str, Any]) -> dict[str, Any]:
    (app,) = bundle["resources"]["apps"].values()
    return app  # type: ignore[no-any-return]


def merged_resources(bundle: dict[str, Any], target: str) -> list[dict[str, Any]]:
    """The app's resources for a target: bundle targets merge sequences by appending
    (databricks/cli libs/dyn/merge `mergeSequence`)."""
    base = list(app_of(bundle)["resources"])
    override = (bundle["targets"][target] or {}).get("resources", {}).get("apps", {})
    for app in override.values():
        base += app.get("resources", [])
    return base


def env_of(app_yaml: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {entry["name"]: entry for entry in app_yaml["env"]}


def test_app_yaml_runs_streamlit_on_the_entry_script(app_yaml: dict[str, Any]) -> None:
    assert app_yaml["command"] == ["streamlit", "run", "streamlit_app.py"]
    assert (ROOT / "streamlit_app.py").is_file()
    assert set(app_yaml) <= {"command", "env"}


def test_app_yaml_env_entries(app_yaml: dict[str, Any]) -> None:
    env = env_of(app_yaml)
    assert len(env) == len(app_yaml["env"]), "duplicate env names"
    for name, entry in env.items():
        assert set(entry) in ({"name", "value"}, {"name", "valueFrom"}), entry
        assert isinstance(entry.get("value", entry.get("valueFrom")), str), f"{name}: values must be strings"
        assert name not in PLATFORM_OWNED
    assert env["MAS_ENDPOINT_NAME"] == {"name": "MAS_ENDPOINT_NAME", "valueFrom": "serving-endpoint"}
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"]["value"] == "false"
    assert env["MAS_AUTH"]["value"] in ("auto", "user", "app")


def test_value_from_names_a_declared_resource_in_every_target(
    app_yaml: dict[str, Any], bundle: dict[str, Any]
) -> None:
    wanted = {e["valueFrom"] for e in app_yaml["env"] if "valueFrom" in e}
    for target in bundle["targets"]:
        names = [r["name"] for r in merged_resources(bundle, target)]
        assert len(names) == len(set(names)), f"{target}: duplicate resource names"
        assert wanted <= set(names), f"{target}: {wanted - set(names)} not declared"


def test_bundle_app_matches_the_apps_api_schema(bundle: dict[str, Any]) -> None:
    assert bundle["bundle"]["name"] == "mas-chat"
    app = app_of(bundle)
    app_fields = {f.name for f in dataclasses.fields(apps.App)}
    assert set(app) <= app_fields | {"config", "permissions"}, set(app) - app_fields
    assert APP_NAME.match(app["name"]) and app["description"]
    assert (ROOT / app["source_code_path"] / "app.yaml").resolve() == ROOT / "app.yaml"
    resource_fields = {f.name for f in dataclasses.fields(apps.AppResource)}
    for target in bundle["targets"]:
        for resource in merged_resources(bundle, target):
            assert set(resource) <= resource_fields, resource
            kinds = set(resource) - {"name", "description"}
            assert len(kinds) == 1, f"{resource['name']}: exactly one resource kind"


def test_serving_endpoint_resource_grants_can_query(bundle: dict[str, Any]) -> None:
    (endpoint,) = [r for r in app_of(bundle)["resources"] if r["name"] == "serving-endpoint"]
    spec = endpoint["serving_endpoint"]
    assert spec["permission"] == apps.AppResourceServingEndpointServingEndpointPermission.CAN_QUERY.value
    assert spec["name"] == "${var.mas_endpoint_name}"
    assert bundle["variables"]["mas_endpoint_name"]["default"] == DEFAULT_ENDPOINT_NAME


def test_optional_genie_space_grants_can_run(bundle: dict[str, Any]) -> None:
    assert "genie-space" not in [r["name"] for r in merged_resources(bundle, "dev")]
    (genie,) = [r for r in merged_resources(bundle, "dev_genie") if r["name"] == "genie-space"]
    assert genie["genie_space"]["permission"] == apps.AppResourceGenieSpaceGenieSpacePermission.CAN_RUN.value
    assert genie["genie_space"]["space_id"] == "${var.genie_space_id}"


def test_user_api_scopes_for_acting_as_the_user(app_yaml: dict[str, Any], bundle: dict[str, Any]) -> None:
    scopes = app_of(bundle)["user_api_scopes"]
    assert set(scopes) >= REQUIRED_SCOPES
    declared = env_of(app_yaml)["MAS_USER_API_SCOPES"]["value"].split()
    assert sorted(declared) == sorted(scopes), "app.yaml MAS_USER_API_SCOPES must equal user_api_scopes"


def test_every_variable_used_is_declared_and_targets_are_sane(bundle: dict[str, Any]) -> None:
    used = set(VAR_REF.findall((ROOT / "databricks.yml").read_text(encoding="utf-8")))
    assert used <= set(bundle["variables"]), used - set(bundle["variables"])
    assert all("description" in v for v in bundle["variables"].values())
    defaults = [name for name, target in bundle["targets"].items() if target.get("default")]
    assert defaults == ["dev"]


def test_requirements_pin_what_the_apps_runtime_must_install() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert pins["streamlit"].startswith("1.67."), "the Apps runtime preinstalls an old Streamlit"
    assert pins["streamlit"] == streamlit.__version__
    assert "databricks-sdk" in pins


def test_streamlit_run_finds_the_asgi_app() -> None:
    found = discover_asgi_app(ROOT / "streamlit_app.py")
    assert found.is_asgi_app and found.import_string == "streamlit_app:app"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def deployed(
    app_yaml: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Emulator]]:
    """app.yaml's command, started as Databricks Apps would, with the emulator as the workspace."""
    with Emulator(endpoint_name="deployed-endpoint") as emulator:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "MAS_", "STREAMLIT_"))}
        env.update({e["name"]: e["value"] for e in app_yaml["env"] if "value" in e})
        env.update(
            MAS_ENDPOINT_NAME="deployed-endpoint",  # what valueFrom: serving-endpoint resolves to
            DATABRICKS_HOST=emulator.url,
            DATABRICKS_CLIENT_ID="app-sp-client-id",  # the app's service principal, as injected
            DATABRICKS_CLIENT_SECRET="app-sp-secret",
            DATABRICKS_APP_PORT=str(port),
            STREAMLIT_SERVER_PORT=str(port),  # the platform sets it from DATABRICKS_APP_PORT
            STREAMLIT_SERVER_ADDRESS="127.0.0.1",
            STREAMLIT_SERVER_HEADLESS="true",
        )
        log = tmp_path_factory.mktemp("deployed") / "streamlit.log"
        with log.open("wb") as sink:  # a file, not a pipe nobody reads: a full pipe would stall the app
            command = [sys.executable, "-m", *app_yaml["command"]]
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            yield _wait_healthy(f"http://127.0.0.1:{port}", process, log), emulator
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                return base
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"streamlit did not become healthy:\n{log.read_text(errors='replace')}")


def test_deployed_command_serves_ui_and_api_on_one_port(deployed: tuple[str, Emulator]) -> None:
    base, emulator = deployed
    assert "<!doctype html>" in httpx.get(base, timeout=10).text.lower()
    question = {"messages": [{"role": "user", "content": "What's our total revenue?"}]}
    headers = {"X-Forwarded-Access-Token": "signed-in-user-token", "X-Forwarded-Email": "ana@example.com"}
    with httpx.stream(
        "POST", f"{base}/api/chat/stream", json=question, headers=headers, timeout=60
    ) as response:
        assert response.status_code == 200
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line[6:]) for line in lines[:-1]]
    assert any(e["type"] == "tool.call" for e in events) and any(e["type"] == "text.delta" for e in events)
    (invocation,) = emulator.invocations()
    assert invocation.auth_fingerprint == fingerprint("Bearer signed-in-user-token")
    assert httpx.get(f"{base}/api/chat/stream", timeout=10).status_code == 405


def test_deployed_app_identity_failure_is_a_clear_json_error(deployed: tuple[str, Emulator]) -> None:
    # No forwarded token: the app acts as its service principal, whose OAuth M2M sign-in the
    # emulator cannot serve. The answer must say so in plain JSON, not hang or crash.
    base, _ = deployed
    question = {"messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{base}/api/chat/stream", json=question, timeout=60)
    assert response.status_code == 500
    assert "credentials" in response.json()["error"] and "app-sp-secret" not in response.text
