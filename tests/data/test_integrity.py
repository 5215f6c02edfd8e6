"""The curated graph holds together: ends exist, hierarchies are trees at every date, periods nest,
and the organisation at each documented date is the one the documents describe.

The loader already refuses unknown uids, targets outside the schema's labels and dated
items outside their ends' periods. These tests check what it cannot: the graph as
loaded (on every backend, through `seeded_store`), undated items between dated nodes,
the hierarchy walked date by date, and relationships that carry no period themselves
(HELD_BY, MOVED_FROM/MOVED_TO) against the periods of what they join. The checks that
need no database run on the seed files (`load_seed`).

Queries are in the portable Cypher subset; dates go in as ISO text and are compared
as `date($on)`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

import pytest

from app.resources import project_dir
from app.schema import load_schema
from app.seed import SeedSet, load_seed
from app.store.base import GraphStore

VALID_ON = (
    "({x}.valid_from IS NULL OR {x}.valid_from <= date($on)) AND ({x}.valid_to IS NULL OR {x}.valid_to >= date($on))"
)
MARGIN = dt.timedelta(days=365)
"""Before the first and after the last boundary: close, because FalkorDB (4.16) compares dates more than
about 68 years apart wrongly (date('1900-01-01') < date('2008-09-01') is false), so far sentinels lie."""
Period = tuple[dt.date, dt.date]


def valid_on(variable: str) -> str:
    return VALID_ON.format(x=variable)


def period(row: dict[str, Any], prefix: str = "") -> Period:
    """(first, last) day, open ends as far past / far future."""
    return (row.get(f"{prefix}valid_from") or dt.date.min, row.get(f"{prefix}valid_to") or dt.date.max)


def overlaps(a: Period, b: Period) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def within(inner: Period, outer: Period) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def show(p: Period) -> str:
    first = "" if p[0] == dt.date.min else p[0].isoformat()
    last = "" if p[1] == dt.date.max else p[1].isoformat()
    return f"[{first}..{last}]"


@cache
def seed() -> SeedSet:
    return load_seed(project_dir("seed"), load_schema())


# --- references -----------------------------------------------------------------------------


def test_every_relationship_joins_two_seeded_nodes(seeded_store: GraphStore) -> None:
    """A MERGE on a missing uid would leave a bare node behind; every end must be a node from a seed file."""
    dangling = seeded_store.read(
        "MATCH (a)-[r]->(b) WHERE a.uid IS NULL OR b.uid IS NULL OR a.seed_file IS NULL OR b.seed_file IS NULL "
        "RETURN type(r) AS type, a.uid AS from_end, b.uid AS to_end"
    )
    assert dangling == []
    rows = seeded_store.read("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n")
    in_graph = {row["type"]: row["n"] for row in rows}
    in_files: dict[str, int] = defaultdict(int)
    for rel in seed().relationships:
        in_files[rel.type] += 1
    assert in_graph == dict(in_files)


def test_relationship_ends_have_the_labels_the_schema_and_the_model_allow(seeded_store: GraphStore) -> None:
    """The schema's from/to labels, and stricter rules of the model: an administration is never inside a
    unit, a municipality is never a child, a rule is held by an organisational unit."""
    schema = load_schema()
    stricter = {
        ("PART_OF", "Administration"): {"Municipality", "Administration"},
        ("HELD_BY", "ResponsibilityRule"): {"Unit", "Administration"},
        ("BELONGS_TO", "Tilbud"): {"Unit", "Administration"},
    }
    rows = seeded_store.read(
        "MATCH (a)-[r]->(b) RETURN DISTINCT type(r) AS type, labels(a)[0] AS from_end, labels(b)[0] AS to_end"
    )
    wrong = []
    for row in rows:
        spec = schema.relationships[row["type"]]
        allowed_ends = stricter.get((row["type"], row["from_end"]), set(spec.to_labels))
        if row["from_end"] not in spec.from_labels or row["to_end"] not in allowed_ends:
            wrong.append(f"{row['type']}: {row['from_end']} → {row['to_end']}")
    assert not wrong, "\n".join(wrong)


def test_rules_moves_and_focus_areas_belong_to_exactly_one_context(seeded_store: GraphStore) -> None:
    """A rule, reorganisation or focus area has one municipality; a rule at least one holder; a move one
    reorganisation."""
    rows = seeded_store.read(
        "MATCH (n) WHERE n:ResponsibilityRule OR n:Reorganisation OR n:FocusArea OR n:Move "
        "RETURN n.uid AS uid, labels(n)[0] AS label, "
        "size([(n)-[:IN_MUNICIPALITY]->(m) | m]) AS municipalities, "
        "size([(n)-[:HELD_BY]->(h) | h]) AS holders, "
        "size([(n)-[:IN_REORGANISATION]->(o) | o]) AS reorganisations"
    )
    wrong = []
    for row in rows:
        if row["label"] == "Move":
            if row["reorganisations"] != 1:
                wrong.append(f"move {row['uid']}: {row['reorganisations']} reorganisations")
        elif row["municipalities"] != 1:
            wrong.append(f"{row['label']} {row['uid']}: {row['municipalities']} municipalities")
        if row["label"] == "ResponsibilityRule" and row["holders"] == 0:
            wrong.append(f"rule {row['uid']}: no HELD_BY")
    assert not wrong, "\n".join(wrong)


def test_rule_holders_exist_throughout_the_rule_and_in_its_municipality(seeded_store: GraphStore) -> None:
    """HELD_BY has no period of its own, so the loader cannot check that the holder exists while the rule holds."""
    rows = seeded_store.read(
        "MATCH (m:Municipality)<-[:IN_MUNICIPALITY]-(rule:ResponsibilityRule)-[:HELD_BY]->(holder) "
        "RETURN rule.uid AS rule, rule.valid_from AS valid_from, rule.valid_to AS valid_to, m.uid AS municipality, "
        "holder.uid AS holder, holder.valid_from AS holder_valid_from, holder.valid_to AS holder_valid_to"
    )
    assert rows
    municipality = municipalities_of_units(seeded_store)
    wrong = []
    for row in rows:
        rule, held = period(row), period(row, "holder_")
        if not within(rule, held):
            wrong.append(f"{row['rule']} {show(rule)} is held by {row['holder']} {show(held)}")
        if municipality.get(row["holder"], {row["municipality"]}) != {row["municipality"]}:
            wrong.append(
                f"{row['rule']} ({row['municipality']}) is held by {row['holder']} in {municipality[row['holder']]}"
            )
    assert not wrong, "\n".join(wrong)


def test_moves_point_at_units_that_exist_on_either_side_of_the_reorganisation(seeded_store: GraphStore) -> None:
    """What a move takes something from exists the day before the reorganisation; where it goes, on the day."""
    rows = seeded_store.read(
        "MATCH (move:Move)-[:IN_REORGANISATION]->(reorg:Reorganisation) WHERE reorg.effective_on IS NOT NULL "
        "MATCH (move)-[r:MOVED_FROM|MOVED_TO]->(unit) "
        "RETURN move.uid AS move, type(r) AS type, reorg.effective_on AS effective_on, unit.uid AS unit, "
        "unit.valid_from AS valid_from, unit.valid_to AS valid_to"
    )
    assert rows
    wrong = []
    for row in rows:
        day = row["effective_on"] - dt.timedelta(days=1) if row["type"] == "MOVED_FROM" else row["effective_on"]
        if not within((day, day), period(row)):
            wrong.append(f"{row['move']}: {row['type']} {row['unit']} {show(period(row))} does not exist on {day}")
    assert not wrong, "\n".join(wrong)


def test_exceptions_are_to_rules_of_the_same_kind_place_and_time(seeded_store: GraphStore) -> None:
    rows = seeded_store.read(
        "MATCH (m1:Municipality)<-[:IN_MUNICIPALITY]-(a:ResponsibilityRule)-[:EXCEPTION_TO]->"
        "(b:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m2:Municipality) "
        "RETURN a.uid AS a, b.uid AS b, a.kind AS kind_a, b.kind AS kind_b, m1.uid AS m1, m2.uid AS m2, "
        "a.valid_from AS valid_from, a.valid_to AS valid_to, b.valid_from AS b_valid_from, b.valid_to AS b_valid_to"
    )
    wrong = [
        f"{row['a']} is an exception to {row['b']}"
        for row in rows
        if row["kind_a"] != row["kind_b"] or row["m1"] != row["m2"] or not overlaps(period(row), period(row, "b_"))
    ]
    assert not wrong, "\n".join(wrong)


# --- periods ------------------------------------------------------------------------------------


def test_every_relationship_period_lies_within_both_ends(seeded_store: GraphStore) -> None:
    """Also for items without dates of their own, between dated nodes, which the loader does not check."""
    temporal = [t for t, spec in load_schema().relationships.items() if spec.temporal]
    rows = seeded_store.read(
        "MATCH (a)-[r]->(b) WHERE type(r) IN $types "
        "RETURN type(r) AS type, a.uid AS from_end, b.uid AS to_end, "
        "r.valid_from AS valid_from, r.valid_to AS valid_to, "
        "a.valid_from AS a_valid_from, a.valid_to AS a_valid_to, "
        "b.valid_from AS b_valid_from, b.valid_to AS b_valid_to",
        {"types": temporal},
    )
    assert rows
    wrong = [
        f"{row['type']} {row['from_end']} → {row['to_end']} {show(period(row))}: "
        f"start {show(period(row, 'a_'))}, end {show(period(row, 'b_'))}"
        for row in rows
        if not (within(period(row), period(row, "a_")) and within(period(row), period(row, "b_")))
    ]
    assert not wrong, "\n".join(wrong)


def part_of_edges(store: GraphStore) -> list[dict[str, Any]]:
    return store.read(
        "MATCH (child)-[r:PART_OF]->(parent) "
        "RETURN child.uid AS child, parent.uid AS parent, r.valid_from AS valid_from, r.valid_to AS valid_to"
    )


def test_hierarchy_edges_do_not_overlap_and_no_unit_has_two_parents_at_once(seeded_store: GraphStore) -> None:
    by_child: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in part_of_edges(seeded_store):
        by_child[edge["child"]].append(edge)
    wrong = []
    for child, edges in by_child.items():
        for n, a in enumerate(edges):
            for b in edges[n + 1 :]:
                if overlaps(period(a), period(b)):
                    what = "overlapping periods of one edge" if a["parent"] == b["parent"] else "two parents"
                    wrong.append(f"{child}: {what}: {a['parent']} {show(period(a))}, {b['parent']} {show(period(b))}")
    assert not wrong, "\n".join(wrong)


def check_dates(store: GraphStore) -> list[dt.date]:
    """Every date where a unit, an administration or a hierarchy edge starts or ends, the day on either
    side of it, and one date before and after everything: between two of these nothing changes."""
    rows = store.read(
        "MATCH (n) WHERE n:Unit OR n:Administration RETURN n.valid_from AS valid_from, n.valid_to AS valid_to "
        "UNION ALL MATCH ()-[r:PART_OF]->() RETURN r.valid_from AS valid_from, r.valid_to AS valid_to"
    )
    boundaries = {day for row in rows for day in (row["valid_from"], row["valid_to"]) if day is not None}
    assert boundaries, "the seed dates nothing"
    one_day = dt.timedelta(days=1)
    dates = {min(boundaries) - MARGIN, max(boundaries) + MARGIN}
    for day in boundaries:
        dates.update((day - one_day, day, day + one_day))
    return sorted(dates)


REACHES_MUNICIPALITY = f"""
MATCH (n) WHERE (n:Unit OR n:Administration) AND {valid_on("n")}
OPTIONAL MATCH p = (n)-[:PART_OF*1..12]->(m:Municipality)
WHERE ALL(r IN relationships(p) WHERE {valid_on("r")}) AND ALL(x IN nodes(p) WHERE {valid_on("x")})
RETURN n.uid AS uid, collect(m.uid) AS municipalities
"""


def municipalities_of_units(store: GraphStore) -> dict[str, frozenset[str]]:
    """Unit/administration uid → the municipalities it reaches over all check dates (one, when all is well)."""
    found: dict[str, set[str]] = defaultdict(set)
    for day in check_dates(store):
        for row in store.read(REACHES_MUNICIPALITY, {"on": day.isoformat()}):
            found[row["uid"]].update(row["municipalities"])
    return {uid: frozenset(ms) for uid, ms in found.items()}


def test_every_unit_reaches_its_municipality_on_every_date_of_its_validity(seeded_store: GraphStore) -> None:
    """Walked date by date: on each check date every valid unit has exactly one valid path up to a municipality."""
    wrong: dict[str, list[str]] = defaultdict(list)
    for day in check_dates(seeded_store):
        for row in seeded_store.read(REACHES_MUNICIPALITY, {"on": day.isoformat()}):
            if len(row["municipalities"]) != 1:
                wrong[row["uid"]].append(f"{day}: {len(row['municipalities'])} paths")
    assert not wrong, "\n".join(f"{uid}: {', '.join(days[:3])}{' …' * (len(days) > 3)}" for uid, days in wrong.items())
    moved = {uid: sorted(ms) for uid, ms in municipalities_of_units(seeded_store).items() if len(ms) != 1}
    assert not moved, f"units that change municipality: {moved}"


# --- the organisation at documented dates -------------------------------------------------------

CHILDREN = f"""
MATCH (child)-[r:PART_OF]->(parent {{uid: $parent}})
WHERE {valid_on("r")} AND {valid_on("child")}
RETURN child.name AS name, child.kind AS kind, labels(child)[0] AS label
"""
STAB_KINDS = {"stab", "fællesstab", "sekretariat"}


def children(store: GraphStore, parent: str, on: str, kinds: Iterable[str] | None = None) -> set[str]:
    wanted = set(kinds) if kinds is not None else None
    rows = store.read(CHILDREN, {"parent": parent, "on": on})
    return {row["name"] for row in rows if wanted is None or row["kind"] in wanted}


COPENHAGEN_2025_CENTRES = {
    "Din sociale indgang",
    "Center for børn og unge",
    "Center for aktivitet, beskæftigelse og støtte i eget bolig",
    "Center for midlertidige boformer",
    "Center for længerevarende boformer",
    "Center for rusmiddelbehandling",
}


def test_copenhagen_sof_has_exactly_the_six_new_centres_on_2025_01_01(seeded_store: GraphStore) -> None:
    assert children(seeded_store, "kbh-sof", "2025-01-01", {"center"}) == COPENHAGEN_2025_CENTRES
    assert children(seeded_store, "kbh-sof", "2025-01-01", {"borgercenter"}) == set()
    day_before = children(seeded_store, "kbh-sof", "2024-12-31")
    assert not day_before & COPENHAGEN_2025_CENTRES
    assert len(children(seeded_store, "kbh-sof", "2024-12-31", {"borgercenter"})) == 3


def test_copenhagen_central_administration_on_2008_09_01(seeded_store: GraphStore) -> None:
    on = "2008-09-01"
    assert children(seeded_store, "kbh-sof", on, {"center"}) == {
        "Center for mål og rammer",
        "Center for drift og udvikling",
        "Center for tværgående funktioner",
    }
    assert len(children(seeded_store, "kbh-sof-center-for-maal-og-rammer", on, {"kontor"})) == 3
    assert len(children(seeded_store, "kbh-sof-center-for-drift-og-udvikling", on, {"kontor"})) == 3
    assert children(seeded_store, "kbh-sof-center-for-tvaergaaende-funktioner", on, {"kontor"}) == {
        "Personale- og Organisationskontoret",
        "Økonomi og Regnskab",
        "IT og Ledelsesinformation",
    }


AARHUS_2019_DRIFTSOMRAADER = {
    "Børn, Familier og Fællesskaber",
    "Unge, Job og Uddannelse",
    "Voksne, Job og Handicap",
    "Job, Udsatte og Socialpsykiatri",
    "Job og Virksomhedsservice",
    "Job, Sundhed og Ydelse",
}


def test_aarhus_msb_has_six_driftsomraader_and_four_stabe_on_2019_08_01(seeded_store: GraphStore) -> None:
    on = "2019-08-01"
    assert children(seeded_store, "aarhus-msb", on, {"driftsområde"}) == AARHUS_2019_DRIFTSOMRAADER
    assert children(seeded_store, "aarhus-msb", on, STAB_KINDS) == {
        "Mål, Økonomi og BBB",
        "It og Velfærdsteknologi",
        "Fagligt Sekretariat",
        "Organisation og Ledelse",
    }
    rows = seeded_store.read(CHILDREN, {"parent": "aarhus-msb", "on": on})
    assert not [row["name"] for row in rows if row["label"] == "Administration"], "the two forvaltninger are gone"


def test_aarhus_still_has_the_two_old_forvaltninger_on_2019_07_31(seeded_store: GraphStore) -> None:
    on = "2019-07-31"
    assert children(seeded_store, "aarhus-msb-socialforvaltningen", on, {"driftsområde"}) == {
        "Familier, Børn og Unge",
        "Voksenhandicap",
        "Socialpsykiatri og Udsatte Voksne",
    }
    assert children(seeded_store, "aarhus-msb-beskaeftigelsesforvaltningen", on, {"driftsområde"}) == {
        "Job og Virksomhedsservice",
        "Job og Uddannelse",
        "Job, Sundhed og Ydelse",
        "Job og Udvikling",
    }
    for forvaltning in ("aarhus-msb-socialforvaltningen", "aarhus-msb-beskaeftigelsesforvaltningen"):
        assert len(children(seeded_store, forvaltning, on, STAB_KINDS)) == 1, forvaltning
    assert children(seeded_store, "aarhus-msb", on, STAB_KINDS) == {
        "Økonomi",
        "IT og Digitalisering",
        "Organisation og Ledelse",
    }
    assert children(seeded_store, "aarhus-msb", on, {"driftsområde"}) == set()


# --- duplicates (no database needed) ------------------------------------------------------------

_MUNICIPALITY_PREFIX = re.compile(r"^(kbh|aarhus|silkeborg)-")


def test_no_concept_is_entered_twice() -> None:
    """Two entries of one label with the same name, in the same municipality, valid at the same time,
    are the same concept entered twice (they should be one entry citing both places)."""
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for node in seed().nodes:
        name = node.props.get("name")
        if node.label in ("Goal", "Precondition", "Figure", "Move", "Source") or not isinstance(name, str):
            continue
        prefix = _MUNICIPALITY_PREFIX.match(node.uid)
        key = (node.label, prefix.group(1) if prefix else "", " ".join(name.casefold().split()))
        groups[key].append(node)
    twice = [
        f"{label} {name!r}: {a.uid} and {b.uid}"
        for (label, _, name), nodes in groups.items()
        for n, a in enumerate(nodes)
        for b in nodes[n + 1 :]
        if overlaps(period(a.props), period(b.props))
    ]
    assert not twice, "\n".join(twice)


@pytest.mark.parametrize("date", ["2008-09-01", "2019-08-01", "2025-01-01"])
def test_no_unit_name_is_used_twice_under_one_parent_at_a_documented_date(seeded_store: GraphStore, date: str) -> None:
    rows = seeded_store.read(
        f"MATCH (child)-[r:PART_OF]->(parent) WHERE {valid_on('r')} AND {valid_on('child')} "
        "RETURN parent.uid AS parent, child.name AS name, count(child) AS n",
        {"on": date},
    )
    assert [row for row in rows if row["n"] > 1] == []


# --- equally specific rules --------------------------------------------------------------------

_MARKED_OVERLAP = re.compile(r"Overlaps on purpose with ([a-z0-9-]+(?:(?:,| and) [a-z0-9-]+)*)")
_UID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def test_every_conflict_between_equally_specific_rules_is_one_the_data_marks(seeded_store: GraphStore) -> None:
    """A pair of rules the resolver cannot choose between must be deliberate: one rule's note says
    'Overlaps on purpose with <uid>' and why. A marked overlap the resolver no longer finds is stale."""
    resolver = pytest.importorskip("app.domain.resolver")
    found = {
        frozenset(rule.uid for rule in conflict.rules): f"{conflict.municipality} {conflict.kind}: {conflict.overlap}"
        for conflict in resolver.Resolver(seeded_store).find_conflicts()
    }
    marked: set[frozenset[str]] = set()
    for row in seeded_store.read(
        "MATCH (r:ResponsibilityRule) WHERE r.note IS NOT NULL RETURN r.uid AS uid, r.note AS note"
    ):
        for mark in _MARKED_OVERLAP.finditer(row["note"]):
            marked.update(frozenset((row["uid"], other)) for other in _UID.findall(mark.group(1)))
    unexplained = [f"{' ↔ '.join(sorted(pair))} ({why})" for pair, why in found.items() if pair not in marked]
    assert not unexplained, "rules of equal specificity with different holders:\n" + "\n".join(unexplained)
    stale = [" ↔ ".join(sorted(pair)) for pair in marked if pair not in found]
    assert not stale, "notes mark overlaps the resolver does not find:\n" + "\n".join(stale)
