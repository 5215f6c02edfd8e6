"""Reading what a caseworker types: municipalities, conditions, paragraphs and kinds.

The catalogues here are small and change only with the seed, so the resolver loads
each once (one query each) and keeps it; all matching is then done in Python. Text
is compared folded: case-insensitive and with æ/ø/å read both as `ae/oe/aa` (as the
uids write them) and as `a/o/a` (as people without a Danish keyboard type them).
Unknown terms raise `InvalidInput` with the closest known terms, so a typo gets a
helpful answer instead of an empty one.

`LawBook` also owns paragraph succession: which paragraph applies on a date (forward
to a successor once the asked one is replaced, back to a predecessor before it
existed), and which paragraphs count as "the same" when a rule written in 2019 names
SEL §52 and the question is about BL §32.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from app.errors import InvalidInput

KINDS = ("myndighed", "udfører")
MAX_AGE = 130
"""Highest age the schema allows on an age band; an open upper bound counts as this when bands are compared."""

_FOLD_LONG = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_FOLD_SHORT = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> tuple[str, str]:
    """Two comparison keys of a text: æøå as ae/oe/aa and as a/o/a; lower case, punctuation as single spaces."""
    lowered = text.casefold().translate(_DASHES)
    keys = []
    for table in (_FOLD_LONG, _FOLD_SHORT):
        plain = _ascii(lowered.translate(table))
        keys.append(" ".join(re.sub(r"[^a-z0-9§-]+", " ", plain).split()))
    return keys[0], keys[1]


class _Index:
    """Folded key → target uid, with the display terms used for suggestions."""

    def __init__(self) -> None:
        self._keys: dict[str, set[str]] = {}
        self._display: dict[str, str] = {}

    def add(self, term: str | None, uid: str) -> None:
        if not term:
            return
        for key in fold(term):
            if key:
                self._keys.setdefault(key, set()).add(uid)
                self._display.setdefault(key, term)

    def lookup(self, text: str) -> set[str]:
        found: set[str] = set()
        for key in fold(text):
            found |= self._keys.get(key, set())
        return found

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """Close known terms, as the data writes them (difflib on the folded keys)."""
        key = fold(text)[0]
        close = difflib.get_close_matches(key, list(self._display), n=limit * 3, cutoff=0.6)
        seen: dict[str, None] = {}
        for match in close:
            seen.setdefault(self._display[match], None)
        return tuple(seen)[:limit]


def normalise_kind(kind: str) -> str:
    """'myndighed' or 'udfører', however typed (udforer, Udfoerer, MYNDIGHED)."""
    for known in KINDS:
        if fold(kind)[0] in fold(known) or fold(kind)[1] in fold(known):
            return known
    suggestions = tuple(k for k in KINDS if difflib.get_close_matches(fold(kind)[1], [fold(k)[1]], cutoff=0.5))
    raise InvalidInput("kind", f"unknown kind {kind!r}: expected myndighed or udfører", suggestions or KINDS)


# --- municipalities -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    uid: str
    name: str


class Municipalities:
    """The municipalities, read by uid or name ('Aarhus', 'København', 'kobenhavn', 'Københavns Kommune')."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.by_uid = {str(r["uid"]): Municipality(str(r["uid"]), str(r["name"])) for r in rows}
        self._index = _Index()
        for m in self.by_uid.values():
            self._index.add(m.name, m.uid)
            self._index.add(m.uid, m.uid)

    def resolve(self, text: str) -> Municipality:
        candidates = [text, *_municipality_variants(text)]
        for candidate in candidates:
            found = self._index.lookup(candidate)
            if len(found) == 1:
                return self.by_uid[found.pop()]
        raise InvalidInput(
            "municipality", f"unknown municipality {text!r}", self._index.suggest(text) or tuple(self._names())
        )

    def _names(self) -> list[str]:
        return sorted(m.name for m in self.by_uid.values())


def _municipality_variants(text: str) -> list[str]:
    """'Københavns Kommune' → 'Københavns', 'København'."""
    stripped = re.sub(r"\s*kommune\s*$", "", text.strip(), flags=re.IGNORECASE)
    variants = [stripped]
    if stripped.lower().endswith("s"):
        variants.append(stripped[:-1])
    return variants


# --- conditions -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Citations and inference of one node or relationship, as the seed loader stores them."""

    documents: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    inferred: bool = False
    inferred_reason: str | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> Provenance:
        if not row:
            return cls()
        return cls(
            tuple(row.get("source_documents") or ()),
            tuple(row.get("source_sections") or ()),
            tuple(row.get("source_quotes") or ()),
            bool(row.get("inferred")),
            row.get("inferred_reason"),
        )


@dataclass(frozen=True)
class BroaderLink:
    """condition BROADER target, with the link's provenance."""

    narrower: str
    broader: str
    provenance: Provenance


@dataclass(frozen=True)
class Condition:
    uid: str
    name: str
    english: str | None
    synonyms: tuple[str, ...]
    broader: tuple[BroaderLink, ...]


@dataclass(frozen=True)
class Reach:
    """How an asked condition reaches a (broader or equal) condition: the BROADER links on the way."""

    condition: str
    distance: int
    links: tuple[BroaderLink, ...]


class Taxonomy:
    """The condition taxonomy: reading free text, and what broader conditions an asked one falls under."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.by_uid: dict[str, Condition] = {}
        self._index = _Index()
        for row in rows:
            uid = str(row["uid"])
            links = tuple(BroaderLink(uid, str(b["uid"]), Provenance.of(b)) for b in (row.get("broader") or ()) if b)
            cond = Condition(uid, str(row["name"]), row.get("english"), tuple(row.get("synonyms") or ()), links)
            self.by_uid[uid] = cond
            for term in (cond.name, uid, cond.english, *cond.synonyms):
                self._index.add(term, uid)
        self._reach_cache: dict[str, dict[str, Reach]] = {}

    def resolve(self, text: str) -> str:
        found = self._index.lookup(text)
        if len(found) == 1:
            return found.pop()
        if found:
            names = tuple(sorted(self.by_uid[u].name for u in found))
            raise InvalidInput("conditions", f"{text!r} names several conditions", names)
        raise InvalidInput("conditions", f"unknown condition {text!r}", self._index.suggest(text))

    def name(self, uid: str) -> str:
        cond = self.by_uid.get(uid)
        return cond.name if cond else uid

    def reach(self, uid: str) -> dict[str, Reach]:
        """The condition itself (distance 0) and every broader one, each by its shortest BROADER chain."""
        cached = self._reach_cache.get(uid)
        if cached is not None:
            return cached
        result: dict[str, Reach] = {uid: Reach(uid, 0, ())}
        frontier = [uid]
        while frontier:
            following: list[str] = []
            for current in frontier:
                cond = self.by_uid.get(current)
                for link in cond.broader if cond else ():
                    if link.broader not in result:
                        base = result[current]
                        result[link.broader] = Reach(link.broader, base.distance + 1, (*base.links, link))
                        following.append(link.broader)
            frontier = following
        self._reach_cache[uid] = result
        return result

    def overlap(self, a: str, b: str) -> bool:
        """True when some case can have both: one condition is the other or broader than it."""
        return b in self.reach(a) or a in self.reach(b)


# --- paragraphs -------------------------------------------------------------------------------------------------

_LAW_ALIASES: dict[str, str] = {
    "sel": "SEL",
    "serviceloven": "SEL",
    "servicelovens": "SEL",
    "lov om social service": "SEL",
    "bl": "BL",
    "barnets lov": "BL",
    "barnets lovs": "BL",
    "sul": "SUL",
    "sundhedsloven": "SUL",
    "sundhedslovens": "SUL",
    "hoi": "HOI",
    "hoi loven": "HOI",
    "hoiloven": "HOI",
    "lov om helhedsorienteret indsats": "HOI",
    "lab": "LAB",
    "lov om en aktiv beskaeftigelsesindsats": "LAB",
    "beskaeftigelsesloven": "LAB",
    "ael": "ÆL",
    "aeldreloven": "ÆL",
    "stl": "STL",
    "socialtilsynsloven": "STL",
}
_PARAGRAPH_TEXT = re.compile(
    r"^(?P<law>[a-z ]*?)\s*(?:§+|paragraf|par\.?)?\s*(?P<number>\d+[a-z]?(?:\s*-\s*\d+[a-z]?)?)?"
    r"(?:\s+stk\.?\s*\d+.*)?$"
)


@dataclass(frozen=True)
class Paragraph:
    uid: str
    name: str
    law: str
    number: str
    heading: str | None
    valid_from: date | None
    valid_to: date | None
    unconfirmed: bool
    unconfirmed_note: str | None

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)


@dataclass(frozen=True)
class Succession:
    """`source` SUCCEEDED_BY `target` from `effective_on`, possibly only for part of it (`scope`)."""

    source: str
    target: str
    effective_on: date
    scope: str | None
    provenance: Provenance

    @property
    def ages(self) -> tuple[int | None, int | None] | None:
        return scope_ages(self.scope)

    def applies_to_age(self, age: int) -> bool:
        band = self.ages
        if band is None:
            return True
        low, high = band
        return (low is None or age >= low) and (high is None or age <= high)


_UNDER = re.compile(r"\bunder[\s-]?(\d{1,3})")
_BAND = re.compile(r"\b(\d{1,3})\s*-\s*(\d{1,3})[\s-]*(?:year[\s-]?olds?|years?|årige|år)\b")
_OVER = re.compile(
    r"\b(?:aged\s+)?(\d{1,3})\s*(?:or over|and over|og derover|år og ældre|or older)\b|\bfra\s+(\d{1,3})\s+år"
)


def scope_ages(scope: str | None) -> tuple[int | None, int | None] | None:
    """The age band a succession's scope text limits it to, or None when it names none.

    Reads the forms the law reference uses: 'Under-18s only' → (None, 17), 'for 12–17-year-olds' → (12, 17),
    'aged 18 or over' → (18, None). Paragraph ranges such as '§§113–116' are not ages.
    """
    if not scope:
        return None
    text = scope.casefold().translate(_DASHES)
    band = _BAND.search(text)
    if band:
        return int(band.group(1)), int(band.group(2))
    under = _UNDER.search(text)
    if under:
        return None, int(under.group(1)) - 1
    over = _OVER.search(text)
    if over:
        return int(over.group(1) or over.group(2)), None
    return None


Direction = Literal["successor", "predecessor"]


@dataclass(frozen=True)
class Step:
    """One succession followed: forward (to the successor) or back (to the predecessor)."""

    succession: Succession
    direction: Direction

    @property
    def reached(self) -> str:
        return self.succession.target if self.direction == "successor" else self.succession.source


@dataclass(frozen=True)
class Route:
    """How a paragraph is reached from another: the steps on the way (none when it is the same)."""

    paragraph: str
    start: str
    steps: tuple[Step, ...] = ()

    @property
    def relation(self) -> str:
        if not self.steps:
            return "same"
        return self.steps[0].direction


@dataclass(frozen=True)
class Applied:
    """The paragraph asked and the ones that apply on the date after following successions."""

    asked: str
    routes: tuple[Route, ...]
    notes: tuple[str, ...] = ()
    partial: tuple[Succession, ...] = field(default=())
    """Successions in force on the date that replace only part of a paragraph still in force (not followed)."""


class LawBook:
    """The paragraphs and their successions, read once and kept."""

    def __init__(self, paragraphs: Iterable[Mapping[str, Any]], successions: Iterable[Mapping[str, Any]]) -> None:
        self.by_uid: dict[str, Paragraph] = {}
        self._index = _Index()
        self._by_number: dict[tuple[str, str], str] = {}
        for row in paragraphs:
            p = Paragraph(
                str(row["uid"]),
                str(row["name"]),
                str(row["law"]),
                str(row["number"]),
                row.get("heading"),
                row.get("valid_from"),
                row.get("valid_to"),
                bool(row.get("unconfirmed")),
                row.get("unconfirmed_note"),
            )
            self.by_uid[p.uid] = p
            self._index.add(p.name, p.uid)
            self._index.add(p.uid, p.uid)
            self._by_number[(p.law, _number_key(p.number))] = p.uid
        self.forward: dict[str, list[Succession]] = {}
        self.backward: dict[str, list[Succession]] = {}
        for row in successions:
            s = Succession(
                str(row["from_uid"]), str(row["to_uid"]), row["effective_on"], row.get("scope"), Provenance.of(row)
            )
            self.forward.setdefault(s.source, []).append(s)
            self.backward.setdefault(s.target, []).append(s)

    def name(self, uid: str) -> str:
        p = self.by_uid.get(uid)
        return p.name if p else uid

    # reading ---------------------------------------------------------------------------------------------------

    def resolve(self, text: str) -> str:
        """'SEL §52', '§ 52', 'serviceloven § 52', 'BL §32', '52a', 'sel-52', 'HOI-loven' → a paragraph uid."""
        direct = self._index.lookup(text)
        if len(direct) == 1:
            return direct.pop()
        law, number = _parse_paragraph(text)
        if number is not None:
            laws = [law] if law else sorted({p.law for p in self.by_uid.values()})
            found = [uid for lw in laws if (uid := self._find_number(lw, number)) is not None]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = tuple(self.by_uid[u].name for u in found)
                raise InvalidInput("paragraph", f"{text!r} could be several paragraphs; name the law", names)
        elif law is not None:
            whole = [p.uid for p in self.by_uid.values() if p.law == law and p.number == "lov"]
            if len(whole) == 1:
                return whole[0]
        raise InvalidInput("paragraph", f"unknown paragraph {text!r}", self._suggest(text, law, number))

    def _suggest(self, text: str, law: str | None, number: str | None) -> tuple[str, ...]:
        """Close paragraph names, compared in the canonical form 'SEL §52' when the text could be read."""
        if number is None:
            return self._index.suggest(text)
        laws = [law] if law else sorted({p.law for p in self.by_uid.values()})
        found: dict[str, None] = {}
        for lw in laws:
            found.update(dict.fromkeys(self._index.suggest(f"{lw} §{number}")))
        return tuple(found)[:3]

    def _find_number(self, law: str, number: str) -> str | None:
        exact = self._by_number.get((law, _number_key(number)))
        if exact is not None:
            return exact
        if number.isdigit():  # 'BL §114' lies in the block 'BL §§113–116'
            for (lw, key), uid in self._by_number.items():
                if lw == law and "-" in key:
                    low, _, high = key.partition("-")
                    if low.isdigit() and high.isdigit() and int(low) <= int(number) <= int(high):
                        return uid
        return None

    # succession ------------------------------------------------------------------------------------------------

    def apply_on(self, uid: str, on: date, age: int) -> Applied:
        """The paragraphs that apply on `on` in place of `uid` for a citizen of `age`.

        Forward: a succession in force on the date (effective_on <= on) whose scope holds the age is followed
        when the paragraph is no longer in force, or when the scope is an age band (the part for that age
        moved; SEL §101 → BL §33 for under-18s). Back: a paragraph not yet in force is followed to the
        predecessors it replaced after the date. Successions replacing only a non-age part of a paragraph
        still in force are reported in `partial`, not followed.
        """
        routes: list[Route] = []
        partial: list[Succession] = []
        notes: list[str] = []
        self._walk(Route(uid, uid), on, age, routes, partial, seen={uid})
        p = self.by_uid[uid]
        if len(routes) == 1 and not routes[0].steps and not p.valid_on(on):
            notes.append(f"{p.name} var ikke gældende {on.isoformat()}, og ingen afløsning er registreret")
        return Applied(uid, tuple(routes), tuple(notes), tuple(partial))

    def _walk(
        self, route: Route, on: date, age: int, routes: list[Route], partial: list[Succession], seen: set[str]
    ) -> None:
        current = self.by_uid[route.paragraph]
        steps: list[Step] = []
        if current.valid_from is not None and current.valid_from > on:
            steps = [
                Step(s, "predecessor")
                for s in self.backward.get(current.uid, ())
                if s.effective_on > on and s.applies_to_age(age)
            ]
        else:
            for s in self.forward.get(current.uid, ()):
                if s.effective_on > on or not s.applies_to_age(age):
                    continue
                if current.valid_on(on) and s.ages is None:
                    partial.append(s)
                else:
                    steps.append(Step(s, "successor"))
        following = [step for step in steps if step.reached not in seen]
        if not following:
            routes.append(route)
            return
        for step in following:
            seen.add(step.reached)
            self._walk(Route(step.reached, route.start, (*route.steps, step)), on, age, routes, partial, seen)

    def equivalents(self, uid: str, age: int) -> dict[str, Route]:
        """`uid` with every predecessor and successor (transitively, any date) whose scope holds the age.

        A rule written with SEL §52 then matches a question about BL §32 and back; siblings (BL §32 and
        BL §46, both from SEL §52) are not the same thing and do not match each other.
        """
        found: dict[str, Route] = {uid: Route(uid, uid)}
        directions: tuple[Direction, ...] = ("successor", "predecessor")
        for direction in directions:
            frontier = [found[uid]]
            while frontier:
                following: list[Route] = []
                for route in frontier:
                    edges = (
                        self.forward.get(route.paragraph, ())
                        if direction == "successor"
                        else self.backward.get(route.paragraph, ())
                    )
                    for s in edges:
                        if not s.applies_to_age(age):
                            continue
                        step = Step(s, direction)
                        if step.reached not in found:
                            found[step.reached] = Route(step.reached, uid, (*route.steps, step))
                            following.append(found[step.reached])
                frontier = following
        return found


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", number.casefold().translate(_DASHES))


def _parse_paragraph(text: str) -> tuple[str | None, str | None]:
    """('SEL', '52') from 'serviceloven § 52 stk. 3'; (None, '52a') from '52a'; ('HOI', None) from 'HOI-loven'."""
    folded = re.sub(r"§+", " § ", fold(text)[0])
    folded = re.sub(r"(?<!\d)-|-(?!\d)", " ", folded)  # 'hoi-loven', 'sel-52'; keeps '113-116'
    folded = re.sub(r"(?<=[a-z])(?=\d)", " ", folded)  # 'sel52' → 'sel 52'
    folded = " ".join(folded.split())
    match = _PARAGRAPH_TEXT.match(folded)
    if not match:
        return None, None
    law_text = (match.group("law") or "").strip()
    law: str | None = None
    if law_text:
        law = _LAW_ALIASES.get(law_text)
        if law is None:
            return None, None
    number = match.group("number")
    return law, _number_key(number) if number else None
