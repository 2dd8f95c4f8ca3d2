"""Benchmarks against the sandbox chain with injected latency (never part of the test suite)."""
