"""Dashboard and Connection pages, page switching and the sidebar, in AppTest against the emulator."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import APP_SCRIPT as APP
from conftest import UI_TOKEN as TOKEN
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator


def page_text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "title", "error", "warning", "info", "success", "code")
    parts = [e.value for kind in kinds for e in getattr(at, kind)]
    parts += [m.value for m in at.metric] + [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def test_switching_pages_keeps_the_chat(app: AppTest) -> None:
    app.chat_input[0].set_value("What's our total revenue?").run()
    app.switch_page("pages/dashboard.py").run()
    assert not app.exception
    assert app.title[0].value == "Dashboard"
    assert "Nothing pinned yet" in app.info[0].value
    app.switch_page("pages/connection.py").run()
    assert app.title[0].value == "Connection"
    app.switch_page("pages/chat.py").run()
    assert len(app.chat_message) == 2 and len(app.chat_message[1].metric) == 1


def test_a_pinned_result_appears_on_the_dashboard_and_can_be_removed(app: AppTest) -> None:
    app.chat_input[0].set_value("Show me revenue trends").run()
    pin = next(b for b in app.button if b.label == "Pin to dashboard")
    pin.click().run()
    assert next(b for b in app.button if b.key == pin.key).label == "Pinned"

    app.switch_page("pages/dashboard.py").run()
    assert not app.exception
    assert "Show me revenue trends" in page_text(app)
    assert len(app.dataframe) == 1 and len(app.get("vega_lite_chart")) == 1
    assert "SELECT" in app.code[0].value.upper()
    next(b for b in app.button if b.label == "Remove").click().run()
    assert not app.exception
    assert "Nothing pinned yet" in app.info[0].value


def test_a_pinned_kpi_shows_its_card(app: AppTest) -> None:
    app.chat_input[0].set_value("What's our total revenue?").run()
    next(b for b in app.button if b.label == "Pin to dashboard").click().run()
    app.switch_page("pages/dashboard.py").run()
    assert len(app.metric) == 1 and app.metric[0].value.startswith("$")


def test_the_connection_page_shows_endpoint_identity_and_checks_but_never_the_token(app: AppTest) -> None:
    app.switch_page("pages/connection.py").run()
    assert not app.exception
    text = page_text(app)
    assert "mas-3d3b5439-endpoint" in text
    assert "service principal" in text  # no forwarded user token: the app's own identity
    assert "Found the serving endpoint" in text
    assert TOKEN not in text
    next(b for b in app.button if b.label == "Check again").click().run()
    assert not app.exception and "Found the serving endpoint" in page_text(app)


def test_the_connection_page_reports_a_missing_endpoint_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, demo_workspace: Emulator
) -> None:
    monkeypatch.setenv("MAS_ENDPOINT_NAME", "no-such-endpoint")
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/connection.py").run()
    assert not at.exception
    [failed] = [e.value for e in at.error]
    assert "no-such-endpoint" in failed and "Fix:" in failed


def test_the_demo_shows_its_badge_and_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAS_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "embedded demo" in sidebar
    assert any("Demo data" in m.value for m in at.sidebar.markdown)  # st.badge is a Markdown directive


def test_a_configuration_error_is_shown_instead_of_a_stack_trace(
    monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", demo_emulator.url)
    monkeypatch.setenv("MAS_AUTH", "user")  # and no forwarded token reaches AppTest
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("X-Forwarded-Access-Token" in e.value for e in at.error)
    assert at.chat_input[0].disabled


def test_only_checks_that_failed_or_warn_call_their_hint_a_fix() -> None:
    def page() -> None:
        from mas.endpoint.preflight import Check
        from ui.connection_view import _check

        _check(Check("workspace", "info", "The embedded demo.", fix="Set DATABRICKS_HOST to use yours."))
        _check(Check("endpoint", "fail", "No endpoint 'x'.", fix="Check MAS_ENDPOINT_NAME."))

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert "Set DATABRICKS\\_HOST to use yours." in at.info[0].value and "Fix:" not in at.info[0].value
    assert "**Fix:** Check MAS\\_ENDPOINT\\_NAME." in at.error[0].value


def test_users_see_no_traceback_for_an_unexpected_error() -> None:
    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"

    def page() -> None:
        raise RuntimeError("secret path /home/app/internal.py")

    at = AppTest.from_function(page).run()
    [shown] = at.exception
    assert "secret path" not in shown.value and not shown.stack_trace
