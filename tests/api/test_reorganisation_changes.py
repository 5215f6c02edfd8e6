"""`reorganisation { changesFor(age, conditions) }`: the central question across a reorganisation's date."""

from __future__ import annotations

from app.domain.temporal import target_group_changes
from app.store.base import GraphStore
from tests.api.support import data, gql

CHANGES = """
{
  reorganisation(uid: "aarhus-msb-2019") {
    changesFor(age: 17, conditions: ["autisme"]) {
      kind change withoutParagraph
      paragraphs { name }
      before { date status units { name } rules }
      after { date status units { name node { uid asOf } } rules }
      moves { uid name }
    }
  }
}
"""


def test_a_17_year_old_with_autism_across_the_aarhus_reorganisation(base_url: str) -> None:
    changes = data(gql(base_url, CHANGES))["reorganisation"]["changesFor"]
    [unnamed] = [c for c in changes if c["kind"] == "myndighed" and c["withoutParagraph"]]
    assert unnamed["change"] == "MOVED"
    assert (unnamed["before"]["date"], unnamed["after"]["date"]) == ("2019-07-31", "2019-08-01")
    assert [u["name"] for u in unnamed["before"]["units"]] == ["Familier, Børn og Unge"]
    assert [u["name"] for u in unnamed["after"]["units"]] == ["Unge, Job og Uddannelse"]
    assert unnamed["after"]["units"][0]["node"]["asOf"] == "2019-08-01", "the unit, viewed on its side of the date"
    assert unnamed["moves"], "the moves behind it"
    handicap = [
        c
        for c in changes
        if c["kind"] == "myndighed" and {"SEL §41", "SEL §42"} <= {p["name"] for p in c["paragraphs"]}
    ]
    assert [u["name"] for c in handicap for u in c["after"]["units"]] == ["Børn, Familier og Fællesskaber"]


def test_changes_for_mirror_the_domain(base_url: str, seeded_store: GraphStore) -> None:
    over_graphql = data(gql(base_url, CHANGES))["reorganisation"]["changesFor"]
    domain = target_group_changes(seeded_store, "aarhus-msb-2019", age=17, conditions=("autisme",))
    assert [(c["kind"], c["change"].lower(), c["after"]["rules"]) for c in over_graphql] == [
        (c.kind, c.change, list(c.after.rules)) for c in domain
    ]
