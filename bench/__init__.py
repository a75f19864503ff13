"""Benchmarks: run by hand (`python -m bench.batch`), never by the test suite."""
