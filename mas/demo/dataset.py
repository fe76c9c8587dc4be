"""The demo's deterministic revenue dataset: generated once, then read from disk.

`ensure_dataset()` returns the dataset's files in the demo data folder, generating them on
first use: order lines over the data window (`mas.demo.window`: 36 months ending with the last
complete month) drawn with numpy from a fixed seed (regions of different sizes and growth, Q4
peak, summer dip), written to Parquet by DuckDB, and a DuckDB database file built
from that Parquet for the read-only engine. Files appear by atomic rename, so processes that
generate at the same time never see a half-written file. Querying is not done here (see
`mas.demo.engine`).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from mas.demo import catalog
from mas.demo.dataset_sql import ORDERS_SQL, TABLE, VIEW_SQL, sql_path
from mas.demo.window import DataWindow, data_window
from mas.errors import DemoDataError
from mas.settings import settings

log = logging.getLogger(__name__)

SPEC_VERSION = 1
"""Bump when the generator changes, so stale files on disk are not reused."""
SEED = 20_230_101
ORDER_COUNT = 52_000
"""Orders in 36 months; a longer window gets proportionally more."""
CUSTOMER_COUNT = 7_500
PRICE_RISE = 0.04
"""List prices rise 4% each January."""

_LOCK = threading.Lock()


@dataclass(frozen=True)
class DemoDataset:
    parquet: Path
    database: Path
    window: DataWindow


def default_data_dir() -> Path:
    """`MAS_DEMO_DATA_DIR`, else `<repo>/data/demo` (gitignored)."""
    configured = settings().demo_data_dir
    if configured is not None:
        return configured
    return Path(__file__).resolve().parents[2] / "data" / "demo"


def ensure_dataset(data_dir: Path | None = None) -> DemoDataset:
    """Return the dataset's files for today's window, generating whichever is missing."""
    folder = data_dir if data_dir is not None else default_data_dir()
    window = data_window()
    # The window is in the names: a new month (or a pinned today) gets its own files, never stale ones.
    dataset = DemoDataset(
        parquet=folder / f"orders-v{SPEC_VERSION}-{window.key}.parquet",
        database=folder / f"revenue-v{SPEC_VERSION}-{window.key}.duckdb",
        window=window,
    )
    with _LOCK:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not dataset.parquet.exists():
                log.info("[DEMO] Generating the demo revenue dataset in %s", folder)
                _publish(dataset.parquet, lambda tmp: write_parquet(tmp, window=window))
            if not dataset.database.exists():
                _publish(dataset.database, lambda tmp: build_database(dataset.parquet, tmp))
        except (OSError, duckdb.Error) as exc:
            raise DemoDataError(f"Could not generate the demo dataset in {folder}: {exc}") from exc
    return dataset


def _publish(target: Path, write: Callable[[Path], None]) -> None:
    # Write beside the target and rename: os.replace is atomic on one file system, so a
    # concurrent reader sees either no file or a whole one, never a partial write.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def write_parquet(path: Path, *, window: DataWindow) -> None:
    """Generate every order line of `window` and write them to `path` as Parquet, byte-identical each time."""
    lines = generate_lines(window)
    con = duckdb.connect()
    try:
        # One thread keeps the Parquet bytes identical from run to run.
        con.execute("SET threads = 1")
        con.register("gen", lines)
        orders_sql = ORDERS_SQL.format(start=window.start.isoformat())
        con.execute(f"COPY ({orders_sql}) TO '{sql_path(path)}' (FORMAT parquet, COMPRESSION zstd)")
    finally:
        con.close()


def build_database(parquet: Path, path: Path) -> None:
    """Build the DuckDB file the engine opens read-only: the `orders` table and the `sales` view."""
    con = duckdb.connect(str(path))
    try:
        con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM read_parquet('{sql_path(parquet)}')")
        con.execute(VIEW_SQL)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def generate_lines(window: DataWindow) -> pd.DataFrame:
    """Draw every order line of `window` from the fixed seed: integer codes and cents, one row per line."""
    rng = np.random.default_rng(SEED)
    start, end = np.datetime64(window.start), np.datetime64(window.end)
    customers = _customers(rng)
    # The same density of orders per month whatever the window's length (52,000 over 36 months).
    order_count = ORDER_COUNT * window.months // 36
    orders = _orders(rng, customers, start=start, end=end, count=order_count)
    return _lines(rng, orders, start=start)


def _pick(rng: np.random.Generator, probs: np.ndarray, *, rows: np.ndarray) -> np.ndarray:
    """For each entry of `rows`, draw a column index from that row of the probability matrix."""
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random(size=(len(rows),))
    picked = (draws[:, None] > cumulative[rows]).sum(axis=1)
    return np.minimum(picked, probs.shape[1] - 1)


def _customers(rng: np.random.Generator) -> dict[str, np.ndarray]:
    regions = catalog.REGIONS
    region = rng.choice(len(regions), size=CUSTOMER_COUNT, p=[r.share for r in regions])
    width = max(len(r.countries) for r in regions)
    country_probs = np.zeros((len(regions), width))
    country_offset = np.zeros((len(regions), width), dtype=np.int64)
    start = 0
    for index, item in enumerate(regions):
        for position, (_, share) in enumerate(item.countries):
            country_probs[index, position] = share
            country_offset[index, position] = start + position
        start += len(item.countries)
    country = country_offset[region, _pick(rng, country_probs, rows=region)]
    segment = rng.choice(len(catalog.SEGMENTS), size=CUSTOMER_COUNT, p=catalog.SEGMENT_SHARES)
    # A heavy tail of order frequency: a few customers order far more often than most.
    frequency = rng.lognormal(0.0, 0.9, CUSTOMER_COUNT) * np.array([4.0, 2.5, 1.5, 1.0])[segment]
    return {"region": region, "country": country, "segment": segment, "frequency": frequency}


def _order_intensity(start: np.datetime64, end: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Relative order rate per (region, day): yearly growth, month seasonality, weekdays, Black Friday."""
    days = np.arange((end - start).astype(int))
    dates = start + days
    month = dates.astype("datetime64[M]").astype(int) % 12
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    rate = np.array(catalog.MONTH_SEASONALITY)[month]
    rate = rate * np.where(weekday < 5, 1.08, np.where(weekday == 5, 0.85, 0.75))
    rate = rate * np.where((month == 10) & (day_of_month >= 24), 1.6, 1.0)
    years = days / 365.25
    growth = np.array([[(1 + r.growth) ** t for t in years] for r in catalog.REGIONS])
    shares = np.array([r.share for r in catalog.REGIONS])[:, None]
    return days, shares * growth * rate[None, :]


def _orders(
    rng: np.random.Generator, customers: dict[str, np.ndarray], *, start: np.datetime64, end: np.datetime64,
    count: int,
) -> dict[str, np.ndarray]:
    days, intensity = _order_intensity(start, end)
    cells = rng.choice(intensity.size, size=count, p=(intensity / intensity.sum()).ravel())
    region, day = np.divmod(cells, days.size)
    by_date = np.argsort(day, kind="stable")
    region, day = region[by_date], day[by_date]
    customer = np.empty(count, dtype=np.int64)
    for index in range(len(catalog.REGIONS)):
        members = np.flatnonzero(customers["region"] == index)
        weights = customers["frequency"][members]
        mask = region == index
        customer[mask] = rng.choice(members, size=int(mask.sum()), p=weights / weights.sum())
    segment = customers["segment"][customer]
    channel = _pick(rng, np.array(catalog.CHANNEL_MIX), rows=segment)
    return {
        "order_no": np.arange(1, count + 1), "day": day, "region": region,
        "country": customers["country"][customer], "customer_no": customer + 1,
        "segment": segment, "channel": channel,
    }


def _product_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per category: product popularity (padded) and global product index; list prices in cents."""
    categories = catalog.CATEGORIES
    members = [[i for i, p in enumerate(catalog.PRODUCTS) if p.category == c] for c in categories]
    width = max(len(m) for m in members)
    popularity = np.zeros((len(categories), width))
    index = np.zeros((len(categories), width), dtype=np.int64)
    for row, products in enumerate(members):
        for column, product in enumerate(products):
            popularity[row, column] = catalog.PRODUCTS[product].popularity
            index[row, column] = product
    cents = np.array([round(p.list_price * 100) for p in catalog.PRODUCTS], dtype=np.int64)
    return popularity, index, cents


def _lines(rng: np.random.Generator, orders: dict[str, np.ndarray], *, start: np.datetime64) -> pd.DataFrame:
    segment = orders["segment"]
    per_order = np.minimum(1 + rng.poisson(np.array([3.0, 1.8, 1.0, 0.5])[segment]), 12)
    owner = np.repeat(np.arange(segment.size), per_order)
    starts = np.repeat(np.cumsum(per_order) - per_order, per_order)
    columns = {name: values[owner] for name, values in orders.items()}
    columns["line_number"] = np.arange(owner.size) - starts + 1
    line_segment = columns["segment"]
    category = _pick(rng, np.array(catalog.CATEGORY_MIX), rows=line_segment)
    popularity, product_index, base_cents = _product_table()
    product = product_index[category, _pick(rng, popularity, rows=category)]
    quantity = 1 + rng.poisson(np.array([9.0, 3.0, 1.2, 0.15])[line_segment])
    dates = start + columns["day"]
    year_index = dates.astype("datetime64[Y]").astype(int) - start.astype("datetime64[Y]").astype(int)
    price = np.round(base_cents[product] * (1 + PRICE_RISE) ** year_index / 100).astype(np.int64) * 100
    columns.update(category=category, product=product, quantity=quantity, list_price_cents=price)
    columns.update(_amounts(rng, columns, month=dates.astype("datetime64[M]").astype(int) % 12))
    return pd.DataFrame(columns)


def _amounts(
    rng: np.random.Generator, columns: dict[str, np.ndarray], *, month: np.ndarray
) -> dict[str, np.ndarray]:
    """Discounts (whole percent), returns and net revenue, all in integer cents; `month` 0 = January."""
    segment, channel, category = columns["segment"], columns["channel"], columns["category"]
    discount = np.array([15, 10, 5, 2])[segment] + np.array([0, 0, 4, 2])[channel]
    promo = (month == 10) & (segment >= 2)  # November promotions for small business and consumers
    discount = np.clip(discount + 6 * promo + rng.integers(-3, 4, size=segment.size), 0, 35)
    gross = columns["quantity"] * columns["list_price_cents"]
    discount_cents = (gross * discount + 50) // 100
    return_rate = np.array([catalog.RETURN_RATES[c] for c in catalog.CATEGORIES])[category]
    returned = rng.random(segment.size) < return_rate * np.where(channel == 0, 1.5, 1.0)
    returned_cents = np.where(returned, gross - discount_cents, 0)
    return {
        "discount_pct": discount, "gross_cents": gross, "discount_cents": discount_cents,
        "returned": returned, "returned_cents": returned_cents,
        "net_cents": gross - discount_cents - returned_cents,
    }
