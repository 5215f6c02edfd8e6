"""The per-request context: the store the app was built with, and one Resolver for the whole request."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import BaseContext

from app.domain.resolver import Resolver
from app.store.base import GraphStore


class GraphQLContext(BaseContext):
    """What every resolver reaches through `info.context`: the store and the request's one Resolver."""

    def __init__(self, store: GraphStore) -> None:
        super().__init__()
        self.store = store
        self.resolver = Resolver(store)


async def get_context(request: Request) -> GraphQLContext:
    """FastAPI dependency: a fresh context per request over `app.state.store`."""
    store: GraphStore = request.app.state.store
    return GraphQLContext(store)
