"""Full-text search across names and synonyms, case- and diacritic-insensitive, ranked.

The engines' own full-text indexes differ per backend (and analyse English), so search is plain
portable Cypher: each searchable label's text properties (the schema's `fulltext: true`
properties, short names, and a condition's English term and synonyms) are folded in the database
the way `fold` folds the query (lower case; æ/ø/å as a/o/a, then aa/ae/oe as a/a/o, so both ways
of typing a Danish letter meet) and compared with CONTAINS. So `aarhus` finds `Århus`, `boern` and
`born` find `børn`, and `ASF` finds autisme through its synonyms. The folding conflates a little
more than it must ('boer' also finds 'bor'); for search that is the right side to err on. One
folding (six `replace` calls) rather than two halves the cost on the national graph.

The matches are ranked in Python: an exact match beats a prefix, a prefix beats a word prefix
(the text starts a later word), and that beats a match inside a word; within a tier the name
weighs more than a short name, which weighs more than an English term or synonym. Ties go by
name, then uid. A query of several words also matches a text holding every word (`unge job`
finds `Unge, Job og Uddannelse`), ranked as a match inside a word. One query finds the matches
(uids and their text only), a second fetches the page's nodes. Pages are cursor-based on the
position in that ranking.

FalkorDB quirk met here: `WITH n WHERE all(w IN $list WHERE <expression on n>)` silently matches
nothing; projecting the predicate first (`WITH n, (…) AS hit WHERE hit`) works on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.listing import (
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
    page_size,
    schema,
    sort_key,
    valid_on_cypher,
)
from app.errors import InvalidInput
from app.store.base import GraphStore

__all__ = ["MAX_PAGE_SIZE", "Hit", "SearchPage", "search", "searchable_labels"]

EXACT, PREFIX, WORD_PREFIX, CONTAINS = 4, 3, 2, 1
"""Match tiers, best first."""

_FIELD_WEIGHT = {"name": 3, "title": 3, "short_name": 2, "english": 1, "synonyms": 1}
"""Bonus within a tier by the field matched; other text fields (headings) get none."""

MAX_QUERY_LENGTH = 200

_LETTERS = (("æ", "a"), ("ø", "o"), ("å", "a"))
_DIGRAPHS = (("aa", "a"), ("ae", "a"), ("oe", "o"))


def fold(text: str) -> str:
    """The search form of a text: lower case, æ/ø/å as a/o/a, then aa/ae/oe as a/a/o.

    Both ways of typing Danish letters meet: 'Århus', 'Aarhus' and 'arhus' are all 'arhus'; 'børn',
    'boern' and 'born' are all 'born'. The database computes the same with `fold_cypher`.
    """
    folded = text.lower()
    for a, b in (*_LETTERS, *_DIGRAPHS):
        folded = folded.replace(a, b)
    return folded


def fold_cypher(expr: str) -> str:
    out = f"toLower({expr})"
    for a, b in (*_LETTERS, *_DIGRAPHS):
        out = f"replace({out}, '{a}', '{b}')"
    return out


def searchable_fields(label: str) -> tuple[str, ...]:
    """The text properties search reads on a label: full-text ones, short names, English terms."""
    spec = schema().nodes[label]
    found = list(spec.fulltext_properties)
    for extra in ("short_name", "english"):
        if extra in spec.properties and extra not in found:
            found.append(extra)
    return tuple(found)


def searchable_labels() -> tuple[str, ...]:
    """Every label with text to search, in declaration order."""
    return tuple(label for label in schema().nodes if searchable_fields(label))


@dataclass(frozen=True)
class Hit:
    uid: str
    label: str
    score: float
    matched_field: str
    matched_text: str
    props: Mapping[str, Any]
    cursor: str


SearchPage = Page[Hit]


@dataclass(frozen=True)
class _Match:
    uid: str
    label: str
    name: str
    tier: int
    score: float
    field: str
    text: str

    @property
    def rank(self) -> tuple[float, str, str]:
        return (-self.score, sort_key(self.name), self.uid)


def _tier(value: str, q: str) -> int:
    folded = fold(value)
    if folded == q:
        return EXACT
    if folded.startswith(q):
        return PREFIX
    if re.search(r"(?<![0-9a-z])" + re.escape(q), folded):
        return WORD_PREFIX
    if q in folded or all(word in folded for word in q.split()):
        return CONTAINS
    return 0


def _best(fields: Mapping[str, Any], q: str) -> tuple[int, float, str, str]:
    """(tier, score, field, text) of the best-matching field value."""
    best: tuple[int, float, str, str] = (0, 0.0, "name", "")
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not item:
                continue
            tier = _tier(item, q)
            if tier == 0:
                continue
            score = float(tier * 10 + _FIELD_WEIGHT.get(name, 0))
            if score > best[1]:
                best = (tier, score, name, item)
    return best


def _contains(expr: str, words: int) -> str:
    """Every word of the query occurs in the folded `expr` (one parameter per word: no list iteration)."""
    folded = fold_cypher(expr)
    return " AND ".join(f"{folded} CONTAINS $w{i}" for i in range(words))


def _label_query(label: str, index: int, temporal_filter: bool, words: int) -> str:
    fields = searchable_fields(label)
    ors = []
    for prop in fields:
        ors.append(_contains("n." + prop, words))
    if "synonyms" in schema().nodes[label].properties:
        ors.append(f"any(s IN coalesce(n.synonyms, []) WHERE {_contains('s', words)})")
        fields = (*fields, "synonyms")
    where = " OR ".join(f"({o})" for o in ors)
    if temporal_filter and schema().nodes[label].temporal:
        where = f"({valid_on_cypher('n')}) AND ({where})"
    projection = ", ".join(f"{p}: n.{p}" for p in fields)
    return (
        f"MATCH (n:{label}) WITH n, ({where}) AS hit WHERE hit "
        f"RETURN n.uid AS uid, '{label}' AS label, {{{projection}}} AS fields, {index} AS part"
    )


def search(
    store: GraphStore,
    text: str,
    *,
    labels: Sequence[str] | None = None,
    first: int | None = None,
    after: str | None = None,
    as_of: date | None = None,
    any_date: bool = False,
) -> SearchPage:
    """Nodes whose names or synonyms contain `text`, best match first, one page at a time."""
    on = as_of or date.today()
    wanted = " ".join(text.split())
    if not wanted:
        raise InvalidInput("text", "give some text to search for")
    if len(wanted) > MAX_QUERY_LENGTH:
        raise InvalidInput("text", f"search text may be at most {MAX_QUERY_LENGTH} characters")
    known = searchable_labels()
    chosen = tuple(dict.fromkeys(labels)) if labels else known
    unknown = [label for label in chosen if label not in known]
    if unknown:
        raise InvalidInput("labels", f"cannot search {unknown[0]!r}", known)
    size = page_size(first, "first")
    q = fold(wanted)
    kind = f"search:{q}"
    position = decode_cursor(after, field="after", kind=kind, order="RANK", key_type=list) if after else None

    words = q.split()
    query = " UNION ALL ".join(_label_query(label, i, not any_date, len(words)) for i, label in enumerate(chosen))
    params: dict[str, Any] = {f"w{i}": word for i, word in enumerate(words)}
    params["on"] = on.isoformat()
    rows = store.read(query, params)
    matches: dict[str, _Match] = {}
    for row in rows:
        fields = row.get("fields") or {}
        tier, score, field, matched = _best(fields, q)
        if tier == 0:  # the database matched on a folding Python does not reproduce: keep it, last
            tier, score, field, matched = CONTAINS, float(CONTAINS * 10), "name", str(fields.get("name") or "")
        name = str(fields.get("name") or fields.get("title") or row["uid"])
        found = _Match(str(row["uid"]), str(row["label"]), name, tier, score, field, matched)
        previous = matches.get(found.uid)
        if previous is None or found.rank < previous.rank:
            matches[found.uid] = found
    ranked = sorted(matches.values(), key=lambda m: m.rank)
    start = 0
    if position is not None:
        key, uid = position
        if len(key) != 2 or not isinstance(key[0], int | float) or not isinstance(key[1], str):
            raise InvalidInput("after", "not a cursor this API handed out")
        anchor = (float(key[0]), key[1], uid)
        start = next((i for i, m in enumerate(ranked) if m.rank > anchor), len(ranked))
    window = ranked[start : start + size]
    props = _fetch(store, window)
    hits = tuple(
        Hit(
            uid=m.uid,
            label=m.label,
            score=m.score,
            matched_field=m.field,
            matched_text=m.text,
            props=props.get(m.uid, {"uid": m.uid, "name": m.name}),
            cursor=encode_cursor(kind, "RANK", [m.rank[0], m.rank[1]], m.uid),
        )
        for m in window
    )
    return Page(hits, len(ranked), start + size < len(ranked), start > 0, on)


def _fetch(store: GraphStore, window: Sequence[_Match]) -> dict[str, dict[str, Any]]:
    """The page's nodes' properties, one query per label on the page (so the uid index is used)."""
    by_label: dict[str, list[str]] = {}
    for m in window:
        by_label.setdefault(m.label, []).append(m.uid)
    if not by_label:
        return {}
    parts = [f"MATCH (n:{label}) WHERE n.uid IN $uids_{i} RETURN n AS node" for i, label in enumerate(by_label)]
    params = {f"uids_{i}": uids for i, uids in enumerate(by_label.values())}
    rows = store.read(" UNION ALL ".join(parts), params)
    return {str(row["node"]["uid"]): {k: v for k, v in row["node"].items() if not k.startswith("_")} for row in rows}
