"""The demo engine: typed results, string cells as the statement API sends them, and no way to write."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from demo_data import demo_data_dir

from mas.demo.engine import Column, DemoEngine, QueryResult, cell_string, type_name_for
from mas.errors import DemoDataError


@pytest.fixture(scope="session")
def engine() -> DemoEngine:
    return DemoEngine(data_dir=demo_data_dir())


def test_query_returns_typed_columns_and_rows(engine: DemoEngine) -> None:
    result = engine.query(
        "SELECT region, SUM(net_revenue) AS net_revenue, COUNT(*) AS order_lines, "
        "MIN(order_date) AS first_day FROM sales GROUP BY region ORDER BY net_revenue DESC")
    assert [column.name for column in result.columns] == ["region", "net_revenue", "order_lines", "first_day"]
    assert [column.type_name for column in result.columns] == ["STRING", "DECIMAL", "LONG", "DATE"]
    assert result.columns[1].type_text == "DECIMAL(38,2)"
    assert len(result.rows) == 4
    assert isinstance(result.rows[0][1], Decimal)
    assert result.rows[0][1] > result.rows[-1][1]


def test_string_rows_are_exact() -> None:
    result = QueryResult(
        columns=(Column("a", "DECIMAL(38,2)", "DECIMAL"),),
        rows=((Decimal("1200.50"),), (None,)),
    )
    assert result.string_rows() == [["1200.50"], [None]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("98948196.21"), "98948196.21"),
        (Decimal("1E+2"), "100"),
        (dt.date(2024, 7, 1), "2024-07-01"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (20.9, "20.9"),
        ("EMEA", "EMEA"),
        (None, None),
    ],
)
def test_cell_string(value: object, expected: str | None) -> None:
    assert cell_string(value) == expected


@pytest.mark.parametrize(
    ("duck_type", "type_name"),
    [("VARCHAR", "STRING"), ("BIGINT", "LONG"), ("INTEGER", "INT"), ("DECIMAL(38,2)", "DECIMAL"),
     ("DOUBLE", "DOUBLE"), ("DATE", "DATE"), ("BOOLEAN", "BOOLEAN"), ("HUGEINT", "DECIMAL"),
     ("TIMESTAMP", "TIMESTAMP"), ("STRUCT(a INTEGER)", "STRING")],
)
def test_type_names_follow_the_statement_api(duck_type: str, type_name: str) -> None:
    assert type_name_for(duck_type) == type_name


REFUSED = [
    "INSERT INTO orders SELECT * FROM orders LIMIT 1",
    "UPDATE orders SET net_revenue = 0",
    "DELETE FROM orders",
    "DROP TABLE orders",
    "DROP VIEW sales",
    "CREATE TABLE copy_of_orders AS SELECT * FROM orders",
    "CREATE VIEW extra AS SELECT 1",
    "ALTER TABLE orders ADD COLUMN x INTEGER",
    "COPY orders TO '{tmp}/stolen.csv'",
    "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{tmp}/export'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "ATTACH ':memory:' AS scratch",
    "SELECT * FROM read_csv('/etc/passwd')",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_writes_and_file_access_are_refused(engine: DemoEngine, tmp_path: Path, statement: str) -> None:
    before = engine.query("SELECT count(*), sum(net_revenue) FROM orders").rows
    with pytest.raises(DemoDataError):
        engine.query(statement.format(tmp=tmp_path))
    assert engine.query("SELECT count(*), sum(net_revenue) FROM orders").rows == before
    assert list(tmp_path.iterdir()) == []
    setting = engine.query("SELECT value FROM duckdb_settings() WHERE name = 'enable_external_access'")
    assert setting.rows == (("false",),)


def test_bad_sql_is_a_demo_data_error(engine: DemoEngine) -> None:
    with pytest.raises(DemoDataError, match="no_such_column"):
        engine.query("SELECT no_such_column FROM sales")


def test_queries_from_many_threads_at_once(engine: DemoEngine) -> None:
    sql = "SELECT channel, SUM(net_revenue) FROM sales WHERE year = {year} GROUP BY channel ORDER BY channel"
    expected = {year: engine.query(sql.format(year=year)).rows for year in (2023, 2024, 2025)}
    failures: list[str] = []

    def work(year: int) -> None:
        for _ in range(15):
            rows = engine.query(sql.format(year=year)).rows
            if rows != expected[year]:
                failures.append(f"{year}: {rows}")

    threads = [threading.Thread(target=work, args=(year,)) for year in (2023, 2024, 2025) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_two_engines_share_one_database_file() -> None:
    first, second = DemoEngine(data_dir=demo_data_dir()), DemoEngine(data_dir=demo_data_dir())
    try:
        sql = "SELECT sum(net_revenue) FROM sales"
        assert first.query(sql).rows == second.query(sql).rows
    finally:
        first.close()
        second.close()
