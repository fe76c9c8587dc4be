"""Workspace REST routes of the emulator beyond serving: plain JSON request in, JSON response out.

A `Route` pairs a method and a path pattern with a handler taking an `ApiRequest` (path groups,
parsed body and query, the caller's token fingerprint) and returning an `ApiResponse`. Feature
modules (Genie, Lakebase credentials, MLflow assessments, …) each export a list of routes that
`Emulator.add_routes` mounts. Streaming serving endpoints stay in `mas.demo.handler`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApiRequest:
    """One workspace API call as a route handler sees it (never the raw Authorization header)."""

    method: str
    path: str
    groups: tuple[str, ...]
    body: Any
    query: Mapping[str, str]
    headers: Mapping[str, str]
    """The request headers without Authorization and Cookie."""
    identity: str | None
    """sha256 fingerprint of the Authorization header: whose call this is."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str) -> ApiResponse:
    """A Databricks-shaped error body (`error_code`, `message`)."""
    return ApiResponse(status, {"error_code": code, "message": message})


Handler = Callable[[ApiRequest], ApiResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    """A route for `method` on paths matching `pattern` in full (groups become `ApiRequest.groups`)."""
    return Route(method.upper(), re.compile(pattern), handler)


def find(routes: Sequence[Route], *, method: str, path: str) -> tuple[Route, tuple[str, ...]] | None:
    """The first route matching the method and path, with its groups."""
    for candidate in routes:
        if candidate.method != method:
            continue
        match = candidate.pattern.fullmatch(path)
        if match:
            return candidate, match.groups()
    return None
