"""Socialatlas: a graph knowledge base of how Danish municipalities organise social services."""

__version__ = "0.1.0"
