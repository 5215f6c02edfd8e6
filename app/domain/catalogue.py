"""Batched reads of nodes and their neighbours, for callers that walk the graph a level at a time.

The GraphQL API asks for one nesting level of many objects at once (its DataLoaders collect the
keys), so every function here takes many uids — and `neighbours_many` many different hops — and
answers them in ONE `store.read`. The Cypher is composed from the schema's whitelist of labels and
relationship types (never from input text); uids and dates are always parameters. Each branch
starts `MATCH (a:Label) WHERE a.uid IN $uids`, which both engines answer from the uid index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.domain.lookup import danish_sort_key
from app.domain.queries import load_query
from app.schema import load_schema
from app.store.base import GraphStore, Row

Direction = Literal["out", "in"]

MAX_DEPTH = 12
"""Longest PART_OF chain a transitive hop follows (as org_tree_at_date does)."""


@dataclass(frozen=True)
class Hop:
    """One way to step from nodes of `label`: along `rel_type` in `direction`, as of `on`.

    With `on`, a temporal relationship (and its temporal target) must be valid that day; without
    it every link is returned (history). `transitive` follows the relationship up to MAX_DEPTH
    steps (all links and nodes on the way valid on `on`), and `target` keeps only nodes of that label.
    """

    rel_type: str
    direction: Direction
    label: str
    on: date | None = None
    transitive: bool = False
    target: str | None = None


@dataclass(frozen=True)
class Link:
    """A neighbour reached by a hop: the relationship's properties and the node's, and how many steps away."""

    rel: Row
    node: Row
    depth: int = 1

    @property
    def label(self) -> str:
        """The node's schema label."""
        schema = load_schema()
        return next((str(x) for x in self.node.get("_labels") or () if x in schema.nodes), "")


def _valid(var: str, param: str) -> str:
    return (
        f"({var}.valid_from IS NULL OR {var}.valid_from <= date(${param})) "
        f"AND ({var}.valid_to IS NULL OR {var}.valid_to >= date(${param}))"
    )


def _check(hop: Hop) -> None:
    """Refuse a hop the schema does not declare: only whitelisted names reach the Cypher text."""
    schema = load_schema()
    rel = schema.relationships.get(hop.rel_type)
    if rel is None:
        raise ValueError(f"unknown relationship type {hop.rel_type!r}")
    starts = rel.from_labels if hop.direction == "out" else rel.to_labels
    if hop.label not in starts:
        raise ValueError(f"{hop.rel_type} does not go {hop.direction} from {hop.label}")
    if hop.target is not None and hop.target not in schema.nodes:
        raise ValueError(f"unknown label {hop.target!r}")


def _branch(index: int, hop: Hop) -> tuple[str, dict[str, Any]]:
    """The Cypher of one hop, returning (hop, uid, rel, node, depth) rows, and its parameters."""
    _check(hop)
    rel = load_schema().relationships[hop.rel_type]
    uids, on = f"uids{index}", f"on{index}"
    params: dict[str, Any] = {}
    target = f":{hop.target}" if hop.target else ""
    left, right = ("-", "->") if hop.direction == "out" else ("<-", "-")
    # the WITH barrier keeps FalkorDB starting from the uid index (else it may scan every b and filter)
    lines = [f"MATCH (a:{hop.label}) WHERE a.uid IN ${uids}", "WITH a"]
    if hop.transitive:
        lines.append(f"MATCH p = (a){left}[:{hop.rel_type}*1..{MAX_DEPTH}]{right}(b{target})")
        if hop.on is not None:
            params[on] = hop.on.isoformat()
            lines.append(f"WHERE ALL(r IN relationships(p) WHERE {_valid('r', on)})")
            lines.append(f"  AND ALL(x IN nodes(p) WHERE {_valid('x', on)})")
        lines.append(
            f"RETURN {index} AS hop, a.uid AS uid, relationships(p)[length(p) - 1] AS rel, b AS node, "
            "length(p) AS depth"
        )
    else:
        lines.append(f"MATCH (a){left}[r:{hop.rel_type}]{right}(b{target})")
        if hop.on is not None and rel.temporal:
            params[on] = hop.on.isoformat()
            lines.append(f"WHERE {_valid('r', on)} AND {_valid('b', on)}")
        lines.append(f"RETURN {index} AS hop, a.uid AS uid, r AS rel, b AS node, 1 AS depth")
    return "\n".join(lines), params


def _order(link: Link) -> tuple[int, int, str, str]:
    node = link.node
    order = node.get("seed_order")
    name = str(node.get("name") or node.get("title") or node.get("uid") or "")
    return (link.depth, order if isinstance(order, int) else 1 << 30, danish_sort_key(name), str(node.get("uid")))


def neighbours_many(store: GraphStore, requests: Sequence[tuple[Hop, Iterable[str]]]) -> list[dict[str, list[Link]]]:
    """For each (hop, uids): every uid's neighbours along the hop — all requests in one round trip.

    Neighbours come nearest first, then in seed order, then by name; a node reached twice by a
    transitive hop is kept once, at its nearest depth.
    """
    results: list[dict[str, list[Link]]] = [{} for _ in requests]
    branches: list[str] = []
    params: dict[str, Any] = {}
    for index, (hop, uids) in enumerate(requests):
        wanted = sorted(set(uids))
        for uid in wanted:
            results[index][uid] = []
        if not wanted:
            continue
        text, extra = _branch(index, hop)
        branches.append(text)
        params[f"uids{index}"] = wanted
        params.update(extra)
    if not branches:
        return results
    rows = store.read("\nUNION ALL\n".join(branches), params)
    seen: set[tuple[int, str, str]] = set()
    for row in sorted(rows, key=lambda r: (int(r["depth"]),)):
        index, uid, node = int(row["hop"]), str(row["uid"]), row["node"] or {}
        key = (index, uid, str(node.get("uid")))
        if requests[index][0].transitive:
            if key in seen:
                continue
            seen.add(key)
        results[index].setdefault(uid, []).append(Link(rel=row["rel"] or {}, node=node, depth=int(row["depth"])))
    for found in results:
        for links in found.values():
            links.sort(key=_order)
    return results


def neighbours(
    store: GraphStore, rel_type: str, direction: Direction, uids: Iterable[str], on: date | None, *, label: str
) -> dict[str, list[Link]]:
    """Every uid's neighbours along one relationship type and direction, as of `on` (None: all links)."""
    return neighbours_many(store, [(Hop(rel_type, direction, label, on), uids)])[0]


def nodes_by_uid(store: GraphStore, uids: Iterable[str], labels: Sequence[str] | None = None) -> dict[str, Row]:
    """The property dicts (with `_labels`) of the nodes with these uids, of any label (or of `labels`)."""
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    schema = load_schema()
    chosen = [label for label in (labels or tuple(schema.nodes)) if label in schema.nodes]
    query = "\nUNION ALL\n".join(f"MATCH (n:{label}) WHERE n.uid IN $uids RETURN n AS node" for label in chosen)
    found: dict[str, Row] = {}
    for row in store.read(query, {"uids": wanted}):
        node = row["node"]
        found.setdefault(str(node["uid"]), node)
    return found


# -- leaders, through the named query the resolver uses


@dataclass(frozen=True)
class LeaderLevel:
    """The positions leading one node of a unit's path on a date (from leaders_of_unit_at_date)."""

    unit_uid: str
    """The node the positions lead: the unit itself, or the ancestor they are inherited from."""
    unit_name: str
    depth: int
    positions: tuple[Mapping[str, Any], ...]
    """uid, title, level, persons, inferred, inferred_reason per position."""


def leader_paths(store: GraphStore, uids: Iterable[str], on: date) -> dict[str, list[LeaderLevel]]:
    """Each unit's path up to the top on `on` (itself first), with who leads each level — one round trip."""
    wanted = sorted(set(uids))
    paths: dict[str, list[LeaderLevel]] = {uid: [] for uid in wanted}
    if not wanted:
        return paths
    rows = store.read(load_query("leaders_of_unit_at_date"), {"units": wanted, "on": on.isoformat()})
    for row in sorted(rows, key=lambda r: (str(r["unit"]), int(r["depth"]))):
        node = row["node"]
        if "Municipality" in (node.get("labels") or ()):
            continue  # a municipality has no leaders to inherit
        positions = sorted(
            (p for p in row.get("leaders") or () if p),
            key=lambda p: (p.get("level") is None, p.get("level") or 0, str(p.get("title")), str(p.get("uid"))),
        )
        paths.setdefault(str(row["unit"]), []).append(
            LeaderLevel(str(node["uid"]), str(node.get("name") or node["uid"]), int(row["depth"]), tuple(positions))
        )
    return paths


def leading_level(levels: Sequence[LeaderLevel], *, inherit: bool) -> LeaderLevel | None:
    """The level whose positions lead the unit: its own, or with `inherit` the nearest led one above it."""
    for level in levels:
        if level.positions:
            return level
        if not inherit:
            return None
    return None
