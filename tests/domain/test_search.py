"""Full-text search on the real seed/ (read-only `seeded_store`, every backend)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.search import CONTAINS, EXACT, PREFIX, WORD_PREFIX, search, searchable_labels
from app.errors import InvalidInput
from app.store.base import GraphStore

ON = date(2020, 1, 1)


def test_folds_danish_letters_both_ways(seeded_store: GraphStore) -> None:
    top = search(seeded_store, "aarhus", as_of=ON).items[0]
    assert (top.label, top.uid, top.matched_field) == ("Municipality", "aarhus", "name")
    assert top.score == EXACT * 10 + 3
    for text in ("boern", "born", "BØRN"):
        names = [hit.matched_text for hit in search(seeded_store, text, labels=["Unit"], as_of=ON).items]
        assert "Børn, Familier og Fællesskaber" in names, text
    kbh = search(seeded_store, "kobenhavn", labels=["Municipality"]).items
    assert [hit.uid for hit in kbh] == ["kobenhavn"]


def test_synonyms_and_english_terms(seeded_store: GraphStore) -> None:
    [hit] = search(seeded_store, "ASF", labels=["Condition"]).items
    assert (hit.uid, hit.matched_field, hit.matched_text) == ("autisme", "synonyms", "ASF")
    assert hit.props["name"] == "autisme"
    homeless = search(seeded_store, "homelessness", labels=["Condition"]).items
    assert homeless[0].uid == "hjemloeshed"


def test_ranking_exact_prefix_word_prefix_contains(seeded_store: GraphStore) -> None:
    hits = search(seeded_store, "sel §52", labels=["Paragraph", "ResponsibilityRule"], first=100, as_of=ON).items
    assert hits[0].uid == "sel-52"
    assert hits[0].score // 10 == EXACT
    assert hits[1].uid == "sel-52a"
    assert hits[1].score // 10 == PREFIX
    assert any(hit.score // 10 == WORD_PREFIX for hit in hits), "rules naming 'SEL §52' inside their name"
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    inside = search(seeded_store, "center", labels=["Unit"], first=100, as_of=ON).items
    assert {hit.score // 10 for hit in inside} >= {PREFIX, CONTAINS}, "Centeret/… and Børnecenteret"


def test_several_words_must_all_occur(seeded_store: GraphStore) -> None:
    hits = search(seeded_store, "unge job", labels=["Unit"], as_of=ON).items
    assert "aarhus-msb-unge-job-og-uddannelse" in [hit.uid for hit in hits]


def test_as_of_and_any_date(seeded_store: GraphStore) -> None:
    early = search(seeded_store, "Unge, Job og Uddannelse", labels=["Unit"], as_of=date(2019, 5, 1))
    before = [hit.uid for hit in early.items]
    assert "aarhus-msb-unge-job-og-uddannelse" not in before
    anyday = search(seeded_store, "Unge, Job og Uddannelse", labels=["Unit"], as_of=date(2019, 5, 1), any_date=True)
    assert "aarhus-msb-unge-job-og-uddannelse" in [hit.uid for hit in anyday.items]


def test_pages_walk_the_ranking(seeded_store: GraphStore) -> None:
    whole = search(seeded_store, "b", first=100, as_of=ON)
    assert whole.total_count > 25
    walked: list[str] = []
    after = None
    while True:
        page = search(seeded_store, "b", first=10, after=after, as_of=ON)
        walked += [hit.uid for hit in page.items]
        assert page.has_previous_page == (after is not None)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(walked) == len(set(walked)) == whole.total_count
    assert walked[: len(whole.items)] == [hit.uid for hit in whole.items]


def test_refusals(seeded_store: GraphStore) -> None:
    for kwargs, field in (
        ({"text": "  "}, "text"),
        ({"text": "a", "labels": ["Nope"]}, "labels"),
        ({"text": "a", "first": 101}, "first"),
        ({"text": "a", "after": "garbage"}, "after"),
    ):
        with pytest.raises(InvalidInput) as refused:
            search(seeded_store, **kwargs)  # type: ignore[arg-type]
        assert refused.value.field == field
    other = search(seeded_store, "aarhus", first=1).end_cursor
    with pytest.raises(InvalidInput) as foreign:
        search(seeded_store, "boern", after=other)
    assert foreign.value.field == "after"


def test_searchable_labels_come_from_the_schema() -> None:
    labels = searchable_labels()
    assert {"Unit", "Tilbud", "Condition", "Municipality", "Paragraph"} <= set(labels)
