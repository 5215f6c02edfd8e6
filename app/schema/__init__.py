"""The graph schema, declared once in `schema/graph.yaml`."""

from app.schema.model import EnumSpec, NodeSpec, PropertySpec, RelationshipSpec, Schema, load_schema

__all__ = ["EnumSpec", "NodeSpec", "PropertySpec", "RelationshipSpec", "Schema", "load_schema"]
