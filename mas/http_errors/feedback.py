"""The words for a vote that did not reach the answer's MLflow trace (`mas.endpoint.assessments`).

Part of `mas.http_errors`, the one place for error wording. It words the failure only: sending
the vote, and keeping it locally, are the caller's.
"""

from __future__ import annotations


def feedback_error_message(exc: Exception) -> str:
    """Why a vote did not reach the answer's MLflow trace, for the person who cast it."""
    raw = " ".join(str(exc).split())
    text = (raw if len(raw) <= 600 else raw[:599] + "…") or type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status == 403 or "PERMISSION_DENIED" in text:
        return (
            "Your vote is saved here but could not be sent: the app may not edit the agent's MLflow "
            f"experiment (grant its service principal CAN_EDIT on it). Details: {text}"
        )
    return f"Your vote is saved here but could not be sent to the agent's MLflow trace: {text}"
