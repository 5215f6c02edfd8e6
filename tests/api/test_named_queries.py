"""The named query library over GraphQL: `queries` lists cypher/, `namedQuery` runs one for any reader."""

from __future__ import annotations

import pytest

from app.domain.queries import QueryDoc, list_queries
from tests.api.support import data, gql

RUN = """
query($name: String!, $params: JSON, $rowCap: Int) {
  namedQuery(name: $name, params: $params, rowCap: $rowCap) { columns rows rowCount truncated }
}
"""


def test_queries_lists_the_library_with_parameters_and_examples(base_url: str) -> None:
    query = "{ queries { name purpose parameters { name meaning example } returns exampleParams } }"
    listed = data(gql(base_url, query))
    by_name = {q["name"]: q for q in listed["queries"]}
    assert set(by_name) == {doc.name for doc in list_queries()}
    tree = by_name["org_tree_at_date"]
    assert tree["purpose"]
    assert {p["name"] for p in tree["parameters"]} == set(tree["exampleParams"])
    assert all(p["meaning"] and p["example"] for p in tree["parameters"])


@pytest.mark.parametrize("doc", list_queries(), ids=lambda doc: doc.name)
def test_every_named_query_runs_with_its_example_for_an_anonymous_reader(base_url: str, doc: QueryDoc) -> None:
    result = data(gql(base_url, RUN, name=doc.name, params=doc.example_params()))["namedQuery"]
    assert result["columns"] == doc.returns, doc.name
    assert result["rowCount"] == len(result["rows"]) > 0, f"{doc.name}: its example finds something"


def test_missing_parameters_are_named(base_url: str) -> None:
    [error] = gql(base_url, RUN, name="org_tree_at_date", params={})["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "params"
    assert "municipality" in error["message"]


def test_an_unknown_query_suggests_the_close_names(base_url: str) -> None:
    [error] = gql(base_url, RUN, name="org_tree_at_dat")["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "org_tree_at_date" in error["extensions"]["suggestions"]


def test_the_row_cap_applies(base_url: str) -> None:
    doc = next(d for d in list_queries() if d.name == "org_tree_at_date")
    result = data(gql(base_url, RUN, name=doc.name, params=doc.example_params(), rowCap=2))["namedQuery"]
    assert (result["rowCount"], result["truncated"]) == (2, True)
