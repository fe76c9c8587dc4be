"""The Lakebase credential APIs, emulated: each call mints a new database password (a random token).

`POST /api/2.0/postgres/credentials` (Autoscaling, body `{endpoint}`) and `POST /api/2.0/database/
credentials` (Provisioned, body `{instance_names, request_id}`) answer `DatabaseCredential` JSON as
databricks-sdk 0.156 reads it (`token` with `expire_time` / `expiration_time`). A test hooks
`on_mint` to make the token the real Postgres role's password. It serves no Postgres itself.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mas.demo.routes import ApiRequest, ApiResponse, Route, error, route

TOKEN_SECONDS = 3600


@dataclass
class CredentialIssuer:
    """Mints tokens; records who asked for which endpoint or instance, never the tokens' secrets in logs."""

    on_mint: Callable[[str], None] | None = None
    """Called with each new token before it is returned (e.g. `ALTER ROLE … PASSWORD`)."""
    refuse: bool = False
    """Answer 403 PERMISSION_DENIED instead of a token."""
    issued: list[str] = field(default_factory=list)
    asked_for: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def routes(self) -> list[Route]:
        return [
            route("POST", r"/api/2\.0/postgres/credentials", self._autoscaling),
            route("POST", r"/api/2\.0/database/credentials", self._provisioned),
        ]

    def _autoscaling(self, request: ApiRequest) -> ApiResponse:
        endpoint = request.body.get("endpoint") if isinstance(request.body, dict) else None
        if not isinstance(endpoint, str) or not endpoint.startswith("projects/"):
            return error(400, "INVALID_PARAMETER_VALUE", "endpoint must be an endpoint path.")
        return self._mint(request, endpoint, expiry_field="expire_time")

    def _provisioned(self, request: ApiRequest) -> ApiResponse:
        names = request.body.get("instance_names") if isinstance(request.body, dict) else None
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            return error(400, "INVALID_PARAMETER_VALUE", "instance_names must name at least one instance.")
        return self._mint(request, ",".join(names), expiry_field="expiration_time")

    def _mint(self, request: ApiRequest, target: str, *, expiry_field: str) -> ApiResponse:
        if request.identity is None:
            return error(401, "UNAUTHENTICATED", "Credential for user identity('anonymous') is not provided.")
        if self.refuse:
            return error(403, "PERMISSION_DENIED", f"The caller may not connect to {target}.")
        token = "lb-" + secrets.token_urlsafe(24)
        with self._lock:
            if self.on_mint is not None:
                self.on_mint(token)
            self.issued.append(token)
            self.asked_for.append(target)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + TOKEN_SECONDS))
        return ApiResponse(200, {"token": token, expiry_field: expires})
