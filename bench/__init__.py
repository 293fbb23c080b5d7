"""Benchmarks on real public data: retrieval, stance, check-worthiness and speed (`python -m pipeline bench`)."""
