"""The project's own error types.

Driver and engine exceptions are translated into these at the data-access border,
so that the domain and the adapters never import a driver to catch an error.
"""

from __future__ import annotations


class SocialatlasError(Exception):
    """Base of every error this project raises on purpose."""

    code = "ERROR"
    public = False
    """True when an API client may see the message as it is; other errors are masked."""


class ConfigurationError(SocialatlasError):
    """A setting is missing or malformed."""

    code = "CONFIGURATION"


class BackendUnavailable(SocialatlasError):
    """The graph database cannot be reached now; retrying later may succeed (HTTP 503)."""

    code = "BACKEND_UNAVAILABLE"
    public = True


class QueryError(SocialatlasError):
    """The database rejected a query (syntax, unknown function, constraint)."""

    code = "QUERY_ERROR"
    public = True


class WriteRefused(QueryError):
    """A write was attempted where only reads are allowed."""

    code = "WRITE_REFUSED"


class QueryTimeout(QueryError):
    """The database stopped a query that ran past its time limit."""

    code = "QUERY_TIMEOUT"


class QueryRefused(QueryError):
    """An analyst query reaches outside the graph (files, URLs, server procedures); refused before it runs."""

    code = "QUERY_REFUSED"


class ConstraintViolation(QueryError):
    """A write broke a uniqueness or existence constraint."""

    code = "CONSTRAINT_VIOLATION"


class AtomicApplyFailed(SocialatlasError):
    """An all-or-nothing batch failed; the graph was left as it was before."""

    code = "ATOMIC_APPLY_FAILED"


class SchemaError(SocialatlasError):
    """The schema declaration itself is inconsistent."""

    code = "SCHEMA_ERROR"


class InvalidInput(SocialatlasError):
    """A user's input (an argument, a term, a date) is not understood; names the field and close matches."""

    code = "INVALID_INPUT"
    public = True

    def __init__(self, field: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        hint = f" (did you mean {', '.join(repr(s) for s in suggestions)}?)" if suggestions else ""
        super().__init__(f"{field}: {message}{hint}")
        self.field = field
        self.suggestions = suggestions


class NotFound(SocialatlasError):
    """A named thing (municipality, unit, reorganisation) is not in the knowledge base."""

    code = "NOT_FOUND"
    public = True


class Conflict(SocialatlasError):
    """A change would contradict the graph: an overlapping validity, a cycle, a unit already ended."""

    code = "CONFLICT"
    public = True

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Unauthenticated(SocialatlasError):
    """No valid API key was given where one is needed."""

    code = "UNAUTHENTICATED"
    public = True


class Forbidden(SocialatlasError):
    """The API key's role does not allow this operation."""

    code = "FORBIDDEN"
    public = True
