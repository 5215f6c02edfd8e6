"""Batched reads (app/domain/catalogue.py) on the real seed/, on each backend, and the name history (names.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.catalogue import (
    Hop,
    leader_paths,
    leading_level,
    neighbours,
    neighbours_many,
    nodes_by_uid,
)
from app.domain.names import name_on, name_periods
from app.store.base import GraphStore
from tests.counting import CountingStore

UNGDOMSCENTERET = "aarhus-msb-ungdomscenteret"
BEFORE, AFTER = date(2019, 7, 31), date(2019, 8, 1)


def _names(links: list[Any]) -> list[str]:
    return [link.node["name"] for link in links]


def test_nodes_by_uid_finds_any_label_in_one_read(seeded_store: GraphStore) -> None:
    counting = CountingStore(seeded_store)
    found = nodes_by_uid(counting, ["aarhus", UNGDOMSCENTERET, "sel-104", "autisme", "no-such-uid"])  # type: ignore[arg-type]
    assert counting.reads == 1
    assert set(found) == {"aarhus", UNGDOMSCENTERET, "sel-104", "autisme"}
    assert "Unit" in found[UNGDOMSCENTERET]["_labels"]
    assert found["sel-104"]["name"] == "SEL §104"
    assert found[UNGDOMSCENTERET]["source_documents"], "provenance comes with the node"
    assert nodes_by_uid(seeded_store, []) == {}
    assert nodes_by_uid(seeded_store, ["aarhus"], ["Unit"]) == {}, "limited to the labels asked"


@pytest.mark.parametrize(("on", "parent"), [(BEFORE, "Familier, Børn og Unge"), (AFTER, "Unge, Job og Uddannelse")])
def test_temporal_hop_keeps_links_valid_on_the_date(seeded_store: GraphStore, on: date, parent: str) -> None:
    found = neighbours(seeded_store, "PART_OF", "out", [UNGDOMSCENTERET], on, label="Unit")
    assert _names(found[UNGDOMSCENTERET]) == [parent]
    [link] = found[UNGDOMSCENTERET]
    assert link.label == "Unit"
    assert link.rel["_type"] == "PART_OF"
    assert link.rel["source_documents"], "the link's provenance"


def test_hop_without_a_date_gives_every_link(seeded_store: GraphStore) -> None:
    found = neighbours(seeded_store, "PART_OF", "out", [UNGDOMSCENTERET], None, label="Unit")
    assert set(_names(found[UNGDOMSCENTERET])) == {"Familier, Børn og Unge", "Unge, Job og Uddannelse"}


def test_incoming_hop_drops_targets_not_valid_on_the_date(seeded_store: GraphStore) -> None:
    before = neighbours(seeded_store, "BELONGS_TO", "in", [UNGDOMSCENTERET], BEFORE, label="Unit")
    after = neighbours(seeded_store, "BELONGS_TO", "in", [UNGDOMSCENTERET], AFTER, label="Unit")
    assert "aarhus-turbo" in {link.node["uid"] for link in before[UNGDOMSCENTERET]}
    assert after[UNGDOMSCENTERET] == []


def test_many_hops_share_one_read(seeded_store: GraphStore) -> None:
    counting = CountingStore(seeded_store)
    hops = [
        (Hop("PART_OF", "out", "Unit", BEFORE), [UNGDOMSCENTERET]),
        (Hop("PART_OF", "out", "Unit", AFTER), [UNGDOMSCENTERET]),
        (Hop("UNDER_PARAGRAPH", "out", "Tilbud"), ["aarhus-soras-samvaerstilbud", "aarhus-turbo"]),
        (Hop("BROADER", "in", "Condition"), ["udviklingsforstyrrelse"]),
        (Hop("HOLDS", "in", "Position", AFTER), []),
    ]
    together = neighbours_many(counting, hops)  # type: ignore[arg-type]
    assert counting.reads == 1
    assert _names(together[0][UNGDOMSCENTERET]) == ["Familier, Børn og Unge"]
    assert _names(together[1][UNGDOMSCENTERET]) == ["Unge, Job og Uddannelse"]
    assert _names(together[2]["aarhus-soras-samvaerstilbud"]) == ["SEL §104"]
    assert together[2]["aarhus-turbo"] == [], "every uid asked gets an entry"
    assert "autisme" in {link.node["uid"] for link in together[3]["udviklingsforstyrrelse"]}
    assert together[4] == {}
    for (hop, uids), found in zip(hops[:4], together[:4], strict=True):
        assert found == neighbours(seeded_store, hop.rel_type, hop.direction, uids, hop.on, label=hop.label)


def test_transitive_hops_go_up_to_the_municipality_and_down_to_every_unit(seeded_store: GraphStore) -> None:
    [up, down_before, down_after] = neighbours_many(
        seeded_store,
        [
            (Hop("PART_OF", "out", "Unit", AFTER, transitive=True), [UNGDOMSCENTERET]),
            (Hop("PART_OF", "in", "Municipality", BEFORE, transitive=True, target="Unit"), ["aarhus"]),
            (Hop("PART_OF", "in", "Municipality", AFTER, transitive=True, target="Unit"), ["aarhus"]),
        ],
    )
    chain = up[UNGDOMSCENTERET]
    assert [link.depth for link in chain] == sorted(link.depth for link in chain), "nearest first"
    assert chain[0].node["name"] == "Unge, Job og Uddannelse"
    assert chain[-1].label == "Municipality"
    units_before = {link.node["uid"] for link in down_before["aarhus"]}
    units_after = {link.node["uid"] for link in down_after["aarhus"]}
    assert UNGDOMSCENTERET in units_before
    assert UNGDOMSCENTERET in units_after
    assert "aarhus-msb-familier-boern-og-unge" in units_before - units_after
    assert all(link.label == "Unit" for link in down_after["aarhus"])
    assert len(units_after) == len(down_after["aarhus"]), "each unit once"


def test_hops_outside_the_schema_are_refused(seeded_store: GraphStore) -> None:
    with pytest.raises(ValueError, match="unknown relationship"):
        neighbours(seeded_store, "KNOWS", "out", ["x"], None, label="Unit")
    with pytest.raises(ValueError, match="does not go"):
        neighbours(seeded_store, "PART_OF", "out", ["aarhus"], None, label="Municipality")
    with pytest.raises(ValueError, match="unknown label"):
        neighbours_many(seeded_store, [(Hop("PART_OF", "in", "Unit", None, target="Robot"), ["x"])])


def test_leaders_inherit_from_the_nearest_led_ancestor(seeded_store: GraphStore) -> None:
    paths = leader_paths(seeded_store, [UNGDOMSCENTERET, "aarhus-msb-unge-job-og-uddannelse"], AFTER)
    own = leading_level(paths[UNGDOMSCENTERET], inherit=False)
    inherited = leading_level(paths[UNGDOMSCENTERET], inherit=True)
    assert own is None
    assert inherited is not None
    assert inherited.unit_uid == "aarhus-msb-unge-job-og-uddannelse"
    assert [p["title"] for p in inherited.positions] == ["Driftschef, Unge, Job og Uddannelse"]
    direct = leading_level(paths["aarhus-msb-unge-job-og-uddannelse"], inherit=False)
    assert direct is not None
    assert direct.unit_uid == "aarhus-msb-unge-job-og-uddannelse"
    assert all(level.unit_uid != "aarhus" for level in paths[UNGDOMSCENTERET]), "no leaders from the municipality"


# -- name history


RENAMED = {
    "uid": "u",
    "name": "Nyt navn",
    "former_names": ["Mellemnavn", "Første navn"],
    "former_names_until": ["2021-12-31", "2019-07-31"],
}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2010, 1, 1), "Første navn"),
        (date(2019, 7, 31), "Første navn"),
        (date(2019, 8, 1), "Mellemnavn"),
        (date(2021, 12, 31), "Mellemnavn"),
        (date(2022, 1, 1), "Nyt navn"),
    ],
)
def test_name_on_a_date(on: date, expected: str) -> None:
    assert name_on(RENAMED, on) == expected


def test_name_without_history_is_the_current_name() -> None:
    assert name_on({"uid": "u", "name": "Navn"}, date(2000, 1, 1)) == "Navn"
    assert name_on({"uid": "u"}, date(2000, 1, 1)) == "u"


def test_name_periods_take_dates_or_text_and_skip_broken_entries() -> None:
    props = {"former_names": ["A", "B", "C"], "former_names_until": [date(2020, 1, 1), "ikke en dato", "2018-05-05"]}
    assert name_periods(props) == [("C", date(2018, 5, 5)), ("A", date(2020, 1, 1))]
