"""The GraphQL adapter: a strawberry schema over the domain, mounted on the FastAPI app at /graphql."""

from app.api.graphql.schema import graphql_router, schema

__all__ = ["graphql_router", "schema"]
