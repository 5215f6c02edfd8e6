"""The per-request context: the store, the caller, the request's DataLoaders and one Resolver."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import BaseContext

from app.api.auth import Principal, authenticate
from app.api.graphql.loaders import Loaders
from app.config import Settings
from app.domain.resolver import Resolver
from app.store.base import GraphStore


class GraphQLContext(BaseContext):
    """What every resolver reaches through `info.context`."""

    def __init__(self, store: GraphStore, settings: Settings, principal: Principal) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.principal = principal
        self.resolver = Resolver(store)
        self.loaders = Loaders(store)


async def get_context(request: Request) -> GraphQLContext:
    """FastAPI dependency: a fresh context per request over `app.state.store`, for the caller the headers name."""
    settings: Settings = request.app.state.settings
    store: GraphStore = request.app.state.store
    return GraphQLContext(store, settings, authenticate(request.headers, settings))
