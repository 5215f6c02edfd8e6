"""Seed → graph on a real engine (every available backend): apply, idempotence, all-or-nothing, export."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.errors import AtomicApplyFailed
from app.schema import Schema, load_schema
from app.seed import SeedInvalid, SyncPlan, apply_plan, export_graph, load_seed, plan_sync
from app.seed.plan import BATCH_ROWS
from app.store.base import GraphStore, Statement

VALID = Path(__file__).parent / "fixtures" / "valid"
FIXTURE_NODES = 24
FIXTURE_RELATIONSHIPS = 36


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A copy of the valid fixture that a test may edit."""
    target = tmp_path / "seed"
    shutil.copytree(VALID, target)
    return target


def sync(seed_dir: Path, schema: Schema, store: GraphStore) -> SyncPlan:
    plan = plan_sync(load_seed(seed_dir, schema), store)
    apply_plan(plan, store)
    return plan


def dump(store: GraphStore) -> tuple[list[str], list[str]]:
    """The whole graph, comparable: every node and relationship with labels/type and all properties."""
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read("MATCH (a)-[r]->(b) RETURN a.uid AS a, type(r) AS type, b.uid AS b, properties(r) AS props")
    return sorted(map(_canonical, nodes)), sorted(map(_canonical, rels))


def _canonical(row: dict[str, Any]) -> str:
    return repr(sorted((key, repr(sorted(value.items())) if isinstance(value, dict) else repr(value))
                       for key, value in row.items()))  # fmt: skip


def counts(store: GraphStore) -> tuple[int, int]:
    (row,) = store.read("MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r")
    return int(row["n"]), int(row["r"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_apply_creates_every_entry_then_a_second_plan_is_empty(
    store: GraphStore, schema: Schema, seed_dir: Path
) -> None:
    store.install_schema(schema)
    seed = load_seed(seed_dir, schema)
    plan = plan_sync(seed, store)
    assert (plan.nodes_to_create, plan.relationships_to_create) == (FIXTURE_NODES, FIXTURE_RELATIONSHIPS)
    assert (plan.nodes_to_update, plan.nodes_to_delete, plan.relationships_to_delete) == (0, 0, 0)
    progress: list[tuple[int, int]] = []
    summary = apply_plan(plan, store, progress=lambda done, total: progress.append((done, total)))
    assert summary.nodes_created == FIXTURE_NODES
    assert summary.relationships_created == FIXTURE_RELATIONSHIPS
    assert counts(store) == (FIXTURE_NODES, FIXTURE_RELATIONSHIPS)
    assert progress[-1] == (len(plan.statements), len(plan.statements))
    second = plan_sync(seed, store)
    assert second.is_empty, second.changes
    assert apply_plan(second, store).nodes_created == 0


def test_the_graph_holds_typed_properties_and_provenance(store: GraphStore, schema: Schema, seed_dir: Path) -> None:
    sync(seed_dir, schema, store)
    (unit,) = store.read(
        "MATCH (u:Unit {uid: 'aarhus-msb-unge-job-og-uddannelse'}) "
        "RETURN u.valid_from = date('2019-08-01') AS dated, u.valid_to IS NULL AS open, properties(u) AS p"
    )
    assert unit["dated"] is True
    assert unit["open"] is True
    props = unit["p"]
    assert props["seed_file"] == "aarhus/organisation.yaml"
    assert props["seed_order"] == 2
    assert props["source_documents"] == ["notat.txt", "notat.txt"]
    assert len(props["source_quotes"]) == 2
    assert props["inferred"] is False
    assert "inferred_reason" not in props
    (rel,) = store.read(
        "MATCH (:Tilbud)-[r:BELONGS_TO]->(:Unit {uid: 'aarhus-msb-unge-job-og-uddannelse'}) RETURN properties(r) AS p"
    )
    assert rel["p"]["inferred"] is True
    assert rel["p"]["source_documents"] == ["notat.txt"]
    (figure,) = store.read("MATCH (f:Figure) RETURN f.value AS value, f.as_of.year AS year")
    assert figure == {"value": 417.0, "year": 2019}


def test_changing_one_property_updates_exactly_that_node(store: GraphStore, schema: Schema, seed_dir: Path) -> None:
    sync(seed_dir, schema, store)
    edit(seed_dir / "aarhus" / "organisation.yaml", "name: Voksenhandicap", "name: Voksenhandicap og psykiatri")
    plan = plan_sync(load_seed(seed_dir, schema), store)
    assert (plan.nodes_to_update, plan.nodes_to_create, plan.nodes_to_delete) == (1, 0, 0)
    assert plan.relationships_to_create + plan.relationships_to_update + plan.relationships_to_delete == 0
    assert [str(c) for c in plan.changes] == ["update Unit aarhus-msb-voksenhandicap (name)"]
    apply_plan(plan, store)
    (row,) = store.read("MATCH (u:Unit {uid: 'aarhus-msb-voksenhandicap'}) RETURN u.name AS name")
    assert row["name"] == "Voksenhandicap og psykiatri"
    assert plan_sync(load_seed(seed_dir, schema), store).is_empty


def test_an_entrys_provenance_reaches_the_relationships_that_inherit_it(
    store: GraphStore, schema: Schema, seed_dir: Path
) -> None:
    sync(seed_dir, schema, store)
    edit(seed_dir / "aarhus" / "organisation.yaml", "quote: Chefen for Unge", "quote: chefen for Unge")
    plan = plan_sync(load_seed(seed_dir, schema), store)
    assert (plan.nodes_to_update, plan.relationships_to_update) == (1, 2)  # LEADS and REPORTS_TO
    apply_plan(plan, store)
    assert plan_sync(load_seed(seed_dir, schema), store).is_empty


def test_removing_an_entry_removes_its_node_and_relationships(
    store: GraphStore, schema: Schema, seed_dir: Path
) -> None:
    sync(seed_dir, schema, store)
    path = seed_dir / "aarhus" / "organisation.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("persons:\n"), text.index("tilbud:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    plan = plan_sync(load_seed(seed_dir, schema), store)
    assert (plan.nodes_to_delete, plan.relationships_to_delete) == (1, 1)
    apply_plan(plan, store)
    assert store.read("MATCH (p:Person) RETURN p.uid AS uid") == []
    assert counts(store) == (FIXTURE_NODES - 1, FIXTURE_RELATIONSHIPS - 1)


def test_nodes_without_seed_file_are_never_touched(store: GraphStore, schema: Schema, seed_dir: Path) -> None:
    sync(seed_dir, schema, store)
    store.write(
        "MATCH (u:Unit {uid: 'aarhus-msb-voksenhandicap'}) "
        "CREATE (c:Condition {uid: 'curated-x', name: 'kurateret'})-[:BROADER]->(:Condition {uid: 'curated-y', "
        "name: 'bredere'}) CREATE (c)-[:CONCERNS_UNIT_NOTE]->(u)"
    )
    before = store.read("MATCH (n) WHERE n.seed_file IS NULL RETURN n.uid AS uid ORDER BY uid")
    edit(seed_dir / "aarhus" / "organisation.yaml", "name: Voksenhandicap", "name: Voksenhandicap 2")
    sync(seed_dir, schema, store)
    assert store.read("MATCH (n) WHERE n.seed_file IS NULL RETURN n.uid AS uid ORDER BY uid") == before
    assert len(store.read("MATCH (:Condition {uid: 'curated-x'})-[r]->() RETURN type(r) AS t")) == 2
    assert plan_sync(load_seed(seed_dir, schema), store).is_empty


def test_a_seed_uid_taken_by_a_curated_node_is_refused(store: GraphStore, schema: Schema, seed_dir: Path) -> None:
    store.write("CREATE (:Condition {uid: 'autisme', name: 'kurateret'})")
    with pytest.raises(SeedInvalid) as caught:
        plan_sync(load_seed(seed_dir, schema), store)
    (problem,) = caught.value.problems
    assert problem.file.endswith("taxonomy/conditions.yaml")
    assert problem.field == "uid"
    assert "did not come from seed files" in problem.message


def test_a_label_change_replaces_the_node_and_keeps_its_relationships(
    store: GraphStore, schema: Schema, seed_dir: Path
) -> None:
    sync(seed_dir, schema, store)
    path = seed_dir / "aarhus" / "organisation.yaml"
    text = path.read_text(encoding="utf-8")
    block_start = text.index("  - uid: aarhus-msb-voksenhandicap\n")
    block_end = text.index("  - uid: aarhus-msb-unge-job-og-uddannelse\n")
    block = text[block_start:block_end].replace("    kind: driftsområde\n", "")
    path.write_text(text[:block_start] + text[block_end:], encoding="utf-8")
    (seed_dir / "aarhus" / "moved.yaml").write_text("administrations:\n" + block, encoding="utf-8")
    seed = load_seed(seed_dir, schema)
    assert next(n for n in seed.nodes if n.uid == "aarhus-msb-voksenhandicap").label == "Administration"
    plan = plan_sync(seed, store)
    assert (plan.nodes_to_delete, plan.nodes_to_create) == (1, 1)
    apply_plan(plan, store)
    assert store.read("MATCH (a:Administration {uid: 'aarhus-msb-voksenhandicap'})<-[r]-() RETURN count(r) AS n") == [
        {"n": 3}  # BELONGS_TO, MOVED_FROM, HELD_BY
    ]
    assert plan_sync(seed, store).is_empty


def test_a_failing_statement_in_the_middle_leaves_the_graph_as_it_was(
    store: GraphStore, schema: Schema, seed_dir: Path
) -> None:
    sync(seed_dir, schema, store)
    before = dump(store)
    edit(seed_dir / "aarhus" / "organisation.yaml", "name: Voksenhandicap", "name: Voksenhandicap 2")
    path = seed_dir / "aarhus" / "organisation.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("persons:\n")] + text[text.index("tilbud:\n") :], encoding="utf-8")
    plan = plan_sync(load_seed(seed_dir, schema), store)
    assert len(plan.statements) >= 2
    broken = (*plan.statements[:-1], Statement("THIS IS NOT CYPHER"), plan.statements[-1])
    with pytest.raises(AtomicApplyFailed):
        apply_plan(dataclasses.replace(plan, statements=broken), store)
    assert dump(store) == before


def test_a_result_that_does_not_equal_the_seed_is_refused(store: GraphStore, schema: Schema, seed_dir: Path) -> None:
    sync(seed_dir, schema, store)
    before = dump(store)
    edit(seed_dir / "aarhus" / "organisation.yaml", "name: Voksenhandicap", "name: Voksenhandicap 2")
    plan = plan_sync(load_seed(seed_dir, schema), store)
    sabotaged = (*plan.statements, Statement("MATCH (n:Goal) SET n.name = 'ændret bag om ryggen'"))
    with pytest.raises(AtomicApplyFailed) as caught:
        apply_plan(dataclasses.replace(plan, statements=sabotaged), store)
    assert "does not equal the seed" in str(caught.value.__cause__)
    assert dump(store) == before


def test_export_reproduces_the_seed_files_byte_for_byte(
    store: GraphStore, schema: Schema, seed_dir: Path, tmp_path: Path
) -> None:
    sync(seed_dir, schema, store)
    out = tmp_path / "export"
    written = export_graph(store, schema, out)
    originals = sorted(p.relative_to(VALID) for p in VALID.rglob("*.yaml"))
    assert sorted(p.relative_to(out) for p in written) == originals
    for relative in originals:
        assert (out / relative).read_bytes() == (VALID / relative).read_bytes(), relative


def test_export_writes_curated_nodes_to_curated_yaml(store: GraphStore, schema: Schema, tmp_path: Path) -> None:
    store.write("CREATE (:Condition {uid: 'curated-x', name: 'kurateret', synonyms: ['a', 'b']})")
    (path,) = export_graph(store, schema, tmp_path)
    assert path == tmp_path / "curated.yaml"
    assert path.read_text(encoding="utf-8") == (
        "conditions:\n  - uid: curated-x\n    name: kurateret\n    synonyms:\n      - a\n      - b\n"
    )


@pytest.mark.slow
def test_a_large_seed_is_written_in_batches(store: GraphStore, schema: Schema, tmp_path: Path) -> None:
    count = BATCH_ROWS * 2 + 10
    cite = "    source:\n      document: doc.txt\n      section: s\n      quote: q\n"
    entries = "".join(
        f"  - uid: c-{i}\n    name: tilstand {i}\n" + (f"    broader:\n      - c-{i - 1}\n" if i else "") + cite
        for i in range(count)
    )
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "sources.yaml").write_text("sources:\n  - uid: doc.txt\n    name: D\n    kind: dokument\n")
    (seed_dir / "conditions.yaml").write_text("conditions:\n" + entries, encoding="utf-8")
    store.install_schema(schema)
    plan = plan_sync(load_seed(seed_dir, schema), store)
    assert len(plan.statements) == 3 + 1 + 3  # conditions in 3 batches, the source, relationships in 3
    apply_plan(plan, store)
    assert counts(store) == (count + 1, count - 1)
    assert plan_sync(load_seed(seed_dir, schema), store).is_empty
