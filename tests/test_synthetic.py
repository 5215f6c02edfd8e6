"""The synthetic national seed generator (benchmarks/synthetic.py): valid, sized like its template, deterministic.

No timing here: speed is reported by the benchmark scripts, never asserted.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.runtime import sync_seed
from app.schema import load_schema
from app.seed import SeedSet, load_seed
from app.store.base import GraphStore
from benchmarks.synthetic import MANIFEST, Summary, generate

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
TEMPLATE = SEED_DIR / "aarhus"
SHARED_FILES = ("sources.yaml", "law/paragraphs.yaml", "taxonomy/conditions.yaml")


@pytest.fixture(scope="module")
def real_seed() -> SeedSet:
    return load_seed(SEED_DIR, load_schema())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    out = tmp_path_factory.mktemp("synthetic") / "seed"
    return out, generate(out, municipalities=2)


@pytest.fixture(scope="module")
def synthetic_seed(generated: tuple[Path, Summary]) -> SeedSet:
    return load_seed(generated[0], load_schema())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _aarhus(seed: SeedSet) -> tuple[int, int]:
    uids = {n.uid for n in seed.nodes if str(n.props["seed_file"]).startswith("aarhus/")}
    return len(uids), sum(1 for r in seed.relationships if r.from_uid in uids)


def _shared(seed: SeedSet) -> tuple[int, int]:
    uids = {n.uid for n in seed.nodes if n.props["seed_file"] in SHARED_FILES}
    return len(uids), sum(1 for r in seed.relationships if r.from_uid in uids)


def test_generated_folder_is_valid_and_twice_the_template(
    generated: tuple[Path, Summary], synthetic_seed: SeedSet, real_seed: SeedSet
) -> None:
    out, summary = generated
    aarhus_nodes, aarhus_rels = _aarhus(real_seed)
    shared_nodes, shared_rels = _shared(real_seed)
    assert aarhus_nodes > 100  # the template really is Aarhus MSB
    expected_nodes = 2 * aarhus_nodes + 2 + shared_nodes  # two copies, two Municipality entries, shared files
    expected_rels = 2 * aarhus_rels + shared_rels
    assert len(synthetic_seed.nodes) == expected_nodes == summary.nodes
    assert len(synthetic_seed.relationships) == expected_rels == summary.relationships
    template_files = sorted(p.name for p in TEMPLATE.glob("*.yaml"))
    expected_files = [*SHARED_FILES, "municipalities.yaml"]
    expected_files += [f"synth-{i:03d}/{name}" for i in (1, 2) for name in template_files]
    assert sorted(synthetic_seed.files) == sorted(expected_files)
    assert summary.files == len(expected_files)
    for name in SHARED_FILES:
        assert (out / name).read_bytes() == (SEED_DIR / name).read_bytes(), name


def test_copies_have_the_shape_of_the_template(synthetic_seed: SeedSet, real_seed: SeedSet) -> None:
    aarhus = Counter(n.label for n in real_seed.nodes if str(n.props["seed_file"]).startswith("aarhus/"))
    for prefix in ("synth-001", "synth-002"):
        labels = Counter(n.label for n in synthetic_seed.nodes if str(n.props["seed_file"]).startswith(prefix + "/"))
        assert labels == aarhus
    munis = {n.uid: n for n in synthetic_seed.nodes if n.label == "Municipality"}
    assert sorted(munis) == ["synth-001", "synth-002"]
    assert munis["synth-001"].props["name"] == "Aarhus (synth-001)"


def test_uids_are_unique_valid_and_rewritten(synthetic_seed: SeedSet) -> None:
    uids = [n.uid for n in synthetic_seed.nodes]
    assert len(uids) == len(set(uids))
    pattern = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
    for node in synthetic_seed.nodes:
        if node.label == "Source":
            continue
        assert pattern.fullmatch(node.uid), node.uid
        assert not node.uid.startswith("aarhus"), node.uid
        folder = str(node.props["seed_file"]).split("/")[0]
        if folder.startswith("synth-"):
            assert node.uid.startswith(folder + "-"), node.uid
    assert not any(uid.startswith("aarhus") for r in synthetic_seed.relationships for uid in (r.from_uid, r.to_uid))


def test_names_are_suffixed_and_provenance_kept(synthetic_seed: SeedSet, real_seed: SeedSet) -> None:
    original = {n.uid: n for n in real_seed.nodes}
    copy = {n.uid: n for n in synthetic_seed.nodes}
    unit = copy["synth-002-msb-unge-job-og-uddannelse"]
    source = original["aarhus-msb-unge-job-og-uddannelse"]
    assert unit.props["name"] == f"{source.props['name']} (synth-002)"
    for key in ("source_documents", "source_sections", "source_quotes", "valid_from", "kind"):
        assert unit.props.get(key) == source.props.get(key), key


def test_generation_is_deterministic(generated: tuple[Path, Summary], tmp_path: Path) -> None:
    out, _ = generated
    again = tmp_path / "again"
    generate(again, municipalities=2)
    assert _files(again) == _files(out)
    assert (out / MANIFEST).is_file()


def test_seed_shifts_dates_deterministically(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", municipalities=2, seed=7, shift_years=3)
    generate(tmp_path / "b", municipalities=2, seed=7, shift_years=3)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    seed = load_seed(tmp_path / "a", load_schema())  # shifted periods stay valid
    assert len(seed.nodes) == first.nodes


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("not generated", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate(tmp_path, municipalities=1)
    assert (tmp_path / "keep.txt").is_file()


def test_generated_folder_loads_into_the_store(
    store: GraphStore, generated: tuple[Path, Summary], synthetic_seed: SeedSet
) -> None:
    out, summary = generated
    store.install_schema(load_schema())
    outcome = sync_seed(store, out)
    assert outcome.plan.nodes_to_create == summary.nodes
    assert outcome.plan.relationships_to_create == summary.relationships
    health = store.health()
    assert (health.nodes, health.relationships) == (summary.nodes, summary.relationships)
    rows = store.read(
        "MATCH (r:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m:Municipality) RETURN m.uid AS m, count(r) AS n ORDER BY m"
    )
    per_copy = sum(1 for n in synthetic_seed.nodes if n.label == "ResponsibilityRule") // 2
    assert rows == [{"m": "synth-001", "n": per_copy}, {"m": "synth-002", "n": per_copy}]
    assert not sync_seed(store, out).changed
