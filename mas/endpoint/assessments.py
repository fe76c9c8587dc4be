"""Sending a vote to the answer's MLflow trace, as the identity configured for feedback.

`send_vote(connection, trace_id=…, vote=…)` POSTs a new `user_feedback` assessment or PATCHes the
one this vote already made, and returns the vote with its new state ("sent", or "failed" with a
sentence). By default the app's own identity posts it (users rarely may edit the Supervisor's
experiment; `MAS_FEEDBACK_AS=user` changes that); the HUMAN source names the user either way.
The request bodies are `mas.feedback`; choosing the identity for questions is `mas.endpoint.connection`.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError

from mas.endpoint.connection import Connection, app_workspace_client
from mas.errors import ConfigError
from mas.feedback import assessments_path, create_body, update_body
from mas.http_errors import feedback_error_message
from mas.settings import feedback_identity_from_env
from mas.transcript import Feedback

logger = logging.getLogger(__name__)

ANONYMOUS = "anonymous"


def feedback_client(connection: Connection) -> WorkspaceClient:
    """Whose token posts votes: the app's, unless configured to post as the signed-in user."""
    if connection.identity == "user" and feedback_identity_from_env() == "app":
        return app_workspace_client()
    return connection.workspace_client


def voter(connection: Connection) -> str:
    """The HUMAN source of a vote: the signed-in user's e-mail when the proxy forwarded one."""
    return connection.user_email or ANONYMOUS


def send_vote(connection: Connection, *, trace_id: str, vote: Feedback) -> Feedback:
    """The vote after sending it: "sent" with its assessment id, or "failed" saying why."""
    try:
        client = feedback_client(connection)
        if vote.assessment_id is None:
            answer: Any = client.api_client.do(
                "POST", assessments_path(trace_id), body=create_body(trace_id, vote, user=voter(connection))
            )
        else:
            answer = client.api_client.do(
                "PATCH", assessments_path(trace_id, vote.assessment_id), body=update_body(trace_id, vote)
            )
    except (DatabricksError, ConfigError, OSError, ValueError) as exc:
        logger.warning("[FEEDBACK] the vote on trace %s was not recorded: %s", trace_id, exc)
        return dataclasses.replace(vote, state="failed", error=feedback_error_message(exc))
    assessment = answer.get("assessment") if isinstance(answer, dict) else None
    found = assessment.get("assessment_id") if isinstance(assessment, dict) else None
    return dataclasses.replace(vote, state="sent", error=None, assessment_id=found or vote.assessment_id)
