"""A user's vote on an answer as an MLflow 3 assessment on the answer's trace: the request bodies.

The vote becomes the `user_feedback` assessment (boolean value, HUMAN source naming the user) that
Databricks' own chat template writes with `POST /api/3.0/mlflow/traces/{trace_id}/assessments`, and
a changed vote is a `PATCH …/assessments/{id}` with an `update_mask` (shared/notes/wave2-platform.md
§2.1, app-templates `server/src/routes/feedback.ts`). Sending them is `mas.endpoint.assessments`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mas.transcript import Feedback

ASSESSMENT_NAME = "user_feedback"
REASONS = ("Wrong number", "Wrong table", "Wrong chart", "Too slow", "Other")
"""Why an answer was rated down; stored as `metadata.reason`."""
_UPDATED = "feedback,rationale,metadata"


def assessments_path(trace_id: str, assessment_id: str | None = None) -> str:
    path = f"/api/3.0/mlflow/traces/{quote(trace_id, safe='')}/assessments"
    return path if assessment_id is None else f"{path}/{quote(assessment_id, safe='')}"


def _assessment(trace_id: str, vote: Feedback) -> dict[str, Any]:
    body: dict[str, Any] = {
        "trace_id": trace_id,
        "assessment_name": ASSESSMENT_NAME,
        "feedback": {"value": vote.rating == "up"},
    }
    if vote.comment:
        body["rationale"] = vote.comment
    if vote.reason:
        body["metadata"] = {"reason": vote.reason}  # metadata values are strings (map<string,string>)
    return body


def create_body(trace_id: str, vote: Feedback, *, user: str) -> dict[str, Any]:
    """The body of the first vote: who voted is the HUMAN source, whoever's token posts it."""
    assessment = _assessment(trace_id, vote)
    assessment["source"] = {"source_type": "HUMAN", "source_id": user}
    return {"assessment": assessment}


def update_body(trace_id: str, vote: Feedback) -> dict[str, Any]:
    """The body that changes an earlier vote (value, comment and reason)."""
    assessment = _assessment(trace_id, vote)
    assessment.setdefault("rationale", "")
    assessment.setdefault("metadata", {})
    return {"assessment": assessment, "update_mask": _UPDATED}
