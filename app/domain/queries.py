"""The named Cypher queries in `cypher/`, loaded by name: one copy of each query,
run by analysts (`socialatlas cypher --file`) and by the domain code alike."""

from __future__ import annotations

from functools import cache

from app.errors import NotFound
from app.resources import project_dir


@cache
def load_query(name: str) -> str:
    """Text of `cypher/<name>.cypher`."""
    path = project_dir("cypher") / f"{name}.cypher"
    if not path.is_file():
        raise NotFound(f"no query named {name!r} in {path.parent}")
    return path.read_text(encoding="utf-8")
