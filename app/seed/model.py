"""The loader's data: graph-shaped records, provenance, and which keys an entry has.

A `NodeRecord`/`RelRecord` holds exactly the property map the graph holds (typed
per `app.seed.values`), so the desired state from the seed files, the state read
from the graph and the input of the emitter are one kind of thing and compare
with `==`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import SchemaError
from app.schema.model import VALIDITY_PROPERTIES, NodeSpec, PropertySpec, RelationshipSpec, Schema
from app.seed.values import Value

# Names the seed format fixes (docs/seed-format.md); everything else comes from the schema.
UID = "uid"
NOTE = "note"
TO = "to"
SOURCE = "source"
SOURCES = "sources"
INFERRED = "inferred"
CITATION_FIELDS = ("document", "section", "quote")
SEED_FILE = "seed_file"
SEED_ORDER = "seed_order"
SOURCE_COLLECTION = "sources"
"""The collection whose uids `source.document` names."""
PROVENANCE_PROPERTIES = ("source_documents", "source_sections", "source_quotes", "inferred", "inferred_reason")
"""Graph properties the loader fills from `source`/`sources`/`inferred`; the schema must declare them."""
CURATED_FILE = "curated.yaml"
"""Where export writes nodes that did not come from a seed file."""
VALID_FROM, VALID_TO = VALIDITY_PROPERTIES
_RESERVED_ENTRY_KEYS = (UID, NOTE, SOURCE, SOURCES, INFERRED)


@dataclass(frozen=True)
class Citation:
    document: str
    section: str
    quote: str


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from: the citations, and why it is inferred when it is."""

    citations: tuple[Citation, ...] = ()
    inferred_reason: str | None = None

    def to_props(self) -> dict[str, Value]:
        """The graph properties; `inferred` is always set so queries need no null handling."""
        props: dict[str, Value] = {
            "source_documents": [c.document for c in self.citations],
            "source_sections": [c.section for c in self.citations],
            "source_quotes": [c.quote for c in self.citations],
            "inferred": self.inferred_reason is not None,
        }
        if self.inferred_reason is not None:
            props["inferred_reason"] = self.inferred_reason
        return props

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> Provenance:
        lists = [list(props.get(name) or []) for name in PROVENANCE_PROPERTIES[:3]]
        citations = tuple(Citation(str(d), str(s), str(q)) for d, s, q in zip(*lists, strict=False))
        reason = props.get("inferred_reason")
        inferred = bool(props.get("inferred")) or reason is not None
        return cls(citations, (str(reason) if reason is not None else "") if inferred else None)


@dataclass(frozen=True)
class Origin:
    """Where an entry is written: display file name and line."""

    file: str
    line: int


@dataclass(frozen=True)
class NodeRecord:
    label: str
    props: dict[str, Value]
    origin: Origin | None = field(default=None, compare=False)

    @property
    def uid(self) -> str:
        return str(self.props[UID])


RelKey = tuple[str, str, str, dt.date | None]
"""Identity of a relationship: (type, from uid, to uid, valid_from)."""


@dataclass(frozen=True)
class RelRecord:
    type: str
    from_uid: str
    to_uid: str
    props: dict[str, Value]
    from_label: str = field(default="", compare=False)
    to_label: str = field(default="", compare=False)

    @property
    def key(self) -> RelKey:
        valid_from = self.props.get(VALID_FROM)
        return (self.type, self.from_uid, self.to_uid, valid_from if isinstance(valid_from, dt.date) else None)


@dataclass(frozen=True)
class SeedSet:
    """The desired seed-managed graph, read and validated from a seed folder."""

    schema: Schema = field(repr=False, compare=False)
    seed_dir: Path
    files: tuple[str, ...]
    """Every seed file, as `seed_file` names it (posix path under seed_dir), sorted."""
    nodes: tuple[NodeRecord, ...]
    relationships: tuple[RelRecord, ...]


def frozen(props: Mapping[str, Any]) -> tuple[tuple[str, str, Any], ...]:
    """A hashable, type-exact form of a property map (True is not 1, 1 is not 1.0)."""
    return tuple(
        sorted((name, type(value).__name__, tuple(value) if isinstance(value, list) else value)
               for name, value in props.items())
    )  # fmt: skip


@dataclass(frozen=True)
class EntryLayout:
    """The keys an entry of one label may have, in canonical order."""

    node: NodeSpec
    properties: tuple[PropertySpec, ...]
    """Properties written in the entry (own and validity), in schema order."""
    relationships: tuple[RelationshipSpec, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return (UID, *(p.name for p in self.properties), *(r.seed_key for r in self.relationships),
                INFERRED, NOTE, SOURCE, SOURCES)  # fmt: skip


def item_properties(rel: RelationshipSpec, schema: Schema) -> tuple[PropertySpec, ...]:
    """Properties a relationship item may carry besides `to` and provenance, in schema order."""
    return tuple(p for p in rel.properties.values() if p.name not in schema.provenance)


def item_keys(rel: RelationshipSpec, schema: Schema) -> tuple[str, ...]:
    return (TO, *(p.name for p in item_properties(rel, schema)), INFERRED, SOURCE, SOURCES)


def layouts(schema: Schema) -> dict[str, EntryLayout]:
    """Entry layout per label; refuses a schema whose names collide with the seed format's own keys."""
    missing = [name for name in PROVENANCE_PROPERTIES if name not in schema.provenance]
    if missing:
        raise SchemaError(f"the seed loader needs provenance properties {missing} in the schema")
    if not any(node.seed_key == SOURCE_COLLECTION for node in schema.nodes.values()):
        raise SchemaError(f"the seed loader needs a node collection with seed key {SOURCE_COLLECTION!r}")
    managed = {SEED_FILE, SEED_ORDER, UID, NOTE, *schema.provenance}
    result: dict[str, EntryLayout] = {}
    for label, node in schema.nodes.items():
        for name in (SEED_FILE, SEED_ORDER, UID, NOTE):
            if name not in node.properties:
                raise SchemaError(f"{label}: the seed loader needs the common property {name!r}")
        props = tuple(p for p in node.properties.values() if p.name not in managed)
        rels = tuple(schema.relationships_from(label))
        clash = set(_RESERVED_ENTRY_KEYS) & {*(p.name for p in props), *(r.seed_key for r in rels)}
        if clash:
            raise SchemaError(f"{label}: {sorted(clash)} are keys of the seed format itself")
        for rel in rels:
            if {TO, SOURCE, SOURCES, INFERRED} & {p.name for p in item_properties(rel, schema)}:
                raise SchemaError(f"{rel.type}: a property is named like a key of the seed format")
        result[label] = EntryLayout(node, props, rels)
    return result


def collection_order(schema: Schema) -> dict[str, int]:
    """Label → position of its collection in the schema (files write collections in this order)."""
    return {label: index for index, label in enumerate(schema.nodes)}


def sort_items(records: Iterable[RelRecord]) -> list[RelRecord]:
    """Relationship items in canonical order: by (valid_from, to), undated first."""
    return sorted(records, key=lambda r: (r.key[3] is not None, r.key[3] or dt.date.min, r.to_uid))
