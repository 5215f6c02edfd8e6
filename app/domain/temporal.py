"""Temporal views: the organisation on a date, one unit's history, and what a reorganisation changed.

Everything here reads through the named queries in `cypher/` (org_tree_at_date,
unit_timeline, reorganisation_overview, reorganisation_moves,
responsibilities_changed_in_reorganisation), so an analyst running those files sees the
same facts the views show. Results are frozen dataclasses with `to_dict()` (JSON-able,
dates as ISO text) for the CLI's --json and the API.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from app.domain.lookup import Entity, Ref, danish_sort_key, find, iso
from app.domain.queries import load_query
from app.domain.resolver import Question, Resolver
from app.errors import InvalidInput
from app.schema import load_schema
from app.store.base import GraphStore, Row

ONE_DAY = timedelta(days=1)


# -- the organisation on a date


@dataclass(frozen=True)
class Leader:
    """A position leading a node on the tree's date, and the persons the sources name in it."""

    position_uid: str
    title: str
    level: int | None = None
    persons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "position_uid": self.position_uid,
            "title": self.title,
            "level": self.level,
            "persons": list(self.persons),
        }


@dataclass(frozen=True)
class OrgNode:
    """An administration or unit valid on the tree's date, with what sits under it that day."""

    uid: str
    name: str
    label: str
    kind: str | None = None
    short_name: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    inferred: bool = False
    """The PART_OF edge to its parent is inferred, not stated by a source."""
    leaders: tuple[Leader, ...] = ()
    children: tuple[OrgNode, ...] = ()

    @property
    def ref(self) -> Ref:
        return Ref(self.uid, self.name, self.label)

    def walk(self, parent: OrgNode | None = None) -> Iterator[tuple[OrgNode, OrgNode | None]]:
        """Every node below and including this one, with its parent, depth first."""
        yield self, parent
        for child in self.children:
            yield from child.walk(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "short_name": self.short_name,
            "valid_from": iso(self.valid_from),
            "valid_to": iso(self.valid_to),
            "inferred": self.inferred,
            "leaders": [leader.to_dict() for leader in self.leaders],
            "children": [child.to_dict() for child in self.children],
        }


@dataclass(frozen=True)
class OrgTree:
    """The tree of a municipality or one administration on one date."""

    on: date
    municipality: Ref
    root: OrgNode

    def walk(self) -> Iterator[tuple[OrgNode, OrgNode | None]]:
        return self.root.walk()

    def find(self, uid: str) -> OrgNode | None:
        return next((node for node, _ in self.walk() if node.uid == uid), None)

    def children_of(self, uid: str) -> tuple[OrgNode, ...]:
        node = self.find(uid)
        return node.children if node is not None else ()

    def parents(self) -> dict[str, frozenset[str]]:
        """uid → uids of its parents in this tree (two when the data give a node two parents that day)."""
        found: dict[str, set[str]] = {}
        for node, parent in self.walk():
            found.setdefault(node.uid, set())
            if parent is not None:
                found[node.uid].add(parent.uid)
        return {uid: frozenset(parents) for uid, parents in found.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(), "municipality": self.municipality.to_dict(), "root": self.root.to_dict()}


@cache
def _kind_order() -> dict[str, int]:
    kinds = load_schema().enums.get("unit_kind")
    return {kind: index for index, kind in enumerate(kinds.values if kinds else ())}


def _child_key(node: OrgNode) -> tuple[int, int, str]:
    """Administrations first, then units in the schema's order of kinds, then by name."""
    return (0 if node.label != "Unit" else 1, _kind_order().get(node.kind or "", 99), danish_sort_key(node.name))


def _build_tree(rows: Sequence[Row]) -> OrgNode | None:
    """Nest the rows of org_tree_at_date (one per node and parent) under their depth-0 root."""
    roots = [row for row in rows if row["depth"] == 0]
    if not roots:
        return None
    info: dict[str, Row] = {}
    children: dict[str, dict[str, Row]] = {}
    for row in rows:
        info.setdefault(row["uid"], row)
        if row["parent_uid"] is not None:
            children.setdefault(row["parent_uid"], {})[row["uid"]] = row

    def build(uid: str, edge: Row, seen: frozenset[str]) -> OrgNode:
        row = info[uid]
        below = [build(child, child_edge, seen | {uid}) for child, child_edge in children.get(uid, {}).items()]
        return OrgNode(
            uid=uid,
            name=row["name"] or uid,
            label=row["label"],
            kind=row.get("kind"),
            short_name=row.get("short_name"),
            valid_from=row.get("valid_from"),
            valid_to=row.get("valid_to"),
            inferred=bool(edge.get("inferred")),
            leaders=tuple(
                sorted(
                    (
                        Leader(item["uid"], item["title"], item.get("level"), tuple(sorted(item.get("persons") or ())))
                        for item in row.get("leaders") or ()
                    ),
                    key=lambda leader: (leader.level or 9, danish_sort_key(leader.title), leader.position_uid),
                )
            ),
            children=tuple(sorted((child for child in below if child.uid not in seen), key=_child_key)),
        )

    return build(roots[0]["uid"], roots[0], frozenset())


def _tree_rows(store: GraphStore, municipality_uid: str, administration_uid: str | None, on: date) -> list[Row]:
    params = {"municipality": municipality_uid, "administration": administration_uid or "", "on": on.isoformat()}
    return store.read(load_query("org_tree_at_date"), params)


def _municipality(store: GraphStore, text: str) -> Entity:
    return find(store, ("Municipality",), text, field="municipality", what="municipality")


def _validity(entity: Entity) -> str:
    start = entity.valid_from.isoformat() if entity.valid_from else "always"
    end = entity.valid_to.isoformat() if entity.valid_to else "now"
    return f"{start} to {end}"


def org_tree(
    store: GraphStore, *, municipality: str | None = None, administration: str | None = None, on: date
) -> OrgTree:
    """The administrations and units valid on `on` under a municipality (or one of its administrations).

    Both the nodes and the PART_OF edges must be valid that day, so a unit that changed parent
    appears once, under the parent it had then. Names are matched case-insensitively.
    """
    if not municipality and not administration:
        raise InvalidInput("municipality", "give a municipality or an administration")
    town = _municipality(store, municipality) if municipality else None
    admin = (
        find(
            store,
            ("Administration",),
            administration,
            field="administration",
            what="administration",
            municipality_uid=town.uid if town else None,
        )
        if administration
        else None
    )
    if town is None:
        assert admin is not None
        if admin.municipality_uid is None:
            raise InvalidInput("administration", f"{admin.describe()} belongs to no municipality in the graph")
        town = find(store, ("Municipality",), admin.municipality_uid, field="municipality", what="municipality")
    if admin is not None and not admin.valid_on(on):
        raise InvalidInput("date", f"{admin.describe()} is not valid on {on.isoformat()} (valid {_validity(admin)})")
    root = _build_tree(_tree_rows(store, town.uid, admin.uid if admin else None, on))
    if root is None:
        raise InvalidInput("date", f"{(admin or town).describe()} has no organisation on {on.isoformat()}")
    return OrgTree(on, town.ref, root)


# -- one unit over time


@dataclass(frozen=True)
class Dated:
    """A fact that holds over a period: a parent, a child, a leading position, a tilbud."""

    uid: str
    name: str
    detail: str | None = None
    """Kind of the parent or child, the persons in a position, the tilbud's type."""
    valid_from: date | None = None
    valid_to: date | None = None
    inferred: bool = False

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "detail": self.detail,
            "valid_from": iso(self.valid_from),
            "valid_to": iso(self.valid_to),
            "inferred": self.inferred,
        }


@dataclass(frozen=True)
class UnitMove:
    """A move of a reorganisation that concerns the unit: it is moved ('flyttes'), or things move 'fra' or 'til' it."""

    uid: str
    name: str
    role: str
    reorganisation: Ref
    effective_on: date | None = None
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "role": self.role,
            "reorganisation": self.reorganisation.to_dict(),
            "effective_on": iso(self.effective_on),
            "inferred": self.inferred,
        }


@dataclass(frozen=True)
class Timeline:
    """Everything dated about one unit or administration."""

    unit: Ref
    kind: str | None
    valid_from: date | None
    valid_to: date | None
    municipality: Ref | None
    parents: tuple[Dated, ...] = ()
    children: tuple[Dated, ...] = ()
    leaders: tuple[Dated, ...] = ()
    tilbud: tuple[Dated, ...] = ()
    moves: tuple[UnitMove, ...] = ()

    def parents_on(self, on: date) -> tuple[Dated, ...]:
        return tuple(parent for parent in self.parents if parent.valid_on(on))

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.to_dict(),
            "kind": self.kind,
            "valid_from": iso(self.valid_from),
            "valid_to": iso(self.valid_to),
            "municipality": self.municipality.to_dict() if self.municipality else None,
            "parents": [item.to_dict() for item in self.parents],
            "children": [item.to_dict() for item in self.children],
            "leaders": [item.to_dict() for item in self.leaders],
            "tilbud": [item.to_dict() for item in self.tilbud],
            "moves": [item.to_dict() for item in self.moves],
        }


def _chronological(item: Dated) -> tuple[date, date, str]:
    return (item.valid_from or date.min, item.valid_to or date.max, danish_sort_key(item.name))


def unit_timeline(store: GraphStore, unit: str) -> Timeline:
    """The unit's own validity, its parents, children, leaders and tilbud over time, and the moves about it."""
    found = find(store, ("Unit", "Administration"), unit, field="unit", what="unit")
    rows = store.read(load_query("unit_timeline"), {"unit": found.uid})
    facts: dict[str, list[Dated]] = {"overordnet": [], "underordnet": [], "leder": [], "tilbud": []}
    moves: list[UnitMove] = []
    kind: str | None = None
    for row in rows:
        if row["fact"] == "enhed":
            kind = row["detail"]
        elif row["fact"] == "flytning":
            moves.append(
                UnitMove(
                    uid=row["uid"],
                    name=row["name"],
                    role=row["detail"],
                    reorganisation=Ref(row["reorganisation_uid"], row["reorganisation_name"], "Reorganisation"),
                    effective_on=row["valid_from"],
                    inferred=bool(row["inferred"]),
                )
            )
        else:
            facts[row["fact"]].append(
                Dated(
                    row["uid"],
                    row["name"] or row["uid"],
                    row["detail"],
                    row["valid_from"],
                    row["valid_to"],
                    bool(row["inferred"]),
                )
            )
    town = (
        find(store, ("Municipality",), found.municipality_uid, field="unit", what="municipality")
        if found.municipality_uid
        else None
    )
    return Timeline(
        unit=found.ref,
        kind=kind,
        valid_from=found.valid_from,
        valid_to=found.valid_to,
        municipality=town.ref if town else None,
        parents=tuple(sorted(facts["overordnet"], key=_chronological)),
        children=tuple(sorted(facts["underordnet"], key=_chronological)),
        leaders=tuple(sorted(facts["leder"], key=_chronological)),
        tilbud=tuple(sorted(facts["tilbud"], key=_chronological)),
        moves=tuple(sorted(moves, key=lambda m: (m.effective_on or date.max, m.reorganisation.uid, m.role, m.uid))),
    )


# -- what a reorganisation changed


@dataclass(frozen=True)
class Citation:
    """One source a fact cites: document, section, short quote."""

    document: str
    section: str | None = None
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section, "quote": self.quote}


def citations(row: Mapping[str, Any]) -> tuple[Citation, ...]:
    """The parallel provenance lists of a node or relationship as citations."""
    documents = row.get("source_documents") or []
    sections = row.get("source_sections") or []
    quotes = row.get("source_quotes") or []
    return tuple(
        Citation(document, sections[i] if i < len(sections) else None, quotes[i] if i < len(quotes) else None)
        for i, document in enumerate(documents)
    )


@dataclass(frozen=True)
class ReorganisationInfo:
    """A reorganisation's identity, status and dates, and what it concerns."""

    uid: str
    name: str
    status: str
    municipality: Ref | None
    administrations: tuple[Ref, ...] = ()
    proposed_on: date | None = None
    decided_on: date | None = None
    effective_on: date | None = None
    note: str | None = None
    sources: tuple[Citation, ...] = ()

    @property
    def ref(self) -> Ref:
        return Ref(self.uid, self.name, "Reorganisation")

    @property
    def day_before(self) -> date | None:
        return self.effective_on - ONE_DAY if self.effective_on else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "status": self.status,
            "municipality": self.municipality.to_dict() if self.municipality else None,
            "administrations": [a.to_dict() for a in self.administrations],
            "proposed_on": iso(self.proposed_on),
            "decided_on": iso(self.decided_on),
            "effective_on": iso(self.effective_on),
            "note": self.note,
            "sources": [s.to_dict() for s in self.sources],
        }


@dataclass(frozen=True)
class MoveInfo:
    """One move: what moves (subject and nodes), from where, to where, its scope, exception and sources."""

    uid: str
    name: str
    subject: str
    moves: tuple[Ref, ...] = ()
    moved_from: tuple[Ref, ...] = ()
    moved_to: tuple[Ref, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    paragraphs: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    exception: str | None = None
    note: str | None = None
    inferred: bool = False
    inferred_reason: str | None = None
    sources: tuple[Citation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "subject": self.subject,
            "what": [r.to_dict() for r in self.moves],
            "from": [r.to_dict() for r in self.moved_from],
            "to": [r.to_dict() for r in self.moved_to],
            "age_min": self.age_min,
            "age_max": self.age_max,
            "paragraphs": list(self.paragraphs),
            "conditions": list(self.conditions),
            "exception": self.exception,
            "note": self.note,
            "inferred": self.inferred,
            "inferred_reason": self.inferred_reason,
            "sources": [s.to_dict() for s in self.sources],
        }


@dataclass(frozen=True)
class ParentChange:
    """A node in the trees both before and after whose parent differs."""

    unit: Ref
    before: tuple[Ref, ...]
    after: tuple[Ref, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.to_dict(),
            "before": [r.to_dict() for r in self.before],
            "after": [r.to_dict() for r in self.after],
        }


@dataclass(frozen=True)
class ResponsibilityChange:
    """A rule ending the day before, a rule of the same kind starting on the date, overlapping, other holders."""

    kind: str
    age_min: int | None
    age_max: int | None
    paragraphs: tuple[str, ...]
    before_rule: Ref
    before_holders: tuple[str, ...]
    before_conditions: tuple[str, ...]
    after_rule: Ref
    after_holders: tuple[str, ...]
    after_conditions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "age_min": self.age_min,
            "age_max": self.age_max,
            "paragraphs": list(self.paragraphs),
            "before": {
                "rule": self.before_rule.to_dict(),
                "holders": list(self.before_holders),
                "conditions": list(self.before_conditions),
            },
            "after": {
                "rule": self.after_rule.to_dict(),
                "holders": list(self.after_holders),
                "conditions": list(self.after_conditions),
            },
        }


@dataclass(frozen=True)
class ReorgDiff:
    """The trees the day before and on the effective date, what appeared, disappeared or changed parent, the moves."""

    reorganisation: ReorganisationInfo
    before: tuple[OrgTree, ...] = ()
    after: tuple[OrgTree, ...] = ()
    appeared: tuple[Ref, ...] = ()
    disappeared: tuple[Ref, ...] = ()
    reparented: tuple[ParentChange, ...] = ()
    moves: tuple[MoveInfo, ...] = ()
    responsibility_changes: tuple[ResponsibilityChange, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """What the diff could not show, and why (no effective date, an administration not valid on a side)."""

    @property
    def has_trees(self) -> bool:
        return bool(self.before or self.after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reorganisation": self.reorganisation.to_dict(),
            "before_on": iso(self.reorganisation.day_before),
            "after_on": iso(self.reorganisation.effective_on),
            "before": [tree.to_dict() for tree in self.before],
            "after": [tree.to_dict() for tree in self.after],
            "appeared": [r.to_dict() for r in self.appeared],
            "disappeared": [r.to_dict() for r in self.disappeared],
            "reparented": [c.to_dict() for c in self.reparented],
            "moves": [m.to_dict() for m in self.moves],
            "responsibility_changes": [c.to_dict() for c in self.responsibility_changes],
            "notes": list(self.notes),
        }


def _refs(items: Sequence[Mapping[str, Any]] | None) -> tuple[Ref, ...]:
    refs = {
        item["uid"]: Ref(item["uid"], item.get("name") or item["uid"], item.get("label") or "") for item in items or ()
    }
    return tuple(sorted(refs.values(), key=lambda r: (danish_sort_key(r.name), r.uid)))


def reorganisation_info(store: GraphStore, reorganisation: str) -> ReorganisationInfo:
    """Look a reorganisation up by uid or name and read its overview."""
    found = find(store, ("Reorganisation",), reorganisation, field="reorganisation", what="reorganisation")
    rows = store.read(load_query("reorganisation_overview"), {"reorganisation": found.uid})
    row = rows[0]
    town = (
        Ref(row["municipality_uid"], row["municipality_name"], "Municipality") if row.get("municipality_uid") else None
    )
    administrations = tuple(
        Ref(a["uid"], a.get("name") or a["uid"], "Administration")
        for a in sorted(row.get("administrations") or (), key=lambda a: a["uid"])
    )
    return ReorganisationInfo(
        uid=row["uid"],
        name=row["name"],
        status=row["status"],
        municipality=town,
        administrations=administrations,
        proposed_on=row.get("proposed_on"),
        decided_on=row.get("decided_on"),
        effective_on=row.get("effective_on"),
        note=row.get("note"),
        sources=citations(row),
    )


def reorganisation_moves(store: GraphStore, reorganisation_uid: str) -> tuple[MoveInfo, ...]:
    """The moves of a reorganisation in document order."""
    rows = store.read(load_query("reorganisation_moves"), {"reorganisation": reorganisation_uid})
    return tuple(
        MoveInfo(
            uid=row["uid"],
            name=row["name"],
            subject=row["subject"],
            moves=_refs(row.get("moves")),
            moved_from=_refs(row.get("moved_from")),
            moved_to=_refs(row.get("moved_to")),
            age_min=row.get("age_min"),
            age_max=row.get("age_max"),
            paragraphs=tuple(sorted(row.get("paragraphs") or (), key=paragraph_sort_key)),
            conditions=tuple(sorted(row.get("conditions") or (), key=danish_sort_key)),
            exception=row.get("exception"),
            note=row.get("note"),
            inferred=bool(row.get("inferred")),
            inferred_reason=row.get("inferred_reason"),
            sources=citations(row),
        )
        for row in rows
    )


def paragraph_sort_key(name: str) -> tuple[str, int, str]:
    """'SEL §52a' → ('SEL', 52, 'a'), so §100 comes after §52."""
    law, _, number = name.partition("§")
    digits = "".join(ch for ch in number if ch.isdigit())
    return (law.strip(), int(digits) if digits else 0, number.strip().lstrip("0123456789"))


def responsibility_changes(store: GraphStore, reorganisation_uid: str) -> tuple[ResponsibilityChange, ...]:
    """Rules whose holder differs for the scope they share, the day before and on the effective date."""
    rows = store.read(load_query("responsibilities_changed_in_reorganisation"), {"reorganisation": reorganisation_uid})
    return tuple(
        ResponsibilityChange(
            kind=row["kind"],
            age_min=row.get("age_min"),
            age_max=row.get("age_max"),
            paragraphs=tuple(sorted(row.get("paragraphs") or (), key=paragraph_sort_key)),
            before_rule=Ref(row["before_uid"], row["before_name"], "ResponsibilityRule"),
            before_holders=tuple(sorted(row.get("before_holders") or (), key=danish_sort_key)),
            before_conditions=tuple(sorted(row.get("before_conditions") or (), key=danish_sort_key)),
            after_rule=Ref(row["after_uid"], row["after_name"], "ResponsibilityRule"),
            after_holders=tuple(sorted(row.get("after_holders") or (), key=danish_sort_key)),
            after_conditions=tuple(sorted(row.get("after_conditions") or (), key=danish_sort_key)),
        )
        for row in rows
    )


def _scope_trees(store: GraphStore, info: ReorganisationInfo, on: date, notes: list[str]) -> tuple[OrgTree, ...]:
    assert info.municipality is not None
    scopes: Sequence[Ref | None] = info.administrations or (None,)
    trees = []
    for scope in scopes:
        root = _build_tree(_tree_rows(store, info.municipality.uid, scope.uid if scope else None, on))
        if root is None:
            notes.append(f"{(scope or info.municipality).name} has no organisation on {on.isoformat()}.")
            continue
        trees.append(OrgTree(on, info.municipality, root))
    return tuple(trees)


def _flatten(trees: Sequence[OrgTree]) -> tuple[dict[str, OrgNode], dict[str, frozenset[str]]]:
    nodes: dict[str, OrgNode] = {}
    parents: dict[str, set[str]] = {}
    for tree in trees:
        for node, parent in tree.walk():
            nodes.setdefault(node.uid, node)
            parents.setdefault(node.uid, set())
            if parent is not None:
                parents[node.uid].add(parent.uid)
    return nodes, {uid: frozenset(p) for uid, p in parents.items()}


def reorganisation_diff(store: GraphStore, reorganisation: str) -> ReorgDiff:
    """Before (the day before `effective_on`) and after (on it) for the administrations concerned, and the moves.

    A reorganisation without an effective date (Silkeborg's undated proposal) has no before and
    after; the diff then says so in `notes` and still lists the moves.
    """
    info = reorganisation_info(store, reorganisation)
    moves = reorganisation_moves(store, info.uid)
    if info.effective_on is None or info.municipality is None:
        reason = "has no effective date" if info.effective_on is None else "belongs to no municipality"
        return ReorgDiff(
            info,
            moves=moves,
            notes=(f"The reorganisation {reason} in the sources, so there is no before and after to compare.",),
        )
    notes: list[str] = []
    before = _scope_trees(store, info, info.effective_on - ONE_DAY, notes)
    after = _scope_trees(store, info, info.effective_on, notes)
    before_nodes, before_parents = _flatten(before)
    after_nodes, after_parents = _flatten(after)
    everything = {**before_nodes, **after_nodes}

    def ordered(uids: set[str]) -> tuple[Ref, ...]:
        return tuple(sorted((everything[u].ref for u in uids), key=lambda r: (danish_sort_key(r.name), r.uid)))

    reparented = tuple(
        ParentChange(
            everything[uid].ref,
            ordered(set(before_parents[uid])),
            ordered(set(after_parents[uid])),
        )
        for uid in sorted(set(before_parents) & set(after_parents), key=lambda u: danish_sort_key(everything[u].name))
        if before_parents[uid] != after_parents[uid]
    )
    return ReorgDiff(
        reorganisation=info,
        before=before,
        after=after,
        appeared=ordered(set(after_nodes) - set(before_nodes)),
        disappeared=ordered(set(before_nodes) - set(after_nodes)),
        reparented=reparented,
        moves=moves,
        responsibility_changes=responsibility_changes(store, info.uid),
        notes=tuple(notes),
    )


# -- what a reorganisation changed for one target group

ChangeKind = Literal["moved", "stayed", "new", "ended"]
KINDS_ASKED: tuple[str, ...] = ("myndighed", "udfører")


@dataclass(frozen=True)
class HolderAnswer:
    """The resolver's answer on one side of the date: status, the units holding it, the deciding rules."""

    on: date
    status: str
    units: tuple[Ref, ...] = ()
    rules: tuple[str, ...] = ()
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "status": self.status,
            "units": [u.to_dict() for u in self.units],
            "rules": list(self.rules),
            "inferred": self.inferred,
        }


@dataclass(frozen=True)
class TargetGroupChange:
    """For one kind: who held it the day before and who holds it on the date, for paragraphs sharing this outcome."""

    kind: str
    change: ChangeKind
    before: HolderAnswer
    after: HolderAnswer
    without_paragraph: bool
    """The outcome holds for the question that names no paragraph."""
    paragraphs: tuple[Ref, ...] = ()
    """The paragraphs asked about that give this same outcome."""
    moves: tuple[Ref, ...] = ()
    """Moves of the reorganisation behind the change: those moving a deciding rule, else those going from a
    unit before to a unit after; only moves whose age band holds the age and whose paragraphs (if any) are asked."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "change": self.change,
            "without_paragraph": self.without_paragraph,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "moves": [m.to_dict() for m in self.moves],
        }


def _holder_answer(resolver: Resolver, question: Question) -> HolderAnswer:
    answer = resolver.resolve(question)
    assert question.on is not None
    units = {a.uid: Ref(a.uid, a.unit, a.kind) for a in answer.authority}
    return HolderAnswer(
        on=question.on,
        status=answer.status,
        units=tuple(sorted(units.values(), key=lambda r: (danish_sort_key(r.name), r.uid))),
        rules=tuple(sorted({uid for a in answer.authority for uid in a.rules})),
        inferred=answer.inferred,
    )


def _classify(before: HolderAnswer, after: HolderAnswer) -> ChangeKind | None:
    had, has = {u.uid for u in before.units}, {u.uid for u in after.units}
    if not had and not has:
        return None
    if not had:
        return "new"
    if not has:
        return "ended"
    return "stayed" if had == has else "moved"


def _related_moves(
    moves: Sequence[MoveInfo], before: HolderAnswer, after: HolderAnswer, age: int, paragraphs: set[str]
) -> tuple[Ref, ...]:
    def in_scope(move: MoveInfo) -> bool:
        ages = (move.age_min is None or move.age_min <= age) and (move.age_max is None or move.age_max >= age)
        return ages and (not move.paragraphs or bool(paragraphs & set(move.paragraphs)))

    candidates = [move for move in moves if in_scope(move)]
    rules = set(before.rules) | set(after.rules)
    had, has = {u.uid for u in before.units}, {u.uid for u in after.units}
    chosen = [move for move in candidates if rules & {r.uid for r in move.moves}] or [
        move for move in candidates if had & {r.uid for r in move.moved_from} and has & {r.uid for r in move.moved_to}
    ]
    return tuple(Ref(move.uid, move.name, "Move") for move in chosen)


def reorganisation_paragraphs(store: GraphStore, reorganisation_uid: str) -> tuple[Ref, ...]:
    """Paragraphs the reorganisation's moves or its municipality's rules name, in law order."""
    rows = store.read(load_query("reorganisation_paragraphs"), {"reorganisation": reorganisation_uid})
    refs = [Ref(row["uid"], row["name"], "Paragraph") for row in rows]
    return tuple(sorted(refs, key=lambda r: paragraph_sort_key(r.name)))


def target_group_changes(
    store: GraphStore, reorganisation: str, *, age: int, conditions: Sequence[str] = ()
) -> list[TargetGroupChange]:
    """What a reorganisation changed for one target group: per kind, moved, stayed, new or ended.

    Asks the responsibility resolver the same question the day before and on the effective date,
    for no paragraph and for every paragraph the moves or the municipality's rules name, so the
    answer follows the resolver's precedence (exceptions, paragraphs, narrower bands) rather than
    a mere overlap of rules. Paragraphs with the same outcome are reported together; questions
    nobody answers on either side are left out.
    """
    info = reorganisation_info(store, reorganisation)
    if info.effective_on is None or info.day_before is None:
        raise InvalidInput(
            "reorganisation", f"{info.name} ({info.uid}) has no effective date, so there is no before and after"
        )
    if info.municipality is None:
        raise InvalidInput("reorganisation", f"{info.name} ({info.uid}) belongs to no municipality")
    resolver = Resolver(store)
    moves = reorganisation_moves(store, info.uid)
    paragraphs: list[Ref | None] = [None, *reorganisation_paragraphs(store, info.uid)]
    wanted = tuple(conditions)
    changes: list[TargetGroupChange] = []
    for kind in KINDS_ASKED:
        outcomes: dict[tuple[HolderAnswer, HolderAnswer], list[Ref | None]] = {}
        for paragraph in paragraphs:
            before, after = (
                _holder_answer(
                    resolver,
                    Question(info.municipality.uid, age, wanted, paragraph.uid if paragraph else None, kind, on),
                )
                for on in (info.day_before, info.effective_on)
            )
            outcomes.setdefault((before, after), []).append(paragraph)
        for (before, after), asked in outcomes.items():
            change = _classify(before, after)
            if change is None:
                continue
            named = tuple(p for p in asked if p is not None)
            related = _related_moves(moves, before, after, age, {p.name for p in named})
            changes.append(TargetGroupChange(kind, change, before, after, None in asked, named, related))
    return changes
