"""Benchmarks: a synthetic national-scale seed generator and scripts that print figures.

Speed is measured here and reported by the scripts; tests never assert timings.
See benchmarks/README.md.
"""
