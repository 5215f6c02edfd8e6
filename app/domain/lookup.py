"""Turning what a user types (a uid, a name, a short name) into one node of the graph.

Users write "Aarhus", "MSB", "socialforvaltningen" or "Koebenhavn"; the views need one uid.
An unknown or ambiguous name is an `InvalidInput` that names the close matches, so the
CLI and the API can say what was meant instead of returning an empty answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.queries import load_query
from app.errors import InvalidInput
from app.store.base import GraphStore

_SPELLINGS: dict[str, str | int | None] = {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "–": "-", "—": "-"}
_DANISH = str.maketrans(_SPELLINGS)
_SORT_LAST = str.maketrans("æøå", "{|}")


def normalise(text: str) -> str:
    """Case- and spelling-insensitive form: 'Århus', 'aarhus' and 'AARHUS' are the same."""
    return " ".join(text.casefold().translate(_DANISH).split())


def danish_sort_key(text: str) -> str:
    """Sort key that puts æ, ø, å after z, as a Danish reader expects."""
    return text.casefold().translate(_SORT_LAST)


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Ref:
    """A node named by uid and name, as the views hand it around."""

    uid: str
    name: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, "name": self.name, "label": self.label}


@dataclass(frozen=True)
class Entity:
    """A node that names can be looked up among (one row of `named_entities`)."""

    uid: str
    name: str
    label: str
    short_name: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    municipality_uid: str | None = None

    @property
    def ref(self) -> Ref:
        return Ref(self.uid, self.name, self.label)

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    def describe(self) -> str:
        return f"{self.name} ({self.uid})"


def entities(store: GraphStore, label: str) -> list[Entity]:
    """Every node with this label, through the `named_entities` query."""
    rows = store.read(load_query("named_entities"), {"label": label})
    return [
        Entity(
            uid=row["uid"],
            name=row["name"] or row["uid"],
            label=row["label"],
            short_name=row.get("short_name"),
            valid_from=row.get("valid_from"),
            valid_to=row.get("valid_to"),
            municipality_uid=row.get("municipality_uid"),
        )
        for row in rows
    ]


def find(
    store: GraphStore,
    labels: Sequence[str],
    text: str,
    *,
    field: str,
    what: str,
    municipality_uid: str | None = None,
) -> Entity:
    """The one node with these labels whose uid, name or short name is `text` (case-insensitively).

    Raises InvalidInput naming close matches when none fits, or the candidates when several do.
    """
    wanted = text.strip()
    if not wanted:
        raise InvalidInput(field, f"give the {what}'s uid or name")
    candidates = [entity for label in labels for entity in entities(store, label)]
    if municipality_uid is not None:
        candidates = [e for e in candidates if e.municipality_uid in (None, municipality_uid)]
    by_uid = [e for e in candidates if e.uid == wanted]
    if by_uid:
        return by_uid[0]
    key = normalise(wanted)
    matches = [e for e in candidates if key in {normalise(n) for n in (e.uid, e.name, e.short_name) if n}]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise InvalidInput(
            field,
            f"{wanted!r} names {len(matches)} {what}s; give the uid",
            tuple(sorted(e.uid for e in matches)),
        )
    raise InvalidInput(field, f"no {what} named {wanted!r}", close_matches(wanted, candidates))


def close_matches(text: str, candidates: Iterable[Entity], limit: int = 5) -> tuple[str, ...]:
    """Names (or uids) that look like `text`: by similarity, then by containing it."""
    key = normalise(text)
    spelled: dict[str, str] = {}
    for entity in candidates:
        for written in (entity.name, entity.short_name, entity.uid):
            if written:
                spelled.setdefault(normalise(written), written)
    similar = difflib.get_close_matches(key, list(spelled), n=limit, cutoff=0.6)
    containing = [normalised for normalised in spelled if key and key in normalised and normalised not in similar]
    return tuple(spelled[n] for n in [*similar, *sorted(containing)][:limit])
