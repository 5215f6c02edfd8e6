"""Root list fields over real HTTP: filters, cursor pages, nested hops on the list's date, and errors."""

from __future__ import annotations

from typing import Any

from tests.api.support import data, error_codes, gql

UNITS = """
query($filter: UnitFilter, $first: Int, $after: String, $asOf: Date, $order: [UnitOrder!]) {
  units(filter: $filter, first: $first, after: $after, asOf: $asOf, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { uid name kind asOf parent { uid } } }
    nodes { uid }
  }
}
"""


def units(base_url: str, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = data(gql(base_url, UNITS, **variables))["units"]
    return result


def test_filtered_list_walks_in_pages(base_url: str) -> None:
    flt = {"municipality": "Aarhus", "kind": ["center", "borgercenter"]}
    seen: list[str] = []
    after = None
    total = None
    while True:
        page = units(base_url, filter=flt, first=4, after=after, asOf="2020-01-01")
        total = page["totalCount"]
        seen += [edge["node"]["uid"] for edge in page["edges"]]
        assert [node["uid"] for node in page["nodes"]] == [edge["node"]["uid"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert all(edge["node"]["kind"] in ("center", "borgercenter") for edge in page["edges"])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert total is not None
    assert total > 4
    assert len(seen) == len(set(seen)) == total
    assert all(uid.startswith("aarhus-") for uid in seen)


def test_nested_hops_keep_the_list_date(base_url: str) -> None:
    flt = {"partOf": "aarhus-msb-unge-job-og-uddannelse", "anyDate": True}
    before = units(base_url, filter=flt, asOf="2019-05-01")
    [node] = [n["node"] for n in before["edges"] if n["node"]["uid"] == "aarhus-msb-ungdomscenteret"]
    assert node["asOf"] == "2019-05-01"
    assert node["parent"]["uid"] == "aarhus-msb-familier-boern-og-unge", "its parent on the list's date"
    after = units(base_url, filter={"partOf": "Unge, Job og Uddannelse"}, asOf="2020-01-01")
    assert [e["node"]["parent"]["uid"] for e in after["edges"]] == ["aarhus-msb-unge-job-og-uddannelse"]


def test_units_with_a_tilbud_under_a_paragraph(base_url: str) -> None:
    page = units(base_url, filter={"tilbud": {"paragraph": "SEL §104"}}, asOf="2020-01-01")
    assert [e["node"]["name"] for e in page["edges"]] == ["Unge, Job og Uddannelse"]


def test_order_descending(base_url: str) -> None:
    flt = {"municipality": "Silkeborg"}
    up = [e["node"]["uid"] for e in units(base_url, filter=flt, first=50)["edges"]]
    down = [
        e["node"]["uid"]
        for e in units(base_url, filter=flt, first=50, order=[{"field": "NAME", "direction": "DESC"}])["edges"]
    ]
    assert down == list(reversed(up))
    assert len(up) > 3


TILBUD = """
query($filter: TilbudFilter) {
  tilbud(filter: $filter, asOf: "2020-01-01") { totalCount nodes { uid name asOf } }
}
"""


def test_other_lists(base_url: str) -> None:
    tilbud = data(gql(base_url, TILBUD, filter={"condition": "ASF", "coversAge": 20, "nameContains": "soras"}))
    assert {n["uid"] for n in tilbud["tilbud"]["nodes"]} == {
        "aarhus-soras-samvaerstilbud",
        "aarhus-soras-kollegiet",
        "aarhus-soras-bostoette",
    }
    body = gql(
        base_url,
        """{
          paragraphs(filter: {law: "SEL", number: "52"}, asOf: "2020-01-01") { totalCount nodes { uid } }
          targetGroups(filter: {coversAge: 17, condition: "autisme", municipality: "aarhus"}) { totalCount }
          conditions(filter: {nameContains: "ASF"}) { nodes { uid } }
          reorganisations(filter: {municipality: "Aarhus"}) { nodes { uid } }
          focusAreas(filter: {municipality: "København", anyDate: true}) { totalCount }
          responsibilityRules(filter: {holder: "aarhus-msb-unge-job-og-uddannelse", kind: "myndighed"},
                              asOf: "2020-01-01") { totalCount }
          administrations(filter: {municipality: "Aarhus"}, asOf: "2020-01-01") { nodes { uid } }
        }""",
    )
    result = data(body)
    assert result["paragraphs"]["nodes"] == [{"uid": "sel-52"}]
    assert result["targetGroups"]["totalCount"] == 4
    assert result["conditions"]["nodes"] == [{"uid": "autisme"}]
    assert result["reorganisations"]["nodes"] == [{"uid": "aarhus-msb-2019"}]
    assert result["focusAreas"]["totalCount"] >= 4
    assert result["responsibilityRules"]["totalCount"] == 3
    assert {"aarhus-msb", "aarhus-mbu"} <= {n["uid"] for n in result["administrations"]["nodes"]}


def test_errors_carry_codes_and_fields(base_url: str) -> None:
    too_many = gql(base_url, UNITS, first=101)
    assert error_codes(too_many) == ["INVALID_INPUT"]
    assert too_many["errors"][0]["extensions"]["field"] == "first"
    bad_cursor = gql(base_url, UNITS, first=2, after="not-a-cursor")
    assert error_codes(bad_cursor) == ["INVALID_INPUT"]
    assert bad_cursor["errors"][0]["extensions"]["field"] == "after"
    unknown = gql(base_url, UNITS, filter={"municipality": "Aarhuus"})
    assert unknown["errors"][0]["extensions"]["field"] == "filter.municipality"
    assert "Aarhus" in unknown["errors"][0]["extensions"]["suggestions"]
    bad_enum = gql(base_url, "{ units(orderBy: [{field: SIZE}]) { totalCount } }")
    assert error_codes(bad_enum) == ["GRAPHQL_VALIDATION_FAILED"]
    both = gql(base_url, "{ units(first: 2, last: 2) { totalCount } }")
    assert both["errors"][0]["extensions"]["field"] == "last"
