"""The GraphQL API over real HTTP: uvicorn in a thread, on each available backend with the real seed/."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLNamedType, GraphQLObjectType

from app.api.graphql.schema import MAX_DEPTH, schema
from tests.api.support import gql

SNAPSHOT = Path(__file__).with_name("schema.graphql")


RESPONSIBILITY = """
query($conditions: [String!]!, $on: Date) {
  responsibility(municipality: "Aarhus", age: 17, conditions: $conditions, paragraph: "SEL §52", date: $on) {
    status
    authority { unit { uid name kind } path { uid name kind } leaders { title level person } }
    paragraphs { uid name }
    providers { type name }
    rules { uid name verdict reason }
    sources { document section quote }
    inferred
    explanation
  }
}
"""


def test_responsibility_names_the_authority(base_url: str) -> None:
    body = gql(base_url, RESPONSIBILITY, conditions=["autisme"], on="2019-09-01")
    assert "errors" not in body, body
    answer = body["data"]["responsibility"]
    assert answer["status"] == "RESOLVED"
    assert [a["unit"]["name"] for a in answer["authority"]] == ["Unge, Job og Uddannelse"]
    assert answer["authority"][0]["path"], "the authority's place in the organisation"
    assert any(rule["verdict"] == "DECIDED" for rule in answer["rules"])
    assert answer["sources"]
    assert answer["explanation"]


def test_unknown_condition_is_invalid_input(base_url: str) -> None:
    body = gql(base_url, RESPONSIBILITY, conditions=["ikke-en-tilstand"], on="2019-09-01")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "conditions"
    assert error["path"] == ["responsibility"]


UNIT = """
query($on: Date) {
  unit(name: "Ungdomscenteret", municipality: "Aarhus", asOf: $on) {
    uid name asOf
    parent { name parent { name } }
    ancestors { name label }
  }
}
"""


@pytest.mark.parametrize(
    ("on", "parent"),
    [("2019-07-31", "Familier, Børn og Unge"), ("2019-08-01", "Unge, Job og Uddannelse")],
)
def test_unit_parent_as_of_date(base_url: str, on: str, parent: str) -> None:
    body = gql(base_url, UNIT, on=on)
    assert "errors" not in body, body
    unit = body["data"]["unit"]
    assert unit["asOf"] == on
    assert unit["parent"]["name"] == parent
    assert unit["ancestors"][0]["name"] == parent
    assert unit["ancestors"][-1]["label"] == "Municipality"
    assert unit["parent"]["parent"]["name"] == unit["ancestors"][1]["name"], "nested hops keep the root's date"


def test_nested_children_keep_the_date(base_url: str) -> None:
    query = """
    query($on: Date) {
      unit(uid: "aarhus-msb-ungdomscenteret", asOf: $on) { parent { name children { name asOf } } }
    }
    """
    for on, parent in (("2019-07-31", "Familier, Børn og Unge"), ("2019-08-01", "Unge, Job og Uddannelse")):
        body = gql(base_url, query, on=on)
        assert "errors" not in body, body
        found = body["data"]["unit"]["parent"]
        assert found["name"] == parent
        assert "Ungdomscenteret" in [child["name"] for child in found["children"]]
        assert {child["asOf"] for child in found["children"]} == {on}


def test_unit_not_in_the_organisation_on_the_date_is_not_found(base_url: str) -> None:
    body = gql(base_url, '{ unit(uid: "aarhus-msb-familier-boern-og-unge", asOf: "2019-08-01") { uid } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert body["data"] == {"unit": None}


def test_unknown_unit_is_invalid_input_with_suggestions(base_url: str) -> None:
    body = gql(base_url, '{ unit(name: "Ungdomscentret", municipality: "Aarhus") { uid } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "name"
    assert "Ungdomscenteret" in error["extensions"]["suggestions"]


def test_municipalities(base_url: str) -> None:
    body = gql(base_url, "{ municipalities { uid name validity { from to } } }")
    assert "errors" not in body, body
    assert {"aarhus", "kobenhavn"} <= {m["uid"] for m in body["data"]["municipalities"]}


def test_too_deep_query_is_refused(base_url: str) -> None:
    nested = "name"
    for _ in range(MAX_DEPTH + 2):
        nested = f"parent {{ {nested} }}"
    body = gql(base_url, f'{{ unit(uid: "aarhus-msb-ungdomscenteret") {{ {nested} }} }}')
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_unexpected_errors_are_masked(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    graphql_org = importlib.import_module("app.api.graphql.org")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(graphql_org, "entities", broken)
    body = gql(base_url, "{ municipalities { uid } }")
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret" not in str(body)


def test_graphiql_is_served(base_url: str) -> None:
    response = httpx.get(f"{base_url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_every_type_and_field_is_described() -> None:
    missing: list[str] = []
    for name, kind in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "Float", "ID"}:
            continue
        assert isinstance(kind, GraphQLNamedType)
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing.extend(
                    f"{name}.{field_name}({arg})" for arg, spec in field.args.items() if not spec.description
                )
    assert not missing


def test_sdl_snapshot() -> None:
    assert schema.as_str() + "\n" == SNAPSHOT.read_text(encoding="utf-8"), (
        "The GraphQL schema changed. If intended, regenerate the snapshot with:\n"
        "  python -c 'from app.api.graphql import schema; print(schema.as_str())' > tests/api/schema.graphql"
    )


def test_a_bad_variable_is_the_clients_error_not_masked(base_url: str) -> None:
    query = """
    query($kind: ResponsibilityKind!) {
      responsibility(municipality: "Aarhus", age: 17, conditions: ["autisme"], kind: $kind) { status }
    }
    """
    body = gql(base_url, query, kind="NEITHER")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "NEITHER" in error["message"]


def test_only_unexpected_errors_are_logged(
    base_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        gql(base_url, RESPONSIBILITY, conditions=["ikke-en-tilstand"], on="2019-09-01")
        gql(base_url, "{ nosuchfield }")
    assert not caplog.records, "a client's own mistakes are not the server's errors"

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(importlib.import_module("app.api.graphql.org"), "entities", broken)
    with caplog.at_level(logging.WARNING):
        gql(base_url, "{ municipalities { uid } }")
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None, "with the traceback"
