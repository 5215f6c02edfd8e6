"""Compare the seed with the graph, and turn the difference into batched, portable Cypher.

The plan touches only seed-managed nodes (those with `seed_file`) and the
relationships starting at them. `apply_plan` runs it through
`GraphStore.apply_atomically` with a verifier that re-reads the result and
refuses it unless it equals the seed exactly, so a half-applied graph is never
swapped in.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.errors import SocialatlasError
from app.schema.model import Schema
from app.seed.graph import GraphState, match_label, read_graph
from app.seed.model import SEED_FILE, UID, VALID_FROM, NodeRecord, RelKey, RelRecord, SeedSet, frozen
from app.seed.problems import Problem, SeedInvalid
from app.seed.values import CODECS, Value
from app.store.base import GraphStore, Reader, Statement, WriteSummary

BATCH_ROWS = 1000
"""Rows per UNWIND statement: large enough to be fast, small enough to report progress."""


class SeedVerifyFailed(SocialatlasError):
    """After applying the plan the graph did not equal the seed; the result was refused."""

    code = "SEED_VERIFY_FAILED"


@dataclass(frozen=True)
class Change:
    """One line of a plan, for people: `update Unit aarhus-msb (name, valid_from)`."""

    action: Literal["create", "update", "delete"]
    what: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.action} {self.what}" + (f" ({', '.join(self.fields)})" if self.fields else "")


@dataclass(frozen=True)
class SyncPlan:
    """What it takes to make the graph equal the seed: counts, changes and the statements."""

    seed: SeedSet
    statements: tuple[Statement, ...] = ()
    changes: tuple[Change, ...] = ()
    nodes_to_create: int = 0
    nodes_to_update: int = 0
    nodes_to_delete: int = 0
    relationships_to_create: int = 0
    relationships_to_update: int = 0
    relationships_to_delete: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.statements

    def verify(self, reader: Reader) -> None:
        """Refuse (raise SeedVerifyFailed) unless the seed-managed graph now equals the seed exactly."""
        verify_graph(self.seed, reader)


def plan_sync(seed: SeedSet, store: GraphStore) -> SyncPlan:
    """Diff the seed against the seed-managed part of the graph.

    Raises SeedInvalid when a seed uid is already taken by a node that did not come from seed files.
    """
    _refuse_foreign_uids(seed, store)
    return _Planner(seed.schema).plan(seed, read_graph(store, seed.schema, seed_managed=True))


def apply_plan(plan: SyncPlan, store: GraphStore, progress: Callable[[int, int], None] | None = None) -> WriteSummary:
    """Apply all of the plan or nothing; `progress(done, total)` is called after each statement."""
    if plan.is_empty:
        return WriteSummary()
    return store.apply_atomically(list(plan.statements), verify=plan.verify, progress=progress)


def verify_graph(seed: SeedSet, reader: Reader) -> None:
    state = read_graph(reader, seed.schema, seed_managed=True)
    differences = [
        *_difference("node", [_node_identity(n) for n in seed.nodes], [_node_identity(n) for n in state.nodes]),
        *_difference(
            "relationship", [_rel_identity(r) for r in seed.relationships],
            [_rel_identity(r) for r in state.relationships],
        ),
    ]  # fmt: skip
    if differences:
        shown = "; ".join(differences[:5]) + (f"; and {len(differences) - 5} more" if len(differences) > 5 else "")
        raise SeedVerifyFailed(f"the graph does not equal the seed after applying it: {shown}")


def _node_identity(node: NodeRecord) -> tuple[Any, ...]:
    return (node.label, frozen(node.props))


def _rel_identity(rel: RelRecord) -> tuple[Any, ...]:
    return (rel.type, rel.from_uid, rel.to_uid, frozen(rel.props))


def _difference(kind: str, wanted: Iterable[tuple[Any, ...]], found: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    want, have = Counter(wanted), Counter(found)
    for identity in want - have:
        yield f"{kind} missing: {_brief(identity)}"
    for identity in have - want:
        yield f"unexpected {kind}: {_brief(identity)}"


def _brief(identity: tuple[Any, ...]) -> str:
    props = {name: value for name, _, value in identity[-1]}
    head = " ".join(str(part) for part in identity[:-1])
    return f"{head} uid={props.get(UID, '')}".strip() if UID in props else head


def _refuse_foreign_uids(seed: SeedSet, store: GraphStore) -> None:
    rows = store.read(f"MATCH (n) WHERE n.`{SEED_FILE}` IS NULL AND n.`{UID}` IS NOT NULL RETURN n.`{UID}` AS uid")
    foreign = {row["uid"] for row in rows}
    problems = [
        Problem(node.origin.file if node.origin else "", node.origin.line if node.origin else 0, UID,
                f"uid {node.uid!r} is already in the graph on a node that did not come from seed files "
                "(it has no seed_file); the seed must not take it over: choose another uid")
        for node in seed.nodes if node.uid in foreign
    ]  # fmt: skip
    if problems:
        raise SeedInvalid(problems)


def _name(name: str) -> str:
    """A label, type or property name put into the query text (they come from the schema or the graph)."""
    return "`" + name.replace("`", "``") + "`"


SEED_ONLY = f"WHERE n.{_name(SEED_FILE)} IS NOT NULL"


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield list(rows[start : start + BATCH_ROWS])


@dataclass
class _Work:
    node_deletes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    uidless_deletes: int = 0
    node_creates: dict[str, list[NodeRecord]] = field(default_factory=lambda: defaultdict(list))
    node_updates: dict[str, list[NodeRecord]] = field(default_factory=lambda: defaultdict(list))
    rel_deletes: dict[tuple[str, str], list[RelKey]] = field(default_factory=lambda: defaultdict(list))
    rel_creates: dict[tuple[str, str, str], list[RelRecord]] = field(default_factory=lambda: defaultdict(list))
    rel_updates: dict[tuple[str, str], list[RelRecord]] = field(default_factory=lambda: defaultdict(list))
    changes: list[Change] = field(default_factory=list)
    relationships_removed: int = 0


class _Planner:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def plan(self, seed: SeedSet, graph: GraphState) -> SyncPlan:
        work = _Work()
        replaced = self.diff_nodes(seed.nodes, graph.nodes, work)
        self.diff_relationships(seed.relationships, graph.relationships, replaced, work)
        statements = [*self.statements(work)]
        return SyncPlan(
            seed=seed,
            statements=tuple(statements),
            changes=tuple(work.changes),
            nodes_to_create=sum(len(v) for v in work.node_creates.values()),
            nodes_to_update=sum(len(v) for v in work.node_updates.values()),
            nodes_to_delete=sum(len(v) for v in work.node_deletes.values()) + work.uidless_deletes,
            relationships_to_create=sum(len(v) for v in work.rel_creates.values()),
            relationships_to_update=sum(len(v) for v in work.rel_updates.values()),
            relationships_to_delete=work.relationships_removed,
        )

    def diff_nodes(self, desired: Sequence[NodeRecord], found: Sequence[NodeRecord], work: _Work) -> set[str]:
        """Plan node changes; returns the uids whose graph node is deleted (its relationships go with it)."""
        in_graph: dict[str, list[NodeRecord]] = defaultdict(list)
        for node in found:
            uid = node.props.get(UID)
            if isinstance(uid, str):
                in_graph[uid].append(node)
            else:
                work.uidless_deletes += 1
                work.changes.append(Change("delete", f"{node.label} without uid"))
        deleted: set[str] = set()
        for node in desired:
            existing = in_graph.pop(node.uid, [])
            if len(existing) == 1 and existing[0].label == node.label:
                if frozen(existing[0].props) != frozen(node.props):
                    work.node_updates[node.label].append(node)
                    fields = _changed(existing[0].props, node.props)
                    work.changes.append(Change("update", f"{node.label} {node.uid}", fields))
                continue
            for old in existing:
                work.node_deletes[match_label(old.label)].append(node.uid)
                work.changes.append(Change("delete", f"{old.label} {node.uid}"))
                deleted.add(node.uid)
            work.node_creates[node.label].append(node)
            work.changes.append(Change("create", f"{node.label} {node.uid}"))
        for uid, olds in in_graph.items():
            for old in olds:
                work.node_deletes[match_label(old.label)].append(uid)
                work.changes.append(Change("delete", f"{old.label} {uid}"))
            deleted.add(uid)
        return deleted

    def diff_relationships(
        self, desired: Sequence[RelRecord], found: Sequence[RelRecord], replaced: set[str], work: _Work
    ) -> None:
        in_graph: dict[RelKey, list[RelRecord]] = defaultdict(list)
        for rel in found:
            in_graph[rel.key].append(rel)
        for rel in desired:
            existing = in_graph.pop(rel.key, [])
            detached = rel.from_uid in replaced or rel.to_uid in replaced
            if not detached and len(existing) == 1:
                if frozen(existing[0].props) != frozen(rel.props):
                    work.rel_updates[(rel.type, rel.from_label)].append(rel)
                    work.changes.append(Change("update", _describe(rel), _changed(existing[0].props, rel.props)))
                continue
            if not detached and existing:  # the same identity twice: remove all, write one
                work.rel_deletes[(rel.type, match_label(existing[0].from_label))].append(rel.key)
            work.relationships_removed += len(existing)
            work.rel_creates[(rel.type, rel.from_label, rel.to_label)].append(rel)
            work.changes.append(Change("create", _describe(rel)))
        for key, olds in in_graph.items():
            work.relationships_removed += len(olds)
            work.changes.append(Change("delete", _describe(olds[0])))
            if olds[0].from_uid not in replaced and olds[0].to_uid not in replaced:
                work.rel_deletes[(olds[0].type, match_label(olds[0].from_label))].append(key)

    # -- statements ----------------------------------------------------------------------------------------

    def statements(self, work: _Work) -> Iterator[Statement]:
        """In an order that never trips over itself: removals first, then nodes, then relationships."""
        uid = _name(UID)
        for (rel_type, from_label), keys in sorted(work.rel_deletes.items()):
            query = f"{self.match_relationship(rel_type, from_label)} DELETE r"
            yield from self.batched(query, [self.key_row(key) for key in keys])
        for label, uids in sorted(work.node_deletes.items()):
            query = f"UNWIND $rows AS row MATCH (n:{_name(label)} {{{uid}: row.uid}}) {SEED_ONLY} DETACH DELETE n"
            yield from self.batched(query, [{"uid": u} for u in uids])
        if work.uidless_deletes:
            yield Statement(f"MATCH (n) {SEED_ONLY} AND n.{uid} IS NULL DETACH DELETE n")
        for label, nodes in work.node_creates.items():
            specs = self.schema.nodes[label].properties
            query = f"UNWIND $rows AS row CREATE (n:{_name(label)}) {self.set_clause('n', specs)}"
            yield from self.batched(query, [self.props_row(n.props, specs) for n in nodes])
        for label, nodes in work.node_updates.items():
            specs = self.schema.nodes[label].properties
            query = f"UNWIND $rows AS row MATCH (n:{_name(label)} {{{uid}: row.uid}}) {SEED_ONLY} "
            query += self.set_clause("n", specs)
            yield from self.batched(query, [{"uid": n.uid, **self.props_row(n.props, specs)} for n in nodes])
        for (rel_type, from_label, to_label), rels in work.rel_creates.items():
            specs = self.schema.relationships[rel_type].properties
            query = (
                f"UNWIND $rows AS row MATCH (a:{_name(from_label)} {{{uid}: row.from_uid}}) "
                f"MATCH (b:{_name(to_label)} {{{uid}: row.to_uid}}) "
                f"CREATE (a)-[r:{_name(rel_type)}]->(b) {self.set_clause('r', specs)}"
            )
            yield from self.batched(query, [{**self.key_row(r.key), **self.props_row(r.props, specs)} for r in rels])
        for (rel_type, from_label), rels in work.rel_updates.items():
            specs = self.schema.relationships[rel_type].properties
            query = f"{self.match_relationship(rel_type, from_label)} {self.set_clause('r', specs)}"
            yield from self.batched(query, [{**self.key_row(r.key), **self.props_row(r.props, specs)} for r in rels])

    @staticmethod
    def batched(query: str, rows: Sequence[dict[str, Any]]) -> Iterator[Statement]:
        for batch in _batches(rows):
            yield Statement(query, {"rows": batch})

    @staticmethod
    def match_relationship(rel_type: str, from_label: str) -> str:
        """Find a relationship by its identity (type, from, to, valid_from); `row.valid_from` is ISO text or null."""
        uid, valid_from = _name(UID), _name(VALID_FROM)
        return (
            f"UNWIND $rows AS row MATCH (a:{_name(from_label)} {{{uid}: row.from_uid}})-[r:{_name(rel_type)}]->(b) "
            f"WHERE (b.{uid} = row.to_uid OR (row.to_uid = '' AND b.{uid} IS NULL)) "
            f"AND (r.{valid_from} = date(row.valid_from) OR (row.valid_from IS NULL AND r.{valid_from} IS NULL))"
        )

    @staticmethod
    def key_row(key: RelKey) -> dict[str, Any]:
        _, from_uid, to_uid, valid_from = key
        return {"from_uid": from_uid, "to_uid": to_uid, "valid_from": valid_from.isoformat() if valid_from else None}

    @staticmethod
    def set_clause(var: str, specs: Mapping[str, Any]) -> str:
        """`SET v = row.props` (replacing every property), then the typed ones through their Cypher function."""
        typed = [
            f"{var}.{_name(name)} = {CODECS[spec.type].cypher_function}(row.typed.{_name(name)})"
            for name, spec in specs.items()
            if CODECS[spec.type].cypher_function
        ]
        return f"SET {var} = row.props" + (f" SET {', '.join(typed)}" if typed else "")

    @staticmethod
    def props_row(props: Mapping[str, Value], specs: Mapping[str, Any]) -> dict[str, Any]:
        plain: dict[str, Any] = {}
        typed: dict[str, Any] = {name: None for name, spec in specs.items() if CODECS[spec.type].cypher_function}
        for name, value in props.items():
            codec = CODECS[specs[name].type]
            (typed if codec.cypher_function else plain)[name] = codec.to_param(value)
        return {"props": plain, "typed": typed}


def _changed(old: Mapping[str, Value], new: Mapping[str, Value]) -> tuple[str, ...]:
    return tuple(
        sorted(name for name in {*old, *new} if frozen({name: old.get(name)}) != frozen({name: new.get(name)}))
    )


def _describe(rel: RelRecord) -> str:
    valid_from = rel.key[3]
    return f"{rel.type} {rel.from_uid} -> {rel.to_uid}" + (f" from {valid_from}" if valid_from else "")
