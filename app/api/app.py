"""The HTTP adapter: a FastAPI application over one GraphStore.

Domain errors become JSON with a machine-readable code; a graph database that is
down becomes 503 until it is back, never a stack trace.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app import __version__
from app.api.auth import check_configuration
from app.api.graphql import graphql_router
from app.config import Settings
from app.errors import BackendUnavailable, QueryError, SocialatlasError
from app.store import GraphStore, open_store

_STATUS_BY_ERROR: tuple[tuple[type[SocialatlasError], int], ...] = (
    (BackendUnavailable, 503),
    (QueryError, 400),
)


def _status_for(error: SocialatlasError) -> int:
    return next((status for kind, status in _STATUS_BY_ERROR if isinstance(error, kind)), 500)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """Build the application; with no store given, it opens the one the settings name at start-up."""
    settings = settings or Settings()
    check_configuration(settings)  # a malformed API keys file stops start-up, not each request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.settings = settings
        app.state.store = store or open_store(settings)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="Socialatlas",
        version=__version__,
        description="Who holds myndighed and who delivers, in Danish municipal social services, over time.",
        lifespan=lifespan,
    )

    @app.exception_handler(SocialatlasError)
    async def domain_error(_: Request, error: SocialatlasError) -> JSONResponse:
        return JSONResponse({"error": {"code": error.code, "message": str(error)}}, status_code=_status_for(error))

    @app.get("/health", summary="Backend, engine version and graph size")
    def health(request: Request) -> JSONResponse:
        report = request.app.state.store.health()
        body: dict[str, Any] = {
            "status": "ok" if report.reachable else "unavailable",
            "version": __version__,
            "backend": report.backend,
            "location": report.location,
            "engine_version": report.engine_version,
            "nodes": report.nodes,
            "relationships": report.relationships,
        }
        if report.detail:
            body["detail"] = report.detail
        return JSONResponse(body, status_code=200 if report.reachable else 503)

    app.include_router(graphql_router(), prefix="/graphql")
    return app
