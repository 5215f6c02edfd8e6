"""The one canonical YAML emitter: `export` and `seed --format` both write through `dump_canonical`,
so a file exported from the graph and the same file formatted are the same bytes."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from app.schema.model import RelationshipSpec, Schema
from app.seed.model import (
    CITATION_FIELDS,
    INFERRED,
    NOTE,
    SEED_ORDER,
    SOURCE,
    SOURCES,
    TO,
    UID,
    Citation,
    EntryLayout,
    NodeRecord,
    Provenance,
    RelRecord,
    item_properties,
    layouts,
    sort_items,
)
from app.seed.values import CODECS, Value

_NO_WRAP = 1_000_000_000


def dump_canonical(nodes: Sequence[NodeRecord], relationships: Iterable[RelRecord], schema: Schema) -> str:
    """One seed file in canonical form: `nodes` are the file's entries, `relationships` those starting at them.

    Collections in schema order, entries by `seed_order`, keys in layout order, items by (valid_from, to).
    """
    entry_layouts = layouts(schema)
    outgoing: dict[str, list[RelRecord]] = defaultdict(list)
    for rel in relationships:
        outgoing[rel.from_uid].append(rel)
    document = CommentedMap()
    for label, spec in schema.nodes.items():
        entries = sorted((n for n in nodes if n.label == label), key=_entry_order)
        if entries and spec.seed_key is not None:
            layout = entry_layouts[label]
            document[spec.seed_key] = CommentedSeq(
                _entry(node, outgoing.get(node.uid, []), layout, schema) for node in entries
            )
    if not document:
        return ""
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = _NO_WRAP
    yaml.allow_unicode = True
    yaml.representer.ignore_aliases = lambda _data: True
    return yaml


def _entry_order(node: NodeRecord) -> tuple[bool, int, str]:
    order = node.props.get(SEED_ORDER)
    return (not isinstance(order, int), order if isinstance(order, int) else 0, node.uid)


def _entry(node: NodeRecord, rels: list[RelRecord], layout: EntryLayout, schema: Schema) -> CommentedMap:
    entry = CommentedMap()
    entry[UID] = node.uid
    for spec in layout.properties:
        if spec.name in node.props:
            entry[spec.name] = _yaml_value(spec.type, node.props[spec.name])
    provenance = Provenance.from_props(node.props)
    for rel in layout.relationships:
        items = [r for r in rels if r.type == rel.type]
        if items:
            entry[rel.seed_key] = CommentedSeq(_item(r, rel, provenance, schema) for r in sort_items(items))
    if provenance.inferred_reason is not None:
        entry[INFERRED] = _yaml_value("text", provenance.inferred_reason)
    if NOTE in node.props:
        entry[NOTE] = _yaml_value("text", node.props[NOTE])
    _write_citations(entry, provenance.citations)
    return entry


def _item(rel: RelRecord, spec: RelationshipSpec, entry_provenance: Provenance, schema: Schema) -> Any:
    """A bare uid when the item has nothing but its target; its own provenance only where it differs."""
    props = [(p.name, p.type) for p in item_properties(spec, schema) if p.name in rel.props]
    provenance = Provenance.from_props(rel.props)
    if not props and provenance == entry_provenance:
        return _yaml_value("string", rel.to_uid)
    item = CommentedMap()
    item[TO] = rel.to_uid
    for name, type_name in props:
        item[name] = _yaml_value(type_name, rel.props[name])
    if provenance != entry_provenance:
        if provenance.inferred_reason is not None:
            item[INFERRED] = _yaml_value("text", provenance.inferred_reason)
        inherits_citations = provenance.citations == entry_provenance.citations and provenance.inferred_reason
        if not inherits_citations:
            _write_citations(item, provenance.citations)
    return item


def _write_citations(target: CommentedMap, citations: tuple[Citation, ...]) -> None:
    """One citation as `source:`, several as `sources:`."""
    maps = [_citation(c) for c in citations]
    if len(maps) == 1:
        target[SOURCE] = maps[0]
    elif maps:
        target[SOURCES] = CommentedSeq(maps)


def _citation(citation: Citation) -> CommentedMap:
    result = CommentedMap()
    for name in CITATION_FIELDS:
        result[name] = _yaml_value("text", getattr(citation, name))
    return result


def _yaml_value(type_name: str, value: Value) -> Any:
    converted = CODECS[type_name].to_yaml(value)
    return CommentedSeq(converted) if isinstance(converted, list) else converted
