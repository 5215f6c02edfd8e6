"""Read nodes and relationships back from the graph as records, typed by the schema.

The planner reads the seed-managed part (nodes with `seed_file` and the
relationships starting at them), the verifier reads it again inside the atomic
apply, and export reads everything; all three use `read_graph`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.schema.model import PropertySpec, Schema
from app.seed.model import SEED_FILE, NodeRecord, RelRecord
from app.seed.values import CODECS, Value
from app.store.base import Reader

LABEL_SEPARATOR = ":"
"""A node with several labels is read with them joined, a label no schema node has."""

_NODES = "MATCH (n) {where} RETURN labels(n) AS labels, properties(n) AS props"
_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) {where} RETURN labels(a) AS from_labels, a.uid AS from_uid, type(r) AS type, "
    "labels(b) AS to_labels, b.uid AS to_uid, properties(r) AS props"
)


@dataclass(frozen=True)
class GraphState:
    nodes: tuple[NodeRecord, ...]
    relationships: tuple[RelRecord, ...]


def read_graph(reader: Reader, schema: Schema, *, seed_managed: bool) -> GraphState:
    """Nodes and outgoing relationships; only seed-managed ones (with `seed_file`) when `seed_managed`."""
    where = f"WHERE {{var}}.`{SEED_FILE}` IS NOT NULL" if seed_managed else ""
    nodes = tuple(
        NodeRecord(label, _decode(row["props"], _node_specs(schema, label)))
        for row in reader.read(_NODES.format(where=where.format(var="n")))
        for label in [label_of(row["labels"])]
    )
    relationships = tuple(
        RelRecord(
            str(row["type"]),
            _text(row["from_uid"]),
            _text(row["to_uid"]),
            _decode(row["props"], _rel_specs(schema, str(row["type"]))),
            label_of(row["from_labels"]),
            label_of(row["to_labels"]),
        )
        for row in reader.read(_RELATIONSHIPS.format(where=where.format(var="a")))
    )
    return GraphState(nodes, relationships)


def label_of(labels: Any) -> str:
    return LABEL_SEPARATOR.join(sorted(str(label) for label in labels or []))


def match_label(label: str) -> str:
    """One label of a record read by `read_graph`, to MATCH it by."""
    return label.split(LABEL_SEPARATOR)[0]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _node_specs(schema: Schema, label: str) -> Mapping[str, PropertySpec]:
    spec = schema.nodes.get(label)
    return spec.properties if spec else {}


def _rel_specs(schema: Schema, rel_type: str) -> Mapping[str, PropertySpec]:
    spec = schema.relationships.get(rel_type)
    return spec.properties if spec else {}


def _decode(props: Mapping[str, Any], specs: Mapping[str, PropertySpec]) -> dict[str, Value]:
    """Graph values as the loader holds them; a property the schema does not declare is kept as read."""
    result: dict[str, Value] = {}
    for name, value in (props or {}).items():
        if value is None:
            continue
        spec = specs.get(name)
        result[str(name)] = CODECS[spec.type].from_graph(value) if spec else value
    return result
