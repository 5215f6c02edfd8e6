"""Search over real HTTP: folded, ranked hits with the node as an entity type."""

from __future__ import annotations

from tests.api.support import data, error_codes, gql

SEARCH = """
query($text: String!, $labels: [String!], $first: Int, $after: String) {
  search(text: $text, labels: $labels, first: $first, after: $after, asOf: "2020-01-01") {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    hits { cursor score matchedField matchedText node { __typename uid label asOf ... on Condition { name } } }
  }
}
"""


def test_search_hits(base_url: str) -> None:
    result = data(gql(base_url, SEARCH, text="aarhus"))["search"]
    top = result["hits"][0]
    assert top["node"] == {"__typename": "Municipality", "uid": "aarhus", "label": "Municipality", "asOf": "2020-01-01"}
    assert top["matchedField"] == "name"
    [asf] = data(gql(base_url, SEARCH, text="asf", labels=["Condition"]))["search"]["hits"]
    assert asf["node"]["name"] == "autisme"
    assert (asf["matchedField"], asf["matchedText"]) == ("synonyms", "ASF")
    boern = data(gql(base_url, SEARCH, text="boern", labels=["Unit"]))["search"]["hits"]
    assert "Børn, Familier og Fællesskaber" in [hit["matchedText"] for hit in boern]


def test_search_pages(base_url: str) -> None:
    first = data(gql(base_url, SEARCH, text="b", first=5))["search"]
    assert first["pageInfo"]["hasNextPage"]
    second = data(gql(base_url, SEARCH, text="b", first=5, after=first["pageInfo"]["endCursor"]))["search"]
    assert second["pageInfo"]["hasPreviousPage"]
    assert not {h["node"]["uid"] for h in first["hits"]} & {h["node"]["uid"] for h in second["hits"]}


def test_search_errors(base_url: str) -> None:
    empty = gql(base_url, SEARCH, text=" ")
    assert error_codes(empty) == ["INVALID_INPUT"]
    assert empty["errors"][0]["extensions"]["field"] == "text"
    label = gql(base_url, SEARCH, text="a", labels=["Nope"])
    assert label["errors"][0]["extensions"]["field"] == "labels"
