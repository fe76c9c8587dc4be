"""HTTP error bodies of every shape become one readable, actionable error event."""

from __future__ import annotations

import os

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mas.error_body import MAX_UPSTREAM_CHARS, UpstreamError, parse_error_body
from mas.http_errors import error_event_for_status, network_error_event

NAME = "mas-3d3b5439-endpoint"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('{"error_code":"PERMISSION_DENIED","message":"no"}', "application/json",
         UpstreamError(error_code="PERMISSION_DENIED", message="no")),
        ('{"error_code":"X","message":"m","details":[{"@type":"t"}]}', None, UpstreamError("X", "m")),
        ('{"error": "legacy failure"}', "application/json", UpstreamError(message="legacy failure")),
        ('{"error": {"code": "rate_limit", "message": "slow"}}', None, UpstreamError("rate_limit", "slow")),
        ('{"detail": "scim says no", "status": "403"}', None, UpstreamError(message="scim says no")),
        ("INVALID_PARAMETER_VALUE: bad thing", "text/plain",
         UpstreamError(error_code="INVALID_PARAMETER_VALUE", message="bad thing")),
        ("something broke", "text/plain", UpstreamError(message="something broke")),
        ("", None, UpstreamError()),
        ("<html><head><title>504 Gateway Time-out</title></head><body>x</body></html>", "text/html",
         UpstreamError(message="504 Gateway Time-out", is_html=True)),
        ("<html><body><pre>java.lang.Error: &lt;bad&gt;</pre></body></html>", None,
         UpstreamError(message="java.lang.Error: <bad>", is_html=True)),
        ("<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>", "text/plain",
         UpstreamError(message="Sign in", is_html=True)),
        ("<html></html>", "text/html", UpstreamError(is_html=True)),
        ('["not", "an", "object"]', "application/json", UpstreamError(message='["not", "an", "object"]')),
    ],
)  # fmt: skip
def test_parse_error_body_shapes(body: str, content_type: str | None, expected: UpstreamError) -> None:
    assert parse_error_body(body.encode(), content_type) == expected


def test_long_messages_are_clipped() -> None:
    parsed = parse_error_body('{"error_code": "X", "message": "%s"}' % ("a" * 5000))
    assert parsed.message is not None and len(parsed.message) == MAX_UPSTREAM_CHARS


def test_invalid_utf8_does_not_raise() -> None:
    assert parse_error_body(b"\xff\xfe oops").message is not None


def _event(
    status: int, body: str = "", content_type: str | None = "application/json", attempts: int = 1
) -> str:
    event = error_event_for_status(
        status=status, body=body, content_type=content_type, endpoint_name=NAME, attempts=attempts
    )
    assert event.status == status
    return event.message


def test_401_says_sign_in_again() -> None:
    message = _event(401, '{"error_code":"UNAUTHENTICATED","message":"Token expired"}')
    assert "credentials" in message and "Sign in again" in message and "Token expired" in message


def test_403_names_can_query_and_sub_agents_and_keeps_upstream() -> None:
    message = _event(
        403, '{"error_code":"PERMISSION_DENIED","message":"PERMISSION_DENIED: no access to space"}'
    )
    assert "CAN_QUERY" in message and "sub-agents" in message and NAME in message
    assert (
        message.count("PERMISSION_DENIED") == 1
    )  # not repeated when the message already starts with the code
    assert "no access to space" in message


def test_404_names_the_endpoint_and_the_setting() -> None:
    message = _event(404, '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"gone"}')
    assert f"'{NAME}'" in message and "MAS_ENDPOINT_NAME" in message


def test_429_mentions_attempts() -> None:
    assert "after 3 attempts" in _event(429, attempts=3)
    assert "attempts" not in _event(429, attempts=1)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_an_upstream_failure_with_the_status(status: int) -> None:
    message = _event(status, "")
    assert f"HTTP {status}" in message and "serving side" in message


def test_html_page_quotes_its_title() -> None:
    message = _event(502, "<html><title>502 Bad Gateway</title></html>", "text/html")
    assert "error page" in message and "502 Bad Gateway" in message


def test_codes_fall_back_to_the_status() -> None:
    event = error_event_for_status(status=502, body="", content_type=None, endpoint_name=NAME)
    assert event.code == "http_502"
    event = error_event_for_status(
        status=403,
        body='{"error_code":"PERMISSION_DENIED","message":"x"}',
        content_type=None,
        endpoint_name=NAME,
    )
    assert event.code == "PERMISSION_DENIED"


@settings(max_examples=int(os.environ.get("MAS_HYPOTHESIS_EXAMPLES", "100")), deadline=None)
@given(
    status=st.integers(min_value=100, max_value=599), body=st.binary(max_size=300), ct=st.text(max_size=30)
)
def test_never_raises(status: int, body: bytes, ct: str) -> None:
    event = error_event_for_status(status=status, body=body, content_type=ct, endpoint_name=NAME)
    assert event.message and event.code


def test_a_network_failure_names_no_exception_class() -> None:
    exc = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    for started in (True, False):
        event = network_error_event(
            exc,
            host="https://example.cloud.databricks.com",
            started=started,
            connect_timeout=10,
            read_timeout=300,
        )
        assert "RemoteProtocolError" not in event.message
        assert "peer closed" not in event.message
        assert event.code == "network"
