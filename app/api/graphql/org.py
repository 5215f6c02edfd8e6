"""Root fields about the organisation on a date and the responsibility question.

Each parses its arguments, calls one domain function in a worker thread and maps the result.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

import strawberry
from starlette.concurrency import run_in_threadpool

from app.api.graphql.common import described
from app.api.graphql.context import GraphQLContext
from app.api.graphql.types import (
    AsOf,
    Municipality,
    OrgUnit,
    ResponsibilityAnswer,
    ResponsibilityKind,
)
from app.domain.lookup import entities, find
from app.domain.resolver import Question
from app.domain.temporal import org_tree
from app.errors import InvalidInput, NotFound
from app.store.base import GraphStore

Info = strawberry.Info[GraphQLContext, None]


def _unit_on(store: GraphStore, *, uid: str | None, name: str | None, municipality: str | None, on: date) -> OrgUnit:
    """The unit (or administration) named by uid or name, placed in its municipality's organisation on `on`."""
    if (uid is None) == (name is None):
        raise InvalidInput("uid" if uid is not None else "name", "give exactly one of uid and name")
    field, text = ("uid", uid) if uid is not None else ("name", name)
    assert text is not None
    town = (
        find(store, ("Municipality",), municipality, field="municipality", what="municipality")
        if municipality
        else None
    )
    found = find(
        store,
        ("Unit", "Administration"),
        text,
        field=field,
        what="unit",
        municipality_uid=town.uid if town else None,
    )
    if found.municipality_uid is None:
        raise NotFound(f"{found.describe()} belongs to no municipality in the graph")
    tree = org_tree(store, municipality=found.municipality_uid, on=on)
    node = tree.find(found.uid)
    if node is None:
        raise NotFound(f"{found.describe()} is not part of the organisation on {on.isoformat()}")
    return AsOf(tree).unit(node)


@strawberry.type(description="Municipalities, a unit as of a date, and who holds the responsibility.")
class OrgQuery:
    @described("Every municipality in the knowledge base.")
    async def municipalities(self, info: Info) -> list[Municipality]:
        found = await run_in_threadpool(entities, info.context.store, "Municipality")
        return [Municipality.of(entity) for entity in found]

    @described(
        "One unit or administration, by uid or by name (with municipality to tell same-named units apart), "
        "as it stood on asOf: its parent, ancestors and children are those of that date."
    )
    async def unit(
        self,
        info: Info,
        uid: Annotated[str | None, strawberry.argument(description="The unit's uid.")] = None,
        name: Annotated[str | None, strawberry.argument(description="The unit's name or short name.")] = None,
        municipality: Annotated[
            str | None, strawberry.argument(description="Municipality to look the name up in.")
        ] = None,
        as_of: Annotated[
            date | None, strawberry.argument(name="asOf", description="The date to view it on; default today.")
        ] = None,
    ) -> OrgUnit | None:
        store = info.context.store
        on = as_of or date.today()
        return await run_in_threadpool(lambda: _unit_on(store, uid=uid, name=name, municipality=municipality, on=on))

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
