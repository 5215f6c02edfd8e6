"""The named Cypher queries in cypher/: documented headers, a generated index, and each query
run read-only with its example parameters on every backend, checked against the real seed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.queries import (
    QueryDoc,
    QueryHeaderError,
    example_value,
    list_queries,
    load_query,
    parse_header,
    query_doc,
    render_readme,
    used_params,
)
from app.store.base import GraphStore, QueryResult

QUERY_NAMES = [doc.name for doc in list_queries()]
Rows = list[dict[str, Any]]


# -- headers and the index


def test_the_library_has_the_queries_the_views_need() -> None:
    assert {
        "org_tree_at_date",
        "unit_timeline",
        "reorganisation_moves",
        "reorganisation_overview",
        "reorganisation_paragraphs",
        "tilbud_by_paragraph_and_target_group",
        "focus_areas_with_goals",
        "units_without_leader_at_date",
        "responsibilities_changed_in_reorganisation",
        "named_entities",
    } <= set(QUERY_NAMES)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_documents_its_parameters_and_columns(name: str) -> None:
    doc = query_doc(name)
    text = load_query(name)
    assert text.startswith(f"// name: {name}\n// purpose: "), "the header comes first, in the fixed order"
    assert doc.purpose
    assert doc.returns
    assert set(doc.params) == used_params(text), "every $parameter is documented, and only those"
    assert all(meaning and example for meaning, example in doc.params.values())
    assert len(doc.returns) == len(set(doc.returns))
    header = text.splitlines()
    purpose_at = next(i for i, line in enumerate(header) if line.startswith("// purpose:"))
    continued = 0
    for line in header[purpose_at + 1 :]:
        if line.startswith(("// param ", "// returns:")) or not line.startswith("//"):
            break
        continued += 1
    assert continued <= 1, "the purpose takes one or two lines"


def test_the_committed_index_is_the_rendering_of_the_headers(repo_root: Path) -> None:
    committed = (repo_root / "cypher" / "README.md").read_text(encoding="utf-8")
    assert committed == render_readme(), "run: socialatlas queries --markdown > cypher/README.md"
    for name in QUERY_NAMES:
        assert f"[`{name}`]({name}.cypher)" in committed


def test_header_parser_reads_continuations_and_examples() -> None:
    doc = parse_header(
        "// name: q\n"
        "// purpose: First line\n"
        "//   and the second.\n"
        "// param municipality: uid or name — example: aarhus\n"
        "// param ages: a list — example: [15, 17]\n"
        "// param day: a date - example: 2019-08-01\n"
        "// returns: a, b,c\n"
        "MATCH (n) RETURN n\n"
        "// a comment after the header is not part of it: nothing\n"
    )
    assert doc == QueryDoc(
        "q",
        "First line and the second.",
        {
            "municipality": ("uid or name", "aarhus"),
            "ages": ("a list", "[15, 17]"),
            "day": ("a date", "2019-08-01"),
        },
        ["a", "b", "c"],
    )
    assert doc.example_params() == {"municipality": "aarhus", "ages": [15, 17], "day": "2019-08-01"}
    assert doc.cli_example() == (
        "socialatlas cypher --file cypher/q.cypher --param municipality=aarhus --param ages='[15, 17]' "
        "--param day=2019-08-01"
    )
    assert example_value("16") == 16
    assert example_value("SEL §104") == "SEL §104"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("// purpose: p\n// returns: a\n", "lacks name"),
        ("// name: q\n// purpose: p\n// param x: no example\n// returns: a\n", "no '— example"),
        ("// name: q\n// purpose: p\n// returns: a\n// returns: b\n", "twice"),
        ("// stray line\n// name: q\n", "no key"),
    ],
)
def test_header_parser_refuses_malformed_headers(text: str, problem: str) -> None:
    with pytest.raises(QueryHeaderError, match=problem):
        parse_header(text)


# -- every query runs read-only with its examples; mine are checked against the seed

AARHUS_SIX = {
    "Børn, Familier og Fællesskaber",
    "Unge, Job og Uddannelse",
    "Voksne, Job og Handicap",
    "Job, Udsatte og Socialpsykiatri",
    "Job og Virksomhedsservice",
    "Job, Sundhed og Ydelse",
}
KBH_SIX = {
    "Din sociale indgang",
    "Center for børn og unge",
    "Center for aktivitet, beskæftigelse og støtte i eget bolig",
    "Center for midlertidige boformer",
    "Center for længerevarende boformer",
    "Center for rusmiddelbehandling",
}


def _check_org_tree(rows: Rows) -> None:
    root = [r for r in rows if r["depth"] == 0]
    assert [r["uid"] for r in root] == ["aarhus-msb"]
    top = [r for r in rows if r["depth"] == 1]
    assert {r["name"] for r in top if r["kind"] == "driftsområde"} == AARHUS_SIX
    assert {r["parent_uid"] for r in top} == {"aarhus-msb"}
    assert "Socialforvaltningen" not in {r["name"] for r in rows}
    leaders = {r["uid"]: [leader["title"] for leader in r["leaders"]] for r in rows}
    assert leaders["aarhus-msb-unge-job-og-uddannelse"] == ["Driftschef, Unge, Job og Uddannelse"]


def _check_unit_timeline(rows: Rows) -> None:
    facts = {(r["fact"], r["uid"]) for r in rows}
    assert ("enhed", "aarhus-msb-ungdomscenteret") in facts
    assert ("overordnet", "aarhus-msb-familier-boern-og-unge") in facts
    assert ("overordnet", "aarhus-msb-unge-job-og-uddannelse") in facts
    assert ("tilbud", "aarhus-turbo") in facts
    moved = [r for r in rows if r["fact"] == "flytning" and r["uid"] == "aarhus-msb-2019-ungdomscenteret-til-uju"]
    assert [(r["detail"], r["valid_from"], r["reorganisation_uid"]) for r in moved] == [
        ("flyttes", date(2019, 8, 1), "aarhus-msb-2019")
    ]
    dated = [r["valid_from"] for r in rows if r["valid_from"] is not None]
    assert dated == sorted(dated)
    undated_first = [r["valid_from"] is not None for r in rows]
    assert undated_first == sorted(undated_first), "undated facts first"


def _check_reorganisation_moves(rows: Rows) -> None:
    assert rows[0]["uid"] == "aarhus-msb-2019-enhedsforvaltning"
    by_uid = {r["uid"]: r for r in rows}
    soras = by_uid["aarhus-msb-2019-soras-til-uju"]
    assert {m["uid"] for m in soras["moves"]} == {
        "aarhus-soras-samvaerstilbud",
        "aarhus-soras-kollegiet",
        "aarhus-soras-bostoette",
    }
    assert [m["uid"] for m in soras["moved_from"]] == ["aarhus-msb-borgercenter-midt"]
    assert [m["uid"] for m in soras["moved_to"]] == ["aarhus-msb-unge-job-og-uddannelse"]
    assert soras["paragraphs"] == ["SEL §104"]
    assert soras["conditions"] == ["autisme"]
    assert soras["source_documents"][0] == "003_5b2cd4c41ea65390.txt"
    ungdom = by_uid["aarhus-msb-2019-ungdomscenteret-til-uju"]
    assert "Katrinebjergvej" in ungdom["exception"]


def _check_reorganisation_overview(rows: Rows) -> None:
    (row,) = rows
    assert (row["status"], row["proposed_on"], row["effective_on"], row["day_before"]) == (
        "forslag",
        date(2019, 3, 11),
        date(2019, 8, 1),
        date(2019, 7, 31),
    )
    assert row["municipality_uid"] == "aarhus"
    assert [a["short_name"] for a in row["administrations"]] == ["MSB"]
    assert row["moves"] >= 40


def _check_reorganisation_paragraphs(rows: Rows) -> None:
    mentioned = {r["name"]: set(r["mentioned_by"]) for r in rows}
    assert mentioned["SEL §52"] == {"flytning", "regel"}
    assert mentioned["SEL §104"] == {"flytning"}
    assert {"SEL §41", "SEL §42", "SEL §52a", "SUL §141", "SUL §142"} <= set(mentioned)


def _check_tilbud(rows: Rows) -> None:
    assert [(r["name"], r["unit_uid"], r["conditions"]) for r in rows] == [
        ("SORAS samværstilbud", "aarhus-msb-unge-job-og-uddannelse", ["autisme"])
    ]


def _check_focus_areas(rows: Rows) -> None:
    # 004: the four indsatsområder 2023-2025
    assert [r["name"] for r in rows] == [
        "Afskaffelse af hjemløshed i København",
        "Udsatte unge med komplekse psykiske udfordringer",
        "Sammenhængende social- og beskæftigelsesindsats",
        "Fastholdelse og rekruttering af medarbejdere",
    ]
    goals = {r["uid"]: r["goals"] for r in rows}
    assert goals["kbh-fa-hjemloeshed"] == ["At antallet af hjemløse hjemmehørende i Københavns Kommune falder markant."]
    assert len(goals["kbh-fa-udsatte-unge"]) == 3
    assert all(r["preconditions"] for r in rows)


def _check_units_without_leader(rows: Rows) -> None:
    uids = {r["uid"] for r in rows}
    names = {r["name"] for r in rows}
    assert not KBH_SIX & names, "every new centre has its centerchef"
    assert "kbh-sof-tvaergaaende-administrativt-center-hr" in uids
    assert not any(r["name"].startswith("Borgercenter") for r in rows), "the borgercentre are gone in 2025"


def _check_responsibilities_changed(rows: Rows) -> None:
    myndighed = [r for r in rows if r["kind"] == "myndighed"]
    assert [(r["before_uid"], r["after_uid"], r["after_holders"]) for r in myndighed] == [
        ("kbh-myndighed-borgercentre-foer-2025", "kbh-myndighed-din-sociale-indgang", ["Din sociale indgang"])
    ]
    assert len(myndighed[0]["before_holders"]) == 3
    udfoerer = {r["after_uid"] for r in rows if r["kind"] == "udfører"}
    assert "kbh-udfoerer-rusmiddelbehandling" in udfoerer


def _check_named_entities(rows: Rows) -> None:
    municipality = {r["uid"]: r["municipality_uid"] for r in rows}
    assert municipality["aarhus-msb"] == "aarhus"
    assert municipality["aarhus-msb-socialforvaltningen"] == "aarhus"
    assert municipality["kbh-sof"] == "kobenhavn"
    assert {r["label"] for r in rows} == {"Administration"}


EXPECTED: dict[str, Callable[[Rows], None]] = {
    "org_tree_at_date": _check_org_tree,
    "unit_timeline": _check_unit_timeline,
    "reorganisation_moves": _check_reorganisation_moves,
    "reorganisation_overview": _check_reorganisation_overview,
    "reorganisation_paragraphs": _check_reorganisation_paragraphs,
    "tilbud_by_paragraph_and_target_group": _check_tilbud,
    "focus_areas_with_goals": _check_focus_areas,
    "units_without_leader_at_date": _check_units_without_leader,
    "responsibilities_changed_in_reorganisation": _check_responsibilities_changed,
    "named_entities": _check_named_entities,
}


def _run(store: GraphStore, name: str, **overrides: Any) -> QueryResult:
    doc = query_doc(name)
    return store.analyst_query(load_query(name), {**doc.example_params(), **overrides})


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_runs_read_only_with_its_example_and_returns_its_columns(
    seeded_store: GraphStore, name: str
) -> None:
    result = _run(seeded_store, name)
    assert result.columns == query_doc(name).returns
    assert result.rows, "the example parameters find something in the seed"
    assert not result.truncated
    check = EXPECTED.get(name)
    if check is not None:
        check(result.rows)


def test_org_tree_the_day_before_and_for_a_whole_municipality(seeded_store: GraphStore) -> None:
    before = _run(seeded_store, "org_tree_at_date", on="2019-07-31").rows
    forvaltninger = {r["name"] for r in before if r["depth"] == 1 and r["label"] == "Administration"}
    assert forvaltninger == {"Socialforvaltningen", "Beskæftigelsesforvaltningen"}
    kbh = _run(seeded_store, "org_tree_at_date", municipality="København", administration="", on="2025-01-01").rows
    assert [r["uid"] for r in kbh if r["depth"] == 0] == ["kobenhavn"]
    assert {r["name"] for r in kbh if r["parent_uid"] == "kbh-sof"} >= KBH_SIX


def test_tilbud_query_follows_the_date_and_the_condition_taxonomy(seeded_store: GraphStore) -> None:
    before = _run(seeded_store, "tilbud_by_paragraph_and_target_group", on="2019-07-31").rows
    assert [r["unit_uid"] for r in before] == ["aarhus-msb-borgercenter-midt"]
    assert len(_run(seeded_store, "tilbud_by_paragraph_and_target_group", condition="autisme").rows) == 1
    assert _run(seeded_store, "tilbud_by_paragraph_and_target_group", condition="sindslidelse").rows == []
    assert len(_run(seeded_store, "tilbud_by_paragraph_and_target_group", paragraph="", condition="").rows) >= 1


def test_focus_areas_end_with_their_period(seeded_store: GraphStore) -> None:
    assert _run(seeded_store, "focus_areas_with_goals", on="2026-01-01").rows == []


def test_a_reorganisation_without_date_changes_no_responsibilities(seeded_store: GraphStore) -> None:
    result = _run(seeded_store, "responsibilities_changed_in_reorganisation", reorganisation="silkeborg-socialafdeling")
    assert result.rows == []


def test_aarhus_responsibility_changes_include_the_documented_moves(seeded_store: GraphStore) -> None:
    rows = _run(seeded_store, "responsibilities_changed_in_reorganisation", reorganisation="aarhus-msb-2019").rows
    pairs = {(r["before_uid"], r["after_uid"]) for r in rows}
    # 1.2.6: SUL §141/§142 from Rusmiddelcenter Aarhus to Job, Sundhed og Ydelse
    assert (
        "aarhus-ansvar-rusmiddelcenter-myndighed-sul141-142-foer",
        "aarhus-ansvar-jsy-myndighed-sul141-142",
    ) in pairs
    # 1.2.2: §52/§52a for young people with a handicap from Handicapcenter for Børn to Unge, Job og Uddannelse
    assert ("aarhus-ansvar-hcb-myndighed-sel52-52a-15-17-foer", "aarhus-ansvar-uju-myndighed-sel52-52a-15-17") in pairs
    # 1.2.3: bo- og dagtilbud for adults from Voksenhandicap to Voksne, Job og Handicap
    assert (
        "aarhus-ansvar-voksenhandicap-udfoerer-bo-og-dagtilbud-foer",
        "aarhus-ansvar-vjh-udfoerer-bo-og-dagtilbud",
    ) in pairs
    assert all(set(r["before_holders"]) != set(r["after_holders"]) for r in rows)
