"""Curators' mutations over real HTTP with API keys: the role is checked first, and each change shows up in
the read API on the dates it should (and not before), with its audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.api.app import create_app
from app.store.base import GraphStore
from tests.api.keys import bearer, keyed_settings, write_keys
from tests.api.support import data, error_codes, gql, serving

UC = "aarhus-msb-ungdomscenteret"
UJU = "aarhus-msb-unge-job-og-uddannelse"
VJH = "aarhus-msb-voksne-job-og-handicap"
SOURCE = {"source": {"document": "003_5b2cd4c41ea65390.txt", "section": "1.2.2", "quote": "Ungdomscenteret"}}


@pytest.fixture
def served(writable_store: GraphStore, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The app over a writable seeded graph, with a curator key (anna) and a reader key (rita)."""
    keys = write_keys(tmp_path / "keys.yaml", curator="anna", reader="rita")
    with serving(create_app(keyed_settings(tmp_path / "keys.yaml"), writable_store)) as url:
        yield url, keys


MOVE = """
mutation($input: MoveUnitInput!) {
  moveUnit(input: $input) {
    operation uid effectiveOn before after
    node { uid label asOf ... on Unit { name } }
    auditEntry { actor role operation targets effectiveOn }
  }
}
"""
UNIT = """
query($uid: String!, $on: Date) { unit(uid: $uid, asOf: $on) { name parent { name } } }
"""


def move_input(on: str = "2024-01-01") -> dict[str, Any]:
    return {"uid": UC, "newParent": VJH, "effectiveOn": on, "provenance": SOURCE}


def parent_on(url: str, on: str, uid: str = UC) -> str | None:
    unit = data(gql(url, UNIT, uid=uid, on=on))["unit"]
    return unit["parent"]["name"] if unit and unit["parent"] else None


def test_a_mutation_needs_a_curator_key_and_changes_nothing_otherwise(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    assert error_codes(gql(url, MOVE, input=move_input())) == ["UNAUTHENTICATED"]
    assert error_codes(gql(url, MOVE, headers=bearer(keys["reader"]), input=move_input())) == ["FORBIDDEN"]
    assert parent_on(url, "2024-06-01") == "Unge, Job og Uddannelse", "nothing changed"
    log = "query { auditLog { uid } }"
    assert error_codes(gql(url, log, headers=bearer(keys["reader"]))) == ["FORBIDDEN"]
    assert data(gql(url, log, headers=bearer(keys["curator"])))["auditLog"] == []


def test_move_round_trip(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    payload = data(gql(url, MOVE, headers=bearer(keys["curator"]), input=move_input()))["moveUnit"]
    assert payload["operation"] == "moveUnit"
    assert payload["uid"] == UC
    assert payload["effectiveOn"] == "2024-01-01"
    assert payload["node"] == {"uid": UC, "label": "Unit", "asOf": "2024-01-01", "name": "Ungdomscenteret"}
    assert payload["auditEntry"]["actor"] == "anna"
    assert payload["auditEntry"]["role"] == "curator"
    assert {"type": "PART_OF", "to": VJH, "valid_from": "2024-01-01", "valid_to": None} in payload["after"]["out"]
    assert {"type": "PART_OF", "to": UJU, "valid_from": "2019-08-01", "valid_to": None} in payload["before"]["out"]
    assert parent_on(url, "2023-12-31") == "Unge, Job og Uddannelse"
    assert parent_on(url, "2024-01-01") == "Voksne, Job og Handicap"
    assert parent_on(url, "2019-07-31") == "Familier, Børn og Unge", "older history untouched"


def test_a_refused_mutation_says_which_field(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    body = gql(url, MOVE, headers=bearer(keys["curator"]), input={**move_input(), "newParent": "kbh-sof"})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["field"] == "newParent"
    body = gql(url, MOVE, headers=bearer(keys["curator"]), input={**move_input(), "uid": "aarhus-nowhere"})
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["extensions"]["field"] == "uid"


RENAME = """
mutation($input: RenameUnitInput!) { renameUnit(input: $input) { node { ... on Unit { name } } } }
"""


def test_rename_round_trip(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    body = gql(
        url,
        RENAME,
        headers=bearer(keys["curator"]),
        input={"uid": UC, "name": "Ungecenteret", "effectiveOn": "2024-01-01", "provenance": SOURCE},
    )
    assert data(body)["renameUnit"]["node"]["name"] == "Ungecenteret"
    assert data(gql(url, UNIT, uid=UC, on="2023-12-31"))["unit"]["name"] == "Ungdomscenteret"
    assert data(gql(url, UNIT, uid=UC, on="2024-01-01"))["unit"]["name"] == "Ungecenteret"


TERMINATE = """
mutation($input: TerminateUnitInput!) { terminateUnit(input: $input) { node { asOf } after } }
"""


def test_terminate_round_trip(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    body = gql(
        url,
        TERMINATE,
        headers=bearer(keys["curator"]),
        input={"uid": UC, "effectiveOn": "2024-01-01", "provenance": {"inferredReason": "Test: closed."}},
    )
    payload = data(body)["terminateUnit"]
    assert payload["node"]["asOf"] == "2023-12-31"
    assert payload["after"]["props"]["valid_to"] == "2023-12-31"
    assert parent_on(url, "2023-12-31") == "Unge, Job og Uddannelse"
    after = gql(url, UNIT, uid=UC, on="2024-01-01")
    assert error_codes(after) == ["NOT_FOUND"], "not part of the organisation after it ended"


RULE = """
mutation($input: AddResponsibilityRuleInput!) { addResponsibilityRule(input: $input) { uid node { uid } } }
"""
RESPONSIBILITY = """
query($on: Date) {
  responsibility(municipality: "Aarhus", age: 17, conditions: ["autisme"], paragraph: "SEL §52", date: $on) {
    authority { unit { uid } }
  }
}
"""


def holders(url: str, on: str) -> list[str]:
    answer = data(gql(url, RESPONSIBILITY, on=on))["responsibility"]
    return [a["unit"]["uid"] for a in answer["authority"]]


def test_rule_round_trip_and_audit_log(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    assert holders(url, "2030-06-01") == [UJU]
    rule = {
        "municipality": "aarhus",
        "kind": "myndighed",
        "holder": VJH,
        "name": "Myndighed for 17-årige med autisme (kurateret)",
        "validFrom": "2030-01-01",
        "ageMin": 17,
        "ageMax": 17,
        "conditions": ["autisme"],
        "paragraphs": ["sel-52"],
        "provenance": SOURCE,
    }
    payload = data(gql(url, RULE, headers=bearer(keys["curator"]), input=rule))["addResponsibilityRule"]
    assert payload["node"]["uid"] == payload["uid"]
    assert holders(url, "2030-06-01") == [VJH]
    assert holders(url, "2029-12-31") == [UJU]
    data(gql(url, MOVE, headers=bearer(keys["curator"]), input=move_input()))
    log = """
    query($target: String) {
      auditLog(target: $target) { operation actor targets before after effectiveOn input }
    }
    """
    entries = data(gql(url, log, headers=bearer(keys["curator"])))["auditLog"]
    assert [e["operation"] for e in entries] == ["moveUnit", "addResponsibilityRule"]
    assert all(e["actor"] == "anna" for e in entries)
    assert entries[1]["before"] is None
    assert entries[1]["after"]["props"]["kind"] == "myndighed"
    assert entries[0]["before"]["uid"] == UC
    assert entries[0]["input"]["new_parent"] == VJH
    only = data(gql(url, log, headers=bearer(keys["curator"]), target=UC))["auditLog"]
    assert [e["operation"] for e in only] == ["moveUnit"]


MEMBERSHIP = """
mutation($input: AddTilbudMembershipInput!) { addTilbudMembership(input: $input) { after } }
"""


def test_membership_mutation(served: tuple[str, dict[str, str]]) -> None:
    url, keys = served
    body = gql(
        url,
        MEMBERSHIP,
        headers=bearer(keys["curator"]),
        input={"tilbud": "aarhus-turbo", "unit": VJH, "effectiveOn": "2024-01-01", "provenance": SOURCE},
    )
    after = data(body)["addTilbudMembership"]["after"]
    assert {"type": "BELONGS_TO", "to": VJH, "valid_from": "2024-01-01", "valid_to": None} in after["out"]
