"""The demo workspace's MLflow trace assessments: what a thumbs up/down posts to, recorded.

`DemoWorkspace().routes()` answers MLflow 3's assessments on a trace: create
(`POST /api/3.0/mlflow/traces/{trace_id}/assessments`), update (`PATCH …/{assessment_id}` with
`update_mask`) and get. Each stored assessment keeps the fingerprint of whoever posted it, so
tests can check which identity sent a vote. The Genie space lookup is the Genie API's
(`mas.demo.genie_api`); serving itself is `mas.demo.handler`.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from mas.demo.routes import ApiRequest, ApiResponse, Route, error, route

_SOURCE_TYPES = frozenset({"HUMAN", "LLM_JUDGE", "CODE"})
_UPDATABLE = frozenset({"feedback", "rationale", "metadata", "valid"})


@dataclass
class StoredAssessment:
    body: dict[str, Any]
    posted_by: str | None
    """sha256 fingerprint of the Authorization header of the last write."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class DemoWorkspace:
    """The state behind the routes: assessments by (trace id, assessment id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.assessments: dict[tuple[str, str], StoredAssessment] = {}

    def routes(self) -> list[Route]:
        traces = r"/api/3\.0/mlflow/traces/([^/]+)/assessments"
        return [
            route("POST", traces, self._create),
            route("PATCH", traces + r"/([^/]+)", self._update),
            route("GET", traces + r"/([^/]+)", self._get),
        ]

    def _create(self, request: ApiRequest) -> ApiResponse:
        (trace_id,) = request.groups
        assessment = request.body.get("assessment") if isinstance(request.body, dict) else None
        problem = _invalid(assessment, trace_id=trace_id)
        if problem is not None:
            return error(400, "INVALID_PARAMETER_VALUE", problem)
        assert isinstance(assessment, dict)  # checked by _invalid
        stamp = _now()
        stored = {**assessment, "trace_id": trace_id, "assessment_id": f"a-{uuid.uuid4().hex}",
                  "create_time": stamp, "last_update_time": stamp}  # fmt: skip
        with self._lock:
            self.assessments[(trace_id, stored["assessment_id"])] = StoredAssessment(stored, request.identity)
        return ApiResponse(200, {"assessment": stored})

    def _update(self, request: ApiRequest) -> ApiResponse:
        trace_id, assessment_id = request.groups
        body = request.body if isinstance(request.body, dict) else {}
        change = body.get("assessment")
        mask = body.get("update_mask")
        if not isinstance(change, dict) or not isinstance(mask, str) or not mask.strip():
            return error(400, "INVALID_PARAMETER_VALUE", "An update needs `assessment` and `update_mask`.")
        fields = [f.strip() for f in mask.split(",") if f.strip()]
        unknown = [f for f in fields if f not in _UPDATABLE]
        if unknown:
            return error(400, "INVALID_PARAMETER_VALUE", f"Fields {unknown} cannot be updated.")
        with self._lock:
            stored = self.assessments.get((trace_id, assessment_id))
            if stored is None:
                return error(404, "RESOURCE_DOES_NOT_EXIST", f"Assessment {assessment_id} does not exist.")
            stored.body = {**stored.body, **{f: change.get(f) for f in fields}, "last_update_time": _now()}
            stored.posted_by = request.identity
            return ApiResponse(200, {"assessment": stored.body})

    def _get(self, request: ApiRequest) -> ApiResponse:
        trace_id, assessment_id = request.groups
        with self._lock:
            stored = self.assessments.get((trace_id, assessment_id))
        if stored is None:
            return error(404, "RESOURCE_DOES_NOT_EXIST", f"Assessment {assessment_id} does not exist.")
        return ApiResponse(200, {"assessment": stored.body})


def _invalid(assessment: Any, *, trace_id: str) -> str | None:
    """What is wrong with a create body's `assessment`, as MLflow's server would refuse it."""
    if not isinstance(assessment, dict):
        return "The request needs an `assessment` object."
    if assessment.get("trace_id") not in (None, trace_id):
        return "The assessment's trace_id does not match the trace in the path."
    if not isinstance(assessment.get("assessment_name"), str) or not assessment["assessment_name"]:
        return "The assessment needs an `assessment_name`."
    source = assessment.get("source")
    if not isinstance(source, dict) or source.get("source_type") not in _SOURCE_TYPES:
        return "The assessment needs a `source` with source_type HUMAN, LLM_JUDGE or CODE."
    if not any(isinstance(assessment.get(kind), dict) for kind in ("feedback", "expectation")):
        return "The assessment needs a `feedback` or an `expectation`."
    return None
