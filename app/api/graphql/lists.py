"""Root list fields (units, tilbud, paragraphs, …) with filters, sorting and cursor pages, and search.

Each list field maps its input types onto a domain `ListRequest` (`app.domain.listing`), runs it in
a worker thread and wraps the page as a Relay connection of the entity types (`entities.py`),
each viewed on the list's `asOf` so nested hops answer for that same date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool

from app.api.graphql.common import described
from app.api.graphql.connections import Connection, PageInfo, connection_of
from app.api.graphql.context import GraphQLContext
from app.api.graphql.entities import (
    ENTITY_BY_LABEL,
    Administration,
    Condition,
    FocusArea,
    Node,
    Paragraph,
    Reorganisation,
    ResponsibilityRule,
    TargetGroup,
    Tilbud,
    Unit,
    entity_of,
)
from app.domain import listing
from app.domain import search as searching
from app.store.base import GraphStore

Info = strawberry.Info[GraphQLContext, None]
NodeT = TypeVar("NodeT")

_KINDS = ", ".join(listing.schema().enums["unit_kind"].values)
_LAWS = ", ".join(listing.schema().enums["law"].values)
_STATUSES = ", ".join(listing.schema().enums["reorganisation_status"].values)

# -- arguments every list shares

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Rows to return from the start (or after `after`); default {listing.DEFAULT_PAGE_SIZE}, "
        f"at most {listing.MAX_PAGE_SIZE}."
    ),
]
After = Annotated[str | None, strawberry.argument(description="Return rows after this cursor (an `endCursor`).")]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Rows to return from the end (or before `before`); at most {listing.MAX_PAGE_SIZE}. "
        "Not together with `first`."
    ),
]
Before = Annotated[str | None, strawberry.argument(description="Return rows before this cursor (a `startCursor`).")]
AsOf = Annotated[
    date | None,
    strawberry.argument(
        name="asOf",
        description="The date to list on (default today): temporal entities are listed when valid on it, "
        "relationship filters follow the links of that date, and each node is viewed on it. "
        "Set `anyDate: true` in the filter to list regardless of date.",
    ),
]

_ANY_DATE = (
    "List regardless of date: entities and relationship hops count whenever they were valid "
    "(asOf then only sets the date nodes are viewed on). Default false."
)
_NAME_CONTAINS = (
    "Name or short name contains this text: case-insensitive, æ/ø/å also read as ae/oe/aa and a/o/a "
    "('aarhus' finds 'Århus', 'born' and 'boern' find 'børn')."
)
_NAME_STARTS = "Name or short name starts with this text (compared like nameContains)."
_MUNICIPALITY = "Municipality, by uid or name ('aarhus', 'København')."
_COVERS_AGE = "Serves a target group whose age band holds this age (absent ends are open)."
_CONDITION = (
    "Serves a target group covering this condition, by uid, name, English term or synonym ('ASF'): the group "
    "names it or a broader one (autisme → udviklingsforstyrrelse → handicap), or names no condition (= all)."
)
_PARAGRAPH = "A paragraph as caseworkers write it: 'SEL §107', '§ 107', 'serviceloven § 107', 'BL §32'."


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: A→Å, oldest first, smallest first.")
    DESC = strawberry.enum_value("DESC", description="Descending.")


def _order_enum(name: str, fields: tuple[str, ...]) -> type[Enum]:
    meanings = {
        "NAME": "Name, case-insensitive; æ, ø, å after z in Danish order, other accented letters after å.",
        "UID": "Uid.",
        "KIND": "Kind, then name.",
        "VALID_FROM": "First valid day; open starts first.",
        "VALID_TO": "Last valid day; still valid last.",
        "TILBUD_TYPE": "Tilbud type (untyped first), then name.",
        "LAW": "Law, then name.",
        "AGE_MIN": "Lowest age (open = 0).",
        "AGE_MAX": "Highest age (open = 130).",
        "STATUS": "Status, then name.",
        "EFFECTIVE_ON": "Date it takes effect; unknown dates last.",
    }
    members = {f: strawberry.enum_value(f, description=meanings[f]) for f in fields}
    enum = Enum(name, members)  # type: ignore[misc]
    return strawberry.enum(enum, description=f"What {name.removesuffix('OrderField')} lists can be sorted by.")


UnitOrderField = _order_enum("UnitOrderField", listing.ORDER_FIELDS["Unit"])
AdministrationOrderField = _order_enum("AdministrationOrderField", listing.ORDER_FIELDS["Administration"])
TilbudOrderField = _order_enum("TilbudOrderField", listing.ORDER_FIELDS["Tilbud"])
ParagraphOrderField = _order_enum("ParagraphOrderField", listing.ORDER_FIELDS["Paragraph"])
TargetGroupOrderField = _order_enum("TargetGroupOrderField", listing.ORDER_FIELDS["TargetGroup"])
ConditionOrderField = _order_enum("ConditionOrderField", listing.ORDER_FIELDS["Condition"])
ReorganisationOrderField = _order_enum("ReorganisationOrderField", listing.ORDER_FIELDS["Reorganisation"])
FocusAreaOrderField = _order_enum("FocusAreaOrderField", listing.ORDER_FIELDS["FocusArea"])
ResponsibilityRuleOrderField = _order_enum("ResponsibilityRuleOrderField", listing.ORDER_FIELDS["ResponsibilityRule"])

_ORDER_DOC = "Sort key and direction; ties are broken by uid."
_FIELD_DOC = "The field to sort by."
_DIRECTION_DOC = "Ascending (default) or descending."


@strawberry.input(description=_ORDER_DOC)
class UnitOrder:
    field: UnitOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class AdministrationOrder:
    field: AdministrationOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class TilbudOrder:
    field: TilbudOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class ParagraphOrder:
    field: ParagraphOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class TargetGroupOrder:
    field: TargetGroupOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class ConditionOrder:
    field: ConditionOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class ReorganisationOrder:
    field: ReorganisationOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class FocusAreaOrder:
    field: FocusAreaOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


@strawberry.input(description=_ORDER_DOC)
class ResponsibilityRuleOrder:
    field: ResponsibilityRuleOrderField = strawberry.field(description=_FIELD_DOC)  # type: ignore[valid-type]
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description=_DIRECTION_DOC)


# -- filters


@strawberry.input(description="Which tilbud to list. All conditions given must hold.")
class TilbudFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    tilbud_type: str | None = strawberry.field(
        default=None, description="Tilbud type as the documents write it (botilbud, bostøtte, STU), any case."
    )
    municipality: str | None = strawberry.field(
        default=None, description=_MUNICIPALITY + " Tilbud belonging (on asOf) to a unit of its organisation."
    )
    paragraph: str | None = strawberry.field(default=None, description="Works under this paragraph. " + _PARAGRAPH)
    covers_age: int | None = strawberry.field(default=None, description=_COVERS_AGE)
    condition: str | None = strawberry.field(default=None, description=_CONDITION)
    unit: str | None = strawberry.field(
        default=None,
        description="Belongs (on asOf) to this unit or administration or to a unit under it; by uid or name.",
    )

    def domain(self) -> listing.TilbudFilter:
        return listing.TilbudFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            tilbud_type=self.tilbud_type,
            municipality=self.municipality,
            paragraph=self.paragraph,
            covers_age=self.covers_age,
            condition=self.condition,
            unit=self.unit,
        )


@strawberry.input(description="Which units to list. All conditions given must hold.")
class UnitFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    kind: list[str] | None = strawberry.field(default=None, description=f"Any of these kinds: {_KINDS}.")
    municipality: str | None = strawberry.field(
        default=None, description=_MUNICIPALITY + " Units in its organisation (PART_OF chain on asOf)."
    )
    administration: str | None = strawberry.field(
        default=None, description="Units under this administration (forvaltning) on asOf, by uid, name or short name."
    )
    part_of: str | None = strawberry.field(
        default=None, description="Units under this unit or administration (at any depth) on asOf, by uid or name."
    )
    covers_age: int | None = strawberry.field(default=None, description=_COVERS_AGE)
    condition: str | None = strawberry.field(default=None, description=_CONDITION)
    tilbud: TilbudFilter | None = strawberry.field(
        default=None,
        description="Units with a tilbud (belonging to the unit itself on asOf) matching this filter, "
        'e.g. { paragraph: "SEL §107" }.',
    )

    def domain(self) -> listing.UnitFilter:
        return listing.UnitFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            kind=tuple(self.kind or ()),
            municipality=self.municipality,
            administration=self.administration,
            part_of=self.part_of,
            covers_age=self.covers_age,
            condition=self.condition,
            tilbud=self.tilbud.domain() if self.tilbud else None,
        )


@strawberry.input(description="Which administrations to list.")
class AdministrationFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    municipality: str | None = strawberry.field(
        default=None, description=_MUNICIPALITY + " Administrations part of it on asOf."
    )

    def domain(self) -> listing.AdministrationFilter:
        return listing.AdministrationFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            municipality=self.municipality,
        )


@strawberry.input(description="Which paragraphs to list.")
class ParagraphFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    law: str | None = strawberry.field(default=None, description=f"The law's abbreviation: {_LAWS}.")
    number: str | None = strawberry.field(default=None, description="Paragraph number with letter, e.g. '52a'.")
    unconfirmed: bool | None = strawberry.field(
        default=None, description="True: only those the law reference marks UNCONFIRMED; false: only confirmed."
    )

    def domain(self) -> listing.ParagraphFilter:
        return listing.ParagraphFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            law=self.law,
            number=self.number,
            unconfirmed=self.unconfirmed,
        )


@strawberry.input(description="Which target groups (målgrupper) to list.")
class TargetGroupFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    covers_age: int | None = strawberry.field(default=None, description="Its age band holds this age.")
    condition: str | None = strawberry.field(
        default=None,
        description="It covers this condition: names it or a broader one, or names none (= all conditions).",
    )
    municipality: str | None = strawberry.field(
        default=None,
        description=_MUNICIPALITY + " Groups served (on asOf) by its units or tilbud, or named by its focus areas.",
    )

    def domain(self) -> listing.TargetGroupFilter:
        return listing.TargetGroupFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            covers_age=self.covers_age,
            condition=self.condition,
            municipality=self.municipality,
        )


@strawberry.input(description="Which conditions of the taxonomy to list.")
class ConditionFilter:
    name_contains: str | None = strawberry.field(
        default=None, description=_NAME_CONTAINS + " Also reads the English term and the synonyms."
    )
    name_starts_with: str | None = strawberry.field(
        default=None, description=_NAME_STARTS + " Also reads the English term and the synonyms."
    )
    any_date: bool = strawberry.field(default=False, description="Conditions are not dated; accepted and ignored.")

    def domain(self) -> listing.ConditionFilter:
        return listing.ConditionFilter(
            name_contains=self.name_contains, name_starts_with=self.name_starts_with, any_date=self.any_date
        )


@strawberry.input(description="Which reorganisations to list (they are not dated by validity; use effective*).")
class ReorganisationFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description="Reorganisations are not dated by validity; ignored.")
    municipality: str | None = strawberry.field(default=None, description=_MUNICIPALITY)
    status: list[str] | None = strawberry.field(default=None, description=f"Any of these statuses: {_STATUSES}.")
    effective_from: date | None = strawberry.field(
        default=None, description="Takes effect on or after this day (those without a date are left out)."
    )
    effective_to: date | None = strawberry.field(
        default=None, description="Takes effect on or before this day (those without a date are left out)."
    )

    def domain(self) -> listing.ReorganisationFilter:
        return listing.ReorganisationFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            municipality=self.municipality,
            status=tuple(self.status or ()),
            effective_from=self.effective_from,
            effective_to=self.effective_to,
        )


@strawberry.input(description="Which focus areas (indsatsområder) to list.")
class FocusAreaFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    municipality: str | None = strawberry.field(default=None, description=_MUNICIPALITY)

    def domain(self) -> listing.FocusAreaFilter:
        return listing.FocusAreaFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            municipality=self.municipality,
        )


@strawberry.input(description="Which responsibility rules to list. All conditions given must hold.")
class ResponsibilityRuleFilter:
    name_contains: str | None = strawberry.field(default=None, description=_NAME_CONTAINS)
    name_starts_with: str | None = strawberry.field(default=None, description=_NAME_STARTS)
    any_date: bool = strawberry.field(default=False, description=_ANY_DATE)
    municipality: str | None = strawberry.field(default=None, description=_MUNICIPALITY)
    kind: str | None = strawberry.field(default=None, description="myndighed or udfører (udforer, udfoerer accepted).")
    paragraph: str | None = strawberry.field(
        default=None,
        description="Rules limited to this paragraph (INCLUDES_PARAGRAPH; rules naming no paragraph are not "
        "listed — ask `responsibility` for the resolver's full reading). " + _PARAGRAPH,
    )
    covers_age: int | None = strawberry.field(default=None, description="The rule's age band holds this age.")
    condition: str | None = strawberry.field(
        default=None,
        description="The rule covers this condition: names it or a broader one, or covers all conditions.",
    )
    holder: str | None = strawberry.field(
        default=None, description="Rules held by this unit or administration (HELD_BY), by uid or name."
    )

    def domain(self) -> listing.ResponsibilityRuleFilter:
        return listing.ResponsibilityRuleFilter(
            name_contains=self.name_contains,
            name_starts_with=self.name_starts_with,
            any_date=self.any_date,
            municipality=self.municipality,
            kind=self.kind,
            paragraph=self.paragraph,
            covers_age=self.covers_age,
            condition=self.condition,
            holder=self.holder,
        )


# -- search


@strawberry.type(description="One search hit: how well and where the text matched, and the node.")
class SearchHit:
    cursor: str = strawberry.field(description="Opaque position of this hit; pass as `after` for the next page.")
    score: float = strawberry.field(
        description="Rank: 40 exact, 30 prefix, 20 word prefix, 10 inside a word, plus 3 for the name, "
        "2 short name, 1 English term or synonym."
    )
    matched_field: str = strawberry.field(description="Property that matched: name, short_name, synonyms, …")
    matched_text: str = strawberry.field(description="The matching value as the data writes it.")
    node: Node = strawberry.field(description="The node found, viewed on asOf.")


@strawberry.type(description="One page of search hits, best first.")
class SearchResults:
    total_count: int = strawberry.field(description="Hits in all pages.")
    page_info: PageInfo = strawberry.field(description="Whether there are pages before and after this one.")
    hits: list[SearchHit] = strawberry.field(description="The page's hits, best first.")


# -- running a list


def _order(order_by: list[Any] | None) -> tuple[listing.Order, ...]:
    return tuple(
        listing.Order(field=str(o.field.value), descending=o.direction is OrderDirection.DESC) for o in (order_by or ())
    )


async def _list(
    info: Info,
    label: str,
    flt: listing.NameFilter | None,
    order_by: list[Any] | None,
    page: listing.PageArgs,
    as_of: date | None,
    build: Callable[[Mapping[str, Any], date], NodeT],
) -> Connection[NodeT]:
    store: GraphStore = info.context.store
    request = listing.ListRequest(label, flt, _order(order_by), page, as_of)
    result = await run_in_threadpool(listing.list_nodes, store, request)
    return connection_of(result, build)


def _search_labels() -> tuple[str, ...]:
    return tuple(label for label in searching.searchable_labels() if label in ENTITY_BY_LABEL)


FilterArg = strawberry.argument(name="filter", description="Which rows to list; all conditions given must hold.")
OrderArg = strawberry.argument(name="orderBy", description="Sort order (one field); default by name, ascending.")


@strawberry.type(description="Lists of the catalogue's entities with filters, sorting and cursor pages; search.")
class CatalogueQuery:
    @described("Organisational units (driftsområder, centre, kontorer, …), valid on asOf unless anyDate.")
    async def units(
        self,
        info: Info,
        filter_: Annotated[UnitFilter | None, FilterArg] = None,
        order_by: Annotated[list[UnitOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Unit]:
        flt = filter_.domain() if filter_ else None
        return await _list(info, "Unit", flt, order_by, listing.PageArgs(first, after, last, before), as_of, Unit.of)

    @described("Administrations (forvaltninger, magistratsafdelinger), valid on asOf unless anyDate.")
    async def administrations(
        self,
        info: Info,
        filter_: Annotated[AdministrationFilter | None, FilterArg] = None,
        order_by: Annotated[list[AdministrationOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Administration]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "Administration", flt, order_by, page, as_of, Administration.of)

    @described("Tilbud (service offers and institutions), valid on asOf unless anyDate.")
    async def tilbud(
        self,
        info: Info,
        filter_: Annotated[TilbudFilter | None, FilterArg] = None,
        order_by: Annotated[list[TilbudOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Tilbud]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "Tilbud", flt, order_by, page, as_of, Tilbud.of)

    @described("Legal paragraphs, in force on asOf unless anyDate.")
    async def paragraphs(
        self,
        info: Info,
        filter_: Annotated[ParagraphFilter | None, FilterArg] = None,
        order_by: Annotated[list[ParagraphOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Paragraph]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "Paragraph", flt, order_by, page, as_of, Paragraph.of)

    @described("Target groups (målgrupper): age bands and conditions. Not dated themselves.")
    async def target_groups(
        self,
        info: Info,
        filter_: Annotated[TargetGroupFilter | None, FilterArg] = None,
        order_by: Annotated[list[TargetGroupOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[TargetGroup]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "TargetGroup", flt, order_by, page, as_of, TargetGroup.of)

    @described("Conditions of the målgruppe taxonomy (autisme, hjemløshed, …). Not dated.")
    async def conditions(
        self,
        info: Info,
        filter_: Annotated[ConditionFilter | None, FilterArg] = None,
        order_by: Annotated[list[ConditionOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Condition]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "Condition", flt, order_by, page, as_of, Condition.of)

    @described("Reorganisations (organisationsændringer). Not dated by validity: filter by effective date.")
    async def reorganisations(
        self,
        info: Info,
        filter_: Annotated[ReorganisationFilter | None, FilterArg] = None,
        order_by: Annotated[list[ReorganisationOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[Reorganisation]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "Reorganisation", flt, order_by, page, as_of, Reorganisation.of)

    @described("Strategic focus areas (indsatsområder), valid on asOf unless anyDate.")
    async def focus_areas(
        self,
        info: Info,
        filter_: Annotated[FocusAreaFilter | None, FilterArg] = None,
        order_by: Annotated[list[FocusAreaOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[FocusArea]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "FocusArea", flt, order_by, page, as_of, FocusArea.of)

    @described("Responsibility rules (who holds myndighed or udfører), valid on asOf unless anyDate.")
    async def responsibility_rules(
        self,
        info: Info,
        filter_: Annotated[ResponsibilityRuleFilter | None, FilterArg] = None,
        order_by: Annotated[list[ResponsibilityRuleOrder] | None, OrderArg] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        as_of: AsOf = None,
    ) -> Connection[ResponsibilityRule]:
        flt = filter_.domain() if filter_ else None
        page = listing.PageArgs(first, after, last, before)
        return await _list(info, "ResponsibilityRule", flt, order_by, page, as_of, ResponsibilityRule.of)

    @described(
        "Full-text search across names, short names, English terms and synonyms; case- and diacritic-insensitive "
        "('aarhus' finds Århus, 'boern' finds børn, 'ASF' finds autisme), best match first."
    )
    async def search(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="The text to find; several words must all occur.")],
        labels: Annotated[
            list[str] | None,
            strawberry.argument(description="Only nodes with these labels (Unit, Tilbud, Condition, …); default all."),
        ] = None,
        first: First = None,
        after: After = None,
        as_of: AsOf = None,
        any_date: Annotated[
            bool,
            strawberry.argument(
                name="anyDate", description="Find temporal nodes whether or not valid on asOf. Default false."
            ),
        ] = False,
    ) -> SearchResults:
        store: GraphStore = info.context.store
        chosen = labels or list(_search_labels())
        page = await run_in_threadpool(
            lambda: searching.search(
                store, text, labels=chosen, first=first, after=after, as_of=as_of, any_date=any_date
            )
        )
        return SearchResults(
            total_count=page.total_count,
            page_info=PageInfo.of(page),
            hits=[
                SearchHit(
                    cursor=hit.cursor,
                    score=hit.score,
                    matched_field=hit.matched_field,
                    matched_text=hit.matched_text,
                    node=entity_of(hit.label, hit.props, page.as_of),
                )
                for hit in page.items
            ],
        )
