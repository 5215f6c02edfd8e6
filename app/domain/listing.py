"""Listing the nodes of one label: filters, sorting and keyset (cursor) pagination.

A `ListRequest` names a label, a filter (one dataclass per label, below), an order and a page;
`list_nodes` compiles it into portable Cypher and returns a `ListPage`. Labels and property
names come only from the schema declaration (`app.schema`) and the tables here; every value a
user gives is a query parameter.

How a request becomes Cypher:

- Relationship filters (municipality, administration, part of, covers age/condition, tilbud
  under a paragraph, …) are each answered by one small query that starts from the named node
  (so the engines use the uid index) and returns the uids of the label that qualify. The sets
  are intersected in Python and passed as `n.uid IN $candidates`.
- Property filters (name, kind, law, status, …) and validity on `asOf` are `WHERE` clauses on `n`.
- Pagination is keyset-based on (sort key, uid): a cursor holds the last row's sort key and uid,
  so pages stay stable while rows are added elsewhere in the list, and a page costs the same
  wherever it is. One count query gives `totalCount` and whether rows lie before the page.

Names sort case-insensitively, with æ, ø, å after z in that (Danish) order: the sort key replaces
them with the three characters after `z` in ASCII (`{`, `|`, `}`). Other letters with accents sort
by code point (after å). Text filters compare folded text: lower case, æ/ø/å read both as ae/oe/aa
and as a/o/a (é as e; ä, ö, ü as ae/oe/ue and a/o/u), so `aarhus` finds `Århus` and `born` and
`boern` both find `børn`.

Validity: temporal labels are listed when valid on `as_of`, and relationship hops in filters
(PART_OF chains, BELONGS_TO, SERVES) must be valid on that date too. `any_date=True` lists
regardless of date, and relationship hops count whenever they held.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from app.domain.lookup import Entity, find, normalise
from app.domain.queries import load_query
from app.domain.terms import MAX_AGE, LawBook, Taxonomy, normalise_kind
from app.errors import InvalidInput
from app.schema import Schema, load_schema
from app.store.base import GraphStore

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
"""Most rows one page returns; `first`/`last` above it are refused."""

CHAIN_DEPTH = 12
"""Deepest PART_OF chain followed from a unit to its municipality."""


@cache
def schema() -> Schema:
    """The schema declaration, read once: the whitelist of labels and properties."""
    return load_schema()


# --- folding text, in Python and in Cypher alike -------------------------------------------------------------

_LONG = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"))
_SHORT = (("æ", "a"), ("ø", "o"), ("å", "a"), ("é", "e"), ("ä", "a"), ("ö", "o"), ("ü", "u"))
_SORT = (("æ", "{"), ("ø", "|"), ("å", "}"))


def _fold(text: str, table: Sequence[tuple[str, str]]) -> str:
    folded = text.lower()
    for a, b in table:
        folded = folded.replace(a, b)
    return folded


def fold_long(text: str) -> str:
    """Lower case with æ/ø/å as ae/oe/aa: the same as `fold_long_cypher` computes in the database."""
    return _fold(text, _LONG)


def fold_short(text: str) -> str:
    """Lower case with æ/ø/å as a/o/a: the same as `fold_short_cypher` computes in the database."""
    return _fold(text, _SHORT)


def sort_key(text: str) -> str:
    """The name sort key as the database computes it: lower case, æ/ø/å after z."""
    return _fold(text, _SORT)


def _cypher_fold(expr: str, table: Sequence[tuple[str, str]]) -> str:
    out = f"toLower({expr})"
    for a, b in table:
        out = f"replace({out}, '{a}', '{b}')"
    return out


def fold_long_cypher(expr: str) -> str:
    return _cypher_fold(expr, _LONG)


def fold_short_cypher(expr: str) -> str:
    return _cypher_fold(expr, _SHORT)


def text_match_cypher(expr: str, long_param: str, short_param: str, op: str = "CONTAINS") -> str:
    """`expr` CONTAINS (or STARTS WITH) the folded text, in either folding."""
    return f"({fold_long_cypher(expr)} {op} ${long_param} OR {fold_short_cypher(expr)} {op} ${short_param})"


# --- validity -------------------------------------------------------------------------------------------------


def valid_on_cypher(var: str, on_param: str = "on") -> str:
    """`var` (a node or relationship) is valid on the date parameter; absent ends are open."""
    return (
        f"({var}.valid_from IS NULL OR {var}.valid_from <= date(${on_param})) "
        f"AND ({var}.valid_to IS NULL OR {var}.valid_to >= date(${on_param}))"
    )


def _path_valid(path: str) -> str:
    return f"ALL(r IN relationships({path}) WHERE {valid_on_cypher('r')})"


# --- filters: one dataclass per label --------------------------------------------------------------------------


@dataclass(frozen=True)
class NameFilter:
    """What every list filters by: the name (and short name) and whether to ignore the date."""

    name_contains: str | None = None
    name_starts_with: str | None = None
    any_date: bool = False


@dataclass(frozen=True)
class AgeConditionFilter:
    """Served age and condition, read through SERVES → TargetGroup (or a rule's own band and conditions)."""

    covers_age: int | None = None
    condition: str | None = None


@dataclass(frozen=True)
class TilbudFilter(NameFilter, AgeConditionFilter):
    tilbud_type: str | None = None
    municipality: str | None = None
    paragraph: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class UnitFilter(NameFilter, AgeConditionFilter):
    kind: tuple[str, ...] = ()
    municipality: str | None = None
    administration: str | None = None
    part_of: str | None = None
    tilbud: TilbudFilter | None = None


@dataclass(frozen=True)
class AdministrationFilter(NameFilter):
    municipality: str | None = None


@dataclass(frozen=True)
class ParagraphFilter(NameFilter):
    law: str | None = None
    number: str | None = None
    unconfirmed: bool | None = None


@dataclass(frozen=True)
class TargetGroupFilter(NameFilter, AgeConditionFilter):
    municipality: str | None = None


@dataclass(frozen=True)
class ConditionFilter(NameFilter):
    """`name_contains` also matches the English term and the synonyms."""


@dataclass(frozen=True)
class ReorganisationFilter(NameFilter):
    municipality: str | None = None
    status: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None


@dataclass(frozen=True)
class FocusAreaFilter(NameFilter):
    municipality: str | None = None


@dataclass(frozen=True)
class ResponsibilityRuleFilter(NameFilter, AgeConditionFilter):
    municipality: str | None = None
    kind: str | None = None
    paragraph: str | None = None
    holder: str | None = None


FILTERS: dict[str, type[NameFilter]] = {
    "Unit": UnitFilter,
    "Administration": AdministrationFilter,
    "Tilbud": TilbudFilter,
    "Paragraph": ParagraphFilter,
    "TargetGroup": TargetGroupFilter,
    "Condition": ConditionFilter,
    "Reorganisation": ReorganisationFilter,
    "FocusArea": FocusAreaFilter,
    "ResponsibilityRule": ResponsibilityRuleFilter,
}
"""The labels that can be listed, each with its filter."""


# --- order ---------------------------------------------------------------------------------------------------

NAME_KEY = "replace(replace(replace(toLower(coalesce(n.name, n.title, n.uid)), 'æ', '{'), 'ø', '|'), 'å', '}')"

_KEYS: dict[str, tuple[str, type]] = {
    "NAME": (NAME_KEY, str),
    "UID": ("n.uid", str),
    "VALID_FROM": ("coalesce(toString(n.valid_from), '')", str),
    "VALID_TO": ("coalesce(toString(n.valid_to), '9999-12-31')", str),
    "KIND": (f"coalesce(n.kind, '') + ' ' + {NAME_KEY}", str),
    "TILBUD_TYPE": (f"coalesce(toLower(n.tilbud_type), '') + ' ' + {NAME_KEY}", str),
    "LAW": (f"n.law + ' ' + {NAME_KEY}", str),
    "AGE_MIN": ("coalesce(n.age_min, 0)", int),
    "AGE_MAX": (f"coalesce(n.age_max, {MAX_AGE})", int),
    "STATUS": (f"n.status + ' ' + {NAME_KEY}", str),
    "EFFECTIVE_ON": ("coalesce(toString(n.effective_on), '9999-12-31')", str),
}
"""Sort key per order field: a Cypher expression on `n` that is never null, and its Python type.

Dates sort as ISO text (no sentinel dates: FalkorDB compares far-apart dates wrongly); an open
`valid_from` sorts first, an open `valid_to` and an unknown `effective_on` last."""

ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "Unit": ("NAME", "UID", "KIND", "VALID_FROM", "VALID_TO"),
    "Administration": ("NAME", "UID", "VALID_FROM", "VALID_TO"),
    "Tilbud": ("NAME", "UID", "TILBUD_TYPE", "VALID_FROM", "VALID_TO"),
    "Paragraph": ("NAME", "UID", "LAW", "VALID_FROM", "VALID_TO"),
    "TargetGroup": ("NAME", "UID", "AGE_MIN", "AGE_MAX"),
    "Condition": ("NAME", "UID"),
    "Reorganisation": ("NAME", "UID", "STATUS", "EFFECTIVE_ON"),
    "FocusArea": ("NAME", "UID", "VALID_FROM", "VALID_TO"),
    "ResponsibilityRule": ("NAME", "UID", "KIND", "AGE_MIN", "VALID_FROM", "VALID_TO"),
}


@dataclass(frozen=True)
class Order:
    """Sort by one field (ties broken by uid), ascending or descending."""

    field: str = "NAME"
    descending: bool = False


# --- request and result ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageArgs:
    """Relay arguments: `first` after a cursor, or `last` before one."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class ListRequest:
    label: str
    filter: NameFilter | None = None
    order: tuple[Order, ...] = ()
    page: PageArgs = PageArgs()
    as_of: date | None = None


@dataclass(frozen=True)
class Item:
    """One listed node: its properties (as stored) and its cursor."""

    uid: str
    label: str
    props: Mapping[str, Any]
    cursor: str


class _HasCursor(Protocol):
    @property
    def cursor(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_HasCursor)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a list or of search hits, with what a Relay connection reports about it."""

    items: tuple[ItemT, ...]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    as_of: date

    @property
    def start_cursor(self) -> str | None:
        return self.items[0].cursor if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1].cursor if self.items else None


ListPage = Page[Item]


# --- cursors ---------------------------------------------------------------------------------------------------

_CURSOR_SALT = b"socialatlas-cursor-v1"


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=6, key=_CURSOR_SALT).hexdigest()


def encode_cursor(kind: str, order: str, key: Any, uid: str) -> str:
    """An opaque cursor: base64 of the position (list kind, order field, sort key, uid) and a checksum."""
    body = json.dumps([kind, order, key, uid], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body + b"|" + _checksum(body).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str, kind: str, order: str, key_type: type) -> tuple[Any, str]:
    """(sort key, uid) of a cursor this list handed out with this order; InvalidInput(field) otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body, _, check = raw.rpartition(b"|")
        if not body or check.decode() != _checksum(body):
            raise ValueError("checksum")
        got_kind, got_order, key, uid = json.loads(body)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput(field, "not a cursor this API handed out") from exc
    if got_kind != kind or got_order != order:
        raise InvalidInput(field, f"the cursor belongs to another list or order ({got_kind}, {got_order})")
    if not isinstance(uid, str) or not isinstance(key, key_type) or isinstance(key, bool):
        raise InvalidInput(field, "not a cursor this API handed out")
    return key, uid


def page_size(value: int | None, field: str) -> int:
    """`first`/`last` checked: 0…MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE."""
    if value is None:
        return DEFAULT_PAGE_SIZE
    if value < 0:
        raise InvalidInput(field, f"{field} must not be negative")
    if value > MAX_PAGE_SIZE:
        raise InvalidInput(field, f"{field} may be at most {MAX_PAGE_SIZE}, not {value}")
    return value


# --- compiling filters -----------------------------------------------------------------------------------------


@dataclass
class Compiled:
    """A filter as `WHERE` clauses on `n` plus the uid set relationship filters allow (None = any)."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    candidates: set[str] | None = None

    def restrict(self, uids: Iterable[str]) -> None:
        found = set(uids)
        self.candidates = found if self.candidates is None else self.candidates & found

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return name


class Catalogue:
    """The small catalogues filters read terms against (conditions, paragraphs), loaded on first use."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._taxonomy: Taxonomy | None = None
        self._law: LawBook | None = None

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            self._taxonomy = Taxonomy(self.store.read(load_query("resolver_conditions")))
        return self._taxonomy

    @property
    def law(self) -> LawBook:
        if self._law is None:
            self._law = LawBook(self.store.read(load_query("resolver_paragraphs")), [])
        return self._law

    def condition_reach(self, text: str, field: str) -> list[str]:
        """The condition named and every broader one: a group naming any of them (or none) covers it."""
        try:
            uid = self.taxonomy.resolve(text)
        except InvalidInput as exc:
            raise InvalidInput(field, str(exc).partition(": ")[2] or str(exc), exc.suggestions) from exc
        return list(self.taxonomy.reach(uid))

    def paragraph(self, text: str, field: str) -> str:
        """'SEL §107', '§ 107', 'serviceloven § 107' → the paragraph's uid, read as the resolver reads it."""
        try:
            return self.law.resolve(text)
        except InvalidInput as exc:
            raise InvalidInput(field, str(exc).partition(": ")[2] or str(exc), exc.suggestions) from exc

    def entity(
        self, labels: Sequence[str], text: str, field: str, what: str, municipality_uid: str | None = None
    ) -> Entity:
        """The node a filter names, read like `lookup.find` does (uid, name or short name, case- and æøå-blind).

        Fast paths first, since `find` reads every node of the labels with its municipality chain (≈10 ms
        on the national graph): an exact uid (index lookup), and for municipalities their short list.
        """
        wanted = text.strip()
        for label in labels:
            rows = self.store.read(
                f"MATCH (n:{_label(label)}) WHERE n.uid = $uid RETURN n.uid AS uid, n.name AS name", {"uid": wanted}
            )
            if rows and tuple(labels) == ("Municipality",):
                return Entity(str(rows[0]["uid"]), str(rows[0]["name"]), label, municipality_uid=str(rows[0]["uid"]))
            if rows and municipality_uid is None:
                return Entity(str(rows[0]["uid"]), str(rows[0]["name"] or rows[0]["uid"]), label)
        if tuple(labels) == ("Municipality",) and wanted:
            towns = self.store.read("MATCH (m:Municipality) RETURN m.uid AS uid, m.name AS name")
            key = normalise(wanted)
            hits = [t for t in towns if key in (normalise(str(t["uid"])), normalise(str(t["name"])))]
            if len(hits) == 1:
                uid = str(hits[0]["uid"])
                return Entity(uid, str(hits[0]["name"]), "Municipality", municipality_uid=uid)
        return find(self.store, labels, text, field=field, what=what, municipality_uid=municipality_uid)


class Compiler:
    """Turns one label's filter into `Compiled`, running the relationship filters' small queries."""

    def __init__(self, store: GraphStore, on: date, any_date: bool, catalogue: Catalogue | None = None) -> None:
        self.store = store
        self.on = on
        self.any_date = any_date
        self.cat = catalogue or Catalogue(store)

    # helpers ----------------------------------------------------------------------------------------------------

    def _read_uids(self, query: str, params: Mapping[str, Any]) -> set[str]:
        return {str(row["uid"]) for row in self.store.read(query, {"on": self.on.isoformat(), **params})}

    def _rel_valid(self, var: str) -> str:
        return "true" if self.any_date else valid_on_cypher(var)

    def _path_ok(self, path: str) -> str:
        return "true" if self.any_date else _path_valid(path)

    def under(self, anchor: Entity, labels: Sequence[str]) -> set[str]:
        """Uids of nodes with these labels under the anchor through PART_OF (valid on the date)."""
        anchor_label = _label(anchor.label)
        wanted = " OR ".join(f"u:{_label(lbl)}" for lbl in labels)
        query = (
            f"MATCH (a:{anchor_label}) WHERE a.uid = $anchor WITH a "
            f"MATCH p = (a)<-[:PART_OF*1..{CHAIN_DEPTH}]-(u) "
            f"WHERE ({wanted}) AND {self._path_ok('p')} "
            "RETURN DISTINCT u.uid AS uid"
        )
        return self._read_uids(query, {"anchor": anchor.uid})

    def municipality(self, text: str, field: str) -> Entity:
        return self.cat.entity(("Municipality",), text, field, "municipality")

    def served(
        self, label: str, age: int | None, condition: str | None, field: str, within: set[str] | None = None
    ) -> set[str]:
        """Uids of `label` nodes serving (on the date) a target group that covers the age and condition.

        `within`: the uids other filters already allow; the query then starts from them (uid index)."""
        clauses = [self._rel_valid("s")]
        params: dict[str, Any] = {}
        start = f"MATCH (x:{_label(label)}) "
        if within is not None:
            start += "WHERE x.uid IN $within "
            params["within"] = sorted(within)
        if age is not None:
            _check_age(age, f"{field}.coversAge")
            clauses.append("(g.age_min IS NULL OR g.age_min <= $age) AND (g.age_max IS NULL OR g.age_max >= $age)")
            params["age"] = age
        query = f"{start}WITH x MATCH (x)-[s:SERVES]->(g:TargetGroup) WHERE {' AND '.join(clauses)} WITH DISTINCT x, g "
        if condition is not None:
            params["conditions"] = self.cat.condition_reach(condition, f"{field}.condition")
            query += (
                "WITH x, [(g)-[:HAS_CONDITION]->(c:Condition) | c.uid] AS cs "
                "WHERE size(cs) = 0 OR any(c IN cs WHERE c IN $conditions) "
            )
        return self._read_uids(query + "RETURN DISTINCT x.uid AS uid", params)

    def in_municipality(self, label: str, text: str, field: str) -> set[str]:
        """Uids of `label` nodes linked straight to the municipality (IN_MUNICIPALITY)."""
        town = self.municipality(text, field)
        query = (
            "MATCH (m:Municipality) WHERE m.uid = $m WITH m "
            f"MATCH (x:{_label(label)})-[:IN_MUNICIPALITY]->(m) RETURN DISTINCT x.uid AS uid"
        )
        return self._read_uids(query, {"m": town.uid})

    def belonging_to(self, owners: set[str]) -> set[str]:
        """Uids of tilbud belonging (on the date) to one of these units or administrations."""
        query = (
            "MATCH (t:Tilbud)-[b:BELONGS_TO]->(u) WHERE u.uid IN $owners AND "
            f"{self._rel_valid('b')} RETURN DISTINCT t.uid AS uid"
        )
        return self._read_uids(query, {"owners": sorted(owners)})

    def name_clauses(self, flt: NameFilter, out: Compiled, fields_: Sequence[str], field: str) -> None:
        for text, op, arg in (
            (flt.name_contains, "CONTAINS", "nameContains"),
            (flt.name_starts_with, "STARTS WITH", "nameStartsWith"),
        ):
            if text is None:
                continue
            if not text.strip():
                raise InvalidInput(f"{field}.{arg}", "give some text")
            long_p, short_p = out.param(fold_long(text.strip())), out.param(fold_short(text.strip()))
            ors = [text_match_cypher(f, long_p, short_p, op) for f in fields_]
            if "n.synonyms" in fields_:
                ors.pop(fields_.index("n.synonyms"))
                ors.append(f"any(s IN coalesce(n.synonyms, []) WHERE {text_match_cypher('s', long_p, short_p, op)})")
            out.clauses.append("(" + " OR ".join(ors) + ")")

    # per label ----------------------------------------------------------------------------------------------------

    def compile(self, label: str, flt: NameFilter, field: str = "filter") -> Compiled:
        out = Compiled()
        spec = schema().nodes[label]
        if spec.temporal and not self.any_date:
            out.clauses.append(valid_on_cypher("n"))
            out.params["on"] = self.on.isoformat()
        names = [f"n.{p}" for p in ("name", "title", "short_name") if p in spec.properties]
        if label == "Condition":
            names += ["n.english", "n.synonyms"]
        self.name_clauses(flt, out, names, field)
        getattr(self, f"_{label}")(flt, out, field)
        return out

    def _Unit(self, flt: UnitFilter, out: Compiled, field: str) -> None:
        if flt.kind:
            allowed = schema().enums["unit_kind"].values
            bad = [k for k in flt.kind if k not in allowed]
            if bad:
                raise InvalidInput(f"{field}.kind", f"unknown unit kind {bad[0]!r}", tuple(allowed))
            out.clauses.append(f"n.kind IN ${out.param(list(flt.kind))}")
        town = self.municipality(flt.municipality, f"{field}.municipality") if flt.municipality else None
        if town is not None:
            out.restrict(self.under(town, ("Unit",)))
        if flt.administration:
            admin = self.cat.entity(
                ("Administration",),
                flt.administration,
                f"{field}.administration",
                "administration",
                town.uid if town else None,
            )
            out.restrict(self.under(admin, ("Unit",)))
        if flt.part_of:
            anchor = self.cat.entity(
                ("Unit", "Administration"), flt.part_of, f"{field}.partOf", "unit", town.uid if town else None
            )
            out.restrict(self.under(anchor, ("Unit",)))
        if flt.covers_age is not None or flt.condition is not None:
            out.restrict(self.served("Unit", flt.covers_age, flt.condition, field, out.candidates))
        if flt.tilbud is not None:
            tilbud = self.matching_uids("Tilbud", flt.tilbud, f"{field}.tilbud")
            query = (
                "MATCH (t:Tilbud)-[b:BELONGS_TO]->(u:Unit) WHERE t.uid IN $tilbud AND "
                f"{self._rel_valid('b')} RETURN DISTINCT u.uid AS uid"
            )
            out.restrict(self._read_uids(query, {"tilbud": sorted(tilbud)}))

    def _Administration(self, flt: AdministrationFilter, out: Compiled, field: str) -> None:
        if flt.municipality:
            town = self.municipality(flt.municipality, f"{field}.municipality")
            out.restrict(self.under(town, ("Administration",)))

    def _Tilbud(self, flt: TilbudFilter, out: Compiled, field: str) -> None:
        if flt.tilbud_type:
            long_p, short_p = out.param(fold_long(flt.tilbud_type)), out.param(fold_short(flt.tilbud_type))
            long_t, short_t = fold_long_cypher("n.tilbud_type"), fold_short_cypher("n.tilbud_type")
            out.clauses.append(f"({long_t} = ${long_p} OR {short_t} = ${short_p})")
        town = self.municipality(flt.municipality, f"{field}.municipality") if flt.municipality else None
        if town is not None:
            out.restrict(self.belonging_to(self.under(town, ("Unit", "Administration"))))
        if flt.unit:
            unit = self.cat.entity(
                ("Unit", "Administration"), flt.unit, f"{field}.unit", "unit", town.uid if town else None
            )
            out.restrict(self.belonging_to({unit.uid} | self.under(unit, ("Unit",))))
        if flt.paragraph:
            uid = self.cat.paragraph(flt.paragraph, f"{field}.paragraph")
            query = (
                "MATCH (p:Paragraph) WHERE p.uid = $paragraph WITH p "
                "MATCH (t:Tilbud)-[:UNDER_PARAGRAPH]->(p) RETURN DISTINCT t.uid AS uid"
            )
            out.restrict(self._read_uids(query, {"paragraph": uid}))
        if flt.covers_age is not None or flt.condition is not None:
            out.restrict(self.served("Tilbud", flt.covers_age, flt.condition, field, out.candidates))

    def _Paragraph(self, flt: ParagraphFilter, out: Compiled, field: str) -> None:
        if flt.law:
            allowed = schema().enums["law"].values
            law = next((x for x in allowed if fold_long(x) == fold_long(flt.law)), None)
            if law is None:
                raise InvalidInput(f"{field}.law", f"unknown law {flt.law!r}", tuple(allowed))
            out.clauses.append(f"n.law = ${out.param(law)}")
        if flt.number:
            number = "".join(flt.number.lower().replace("§", "").split())
            out.clauses.append(f"toLower(n.number) = ${out.param(number)}")
        if flt.unconfirmed is not None:
            out.clauses.append(f"coalesce(n.unconfirmed, false) = ${out.param(flt.unconfirmed)}")

    def _TargetGroup(self, flt: TargetGroupFilter, out: Compiled, field: str) -> None:
        if flt.covers_age is not None:
            _check_age(flt.covers_age, f"{field}.coversAge")
            age = out.param(flt.covers_age)
            out.clauses.append(
                f"(n.age_min IS NULL OR n.age_min <= ${age}) AND (n.age_max IS NULL OR n.age_max >= ${age})"
            )
        if flt.condition is not None:
            query = (
                "MATCH (g:TargetGroup) WITH g, [(g)-[:HAS_CONDITION]->(c:Condition) | c.uid] AS cs "
                "WHERE size(cs) = 0 OR any(c IN cs WHERE c IN $conditions) RETURN g.uid AS uid"
            )
            reach = self.cat.condition_reach(flt.condition, f"{field}.condition")
            out.restrict(self._read_uids(query, {"conditions": reach}))
        if flt.municipality:
            town = self.municipality(flt.municipality, f"{field}.municipality")
            units = self.under(town, ("Unit", "Administration"))
            owners = units | self.belonging_to(units)
            served = (
                "MATCH (x)-[s:SERVES]->(g:TargetGroup) WHERE x.uid IN $owners AND "
                f"{self._rel_valid('s')} RETURN DISTINCT g.uid AS uid"
            )
            concerned = (
                "MATCH (m:Municipality) WHERE m.uid = $m WITH m "
                "MATCH (m)<-[:IN_MUNICIPALITY]-(:FocusArea)-[:CONCERNS]->(g:TargetGroup) RETURN DISTINCT g.uid AS uid"
            )
            out.restrict(
                self._read_uids(served, {"owners": sorted(owners)}) | self._read_uids(concerned, {"m": town.uid})
            )

    def _Condition(self, flt: ConditionFilter, out: Compiled, field: str) -> None:
        """Only the name filters, which also read the English term and the synonyms."""

    def _Reorganisation(self, flt: ReorganisationFilter, out: Compiled, field: str) -> None:
        if flt.municipality:
            out.restrict(self.in_municipality("Reorganisation", flt.municipality, f"{field}.municipality"))
        if flt.status:
            allowed = schema().enums["reorganisation_status"].values
            bad = [s for s in flt.status if s not in allowed]
            if bad:
                raise InvalidInput(f"{field}.status", f"unknown status {bad[0]!r}", tuple(allowed))
            out.clauses.append(f"n.status IN ${out.param(list(flt.status))}")
        if flt.effective_from and flt.effective_to and flt.effective_from > flt.effective_to:
            raise InvalidInput(f"{field}.effectiveFrom", "effectiveFrom is after effectiveTo")
        if flt.effective_from:
            out.clauses.append(f"n.effective_on >= date(${out.param(flt.effective_from.isoformat())})")
        if flt.effective_to:
            out.clauses.append(f"n.effective_on <= date(${out.param(flt.effective_to.isoformat())})")

    def _FocusArea(self, flt: FocusAreaFilter, out: Compiled, field: str) -> None:
        if flt.municipality:
            out.restrict(self.in_municipality("FocusArea", flt.municipality, f"{field}.municipality"))

    def _ResponsibilityRule(self, flt: ResponsibilityRuleFilter, out: Compiled, field: str) -> None:
        town = self.municipality(flt.municipality, f"{field}.municipality") if flt.municipality else None
        if flt.municipality:
            out.restrict(self.in_municipality("ResponsibilityRule", flt.municipality, f"{field}.municipality"))
        if flt.kind:
            try:
                kind = normalise_kind(flt.kind)
            except InvalidInput as exc:
                raise InvalidInput(f"{field}.kind", f"unknown kind {flt.kind!r}", exc.suggestions) from exc
            out.clauses.append(f"n.kind = ${out.param(kind)}")
        if flt.covers_age is not None:
            _check_age(flt.covers_age, f"{field}.coversAge")
            age = out.param(flt.covers_age)
            out.clauses.append(
                f"(n.age_min IS NULL OR n.age_min <= ${age}) AND (n.age_max IS NULL OR n.age_max >= ${age})"
            )
        if flt.condition is not None:
            query = (
                "MATCH (r:ResponsibilityRule) WITH r, [(r)-[:COVERS_CONDITION]->(c:Condition) | c.uid] AS cs "
                "WHERE coalesce(r.all_conditions, false) OR size(cs) = 0 OR any(c IN cs WHERE c IN $conditions) "
                "RETURN r.uid AS uid"
            )
            reach = self.cat.condition_reach(flt.condition, f"{field}.condition")
            out.restrict(self._read_uids(query, {"conditions": reach}))
        if flt.paragraph:
            uid = self.cat.paragraph(flt.paragraph, f"{field}.paragraph")
            query = (
                "MATCH (p:Paragraph) WHERE p.uid = $paragraph WITH p "
                "MATCH (r:ResponsibilityRule)-[:INCLUDES_PARAGRAPH]->(p) RETURN DISTINCT r.uid AS uid"
            )
            out.restrict(self._read_uids(query, {"paragraph": uid}))
        if flt.holder:
            holder = self.cat.entity(
                ("Unit", "Administration"), flt.holder, f"{field}.holder", "unit", town.uid if town else None
            )
            query = (
                f"MATCH (h:{_label(holder.label)}) WHERE h.uid = $holder WITH h "
                "MATCH (r:ResponsibilityRule)-[:HELD_BY]->(h) RETURN DISTINCT r.uid AS uid"
            )
            out.restrict(self._read_uids(query, {"holder": holder.uid}))

    # whole lists ------------------------------------------------------------------------------------------------

    def matching_uids(self, label: str, flt: NameFilter, field: str) -> set[str]:
        """Every uid of `label` the filter lets through (for a filter nested in another list's filter)."""
        compiled = self.compile(label, flt, field)
        match, params = _match(label, compiled)
        return {str(row["uid"]) for row in self.store.read(f"{match} RETURN n.uid AS uid", params)}


def _label(label: str) -> str:
    """A label from the schema whitelist, safe to put into query text."""
    if label not in schema().nodes:
        raise InvalidInput("label", f"unknown label {label!r}", tuple(sorted(schema().nodes)))
    return label


def _check_age(age: int, field: str) -> None:
    if age < 0 or age > MAX_AGE:
        raise InvalidInput(field, f"age must be between 0 and {MAX_AGE}, not {age}")


def _match(label: str, compiled: Compiled) -> tuple[str, dict[str, Any]]:
    """`MATCH (n:Label) … WHERE …` for the compiled filter; the uid set first so the uid index is used."""
    params = dict(compiled.params)
    text = f"MATCH (n:{_label(label)})"
    if compiled.candidates is not None:
        text += " WHERE n.uid IN $candidates"
        params["candidates"] = sorted(compiled.candidates)
    text += " WITH n"
    if compiled.clauses:
        text += " WHERE " + " AND ".join(compiled.clauses)
    return text, params


# --- listing ---------------------------------------------------------------------------------------------------


def _keyset(key_expr: str, key_param: str, uid_param: str, greater: bool) -> str:
    op = ">" if greater else "<"
    return f"({key_expr} {op} ${key_param} OR ({key_expr} = ${key_param} AND n.uid {op} ${uid_param}))"


def list_nodes(store: GraphStore, request: ListRequest, catalogue: Catalogue | None = None) -> ListPage:
    """One page of `request.label` nodes passing the filter, in the order asked, with Relay page info."""
    label = request.label
    if label not in FILTERS:
        raise InvalidInput("label", f"cannot list {label!r}", tuple(FILTERS))
    flt = request.filter or FILTERS[label]()
    if not isinstance(flt, FILTERS[label]):
        raise InvalidInput("filter", f"a {type(flt).__name__} does not filter {label}")
    on = request.as_of or date.today()
    order = _order(label, request.order)
    key_expr, key_type = _KEYS[order.field]
    page = request.page
    if page.first is not None and page.last is not None:
        raise InvalidInput("last", "give first or last, not both")
    backward = page.last is not None or (page.before is not None and page.first is None)
    size = page_size(page.last if backward else page.first, "last" if backward else "first")
    kind = label
    after = (
        decode_cursor(page.after, field="after", kind=kind, order=_order_tag(order), key_type=key_type)
        if page.after
        else None
    )
    before = (
        decode_cursor(page.before, field="before", kind=kind, order=_order_tag(order), key_type=key_type)
        if page.before
        else None
    )
    compiled = Compiler(store, on, flt.any_date, catalogue).compile(label, flt)
    match, params = _match(label, compiled)
    params.setdefault("on", on.isoformat())
    asc = not order.descending
    keyed = f"{match} WITH n, {key_expr} AS sort_key"

    # the count: all rows, and those at or before `after` / at or after `before` (outside the window)
    counts = ["count(n) AS total"]
    window: list[str] = []
    if after is not None:
        params["after_key"], params["after_uid"] = after
        cond = _keyset("sort_key", "after_key", "after_uid", greater=asc)
        window.append(cond)
        counts.append(f"sum(CASE WHEN {cond} THEN 0 ELSE 1 END) AS upto_after")
    if before is not None:
        params["before_key"], params["before_uid"] = before
        cond = _keyset("sort_key", "before_key", "before_uid", greater=not asc)
        window.append(cond)
        counts.append(f"sum(CASE WHEN {cond} THEN 0 ELSE 1 END) AS from_before")
    [count_row] = store.read(f"{keyed} RETURN {', '.join(counts)}", params)
    total = int(count_row["total"] or 0)

    rows: list[dict[str, Any]] = []
    if size > 0 and total > 0:
        ascending = asc != backward
        direction = "" if ascending else " DESC"
        where = f" WHERE {' AND '.join(window)}" if window else ""
        query = (
            f"{keyed} WITH n, sort_key{where} "
            f"RETURN n AS node, sort_key, n.uid AS uid ORDER BY sort_key{direction}, uid{direction} LIMIT $limit"
        )
        rows = store.read(query, {**params, "limit": size + 1})
    more = len(rows) > size
    if size == 0:  # nothing fetched: whether rows lie in the window comes from the count
        outside = int(count_row.get("upto_after") or 0) + int(count_row.get("from_before") or 0)
        more = total - outside > 0
    rows = rows[:size]
    if backward:
        rows.reverse()
    tag = _order_tag(order)
    items = tuple(
        Item(
            uid=str(row["uid"]),
            label=label,
            props=_props(row["node"]),
            cursor=encode_cursor(kind, tag, row["sort_key"], str(row["uid"])),
        )
        for row in rows
    )
    if backward:
        has_previous = more
        has_next = before is not None and int(count_row.get("from_before") or 0) > 0
    else:
        has_next = more
        has_previous = after is not None and int(count_row.get("upto_after") or 0) > 0
    return ListPage(items, total, has_next, has_previous, on)


def _order(label: str, order: Sequence[Order]) -> Order:
    allowed = ORDER_FIELDS[label]
    if len(order) > 1:
        raise InvalidInput("orderBy", "give one order field; ties are always broken by uid")
    chosen = order[0] if order else Order()
    if chosen.field not in allowed:
        raise InvalidInput("orderBy", f"{label} cannot be ordered by {chosen.field}", allowed)
    return chosen


def _order_tag(order: Order) -> str:
    return f"{order.field}:{'desc' if order.descending else 'asc'}"


def _props(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if not k.startswith("_")}
