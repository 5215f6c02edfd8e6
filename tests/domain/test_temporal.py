"""Temporal views on the real seed, on every backend, checked against what the documents say.

Aarhus: 003_5b2cd4c41ea65390.txt ('Borgernes MSB', proposal of 11 March 2019, in force
1 August 2019). København: 000_d9566df19c28f3d8.txt (drift reorganisation 1 January 2025).
Silkeborg: 002_68ef0624b07dde31.txt (undated proposal).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.temporal import (
    OrgNode,
    OrgTree,
    ReorgDiff,
    org_tree,
    reorganisation_diff,
    target_group_changes,
    unit_timeline,
)
from app.errors import InvalidInput
from app.store.base import GraphStore

BEFORE_AARHUS = date(2019, 7, 31)
AARHUS_DOCUMENTED = date(2019, 3, 11)
AARHUS_2019 = date(2019, 8, 1)

# 1.1 Den overordnede organisering and the organisation chart: six driftsområder (provisional names)…
SIX_DRIFTSOMRAADER = {
    "Børn, Familier og Fællesskaber",
    "Unge, Job og Uddannelse",
    "Voksne, Job og Handicap",
    "Job, Udsatte og Socialpsykiatri",
    "Job og Virksomhedsservice",
    "Job, Sundhed og Ydelse",
}
# …and 1.4: 'samlet til fire stabe, der betjener hele MSB'.
FOUR_STABE = {"Mål, Økonomi og BBB", "It og Velfærdsteknologi", "Fagligt Sekretariat", "Organisation og Ledelse"}
STAFF_KINDS = {"stab", "fællesstab", "sekretariat"}

# 'Socialforvaltningen og Beskæftigelsesforvaltningen': three and four driftsområder, a tværgående stab each.
SOCIALFORVALTNINGEN_AREAS = {"Familier, Børn og Unge", "Voksenhandicap", "Socialpsykiatri og Udsatte Voksne"}
BESKAEFTIGELSE_AREAS = {"Job og Virksomhedsservice", "Job og Uddannelse", "Job, Sundhed og Ydelse", "Job og Udvikling"}

# 000: 'seks centre' from 1 January 2025; the three borgercentre are abolished.
SIX_KBH_CENTRES = {
    "Din sociale indgang",
    "Center for børn og unge",
    "Center for aktivitet, beskæftigelse og støtte i eget bolig",
    "Center for midlertidige boformer",
    "Center for længerevarende boformer",
    "Center for rusmiddelbehandling",
}
KBH_2025 = date(2025, 1, 1)


def _children(tree: OrgTree, uid: str, kinds: set[str] | None = None) -> dict[str, OrgNode]:
    return {c.name: c for c in tree.children_of(uid) if kinds is None or c.kind in kinds}


def _names(tree: OrgTree) -> set[str]:
    return {node.name for node, _ in tree.walk()}


# -- org_tree


def test_aarhus_msb_after_the_reorganisation_has_six_driftsomraader_and_four_stabe(seeded_store: GraphStore) -> None:
    tree = org_tree(seeded_store, municipality="Aarhus", administration="MSB", on=AARHUS_2019)
    assert tree.root.uid == "aarhus-msb"
    assert set(_children(tree, "aarhus-msb", {"driftsområde"})) == SIX_DRIFTSOMRAADER
    assert set(_children(tree, "aarhus-msb", STAFF_KINDS)) == FOUR_STABE
    assert not [c for c in tree.root.children if c.label == "Administration"], "no forvaltninger inside MSB"
    assert not {"Socialforvaltningen", "Beskæftigelsesforvaltningen", "Voksenhandicap"} & _names(tree)


def test_aarhus_msb_the_day_before_still_has_the_two_forvaltninger_with_their_areas(seeded_store: GraphStore) -> None:
    tree = org_tree(seeded_store, municipality="aarhus", administration="aarhus-msb", on=BEFORE_AARHUS)
    forvaltninger = {c.name: c for c in tree.root.children if c.label == "Administration"}
    assert set(forvaltninger) == {"Socialforvaltningen", "Beskæftigelsesforvaltningen"}
    social = forvaltninger["Socialforvaltningen"]
    assert {c.name for c in social.children if c.kind == "driftsområde"} == SOCIALFORVALTNINGEN_AREAS
    assert [c.kind for c in social.children if c.kind in STAFF_KINDS] == ["stab"]
    beskaeftigelse = forvaltninger["Beskæftigelsesforvaltningen"]
    assert {c.name for c in beskaeftigelse.children if c.kind == "driftsområde"} == BESKAEFTIGELSE_AREAS
    assert [c.kind for c in beskaeftigelse.children if c.kind in STAFF_KINDS] == ["stab"]
    # 'tre fællesstabe: 1) Økonomi, 2) IT og Digitalisering samt 3) Organisation og Ledelse'
    assert {"Økonomi", "IT og Digitalisering", "Organisation og Ledelse"} <= set(
        _children(tree, "aarhus-msb", STAFF_KINDS)
    )
    assert not {"Unge, Job og Uddannelse", "Fagligt Sekretariat"} & _names(tree)


def test_a_unit_that_changes_parent_sits_under_the_parent_of_that_day(seeded_store: GraphStore) -> None:
    before = org_tree(seeded_store, municipality="Aarhus", on=BEFORE_AARHUS)
    after = org_tree(seeded_store, municipality="Aarhus", on=AARHUS_2019)
    assert before.parents()["aarhus-msb-job-og-virksomhedsservice"] == {"aarhus-msb-beskaeftigelsesforvaltningen"}
    assert after.parents()["aarhus-msb-job-og-virksomhedsservice"] == {"aarhus-msb"}
    assert before.parents()["aarhus-msb-ungdomscenteret"] == {"aarhus-msb-familier-boern-og-unge"}
    assert after.parents()["aarhus-msb-ungdomscenteret"] == {"aarhus-msb-unge-job-og-uddannelse"}
    assert after.find("aarhus-msb-ungdomscenteret").inferred  # type: ignore[union-attr]
    assert all(len(parents) <= 1 for parents in after.parents().values())


def test_the_whole_municipality_has_its_administrations_and_units_directly_under_it(seeded_store: GraphStore) -> None:
    tree = org_tree(seeded_store, municipality="AARHUS", on=AARHUS_2019)
    assert tree.root.uid == "aarhus"
    assert tree.root.label == "Municipality"
    top = {c.uid for c in tree.root.children}
    assert {"aarhus-msb", "aarhus-mbu", "aarhus-mso", "aarhus-social-og-beskaeftigelsesudvalget"} <= top
    assert tree.municipality.uid == "aarhus"


def test_leaders_are_the_positions_leading_the_unit_on_the_date(seeded_store: GraphStore) -> None:
    after = org_tree(seeded_store, municipality="Aarhus", administration="MSB", on=AARHUS_2019)
    bff = after.find("aarhus-msb-boern-familier-og-faellesskaber")
    assert bff is not None
    assert [leader.title for leader in bff.leaders] == ["Driftschef, Børn, Familier og Fællesskaber"]
    raadmand = [leader for leader in after.root.leaders if leader.title == "Rådmand"]
    assert raadmand
    assert raadmand[0].persons == ("Kristian Würtz",)
    before = org_tree(seeded_store, municipality="Aarhus", administration="MSB", on=BEFORE_AARHUS)
    fbu = before.find("aarhus-msb-familier-boern-og-unge")
    assert fbu is not None
    assert [leader.title for leader in fbu.leaders] == ["Driftschef, Familier, Børn og Unge"]


def test_kobenhavn_sof_has_the_six_new_centres_from_2025(seeded_store: GraphStore) -> None:
    tree = org_tree(seeded_store, municipality="København", administration="SOF", on=KBH_2025)
    centres = _children(tree, "kbh-sof", {"center"})
    assert set(centres) == SIX_KBH_CENTRES
    assert all(centre.leaders for centre in centres.values()), "each centre has its centerchef (niveau 2)"
    assert not _children(tree, "kbh-sof", {"borgercenter"})


def test_kobenhavn_sof_still_has_the_three_borgercentre_on_the_last_day_of_2024(seeded_store: GraphStore) -> None:
    tree = org_tree(
        seeded_store, municipality="Koebenhavn", administration="Socialforvaltningen", on=date(2024, 12, 31)
    )
    assert len(_children(tree, "kbh-sof", {"borgercenter"})) == 3
    assert not SIX_KBH_CENTRES & _names(tree)


def test_an_administration_alone_finds_its_municipality(seeded_store: GraphStore) -> None:
    tree = org_tree(seeded_store, administration="kbh-sof", on=KBH_2025)
    assert tree.municipality.uid == "kobenhavn"
    assert tree.root.uid == "kbh-sof"


def test_unknown_municipality_names_close_matches(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        org_tree(seeded_store, municipality="Arhus", on=AARHUS_2019)
    assert raised.value.field == "municipality"
    assert "Aarhus" in raised.value.suggestions


def test_a_name_two_administrations_share_asks_for_the_uid(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        org_tree(seeded_store, administration="Socialforvaltningen", on=AARHUS_2019)
    assert set(raised.value.suggestions) == {"aarhus-msb-socialforvaltningen", "kbh-sof"}
    tree = org_tree(seeded_store, municipality="Aarhus", administration="socialforvaltningen", on=BEFORE_AARHUS)
    assert tree.root.uid == "aarhus-msb-socialforvaltningen"


def test_an_administration_outside_its_validity_is_refused(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        org_tree(seeded_store, municipality="Aarhus", administration="aarhus-msb-socialforvaltningen", on=AARHUS_2019)
    assert raised.value.field == "date"
    with pytest.raises(InvalidInput):
        org_tree(seeded_store, on=AARHUS_2019)


# -- unit_timeline


def test_ungdomscenteret_timeline(seeded_store: GraphStore) -> None:
    timeline = unit_timeline(seeded_store, "Ungdomscenteret")
    assert timeline.unit.uid == "aarhus-msb-ungdomscenteret"
    assert timeline.kind == "center"
    assert timeline.municipality is not None
    assert timeline.municipality.uid == "aarhus"
    parents = [(p.uid, p.valid_from, p.valid_to) for p in timeline.parents]
    assert parents == [
        # 003 is dated 11 March 2019: the earliest date the sources show the old structure.
        ("aarhus-msb-familier-boern-og-unge", AARHUS_DOCUMENTED, BEFORE_AARHUS),
        ("aarhus-msb-unge-job-og-uddannelse", AARHUS_2019, None),
    ]
    assert [p.uid for p in timeline.parents_on(AARHUS_2019)] == ["aarhus-msb-unge-job-og-uddannelse"]
    # 1.2.2: Turbo and Lillehammervej go along; MSI and Katrinebjerg stay in BFF; the misbrugsindsats goes to JSY.
    assert {t.name for t in timeline.tilbud} >= {
        "Turbo",
        "Lillehammervej",
        "Katrinebjerg",
        "Multisystemisk Indsats (MSI)",
    }
    assert all(t.valid_to == BEFORE_AARHUS for t in timeline.tilbud)
    roles = {(m.uid, m.role) for m in timeline.moves}
    assert ("aarhus-msb-2019-ungdomscenteret-til-uju", "flyttes") in roles
    assert ("aarhus-msb-2019-msi-forbliver-i-bff", "fra") in roles
    assert ("aarhus-msb-2019-turbo-og-lillehammervej-til-uju", "fra") in roles
    assert {m.reorganisation.uid for m in timeline.moves} == {"aarhus-msb-2019"}
    assert {m.effective_on for m in timeline.moves} == {AARHUS_2019}


def test_a_continuing_driftsomraade_keeps_its_leader_and_changes_parent(seeded_store: GraphStore) -> None:
    timeline = unit_timeline(seeded_store, "aarhus-msb-job-og-virksomhedsservice")
    assert [(p.uid, p.valid_from, p.valid_to) for p in timeline.parents] == [
        ("aarhus-msb-beskaeftigelsesforvaltningen", AARHUS_DOCUMENTED, BEFORE_AARHUS),
        ("aarhus-msb", AARHUS_2019, None),
    ]
    assert [leader.name for leader in timeline.leaders] == ["Driftschef, Job og Virksomhedsservice"]
    assert "Center for fleksjob" in {c.name for c in timeline.children}


def test_a_borgercenter_ends_with_2024_and_is_moved_by_the_2025_reorganisation(seeded_store: GraphStore) -> None:
    timeline = unit_timeline(seeded_store, "kbh-sof-borgercenter-1")
    assert timeline.valid_to == date(2024, 12, 31)
    assert {(m.uid, m.role) for m in timeline.moves} >= {("kbh-sof-2025-borgercentre-nedlaegges", "flyttes")}
    assert {m.reorganisation.uid for m in timeline.moves} == {"kbh-sof-2025"}


def test_an_administration_has_a_timeline_too(seeded_store: GraphStore) -> None:
    timeline = unit_timeline(seeded_store, "aarhus-msb-socialforvaltningen")
    assert timeline.unit.label == "Administration"
    assert timeline.valid_to == BEFORE_AARHUS
    assert {c.name for c in timeline.children} >= SOCIALFORVALTNINGEN_AREAS
    assert ("aarhus-msb-2019-enhedsforvaltning", "flyttes") in {(m.uid, m.role) for m in timeline.moves}


def test_an_unknown_unit_is_invalid_input(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        unit_timeline(seeded_store, "Ungdomscentret")
    assert "Ungdomscenteret" in raised.value.suggestions


# -- reorganisation_diff


def test_aarhus_2019_diff_lists_the_moves_and_the_changed_units(seeded_store: GraphStore) -> None:
    diff = reorganisation_diff(seeded_store, "aarhus-msb-2019")
    assert diff.reorganisation.effective_on == AARHUS_2019
    assert diff.reorganisation.day_before == BEFORE_AARHUS
    assert diff.reorganisation.status == "forslag"
    assert [t.root.uid for t in diff.before] == ["aarhus-msb"] == [t.root.uid for t in diff.after]
    assert [t.on for t in diff.before] == [BEFORE_AARHUS]
    appeared = {r.name for r in diff.appeared}
    assert appeared >= (SIX_DRIFTSOMRAADER - {"Job og Virksomhedsservice", "Job, Sundhed og Ydelse"})
    assert appeared >= FOUR_STABE - {"Organisation og Ledelse"}
    disappeared = {r.name for r in diff.disappeared}
    assert disappeared >= {"Socialforvaltningen", "Beskæftigelsesforvaltningen", "Borgercenter Midt"}
    assert disappeared >= SOCIALFORVALTNINGEN_AREAS | {"Job og Uddannelse", "Job og Udvikling"}
    moved = {c.unit.uid: ([r.uid for r in c.before], [r.uid for r in c.after]) for c in diff.reparented}
    assert moved["aarhus-msb-job-og-virksomhedsservice"] == (
        ["aarhus-msb-beskaeftigelsesforvaltningen"],
        ["aarhus-msb"],
    )
    assert moved["aarhus-msb-rusmiddelcenter-aarhus"] == (
        ["aarhus-msb-socialpsykiatri-og-udsatte-voksne"],
        ["aarhus-msb-job-sundhed-og-ydelse"],
    )
    assert diff.moves[0].uid == "aarhus-msb-2019-enhedsforvaltning", "document order"
    moves = {m.uid: m for m in diff.moves}
    ungdom = moves["aarhus-msb-2019-ungdomscenteret-til-uju"]
    assert [r.uid for r in ungdom.moved_from] == ["aarhus-msb-familier-boern-og-unge"]
    assert [r.uid for r in ungdom.moved_to] == ["aarhus-msb-unge-job-og-uddannelse"]
    assert ungdom.exception
    assert "Multisystemisk indsats (MSI)" in ungdom.exception
    raadgivere = moves["aarhus-msb-2019-myndighedsraadgivere-handicapcenter-for-boern-til-uju"]
    assert raadgivere.paragraphs == ("SEL §52", "SEL §52a")
    assert raadgivere.conditions == ("handicap",)
    assert (raadgivere.age_min, raadgivere.age_max) == (15, 23)
    soras = moves["aarhus-msb-2019-soras-til-uju"]
    assert soras.paragraphs == ("SEL §104",)
    assert soras.conditions == ("autisme",)
    assert all(m.sources and m.sources[0].document == "003_5b2cd4c41ea65390.txt" for m in diff.moves)


def test_kobenhavn_2025_diff(seeded_store: GraphStore) -> None:
    diff = reorganisation_diff(seeded_store, "Fremtidig organisering af driften i Socialforvaltningen")
    assert diff.reorganisation.uid == "kbh-sof-2025"
    assert {r.name for r in diff.appeared} >= SIX_KBH_CENTRES
    assert {"kbh-sof-borgercenter-1", "kbh-sof-borgercenter-2", "kbh-sof-borgercenter-3"} <= {
        r.uid for r in diff.disappeared
    }
    myndighed = [c for c in diff.responsibility_changes if c.kind == "myndighed"]
    assert [(c.before_rule.uid, c.after_holders) for c in myndighed] == [
        ("kbh-myndighed-borgercentre-foer-2025", ("Din sociale indgang",))
    ]


def test_an_undated_reorganisation_has_moves_but_no_trees(seeded_store: GraphStore) -> None:
    diff = reorganisation_diff(seeded_store, "silkeborg-socialafdeling")
    assert diff.reorganisation.effective_on is None
    assert not diff.has_trees
    assert not diff.appeared
    assert not diff.responsibility_changes
    assert diff.notes
    assert "no effective date" in diff.notes[0]
    assert "silkeborg-flytning-samlet-myndighed" in {m.uid for m in diff.moves}


# -- target_group_changes


def test_what_aarhus_2019_changed_for_a_16_year_old_with_a_handicap(seeded_store: GraphStore) -> None:
    changes = target_group_changes(seeded_store, "aarhus-msb-2019", age=16, conditions=["handicap"])

    def outcome(kind: str, paragraph: str | None) -> tuple[str, list[str], list[str]]:
        for change in changes:
            named = {p.name for p in change.paragraphs}
            if change.kind == kind and ((paragraph is None and change.without_paragraph) or paragraph in named):
                return change.change, [u.uid for u in change.before.units], [u.uid for u in change.after.units]
        raise AssertionError(f"no outcome for {kind} {paragraph}")

    # 1.2.2: 'Myndighedsansvaret for samtlige unge … overgår til Unge, Job og Uddannelse'
    assert outcome("myndighed", None) == (
        "moved",
        ["aarhus-msb-familier-boern-og-unge"],
        ["aarhus-msb-unge-job-og-uddannelse"],
    )
    # 1.2.2: the myndighedsrådgivere of Handicapcenter for Børn for §52/§52a go to UJU
    assert outcome("myndighed", "SEL §52") == (
        "moved",
        ["aarhus-msb-handicapcenter-for-boern"],
        ["aarhus-msb-unge-job-og-uddannelse"],
    )
    # 1.2.1: myndighed for §41/§42 'forbliver' in Børn, Familier og Fællesskaber up to 18
    assert outcome("myndighed", "SEL §42")[2] == ["aarhus-msb-boern-familier-og-faellesskaber"]
    # 1.2.6: SUL §141/§142 to Job, Sundhed og Ydelse
    assert outcome("myndighed", "SUL §141") == (
        "moved",
        ["aarhus-msb-rusmiddelcenter-aarhus"],
        ["aarhus-msb-job-sundhed-og-ydelse"],
    )
    # 1.2.1 keeps the very specialised handicap efforts up to 18 in Børn, Familier og Fællesskaber, while the
    # overview gives Unge, Job og Uddannelse specialised handicap efforts for 15-29: without a paragraph, both.
    assert sorted(outcome("udfører", None)[2]) == [
        "aarhus-msb-boern-familier-og-faellesskaber",
        "aarhus-msb-unge-job-og-uddannelse",
    ]
    sel52 = next(c for c in changes if "SEL §52" in {p.name for p in c.paragraphs} and c.kind == "myndighed")
    assert "aarhus-msb-2019-myndighedsraadgivere-handicapcenter-for-boern-til-uju" in {m.uid for m in sel52.moves}
    assert all(c.before.on == BEFORE_AARHUS and c.after.on == AARHUS_2019 for c in changes)


def test_changes_of_an_undated_reorganisation_are_refused(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        target_group_changes(seeded_store, "silkeborg-socialafdeling", age=40)
    assert raised.value.field == "reorganisation"


# -- JSON


def test_every_result_is_json(seeded_store: GraphStore) -> None:
    diff: ReorgDiff = reorganisation_diff(seeded_store, "aarhus-msb-2019")
    payloads = [
        org_tree(seeded_store, municipality="Aarhus", on=AARHUS_2019).to_dict(),
        unit_timeline(seeded_store, "aarhus-msb-ungdomscenteret").to_dict(),
        diff.to_dict(),
        [c.to_dict() for c in target_group_changes(seeded_store, "kbh-sof-2025", age=40)],
    ]
    for payload in payloads:
        assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    as_dict = diff.to_dict()
    assert as_dict["before_on"] == "2019-07-31"
    assert as_dict["after_on"] == "2019-08-01"
    first = as_dict["moves"][0]
    assert {
        "subject",
        "what",
        "from",
        "to",
        "age_min",
        "age_max",
        "paragraphs",
        "conditions",
        "exception",
        "sources",
    } <= set(first)
