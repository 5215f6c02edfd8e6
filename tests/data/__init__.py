"""Tests of the curated data in seed/ (no database needed)."""
