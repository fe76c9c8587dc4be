"""Test support: what tests and benchmarks need around the product, kept out of the product itself."""
