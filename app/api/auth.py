"""Who is asking: API keys and the roles they carry.

SKELETON — the auth helper replaces the body of `authenticate` (configured, hashed keys) and
keeps these names: `Role`, `Principal`, `authenticate(headers, settings)`, `require_role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from app.config import Settings
from app.errors import Forbidden, Unauthenticated


class Role(Enum):
    """What a key may do. Every key may read; analysts may also run Cypher; curators may also edit."""

    READER = "reader"
    ANALYST = "analyst"
    CURATOR = "curator"


@dataclass(frozen=True)
class Principal:
    """The caller of one request: a named key with its role, or the anonymous reader."""

    name: str
    role: Role | None
    """None for an anonymous caller."""

    @property
    def anonymous(self) -> bool:
        return self.role is None


ANONYMOUS = Principal(name="anonymous", role=None)


def authenticate(headers: Mapping[str, str], settings: Settings) -> Principal:
    """The principal a request's headers name; ANONYMOUS when they name none."""
    return ANONYMOUS


def require_role(principal: Principal, role: Role) -> Principal:
    """The principal, if its role allows `role`; raises Unauthenticated or Forbidden otherwise."""
    if role is Role.READER:
        return principal
    if principal.anonymous:
        raise Unauthenticated(f"this needs an API key with the {role.value} role")
    if principal.role is not role:
        raise Forbidden(
            f"the key {principal.name!r} has the {principal.role.value if principal.role else 'no'} role; "
            f"this needs {role.value}"
        )
    return principal
