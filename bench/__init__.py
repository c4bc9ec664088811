"""Benchmarks: a synthetic corpus generator, the loader benchmark and the HTTP benchmark."""
