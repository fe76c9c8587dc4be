"""The Connection page's content: where questions go, as whom, and the endpoint check with its fixes.

It shows the endpoint, the workspace host (or the demo), the identity in use and the signed-in
e-mail; never a token. The check itself is `mas.endpoint.preflight`, run in the background by `ui.session`.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

import streamlit as st

from ui.sidebar import IDENTITY_LABELS
from ui.text import literal

if TYPE_CHECKING:
    from mas.endpoint.connection import Connection
    from mas.endpoint.preflight import Check, PreflightReport

WAIT_SECONDS = 15.0
_ICONS = {"ok": ":material/check_circle:", "info": ":material/info:", "warn": ":material/warning:",
          "fail": ":material/error:"}
_IDENTITY_DETAIL = {
    "user": "Every question goes out with your own Databricks token (on-behalf-of), so you see "
            "exactly the data your permissions allow.",
    "app": "Questions go out with the app's own credentials: everyone sees what the app may see.",
    "demo": "No workspace is configured, so a local supervisor answers from built-in revenue data.",
}


def summary(conn: Connection) -> None:
    left, right = st.columns(2)
    with left:
        if conn.genie is not None:
            st.markdown(f"**Genie space**  \n`{conn.genie.space_id}`")
        else:
            st.markdown(f"**Endpoint**  \n`{conn.endpoint_name}`")
        where = "the embedded demo (local emulator)" if conn.identity == "demo" else literal(conn.host)
        st.markdown(f"**Workspace**  \n{where}")
    with right:
        st.markdown(f"**Identity**  \n{IDENTITY_LABELS[conn.identity]}")
        st.markdown(f"**Signed-in user**  \n{literal(conn.user_email) if conn.user_email else '—'}")
    st.caption(_IDENTITY_DETAIL[conn.identity])


def preflight(future: Future[PreflightReport] | None) -> None:
    """The check's findings, each failing one with its fix; waits for a running check with a spinner."""
    if future is None:
        return
    try:
        with st.spinner("Looking the endpoint up…"):
            report = future.result(timeout=WAIT_SECONDS)
    except FutureTimeout:
        st.info("The check is still running. Press **Check again** in a moment.", icon=":material/schedule:")
        return
    verdict = {"ok": "Ready to answer.", "info": "Ready to answer.", "warn": "Usable, with a warning below.",
               "fail": "Not usable yet: see the fixes below."}[report.worst]
    st.markdown(f"{_ICONS[report.worst]} **{verdict}**")
    for check in report.checks:
        _check(check)


def _check(check: Check) -> None:
    text = f"**{literal(check.name.capitalize())}.** {literal(check.message)}"
    if check.fix:
        # "Fix" only where something is wrong; the demo's hint on using a workspace is no fix.
        label = "**Fix:** " if check.status in ("fail", "warn") else ""
        text += f"  \n{label}{literal(check.fix)}"
    if check.status == "fail":
        st.error(text, icon=_ICONS["fail"])
    elif check.status == "warn":
        st.warning(text, icon=_ICONS["warn"])
    elif check.status == "info":
        st.info(text, icon=_ICONS["info"])
    else:
        st.success(text, icon=_ICONS["ok"])
