"""No N+1: a nested query costs a number of database round trips that grows with its depth, not its rows.

The app is served over a proxy of the seeded store that counts `read` calls; the same nested
query for ONE municipality and for ALL of them must cost the same, and one more nesting level
may add at most two round trips.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from app.api.app import create_app
from app.config import Settings
from app.store.base import GraphStore
from tests.api.support import data, gql, serving
from tests.counting import CountingStore


@pytest.fixture
def counted(seeded_store: GraphStore) -> Iterator[tuple[str, CountingStore]]:
    counting = CountingStore(seeded_store)
    # the nested queries here are costlier than the default complexity limit allows
    with serving(create_app(Settings(max_query_complexity=10**9), counting)) as url:  # type: ignore[arg-type]
        yield url, counting


def _round_trips(url: str, counting: CountingStore, query: str) -> tuple[int, dict[str, Any]]:
    before = counting.reads
    body = data(gql(url, query))
    return counting.reads - before, body


ONE = '{ municipality(uid: "aarhus", asOf: "2019-09-01") { %s } }'
ALL = '{ municipalities(asOf: "2019-09-01") { %s } }'
LEVELS = [
    "uid",
    "uid units { uid }",
    "uid units { uid tilbud { uid } }",
    "uid units { uid tilbud { uid paragraphs { uid } } }",
    "uid units { uid tilbud { uid paragraphs { uid tilbud { uid } } } }",
    "uid units { uid tilbud { uid paragraphs { uid tilbud { uid unit { uid } } } } }",
]


def test_one_municipality_and_all_cost_the_same(counted: tuple[str, CountingStore]) -> None:
    url, counting = counted
    selection = LEVELS[3]
    one, one_body = _round_trips(url, counting, ONE % selection)
    every, all_body = _round_trips(url, counting, ALL % selection)
    units_one = len(one_body["municipality"]["units"])
    units_all = sum(len(m["units"]) for m in all_body["municipalities"])
    tilbud_all = sum(len(u["tilbud"]) for m in all_body["municipalities"] for u in m["units"])
    assert len(all_body["municipalities"]) > 1
    assert units_all > units_one, "ALL really has more rows"
    assert tilbud_all > 10
    print(f"round trips: one municipality {one}, all {every} ({units_all} units, {tilbud_all} tilbud)")
    assert one == every


def test_each_nesting_level_adds_a_bounded_number_of_round_trips(counted: tuple[str, CountingStore]) -> None:
    url, counting = counted
    costs = [_round_trips(url, counting, ALL % selection)[0] for selection in LEVELS]
    print(f"round trips by depth: {costs}")
    steps = [b - a for a, b in itertools.pairwise(costs)]
    assert all(0 <= step <= 2 for step in steps), costs


def test_sibling_fields_of_one_level_share_a_round_trip(counted: tuple[str, CountingStore]) -> None:
    url, counting = counted
    narrow, _ = _round_trips(url, counting, ALL % "units { tilbud { uid } }")
    wide, _ = _round_trips(
        url,
        counting,
        ALL % "units { tilbud { uid } children { uid } targetGroups { uid } parent { uid } moves: movedBy { uid } }",
    )
    assert wide == narrow
