"""The seed/curation policy (docs/curation.md): a seed run never silently reverts curated changes, curated
nodes export into the seed file their siblings live in, and the audit log is neither seeded nor exported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.config import Settings
from app.domain import curation
from app.domain.audit import AUDIT_LABEL, CuratedChangesPending, audit_log, curated_since_last_sync, sync_seed_guarded
from app.domain.curation import Actor, CreateUnit, Evidence, MoveUnit
from app.resources import project_dir
from app.schema import load_schema
from app.seed import export_graph, load_seed
from app.store import open_store
from app.store.base import GraphStore
from tests.cli_support import run_cli

ANNA = Actor("anna", "curator")
CITED = Evidence(document="003_5b2cd4c41ea65390.txt", section="1.2.2 Unge, Job og Uddannelse", quote="Ungdomscenteret")
UC = "aarhus-msb-ungdomscenteret"
VJH = "aarhus-msb-voksne-job-og-handicap"


@pytest.fixture
def seeded(store: GraphStore) -> GraphStore:
    store.install_schema(load_schema())
    outcome = sync_seed_guarded(store, load_seed(project_dir("seed"), load_schema()))
    assert outcome.summary is not None
    assert outcome.curated.count == 0
    assert audit_log(store) == [], "a sync with nothing curated writes no marker"
    return store


def parents(store: GraphStore) -> list[str]:
    rows = store.read(
        "MATCH (u:Unit {uid: $uid})-[r:PART_OF]->(p) RETURN p.uid AS p ORDER BY r.valid_from", {"uid": UC}
    )
    return [row["p"] for row in rows]


def test_seed_refuses_to_revert_curated_changes_unless_told_to(seeded: GraphStore) -> None:
    seed = load_seed(project_dir("seed"), load_schema())
    original = parents(seeded)
    curation.move_unit(seeded, ANNA, MoveUnit(UC, VJH, date(2024, 1, 1), CITED))
    moved = parents(seeded)
    assert moved == [*original, VJH]
    with pytest.raises(CuratedChangesPending) as refused:
        sync_seed_guarded(seeded, seed)
    message = str(refused.value)
    assert "1 curated change(s)" in message
    assert "moveUnit" in message
    assert "anna" in message
    assert "socialatlas export" in message
    assert "--discard-curated" in message
    assert parents(seeded) == moved, "nothing was reverted"

    outcome = sync_seed_guarded(seeded, seed, discard_curated=True)
    assert outcome.summary is not None
    assert outcome.curated.count == 1
    assert parents(seeded) == original
    assert audit_log(seeded)[0].operation == "seedSync"
    assert curated_since_last_sync(seeded).count == 0
    again = sync_seed_guarded(seeded, seed)
    assert again.summary is None
    assert again.plan.is_empty


def test_curated_nodes_export_into_their_siblings_file_and_the_audit_log_does_not(
    seeded: GraphStore, tmp_path: Path
) -> None:
    created = curation.create_unit(
        seeded,
        ANNA,
        CreateUnit(parent=VJH, name="Kurateret enhed", kind="enhed", effective_on=date(2024, 1, 1), evidence=CITED),
    )
    assert seeded.read(f"MATCH (a:{AUDIT_LABEL}) RETURN count(a) AS n")[0]["n"] == 1
    written = export_graph(seeded, load_schema(), tmp_path)
    assert not (tmp_path / "curated.yaml").exists()
    texts = {path.relative_to(tmp_path).as_posix(): path.read_text(encoding="utf-8") for path in written}
    assert f"uid: {created.uid}" in texts["aarhus/organisation.yaml"]
    assert not any("audit-" in text for text in texts.values())
    exported = load_seed(tmp_path, load_schema())  # valid seed files, with the curated unit and its link
    assert created.uid in {node.uid for node in exported.nodes}
    assert any(rel.from_uid == created.uid and rel.to_uid == VJH for rel in exported.relationships)
    # Seeding from the reviewed export changes nothing, keeps the curated unit and marks the change as taken in.
    outcome = sync_seed_guarded(seeded, exported)
    assert outcome.plan.is_empty, [str(change) for change in outcome.plan.changes]
    assert outcome.curated.count == 1
    assert audit_log(seeded)[0].operation == "seedSync"
    assert seeded.read("MATCH (u:Unit {uid: $uid}) RETURN count(u) AS n", {"uid": created.uid})[0]["n"] == 1
    assert curated_since_last_sync(seeded).count == 0


def test_the_seed_command_exits_1_naming_the_curated_changes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = run_cli("seed", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    store = open_store(Settings(data_dir=data_dir))
    try:
        curation.move_unit(store, ANNA, MoveUnit(UC, VJH, date(2024, 1, 1), CITED))
    finally:
        store.close()
    dry = run_cli("seed", "--dry-run", data_dir=data_dir)
    assert dry.returncode == 0, dry.stderr
    assert "1 curated change(s)" in dry.stderr
    refused = run_cli("seed", data_dir=data_dir)
    assert refused.returncode == 1
    assert "1 curated change(s)" in refused.stderr, refused.stderr
    assert "moveUnit" in refused.stderr
    assert "socialatlas export" in refused.stderr
    discarded = run_cli("seed", "--discard-curated", data_dir=data_dir)
    assert discarded.returncode == 0, discarded.stderr
    assert "Applied" in discarded.stdout
    again = run_cli("seed", data_dir=data_dir)
    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout
