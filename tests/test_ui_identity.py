"""Who the app asks as, per browser session: forwarded user tokens, the sidebar, expired sign-ins.

AppTest cannot send request headers, so `ui.session.request_headers` stands in for the Databricks
Apps proxy. The emulator records a fingerprint of each request's Authorization header, never the
token itself, so each session can be shown to reach the endpoint with its own token only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.emulator import Emulator, Fault, fingerprint

from ui import session

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def user_app(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, *, email: str, token: str) -> AppTest:
    monkeypatch.setenv("DATABRICKS_HOST", emulator.url)
    monkeypatch.setattr(session, "request_headers", lambda: {
        "X-Forwarded-Email": email, "X-Forwarded-Access-Token": token})
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def test_the_sidebar_names_the_signed_in_user_and_the_identity(
    monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator
) -> None:
    at = user_app(monkeypatch, demo_emulator, email="ana@example.com", token="tok-ana-1")
    sidebar = "\n".join(m.value for m in at.sidebar.markdown) + "\n".join(c.value for c in at.sidebar.caption)
    assert "ana@example\\.com" in sidebar or "ana@example.com" in sidebar
    assert "Asking as you" in sidebar
    assert "tok-ana-1" not in sidebar


def test_two_sessions_reach_the_endpoint_with_their_own_tokens(
    monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator
) -> None:
    ana = user_app(monkeypatch, demo_emulator, email="ana@example.com", token="tok-ana-2")
    ben = user_app(monkeypatch, demo_emulator, email="ben@example.com", token="tok-ben-2")
    before = len(demo_emulator.invocations())
    ana.chat_input[0].set_value("What's our total revenue?").run()
    ben.chat_input[0].set_value("Show me revenue trends").run()
    ana.chat_input[0].set_value("Which region brings in the most revenue?").run()
    seen = [r.auth_fingerprint for r in demo_emulator.invocations()[before:]]
    ana_sent, ben_sent = fingerprint("Bearer tok-ana-2"), fingerprint("Bearer tok-ben-2")
    assert seen == [ana_sent, ben_sent, ana_sent]
    for at, token in ((ana, "tok-ana-2"), (ben, "tok-ben-2")):
        shown = "\n".join(m.value for m in at.markdown) + "\n".join(e.value for e in at.error)
        assert token not in shown and "tok-" not in str(list(at.session_state["turns"]))


def test_an_expired_user_token_asks_to_reload_the_page(
    monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator
) -> None:
    at = user_app(monkeypatch, demo_emulator, email="ana@example.com", token="tok-expired")
    demo_emulator.inject(Fault(status=401, error_code="UNAUTHENTICATED", message="Token expired"))
    at.chat_input[0].set_value("What's our total revenue?").run()
    assert not at.exception
    [error] = at.chat_message[1].error
    assert "Reload the page" in error.value
    assert "tok-expired" not in error.value


def test_a_failing_endpoint_check_shows_a_banner_on_the_chat(
    monkeypatch: pytest.MonkeyPatch, demo_emulator: Emulator
) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", demo_emulator.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "tok-app")
    monkeypatch.setenv("MAS_ENDPOINT_NAME", "no-such-endpoint")
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.session_state["preflight"].result(timeout=20)  # the check ran in the background meanwhile
    at.run()
    assert not at.exception
    [banner] = at.warning
    assert "Endpoint check failed" in banner.value and "no-such-endpoint" in banner.value
    assert at.chat_input[0].disabled is False  # the chat is not blocked by the check
