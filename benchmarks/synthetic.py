"""A synthetic national-scale seed: N copies of one municipality's seed files (Aarhus MSB by default).

`generate(out_dir, municipalities=98)` writes a seed folder that `load_seed` accepts:

- `synth-NNN/<file>.yaml` for each municipality NNN (1-based, three digits): every entry of the
  template folder (administrations, units, positions, persons, tilbud, target groups, rules, the
  reorganisation and its moves, figures, focus areas …) with its uid rewritten (`aarhus-msb` →
  `synth-042-msb`, `aarhus` → `synth-042`; a uid without the municipality prefix gets the new
  prefix in front) and its `name` / `title` suffixed with ` (synth-042)`. Relationships to
  entries of the template point to the copies; those to shared entries (paragraphs, conditions)
  stay. Provenance stays as in the template: the quotes still occur in the real documents.
- `municipalities.yaml`: one Municipality `synth-NNN` per copy, citing what the template
  municipality's entry cites.
- `sources.yaml`, `law/`, `taxonomy/`: copied byte for byte from beside the template.
- `synthetic.json`: the parameters (ignored by the loader, which reads `*.yaml` only).

Files are written through the project's canonical emitter, so the folder is in canonical form.
The output depends only on the template and the arguments: the same call writes the same bytes.
`seed` only matters with `shift_years > 0`: each copy's dates (validity, `effective_on`, `as_of`,
…) are then shifted by a whole number of years drawn from `random.Random(seed)` in
[-shift_years, shift_years], so the copies reorganise in different years.

Run `python -m benchmarks.synthetic --out /tmp/national --municipalities 98` to generate and then
measure `load_seed` + `sync_seed` into a fresh embedded store (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.resources import project_dir
from app.schema import Schema, load_schema
from app.seed import NodeRecord, RelRecord, SeedSet, dump_canonical, load_seed
from app.seed.model import SEED_FILE, SEED_ORDER, UID
from app.seed.validate import UID_PATTERN
from app.seed.values import Value

DEFAULT_TEMPLATE = project_dir("seed") / "aarhus"
SHARED = ("sources.yaml", "law", "taxonomy")
"""Files and folders beside the template that are copied unchanged."""
MUNICIPALITIES_FILE = "municipalities.yaml"
MANIFEST = "synthetic.json"
"""Written into every generated folder; also what allows `generate` to replace an existing folder."""
PREFIX = "synth"
NAME_PROPERTIES = ("name", "title")
MUNICIPALITY_LABEL = "Municipality"


@dataclass(frozen=True)
class Summary:
    """What `generate` wrote."""

    out_dir: Path
    municipalities: int
    files: int
    """Seed files (`*.yaml`) written, shared ones included."""
    nodes: int
    relationships: int
    template_nodes: int
    """Entries of one copy (the template folder's entries)."""
    template_relationships: int
    shared_nodes: int
    """Entries of the shared files (sources, paragraphs, conditions)."""
    shared_relationships: int
    bytes: int
    """Total size of the seed files."""


@dataclass(frozen=True)
class _Template:
    schema: Schema
    municipality: NodeRecord
    files: tuple[str, ...]
    """Seed files of the template, relative to the template folder (posix)."""
    nodes: dict[str, list[NodeRecord]]
    """Entries per template file."""
    relationships: dict[str, list[RelRecord]]
    """Relationships starting at the entries of each template file."""
    uids: frozenset[str]
    shared_files: tuple[Path, ...]
    shared_nodes: int
    shared_relationships: int


def municipality_uid(index: int) -> str:
    """`synth-042` for index 42 (indexes are 1-based)."""
    return f"{PREFIX}-{index:03d}"


def generate(
    out_dir: Path,
    municipalities: int = 98,
    template: Path = DEFAULT_TEMPLATE,
    seed: int = 0,
    shift_years: int = 0,
) -> Summary:
    """Write a seed folder of `municipalities` copies of `template` into `out_dir`; see the module docstring.

    `out_dir` must be absent, empty, or a folder this function wrote before (it is then replaced).
    """
    if not 1 <= municipalities <= 999:
        raise ValueError("municipalities must be between 1 and 999")
    if shift_years < 0:
        raise ValueError("shift_years must not be negative")
    loaded = _load_template(Path(template))
    _prepare_out_dir(out_dir)
    rng = random.Random(seed)
    shifts = [rng.randint(-shift_years, shift_years) for _ in range(municipalities)]

    written: list[Path] = []
    for source in loaded.shared_files:
        target = out_dir / source.relative_to(Path(template).parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)

    muni_nodes: list[NodeRecord] = []
    for index in range(1, municipalities + 1):
        prefix = municipality_uid(index)
        uid_map = _uid_map(loaded, prefix)
        years = shifts[index - 1]
        muni_nodes.append(_municipality(loaded.municipality, prefix, index - 1))
        folder = out_dir / prefix
        folder.mkdir(parents=True, exist_ok=True)
        for name in loaded.files:
            seed_file = f"{prefix}/{name}"
            nodes = [_copy_node(n, uid_map, prefix, seed_file, years) for n in loaded.nodes[name]]
            rels = [_copy_rel(r, uid_map, years) for r in loaded.relationships[name]]
            path = out_dir / seed_file
            path.write_bytes(dump_canonical(nodes, rels, loaded.schema).encode("utf-8"))
            written.append(path)
    muni_path = out_dir / MUNICIPALITIES_FILE
    muni_path.write_bytes(dump_canonical(muni_nodes, [], loaded.schema).encode("utf-8"))
    written.append(muni_path)

    manifest = {
        "generator": "benchmarks.synthetic",
        "template": Path(template).name,
        "municipalities": municipalities,
        "seed": seed,
        "shift_years": shift_years,
        "shifts": {municipality_uid(i + 1): shifts[i] for i in range(municipalities) if shifts[i]},
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    template_nodes = sum(len(v) for v in loaded.nodes.values())
    template_rels = sum(len(v) for v in loaded.relationships.values())
    return Summary(
        out_dir=out_dir,
        municipalities=municipalities,
        files=len(written),
        nodes=municipalities * (template_nodes + 1) + loaded.shared_nodes,
        relationships=municipalities * template_rels + loaded.shared_relationships,
        template_nodes=template_nodes,
        template_relationships=template_rels,
        shared_nodes=loaded.shared_nodes,
        shared_relationships=loaded.shared_relationships,
        bytes=sum(p.stat().st_size for p in written),
    )


# --- the template ---------------------------------------------------------------------------------------


def _load_template(template: Path) -> _Template:
    """Validate the template with just the files it needs (shared files, municipalities.yaml) and split it."""
    root = template.parent
    if not template.is_dir():
        raise FileNotFoundError(f"template folder {template} does not exist")
    shared_files = tuple(sorted(_yaml_files(root, SHARED), key=lambda p: p.relative_to(root).as_posix()))
    schema = load_schema()
    with tempfile.TemporaryDirectory(prefix="synthetic-template-") as tmp:
        work = Path(tmp)
        for path in (*shared_files, root / MUNICIPALITIES_FILE):
            target = work / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        shutil.copytree(template, work / template.name)
        seed_set = load_seed(work, schema)
    return _split(seed_set, template.name, schema, shared_files, root)


def _yaml_files(root: Path, names: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = root / name
        if path.is_dir():
            found.extend(path.rglob("*.yaml"))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"shared seed file or folder {path} does not exist")
    return found


def _split(seed_set: SeedSet, folder: str, schema: Schema, shared_files: tuple[Path, ...], root: Path) -> _Template:
    shared_names = {p.relative_to(root).as_posix() for p in shared_files}
    nodes: dict[str, list[NodeRecord]] = defaultdict(list)
    file_of: dict[str, str] = {}
    by_uid: dict[str, NodeRecord] = {}
    shared_uids: set[str] = set()
    for node in seed_set.nodes:
        by_uid[node.uid] = node
        seed_file = str(node.props[SEED_FILE])
        if seed_file.startswith(folder + "/"):
            name = PurePosixPath(seed_file).relative_to(folder).as_posix()
            nodes[name].append(node)
            file_of[node.uid] = name
        elif seed_file in shared_names:
            shared_uids.add(node.uid)
    relationships: dict[str, list[RelRecord]] = defaultdict(list)
    shared_rels = 0
    referenced_municipalities: set[str] = set()
    for rel in seed_set.relationships:
        if rel.from_uid in file_of:
            relationships[file_of[rel.from_uid]].append(rel)
            target = by_uid[rel.to_uid]
            if target.label == MUNICIPALITY_LABEL:
                referenced_municipalities.add(rel.to_uid)
            elif rel.to_uid not in file_of and rel.to_uid not in shared_uids:
                raise ValueError(f"template entry {rel.from_uid} refers to {rel.to_uid}, outside the shared files")
        elif rel.from_uid in shared_uids:
            shared_rels += 1
            if rel.to_uid in file_of:
                raise ValueError(f"shared entry {rel.from_uid} refers to the template's {rel.to_uid}")
    if len(referenced_municipalities) != 1:
        raise ValueError(
            f"the template must refer to exactly one municipality, not {sorted(referenced_municipalities)}"
        )
    files = tuple(sorted(nodes))
    return _Template(
        schema=schema,
        municipality=by_uid[referenced_municipalities.pop()],
        files=files,
        nodes=dict(nodes),
        relationships={name: relationships.get(name, []) for name in files},
        uids=frozenset(file_of),
        shared_files=shared_files,
        shared_nodes=len(shared_uids),
        shared_relationships=shared_rels,
    )


# --- copies ---------------------------------------------------------------------------------------------


def _uid_map(template: _Template, prefix: str) -> dict[str, str]:
    old = template.municipality.uid
    mapping = {old: prefix}
    for uid in template.uids:
        new = prefix + uid[len(old) :] if uid.startswith(old + "-") else f"{prefix}-{uid}"
        if not UID_PATTERN.fullmatch(new):
            raise ValueError(f"rewritten uid {new!r} (from {uid!r}) is not a valid uid")
        mapping[uid] = new
    return mapping


def _shift(value: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for 29 February in a common year): monotone, so periods stay valid."""
    if not years:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def _copy_props(props: dict[str, Value], years: int) -> dict[str, Value]:
    return {k: _shift(v, years) if isinstance(v, dt.date) else v for k, v in props.items()}


def _copy_node(node: NodeRecord, uid_map: dict[str, str], prefix: str, seed_file: str, years: int) -> NodeRecord:
    props = _copy_props(node.props, years)
    props[UID] = uid_map[node.uid]
    props[SEED_FILE] = seed_file
    for name in NAME_PROPERTIES:
        value = props.get(name)
        if isinstance(value, str):
            props[name] = f"{value} ({prefix})"
    return NodeRecord(node.label, props)


def _copy_rel(rel: RelRecord, uid_map: dict[str, str], years: int) -> RelRecord:
    return RelRecord(
        rel.type,
        uid_map[rel.from_uid],
        uid_map.get(rel.to_uid, rel.to_uid),
        _copy_props(rel.props, years),
        rel.from_label,
        rel.to_label,
    )


def _municipality(template: NodeRecord, prefix: str, order: int) -> NodeRecord:
    props = dict(template.props)
    props.pop("code", None)
    name = str(props.get("name", template.uid))
    props.update(
        {
            UID: prefix,
            "name": f"{name} ({prefix})",
            "note": f"Synthetic copy of {name} for benchmarks (benchmarks/synthetic.py); not a real municipality.",
            SEED_FILE: MUNICIPALITIES_FILE,
            SEED_ORDER: order,
        }
    )
    return NodeRecord(template.label, props)


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise FileExistsError(f"{out_dir} exists and is not a folder")
        if any(out_dir.iterdir()):
            if not (out_dir / MANIFEST).is_file():
                raise FileExistsError(f"{out_dir} is not empty and was not written by benchmarks.synthetic")
            shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


# --- command line ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synthetic",
        description="Generate a synthetic national seed folder, then time load_seed + sync_seed into a fresh "
        "embedded FalkorDB.",
    )
    parser.add_argument("--out", type=Path, required=True, help="Folder to write (replaced if generated before).")
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument("--seed", type=int, default=0, help="Random seed (used by --shift-years).")
    parser.add_argument("--shift-years", type=int, default=0, help="Shift each copy's dates by up to ± this.")
    parser.add_argument("--no-load", action="store_true", help="Only generate; do not time the load.")
    parser.add_argument("--data-dir", type=Path, help="Data dir of the embedded server (default: a temp dir).")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    summary = generate(args.out, args.municipalities, args.template, args.seed, args.shift_years)
    elapsed = time.perf_counter() - started
    print(f"generated {args.out} in {elapsed:.1f} s")
    print(f"  municipalities       {summary.municipalities}")
    print(f"  seed files           {summary.files} ({summary.bytes / 1e6:.1f} MB)")
    print(f"  nodes (entries)      {summary.nodes:,}  = {summary.municipalities} x ({summary.template_nodes} + 1) "
          f"+ {summary.shared_nodes} shared")  # fmt: skip
    print(f"  relationships        {summary.relationships:,}  = {summary.municipalities} x "
          f"{summary.template_relationships} + {summary.shared_relationships} shared")  # fmt: skip
    if args.no_load:
        return 0
    from benchmarks.bench_load import measure_load, print_load_report

    report = measure_load(args.out, args.data_dir)
    print_load_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
