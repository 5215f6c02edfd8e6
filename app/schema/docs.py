"""Markdown reference of the schema, generated from the declaration so it cannot drift."""

from __future__ import annotations

from app.schema.model import PropertySpec, Schema


def _flags(prop: PropertySpec) -> str:
    flags = [
        flag for flag, on in (("required", prop.required), ("unique", prop.unique), ("full-text", prop.fulltext)) if on
    ]
    if prop.enum:
        flags.append(f"enum `{prop.enum}`")
    if prop.minimum is not None or prop.maximum is not None:
        flags.append(
            f"{prop.minimum if prop.minimum is not None else ''}–{prop.maximum if prop.maximum is not None else ''}"
        )
    return ", ".join(flags)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(schema: Schema) -> str:
    """The whole schema as Markdown: enums, node labels, relationship types."""
    shared = {*schema.provenance, "uid", "note", "seed_file", "seed_order"}
    lines = [
        "# Graph schema",
        "",
        "Generated from `schema/graph.yaml` by `socialatlas schema --markdown`; do not edit by hand.",
        "",
        "Every node has `uid` (unique across labels), `note`, `seed_file`, `seed_order`; every node and",
        "relationship has the provenance properties "
        + ", ".join(f"`{name}`" for name in schema.provenance)
        + ". Temporal ones have `valid_from` / `valid_to` (inclusive dates).",
        "",
        "## Enumerations",
        "",
        "| enum | values | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{e.name}` | {', '.join(e.values)} | {_cell(e.description)} |" for e in schema.enums.values()]
    lines += ["", "## Nodes", ""]
    for node in schema.nodes.values():
        temporal = " (temporal)" if node.temporal else ""
        seeded = f"Seed collection: `{node.seed_key}`." if node.seed_key else "Not seeded: the application writes it."
        lines += [f"### {node.label}{temporal}", "", f"{node.description} {seeded}", ""]
        lines += ["| property | type | | meaning |", "|---|---|---|---|"]
        for prop in node.properties.values():
            if prop.name not in shared:
                lines.append(f"| `{prop.name}` | {prop.type} | {_flags(prop)} | {_cell(prop.description)} |")
        lines.append("")
    lines += ["## Relationships", "", "| type | from → to | seed key | properties | meaning |", "|---|---|---|---|---|"]
    for rel in schema.relationships.values():
        props = [*rel.own_properties, *(("valid_from", "valid_to") if rel.temporal else ())]
        lines.append(
            f"| `{rel.type}` | {', '.join(rel.from_labels)} → {', '.join(rel.to_labels)} | `{rel.seed_key}` "
            f"| {', '.join(f'`{p}`' for p in props)} | {_cell(rel.description)} |"
        )
    return "\n".join(lines) + "\n"
