"""HTTP adapters (FastAPI)."""
