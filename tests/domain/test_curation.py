"""Curator operations on the real seed, on every backend: each splits validity at its date, refuses bad input
naming the field, applies all or nothing, and writes its audit entry in the same batch."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from app.domain import curation
from app.domain.audit import audit_log, curated_since_last_sync
from app.domain.curation import (
    Actor,
    AddMembership,
    AddRule,
    CreateUnit,
    Evidence,
    MoveUnit,
    RenameUnit,
    TerminateMembership,
    TerminateRule,
    TerminateUnit,
)
from app.domain.names import name_on
from app.errors import Conflict, InvalidInput, NotFound
from app.store.base import GraphStore
from app.store.embedded import EmbeddedServer
from app.store.falkordb import FalkorStore
from tests.conftest import BACKENDS
from tests.neo4j_support import Neo4jProvider

ANNA = Actor("anna", "curator")
DOC = "003_5b2cd4c41ea65390.txt"
CITED = Evidence(document=DOC, section="1.2.2 Unge, Job og Uddannelse", quote="Ungdomscenteret")
INFERRED = Evidence(inferred_reason="A curator's test change.")
UC = "aarhus-msb-ungdomscenteret"
UJU = "aarhus-msb-unge-job-og-uddannelse"
VJH = "aarhus-msb-voksne-job-og-handicap"
NEW_YEAR = date(2024, 1, 1)


@pytest.fixture
def writable_store(store: GraphStore) -> GraphStore:
    """As tests/api/conftest.py's: an isolated graph per backend, seeded from the real seed/ (kept here so the
    domain tests do not import the API)."""
    from app.resources import project_dir
    from app.runtime import sync_seed
    from app.schema import load_schema

    store.install_schema(load_schema())
    sync_seed(store, project_dir("seed"))
    return store


@pytest.fixture(scope="module", params=BACKENDS)
def pristine(
    request: pytest.FixtureRequest, falkor_server: EmbeddedServer, neo4j_provider: Neo4jProvider
) -> Iterator[GraphStore]:
    """One seeded graph per backend for the tests of refused changes: each checks it is left unchanged."""
    from app.resources import project_dir
    from app.runtime import sync_seed
    from app.schema import load_schema

    if request.param == "falkordb":
        store: GraphStore = FalkorStore.on_server(falkor_server, graph=f"test_{uuid.uuid4().hex[:12]}")
    else:
        store = neo4j_provider.store_or_skip()
    store.install_schema(load_schema())
    sync_seed(store, project_dir("seed"))
    try:
        yield store
    finally:
        store.clear()
        if request.param == "falkordb":
            store.close()


def dump(store: GraphStore) -> tuple[list[str], list[str]]:
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read("MATCH (a)-[r]->(b) RETURN a.uid AS a, type(r) AS type, properties(r) AS props, b.uid AS b")
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


def node(store: GraphStore, uid: str) -> dict[str, Any]:
    rows = store.read("MATCH (n) WHERE n.uid = $uid RETURN properties(n) AS props", {"uid": uid})
    assert len(rows) == 1, uid
    props: dict[str, Any] = rows[0]["props"]
    return props


def links(store: GraphStore, uid: str, rel_type: str) -> list[tuple[str, date | None, date | None]]:
    rows = store.read(
        f"MATCH (a)-[r:{rel_type}]->(b) WHERE a.uid = $uid RETURN b.uid AS b, r.valid_from AS f, r.valid_to AS t",
        {"uid": uid},
    )
    return sorted(((row["b"], row["f"], row["t"]) for row in rows), key=lambda x: x[1] or date.min)


def field_of(error: pytest.ExceptionInfo[Exception]) -> str:
    return str(getattr(error.value, "field", ""))


# --- units ---------------------------------------------------------------------------------------------------


def test_create_unit_under_a_parent_from_a_date(writable_store: GraphStore) -> None:
    result = curation.create_unit(
        writable_store,
        ANNA,
        CreateUnit(parent=UJU, name="Ungeenheden Øst", kind="enhed", effective_on=NEW_YEAR, evidence=CITED),
    )
    assert result.uid == "aarhus-ungeenheden-oest"
    props = node(writable_store, result.uid)
    assert props["name"] == "Ungeenheden Øst"
    assert props["kind"] == "enhed"
    assert props["valid_from"] == NEW_YEAR
    assert props.get("valid_to") is None
    assert props["seed_file"] == "aarhus/organisation.yaml"
    assert isinstance(props["seed_order"], int)
    assert props["source_documents"] == [DOC]
    assert links(writable_store, result.uid, "PART_OF") == [(UJU, NEW_YEAR, None)]
    [entry] = audit_log(writable_store, target=result.uid)
    assert (entry.actor, entry.role, entry.operation) == ("anna", "curator", "createUnit")
    assert entry.before is None
    assert json.loads(entry.after or "")["props"]["name"] == "Ungeenheden Øst"
    again = curation.create_unit(
        writable_store,
        ANNA,
        CreateUnit(parent=VJH, name="Ungeenheden Øst", kind="enhed", effective_on=NEW_YEAR, evidence=INFERRED),
    )
    assert again.uid == "aarhus-ungeenheden-oest-2", "a derived uid is numbered when taken"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"kind": "centre"}, InvalidInput, "kind"),
        ({"parent": "aarhus-nowhere"}, NotFound, "parent"),
        ({"parent": "autisme"}, InvalidInput, "parent"),
        ({"evidence": Evidence(document="no-such", section="s", quote="q")}, NotFound, "provenance.source.document"),
        ({"evidence": Evidence(document=DOC, section="s", quote=" ")}, InvalidInput, "provenance.source.quote"),
        ({"evidence": Evidence()}, InvalidInput, "provenance"),
        ({"uid": UC}, Conflict, "uid"),
        ({"uid": "Not A Slug"}, InvalidInput, "uid"),
        ({"name": "Ungdomscenteret"}, Conflict, "name"),
        ({"name": " "}, InvalidInput, "name"),
        ({"municipality": "kbh"}, InvalidInput, "municipality"),
        ({"parent": "aarhus-msb-familier-boern-og-unge"}, Conflict, "parent"),
    ],
)
def test_create_unit_refuses_bad_input_naming_the_field(
    pristine: GraphStore, changes: dict[str, Any], error: type[Exception], field: str
) -> None:
    request = {"parent": UJU, "name": "Ny enhed", "kind": "enhed", "effective_on": NEW_YEAR, "evidence": CITED}
    before = dump(pristine)
    with pytest.raises(error) as raised:
        curation.create_unit(pristine, ANNA, CreateUnit(**{**request, **changes}))
    assert field_of(raised) == field, raised.value
    assert dump(pristine) == before


def test_rename_keeps_the_node_and_its_name_history(writable_store: GraphStore) -> None:
    result = curation.rename_unit(writable_store, ANNA, RenameUnit(UC, "Ungecenteret", NEW_YEAR, CITED))
    props = node(writable_store, UC)
    assert props["name"] == "Ungecenteret"
    assert props["former_names"] == ["Ungdomscenteret"]
    assert props["former_names_until"] == ["2023-12-31"]
    assert name_on(props, date(2023, 12, 31)) == "Ungdomscenteret"
    assert name_on(props, NEW_YEAR) == "Ungecenteret"
    assert props["source_documents"][-1] == DOC, "the rename's citation is added to the node's"
    assert links(writable_store, UC, "PART_OF")[-1] == (UJU, date(2019, 8, 1), None), "links untouched"
    assert json.loads(result.audit.before or "")["props"]["name"] == "Ungdomscenteret"
    with pytest.raises(Conflict) as raised:
        curation.rename_unit(writable_store, ANNA, RenameUnit(UC, "Igen", date(2023, 6, 1), CITED))
    assert field_of(raised) == "effectiveOn"
    with pytest.raises(InvalidInput) as same:
        curation.rename_unit(writable_store, ANNA, RenameUnit(UC, "ungecenteret", date(2025, 1, 1), CITED))
    assert field_of(same) == "name"
    with pytest.raises(Conflict) as early:
        curation.rename_unit(writable_store, ANNA, RenameUnit(UC, "Før", date(2019, 3, 11), CITED))
    assert field_of(early) == "effectiveOn"


def test_move_ends_the_old_link_the_day_before_and_starts_a_new_one(writable_store: GraphStore) -> None:
    result = curation.move_unit(writable_store, ANNA, MoveUnit(UC, VJH, NEW_YEAR, CITED))
    assert links(writable_store, UC, "PART_OF") == [
        ("aarhus-msb-familier-boern-og-unge", date(2019, 3, 11), date(2019, 7, 31)),
        (UJU, date(2019, 8, 1), date(2023, 12, 31)),
        (VJH, NEW_YEAR, None),
    ]
    before, after = json.loads(result.audit.before or ""), json.loads(result.audit.after or "")
    assert {"type": "PART_OF", "to": UJU, "valid_from": "2019-08-01", "valid_to": None} in before["out"]
    assert {"type": "PART_OF", "to": VJH, "valid_from": "2024-01-01", "valid_to": None} in after["out"]
    assert set(result.audit.targets) == {UC, UJU, VJH}


@pytest.mark.parametrize(
    ("uid", "parent", "on", "error", "field"),
    [
        (UJU, UC, NEW_YEAR, Conflict, "newParent"),  # Ungdomscenteret is below UJU: a cycle
        (UC, UC, NEW_YEAR, Conflict, "newParent"),
        (UC, UJU, NEW_YEAR, Conflict, "newParent"),  # already its parent
        (UC, VJH, date(2019, 8, 1), Conflict, "effectiveOn"),  # not after the current link's start
        (UC, VJH, date(2018, 1, 1), Conflict, "effectiveOn"),  # before the unit exists
        (UC, "kbh-sof", NEW_YEAR, Conflict, "newParent"),  # another municipality
        (UC, "aarhus-msb-familier-boern-og-unge", NEW_YEAR, Conflict, "newParent"),  # parent ended
        (UC, "aarhus-nowhere", NEW_YEAR, NotFound, "newParent"),
        ("aarhus-nowhere", VJH, NEW_YEAR, NotFound, "uid"),
    ],
)
def test_move_refuses_bad_moves_naming_the_field(
    pristine: GraphStore, uid: str, parent: str, on: date, error: type[Exception], field: str
) -> None:
    before = dump(pristine)
    with pytest.raises(error) as raised:
        curation.move_unit(pristine, ANNA, MoveUnit(uid, parent, on, CITED))
    assert field_of(raised) == field, raised.value
    assert dump(pristine) == before


def test_terminate_ends_the_unit_and_its_open_links(writable_store: GraphStore) -> None:
    curation.terminate_unit(writable_store, ANNA, TerminateUnit(UC, NEW_YEAR, CITED))
    assert node(writable_store, UC)["valid_to"] == date(2023, 12, 31)
    assert links(writable_store, UC, "PART_OF")[-1] == (UJU, date(2019, 8, 1), date(2023, 12, 31))
    with pytest.raises(Conflict) as again:
        curation.terminate_unit(writable_store, ANNA, TerminateUnit(UC, date(2025, 1, 1), CITED))
    assert field_of(again) == "effectiveOn"


def test_terminate_refuses_while_children_are_under_the_unit(pristine: GraphStore) -> None:
    before = dump(pristine)
    with pytest.raises(Conflict) as raised:
        curation.terminate_unit(pristine, ANNA, TerminateUnit(UJU, NEW_YEAR, CITED))
    assert field_of(raised) == "uid"
    assert "Ungdomscenteret" in str(raised.value)
    assert dump(pristine) == before


# --- rules ---------------------------------------------------------------------------------------------------


def rule_request(**changes: Any) -> AddRule:
    request: dict[str, Any] = {
        "municipality": "aarhus",
        "kind": "myndighed",
        "holder": VJH,
        "name": "Myndighed for 17-årige med autisme (kurateret)",
        "valid_from": date(2030, 1, 1),
        "evidence": CITED,
        "age_min": 17,
        "age_max": 17,
        "conditions": ("autisme",),
    }
    return AddRule(**{**request, **changes})


def test_add_and_terminate_a_responsibility_rule(writable_store: GraphStore) -> None:
    result = curation.add_rule(writable_store, ANNA, rule_request())
    props = node(writable_store, result.uid)
    assert props["kind"] == "myndighed"
    assert props["valid_from"] == date(2030, 1, 1)
    assert props["seed_file"] == "aarhus/ansvar.yaml"
    assert links(writable_store, result.uid, "HELD_BY") == [(VJH, None, None)]
    assert links(writable_store, result.uid, "COVERS_CONDITION") == [("autisme", None, None)]
    assert links(writable_store, result.uid, "IN_MUNICIPALITY") == [("aarhus", None, None)]
    curation.terminate_rule(writable_store, ANNA, TerminateRule(result.uid, date(2031, 1, 1), INFERRED))
    assert node(writable_store, result.uid)["valid_to"] == date(2030, 12, 31)
    assert node(writable_store, result.uid)["inferred_reason"] == "A curator's test change."
    assert [e.operation for e in audit_log(writable_store, target=result.uid)] == [
        "terminateResponsibilityRule",
        "addResponsibilityRule",
    ]


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"municipality": "aarhusx"}, NotFound, "municipality"),
        ({"kind": "myndighedd"}, InvalidInput, "kind"),
        ({"holder": "aarhus-msb-familier-boern-og-unge"}, Conflict, "holder"),  # ended in 2019
        ({"holder": "kbh-sof"}, InvalidInput, "holder"),
        ({"all_conditions": True}, InvalidInput, "allConditions"),
        ({"conditions": ()}, InvalidInput, "conditions"),
        ({"conditions": ("no-such-condition",)}, NotFound, "conditions"),
        ({"paragraphs": ("sel-999",)}, NotFound, "paragraphs"),
        ({"age_min": 18}, InvalidInput, "ageMax"),
        ({"valid_to": date(2029, 1, 1)}, InvalidInput, "validTo"),
        ({"exception_to": "no-such-rule"}, NotFound, "exceptionTo"),
    ],
)
def test_add_rule_refuses_bad_input_naming_the_field(
    pristine: GraphStore, changes: dict[str, Any], error: type[Exception], field: str
) -> None:
    before = dump(pristine)
    with pytest.raises(error) as raised:
        curation.add_rule(pristine, ANNA, rule_request(**changes))
    assert field_of(raised) == field, raised.value
    assert dump(pristine) == before


# --- tilbud ------------------------------------------------------------------------------------------------


def test_add_and_terminate_a_tilbud_membership(writable_store: GraphStore) -> None:
    curation.add_membership(writable_store, ANNA, AddMembership("aarhus-turbo", VJH, NEW_YEAR, CITED))
    assert links(writable_store, "aarhus-turbo", "BELONGS_TO") == [
        (UC, date(2019, 3, 11), date(2019, 7, 31)),
        (UJU, date(2019, 8, 1), date(2023, 12, 31)),
        (VJH, NEW_YEAR, None),
    ]
    with pytest.raises(Conflict) as twice:
        curation.add_membership(writable_store, ANNA, AddMembership("aarhus-turbo", VJH, date(2024, 6, 1), CITED))
    assert field_of(twice) == "unit"
    curation.terminate_membership(
        writable_store, ANNA, TerminateMembership("aarhus-turbo", VJH, date(2025, 1, 1), CITED)
    )
    assert links(writable_store, "aarhus-turbo", "BELONGS_TO")[-1] == (VJH, NEW_YEAR, date(2024, 12, 31))
    with pytest.raises(Conflict) as gone:
        curation.terminate_membership(
            writable_store, ANNA, TerminateMembership("aarhus-turbo", VJH, date(2026, 1, 1), CITED)
        )
    assert field_of(gone) == "unit"
    with pytest.raises(NotFound) as missing:
        curation.add_membership(writable_store, ANNA, AddMembership("no-such-tilbud", VJH, NEW_YEAR, CITED))
    assert field_of(missing) == "tilbud"


# --- atomicity and the audit log ---------------------------------------------------------------------------


def test_a_refused_verification_leaves_the_graph_as_it_was(
    writable_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statements and the audit entry run, then verify refuses: nothing of it remains."""
    before = dump(writable_store)

    def refuse(*_: Any) -> None:
        raise Conflict("uid", "refused by the test")

    monkeypatch.setattr(curation, "_check_hierarchy", refuse)
    with pytest.raises(Conflict, match="refused by the test"):
        curation.move_unit(writable_store, ANNA, MoveUnit(UC, VJH, NEW_YEAR, CITED))
    assert dump(writable_store) == before
    assert audit_log(writable_store) == []


def test_a_change_that_is_not_as_predicted_is_refused(
    writable_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify compares the node and its links with the predicted result: a statement that misses is caught."""
    before = dump(writable_store)
    real = curation._create_link

    def wrong_target(rel_type: str, source: Any, target: Any, *args: Any) -> Any:
        return real(rel_type, source, curation._Node(UJU, "Unit", {}), *args)

    monkeypatch.setattr(curation, "_create_link", wrong_target)
    with pytest.raises(Conflict, match="not as expected"):
        curation.move_unit(writable_store, ANNA, MoveUnit(UC, VJH, NEW_YEAR, CITED))
    assert dump(writable_store) == before


def test_the_audit_log_filters_and_orders_newest_first(writable_store: GraphStore) -> None:
    curation.rename_unit(writable_store, ANNA, RenameUnit(UC, "Ungecenteret", NEW_YEAR, CITED))
    curation.move_unit(writable_store, Actor("bo", "curator"), MoveUnit(UC, VJH, date(2025, 1, 1), CITED))
    entries = audit_log(writable_store)
    assert [e.operation for e in entries] == ["moveUnit", "renameUnit"]
    assert [e.actor for e in audit_log(writable_store, actor="anna")] == ["anna"]
    assert len(audit_log(writable_store, target=VJH)) == 1
    assert len(audit_log(writable_store, first=1)) == 1
    assert audit_log(writable_store, since=date(2999, 1, 1)) == []
    assert entries[0].effective_on == date(2025, 1, 1)
    changes = curated_since_last_sync(writable_store)
    assert changes.count == 2
    assert changes.newest is not None
    assert changes.newest.operation == "moveUnit"
