"""mas.settings: every variable validated in one place, and a bad one is one sentence on every surface.

The four bad values below each reach the chat page (AppTest), the API (a real uvicorn) and the
CLI as the same sentence naming the variable and what it accepts, never as a traceback.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import APP_SCRIPT
from streamlit.testing.v1 import AppTest
from test_api import _Server, body

from mas import cli
from mas.errors import ConfigError
from mas.settings import Settings, Timeouts, settings

BAD = [
    ("MAS_READ_TIMEOUT", "abc", "MAS_READ_TIMEOUT must be a number of seconds greater than 0 (got 'abc')."),
    ("MAS_SSE_KEEPALIVE", "-1", "MAS_SSE_KEEPALIVE must be a number of seconds greater than 0 (got '-1')."),
    ("MAS_AUTH", "bogus", "MAS_AUTH must be one of user, app or auto (got 'bogus')."),
    ("MAS_DEMO_PACING", "fast", "MAS_DEMO_PACING must be a number of seconds, 0 or more (got 'fast')."),
    ("MAS_DEMO_TODAY", "Dec 1", "MAS_DEMO_TODAY must be an ISO date such as 2026-12-01 (got 'Dec 1')."),
]
IDS = [name for name, _, _ in BAD]


def test_defaults_without_any_variable() -> None:
    current = settings()
    assert (current.auth, current.demo) == ("auto", False)
    assert (current.read_timeout, current.sse_keepalive) == (300.0, 15.0)
    assert current.demo_data_dir is None and current.declared_scopes is None


def test_values_are_read_afresh_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_READ_TIMEOUT", "7.5")
    monkeypatch.setenv("MAS_CONNECT_TIMEOUT", " 2 ")
    assert Timeouts.from_env() == Timeouts(connect=2.0, read=7.5)
    monkeypatch.setenv("MAS_READ_TIMEOUT", "9")
    assert settings().read_timeout == 9.0
    monkeypatch.setenv("MAS_READ_TIMEOUT", "")  # empty is unset
    assert settings().read_timeout == 300.0


@pytest.mark.parametrize(
    ("raw", "demo"), [("1", True), ("yes", True), ("true", True), ("0", False), ("no", False)]
)
def test_demo_switch(monkeypatch: pytest.MonkeyPatch, raw: str, demo: bool) -> None:
    monkeypatch.setenv("MAS_DEMO", raw)
    assert settings().demo is demo


def test_scopes_split_on_spaces_and_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_USER_API_SCOPES", "serving.serving-endpoints, sql  dashboards.genie")
    assert settings().declared_scopes == {"serving.serving-endpoints", "sql", "dashboards.genie"}


def test_every_field_says_what_it_accepts() -> None:
    for name, field in Settings.model_fields.items():
        assert field.validation_alias, name
        assert field.description, name


@pytest.mark.parametrize(("name", "value", "sentence"), BAD, ids=IDS)
def test_a_bad_value_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, sentence: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        settings()
    assert str(caught.value) == sentence


def test_a_bad_boolean_names_the_accepted_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_DEMO", "maybe")
    with pytest.raises(ConfigError, match=r"^MAS_DEMO must be one of 1, true, yes, on .* \(got 'maybe'\)\.$"):
        settings()


@pytest.mark.parametrize(("name", "value", "sentence"), BAD, ids=IDS)
def test_the_cli_prints_the_sentence_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, sentence: str
) -> None:
    monkeypatch.setenv(name, value)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["ask", "What's our total revenue?"], stdout=out, stderr=err) == cli.EXIT_USAGE
    assert err.getvalue() == f"Error: {sentence}\n"
    assert out.getvalue() == ""


@pytest.fixture(scope="module")
def api_reading_env() -> Iterator[str]:
    with _Server(keepalive=None) as url:  # MAS_SSE_KEEPALIVE read per request
        yield url


@pytest.mark.parametrize(("name", "value", "sentence"), BAD, ids=IDS)
def test_the_api_answers_503_json_with_the_sentence(
    monkeypatch: pytest.MonkeyPatch, api_reading_env: str, name: str, value: str, sentence: str
) -> None:
    monkeypatch.setenv(name, value)
    response = httpx.post(api_reading_env, json=body(), timeout=30)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["error"] == sentence
    assert "Traceback" not in response.text and "configuration" in answer["detail"]


@pytest.mark.parametrize(("name", "value", "sentence"), BAD, ids=IDS)
def test_the_chat_page_shows_the_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, sentence: str
) -> None:
    monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP_SCRIPT, default_timeout=30).run()
    assert not at.exception
    assert sentence in [e.value for e in at.error]
    assert at.chat_input[0].disabled
