"""Write seed files in canonical form: from the graph (`export_graph`) or from themselves (`format_seed_dir`).

Both group entries by file the same way and render through `dump_canonical`, so
exporting what a seed folder loaded gives back its files byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from app.errors import SocialatlasError
from app.schema.model import Schema
from app.seed.emit import dump_canonical
from app.seed.graph import read_graph
from app.seed.model import CURATED_FILE, SEED_FILE, UID, NodeRecord, RelRecord
from app.seed.validate import load_seed
from app.store.base import GraphStore


class ExportRefused(SocialatlasError):
    """A node's `seed_file` is not a relative `.yaml` path, so export will not write there."""

    code = "EXPORT_REFUSED"


def export_graph(store: GraphStore, schema: Schema, out_dir: Path) -> list[Path]:
    """Write every schema node to `out_dir/<seed_file>` (nodes without one: `curated.yaml`); returns the files.

    Nodes with a label the schema does not declare or does not seed (the audit log), or without a uid, have
    no seed form and are skipped.
    """
    state = read_graph(store, schema, seed_managed=False)
    seeded = {label for label, spec in schema.nodes.items() if spec.seed_key is not None}
    nodes = [n for n in state.nodes if n.label in seeded and isinstance(n.props.get(UID), str)]
    by_file: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in nodes:
        seed_file = node.props.get(SEED_FILE)
        by_file[_safe_file(seed_file) if isinstance(seed_file, str) else CURATED_FILE].append(node)
    outgoing = _by_file(by_file, state.relationships)
    written: list[Path] = []
    for seed_file in sorted(by_file):
        path = out_dir / seed_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dump_canonical(by_file[seed_file], outgoing[seed_file], schema).encode("utf-8"))
        written.append(path)
    return written


def format_seed_dir(seed_dir: Path, schema: Schema, check_only: bool) -> list[Path]:
    """Files of `seed_dir` not in canonical form; rewritten unless `check_only`. Raises SeedInvalid first."""
    seed = load_seed(seed_dir, schema)
    by_file: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in seed.nodes:
        by_file[str(node.props[SEED_FILE])].append(node)
    outgoing = _by_file(by_file, seed.relationships)
    changed: list[Path] = []
    for seed_file in seed.files:
        path = seed_dir / seed_file
        canonical = dump_canonical(by_file.get(seed_file, []), outgoing[seed_file], schema).encode("utf-8")
        if path.read_bytes() != canonical:
            changed.append(path)
            if not check_only:
                path.write_bytes(canonical)
    return changed


def _by_file(
    nodes_by_file: Mapping[str, list[NodeRecord]], relationships: Iterable[RelRecord]
) -> defaultdict[str, list[RelRecord]]:
    """Relationships grouped by the file of the entry they start at (where they are written)."""
    file_of = {node.uid: seed_file for seed_file, nodes in nodes_by_file.items() for node in nodes}
    grouped: defaultdict[str, list[RelRecord]] = defaultdict(list)
    for rel in relationships:
        if rel.from_uid in file_of:
            grouped[file_of[rel.from_uid]].append(rel)
    return grouped


def _safe_file(seed_file: str) -> str:
    path = PurePosixPath(seed_file)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".yaml" or not path.parts:
        raise ExportRefused(f"seed_file {seed_file!r} is not a relative path of a .yaml file")
    return path.as_posix()
