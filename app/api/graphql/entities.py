"""One GraphQL type per schema label, built from a node's property dict and the date it is viewed on.

Every object carries the date it was asked for (`asOf`) and hands it to every nested hop, so a
whole query answers for one day. Relationship fields go through the request's DataLoaders
(app/api/graphql/loaders.py): one round trip per nesting level, whatever the number of rows.

Other modules build these objects with `Label.of(props, as_of)` or `entity_of(label, props, as_of)`,
where `props` is a node's property dict as `store.read` returns it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Annotated, Any, Self, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool

from app.api.graphql.common import Validity, described
from app.api.graphql.context import GraphQLContext
from app.domain.catalogue import Direction, Hop, Link, leading_level
from app.domain.lookup import Ref
from app.domain.names import name_on, name_periods
from app.domain.temporal import (
    ONE_DAY,
    HolderAnswer,
    ReorgDiff,
    reorganisation_diff,
    target_group_changes,
)
from app.domain.temporal import TargetGroupChange as DomainTargetGroupChange
from app.schema import load_schema

Info = strawberry.Info[GraphQLContext, None]


def _doc(label: str, prop: str, fallback: str) -> str:
    """The schema's description of a property, or the fallback when it has none."""
    spec = load_schema().nodes[label].properties.get(prop)
    return spec.description if spec is not None and spec.description else fallback


def _label_doc(label: str) -> str:
    return load_schema().nodes[label].description


@strawberry.type(description="One source a fact cites: the document, the section and a short verbatim quote.")
class Citation:
    document: str = strawberry.field(description="Uid of the cited Source (a document file name).")
    section: str | None = strawberry.field(description="Section heading or page cited.")
    quote: str | None = strawberry.field(description="Short verbatim quote from the cited section.")

    @described("The cited Source, as a node; null when the graph has no Source with that uid.")
    async def source(self, info: Info) -> Source | None:
        found = await _node(info, self.document, date.today())
        return found if isinstance(found, Source) else None


@strawberry.type(description="Where a fact comes from: its citations, and whether it is inferred rather than stated.")
class Provenance:
    sources: list[Citation] = strawberry.field(description="The citations backing the fact.")
    inferred: bool = strawberry.field(description="True when the sources imply the fact without stating it.")
    inferred_reason: str | None = strawberry.field(description="Why the fact is inferred, when it is.")

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> Provenance:
        """The provenance properties of a node or relationship."""
        documents = list(props.get("source_documents") or [])
        sections = list(props.get("source_sections") or [])
        quotes = list(props.get("source_quotes") or [])
        return cls(
            sources=[
                Citation(
                    document=str(document),
                    section=sections[i] if i < len(sections) else None,
                    quote=quotes[i] if i < len(quotes) else None,
                )
                for i, document in enumerate(documents)
            ],
            inferred=bool(props.get("inferred") or False),
            inferred_reason=props.get("inferred_reason"),
        )


def validity_of(props: Mapping[str, Any]) -> Validity:
    """The validity period of a node or relationship (absent ends are open)."""
    return Validity(from_=props.get("valid_from"), to=props.get("valid_to"))


def valid_on(props: Mapping[str, Any], on: date) -> bool:
    """True when the node or relationship holds on `on` (both ends inclusive, absent = open)."""
    start, end = props.get("valid_from"), props.get("valid_to")
    return (start is None or start <= on) and (end is None or end >= on)


# Python field name -> property name, where they differ.
_PROPERTY_OF: dict[str, str] = {"refers_to": "as_of"}
_COMMON = {"uid", "label", "note", "provenance", "as_of", "props", "validity", "name", "current_name"}


@strawberry.interface(description="Any node of the graph: its identity, the curator's note, and its provenance.")
class Node:
    uid: str = strawberry.field(description="Stable identifier, a readable slug unique across all labels.")
    label: str = strawberry.field(description="The node's label in the graph (Unit, Tilbud, Paragraph, …).")
    note: str | None = strawberry.field(description="Curator's remark (free text).")
    provenance: Provenance = strawberry.field(description="The sources stating the node, and whether it is inferred.")
    as_of: date = strawberry.field(
        name="asOf", description="The date this object is viewed on; every nested relationship answers for it."
    )
    props: strawberry.Private[Mapping[str, Any]]

    @classmethod
    def of(cls, props: Mapping[str, Any], as_of: date) -> Self:
        """The object for a node's property dict, viewed on `as_of`."""
        values: dict[str, Any] = {
            "uid": str(props.get("uid")),
            "label": cls.__name__,
            "note": props.get("note"),
            "provenance": Provenance.of(props),
            "as_of": as_of,
            "props": props,
        }
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        if "validity" in names:
            values["validity"] = validity_of(props)
        if "current_name" in names:
            values["current_name"] = str(props.get("name") or props.get("uid"))
            values["name"] = name_on(props, as_of)
        elif "name" in names:
            values["name"] = str(props.get("name") or props.get("uid"))
        for name in names - _COMMON:
            value = props.get(_PROPERTY_OF.get(name, name))
            if name == "value" and isinstance(value, int):
                value = float(value)
            values[name] = list(value) if isinstance(value, list | tuple) else value
        return cls(**values)


N = TypeVar("N", bound="Node")


@strawberry.interface(description="A node that holds over a period: it carries its validity.")
class Temporal:
    validity: Validity = strawberry.field(description="When the node itself is valid (both ends inclusive).")


# -- navigation helpers


async def _links(
    obj: Node,
    info: Info,
    rel_type: str,
    direction: Direction,
    *,
    on: date | bool | None = True,
    transitive: bool = False,
    target: str | None = None,
) -> list[Link]:
    """The object's neighbours along one hop, through the request's batching loader.

    `on=True` views the hop on the object's date when the relationship is temporal (or the hop is
    transitive); `on=None` gives every link whatever its dates (history).
    """
    rel = load_schema().relationships[rel_type]
    if obj.label not in (rel.from_labels if direction == "out" else rel.to_labels):
        return []  # e.g. a municipality's tilbud: the schema has no such link
    day = on if isinstance(on, date) else None
    if on is True and (transitive or rel.temporal):
        day = obj.as_of
    hop = Hop(rel_type, direction, obj.label, day, transitive, target)
    return await info.context.loaders.links.load((hop, obj.uid))


def _objects(links: list[Link], as_of: date) -> list[Node]:
    return [entity_of(link.label, link.node, as_of) for link in links if link.label in ENTITY_BY_LABEL]


async def _many(
    obj: Node,
    info: Info,
    rel_type: str,
    direction: Direction,
    kind: type[N],
    *,
    transitive: bool = False,
    target: str | None = None,
) -> list[N]:
    """The neighbours of one kind, viewed on the object's date."""
    links = await _links(obj, info, rel_type, direction, transitive=transitive, target=target)
    return [item for item in _objects(links, obj.as_of) if isinstance(item, kind)]


async def _one(obj: Node, info: Info, rel_type: str, direction: Direction, kind: type[N]) -> N | None:
    """The first neighbour of one kind (in seed order), or None."""
    found = await _many(obj, info, rel_type, direction, kind)
    return found[0] if found else None


async def _node(info: Info, uid: str, as_of: date) -> Node | None:
    props = await info.context.loaders.nodes.load(uid)
    if props is None:
        return None
    label = label_of(props, "")
    return entity_of(label, props, as_of) if label else None


def _period_day(props: Mapping[str, Any], fallback: date) -> date:
    """The day a period is viewed on: its first day, else its last, else the fallback."""
    start, end = props.get("valid_from"), props.get("valid_to")
    return start if isinstance(start, date) else end if isinstance(end, date) else fallback


# -- relationship views with their properties


@strawberry.type(description="A link between two nodes as of a date: the node at the other end, when and why it holds.")
class OrgLink:
    node: OrgNode = strawberry.field(description="The node at the other end.")
    validity: Validity = strawberry.field(description="When the link holds (both ends inclusive).")
    provenance: Provenance = strawberry.field(description="The sources stating the link, and whether it is inferred.")


@strawberry.type(description="A person holding a position over a period, in the role a document names.")
class Holding:
    person: Person = strawberry.field(description="The person.")
    position: Position = strawberry.field(description="The position held.")
    role: str | None = strawberry.field(description="The role the document names, if any.")
    validity: Validity = strawberry.field(description="When the person holds the position.")
    provenance: Provenance = strawberry.field(description="The sources stating it, and whether it is inferred.")


@strawberry.type(description="A paragraph replaced by another from a date (SUCCEEDED_BY), seen from one end.")
class Succession:
    paragraph: Paragraph = strawberry.field(description="The paragraph at the other end: successor or predecessor.")
    effective_on: date | None = strawberry.field(description="The day the successor takes over.")
    scope: str | None = strawberry.field(description="When only part of the paragraph moved (e.g. under-18s).")
    provenance: Provenance = strawberry.field(description="The sources stating the succession.")


@strawberry.type(description="One period of a unit's history: where it sat and what it was called.")
class UnitPeriod:
    validity: Validity = strawberry.field(description="The period (both ends inclusive, absent ends open).")
    name: str = strawberry.field(description="The unit's name in the period.")
    parent: OrgNode | None = strawberry.field(description="Where it sat in the period (viewed on its first day).")
    provenance: Provenance = strawberry.field(description="The sources stating the placement.")


@strawberry.type(description="One period of a tilbud's history: the unit it belonged to.")
class TilbudPeriod:
    validity: Validity = strawberry.field(description="The period (both ends inclusive, absent ends open).")
    unit: OrgNode = strawberry.field(description="The unit or administration it belonged to (viewed on the first day).")
    provenance: Provenance = strawberry.field(description="The sources stating it.")


@strawberry.type(description="A position leading a unit on the date — the unit's own, or inherited from an ancestor.")
class Leader:
    position_uid: str = strawberry.field(description="Identifier of the position.")
    title: str = strawberry.field(description="Title of the position (Danish).")
    level: int | None = strawberry.field(description="Leadership level, when the sources give one.")
    persons: list[str] = strawberry.field(description="Persons the sources name in the position on the date.")
    inferred: bool = strawberry.field(description="True when the leadership rests on an inferred fact.")
    inferred_reason: str | None = strawberry.field(description="Why it is inferred, when it is.")
    unit_uid: strawberry.Private[str]
    inherited: strawberry.Private[bool]
    as_of: strawberry.Private[date]

    @described("The position, as a node.")
    async def position(self, info: Info) -> Position | None:
        found = await _node(info, self.position_uid, self.as_of)
        return found if isinstance(found, Position) else None

    @described("The unit or administration the position leads (the ancestor, when inherited).")
    async def unit(self, info: Info) -> OrgNode | None:
        found = await _node(info, self.unit_uid, self.as_of)
        return found if isinstance(found, OrgNode) else None

    @described("The ancestor the leader is inherited from; null when it leads the unit itself.")
    async def inherited_from(self, info: Info) -> OrgNode | None:
        return await self.unit(info) if self.inherited else None


# -- the organisation: municipality, administration, unit


@strawberry.interface(
    description=(
        "A municipality, administration or unit as it stood on one date (asOf); parent, ancestors, children and "
        "leaders are read for that same date."
    )
)
class OrgNode(Node):
    name: str = strawberry.field(description="Name on the date viewed (Danish).")
    validity: Validity = strawberry.field(description="When the node itself is valid (both ends inclusive).")

    @described("The node it sits under on this date; null for a municipality.")
    async def parent(self, info: Info) -> OrgNode | None:
        link = await self.parent_link(info)
        return link.node if link is not None else None

    @described("The link to its parent on this date, with the link's validity and provenance.")
    async def parent_link(self, info: Info) -> OrgLink | None:
        if self.label == "Municipality":
            return None
        for link in await _links(self, info, "PART_OF", "out"):
            node = entity_of(link.label, link.node, self.as_of)
            if isinstance(node, OrgNode):
                return OrgLink(node=node, validity=validity_of(link.rel), provenance=Provenance.of(link.rel))
        return None

    @described("True when the node or the link to its parent on this date is inferred, not stated by a source.")
    async def inferred(self, info: Info) -> bool:
        link = await self.parent_link(info)
        return bool(self.props.get("inferred")) or (link is not None and link.provenance.inferred)

    @described("Every node above it on this date, nearest first, up to the municipality.")
    async def ancestors(self, info: Info) -> list[OrgNode]:
        if self.label == "Municipality":
            return []
        return await _many(self, info, "PART_OF", "out", OrgNode, transitive=True)

    @described("The municipality it belongs to on this date (itself for a municipality).")
    async def municipality(self, info: Info) -> Municipality | None:
        if isinstance(self, Municipality):
            return self
        found = [node for node in await self.ancestors(info) if isinstance(node, Municipality)]
        return found[0] if found else None

    @described("The administrations and units directly under it on this date.")
    async def children(self, info: Info) -> list[OrgNode]:
        return await _many(self, info, "PART_OF", "in", OrgNode)

    @described("Every unit under it on this date, at any depth, nearest first.")
    async def units(self, info: Info) -> list[Unit]:
        return await _many(self, info, "PART_OF", "in", Unit, transitive=True, target="Unit")

    @described("Tilbud belonging directly to it on this date (none for a municipality).")
    async def tilbud(self, info: Info) -> list[Tilbud]:
        return await _many(self, info, "BELONGS_TO", "in", Tilbud)

    @described("Responsibility rules naming it as holder (all periods; see each rule's validity).")
    async def responsibilities(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "HELD_BY", "in", ResponsibilityRule)

    @described(
        "Its placement over time, oldest first: one period per PART_OF link, split where its name changed "
        "(none for a municipality)."
    )
    async def history(self, info: Info) -> list[UnitPeriod]:
        if self.label == "Municipality":
            return []
        return await _history(self, info)

    @described(
        "The positions leading it on this date. With inherit, a node nobody leads that day gets the leaders of "
        "its nearest led ancestor (below the municipality), marked with inheritedFrom."
    )
    async def leaders(
        self,
        info: Info,
        inherit: Annotated[
            bool, strawberry.argument(description="Take the nearest led ancestor's leaders when it has none.")
        ] = False,
    ) -> list[Leader]:
        if self.label == "Municipality":
            return []
        levels = await info.context.loaders.leaders.load((self.as_of, self.uid))
        level = leading_level(levels, inherit=inherit)
        if level is None:
            return []
        return [
            Leader(
                position_uid=str(p["uid"]),
                title=str(p.get("title") or p["uid"]),
                level=p.get("level"),
                persons=sorted(str(x) for x in p.get("persons") or () if x),
                inferred=bool(p.get("inferred")),
                inferred_reason=p.get("inferred_reason"),
                unit_uid=level.unit_uid,
                inherited=level.unit_uid != self.uid,
                as_of=self.as_of,
            )
            for p in level.positions
        ]


@strawberry.type(description=_label_doc("Municipality"))
class Municipality(OrgNode):
    name: str = strawberry.field(description="Name, e.g. 'Aarhus'.")
    code: int | None = strawberry.field(description=_doc("Municipality", "code", "Official municipality number."))
    validity: Validity = strawberry.field(description="When the municipality exists in the knowledge base.")

    @described("Its administrations on this date (directly under it).")
    async def administrations(self, info: Info) -> list[Administration]:
        return await _many(self, info, "PART_OF", "in", Administration)

    @described("Its responsibility rules (all periods; see each rule's validity).")
    async def responsibility_rules(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "IN_MUNICIPALITY", "in", ResponsibilityRule, target="ResponsibilityRule")

    @described("Its reorganisations.")
    async def reorganisations(self, info: Info) -> list[Reorganisation]:
        return await _many(self, info, "IN_MUNICIPALITY", "in", Reorganisation, target="Reorganisation")

    @described("Its strategic focus areas.")
    async def focus_areas(self, info: Info) -> list[FocusArea]:
        return await _many(self, info, "IN_MUNICIPALITY", "in", FocusArea, target="FocusArea")

    @described("Focus areas, goals, preconditions and figures that concern it.")
    async def concerned_by(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "in", Node)


@strawberry.type(description=_label_doc("Administration"))
class Administration(OrgNode, Temporal):
    name: str = strawberry.field(description="Name on the date viewed (a renamed node gives its former name).")
    current_name: str = strawberry.field(description="Name today (the node's current name).")
    short_name: str | None = strawberry.field(description=_doc("Administration", "short_name", "Abbreviation."))
    unified: bool | None = strawberry.field(description=_doc("Administration", "unified", "An enhedsforvaltning."))

    @described("Reorganisations concerning it.")
    async def reorganisations(self, info: Info) -> list[Reorganisation]:
        return await _many(self, info, "OF_ADMINISTRATION", "in", Reorganisation)


@strawberry.type(description=_label_doc("Unit"))
class Unit(OrgNode, Temporal):
    name: str = strawberry.field(description="Name on the date viewed (a renamed unit gives its former name).")
    current_name: str = strawberry.field(description="Name today (the node's current name).")
    kind: str = strawberry.field(description="Kind of unit (driftsområde, center, kontor, team, …).")
    short_name: str | None = strawberry.field(description="Abbreviation, when the sources use one.")
    description: str | None = strawberry.field(description="What the unit does, as the sources describe it.")

    @described("Target groups the unit serves on this date.")
    async def target_groups(self, info: Info) -> list[TargetGroup]:
        return await _many(self, info, "SERVES", "out", TargetGroup)

    @described("Moves (of reorganisations) that move this unit.")
    async def moved_by(self, info: Info) -> list[Move]:
        return await _many(self, info, "MOVES", "in", Move)

    @described("Moves that take something to this unit.")
    async def moves_in(self, info: Info) -> list[Move]:
        return await _many(self, info, "MOVED_TO", "in", Move)

    @described("Moves that take something away from this unit.")
    async def moves_out(self, info: Info) -> list[Move]:
        return await _many(self, info, "MOVED_FROM", "in", Move)

    @described("Focus areas, goals, preconditions and figures that concern it.")
    async def concerned_by(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "in", Node)


async def _history(obj: OrgNode, info: Info) -> list[UnitPeriod]:
    """The periods of a unit or administration: its PART_OF links, split where its name changed."""
    links = await _links(obj, info, "PART_OF", "out", on=None)
    spans: list[tuple[Mapping[str, Any], Link | None]] = [(link.rel, link) for link in links] or [(obj.props, None)]
    changes = [until for _, until in name_periods(obj.props)]
    periods: list[UnitPeriod] = []
    for span, link in spans:
        start, end = span.get("valid_from"), span.get("valid_to")
        cuts = sorted({u for u in changes if (start is None or u >= start) and (end is None or u < end)})
        bounds: list[tuple[date | None, date | None]] = []
        first = start
        for until in cuts:
            bounds.append((first, until))
            first = until + ONE_DAY
        bounds.append((first, end))
        for lo, hi in bounds:
            day = lo or hi or obj.as_of
            parent = entity_of(link.label, link.node, day) if link is not None else None
            periods.append(
                UnitPeriod(
                    validity=Validity(from_=lo, to=hi),
                    name=name_on(obj.props, day),
                    parent=parent if isinstance(parent, OrgNode) else None,
                    provenance=Provenance.of(span),
                )
            )
    periods.sort(key=lambda p: (p.validity.from_ or date.min, p.validity.to or date.max))
    return periods


@strawberry.type(description=_label_doc("Position"))
class Position(Node, Temporal):
    title: str = strawberry.field(description="Title of the position (Danish).")
    level: int | None = strawberry.field(description=_doc("Position", "level", "Management level."))

    @described("The units and administrations the position leads on this date.")
    async def leads(self, info: Info) -> list[OrgNode]:
        return await _many(self, info, "LEADS", "out", OrgNode)

    @described("The persons holding the position on this date.")
    async def holders(self, info: Info) -> list[Person]:
        return await _many(self, info, "HOLDS", "in", Person)

    @described("Who holds the position on this date, with role, period and sources.")
    async def holdings(self, info: Info) -> list[Holding]:
        return _holdings(await _links(self, info, "HOLDS", "in"), self, None)

    @described("Everyone who has held the position, whatever the date, oldest first.")
    async def holder_history(self, info: Info) -> list[Holding]:
        found = _holdings(await _links(self, info, "HOLDS", "in", on=None), self, None)
        return sorted(found, key=lambda h: (h.validity.from_ or date.min, h.person.name))

    @described("The positions it reports to on this date.")
    async def reports_to(self, info: Info) -> list[Position]:
        return await _many(self, info, "REPORTS_TO", "out", Position)

    @described("The positions reporting to it on this date.")
    async def reports(self, info: Info) -> list[Position]:
        return await _many(self, info, "REPORTS_TO", "in", Position)


def _holdings(links: list[Link], position: Position | None, person: Person | None) -> list[Holding]:
    """HOLDS links seen from one end, `position` or `person` (the other end is each link's node)."""
    view: Node | None = position if position is not None else person
    assert view is not None, "give the position or the person"
    found: list[Holding] = []
    for link in links:
        other = entity_of(link.label, link.node, view.as_of)
        holder = person if person is not None else other
        held = position if position is not None else other
        if isinstance(holder, Person) and isinstance(held, Position):
            found.append(
                Holding(
                    person=holder,
                    position=held,
                    role=link.rel.get("role"),
                    validity=validity_of(link.rel),
                    provenance=Provenance.of(link.rel),
                )
            )
    return found


@strawberry.type(description=_label_doc("Person"))
class Person(Node):
    name: str = strawberry.field(description="The person's name as the document gives it.")

    @described("The positions the person holds on this date.")
    async def positions(self, info: Info) -> list[Position]:
        return await _many(self, info, "HOLDS", "out", Position)

    @described("The positions held on this date, with role, period and sources.")
    async def holdings(self, info: Info) -> list[Holding]:
        return _holdings(await _links(self, info, "HOLDS", "out"), None, self)


@strawberry.type(description=_label_doc("Tilbud"))
class Tilbud(Node, Temporal):
    name: str = strawberry.field(description="Name of the tilbud (Danish).")
    tilbud_type: str | None = strawberry.field(description=_doc("Tilbud", "tilbud_type", "Type of tilbud."))
    description: str | None = strawberry.field(description="What the tilbud offers, as the sources describe it.")

    @described("The unit (or administration) it belongs to on this date.")
    async def unit(self, info: Info) -> OrgNode | None:
        link = await self.unit_link(info)
        return link.node if link is not None else None

    @described("The link to its unit on this date, with the link's validity and provenance.")
    async def unit_link(self, info: Info) -> OrgLink | None:
        for link in await _links(self, info, "BELONGS_TO", "out"):
            node = entity_of(link.label, link.node, self.as_of)
            if isinstance(node, OrgNode):
                return OrgLink(node=node, validity=validity_of(link.rel), provenance=Provenance.of(link.rel))
        return None

    @described("The paragraphs it works under.")
    async def paragraphs(self, info: Info) -> list[Paragraph]:
        return await _many(self, info, "UNDER_PARAGRAPH", "out", Paragraph)

    @described("The target groups it serves on this date.")
    async def target_groups(self, info: Info) -> list[TargetGroup]:
        return await _many(self, info, "SERVES", "out", TargetGroup)

    @described("Moves (of reorganisations) that move this tilbud.")
    async def moved_by(self, info: Info) -> list[Move]:
        return await _many(self, info, "MOVES", "in", Move)

    @described("Focus areas, goals, preconditions and figures that concern it.")
    async def concerned_by(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "in", Node)

    @described("The units it has belonged to over time, oldest first.")
    async def history(self, info: Info) -> list[TilbudPeriod]:
        periods: list[TilbudPeriod] = []
        for link in await _links(self, info, "BELONGS_TO", "out", on=None):
            node = entity_of(link.label, link.node, _period_day(link.rel, self.as_of))
            if isinstance(node, OrgNode):
                periods.append(
                    TilbudPeriod(validity=validity_of(link.rel), unit=node, provenance=Provenance.of(link.rel))
                )
        periods.sort(key=lambda p: (p.validity.from_ or date.min, p.validity.to or date.max))
        return periods


@strawberry.type(description=_label_doc("TargetGroup"))
class TargetGroup(Node):
    name: str = strawberry.field(description="Name of the målgruppe (Danish).")
    age_min: int | None = strawberry.field(description=_doc("TargetGroup", "age_min", "Lowest age included."))
    age_max: int | None = strawberry.field(description=_doc("TargetGroup", "age_max", "Highest age included."))

    @described("The conditions defining it (none = all conditions).")
    async def conditions(self, info: Info) -> list[Condition]:
        return await _many(self, info, "HAS_CONDITION", "out", Condition)

    @described("Tilbud serving it on this date.")
    async def tilbud(self, info: Info) -> list[Tilbud]:
        return await _many(self, info, "SERVES", "in", Tilbud, target="Tilbud")

    @described("Units serving it on this date.")
    async def units(self, info: Info) -> list[Unit]:
        return await _many(self, info, "SERVES", "in", Unit, target="Unit")

    @described("Focus areas, goals, preconditions and figures that concern it.")
    async def concerned_by(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "in", Node)


@strawberry.type(description=_label_doc("Condition"))
class Condition(Node):
    name: str = strawberry.field(description=_doc("Condition", "name", "Danish term."))
    english: str | None = strawberry.field(description="English term.")
    synonyms: list[str] | None = strawberry.field(description=_doc("Condition", "synonyms", "Other terms."))

    @described("Target groups defined by this condition.")
    async def target_groups(self, info: Info) -> list[TargetGroup]:
        return await _many(self, info, "HAS_CONDITION", "in", TargetGroup)

    @described("The broader conditions it falls under (autisme → udviklingsforstyrrelse).")
    async def broader(self, info: Info) -> list[Condition]:
        return await _many(self, info, "BROADER", "out", Condition)

    @described("The narrower conditions under it.")
    async def narrower(self, info: Info) -> list[Condition]:
        return await _many(self, info, "BROADER", "in", Condition)

    @described("Responsibility rules covering it (all periods).")
    async def rules(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "COVERS_CONDITION", "in", ResponsibilityRule)

    @described("Moves whose scope names it.")
    async def moves(self, info: Info) -> list[Move]:
        return await _many(self, info, "CONCERNS_CONDITION", "in", Move)

    @described("Focus areas, goals, preconditions and figures that concern it.")
    async def concerned_by(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "in", Node)


@strawberry.type(description=_label_doc("Paragraph"))
class Paragraph(Node, Temporal):
    name: str = strawberry.field(description=_doc("Paragraph", "name", "How it is cited."))
    law: str = strawberry.field(description="Abbreviation of the law (SEL, BL, SUL, …).")
    number: str = strawberry.field(description=_doc("Paragraph", "number", "Paragraph number."))
    heading: str | None = strawberry.field(description="The paragraph's heading (Danish).")
    gloss: str | None = strawberry.field(description=_doc("Paragraph", "gloss", "English gloss."))
    unconfirmed: bool | None = strawberry.field(description=_doc("Paragraph", "unconfirmed", "Unconfirmed."))
    unconfirmed_note: str | None = strawberry.field(description="Why the reference is unconfirmed.")

    @described("Tilbud working under it.")
    async def tilbud(self, info: Info) -> list[Tilbud]:
        return await _many(self, info, "UNDER_PARAGRAPH", "in", Tilbud)

    @described("The paragraphs replacing it, with the date and scope.")
    async def successors(self, info: Info) -> list[Succession]:
        return _successions(await _links(self, info, "SUCCEEDED_BY", "out"), self.as_of)

    @described("The paragraphs it replaces, with the date and scope.")
    async def predecessors(self, info: Info) -> list[Succession]:
        return _successions(await _links(self, info, "SUCCEEDED_BY", "in"), self.as_of)

    @described("Responsibility rules limited to it (all periods).")
    async def rules(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "INCLUDES_PARAGRAPH", "in", ResponsibilityRule)

    @described("Responsibility rules that expressly leave it out.")
    async def excluded_by(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "EXCLUDES_PARAGRAPH", "in", ResponsibilityRule)

    @described("Moves whose scope names it.")
    async def moves(self, info: Info) -> list[Move]:
        return await _many(self, info, "CONCERNS_PARAGRAPH", "in", Move)


def _successions(links: list[Link], as_of: date) -> list[Succession]:
    found: list[Succession] = []
    for link in links:
        paragraph = entity_of(link.label, link.node, as_of)
        if isinstance(paragraph, Paragraph):
            found.append(
                Succession(
                    paragraph=paragraph,
                    effective_on=link.rel.get("effective_on"),
                    scope=link.rel.get("scope"),
                    provenance=Provenance.of(link.rel),
                )
            )
    return found


@strawberry.type(description=_label_doc("Reorganisation"))
class Reorganisation(Node):
    name: str = strawberry.field(description="Name of the reorganisation (Danish).")
    status: str = strawberry.field(description="forslag, besluttet or gennemført, as far as the sources say.")
    proposed_on: date | None = strawberry.field(description="When it was proposed.")
    decided_on: date | None = strawberry.field(description="When it was decided.")
    effective_on: date | None = strawberry.field(description=_doc("Reorganisation", "effective_on", "In force."))

    @described("The municipality it belongs to.")
    async def municipality(self, info: Info) -> Municipality | None:
        return await _one(self, info, "IN_MUNICIPALITY", "out", Municipality)

    @described("The administration it concerns (the first, when it names several).")
    async def administration(self, info: Info) -> Administration | None:
        return await _one(self, info, "OF_ADMINISTRATION", "out", Administration)

    @described("Every administration it concerns.")
    async def administrations(self, info: Info) -> list[Administration]:
        return await _many(self, info, "OF_ADMINISTRATION", "out", Administration)

    @described("What it moves, one move per thing moved.")
    async def moves(self, info: Info) -> list[Move]:
        return await _many(self, info, "IN_REORGANISATION", "in", Move)

    @described(
        "What it changed: the organisation the day before and on the effective date, what appeared, "
        "disappeared or got another parent, and whose responsibility changed."
    )
    async def diff(self, info: Info) -> ReorganisationDiff:
        found = await run_in_threadpool(reorganisation_diff, info.context.store, self.uid)
        return ReorganisationDiff.of(found)

    @described(
        "What it changed for one target group: per kind (myndighed, udfører), who held it the day before and "
        "who holds it on the effective date — moved, stayed, new or ended — asked of the resolver without a "
        "paragraph and for every paragraph the reorganisation or the municipality's rules name, so precedence "
        "and exceptions count (unlike `diff.responsibilityChanges`, which pairs overlapping rules)."
    )
    async def changes_for(
        self,
        info: Info,
        age: Annotated[int, strawberry.argument(description="The citizen's age in years.")],
        conditions: Annotated[
            list[str] | None, strawberry.argument(description="Conditions (målgrupper), by uid or name; none = any.")
        ] = None,
    ) -> list[TargetGroupChange]:
        store = info.context.store
        found = await run_in_threadpool(
            lambda: target_group_changes(store, self.uid, age=age, conditions=tuple(conditions or ()))
        )
        return [TargetGroupChange.of(change) for change in found]


@strawberry.type(description=_label_doc("Move"))
class Move(Node):
    name: str = strawberry.field(description=_doc("Move", "name", "What moves."))
    subject: str = strawberry.field(description="What it moves: enhed, tilbud, opgave, ansvar or personale.")
    age_min: int | None = strawberry.field(description="Lowest age in the move's scope.")
    age_max: int | None = strawberry.field(description="Highest age in the move's scope.")
    exception: str | None = strawberry.field(description=_doc("Move", "exception", "What stays behind."))

    @described("The reorganisation it is part of.")
    async def reorganisation(self, info: Info) -> Reorganisation | None:
        return await _one(self, info, "IN_REORGANISATION", "out", Reorganisation)

    @described("What it moves, when that is a node: units, tilbud, rules, administrations.")
    async def subjects(self, info: Info) -> list[Node]:
        return await _many(self, info, "MOVES", "out", Node)

    @described("Where it takes things from.", name="from")
    async def moved_from(self, info: Info) -> list[OrgNode]:
        return await _many(self, info, "MOVED_FROM", "out", OrgNode)

    @described("Where it takes things.", name="to")
    async def moved_to(self, info: Info) -> list[OrgNode]:
        return await _many(self, info, "MOVED_TO", "out", OrgNode)

    @described("The paragraphs its scope names.")
    async def paragraphs(self, info: Info) -> list[Paragraph]:
        return await _many(self, info, "CONCERNS_PARAGRAPH", "out", Paragraph)

    @described("The conditions its scope names.")
    async def conditions(self, info: Info) -> list[Condition]:
        return await _many(self, info, "CONCERNS_CONDITION", "out", Condition)


@strawberry.type(description=_label_doc("ResponsibilityRule"))
class ResponsibilityRule(Node, Temporal):
    name: str = strawberry.field(description=_doc("ResponsibilityRule", "name", "The rule, short."))
    kind: str = strawberry.field(description="myndighed (decides) or udfører (delivers).")
    age_min: int | None = strawberry.field(description="Lowest age the rule covers.")
    age_max: int | None = strawberry.field(description="Highest age the rule covers.")
    all_conditions: bool | None = strawberry.field(description=_doc("ResponsibilityRule", "all_conditions", "All."))

    @described("The municipality it belongs to.")
    async def municipality(self, info: Info) -> Municipality | None:
        return await _one(self, info, "IN_MUNICIPALITY", "out", Municipality)

    @described("The units or administrations holding the responsibility.")
    async def holders(self, info: Info) -> list[OrgNode]:
        return await _many(self, info, "HELD_BY", "out", OrgNode)

    @described("The conditions it covers (none with allConditions).")
    async def conditions(self, info: Info) -> list[Condition]:
        return await _many(self, info, "COVERS_CONDITION", "out", Condition)

    @described("The paragraphs it is limited to (none = all in its area).")
    async def paragraphs(self, info: Info) -> list[Paragraph]:
        return await _many(self, info, "INCLUDES_PARAGRAPH", "out", Paragraph)

    @described("The paragraphs it expressly leaves out.")
    async def excluded_paragraphs(self, info: Info) -> list[Paragraph]:
        return await _many(self, info, "EXCLUDES_PARAGRAPH", "out", Paragraph)

    @described("The broader rules it is a documented exception to.")
    async def exception_to(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "EXCEPTION_TO", "out", ResponsibilityRule)

    @described("The rules that are documented exceptions to it.")
    async def exceptions(self, info: Info) -> list[ResponsibilityRule]:
        return await _many(self, info, "EXCEPTION_TO", "in", ResponsibilityRule)

    @described("Moves (of reorganisations) that move this rule.")
    async def moved_by(self, info: Info) -> list[Move]:
        return await _many(self, info, "MOVES", "in", Move)


@strawberry.type(description=_label_doc("FocusArea"))
class FocusArea(Node, Temporal):
    name: str = strawberry.field(description="Name of the indsatsområde (Danish).")
    description: str | None = strawberry.field(description="What the focus area is about.")

    @described("The municipality it belongs to.")
    async def municipality(self, info: Info) -> Municipality | None:
        return await _one(self, info, "IN_MUNICIPALITY", "out", Municipality)

    @described("Its goals (målsætninger).")
    async def goals(self, info: Info) -> list[Goal]:
        return await _many(self, info, "HAS_GOAL", "out", Goal)

    @described("Its preconditions (forudsætninger).")
    async def preconditions(self, info: Info) -> list[Precondition]:
        return await _many(self, info, "HAS_PRECONDITION", "out", Precondition)

    @described("What it concerns: target groups, units, tilbud, municipalities, conditions.")
    async def concerns(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "out", Node)


@strawberry.type(description=_label_doc("Goal"))
class Goal(Node):
    name: str = strawberry.field(description="The goal as the document states it (Danish).")

    @described("The focus areas it is a goal of.")
    async def focus_areas(self, info: Info) -> list[FocusArea]:
        return await _many(self, info, "HAS_GOAL", "in", FocusArea)

    @described("What it concerns.")
    async def concerns(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "out", Node)


@strawberry.type(description=_label_doc("Precondition"))
class Precondition(Node):
    name: str = strawberry.field(description="The precondition as the document states it (Danish).")

    @described("The focus areas it is a precondition of.")
    async def focus_areas(self, info: Info) -> list[FocusArea]:
        return await _many(self, info, "HAS_PRECONDITION", "in", FocusArea)

    @described("What it concerns.")
    async def concerns(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "out", Node)


@strawberry.type(description=_label_doc("Figure"))
class Figure(Node):
    name: str = strawberry.field(description=_doc("Figure", "name", "What is counted."))
    value: float = strawberry.field(description="The number.")
    measure_unit: str = strawberry.field(description=_doc("Figure", "measure_unit", "Unit of measure."))
    refers_to: date | None = strawberry.field(description=_doc("Figure", "as_of", "Date the figure refers to."))
    period: str | None = strawberry.field(description=_doc("Figure", "period", "Period as written."))

    @described("What it concerns.")
    async def concerns(self, info: Info) -> list[Node]:
        return await _many(self, info, "CONCERNS", "out", Node)


@strawberry.type(description=_label_doc("Source"))
class Source(Node):
    name: str = strawberry.field(description=_doc("Source", "name", "Title of the document."))
    kind: str = strawberry.field(description="dokument, reference or offentlig.")
    file: str | None = strawberry.field(description=_doc("Source", "file", "File name."))
    url: str | None = strawberry.field(description="Where it can be read, when public.")
    issued_on: date | None = strawberry.field(description=_doc("Source", "issued_on", "Date of issue."))
    publisher: str | None = strawberry.field(description=_doc("Source", "publisher", "Issuing body."))


# -- what a reorganisation changed


@strawberry.type(description="A node named in a reorganisation's diff, viewable as a node on the diff's date.")
class DiffRef:
    uid: str = strawberry.field(description="Stable identifier of the node.")
    name: str = strawberry.field(description="Name (Danish).")
    label: str = strawberry.field(description="Graph label.")
    as_of: strawberry.Private[date]

    @described("The node itself, viewed on the side of the diff it belongs to.")
    async def node(self, info: Info) -> Node | None:
        return await _node(info, self.uid, self.as_of)

    @classmethod
    def of(cls, ref: Ref, as_of: date) -> DiffRef:
        return cls(uid=ref.uid, name=ref.name, label=ref.label, as_of=as_of)


@strawberry.enum(description="How a responsibility changed for a target group across a reorganisation's date.")
class ChangeKind(Enum):
    MOVED = strawberry.enum_value("moved", description="Other units hold it on the date than the day before.")
    STAYED = strawberry.enum_value("stayed", description="The same units hold it on both days.")
    NEW = strawberry.enum_value("new", description="Nobody held it the day before; someone does on the date.")
    ENDED = strawberry.enum_value("ended", description="Someone held it the day before; nobody does on the date.")


@strawberry.type(description="Who held a responsibility on one side of a reorganisation's date, by the resolver.")
class HolderSide:
    on: date = strawberry.field(name="date", description="The day asked: the day before, or the effective date.")
    status: str = strawberry.field(description="The resolver's status that day: resolved, ambiguous, not_covered.")
    units: list[DiffRef] = strawberry.field(description="The units holding it that day.")
    rules: list[str] = strawberry.field(description="Uids of the deciding rules.")
    inferred: bool = strawberry.field(description="True when the answer rests on an inferred fact.")

    @classmethod
    def of(cls, side: HolderAnswer) -> HolderSide:
        return cls(
            on=side.on,
            status=side.status,
            units=[DiffRef.of(unit, side.on) for unit in side.units],
            rules=list(side.rules),
            inferred=side.inferred,
        )


@strawberry.type(description="For one kind of responsibility: who held it the day before and who holds it on the date.")
class TargetGroupChange:
    kind: str = strawberry.field(description="myndighed or udfører.")
    change: ChangeKind = strawberry.field(description="Moved, stayed, new or ended.")
    without_paragraph: bool = strawberry.field(description="True when this outcome holds for a question naming no §.")
    paragraphs: list[DiffRef] = strawberry.field(description="The paragraphs asked about that give this outcome.")
    before: HolderSide = strawberry.field(description="The day before the effective date.")
    after: HolderSide = strawberry.field(description="The effective date.")
    moves: list[DiffRef] = strawberry.field(description="The reorganisation's moves behind the change.")

    @classmethod
    def of(cls, change: DomainTargetGroupChange) -> TargetGroupChange:
        on = change.after.on
        return cls(
            kind=change.kind,
            change=ChangeKind(change.change),
            without_paragraph=change.without_paragraph,
            paragraphs=[DiffRef.of(paragraph, on) for paragraph in change.paragraphs],
            before=HolderSide.of(change.before),
            after=HolderSide.of(change.after),
            moves=[DiffRef.of(move, on) for move in change.moves],
        )


@strawberry.type(description="A node whose parent differs between the day before and the effective date.")
class ParentChange:
    unit: DiffRef = strawberry.field(description="The node that got another parent.")
    before: list[DiffRef] = strawberry.field(description="Its parent(s) the day before.")
    after: list[DiffRef] = strawberry.field(description="Its parent(s) on the effective date.")


@strawberry.type(description="One side of a responsibility change: the rule, its holders and conditions.")
class ResponsibilitySide:
    rule: DiffRef = strawberry.field(description="The rule.")
    holders: list[str] = strawberry.field(description="Names of the units it names as holder.")
    conditions: list[str] = strawberry.field(description="Names of the conditions it covers.")


@strawberry.type(description="A rule ending the day before and one of its kind starting on the date, other holders.")
class ResponsibilityChange:
    kind: str = strawberry.field(description="myndighed or udfører.")
    age_min: int | None = strawberry.field(description="Lowest age of the shared scope.")
    age_max: int | None = strawberry.field(description="Highest age of the shared scope.")
    paragraphs: list[str] = strawberry.field(description="Paragraphs of the shared scope.")
    before: ResponsibilitySide = strawberry.field(description="The rule the day before.")
    after: ResponsibilitySide = strawberry.field(description="The rule on the effective date.")


@strawberry.type(description="What a reorganisation changed, comparing the day before with the effective date.")
class ReorganisationDiff:
    before_on: date | None = strawberry.field(description="The day before the effective date.")
    after_on: date | None = strawberry.field(description="The effective date.")
    before: list[DiffRef] = strawberry.field(description="The roots of the organisation compared, the day before.")
    after: list[DiffRef] = strawberry.field(description="The roots of the organisation compared, on the date.")
    appeared: list[DiffRef] = strawberry.field(description="Nodes there on the date but not the day before.")
    disappeared: list[DiffRef] = strawberry.field(description="Nodes there the day before but not on the date.")
    reparented: list[ParentChange] = strawberry.field(description="Nodes that got another parent.")
    responsibility_changes: list[ResponsibilityChange] = strawberry.field(
        description="Responsibilities that passed to other holders."
    )
    notes: list[str] = strawberry.field(description="What the diff could not show, and why.")

    @classmethod
    def of(cls, diff: ReorgDiff) -> ReorganisationDiff:
        after_on = diff.reorganisation.effective_on
        before_on = diff.reorganisation.day_before
        today = date.today()
        pre, post = before_on or today, after_on or today

        def side(rule: Ref, holders: tuple[str, ...], conditions: tuple[str, ...], on: date) -> ResponsibilitySide:
            return ResponsibilitySide(rule=DiffRef.of(rule, on), holders=list(holders), conditions=list(conditions))

        return cls(
            before_on=before_on,
            after_on=after_on,
            before=[DiffRef.of(tree.root.ref, pre) for tree in diff.before],
            after=[DiffRef.of(tree.root.ref, post) for tree in diff.after],
            appeared=[DiffRef.of(ref, post) for ref in diff.appeared],
            disappeared=[DiffRef.of(ref, pre) for ref in diff.disappeared],
            reparented=[
                ParentChange(
                    unit=DiffRef.of(change.unit, post),
                    before=[DiffRef.of(ref, pre) for ref in change.before],
                    after=[DiffRef.of(ref, post) for ref in change.after],
                )
                for change in diff.reparented
            ],
            responsibility_changes=[
                ResponsibilityChange(
                    kind=change.kind,
                    age_min=change.age_min,
                    age_max=change.age_max,
                    paragraphs=list(change.paragraphs),
                    before=side(change.before_rule, change.before_holders, change.before_conditions, pre),
                    after=side(change.after_rule, change.after_holders, change.after_conditions, post),
                )
                for change in diff.responsibility_changes
            ],
            notes=list(diff.notes),
        )


ENTITY_TYPES: tuple[type[Node], ...] = (
    Municipality,
    Administration,
    Unit,
    Position,
    Person,
    Tilbud,
    TargetGroup,
    Condition,
    Paragraph,
    Reorganisation,
    Move,
    ResponsibilityRule,
    FocusArea,
    Goal,
    Precondition,
    Figure,
    Source,
)
"""Every entity type, one per schema label (the class name is the label)."""

ENTITY_BY_LABEL: dict[str, type[Node]] = {kind.__name__: kind for kind in ENTITY_TYPES}


def label_of(props: Mapping[str, Any], default: str | None = None) -> str:
    """The schema label of a node dict (`_labels` as the store returns it), else the default."""
    for label in props.get("_labels") or ():
        if label in ENTITY_BY_LABEL:
            return str(label)
    if default is None:
        raise ValueError(f"node {props.get('uid')!r} has no known label")
    return default


def entity_of(label: str, props: Mapping[str, Any], as_of: date) -> Node:
    """The GraphQL object for a node of `label`, viewed on `as_of`."""
    return ENTITY_BY_LABEL[label].of(props, as_of)
