"""The GraphQL schema: the root types put together from one module per area, with the limits and error policy."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext

from app.api.graphql.analyst import AnalystQuery
from app.api.graphql.context import GraphQLContext, get_context
from app.api.graphql.entities import ENTITY_TYPES
from app.api.graphql.errors import DomainErrors
from app.api.graphql.limits import AccessGate, AliasLimit, ComplexityLimit, DepthLimit, TokenLimit
from app.api.graphql.lists import CatalogueQuery
from app.api.graphql.mutations import AuditQuery, Mutation
from app.api.graphql.org import OrgQuery

MAX_DEPTH = 10
"""Deepest query accepted; deeper ones are refused before they run."""


@strawberry.type(description="Read-only questions about municipalities, their organisation and responsibilities.")
class Query(OrgQuery, AnalystQuery, CatalogueQuery, AuditQuery):
    pass


class _Schema(strawberry.Schema):
    """Strawberry logs every error with its traceback, a client's bad input included; here only the
    unexpected ones are logged, where they are masked (app/api/graphql/errors.py)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


schema = _Schema(
    query=Query,
    mutation=Mutation,
    types=ENTITY_TYPES,
    extensions=[
        # Validating a document costs more than answering it (5.5 of 12 ms for `responsibility`), and
        # dashboards send the same few documents again and again. Access and cost are still checked per
        # request. (No ParserCache: it would parse before TokenLimit could refuse a huge document.)
        lambda: ValidationCache(maxsize=256),
        AccessGate,
        TokenLimit,
        lambda: DepthLimit(max_depth=MAX_DEPTH),
        AliasLimit,
        ComplexityLimit,
        DomainErrors,
    ],
)


def graphql_router() -> GraphQLRouter[GraphQLContext, None]:
    """The /graphql endpoint (GraphiQL on GET from a browser), with a context per request."""
    return GraphQLRouter(schema, graphql_ide="graphiql", context_getter=get_context)
