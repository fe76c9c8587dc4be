"""Lakebase end to end: the emulator mints credentials, the real Postgres role's password is the token.

The app's workspace client asks `POST /api/2.0/postgres/credentials` (or the Provisioned
`/api/2.0/database/credentials`) for each new connection; a rotated token is the one the next
login uses, and the token it replaced no longer logs in.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from databricks.sdk import WorkspaceClient
from support.emulator import Emulator

from mas.demo.lakebase import CredentialIssuer
from mas.errors import StoreError
from mas.settings import HistoryDb, LakebaseSettings
from mas.store import ConversationInfo, Store, open_engine
from mas.store.engine import RECYCLE_SECONDS
from mas.store.lakebase import LakebaseCredentials
from mas.transcript import Turn

ENDPOINT = "projects/revenue/branches/production/endpoints/primary"


def _settings(cluster: Any, database: str, role: str, **extra: Any) -> LakebaseSettings:
    return LakebaseSettings(
        host="127.0.0.1",
        port=cluster.port,
        user=role,
        database=database,
        sslmode="disable",
        appname="mas-chat",
        **extra,
    )


def _lakebase(
    cluster: Any, workspace_client_for: Callable[..., WorkspaceClient], **extra: Any
) -> tuple[Emulator, CredentialIssuer, LakebaseCredentials, HistoryDb]:
    role = f"sp-{uuid.uuid4().hex[:8]}"  # the app's service principal client id is its role name
    database = cluster.fresh_database()
    cluster.set_password(role, uuid.uuid4().hex)
    cluster.grant_database(role, database)
    issuer = CredentialIssuer(on_mint=lambda token: cluster.set_password(role, token))
    emulator = Emulator()
    emulator.add_routes(issuer.routes())
    settings = _settings(cluster, database, role, **extra)
    credentials = LakebaseCredentials(settings, client=workspace_client_for(emulator.url))
    return emulator, issuer, credentials, HistoryDb(kind="lakebase", lakebase=settings)


def _save(store: Store, question: str) -> None:
    info = ConversationInfo(
        id=uuid.uuid4().hex, title=question, created_at=time.time(), updated_at=time.time()
    )
    store.save_turns("sp-user@example.com", conversation=info, state={}, turns=[(0, Turn(question=question))])


def test_each_new_connection_logs_in_with_a_freshly_minted_token(
    pg_cluster: Any, workspace_client_for: Callable[..., WorkspaceClient]
) -> None:
    emulator, issuer, credentials, target = _lakebase(pg_cluster, workspace_client_for, endpoint=ENDPOINT)
    with emulator:
        engine = open_engine(target, mint=credentials.mint)
        assert engine.engine.pool._recycle < 3600 and RECYCLE_SECONDS < 3600  # below the token's hour
        store = Store.open(engine)
        try:
            _save(store, "first")
            assert len(issuer.issued) == 1 and issuer.asked_for == [ENDPOINT]
            _save(store, "pooled")  # the pooled connection is reused: no new login, no new token
            assert len(issuer.issued) == 1
            old = issuer.issued[0]
            store.close()  # every pooled connection goes; the next one logs in again
            _save(store, "after rotation")
            assert len(issuer.issued) == 2 and issuer.issued[1] != old
            with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
                psycopg.connect(
                    host="127.0.0.1",
                    port=pg_cluster.port,
                    user=target.lakebase.user,  # type: ignore[union-attr]
                    dbname=target.lakebase.database,
                    password=old,
                    sslmode="disable",
                ).close()  # type: ignore[union-attr]
            assert [c.title for c in store.conversations("sp-user@example.com")] == [
                "after rotation",
                "pooled",
                "first",
            ]
        finally:
            store.close()
        calls = [r for r in emulator.requests if r.path == "/api/2.0/postgres/credentials"]
        assert len(calls) == 2 and all(r.method == "POST" for r in calls)


def test_provisioned_instance_uses_the_database_credentials_api(
    pg_cluster: Any, workspace_client_for: Callable[..., WorkspaceClient]
) -> None:
    emulator, issuer, credentials, target = _lakebase(
        pg_cluster, workspace_client_for, instance_name="revenue-db"
    )
    with emulator:
        store = Store.open(open_engine(target, mint=credentials.mint))
        try:
            _save(store, "provisioned")
        finally:
            store.close()
    assert issuer.asked_for == ["revenue-db"]
    assert [r.path for r in emulator.requests if r.path.startswith("/api/")] == [
        "/api/2.0/database/credentials"
    ]


def test_a_bare_database_resource_needs_an_oauth_identity(
    pg_cluster: Any, workspace_client_for: Callable[..., WorkspaceClient]
) -> None:
    # No PGENDPOINT, no instance name: the app's own OAuth token is the password. A PAT client has none.
    emulator, _, credentials, target = _lakebase(pg_cluster, workspace_client_for)
    with emulator, pytest.raises(StoreError, match="Lakebase did not give the app a database password"):
        Store.open(open_engine(target, mint=credentials.mint))


def test_a_refused_credential_is_a_store_error_not_a_crash(
    pg_cluster: Any, workspace_client_for: Callable[..., WorkspaceClient]
) -> None:
    emulator, issuer, credentials, target = _lakebase(pg_cluster, workspace_client_for, endpoint=ENDPOINT)
    issuer.refuse = True
    with emulator, pytest.raises(StoreError, match="Lakebase did not give the app a database password"):
        Store.open(open_engine(target, mint=credentials.mint))
