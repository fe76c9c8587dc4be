"""The demo dataset's SQL: the `orders` table's columns from the generated codes, and the `sales` view.

`ORDERS_SQL` turns the integer codes and cents numpy draws into typed columns (catalogue names,
exact DECIMAL money); `VIEW_SQL` adds the calendar columns queries group by. It runs nothing and
draws nothing (see `mas.demo.dataset`).
"""

from __future__ import annotations

from pathlib import Path

from mas.demo import catalog

TABLE = "orders"
VIEW = "sales"


def sql_path(path: Path) -> str:
    """A path as the inside of a single-quoted SQL string."""
    return str(path).replace("'", "''")


def _list_literal(values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"[{quoted}]"


def _money(column: str) -> str:
    # Integer cents to an exact DECIMAL: no binary floating point on the way.
    return f"CAST(CAST({column} AS DECIMAL(14, 0)) * 0.01 AS DECIMAL(12, 2))"


ORDERS_SQL = f"""
SELECT
  printf('SO-%07d', order_no) AS order_id,
  CAST(line_number AS INTEGER) AS line_number,
  CAST(DATE '{{start}}' + CAST(day AS INTEGER) AS DATE) AS order_date,
  printf('C-%05d', customer_no) AS customer_id,
  {_list_literal(catalog.SEGMENTS)}[segment + 1] AS customer_segment,
  {_list_literal(tuple(region.name for region in catalog.REGIONS))}[region + 1] AS region,
  {_list_literal(catalog.COUNTRIES)}[country + 1] AS country,
  {_list_literal(catalog.CHANNELS)}[channel + 1] AS channel,
  {_list_literal(catalog.CATEGORIES)}[category + 1] AS category,
  {_list_literal(tuple(product.name for product in catalog.PRODUCTS))}[product + 1] AS product,
  CAST(quantity AS INTEGER) AS quantity,
  {_money("list_price_cents")} AS list_price,
  CAST(CAST(discount_pct AS DECIMAL(4, 0)) * 0.01 AS DECIMAL(4, 2)) AS discount_rate,
  {_money("gross_cents")} AS gross_revenue,
  {_money("discount_cents")} AS discount_amount,
  returned AS is_returned,
  {_money("returned_cents")} AS returned_amount,
  {_money("net_cents")} AS net_revenue
FROM gen
ORDER BY order_no, line_number
"""

VIEW_SQL = f"""
CREATE VIEW {VIEW} AS
SELECT
  *,
  CAST(year(order_date) AS INTEGER) AS year,
  CAST(quarter(order_date) AS INTEGER) AS quarter,
  CAST(month(order_date) AS INTEGER) AS month,
  CAST(date_trunc('month', order_date) AS DATE) AS order_month,
  printf('%d-Q%d', year(order_date), quarter(order_date)) AS order_quarter
FROM {TABLE}
"""
