"""Root fields about the organisation on a date, any node by uid, reorganisations, and the responsibility question.

Each root field takes the date to view things on (`asOf`, default today); the objects it returns
carry that date, and every nested hop answers for it (see entities.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

import strawberry
from starlette.concurrency import run_in_threadpool

from app.api.graphql.common import described
from app.api.graphql.context import GraphQLContext
from app.api.graphql.entities import (
    Municipality,
    Node,
    OrgNode,
    Reorganisation,
    entity_of,
    label_of,
    valid_on,
)
from app.api.graphql.types import ResponsibilityAnswer, ResponsibilityKind
from app.domain.catalogue import Hop, neighbours_many, nodes_by_uid
from app.domain.lookup import Entity, entities, find
from app.domain.resolver import Question
from app.errors import InvalidInput, NotFound
from app.store.base import GraphStore, Row

Info = strawberry.Info[GraphQLContext, None]

AsOfArgument = Annotated[
    date | None,
    strawberry.argument(name="asOf", description="The date to view it on (every nested hop too); default today."),
]


def _props(store: GraphStore, found: Entity) -> Row:
    """The node's properties, for an entity lookup just found."""
    props = nodes_by_uid(store, [found.uid], [found.label]).get(found.uid)
    if props is None:
        raise NotFound(f"{found.describe()} is no longer in the graph")
    return props


def _one_of(uid: str | None, name: str | None) -> tuple[str, str]:
    if (uid is None) == (name is None):
        raise InvalidInput("uid" if uid is not None else "name", "give exactly one of uid and name")
    field, text = ("uid", uid) if uid is not None else ("name", name)
    assert text is not None
    return field, text


def _municipality_uid(store: GraphStore, municipality: str | None) -> str | None:
    if not municipality:
        return None
    return find(store, ("Municipality",), municipality, field="municipality", what="municipality").uid


def _unit_on(store: GraphStore, *, uid: str | None, name: str | None, municipality: str | None, on: date) -> OrgNode:
    """The unit (or administration) named by uid or name, as it stands in its municipality's organisation on `on`."""
    field, text = _one_of(uid, name)
    found = find(
        store,
        ("Unit", "Administration"),
        text,
        field=field,
        what="unit",
        municipality_uid=_municipality_uid(store, municipality),
    )
    if found.municipality_uid is None:
        raise NotFound(f"{found.describe()} belongs to no municipality in the graph")
    props = _props(store, found)
    [up] = neighbours_many(store, [(Hop("PART_OF", "out", found.label, on, transitive=True), [found.uid])])
    if not valid_on(props, on) or not any(link.label == "Municipality" for link in up.get(found.uid, [])):
        raise NotFound(f"{found.describe()} is not part of the organisation on {on.isoformat()}")
    return cast(OrgNode, entity_of(found.label, props, on))


def _municipalities(store: GraphStore, on: date) -> list[Municipality]:
    found = entities(store, "Municipality")
    props = nodes_by_uid(store, [m.uid for m in found], ["Municipality"])
    return [Municipality.of(props[m.uid], on) for m in found if m.uid in props]


def _municipality(store: GraphStore, uid: str | None, name: str | None, on: date) -> Municipality:
    field, text = _one_of(uid, name)
    found = find(store, ("Municipality",), text, field=field, what="municipality")
    return Municipality.of(_props(store, found), on)


def _reorganisation(
    store: GraphStore, uid: str | None, name: str | None, municipality: str | None, on: date
) -> Reorganisation:
    field, text = _one_of(uid, name)
    found = find(
        store,
        ("Reorganisation",),
        text,
        field=field,
        what="reorganisation",
        municipality_uid=_municipality_uid(store, municipality),
    )
    return Reorganisation.of(_props(store, found), on)


def _node(store: GraphStore, uid: str, on: date) -> Node | None:
    props = nodes_by_uid(store, [uid]).get(uid)
    if props is None:
        return None
    return entity_of(label_of(props), props, on)


@strawberry.type(
    description="Municipalities, their units and reorganisations as of a date, and who holds the responsibility."
)
class OrgQuery:
    @described("Every municipality in the knowledge base, viewed on asOf.")
    async def municipalities(self, info: Info, as_of: AsOfArgument = None) -> list[Municipality]:
        store, on = info.context.store, as_of or date.today()
        return await run_in_threadpool(_municipalities, store, on)

    @described("One municipality, by uid or name, viewed on asOf.")
    async def municipality(
        self,
        info: Info,
        uid: Annotated[str | None, strawberry.argument(description="The municipality's uid.")] = None,
        name: Annotated[str | None, strawberry.argument(description="The municipality's name.")] = None,
        as_of: AsOfArgument = None,
    ) -> Municipality:
        store, on = info.context.store, as_of or date.today()
        return await run_in_threadpool(_municipality, store, uid, name, on)

    @described(
        "One unit or administration, by uid or by name (with municipality to tell same-named units apart), "
        "as it stood on asOf: its parent, ancestors, children and everything nested are those of that date."
    )
    async def unit(
        self,
        info: Info,
        uid: Annotated[str | None, strawberry.argument(description="The unit's uid.")] = None,
        name: Annotated[str | None, strawberry.argument(description="The unit's name or short name.")] = None,
        municipality: Annotated[
            str | None, strawberry.argument(description="Municipality to look the name up in.")
        ] = None,
        as_of: AsOfArgument = None,
    ) -> OrgNode | None:
        store = info.context.store
        on = as_of or date.today()
        return await run_in_threadpool(lambda: _unit_on(store, uid=uid, name=name, municipality=municipality, on=on))

    @described(
        "One reorganisation, by uid or by name (with municipality to tell same-named ones apart); its nested "
        "nodes are viewed on asOf, and its diff compares the day before its effective date with that date."
    )
    async def reorganisation(
        self,
        info: Info,
        uid: Annotated[str | None, strawberry.argument(description="The reorganisation's uid.")] = None,
        name: Annotated[str | None, strawberry.argument(description="The reorganisation's name.")] = None,
        municipality: Annotated[
            str | None, strawberry.argument(description="Municipality to look the name up in.")
        ] = None,
        as_of: AsOfArgument = None,
    ) -> Reorganisation:
        store, on = info.context.store, as_of or date.today()
        return await run_in_threadpool(_reorganisation, store, uid, name, municipality, on)

    @described("Any node by its uid, whatever its label, viewed on asOf; null when there is none.")
    async def node(
        self,
        info: Info,
        uid: Annotated[str, strawberry.argument(description="The node's uid.")],
        as_of: AsOfArgument = None,
    ) -> Node | None:
        store, on = info.context.store, as_of or date.today()
        return await run_in_threadpool(_node, store, uid, on)

    @described("Who holds the responsibility for a case on a date, by which rule, on which sources.")
    async def responsibility(
        self,
        info: Info,
        municipality: Annotated[str, strawberry.argument(description="Municipality, by uid or name.")],
        age: Annotated[int, strawberry.argument(description="The citizen's age in years.")],
        conditions: Annotated[list[str], strawberry.argument(description="Conditions (målgrupper), by uid or name.")],
        paragraph: Annotated[
            str | None, strawberry.argument(description="The paragraph asked about, e.g. 'SEL §52'.")
        ] = None,
        kind: Annotated[
            ResponsibilityKind, strawberry.argument(description="Myndighed (who decides) or udfører (who delivers).")
        ] = ResponsibilityKind.MYNDIGHED,
        on: Annotated[
            date | None, strawberry.argument(name="date", description="The date asked about; default today.")
        ] = None,
    ) -> ResponsibilityAnswer:
        question = Question(
            municipality=municipality,
            age=age,
            conditions=tuple(conditions),
            paragraph=paragraph,
            kind=cast(str, kind.value),
            on=on,
        )
        answer = await run_in_threadpool(info.context.resolver.resolve, question)
        return ResponsibilityAnswer.of(answer)
