"""Depth, alias, token and complexity limits: refusals carry a code; deep-but-cheap queries pass."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import parse
from graphql.utilities import get_operation_ast

from app.api.graphql.errors import DomainErrors
from app.api.graphql.limits import (
    DEFAULT_LIST_SIZE,
    MAX_ALIASES,
    MAX_TOKENS,
    AliasLimit,
    ComplexityLimit,
    DepthLimit,
    estimate_cost,
)
from app.api.graphql.schema import MAX_DEPTH
from app.config import Settings
from tests.api.support import data, error_codes, gql

UNIT = "aarhus-msb-ungdomscenteret"


def _nested(field: str, levels: int, leaf: str = "name") -> str:
    text = leaf
    for _ in range(levels):
        text = f"{field} {{ {text} }}"
    return text


def test_a_deep_but_cheap_query_passes(base_url: str) -> None:
    """unit → parent ×8: depth 9 of MAX_DEPTH 10, cost ~10."""
    query = (
        f'{{ unit(uid: "{UNIT}", asOf: "2019-08-01") {{ {_nested("parent", MAX_DEPTH - 2)} ancestors {{ name }} }} }}'
    )
    assert data(gql(base_url, query))["unit"]["ancestors"]


def test_a_too_deep_query_is_refused_with_a_code(base_url: str) -> None:
    body = gql(base_url, f'{{ unit(uid: "{UNIT}") {{ {_nested("parent", MAX_DEPTH + 2)} }} }}')
    assert body.get("data") is None
    assert error_codes(body) == ["DEPTH_LIMIT_EXCEEDED"]
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_an_expensive_wide_query_is_refused_with_its_estimate_and_the_limit(base_url: str) -> None:
    """Children of children … four lists deep, each counted as DEFAULT_LIST_SIZE: 21 111."""
    inner = "uid name"
    query = f'{{ unit(uid: "{UNIT}") {{ {_nested("children", 4, inner)} }} }}'
    body = gql(base_url, query)
    assert body.get("data") is None
    [error] = body["errors"]
    limit = Settings().max_query_complexity
    assert error["extensions"]["code"] == "COMPLEXITY_LIMIT_EXCEEDED"
    assert error["extensions"]["limit"] == limit
    cost = error["extensions"]["cost"]
    assert cost > limit
    assert f"estimated cost is {cost}, above the limit of {limit}" in error["message"]


def test_a_moderate_list_query_passes(base_url: str) -> None:
    query = f'{{ municipalities {{ uid name }} unit(uid: "{UNIT}") {{ children {{ name leaders {{ title }} }} }} }}'
    assert data(gql(base_url, query))["municipalities"]


def test_too_many_aliases_are_refused_with_a_code(base_url: str) -> None:
    aliases = " ".join(f"m{i}: municipalities {{ uid }}" for i in range(MAX_ALIASES + 1))
    body = gql(base_url, f"{{ {aliases} }}")
    assert error_codes(body) == ["ALIAS_LIMIT_EXCEEDED"]


def test_a_huge_document_is_refused_with_a_code(base_url: str) -> None:
    fields = " ".join(["uid"] * MAX_TOKENS)
    body = gql(base_url, f"{{ municipalities {{ {fields} }} }}")
    assert error_codes(body) == ["TOKEN_LIMIT_EXCEEDED"]


def test_introspection_stays_allowed(base_url: str) -> None:
    body = gql(base_url, "{ __schema { types { name fields { name type { name kind ofType { name } } } } } }")
    assert data(body)["__schema"]["types"]


# The estimate itself, on a small schema: list-ness from the field types, sizes from first/last.


@strawberry.type(description="x")
class Leaf:
    name: str = strawberry.field(description="x")
    items: str = strawberry.field(description="Not a list, whatever its name.")


@strawberry.type(description="x")
class Page:
    @strawberry.field(description="x")
    def nodes(self) -> list[Leaf]:
        return [Leaf(name=str(i), items="") for i in range(3)]

    total: int = strawberry.field(description="x", default=3)


@strawberry.type(description="x")
class Root:
    @strawberry.field(description="A list with a page size.")
    def leaves(self, first: int | None = None) -> list[Leaf]:
        return [Leaf(name=str(i), items="") for i in range(first or 3)]

    @strawberry.field(description="A list with a default page size.")
    def paged(self, first: int = 20) -> list[Leaf]:
        return [Leaf(name="p", items="")]

    @strawberry.field(description="A list without a page size.")
    def everything(self) -> list[Leaf]:
        return [Leaf(name="e", items="")]

    @strawberry.field(description="A connection: the size applies to the list inside.")
    def connection(self, first: int = 5) -> Page:
        return Page()

    @strawberry.field(description="Lists of lists.")
    def grid(self) -> list[list[Leaf]]:
        return [[Leaf(name="g", items="")]]

    @strawberry.field(description="One object.")
    def one(self) -> Leaf:
        return Leaf(name="one", items="")


SMALL = strawberry.Schema(query=Root, extensions=[lambda: ComplexityLimit(max_complexity=100), DomainErrors])


def cost(query: str, **variables: Any) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}  # type: ignore[attr-defined]
    return estimate_cost(SMALL._schema, operation, fragments, variables)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ one { name items } }", 1 + 2),
        ("{ leaves { name } }", 1 + DEFAULT_LIST_SIZE * 1),
        ("{ leaves(first: 3) { name items } }", 1 + 3 * 2),
        ("{ paged { name } }", 1 + 20 * 1),
        ("{ paged(first: 2) { name } }", 1 + 2 * 1),
        ("{ everything { name } }", 1 + DEFAULT_LIST_SIZE),
        ("{ connection { total nodes { name } } }", 1 + (1 + (1 + 5 * 1))),
        ("{ connection(first: 50) { nodes { name } } }", 1 + (1 + 50)),
        ("{ grid { name } }", 1 + DEFAULT_LIST_SIZE * DEFAULT_LIST_SIZE),
        ("{ a: one { name } b: one { name } }", 2 * 2),
        ("{ leaves(first: 4) { ...F } } fragment F on Leaf { name items }", 1 + 4 * 2),
        ("{ leaves(first: 4) { ... on Leaf { name } } }", 1 + 4 * 1),
        ("{ __typename one { __typename } }", 1 + 2),
    ],
)
def test_estimate(query: str, expected: int) -> None:
    assert cost(query) == expected


def test_estimate_uses_the_variables_passed_and_their_defaults() -> None:
    query = "query($n: Int = 7) { leaves(first: $n) { name } }"
    assert cost(query) == 1 + 7
    assert cost(query, n=2) == 1 + 2


def test_the_extension_refuses_by_variable_value() -> None:
    query = "query($n: Int) { leaves(first: $n) { name items } }"
    assert SMALL.execute_sync(query, variable_values={"n": 3}).errors is None
    result = SMALL.execute_sync(query, variable_values={"n": 500})
    assert result.data is None
    [error] = result.errors or []
    assert error.extensions == {"code": "COMPLEXITY_LIMIT_EXCEEDED", "cost": 1001, "limit": 100}


def test_limit_rules_are_the_same_classes_in_every_request_so_validation_is_cached() -> None:
    # A new rule class per request (what strawberry's limiters make) would be a new ValidationCache key.
    assert DepthLimit(MAX_DEPTH).validation_rules == DepthLimit(MAX_DEPTH).validation_rules
    assert AliasLimit().validation_rules == AliasLimit().validation_rules
