"""Small pieces every GraphQL module shares: the field decorator and the validity period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def described(description: str, *, name: str | None = None) -> Callable[[F], F]:
    """`@described(…)` with the resolver's own type kept for mypy."""
    return cast(Callable[[F], F], strawberry.field(description=description, name=name))


@strawberry.type(description="A period of validity; both ends inclusive, an absent end is open.")
class Validity:
    from_: date | None = strawberry.field(name="from", description="First day valid; null when always valid before.")
    to: date | None = strawberry.field(description="Last day valid; null when still valid.")
