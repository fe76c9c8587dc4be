"""The history store against SQLite and a real PostgreSQL server: round trips, users kept apart, faults.

Every behaviour test runs on both databases (`store` is parametrised); the faults that belong to one
of them (a corrupt or read-only SQLite file, a Postgres server stopped and started again) follow.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import GENIE_TABLE

from mas.errors import ConfigError, StoreError
from mas.settings import HistoryDb, history_db_from_env, lakebase_from_env
from mas.store import ConversationInfo, Store, open_engine, redact, schema
from mas.store.history import title_from
from mas.transcript import TextPart, ToolPart, Turn, finish


def _turn(question: str = "Revenue by region?", *, status: str = "complete") -> Turn:
    turn = Turn(question=question)
    turn.parts.append(TextPart(text="Let me check.", agent="supervisor"))
    turn.parts.append(
        ToolPart(
            name="agent-revenue-genie",
            call_id="c1",
            question="Net revenue by region",
            output=GENIE_TABLE,
            state="complete",
            elapsed=1.5,
            chart_kind="bar",
        )
    )
    turn.parts.append(TextPart(text="EMEA leads."))
    if status == "complete":
        finish(turn)
    return turn


def _info(title: str = "Revenue by region?") -> ConversationInfo:
    now = time.time()
    return ConversationInfo(
        id=uuid.uuid4().hex, title=title, created_at=now, updated_at=now, backend="mas", endpoint="mas-test"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> HistoryDb:
    if request.param == "sqlite":
        return HistoryDb(kind="sqlite", url=f"sqlite:///{tmp_path / 'history.db'}")
    cluster = request.getfixturevalue("pg_cluster")
    return HistoryDb(kind="postgresql", url=cluster.url(cluster.fresh_database()))


@pytest.fixture
def store(target: HistoryDb) -> Iterator[Store]:
    opened = Store.open(open_engine(target))
    try:
        yield opened
    finally:
        opened.close()


def test_a_conversation_round_trips_whole(store: Store) -> None:
    info, first, second = _info(), _turn(), _turn("And by channel?")
    state = {"genie_conversation_id": "01ef-abc"}
    store.save_turns("ana@example.com", conversation=info, state=state, turns=[(0, first), (1, second)])
    loaded = store.conversation("ana@example.com", info.id)
    assert loaded is not None and loaded.unreadable == []
    assert [t.to_dict() for t in loaded.turns] == [first.to_dict(), second.to_dict()]
    assert loaded.state == state and loaded.info.title == info.title and loaded.info.endpoint == "mas-test"
    tool = loaded.turns[0].tools[0]
    assert tool.result is not None and tool.result.row_count == 2 and tool.chart_kind == "bar"


def test_a_turn_is_rewritten_in_place_as_it_streams(store: Store) -> None:
    info, turn = _info(), Turn(question="Total revenue?")
    store.save_turns("u", conversation=info, state={}, turns=[(0, turn)])
    turn.parts.append(TextPart(text="It is $1."))
    finish(turn)
    store.save_turns("u", conversation=info, state={"k": 1}, turns=[(0, turn)])
    loaded = store.conversation("u", info.id)
    assert loaded is not None and len(loaded.turns) == 1
    assert loaded.turns[0].status == "complete" and loaded.turns[0].answer_text == "It is $1."
    assert loaded.state == {"k": 1}


def test_users_never_see_each_others_conversations_or_pins(store: Store) -> None:
    info = _info("Ana's secret revenue")
    store.save_turns("ana@example.com", conversation=info, state={}, turns=[(0, _turn())])
    store.add_pin(
        "ana@example.com",
        pin_id="p1",
        part=_turn().tools[0],
        question="q",
        title="Ana's pin",
        conversation_id=info.id,
        turn_id=None,
        data_as_of=None,
    )
    assert store.conversations("bob@example.com") == []
    assert store.conversation("bob@example.com", info.id) is None
    assert store.pins("bob@example.com") == []
    store.rename("bob@example.com", info.id, "hijacked")
    store.delete("bob@example.com", info.id)
    store.remove_pin("bob@example.com", "p1")
    with pytest.raises(StoreError, match="someone else"):
        store.save_turns("bob@example.com", conversation=info, state={}, turns=[(0, _turn())])
    (mine,) = store.conversations("ana@example.com")
    assert mine.title == "Ana's secret revenue" and len(store.pins("ana@example.com")) == 1


def test_list_newest_first_search_rename_delete(store: Store) -> None:
    infos = [_info(f"Question {i}") for i in range(3)] + [_info("100% growth_by region")]
    for info in infos:
        store.save_turns("u", conversation=info, state={}, turns=[(0, _turn())])
        time.sleep(0.01)
    assert [c.title for c in store.conversations("u")] == [i.title for i in reversed(infos)]
    assert [c.title for c in store.conversations("u", search="100%")] == ["100% growth_by region"]
    assert [c.title for c in store.conversations("u", search="QUESTION 1")] == ["Question 1"]
    assert store.conversations("u", search="0%g") == []  # % is literal, not a wildcard
    store.rename("u", infos[0].id, "  Renamed   title ")
    store.delete("u", infos[1].id)
    titles = {c.title for c in store.conversations("u")}
    assert "Renamed title" in titles and "Question 1" not in titles
    assert store.conversation("u", infos[1].id) is None


def test_pins_keep_order_titles_and_outlive_their_conversation(store: Store) -> None:
    info, turn = _info(), _turn()
    store.save_turns("u", conversation=info, state={}, turns=[(0, turn)])
    for index in range(3):
        part = _turn().tools[0]
        store.add_pin(
            "u",
            pin_id=f"p{index}",
            part=part,
            question=f"Q{index}",
            title=f"Q{index}",
            conversation_id=info.id,
            turn_id=turn.id,
            data_as_of=1_700_000_000.0 + index,
        )
    store.add_pin(
        "u",
        pin_id="p0",
        part=_turn().tools[0],
        question="again",
        title="again",
        conversation_id=None,
        turn_id=None,
        data_as_of=None,
    )
    assert [p.id for p in store.pins("u")] == ["p0", "p1", "p2"]
    store.order_pins("u", ["p2", "p0", "p1"])
    store.rename_pin("u", "p0", "Revenue, renamed")
    store.delete("u", info.id)
    pins = store.pins("u")
    assert [p.id for p in pins] == ["p2", "p0", "p1"]
    assert pins[1].title == "Revenue, renamed" and pins[1].question == "Q0"
    assert pins[0].data_as_of == 1_700_000_002.0 and pins[0].part.result is not None
    assert pins[0].part.result.row_count == 2 and pins[0].part.chart_kind == "bar"
    store.remove_pin("u", "p0")
    assert [p.id for p in store.pins("u")] == ["p2", "p1"]


def test_turns_a_newer_app_wrote_are_left_out_and_said(store: Store, target: HistoryDb) -> None:
    info, turn = _info(), _turn()
    store.save_turns("u", conversation=info, state={}, turns=[(0, turn), (1, _turn("second"))])
    with store._engine.begin() as conn:
        doc = {**turn.to_dict(), "version": 99}
        conn.execute(sa.update(schema.turns).where(schema.turns.c.turn_id == turn.id).values(data=doc))
    loaded = store.conversation("u", info.id)
    assert loaded is not None and [t.question for t in loaded.turns] == ["second"]
    assert "newer version" in loaded.unreadable[0]


def test_migration_runs_once_and_refuses_a_newer_schema(target: HistoryDb) -> None:
    Store.open(open_engine(target)).close()
    again = Store.open(open_engine(target))
    with again._engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.schema_version)).scalar() == 1
        conn.execute(
            sa.insert(schema.schema_version).values(version=schema.CURRENT_VERSION + 1, applied_at=0)
        )
    again.close()
    with pytest.raises(StoreError, match=r"newer version of the app \(schema 2\)") as caught:
        Store.open(open_engine(target))
    where = open_engine(target).where
    assert (where in str(caught.value) and "***" not in where) or target.kind == "postgresql"


def test_a_corrupt_sqlite_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not sqlite at all " * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(open_engine(HistoryDb(kind="sqlite", url=f"sqlite:///{path}")))
    message = str(caught.value)
    assert str(path) in message and "not a readable SQLite database" in message
    assert "Traceback" not in message


def test_a_read_only_sqlite_file_reads_but_says_it_cannot_save(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    writable = Store.open(open_engine(HistoryDb(kind="sqlite", url=f"sqlite:///{path}")))
    info = _info()
    writable.save_turns("u", conversation=info, state={}, turns=[(0, _turn())])
    writable.close()
    # As root, file modes do not stop writes; SQLite's own read-only open mode does, like a read-only mount.
    read_only = Store.open(
        open_engine(HistoryDb(kind="sqlite", url=f"sqlite:///file:{path}?mode=ro&uri=true"))
    )
    try:
        assert [c.id for c in read_only.conversations("u")] == [info.id]
        with pytest.raises(StoreError, match="read-only") as caught:
            read_only.save_turns("u", conversation=info, state={}, turns=[(0, _turn())])
        assert str(path) in str(caught.value)
    finally:
        read_only.close()
    with sqlite3.connect(path) as check:
        assert check.execute("select count(*) from mas_turns").fetchone() == (1,)


def test_postgres_stopped_mid_session_then_back(pg_cluster: Any) -> None:
    target = HistoryDb(kind="postgresql", url=pg_cluster.url(pg_cluster.fresh_database()))
    store = Store.open(open_engine(target))
    info = _info()
    try:
        store.save_turns("u", conversation=info, state={}, turns=[(0, _turn())])
        pg_cluster.stop()
        try:
            with pytest.raises(StoreError) as caught:
                store.save_turns("u", conversation=info, state={}, turns=[(1, _turn("while down"))])
            assert "could not be written" in str(caught.value) and pg_cluster.url("x").split("@")[
                0
            ] not in str(caught.value)
        finally:
            pg_cluster.start()
        store.save_turns("u", conversation=info, state={}, turns=[(1, _turn("after restart"))])
        loaded = store.conversation("u", info.id)
        assert loaded is not None and [t.question for t in loaded.turns] == [
            "Revenue by region?",
            "after restart",
        ]
    finally:
        store.close()


def test_an_unreachable_postgres_fails_fast_with_a_redacted_reason() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://app:s3cret-pass@127.0.0.1:{port}/history"
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        Store.open(open_engine(HistoryDb(kind="postgresql", url=url)))
    assert time.monotonic() - started < 10
    assert "s3cret-pass" not in str(caught.value) and "***" in str(caught.value)


def test_titles_come_from_the_first_question() -> None:
    assert title_from("  What's our\ntotal   revenue? ") == "What's our total revenue?"
    long = title_from("word " * 40)
    assert len(long) <= 81 and long.endswith("…")
    assert title_from("   ") == "New chat"


def test_redact_hides_passwords() -> None:
    assert redact("postgresql://u:pa55@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert redact("sqlite:///data/history.db") == "sqlite:///data/history.db"


@pytest.mark.parametrize(
    ("env", "kind", "url"),
    [
        ({}, "sqlite", "sqlite:///data/history.db"),
        ({"MAS_HISTORY_DB": "none"}, "none", None),
        ({"MAS_HISTORY_DB": "sqlite:////var/h.db"}, "sqlite", "sqlite:////var/h.db"),
        ({"MAS_HISTORY_DB": "postgresql://u:p@h/d", "PGHOST": "x"}, "postgresql", "postgresql://u:p@h/d"),
    ],
)
def test_history_db_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kind: str, url: str | None
) -> None:
    for name in (
        "MAS_HISTORY_DB",
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGENDPOINT",
        "LAKEBASE_INSTANCE_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = history_db_from_env()
    assert (found.kind, found.url) == (kind, url)


def test_lakebase_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env: Callable[..., None] = lambda **kw: [monkeypatch.setenv(k, v) for k, v in kw.items()]  # noqa: E731
    for name in (
        "MAS_HISTORY_DB",
        "PGENDPOINT",
        "LAKEBASE_INSTANCE_NAME",
        "PGPORT",
        "PGSSLMODE",
        "PGAPPNAME",
    ):
        monkeypatch.delenv(name, raising=False)
    set_env(PGHOST="instance.database.example", PGUSER="sp-client-id", PGDATABASE="databricks_postgres")
    bare = history_db_from_env().lakebase  # a Provisioned database resource: the app's own OAuth token
    assert bare is not None and (bare.endpoint, bare.instance_name, bare.port) == (None, None, 5432)
    set_env(PGENDPOINT="branches/b")
    with pytest.raises(ConfigError, match="PGENDPOINT"):
        history_db_from_env()
    set_env(PGENDPOINT="projects/p/branches/b/endpoints/e", PGPORT="nope")
    with pytest.raises(ConfigError, match="PGPORT"):
        lakebase_from_env()
    set_env(PGPORT="5432", MAS_HISTORY_DB="mysql://x")
    with pytest.raises(ConfigError, match="MAS_HISTORY_DB"):
        history_db_from_env()
    monkeypatch.delenv("MAS_HISTORY_DB")
    found = history_db_from_env()
    assert found.kind == "lakebase" and found.lakebase is not None
    assert (found.lakebase.sslmode, found.lakebase.endpoint) == (
        "require",
        "projects/p/branches/b/endpoints/e",
    )


def test_a_deferred_read_parses_only_the_last_turns_until_hydrated(store: Store) -> None:
    from mas.store.history import hydrate

    info, turns = _info(), [_turn(f"Q{i}") for i in range(4)]
    store.save_turns("u", conversation=info, state={}, turns=list(enumerate(turns)))
    loaded = store.conversation("u", info.id, parse_last=1)
    assert loaded is not None
    older, last = loaded.turns[:3], loaded.turns[3]
    assert all(t.tools[0].result is None and t.tools[0].output == GENIE_TABLE for t in older)
    assert last.tools[0].result is not None
    hydrate(older)
    assert [t.to_dict() for t in loaded.turns] == [t.to_dict() for t in turns]
    assert all(t.tools[0].result is not None and t.tools[0].result.row_count == 2 for t in older)
