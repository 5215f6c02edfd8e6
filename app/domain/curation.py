"""Curators' changes to the graph: create, rename, move and end units; add and end responsibility rules and
tilbud memberships — each from an effective date, so history is split, never erased.

Every operation checks its input against the graph (references exist and are valid on the date, no cycle,
no overlap, dates inside the node's own period) and raises InvalidInput / NotFound / Conflict naming the
field. It then applies all its statements and its audit entry in one `store.apply_atomically` batch, whose
`verify` re-reads the result: the changed node and its links must be exactly as predicted and the
invariants the seed checks must still hold, or the graph is left as it was. Field names in errors are those
of the GraphQL inputs (camelCase), the public contract.

Curated nodes get the `seed_file` their siblings live in, so `socialatlas export` writes them back for
review (see docs/curation.md for the seed/curation policy).
"""

from __future__ import annotations

import copy
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.audit import AUDIT_LABEL, AuditRecord, to_json
from app.errors import AtomicApplyFailed, Conflict, InvalidInput, NotFound, SocialatlasError
from app.schema import load_schema
from app.store.base import GraphStore, Reader, Statement

ONE_DAY = timedelta(days=1)
ORG_LABELS = ("Unit", "Administration")
PROVENANCE = ("source_documents", "source_sections", "source_quotes", "inferred", "inferred_reason")
_HIDDEN = {*PROVENANCE, "seed_file", "seed_order", "note"}
_UID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_SPELLINGS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})
TEMPORAL_LINKS = ("PART_OF", "LEADS", "REPORTS_TO", "HOLDS", "BELONGS_TO", "SERVES")
MAX_DEPTH = 20
"""Longest PART_OF chain walked when looking for descendants (the real ones are 6 deep)."""


class MissingReference(NotFound):
    """A uid in the input names no node of the expected kind; `field` says which input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# --- input -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who makes the change: the API key's name and role (recorded in the audit entry)."""

    name: str
    role: str


@dataclass(frozen=True)
class Evidence:
    """Provenance of a curated fact: a Source uid with section and verbatim quote, or an inference with reason."""

    document: str | None = None
    section: str | None = None
    quote: str | None = None
    inferred_reason: str | None = None


@dataclass(frozen=True)
class CreateUnit:
    parent: str
    name: str
    kind: str
    effective_on: date
    evidence: Evidence
    uid: str | None = None
    municipality: str | None = None
    short_name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class RenameUnit:
    uid: str
    name: str
    effective_on: date
    evidence: Evidence


@dataclass(frozen=True)
class MoveUnit:
    uid: str
    new_parent: str
    effective_on: date
    evidence: Evidence


@dataclass(frozen=True)
class TerminateUnit:
    uid: str
    effective_on: date
    """First day the unit no longer exists; it ends (valid_to) the day before."""
    evidence: Evidence


@dataclass(frozen=True)
class AddRule:
    municipality: str
    kind: str
    holder: str
    name: str
    valid_from: date
    evidence: Evidence
    uid: str | None = None
    valid_to: date | None = None
    age_min: int | None = None
    age_max: int | None = None
    conditions: tuple[str, ...] = ()
    all_conditions: bool = False
    paragraphs: tuple[str, ...] = ()
    excluded_paragraphs: tuple[str, ...] = ()
    exception_to: str | None = None


@dataclass(frozen=True)
class TerminateRule:
    uid: str
    effective_on: date
    evidence: Evidence


@dataclass(frozen=True)
class AddMembership:
    tilbud: str
    unit: str
    effective_on: date
    evidence: Evidence
    valid_to: date | None = None


@dataclass(frozen=True)
class TerminateMembership:
    tilbud: str
    unit: str
    effective_on: date
    evidence: Evidence


@dataclass(frozen=True)
class CurationResult:
    """What an operation did: the node it is about, the date, the state before and after, the audit entry."""

    operation: str
    uid: str
    label: str
    effective_on: date
    before: dict[str, Any] | None
    after: dict[str, Any]
    audit: AuditRecord


# --- reading the graph --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    uid: str
    label: str
    props: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.props.get("name") or self.uid)

    @property
    def valid_from(self) -> date | None:
        value = self.props.get("valid_from")
        return value if isinstance(value, date) else None

    @property
    def valid_to(self) -> date | None:
        value = self.props.get("valid_to")
        return value if isinstance(value, date) else None

    def valid_on(self, day: date) -> bool:
        return _within(day, day, self.valid_from, self.valid_to)

    def period(self) -> str:
        return _show(self.valid_from, self.valid_to)

    def describe(self) -> str:
        return f"{self.name} ({self.uid})"


@dataclass(frozen=True)
class _Link:
    type: str
    source: str
    target: str
    valid_from: date | None
    valid_to: date | None
    other_label: str = ""
    other_name: str = ""

    def valid_on(self, day: date) -> bool:
        return _within(day, day, self.valid_from, self.valid_to)

    def summary(self, direction: str) -> dict[str, Any]:
        end = "to" if direction == "out" else "from"
        return {
            "type": self.type,
            end: self.target if direction == "out" else self.source,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


def _within(first: date, last: date | None, valid_from: date | None, valid_to: date | None) -> bool:
    """[first, last] (last None = open) lies inside [valid_from, valid_to]."""
    if valid_from is not None and first < valid_from:
        return False
    if valid_to is None:
        return True
    return last is not None and last <= valid_to


def _overlap(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    return (a_from or date.min) <= (b_to or date.max) and (b_from or date.min) <= (a_to or date.max)


def _show(valid_from: date | None, valid_to: date | None) -> str:
    return f"[{valid_from.isoformat() if valid_from else ''}..{valid_to.isoformat() if valid_to else ''}]"


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def _safe(label: str) -> str:
    """A label put into query text: only one the schema declares (labels read from the graph included)."""
    if label not in load_schema().nodes:
        raise Conflict("uid", f"the graph holds a node labelled {label!r}, which the schema does not declare")
    return label


def _rel(rel_type: str) -> str:
    if rel_type not in load_schema().relationships:
        raise Conflict("uid", f"the graph holds a {rel_type!r} relationship, which the schema does not declare")
    return rel_type


def _get(reader: Reader, uid: str, labels: Sequence[str]) -> _Node | None:
    for label in map(_safe, labels):
        rows = reader.read(f"MATCH (n:{label} {{uid: $uid}}) RETURN properties(n) AS props", {"uid": uid})
        if rows:
            return _Node(uid, label, dict(rows[0]["props"]))
    return None


def _node(reader: Reader, uid: str | None, labels: Sequence[str], field: str, what: str) -> _Node:
    """The node `uid` names, which must have one of `labels`; otherwise an error naming `field`."""
    if uid is None or not uid.strip():
        raise InvalidInput(field, f"give the {what}'s uid")
    found = _get(reader, uid.strip(), labels)
    if found is not None:
        return found
    other = reader.read("MATCH (n) WHERE n.uid = $uid RETURN labels(n) AS labels", {"uid": uid.strip()})
    if other:
        label = str((other[0]["labels"] or ["?"])[0])
        raise InvalidInput(field, f"{uid!r} is a {label}, not a {what}")
    raise MissingReference(field, f"no {what} has the uid {uid!r}")


def _uid_taken(reader: Reader, uid: str) -> bool:
    return bool(reader.read("MATCH (n) WHERE n.uid = $uid RETURN n.uid AS uid LIMIT 1", {"uid": uid}))


def _links(reader: Reader, node: _Node, direction: str, types: Sequence[str] | None = None) -> list[_Link]:
    """The node's relationships in one direction (`out` or `in`), optionally of some types only."""
    pattern = "(n)-[r]->(o)" if direction == "out" else "(o)-[r]->(n)"
    rows = reader.read(
        f"MATCH (n:{node.label} {{uid: $uid}}) MATCH {pattern} WHERE $types IS NULL OR type(r) IN $types "
        "RETURN type(r) AS type, o.uid AS other, labels(o) AS labels, o.name AS name, "
        "r.valid_from AS valid_from, r.valid_to AS valid_to",
        {"uid": node.uid, "types": list(types) if types is not None else None},
    )
    links = []
    for row in rows:
        other = str(row["other"] or "")
        source, target = (node.uid, other) if direction == "out" else (other, node.uid)
        links.append(
            _Link(
                str(row["type"]),
                source,
                target,
                _as_date(row["valid_from"]),
                _as_date(row["valid_to"]),
                str((row["labels"] or [""])[0]),
                str(row["name"] or other),
            )
        )
    return links


def snapshot(reader: Reader, uid: str, label: str) -> dict[str, Any] | None:
    """A node's facts and every link it has, as the audit log records them (provenance left out)."""
    node = _get(reader, uid, (label,))
    if node is None:
        return None
    return {
        "label": label,
        "uid": uid,
        "props": {k: v for k, v in sorted(node.props.items()) if k not in _HIDDEN and v is not None},
        "out": _sorted([link.summary("out") for link in _links(reader, node, "out")]),
        "in": _sorted([link.summary("in") for link in _links(reader, node, "in")]),
    }


def _sorted(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=to_json)


def _municipalities(reader: Reader, node: _Node) -> set[str]:
    if node.label == "Municipality":
        return {node.uid}
    rows = reader.read(
        f"MATCH (n:{node.label} {{uid: $uid}}) MATCH (n)-[:PART_OF*1..{MAX_DEPTH}]->(m:Municipality) "
        "RETURN DISTINCT m.uid AS uid",
        {"uid": node.uid},
    )
    return {str(row["uid"]) for row in rows}


def _descendants_from(reader: Reader, node: _Node, on: date) -> set[str]:
    """Everything below the node through PART_OF links that hold on or after `on` (a cycle guard)."""
    rows = reader.read(
        f"MATCH (n:{node.label} {{uid: $uid}}) MATCH p = (d)-[:PART_OF*1..{MAX_DEPTH}]->(n) "
        "WHERE ALL(r IN relationships(p) WHERE r.valid_to IS NULL OR r.valid_to >= date($on)) "
        "RETURN DISTINCT d.uid AS uid",
        {"uid": node.uid, "on": on.isoformat()},
    )
    return {str(row["uid"]) for row in rows}


def _sibling_named(reader: Reader, parent: _Node, name: str, on: date, but: str | None = None) -> str | None:
    """uid of a child of `parent` valid on `on` with this name (case- and spelling-insensitive)."""
    rows = reader.read(
        f"MATCH (p:{parent.label} {{uid: $uid}}) MATCH (c)-[r:PART_OF]->(p) "
        "WHERE (r.valid_from IS NULL OR r.valid_from <= date($on)) AND (r.valid_to IS NULL OR r.valid_to >= date($on)) "
        "AND (c.valid_from IS NULL OR c.valid_from <= date($on)) AND (c.valid_to IS NULL OR c.valid_to >= date($on)) "
        "RETURN c.uid AS uid, c.name AS name",
        {"uid": parent.uid, "on": on.isoformat()},
    )
    key = _normal(name)
    for row in rows:
        if row["uid"] != but and _normal(str(row["name"] or "")) == key:
            return str(row["uid"])
    return None


def _normal(text: str) -> str:
    return " ".join(text.casefold().translate(_SLUG_SPELLINGS).split())


def slug(text: str) -> str:
    """A uid-shaped slug: Danish letters spelled out, everything else a hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold().translate(_SLUG_SPELLINGS)).strip("-")


def _free_uid(reader: Reader, given: str | None, derived: str) -> str:
    """The given uid (must be a free slug) or the derived one, numbered when taken."""
    if given is not None:
        uid = given.strip()
        if not _UID.match(uid):
            raise InvalidInput("uid", f"{given!r} is not a uid: lower-case letters and digits joined by hyphens")
        if _uid_taken(reader, uid):
            raise Conflict("uid", f"{uid!r} is already taken (uids are unique across all labels)")
        return uid
    base = derived[:80].strip("-")
    uid, n = base, 2
    while _uid_taken(reader, uid):
        uid, n = f"{base}-{n}", n + 1
    return uid


def _seed_place(reader: Reader, files: Sequence[str | None], fallback: str | None) -> dict[str, Any]:
    """`seed_file` (the file most siblings live in) and `seed_order` (after the last entry there)."""
    counted = Counter(f for f in files if f)
    seed_file = counted.most_common(1)[0][0] if counted else fallback
    if not seed_file:
        return {}
    rows = reader.read("MATCH (n) WHERE n.seed_file = $file RETURN max(n.seed_order) AS last", {"file": seed_file})
    last = rows[0]["last"] if rows else None
    return {"seed_file": seed_file, "seed_order": (int(last) + 1) if last is not None else 0}


def _enum(name: str, value: str, field: str) -> str:
    allowed = load_schema().enums[name].values
    if value not in allowed:
        close = tuple(difflib.get_close_matches(value, allowed, n=3, cutoff=0.5))
        raise InvalidInput(field, f"{value!r} is not one of {', '.join(allowed)}", close)
    return value


def _text(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise InvalidInput(field, "must not be empty")
    return value.strip()


def _provenance(reader: Reader, evidence: Evidence) -> dict[str, Any]:
    """The provenance properties of a curated fact; a cited Source must exist."""
    cited = any(v is not None and v.strip() for v in (evidence.document, evidence.section, evidence.quote))
    reason = evidence.inferred_reason.strip() if evidence.inferred_reason else None
    if not cited and not reason:
        raise InvalidInput(
            "provenance", "every fact needs provenance: a source (document, section, quote) or inferred with a reason"
        )
    props: dict[str, Any] = {"source_documents": [], "source_sections": [], "source_quotes": [], "inferred": False}
    if cited:
        document = _text(evidence.document, "provenance.source.document")
        section = _text(evidence.section, "provenance.source.section")
        quote = _text(evidence.quote, "provenance.source.quote")
        if _get(reader, document, ("Source",)) is None:
            raise MissingReference("provenance.source.document", f"no Source has the uid {document!r}")
        props.update(source_documents=[document], source_sections=[section], source_quotes=[quote])
    if reason:
        props.update(inferred=True, inferred_reason=reason)
    return props


# --- statements ---------------------------------------------------------------------------------------------


def _dates_clause(var: str, valid_from: date | None, valid_to: date | None, params: dict[str, Any]) -> str:
    parts = []
    if valid_from is not None:
        params["valid_from"] = valid_from.isoformat()
        parts.append(f"{var}.valid_from = date($valid_from)")
    if valid_to is not None:
        params["valid_to"] = valid_to.isoformat()
        parts.append(f"{var}.valid_to = date($valid_to)")
    return f" SET {', '.join(parts)}" if parts else ""


def _create_node(label: str, props: Mapping[str, Any], valid_from: date | None, valid_to: date | None) -> Statement:
    params: dict[str, Any] = {"props": {k: v for k, v in props.items() if v is not None}}
    return Statement(f"CREATE (n:{label}) SET n = $props" + _dates_clause("n", valid_from, valid_to, params), params)


def _create_link(
    rel_type: str,
    source: _Node,
    target: _Node,
    provenance: Mapping[str, Any],
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Statement:
    params: dict[str, Any] = {"a": source.uid, "b": target.uid, "props": dict(provenance)}
    return Statement(
        f"MATCH (a:{_safe(source.label)} {{uid: $a}}) MATCH (b:{_safe(target.label)} {{uid: $b}}) "
        f"CREATE (a)-[r:{rel_type}]->(b) SET r = $props" + _dates_clause("r", valid_from, valid_to, params),
        params,
    )


def _append_provenance(var: str, provenance: Mapping[str, Any], params: dict[str, Any]) -> str:
    """SET text adding this change's citation (or inference) to what the node or link already cites."""
    params.update(
        p_documents=provenance["source_documents"],
        p_sections=provenance["source_sections"],
        p_quotes=provenance["source_quotes"],
        p_reason=provenance.get("inferred_reason"),
    )
    return (
        f"SET {var}.source_documents = coalesce({var}.source_documents, []) + $p_documents, "
        f"{var}.source_sections = coalesce({var}.source_sections, []) + $p_sections, "
        f"{var}.source_quotes = coalesce({var}.source_quotes, []) + $p_quotes "
        f"WITH {var} WHERE $p_reason IS NOT NULL "
        f"SET {var}.inferred = true, {var}.inferred_reason = coalesce({var}.inferred_reason + ' ', '') + $p_reason"
    )


def _end_link(
    link: _Link, source_label: str, target_label: str, last_day: date, provenance: Mapping[str, Any]
) -> Statement:
    """Set valid_to of the link identified by (type, from, to, valid_from); cite the change."""
    params: dict[str, Any] = {"a": link.source, "b": link.target, "last": last_day.isoformat()}
    if link.valid_from is None:
        start = "r.valid_from IS NULL"
    else:
        params["start"] = link.valid_from.isoformat()
        start = "r.valid_from = date($start)"
    query = (
        f"MATCH (a:{_safe(source_label)} {{uid: $a}}) MATCH (a)-[r:{_rel(link.type)}]->(b:{_safe(target_label)}) "
        f"WHERE b.uid = $b AND {start} SET r.valid_to = date($last) "
    )
    return Statement(query + _append_provenance("r", provenance, params), params)


def _update_node(node: _Node, sets: str, params: dict[str, Any], provenance: Mapping[str, Any]) -> Statement:
    params = {**params, "uid": node.uid}
    query = f"MATCH (n:{node.label} {{uid: $uid}}) SET {sets} "
    return Statement(query + _append_provenance("n", provenance, params), params)


# --- predicted results --------------------------------------------------------------------------------------


def _ended(items: list[dict[str, Any]], link: _Link, direction: str, last_day: date) -> None:
    wanted = to_json(link.summary(direction))
    for item in items:
        if to_json(item) == wanted:
            item["valid_to"] = last_day
            return
    raise AssertionError(f"link not in snapshot: {wanted}")


def _normalise(snap: Mapping[str, Any] | None) -> str:
    if snap is None:
        return "null"
    fixed = dict(snap)
    fixed["out"] = _sorted(snap.get("out", []))
    fixed["in"] = _sorted(snap.get("in", []))
    return to_json(fixed)


# --- verifying the result -----------------------------------------------------------------------------------


def _check_snapshot(reader: Reader, uid: str, label: str, expected: Mapping[str, Any]) -> None:
    found = snapshot(reader, uid, label)
    if _normalise(found) != _normalise(expected):
        raise Conflict("uid", f"{uid} is not as expected after the change (a concurrent edit?); nothing was changed")


def _check_audit(reader: Reader, audit: AuditRecord) -> None:
    rows = reader.read(f"MATCH (a:{AUDIT_LABEL} {{uid: $uid}}) RETURN count(a) AS n", {"uid": audit.uid})
    if not rows or rows[0]["n"] != 1:
        raise Conflict("uid", "the audit entry was not written; nothing was changed")


def _check_hierarchy(reader: Reader, uid: str, label: str, on: date) -> None:
    """The seed's invariants for one unit: one parent at a time, every dated link inside both ends' periods,
    and no cycle through links that hold on or after `on`."""
    node = _get(reader, uid, (label,))
    if node is None:
        return
    parents = _links(reader, node, "out", ("PART_OF",))
    for n, a in enumerate(parents):
        for b in parents[n + 1 :]:
            if _overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to):
                raise Conflict(
                    "uid",
                    f"{node.describe()} would have two parents at once: {a.target} {_show(a.valid_from, a.valid_to)} "
                    f"and {b.target} {_show(b.valid_from, b.valid_to)}",
                )
    for link in parents:
        parent = _get(reader, link.target, (link.other_label,))
        if parent is not None and not _within(
            link.valid_from or date.min, link.valid_to, parent.valid_from, parent.valid_to
        ):
            raise Conflict(
                "effectiveOn",
                f"PART_OF {uid} → {link.target} {_show(link.valid_from, link.valid_to)} lies outside "
                f"{parent.describe()} {parent.period()}",
            )
    for direction in ("out", "in"):
        for link in _links(reader, node, direction, TEMPORAL_LINKS):
            if not _within(link.valid_from or date.min, link.valid_to, node.valid_from, node.valid_to):
                raise Conflict(
                    "effectiveOn",
                    f"{link.type} {link.source} → {link.target} {_show(link.valid_from, link.valid_to)} lies outside "
                    f"{node.describe()} {node.period()}",
                )
    cycle = reader.read(
        f"MATCH (n:{label} {{uid: $uid}}) MATCH p = (n)-[:PART_OF*1..{MAX_DEPTH}]->(x) WHERE x.uid = $uid "
        "AND ALL(r IN relationships(p) WHERE r.valid_to IS NULL OR r.valid_to >= date($on)) RETURN count(p) AS n",
        {"uid": uid, "on": on.isoformat()},
    )
    if cycle and cycle[0]["n"]:
        raise Conflict("newParent", f"{node.describe()} would be its own ancestor")


def _check_memberships(reader: Reader, tilbud_uid: str) -> None:
    tilbud = _get(reader, tilbud_uid, ("Tilbud",))
    if tilbud is None:
        return
    links = _links(reader, tilbud, "out", ("BELONGS_TO",))
    for n, a in enumerate(links):
        for b in links[n + 1 :]:
            if _overlap(a.valid_from, a.valid_to, b.valid_from, b.valid_to):
                raise Conflict("unit", f"{tilbud.describe()} would belong to {a.target} and {b.target} at once")
    for link in links:
        unit = _get(reader, link.target, (link.other_label,))
        for end in [tilbud, *([unit] if unit else [])]:
            if not _within(link.valid_from or date.min, link.valid_to, end.valid_from, end.valid_to):
                raise Conflict(
                    "unit",
                    f"BELONGS_TO {tilbud_uid} → {link.target} {_show(link.valid_from, link.valid_to)} lies outside "
                    f"{end.describe()} {end.period()}",
                )


def _check_rule(reader: Reader, rule_uid: str) -> None:
    rule = _get(reader, rule_uid, ("ResponsibilityRule",))
    if rule is None:
        return
    links = _links(reader, rule, "out")
    municipalities = [link for link in links if link.type == "IN_MUNICIPALITY"]
    holders = [link for link in links if link.type == "HELD_BY"]
    if len(municipalities) != 1:
        raise Conflict("municipality", f"{rule.describe()} would belong to {len(municipalities)} municipalities")
    if not holders:
        raise Conflict("holder", f"{rule.describe()} would have no holder")
    for link in holders:
        holder = _get(reader, link.target, (link.other_label,))
        if holder is not None and not _within(
            rule.valid_from or date.min, rule.valid_to, holder.valid_from, holder.valid_to
        ):
            raise Conflict("holder", f"{rule.describe()} {rule.period()} outlives its holder {holder.describe()}")


# --- applying -----------------------------------------------------------------------------------------------


@dataclass
class _Change:
    """What an operation will write and how to check it."""

    operation: str
    node_uid: str
    label: str
    effective_on: date
    provenance: dict[str, Any]
    statements: list[Statement] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    checks: list[Callable[[Reader], None]] = field(default_factory=list)


def _apply(store: GraphStore, actor: Actor, change: _Change, input: Any) -> CurationResult:
    audit = AuditRecord.new(
        actor=actor.name,
        role=actor.role,
        operation=change.operation,
        targets=tuple(dict.fromkeys((change.node_uid, *change.targets))),
        effective_on=change.effective_on,
        input=asdict(input),
        before=change.before,
        after=change.after,
    )

    def verify(reader: Reader) -> None:
        _check_snapshot(reader, change.node_uid, change.label, change.after)
        for check in change.checks:
            check(reader)
        _check_audit(reader, audit)

    try:
        store.apply_atomically([*change.statements, audit.statement(change.provenance)], verify=verify)
    except AtomicApplyFailed as error:
        cause = error.__cause__
        if isinstance(cause, SocialatlasError) and cause.public:
            raise cause from error
        raise
    return CurationResult(
        change.operation, change.node_uid, change.label, change.effective_on, change.before, change.after, audit
    )


def _fact_props(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(props.items()) if k not in _HIDDEN and v is not None}


# --- units --------------------------------------------------------------------------------------------------


def create_unit(store: GraphStore, actor: Actor, request: CreateUnit) -> CurationResult:
    """A new unit valid from the date, PART_OF its parent from the date (until the parent ends, if it does)."""
    provenance = _provenance(store, request.evidence)
    name = _text(request.name, "name")
    kind = _enum("unit_kind", request.kind, "kind")
    on = request.effective_on
    parent = _node(
        store,
        request.parent,
        ("Unit", "Administration", "Municipality"),
        "parent",
        "unit, administration or municipality",
    )
    if parent.label != "Municipality" and not parent.valid_on(on):
        raise Conflict("parent", f"{parent.describe()} is not valid on {on.isoformat()} (it holds {parent.period()})")
    towns = _municipalities(store, parent)
    if request.municipality is not None and request.municipality.strip() not in towns:
        raise InvalidInput(
            "municipality", f"{parent.describe()} is in {', '.join(sorted(towns)) or 'no municipality'}, "
            f"not {request.municipality!r}"
        )  # fmt: skip
    if len(towns) != 1:
        raise Conflict("parent", f"{parent.describe()} does not reach exactly one municipality")
    town = next(iter(towns))
    clash = _sibling_named(store, parent, name, on)
    if clash:
        raise Conflict("name", f"{parent.describe()} already has a child named {name!r} on {on.isoformat()}: {clash}")
    uid = _free_uid(store, request.uid, f"{town}-{slug(name)}")
    siblings = store.read(
        f"MATCH (p:{parent.label} {{uid: $uid}}) MATCH (c)-[:PART_OF]->(p) RETURN c.seed_file AS file",
        {"uid": parent.uid},
    )
    place = _seed_place(
        store,
        [row["file"] for row in siblings],
        parent.props.get("seed_file"),
    )
    end = parent.valid_to
    props: dict[str, Any] = {
        "uid": uid,
        "name": name,
        "kind": kind,
        "short_name": request.short_name.strip() if request.short_name else None,
        "description": request.description.strip() if request.description else None,
        **place,
        **provenance,
    }
    new = _Node(uid, "Unit", props)
    change = _Change("createUnit", uid, "Unit", on, provenance, targets=(parent.uid,))
    change.statements = [
        _create_node("Unit", props, on, end),
        _create_link("PART_OF", new, parent, provenance, on, end),
    ]
    change.after = {
        "label": "Unit",
        "uid": uid,
        "props": _fact_props({**props, "valid_from": on, "valid_to": end}),
        "out": [{"type": "PART_OF", "to": parent.uid, "valid_from": on, "valid_to": end}],
        "in": [],
    }
    change.checks = [lambda r: _check_hierarchy(r, uid, "Unit", on)]
    return _apply(store, actor, change, request)


def rename_unit(store: GraphStore, actor: Actor, request: RenameUnit) -> CurationResult:
    """The same node gets a new name from the date; the old one is kept in former_names with its last day."""
    provenance = _provenance(store, request.evidence)
    unit = _node(store, request.uid, ORG_LABELS, "uid", "unit or administration")
    name = _text(request.name, "name")
    on = request.effective_on
    last = on - ONE_DAY
    if _normal(name) == _normal(unit.name):
        raise InvalidInput("name", f"{unit.describe()} is already called {unit.name!r}")
    if not unit.valid_on(on) or not unit.valid_on(last):
        raise Conflict(
            "effectiveOn",
            f"{unit.describe()} holds {unit.period()}; a rename on {on.isoformat()} needs it to exist on that day "
            "and the day before",
        )
    untils = [str(u) for u in unit.props.get("former_names_until") or []]
    if untils and max(untils) >= last.isoformat():
        raise Conflict("effectiveOn", f"{unit.describe()} was renamed after {max(untils)}; renames go forward in time")
    for link in _links(store, unit, "out", ("PART_OF",)):
        if link.valid_on(on):
            parent = _get(store, link.target, (link.other_label,))
            clash = _sibling_named(store, parent, name, on, but=unit.uid) if parent else None
            if clash and parent:
                raise Conflict("name", f"{parent.describe()} already has a child named {name!r}: {clash}")
    before = snapshot(store, unit.uid, unit.label)
    assert before is not None
    after = copy.deepcopy(before)
    after["props"]["name"] = name
    after["props"]["former_names"] = [*(unit.props.get("former_names") or []), unit.name]
    after["props"]["former_names_until"] = [*untils, last.isoformat()]
    change = _Change("renameUnit", unit.uid, unit.label, on, provenance, before=before, after=after)
    change.statements = [
        _update_node(
            unit,
            "n.name = $name, n.former_names = coalesce(n.former_names, []) + [$old], "
            "n.former_names_until = coalesce(n.former_names_until, []) + [$until]",
            {"name": name, "old": unit.name, "until": last.isoformat()},
            provenance,
        )
    ]
    change.checks = [lambda r: _check_hierarchy(r, unit.uid, unit.label, on)]
    return _apply(store, actor, change, request)


def move_unit(store: GraphStore, actor: Actor, request: MoveUnit) -> CurationResult:
    """The current PART_OF link ends the day before; a new one to the new parent starts on the date."""
    provenance = _provenance(store, request.evidence)
    unit = _node(store, request.uid, ORG_LABELS, "uid", "unit or administration")
    on = request.effective_on
    if not unit.valid_on(on):
        raise Conflict(
            "effectiveOn", f"{unit.describe()} does not exist on {on.isoformat()} (it holds {unit.period()})"
        )
    allowed = ("Administration", "Municipality") if unit.label == "Administration" else (*ORG_LABELS, "Municipality")
    parent = _node(store, request.new_parent, allowed, "newParent", " or ".join(a.lower() for a in allowed))
    links = _links(store, unit, "out", ("PART_OF",))
    current = next((link for link in links if link.valid_on(on)), None)
    if current is None:
        raise Conflict("uid", f"{unit.describe()} has no parent on {on.isoformat()} to move it from")
    if current.target == parent.uid:
        raise Conflict("newParent", f"{parent.describe()} is already its parent on {on.isoformat()}")
    if current.valid_from is not None and on <= current.valid_from:
        raise Conflict(
            "effectiveOn",
            f"the link to {current.other_name} starts on {current.valid_from.isoformat()}; a move must come after it "
            "(correct the link itself in the seed file)",
        )
    end = current.valid_to
    if parent.label != "Municipality" and not _within(on, end, parent.valid_from, parent.valid_to):
        raise Conflict(
            "newParent",
            f"{parent.describe()} holds {parent.period()}, not the whole new period {_show(on, end)}",
        )
    if _municipalities(store, parent) != _municipalities(store, unit):
        raise Conflict("newParent", f"{parent.describe()} is in another municipality than {unit.describe()}")
    if parent.uid == unit.uid or parent.uid in _descendants_from(store, unit, on):
        raise Conflict(
            "newParent", f"{parent.describe()} is {unit.describe()} or below it: the move would make a cycle"
        )
    clash = _sibling_named(store, parent, unit.name, on)
    if clash:
        raise Conflict("newParent", f"{parent.describe()} already has a child named {unit.name!r}: {clash}")
    before = snapshot(store, unit.uid, unit.label)
    assert before is not None
    after = copy.deepcopy(before)
    _ended(after["out"], current, "out", on - ONE_DAY)
    after["out"].append({"type": "PART_OF", "to": parent.uid, "valid_from": on, "valid_to": end})
    change = _Change(
        "moveUnit",
        unit.uid,
        unit.label,
        on,
        provenance,
        before=before,
        after=after,
        targets=(current.target, parent.uid),
    )
    change.statements = [
        _end_link(current, unit.label, current.other_label, on - ONE_DAY, provenance),
        _create_link("PART_OF", unit, parent, provenance, on, end),
    ]
    change.checks = [lambda r: _check_hierarchy(r, unit.uid, unit.label, on)]
    return _apply(store, actor, change, request)


def terminate_unit(store: GraphStore, actor: Actor, request: TerminateUnit) -> CurationResult:
    """The unit ends the day before the date, and so do its links still open then; refused while children,
    rules or later links still depend on it."""
    provenance = _provenance(store, request.evidence)
    unit = _node(store, request.uid, ORG_LABELS, "uid", "unit or administration")
    on = request.effective_on
    last = on - ONE_DAY
    if not unit.valid_on(on):
        raise Conflict("effectiveOn", f"{unit.describe()} does not exist on {on.isoformat()}: it holds {unit.period()}")
    if unit.valid_from is not None and last < unit.valid_from:
        raise Conflict(
            "effectiveOn", f"{unit.describe()} starts on {unit.valid_from.isoformat()}; it cannot end before"
        )
    incoming = _links(store, unit, "in")
    outgoing = _links(store, unit, "out")
    children = []
    for link in incoming:
        if link.type == "PART_OF" and _overlap(link.valid_from, link.valid_to, on, None):
            child = _get(store, link.source, (link.other_label,))
            if child is not None and _overlap(child.valid_from, child.valid_to, on, None):
                children.append(child.describe())
    if children:
        raise Conflict(
            "uid",
            f"{unit.describe()} still has {len(children)} child unit(s) on or after {on.isoformat()}: "
            f"{', '.join(sorted(children))}; move or terminate them first",
        )
    rules = []
    for link in incoming:
        if link.type == "HELD_BY":
            rule = _get(store, link.source, ("ResponsibilityRule",))
            if rule is not None and _overlap(rule.valid_from, rule.valid_to, on, None):
                rules.append(rule.describe())
    if rules:
        raise Conflict(
            "uid",
            f"{unit.describe()} still holds {len(rules)} responsibility rule(s) on or after {on.isoformat()}: "
            f"{', '.join(sorted(rules))}; terminate them first",
        )
    open_links: list[tuple[str, _Link]] = []
    for direction, links in (("out", outgoing), ("in", incoming)):
        for link in links:
            if link.type not in TEMPORAL_LINKS or not _overlap(link.valid_from, link.valid_to, on, None):
                continue
            if link.valid_from is not None and link.valid_from >= on:
                raise Conflict(
                    "effectiveOn",
                    f"{link.type} {link.source} → {link.target} starts on {link.valid_from.isoformat()}, "
                    "after the unit would end",
                )
            open_links.append((direction, link))
    before = snapshot(store, unit.uid, unit.label)
    assert before is not None
    after = copy.deepcopy(before)
    after["props"]["valid_to"] = last
    statements = [_update_node(unit, "n.valid_to = date($last)", {"last": last.isoformat()}, provenance)]
    for direction, link in open_links:
        _ended(after[direction], link, direction, last)
        labels = (unit.label, link.other_label) if direction == "out" else (link.other_label, unit.label)
        statements.append(_end_link(link, *labels, last, provenance))
    change = _Change("terminateUnit", unit.uid, unit.label, on, provenance, before=before, after=after)
    change.statements = statements
    change.checks = [lambda r: _check_hierarchy(r, unit.uid, unit.label, on)]
    return _apply(store, actor, change, request)


# --- responsibility rules -----------------------------------------------------------------------------------


def add_rule(store: GraphStore, actor: Actor, request: AddRule) -> CurationResult:
    """A new responsibility rule of a municipality, held by a unit that exists throughout its period."""
    provenance = _provenance(store, request.evidence)
    town = _node(store, request.municipality, ("Municipality",), "municipality", "municipality")
    kind = _enum("responsibility_kind", request.kind, "kind")
    name = _text(request.name, "name")
    start, end = request.valid_from, request.valid_to
    if end is not None and end < start:
        raise InvalidInput("validTo", f"{end.isoformat()} is before validFrom {start.isoformat()}")
    for value, name_of in ((request.age_min, "ageMin"), (request.age_max, "ageMax")):
        if value is not None and not 0 <= value <= 130:
            raise InvalidInput(name_of, f"{value} is not an age between 0 and 130")
    if request.age_min is not None and request.age_max is not None and request.age_min > request.age_max:
        raise InvalidInput("ageMax", f"{request.age_max} is below ageMin {request.age_min}")
    if request.all_conditions and request.conditions:
        raise InvalidInput("allConditions", "give conditions or allConditions, not both")
    if not request.all_conditions and not request.conditions:
        raise InvalidInput("conditions", "name at least one condition, or set allConditions")
    conditions = [_node(store, uid, ("Condition",), "conditions", "condition") for uid in request.conditions]
    paragraphs = [_node(store, uid, ("Paragraph",), "paragraphs", "paragraph") for uid in request.paragraphs]
    excluded = [
        _node(store, uid, ("Paragraph",), "excludedParagraphs", "paragraph") for uid in request.excluded_paragraphs
    ]
    both = {p.uid for p in paragraphs} & {p.uid for p in excluded}
    if both:
        raise InvalidInput("excludedParagraphs", f"{', '.join(sorted(both))} are both included and excluded")
    holder = _node(store, request.holder, ORG_LABELS, "holder", "unit or administration")
    if not _within(start, end, holder.valid_from, holder.valid_to):
        raise Conflict(
            "holder", f"{holder.describe()} holds {holder.period()}, not the rule's whole period {_show(start, end)}"
        )
    if town.uid not in _municipalities(store, holder):
        raise InvalidInput("holder", f"{holder.describe()} is not in {town.describe()}")
    exception = None
    if request.exception_to is not None:
        exception = _node(store, request.exception_to, ("ResponsibilityRule",), "exceptionTo", "responsibility rule")
        their_towns = {link.target for link in _links(store, exception, "out", ("IN_MUNICIPALITY",))}
        if exception.props.get("kind") != kind or their_towns != {town.uid}:
            raise InvalidInput("exceptionTo", f"{exception.describe()} is not a {kind} rule of {town.describe()}")
        if not _overlap(start, end, exception.valid_from, exception.valid_to):
            raise Conflict(
                "exceptionTo", f"{exception.describe()} {exception.period()} does not hold in {_show(start, end)}"
            )
    uid = _free_uid(store, request.uid, f"{town.uid}-ansvar-{slug(name)[:60]}")
    siblings = store.read(
        "MATCH (m:Municipality {uid: $uid}) MATCH (r:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m) "
        "RETURN r.seed_file AS file",
        {"uid": town.uid},
    )
    place = _seed_place(store, [row["file"] for row in siblings], holder.props.get("seed_file"))
    props: dict[str, Any] = {
        "uid": uid,
        "name": name,
        "kind": kind,
        "age_min": request.age_min,
        "age_max": request.age_max,
        "all_conditions": True if request.all_conditions else None,
        **place,
        **provenance,
    }
    rule = _Node(uid, "ResponsibilityRule", props)
    targets: list[tuple[str, _Node]] = [("IN_MUNICIPALITY", town), ("HELD_BY", holder)]
    targets += [("COVERS_CONDITION", c) for c in conditions]
    targets += [("INCLUDES_PARAGRAPH", p) for p in paragraphs]
    targets += [("EXCLUDES_PARAGRAPH", p) for p in excluded]
    if exception is not None:
        targets.append(("EXCEPTION_TO", exception))
    change = _Change("addResponsibilityRule", uid, "ResponsibilityRule", start, provenance, targets=(holder.uid,))
    change.statements = [
        _create_node("ResponsibilityRule", props, start, end),
        *(_create_link(t, rule, target, provenance) for t, target in targets),
    ]
    change.after = {
        "label": "ResponsibilityRule",
        "uid": uid,
        "props": _fact_props({**props, "valid_from": start, "valid_to": end}),
        "out": _sorted({"type": t, "to": n.uid, "valid_from": None, "valid_to": None} for t, n in targets),
        "in": [],
    }
    change.checks = [lambda r: _check_rule(r, uid)]
    return _apply(store, actor, change, request)


def terminate_rule(store: GraphStore, actor: Actor, request: TerminateRule) -> CurationResult:
    """The rule holds until the day before the date."""
    provenance = _provenance(store, request.evidence)
    rule = _node(store, request.uid, ("ResponsibilityRule",), "uid", "responsibility rule")
    on = request.effective_on
    last = on - ONE_DAY
    if not rule.valid_on(on):
        raise Conflict("effectiveOn", f"{rule.describe()} does not hold on {on.isoformat()}: it holds {rule.period()}")
    if rule.valid_from is not None and last < rule.valid_from:
        raise Conflict(
            "effectiveOn", f"{rule.describe()} starts on {rule.valid_from.isoformat()}; it cannot end before"
        )
    before = snapshot(store, rule.uid, rule.label)
    assert before is not None
    after = copy.deepcopy(before)
    after["props"]["valid_to"] = last
    change = _Change("terminateResponsibilityRule", rule.uid, rule.label, on, provenance, before=before, after=after)
    change.statements = [_update_node(rule, "n.valid_to = date($last)", {"last": last.isoformat()}, provenance)]
    change.checks = [lambda r: _check_rule(r, rule.uid)]
    return _apply(store, actor, change, request)


# --- tilbud memberships -------------------------------------------------------------------------------------


def add_membership(store: GraphStore, actor: Actor, request: AddMembership) -> CurationResult:
    """The tilbud BELONGS_TO the unit from the date; its current membership ends the day before."""
    provenance = _provenance(store, request.evidence)
    tilbud = _node(store, request.tilbud, ("Tilbud",), "tilbud", "tilbud")
    unit = _node(store, request.unit, ORG_LABELS, "unit", "unit or administration")
    on = request.effective_on
    if not tilbud.valid_on(on):
        raise Conflict(
            "effectiveOn", f"{tilbud.describe()} does not exist on {on.isoformat()}: it holds {tilbud.period()}"
        )
    if request.valid_to is not None and request.valid_to < on:
        raise InvalidInput("validTo", f"{request.valid_to.isoformat()} is before effectiveOn {on.isoformat()}")
    links = _links(store, tilbud, "out", ("BELONGS_TO",))
    current = next((link for link in links if link.valid_on(on)), None)
    if current is not None and current.target == unit.uid:
        raise Conflict("unit", f"{tilbud.describe()} already belongs to {unit.describe()} on {on.isoformat()}")
    if current is not None and current.valid_from is not None and on <= current.valid_from:
        raise Conflict(
            "effectiveOn",
            f"its membership of {current.other_name} starts on {current.valid_from.isoformat()}; "
            "the new one must start after it",
        )
    end = request.valid_to if request.valid_to is not None else (current.valid_to if current else None)
    for link in links:
        if link is not current and _overlap(link.valid_from, link.valid_to, on, end):
            raise Conflict(
                "effectiveOn",
                f"{tilbud.describe()} belongs to {link.other_name} {_show(link.valid_from, link.valid_to)}, "
                f"which overlaps {_show(on, end)}",
            )
    for node, name_of in ((unit, "unit"), (tilbud, "tilbud")):
        if not _within(on, end, node.valid_from, node.valid_to):
            raise Conflict(name_of, f"{node.describe()} holds {node.period()}, not {_show(on, end)}; give validTo")
    before = snapshot(store, tilbud.uid, tilbud.label)
    assert before is not None
    after = copy.deepcopy(before)
    statements = []
    if current is not None:
        _ended(after["out"], current, "out", on - ONE_DAY)
        statements.append(_end_link(current, "Tilbud", current.other_label, on - ONE_DAY, provenance))
    after["out"].append({"type": "BELONGS_TO", "to": unit.uid, "valid_from": on, "valid_to": end})
    statements.append(_create_link("BELONGS_TO", tilbud, unit, provenance, on, end))
    change = _Change(
        "addTilbudMembership", tilbud.uid, "Tilbud", on, provenance, before=before, after=after,
        targets=(unit.uid, *((current.target,) if current else ())),
    )  # fmt: skip
    change.statements = statements
    change.checks = [lambda r: _check_memberships(r, tilbud.uid)]
    return _apply(store, actor, change, request)


def terminate_membership(store: GraphStore, actor: Actor, request: TerminateMembership) -> CurationResult:
    """The tilbud's membership of the unit ends the day before the date."""
    provenance = _provenance(store, request.evidence)
    tilbud = _node(store, request.tilbud, ("Tilbud",), "tilbud", "tilbud")
    unit = _node(store, request.unit, ORG_LABELS, "unit", "unit or administration")
    on = request.effective_on
    last = on - ONE_DAY
    links = [link for link in _links(store, tilbud, "out", ("BELONGS_TO",)) if link.target == unit.uid]
    current = next((link for link in links if link.valid_on(on)), None)
    if current is None:
        raise Conflict("unit", f"{tilbud.describe()} does not belong to {unit.describe()} on {on.isoformat()}")
    if current.valid_from is not None and last < current.valid_from:
        raise Conflict(
            "effectiveOn", f"the membership starts on {current.valid_from.isoformat()}; it cannot end before"
        )
    before = snapshot(store, tilbud.uid, tilbud.label)
    assert before is not None
    after = copy.deepcopy(before)
    _ended(after["out"], current, "out", last)
    change = _Change(
        "terminateTilbudMembership", tilbud.uid, "Tilbud", on, provenance, before=before, after=after,
        targets=(unit.uid,),
    )  # fmt: skip
    change.statements = [_end_link(current, "Tilbud", unit.label, last, provenance)]
    change.checks = [lambda r: _check_memberships(r, tilbud.uid)]
    return _apply(store, actor, change, request)
