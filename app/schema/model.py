"""Typed view of `schema/graph.yaml`, the one declaration of the graph.

Backends derive their DDL from it, the seed loader validates against it and the
exporter writes files in its order; nothing else lists labels or properties.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from app.errors import SchemaError
from app.resources import project_dir

PROPERTY_TYPES = ("string", "text", "int", "float", "bool", "date", "list[string]")
VALIDITY_PROPERTIES = ("valid_from", "valid_to")


@dataclass(frozen=True)
class PropertySpec:
    """One property of a node or relationship."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    indexed: bool = False
    fulltext: bool = False
    enum: str | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class NodeSpec:
    """A node label with all its properties (own, common, validity and provenance)."""

    label: str
    seed_key: str | None
    """Collection key in seed files; None for a label the graph writes itself (the audit log), never seeded."""
    description: str
    temporal: bool
    properties: Mapping[str, PropertySpec]

    @property
    def fulltext_properties(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties.values() if p.fulltext)

    @property
    def indexed_properties(self) -> tuple[str, ...]:
        """Range-indexed properties: uid, name, validity dates and those marked indexed."""
        wanted = {"uid", "name", *VALIDITY_PROPERTIES}
        return tuple(
            p.name
            for p in self.properties.values()
            if p.indexed or p.unique or (p.name in wanted and p.type in ("string", "date"))
        )

    @property
    def unique_properties(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties.values() if p.unique)

    @property
    def required_properties(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties.values() if p.required)


@dataclass(frozen=True)
class RelationshipSpec:
    """A relationship type, seeded on the node it starts from under `seed_key`."""

    type: str
    seed_key: str
    description: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    temporal: bool
    properties: Mapping[str, PropertySpec]
    own_properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnumSpec:
    name: str
    description: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    version: int
    enums: Mapping[str, EnumSpec]
    nodes: Mapping[str, NodeSpec]
    relationships: Mapping[str, RelationshipSpec]
    provenance: Mapping[str, PropertySpec]
    source_path: Path = field(default=Path("schema/graph.yaml"), compare=False)

    def node_by_seed_key(self, key: str) -> NodeSpec | None:
        return next((n for n in self.nodes.values() if n.seed_key == key), None)

    def relationships_from(self, label: str) -> Iterator[RelationshipSpec]:
        """Relationship types that may start at `label`, in declaration order."""
        return (r for r in self.relationships.values() if label in r.from_labels)

    def relationship_by_seed_key(self, label: str, key: str) -> RelationshipSpec | None:
        return next((r for r in self.relationships_from(label) if r.seed_key == key), None)


def _property(name: str, raw: Mapping[str, Any], where: str) -> PropertySpec:
    unknown = set(raw) - {"type", "description", "required", "unique", "indexed", "fulltext", "enum", "min", "max"}
    if unknown:
        raise SchemaError(f"{where}.{name}: unknown keys {sorted(unknown)}")
    ptype = raw.get("type")
    if ptype not in PROPERTY_TYPES:
        raise SchemaError(f"{where}.{name}: type {ptype!r} is not one of {PROPERTY_TYPES}")
    return PropertySpec(
        name=name,
        type=ptype,
        description=str(raw.get("description", "")),
        required=bool(raw.get("required", False)),
        unique=bool(raw.get("unique", False)),
        indexed=bool(raw.get("indexed", False)),
        fulltext=bool(raw.get("fulltext", False)),
        enum=raw.get("enum"),
        minimum=raw.get("min"),
        maximum=raw.get("max"),
    )


def _properties(raw: Mapping[str, Any] | None, where: str) -> dict[str, PropertySpec]:
    return {name: _property(name, spec or {}, where) for name, spec in (raw or {}).items()}


def _validity() -> dict[str, PropertySpec]:
    return {
        "valid_from": PropertySpec(
            "valid_from", "date", "First day the fact holds; absent = since always.", indexed=True
        ),
        "valid_to": PropertySpec(
            "valid_to", "date", "Last day the fact holds (inclusive); absent = still holds.", indexed=True
        ),
    }


def parse_schema(raw: Mapping[str, Any], source_path: Path) -> Schema:
    """Build and check a Schema from the parsed YAML mapping."""
    enums = {
        name: EnumSpec(name, str(spec.get("description", "")), tuple(spec["values"]))
        for name, spec in raw.get("enums", {}).items()
    }
    provenance = _properties(raw.get("provenance"), "provenance")
    common = _properties(raw.get("common"), "common")
    nodes: dict[str, NodeSpec] = {}
    for label, spec in raw.get("nodes", {}).items():
        temporal = bool(spec.get("temporal", False))
        props = dict(common)
        props.update(_properties(spec.get("properties"), f"nodes.{label}"))
        if temporal:
            props.update(_validity())
        props.update(provenance)
        seed_key = spec.get("seed")
        nodes[label] = NodeSpec(
            label, str(seed_key) if seed_key else None, str(spec.get("description", "")), temporal, props
        )
    relationships: dict[str, RelationshipSpec] = {}
    for rtype, spec in raw.get("relationships", {}).items():
        temporal = bool(spec.get("temporal", False))
        own = _properties(spec.get("properties"), f"relationships.{rtype}")
        props = dict(own)
        if temporal:
            props.update(_validity())
        props.update(provenance)
        relationships[rtype] = RelationshipSpec(
            type=rtype,
            seed_key=spec["seed"],
            description=str(spec.get("description", "")),
            from_labels=tuple(spec["from"]),
            to_labels=tuple(spec["to"]),
            temporal=temporal,
            properties=props,
            own_properties=tuple(own),
        )
    schema = Schema(int(raw.get("version", 1)), enums, nodes, relationships, provenance, source_path)
    _check(schema)
    return schema


def _check(schema: Schema) -> None:
    """Refuse a declaration the rest of the code could not honour."""
    seed_keys = [n.seed_key for n in schema.nodes.values() if n.seed_key is not None]
    if len(seed_keys) != len(set(seed_keys)):
        raise SchemaError("two node labels share a seed key")
    for node in schema.nodes.values():
        for prop in node.properties.values():
            if prop.enum and prop.enum not in schema.enums:
                raise SchemaError(f"{node.label}.{prop.name}: unknown enum {prop.enum!r}")
        keys = [r.seed_key for r in schema.relationships_from(node.label)]
        if len(keys) != len(set(keys)):
            raise SchemaError(f"{node.label}: two relationships share a seed key")
        clash = set(keys) & set(node.properties)
        if clash:
            raise SchemaError(f"{node.label}: relationship seed keys {sorted(clash)} clash with properties")
    for rel in schema.relationships.values():
        for label in (*rel.from_labels, *rel.to_labels):
            if label not in schema.nodes:
                raise SchemaError(f"relationship {rel.type}: unknown label {label!r}")


@lru_cache(maxsize=4)
def load_schema(path: Path | None = None) -> Schema:
    """Load and check the schema declaration (cached: it does not change while running)."""
    path = path or project_dir("schema") / "graph.yaml"
    raw = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return parse_schema(raw, path)
