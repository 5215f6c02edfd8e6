"""The real seed/ loads on every backend and holds what the documents name."""

from __future__ import annotations

from app.store.base import GraphStore


def test_real_seed_loads_with_every_collection(seeded_store: GraphStore) -> None:
    rows = seeded_store.read("MATCH (n) RETURN labels(n)[0] AS label, count(n) AS n")
    counts = {row["label"]: row["n"] for row in rows}
    for label in ("Municipality", "Administration", "Unit", "Paragraph", "ResponsibilityRule", "Tilbud", "Move"):
        assert counts.get(label, 0) > 0, label
    assert counts["Municipality"] == 3
