"""The entity types over real HTTP: every label, navigation both ways, one date honoured by every nested hop."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.app import create_app
from app.config import Settings
from app.store.base import GraphStore
from tests.api.support import data, gql, serving

BEFORE, AFTER = "2019-07-31", "2019-08-01"
UNGDOMSCENTERET = "aarhus-msb-ungdomscenteret"


def _node(base_url: str, uid: str, selection: str, on: str | None = None) -> dict[str, Any]:
    query = f"query($uid: String!, $on: Date) {{ node(uid: $uid, asOf: $on) {{ {selection} }} }}"
    found: dict[str, Any] = data(gql(base_url, query, uid=uid, on=on))["node"]
    return found


def test_node_finds_every_label(base_url: str, seeded_store: GraphStore) -> None:
    rows = seeded_store.read("MATCH (n) WITH labels(n)[0] AS label, min(n.uid) AS uid RETURN label, uid")
    assert len(rows) == 17, "every label of the schema is in the seed"
    for row in rows:
        found = _node(base_url, row["uid"], "__typename uid label asOf provenance { inferred sources { document } }")
        assert found["__typename"] == found["label"] == row["label"]
        assert found["uid"] == row["uid"]
    assert data(gql(base_url, '{ node(uid: "no-such-node") { uid } }'))["node"] is None


def test_provenance_of_nodes_and_links(base_url: str) -> None:
    unit = _node(
        base_url,
        UNGDOMSCENTERET,
        "provenance { sources { document section quote source { uid name } } inferred inferredReason } "
        "... on OrgNode { parentLink { validity { from to } provenance { sources { quote } } } }",
        AFTER,
    )
    [first, *_] = unit["provenance"]["sources"]
    assert first["document"]
    assert first["quote"]
    assert first["source"]["uid"] == first["document"], "a citation leads to its Source node"
    assert unit["parentLink"]["validity"] == {"from": AFTER, "to": None}
    assert unit["parentLink"]["provenance"]["sources"]


@pytest.mark.parametrize(("on", "parent"), [(BEFORE, "Familier, Børn og Unge"), (AFTER, "Unge, Job og Uddannelse")])
def test_nested_hops_from_the_municipality_keep_the_date(base_url: str, on: str, parent: str) -> None:
    query = """
    query($on: Date) {
      municipality(uid: "aarhus", asOf: $on) {
        asOf
        units { uid asOf parent { name asOf } tilbud { uid asOf unit { name } } }
      }
    }
    """
    town = data(gql(base_url, query, on=on))["municipality"]
    units = {unit["uid"]: unit for unit in town["units"]}
    assert units[UNGDOMSCENTERET]["parent"] == {"name": parent, "asOf": on}
    assert {unit["asOf"] for unit in town["units"]} == {on}
    assert ("aarhus-msb-familier-boern-og-unge" in units) == (on == BEFORE)
    for unit in town["units"]:
        for tilbud in unit["tilbud"]:
            assert tilbud["asOf"] == on
            assert tilbud["unit"]["name"], "the way back (BELONGS_TO) names a unit valid that day"


@pytest.mark.parametrize(("on", "unit"), [(BEFORE, "Ungdomscenteret"), (AFTER, "Unge, Job og Uddannelse")])
def test_a_tilbud_belongs_to_the_unit_of_the_date(base_url: str, on: str, unit: str) -> None:
    tilbud = _node(base_url, "aarhus-turbo", "... on Tilbud { unit { uid name ... on Unit { tilbud { uid } } } }", on)
    assert tilbud["unit"]["name"] == unit
    assert "aarhus-turbo" in [t["uid"] for t in tilbud["unit"]["tilbud"]], "and back"


def test_unit_and_tilbud_history(base_url: str) -> None:
    unit = _node(base_url, UNGDOMSCENTERET, "... on Unit { history { validity { from to } name parent { name } } }")
    assert [(p["validity"]["to"], p["parent"]["name"]) for p in unit["history"]] == [
        (BEFORE, "Familier, Børn og Unge"),
        (None, "Unge, Job og Uddannelse"),
    ]
    assert {p["name"] for p in unit["history"]} == {"Ungdomscenteret"}
    tilbud = _node(base_url, "aarhus-turbo", "... on Tilbud { history { validity { from to } unit { name } } }")
    assert [p["unit"]["name"] for p in tilbud["history"]] == ["Ungdomscenteret", "Unge, Job og Uddannelse"]
    assert tilbud["history"][1]["validity"]["from"] == AFTER


def test_leaders_with_and_without_inheritance(base_url: str) -> None:
    selection = """
    ... on Unit {
      own: leaders { title }
      inherited: leaders(inherit: true) { title positionUid inheritedFrom { uid name } position { uid title } }
    }
    """
    unit = _node(base_url, UNGDOMSCENTERET, selection, AFTER)
    assert unit["own"] == []
    [leader] = unit["inherited"]
    assert leader["inheritedFrom"]["name"] == "Unge, Job og Uddannelse"
    assert leader["position"]["uid"] == leader["positionUid"]
    led = _node(
        base_url,
        "aarhus-msb-unge-job-og-uddannelse",
        "... on Unit { leaders(inherit: true) { title inheritedFrom { uid } } }",
        AFTER,
    )
    assert led["leaders"]
    assert all(item["inheritedFrom"] is None for item in led["leaders"])


def test_positions_units_and_persons_both_ways(base_url: str) -> None:
    position = _node(
        base_url,
        "aarhus-msb-raadmand",
        "... on Position { leads { uid leaders { positionUid } } holders { uid positions { uid } } "
        "holdings { role person { name } } reportsTo { uid } reports { uid } }",
        AFTER,
    )
    assert position["leads"], "a rådmand leads the administration"
    assert all("aarhus-msb-raadmand" in [x["positionUid"] for x in unit["leaders"]] for unit in position["leads"])
    [holder] = position["holders"]
    assert "aarhus-msb-raadmand" in [p["uid"] for p in holder["positions"]]
    assert position["holdings"][0] == {"role": "Rådmand", "person": {"name": "Kristian Würtz"}}
    chef = _node(
        base_url, "aarhus-msb-forvaltningschef-social", "... on Position { reportsTo { uid reports { uid } } }", AFTER
    )
    [boss] = chef["reportsTo"]
    assert "aarhus-msb-forvaltningschef-social" in [p["uid"] for p in boss["reports"]]


def test_paragraphs_conditions_and_target_groups_both_ways(base_url: str) -> None:
    tilbud = _node(
        base_url, "aarhus-soras-samvaerstilbud", "... on Tilbud { paragraphs { name tilbud { uid } } }", AFTER
    )
    [paragraph] = tilbud["paragraphs"]
    assert paragraph["name"] == "SEL §104"
    assert "aarhus-soras-samvaerstilbud" in [t["uid"] for t in paragraph["tilbud"]]

    sel41 = _node(
        base_url,
        "sel-41",
        "... on Paragraph { successors { effectiveOn scope paragraph { name predecessors { paragraph { uid } } } } }",
    )
    [successor] = sel41["successors"]
    assert successor["effectiveOn"] == "2024-01-01"
    assert successor["paragraph"]["name"] == "BL §86"
    assert [p["paragraph"]["uid"] for p in successor["paragraph"]["predecessors"]] == ["sel-41"]

    autisme = _node(base_url, "autisme", "... on Condition { broader { uid narrower { uid } } targetGroups { uid } }")
    [broader] = autisme["broader"]
    assert broader["uid"] == "udviklingsforstyrrelse"
    assert "autisme" in [c["uid"] for c in broader["narrower"]]

    group = _node(
        base_url,
        "aarhus-tg-voksne-30-66",
        "... on TargetGroup { conditions { uid targetGroups { uid } } units { uid } }",
    )
    assert group["conditions"]
    assert all("aarhus-tg-voksne-30-66" in [g["uid"] for g in c["targetGroups"]] for c in group["conditions"])

    unit = _node(
        base_url, "aarhus-msb-job-sundhed-og-ydelse", "... on Unit { targetGroups { uid units { uid } } }", AFTER
    )
    assert unit["targetGroups"]
    assert all("aarhus-msb-job-sundhed-og-ydelse" in [u["uid"] for u in g["units"]] for g in unit["targetGroups"])


def test_municipality_rules_focus_areas_and_figures(base_url: str) -> None:
    query = """
    {
      municipality(uid: "aarhus", asOf: "2019-09-01") {
        administrations { uid municipality { uid } }
        responsibilityRules { uid municipality { uid } holders { uid } exceptionTo { uid exceptions { uid } } }
        reorganisations { uid }
        focusAreas { uid municipality { uid } goals { uid focusAreas { uid } } }
      }
      figure: node(uid: "aarhus-msb-tal-borgere-i-kontakt") { ... on Figure { value measureUnit concerns { uid } } }
    }
    """
    body = data(gql(base_url, query))
    town = body["municipality"]
    assert "aarhus-msb" in [a["uid"] for a in town["administrations"]]
    assert {a["municipality"]["uid"] for a in town["administrations"]} == {"aarhus"}
    assert town["responsibilityRules"]
    assert {r["municipality"]["uid"] for r in town["responsibilityRules"]} == {"aarhus"}
    exceptions = [r for r in town["responsibilityRules"] if r["exceptionTo"]]
    assert exceptions
    rule = exceptions[0]
    assert rule["uid"] in [e["uid"] for e in rule["exceptionTo"][0]["exceptions"]]
    assert "aarhus-msb-2019" in [r["uid"] for r in town["reorganisations"]]
    assert town["focusAreas"]
    assert body["figure"]["concerns"] == [{"uid": "aarhus-msb"}]


def test_reorganisation_with_moves_and_diff(base_url: str) -> None:
    query = """
    {
      reorganisation(name: "Borgernes MSB – et samlet MSB", municipality: "Aarhus") {
        uid effectiveOn municipality { uid } administration { uid reorganisations { uid } }
        moves { name reorganisation { uid } subjects { __typename uid } from { uid } to { uid } }
        diff {
          beforeOn afterOn
          disappeared { uid node { asOf } }
          reparented { unit { uid } before { name } after { name node { asOf } } }
          responsibilityChanges { kind before { rule { uid } holders } after { rule { uid } holders } }
          notes
        }
      }
    }
    """
    reorg = data(gql(base_url, query))["reorganisation"]
    assert reorg["uid"] == "aarhus-msb-2019"
    assert reorg["municipality"]["uid"] == "aarhus"
    assert "aarhus-msb-2019" in [r["uid"] for r in reorg["administration"]["reorganisations"]]
    assert {m["reorganisation"]["uid"] for m in reorg["moves"]} == {"aarhus-msb-2019"}
    assert any(s["__typename"] == "Unit" for m in reorg["moves"] for s in m["subjects"])
    diff = reorg["diff"]
    assert (diff["beforeOn"], diff["afterOn"]) == (BEFORE, AFTER)
    assert "aarhus-msb-familier-boern-og-unge" in [d["uid"] for d in diff["disappeared"]]
    assert {d["node"]["asOf"] for d in diff["disappeared"]} == {BEFORE}
    moved = {c["unit"]["uid"]: c for c in diff["reparented"]}
    assert [p["name"] for p in moved[UNGDOMSCENTERET]["after"]] == ["Unge, Job og Uddannelse"]
    assert moved[UNGDOMSCENTERET]["after"][0]["node"]["asOf"] == AFTER
    assert diff["responsibilityChanges"]


def test_unit_root_returns_the_org_node_types(base_url: str) -> None:
    query = """
    { unit(uid: "aarhus-msb", asOf: "2019-09-01") {
        __typename label ... on Administration { currentName shortName units { uid } }
        ancestors { __typename } municipality { uid } } }
    """
    found = data(gql(base_url, query))["unit"]
    assert found["__typename"] == "Administration"
    assert UNGDOMSCENTERET in [u["uid"] for u in found["units"]]
    assert [a["__typename"] for a in found["ancestors"]] == ["Municipality"]
    assert found["municipality"] == {"uid": "aarhus"}


def test_a_renamed_unit_has_its_name_of_the_date(writable_store: GraphStore) -> None:
    writable_store.write(
        "MATCH (u:Unit) WHERE u.uid = $uid SET u.former_names = $names, u.former_names_until = $until",
        {"uid": UNGDOMSCENTERET, "names": ["Ungdomscentret (gl.)"], "until": [BEFORE]},
    )
    query = """
    query($on: Date) {
      unit(uid: "aarhus-msb-ungdomscenteret", asOf: $on) {
        name ... on Unit { currentName history { name validity { from to } } }
        parent { children { uid name } }
      }
    }
    """
    with serving(create_app(Settings(), writable_store)) as url:
        before = data(gql(url, query, on=BEFORE))["unit"]
        after = data(gql(url, query, on=AFTER))["unit"]
    assert (before["name"], after["name"]) == ("Ungdomscentret (gl.)", "Ungdomscenteret")
    assert before["currentName"] == after["currentName"] == "Ungdomscenteret"
    sibling_names = {c["uid"]: c["name"] for c in before["parent"]["children"]}
    assert sibling_names[UNGDOMSCENTERET] == "Ungdomscentret (gl.)", "nested objects use the name of their date"
    assert [p["name"] for p in before["history"]] == ["Ungdomscentret (gl.)", "Ungdomscenteret"]
