"""The direct-Genie deploy variant: app.yaml's commented Genie entries, once uncommented, fit the bundle.

The entries stay commented so the default target (no Genie space resource) deploys as before;
this checks that turning them on gives `valueFrom: genie-space` a CAN_RUN resource in the
`dev_genie` target and settings the backend accepts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from databricks.sdk.service import apps
from test_deploy import merged_resources

from mas.settings import backend_from_env, genie_space_id_from_env

ROOT = Path(__file__).resolve().parent.parent


def genie_variant() -> dict[str, Any]:
    """app.yaml with its commented `# - name: …` / `#   value…:` lines turned on."""
    text = (ROOT / "app.yaml").read_text(encoding="utf-8")
    enabled = re.sub(r"^  # (- name: |  value(?:From)?: )", r"  \1", text, flags=re.MULTILINE)
    return yaml.safe_load(enabled)  # type: ignore[no-any-return]


def test_the_genie_variant_feeds_the_space_id_from_a_can_run_resource(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {e["name"]: e for e in genie_variant()["env"]}
    assert env["MAS_BACKEND"] == {"name": "MAS_BACKEND", "value": "genie"}
    assert env["GENIE_SPACE_ID"] == {"name": "GENIE_SPACE_ID", "valueFrom": "genie-space"}
    bundle = yaml.safe_load((ROOT / "databricks.yml").read_text(encoding="utf-8"))
    (genie,) = [r for r in merged_resources(bundle, "dev_genie") if r["name"] == "genie-space"]
    assert genie["genie_space"]["permission"] == apps.AppResourceGenieSpaceGenieSpacePermission.CAN_RUN.value
    wanted = {e["valueFrom"] for e in env.values() if "valueFrom" in e}
    assert wanted <= {r["name"] for r in merged_resources(bundle, "dev_genie")}
    monkeypatch.setenv("MAS_BACKEND", env["MAS_BACKEND"]["value"])
    monkeypatch.setenv("GENIE_SPACE_ID", "01ef1fa2b3c456789abcdef012345678")  # what valueFrom resolves to
    assert backend_from_env() == "genie" and genie_space_id_from_env() == "01ef1fa2b3c456789abcdef012345678"
