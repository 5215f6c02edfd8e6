"""The per-request context: the store, the caller, the request's DataLoaders and one Resolver."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request
from strawberry.fastapi import BaseContext

from app.api.auth import ANONYMOUS, Principal, authenticate
from app.api.graphql.loaders import Loaders
from app.config import Settings
from app.domain.resolver import Resolver
from app.errors import Unauthenticated
from app.store.base import GraphStore


class GraphQLContext(BaseContext):
    """What every resolver reaches through `info.context`."""

    def __init__(
        self,
        store: GraphStore,
        settings: Settings,
        principal: Principal,
        auth_refusal: Unauthenticated | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.principal = principal
        self.auth_refusal = auth_refusal
        """Why the request's key was refused; the AccessGate extension then refuses the operation."""
        self.resolver = resolver or Resolver(store)
        self.loaders = Loaders(store)


RESOLVER_TTL_S = 60.0
"""How long the app's Resolver keeps its catalogues (municipalities, conditions, paragraphs) before re-reading
them, so a seed run by another process shows within a minute without a restart."""


def shared_resolver(app: Any) -> Resolver:
    """One Resolver for all requests, renewed every RESOLVER_TTL_S: its catalogue cache is most of a
    question's cost when built per request."""
    now = time.monotonic()
    current: tuple[Resolver, float] | None = getattr(app.state, "resolver", None)
    if current is None or now - current[1] > RESOLVER_TTL_S:
        current = (Resolver(app.state.store), now)
        app.state.resolver = current
    return current[0]


async def get_context(request: Request) -> GraphQLContext:
    """FastAPI dependency: a fresh context per request over `app.state.store`, for the caller the headers name.

    A bad key does not fail here (that would be an HTTP error, not a GraphQL one): it is kept
    as `auth_refusal` and the operation is refused with UNAUTHENTICATED.
    """
    settings: Settings = request.app.state.settings
    store: GraphStore = request.app.state.store
    try:
        principal = authenticate(request.headers, settings)
    except Unauthenticated as refusal:
        return GraphQLContext(store, settings, ANONYMOUS, refusal, shared_resolver(request.app))
    return GraphQLContext(store, settings, principal, resolver=shared_resolver(request.app))
