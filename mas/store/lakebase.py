"""Lakebase passwords: OAuth database credentials minted through the workspace API, one per login.

Autoscaling (`PGENDPOINT` set) calls `POST /api/2.0/postgres/credentials` with the endpoint path;
Provisioned with `LAKEBASE_INSTANCE_NAME` calls `POST /api/2.0/database/credentials` (databricks-sdk
0.156: `w.postgres.generate_database_credential(endpoint=…)`, `w.database.generate_database_credential(
instance_names=[…], request_id=…)`); a bare Provisioned `database` resource takes the app's own
OAuth token, as Databricks' streamlit-database-app template does. It never logs or keeps tokens.
"""

from __future__ import annotations

import logging
import uuid

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import DatabricksError

from mas.errors import StoreError
from mas.settings import LakebaseSettings

logger = logging.getLogger(__name__)


class LakebaseCredentials:
    """Mints a fresh Lakebase password for each new database connection, as the app's identity."""

    def __init__(self, settings: LakebaseSettings, *, client: WorkspaceClient) -> None:
        self.settings = settings
        self._client = client
        self.minted = 0
        """How many tokens were minted (a count; the tokens themselves are not kept)."""

    def mint(self) -> str:
        """A new token; `StoreError` when the workspace refuses or cannot be reached."""
        settings = self.settings
        try:
            if settings.endpoint is not None:
                token = self._client.postgres.generate_database_credential(endpoint=settings.endpoint).token
            elif settings.instance_name is not None:
                token = self._client.database.generate_database_credential(
                    request_id=str(uuid.uuid4()), instance_names=[settings.instance_name]
                ).token
            else:
                # Raises ValueError under PAT auth: only OAuth identities (the app's SP) have one.
                token = self._client.config.oauth_token().access_token
        except (DatabricksError, ValueError, OSError) as exc:
            # The SDK's messages carry no secrets (it masks them); OSError covers refused connections.
            raise StoreError(f"Lakebase did not give the app a database password: {exc}") from exc
        if not token:
            raise StoreError("Lakebase answered the credential request without a token.")
        self.minted += 1
        logger.debug("[STORE] minted Lakebase credential #%d", self.minted)
        return token
