"""The demo dataset: size, columns, determinism, believable seasonality and growth, safe generation."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from demo_data import demo_data_dir

from mas.demo import catalog
from mas.demo.dataset import DemoDataset, default_data_dir, ensure_dataset
from mas.demo.engine import READ_ONLY_CONFIG

REPO = Path(__file__).resolve().parents[1]

ORDER_COLUMNS = [
    "order_id", "line_number", "order_date", "customer_id", "customer_segment", "region", "country",
    "channel", "category", "product", "quantity", "list_price", "discount_rate", "gross_revenue",
    "discount_amount", "is_returned", "returned_amount", "net_revenue",
]


@pytest.fixture(scope="session")
def dataset() -> DemoDataset:
    return ensure_dataset(demo_data_dir())


@pytest.fixture(scope="session")
def con(dataset: DemoDataset) -> Iterator[duckdb.DuckDBPyConnection]:
    # The engine's configuration: DuckDB refuses a second in-process connection to one file
    # with different settings, and the engine tests open this same file.
    connection = duckdb.connect(str(dataset.database), read_only=True, config=READ_ONLY_CONFIG)
    yield connection
    connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_at_least_100k_order_lines_over_three_full_years(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT count(*) FROM orders") >= 100_000
    assert scalar(con, "SELECT min(order_date) FROM orders").isoformat() == "2023-01-01"
    assert scalar(con, "SELECT max(order_date) FROM orders").isoformat() == "2025-12-31"
    assert scalar(con, "SELECT count(DISTINCT order_month) FROM sales") == 36
    assert scalar(con, "SELECT count(DISTINCT order_id) FROM orders") > 40_000


def test_orders_table_and_sales_view_columns(con: duckdb.DuckDBPyConnection) -> None:
    table = [row[0] for row in con.execute("DESCRIBE orders").fetchall()]
    view = [row[0] for row in con.execute("DESCRIBE sales").fetchall()]
    assert table == ORDER_COLUMNS
    assert view == [*ORDER_COLUMNS, "year", "quarter", "month", "order_month", "order_quarter"]


def test_parquet_holds_the_same_rows_as_the_database(
    dataset: DemoDataset, con: duckdb.DuckDBPyConnection
) -> None:
    reader = duckdb.connect()
    parquet = reader.execute(
        "SELECT count(*), sum(net_revenue) FROM read_parquet(?)", [str(dataset.parquet)]).fetchone()
    reader.close()
    assert parquet == con.execute("SELECT count(*), sum(net_revenue) FROM orders").fetchone()


def test_values_come_from_the_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    def distinct(column: str) -> set[str]:
        return {row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM orders").fetchall()}

    assert distinct("region") == set(catalog.DIMENSION_VALUES["region"])
    assert distinct("country") == set(catalog.COUNTRIES)
    assert distinct("channel") == set(catalog.CHANNELS)
    assert distinct("category") == set(catalog.CATEGORIES)
    assert distinct("product") == {product.name for product in catalog.PRODUCTS}
    assert distinct("customer_segment") == set(catalog.SEGMENTS)


def test_money_columns_add_up(con: duckdb.DuckDBPyConnection) -> None:
    broken = scalar(con, """
        SELECT count(*) FROM orders
        WHERE gross_revenue <> quantity * list_price
           OR net_revenue <> gross_revenue - discount_amount - returned_amount
           OR (is_returned AND net_revenue <> 0)
           OR (NOT is_returned AND returned_amount <> 0)
           OR discount_rate NOT BETWEEN 0 AND 0.35
    """)
    assert broken == 0
    return_rate = scalar(con, "SELECT avg(CAST(is_returned AS INTEGER)) FROM orders")
    assert 0.01 < return_rate < 0.10


def test_each_country_in_one_region_and_each_customer_in_one_segment(con: duckdb.DuckDBPyConnection) -> None:
    per_country = "SELECT count(DISTINCT region) AS n FROM orders GROUP BY country"
    per_customer = "SELECT count(DISTINCT customer_segment) AS n FROM orders GROUP BY customer_id"
    assert scalar(con, f"SELECT max(n) FROM ({per_country})") == 1
    assert scalar(con, f"SELECT max(n) FROM ({per_customer})") == 1


def test_revenue_grows_15_to_25_percent_a_year(con: duckdb.DuckDBPyConnection) -> None:
    yearly = [float(row[1]) for row in con.execute(
        "SELECT year, sum(net_revenue) FROM sales GROUP BY year ORDER BY year").fetchall()]
    growth = [later / earlier - 1 for earlier, later in itertools.pairwise(yearly)]
    assert len(growth) == 2
    assert all(0.15 <= rate <= 0.25 for rate in growth), growth


def test_q4_peaks_and_summer_dips_every_year(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT year, quarter, month, sum(net_revenue) FROM sales GROUP BY ALL").fetchall()
    for year in (2023, 2024, 2025):  # the pinned window's years (tests/conftest.py)
        quarters = {q: sum(float(r[3]) for r in rows if r[0] == year and r[1] == q) for q in (1, 2, 3, 4)}
        months = {r[2]: float(r[3]) for r in rows if r[0] == year}
        assert quarters[4] > 1.25 * max(quarters[1], quarters[2], quarters[3]), (year, quarters)
        assert months[7] < sum(months.values()) / 12, (year, months)
        assert months[12] == max(months.values()) or months[11] == max(months.values())


def test_regions_differ_in_size(con: duckdb.DuckDBPyConnection) -> None:
    shares = [float(row[0]) for row in con.execute(
        "SELECT sum(net_revenue) / (SELECT sum(net_revenue) FROM orders) FROM orders GROUP BY region "
        "ORDER BY 1 DESC").fetchall()]
    assert len(shares) == 4
    assert shares[0] > 2.5 * shares[-1]
    assert all(a - b > 0.04 for a, b in itertools.pairwise(shares))


def test_generation_is_byte_for_byte_deterministic(dataset: DemoDataset, tmp_path: Path) -> None:
    again = ensure_dataset(tmp_path)
    assert sha256(again.parquet) == sha256(dataset.parquet)
    totals = []
    for path in (dataset.database, again.database):
        con = duckdb.connect(str(path), read_only=True, config=READ_ONLY_CONFIG)
        totals.append(con.execute("SELECT count(*), sum(net_revenue), sum(quantity) FROM sales").fetchone())
        con.close()
    assert totals[0] == totals[1]


def test_existing_files_are_reused_not_regenerated(dataset: DemoDataset) -> None:
    before = (dataset.parquet.stat().st_mtime_ns, dataset.database.stat().st_mtime_ns)
    again = ensure_dataset(dataset.parquet.parent)
    assert (again.parquet.stat().st_mtime_ns, again.database.stat().st_mtime_ns) == before


def test_concurrent_generation_in_threads_and_processes(dataset: DemoDataset, tmp_path: Path) -> None:
    target = tmp_path / "shared"
    script = "import sys; from pathlib import Path; from mas.demo.dataset import ensure_dataset; " \
             "ensure_dataset(Path(sys.argv[1]))"
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(target)], cwd=REPO, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    errors: list[BaseException] = []

    def generate() -> None:
        try:
            ensure_dataset(target)
        except BaseException as exc:  # recorded and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = [(process.wait(timeout=120), process.stderr.read() if process.stderr else b"")
                for process in processes]
    assert errors == []
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert sha256(target / dataset.parquet.name) == sha256(dataset.parquet)
    expected_files = sorted([dataset.parquet.name, dataset.database.name])
    assert sorted(path.name for path in target.iterdir()) == expected_files
    con = duckdb.connect(str(target / dataset.database.name), read_only=True)
    assert con.execute("SELECT count(*) FROM sales").fetchone() == (scalar_count(dataset),)
    con.close()


def scalar_count(dataset: DemoDataset) -> int:
    con = duckdb.connect(str(dataset.database), read_only=True, config=READ_ONLY_CONFIG)
    try:
        return int(scalar(con, "SELECT count(*) FROM orders"))
    finally:
        con.close()


def test_data_dir_from_env_or_repo_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MAS_DEMO_DATA_DIR", raising=False)
    assert default_data_dir() == REPO / "data" / "demo"
    monkeypatch.setenv("MAS_DEMO_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path


def test_default_data_dir_is_gitignored() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    command = ["git", "check-ignore", "-q", "data/demo/orders-v1-2023-01_2025-12.parquet"]
    result = subprocess.run(command, cwd=REPO, check=False)
    assert result.returncode == 0
