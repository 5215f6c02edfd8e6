"""How errors reach GraphQL clients: expected ones with a machine-readable code, the rest masked.

A `SocialatlasError` marked `public` (bad input, not found, refused, conflict, backend down)
is shown as it is, with `extensions.code` and, where it has one, `extensions.field`. Anything
else is logged and replaced by `INTERNAL`, so no stack detail leaks to a client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.errors import InvalidInput, SocialatlasError

MASKED_MESSAGE = "Unexpected error."

log = logging.getLogger(__name__)


def _expected(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    extensions = dict(error.extensions or {})
    if isinstance(original, SocialatlasError) and original.public:
        extensions["code"] = original.code
        field = getattr(original, "field", None)
        if field is not None:
            extensions["field"] = field
        if isinstance(original, InvalidInput):
            extensions["suggestions"] = list(original.suggestions)
        message = str(original)
    elif original is None or isinstance(original, GraphQLError):
        if "code" not in extensions:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
        message = error.message  # a syntax, validation, variable or limit error: the client's own query
    else:
        log.error("unexpected error in GraphQL resolver at %s", error.path, exc_info=original)
        extensions = {"code": "INTERNAL"}
        message = MASKED_MESSAGE
        original = None
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions=extensions,
    )


class DomainErrors(SchemaExtension):
    """Expected errors get `extensions.code` (and `field`); unexpected ones are logged and masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_expected(error) for error in errors]
