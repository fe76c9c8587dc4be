"""The fixed business catalogue behind the demo revenue dataset.

Regions with their countries, sales channels, customer segments, product categories and
products with list prices, plus the everyday names people use for them. Both the dataset
generator and the question mapper read it, so a value the data holds is a value a question
can name. It holds no data rows and no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    name: str
    share: float
    """Share of orders in the first year."""
    growth: float
    """Yearly growth of the order count."""
    countries: tuple[tuple[str, float], ...]


REGIONS: tuple[Region, ...] = (
    Region(
        "North America", 0.42, 0.10,
        (("United States", 0.84), ("Canada", 0.16)),
    ),
    Region(
        "EMEA", 0.30, 0.13,
        (("United Kingdom", 0.27), ("Germany", 0.26), ("France", 0.19), ("Netherlands", 0.11),
         ("Spain", 0.10), ("Sweden", 0.07)),
    ),
    Region(
        "APAC", 0.18, 0.26,
        (("Japan", 0.30), ("Australia", 0.25), ("India", 0.19), ("Singapore", 0.14), ("South Korea", 0.12)),
    ),
    Region(
        "LATAM", 0.10, 0.20,
        (("Brazil", 0.46), ("Mexico", 0.34), ("Chile", 0.11), ("Colombia", 0.09)),
    ),
)

COUNTRIES: tuple[str, ...] = tuple(country for region in REGIONS for country, _ in region.countries)

CHANNELS: tuple[str, ...] = ("Online", "Retail", "Partner", "Direct Sales")

SEGMENTS: tuple[str, ...] = ("Enterprise", "Mid-Market", "Small Business", "Consumer")

SEGMENT_SHARES: tuple[float, ...] = (0.08, 0.17, 0.30, 0.45)
"""Share of customers in each segment (same order as SEGMENTS)."""

CHANNEL_MIX: tuple[tuple[float, ...], ...] = (
    # Online, Retail, Partner, Direct Sales — one row per segment.
    (0.10, 0.00, 0.35, 0.55),
    (0.30, 0.05, 0.40, 0.25),
    (0.50, 0.25, 0.20, 0.05),
    (0.60, 0.40, 0.00, 0.00),
)


@dataclass(frozen=True)
class Product:
    name: str
    category: str
    list_price: float
    """List price in the first year, in dollars."""
    popularity: float


PRODUCTS: tuple[Product, ...] = (
    Product("Aurora Laptop 14", "Computers", 1299.00, 1.0),
    Product("Aurora Laptop 16 Pro", "Computers", 2199.00, 0.6),
    Product("Nimbus Desktop", "Computers", 999.00, 0.5),
    Product("Nimbus Workstation", "Computers", 3499.00, 0.25),
    Product("Slate Tablet", "Computers", 649.00, 0.7),
    Product("Echo Buds", "Audio", 149.00, 1.0),
    Product("Echo Headphones Pro", "Audio", 349.00, 0.7),
    Product("Studio Soundbar", "Audio", 499.00, 0.4),
    Product("Pulse Speaker", "Audio", 129.00, 0.8),
    Product("Halo Thermostat", "Smart Home", 199.00, 0.8),
    Product("Halo Camera", "Smart Home", 179.00, 1.0),
    Product("Halo Doorbell", "Smart Home", 229.00, 0.7),
    Product("Halo Hub", "Smart Home", 99.00, 0.5),
    Product("Dock Station", "Accessories", 229.00, 0.6),
    Product("Wireless Keyboard", "Accessories", 89.00, 1.0),
    Product("Precision Mouse", "Accessories", 59.00, 1.0),
    Product("UltraView 27 Monitor", "Accessories", 449.00, 0.7),
    Product("PowerCharge 100W", "Accessories", 69.00, 0.8),
    Product("Office Suite Annual", "Software", 119.00, 1.0),
    Product("Shield Security Suite", "Software", 79.00, 0.8),
    Product("Cloud Backup 2TB", "Software", 99.00, 0.7),
    Product("Design Studio License", "Software", 599.00, 0.3),
    Product("Extended Warranty", "Services", 149.00, 1.0),
    Product("On-site Setup", "Services", 299.00, 0.5),
    Product("Premium Support Plan", "Services", 999.00, 0.35),
    Product("Training Workshop", "Services", 1499.00, 0.2),
)

CATEGORIES: tuple[str, ...] = ("Computers", "Audio", "Smart Home", "Accessories", "Software", "Services")

CATEGORY_MIX: tuple[tuple[float, ...], ...] = (
    # Computers, Audio, Smart Home, Accessories, Software, Services — one row per segment.
    (0.20, 0.05, 0.05, 0.25, 0.27, 0.18),
    (0.20, 0.08, 0.07, 0.27, 0.23, 0.15),
    (0.18, 0.12, 0.10, 0.32, 0.18, 0.10),
    (0.12, 0.30, 0.26, 0.24, 0.05, 0.03),
)

RETURN_RATES: dict[str, float] = {
    "Computers": 0.040, "Audio": 0.070, "Smart Home": 0.060,
    "Accessories": 0.050, "Software": 0.010, "Services": 0.005,
}

MONTH_SEASONALITY: tuple[float, ...] = (
    # Jan … Dec: a post-holiday lull, a summer dip and a Q4 peak.
    0.86, 0.84, 0.97, 0.95, 0.96, 0.86, 0.74, 0.78, 1.00, 1.08, 1.30, 1.45,
)

DIMENSION_VALUES: dict[str, tuple[str, ...]] = {
    "region": tuple(region.name for region in REGIONS),
    "country": COUNTRIES,
    "channel": CHANNELS,
    "category": CATEGORIES,
    "product": tuple(product.name for product in PRODUCTS),
    "segment": SEGMENTS,
}
"""Every value a question can filter on, by dimension."""

VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    # Everyday names, matched case-insensitively as whole words; the value's own name always matches too.
    "region": {
        "North America": ("north american", "n. america", "us and canada", "nam", "noram"),
        "EMEA": ("europe", "european", "europe middle east and africa"),
        "APAC": ("asia pacific", "asia-pacific", "asia", "asian"),
        "LATAM": ("latin america", "latin american", "south america", "latam region"),
    },
    "country": {
        "United States": ("usa", "u.s.", "u.s.a.", "the states", "america"),
        "United Kingdom": ("uk", "u.k.", "britain", "great britain", "england"),
        "South Korea": ("korea",),
        "Netherlands": ("holland", "the netherlands"),
    },
    "channel": {
        "Online": ("e-commerce", "ecommerce", "web", "website", "web store", "webshop", "digital"),
        "Retail": ("stores", "store", "in-store", "brick and mortar", "shops"),
        "Partner": ("partners", "resellers", "reseller", "distributors", "distributor", "channel partners"),
        "Direct Sales": ("direct", "field sales", "sales team", "direct channel"),
    },
    "segment": {
        "Enterprise": ("enterprises", "large accounts", "large customers", "corporate"),
        "Mid-Market": ("mid market", "midmarket", "mid-sized", "mid sized", "medium businesses"),
        "Small Business": ("small businesses", "smb", "smbs", "small and medium", "small companies"),
        "Consumer": ("consumers", "individuals", "retail customers", "b2c"),
    },
    "category": {
        "Computers": ("computer", "laptops", "laptop", "pcs", "desktops"),
        "Audio": ("headphones", "speakers"),
        "Smart Home": ("smart-home", "smarthome", "home automation"),
        "Accessories": ("accessory", "peripherals"),
        "Software": ("licenses", "software licenses", "subscriptions"),
        "Services": ("support services", "professional services"),
    },
}

CASE_SENSITIVE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    # Upper-case abbreviations that are ordinary words in lower case ("show us", "na").
    "country": {"United States": ("US", "U.S")},
    "region": {"North America": ("NA",)},
}
