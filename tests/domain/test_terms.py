"""Reading terms and following paragraph successions: pure functions on catalogues built in the test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.terms import LawBook, Municipalities, Taxonomy, fold, normalise_kind, scope_ages
from app.errors import InvalidInput


def _paragraph(uid: str, law: str, number: str, valid_from: date | None = None, valid_to: date | None = None) -> Any:
    return {"uid": uid, "name": f"{law} §{number}", "law": law, "number": number, "valid_from": valid_from,
            "valid_to": valid_to}  # fmt: skip


def _succession(source: str, target: str, on: date, scope: str | None = None, inferred: bool = False) -> Any:
    return {"from_uid": source, "to_uid": target, "effective_on": on, "scope": scope, "inferred": inferred}


Y2024 = date(2024, 1, 1)


@pytest.fixture
def law() -> LawBook:
    paragraphs = [
        _paragraph("sel-32", "SEL", "32"),
        _paragraph("sel-52", "SEL", "52", valid_to=date(2023, 12, 31)),
        _paragraph("sel-52a", "SEL", "52a", valid_to=date(2023, 12, 31)),
        _paragraph("bl-32", "BL", "32", valid_from=Y2024),
        _paragraph("bl-46", "BL", "46", valid_from=Y2024),
        _paragraph("bl-35", "BL", "35", valid_from=Y2024),
        _paragraph("sel-101", "SEL", "101"),
        _paragraph("bl-33", "BL", "33", valid_from=Y2024),
        _paragraph("sel-45", "SEL", "45", valid_to=date(2023, 12, 31)),
        _paragraph("bl-89", "BL", "89"),
        _paragraph("sel-83", "SEL", "83"),
        _paragraph("sel-83b", "SEL", "83b", valid_from=date(2025, 7, 1)),
        _paragraph("bl-113-116", "BL", "113–116", valid_from=Y2024),
        _paragraph("sul-141", "SUL", "141"),
        {**_paragraph("hoi-lov", "HOI", "lov", valid_from=date(2023, 7, 1)), "name": "HOI-loven"},
        {**_paragraph("ael-lov", "ÆL", "lov", valid_from=date(2025, 7, 1)), "name": "Ældreloven"},
    ]
    successions = [
        _succession("sel-52", "bl-32", Y2024, "stk. 3"),
        _succession("sel-52", "bl-46", Y2024, "Placement with consent"),
        _succession("sel-52a", "bl-35", Y2024),
        _succession("sel-101", "bl-33", Y2024, "Under-18s only; SEL §101 stays in force for adults.", inferred=True),
        _succession("sel-45", "bl-89", Y2024, "Companion scheme for 12–17-year-olds."),
        _succession("sel-83", "sel-83b", date(2025, 7, 1), "Meal service moves to §83b from 1.7.2025."),
    ]
    return LawBook(paragraphs, successions)


@pytest.mark.parametrize(
    ("text", "uid"),
    [
        ("SEL §52", "sel-52"),
        ("§ 52", "sel-52"),
        ("serviceloven § 52", "sel-52"),
        ("Servicelovens §52 stk. 3", "sel-52"),
        ("sel-52", "sel-52"),
        ("sel52", "sel-52"),
        ("52a", "sel-52a"),
        ("BL §32", "bl-32"),
        ("barnets lov § 32", "bl-32"),
        ("BL §114", "bl-113-116"),
        ("BL §§113–116", "bl-113-116"),
        ("sundhedsloven § 141", "sul-141"),
        ("HOI-loven", "hoi-lov"),
        ("hoi", "hoi-lov"),
        ("ældreloven", "ael-lov"),
        ("aeldreloven", "ael-lov"),
    ],
)
def test_paragraphs_are_read_as_people_write_them(law: LawBook, text: str, uid: str) -> None:
    assert law.resolve(text) == uid


def test_a_number_in_several_laws_must_name_the_law(law: LawBook) -> None:
    with pytest.raises(InvalidInput) as raised:
        law.resolve("§ 32")
    assert raised.value.field == "paragraph"
    assert set(raised.value.suggestions) == {"SEL §32", "BL §32"}


def test_an_unknown_paragraph_suggests_close_ones(law: LawBook) -> None:
    with pytest.raises(InvalidInput) as raised:
        law.resolve("serviceloven § 522")
    assert "SEL §52" in raised.value.suggestions


def _applied(law: LawBook, uid: str, on: date, age: int) -> list[str]:
    return [route.paragraph for route in law.apply_on(uid, on, age).routes]


def test_succession_forward_back_and_scoped(law: LawBook) -> None:
    assert _applied(law, "sel-52", date(2023, 12, 31), 16) == ["sel-52"]
    assert sorted(_applied(law, "sel-52", Y2024, 16)) == ["bl-32", "bl-46"]
    assert _applied(law, "bl-32", date(2019, 9, 1), 16) == ["sel-52"]
    assert _applied(law, "bl-32", Y2024, 16) == ["bl-32"]
    # an age-scoped succession moves the part for that age, even though SEL §101 stays in force for adults
    assert _applied(law, "sel-101", date(2025, 1, 1), 17) == ["bl-33"]
    assert _applied(law, "sel-101", date(2025, 1, 1), 18) == ["sel-101"]
    assert _applied(law, "bl-33", date(2020, 1, 1), 16) == ["sel-101"]
    # a scoped succession outside its band is not followed; the paragraph is reported as not in force
    applied = law.apply_on("sel-45", date(2025, 1, 1), 20)
    assert [r.paragraph for r in applied.routes] == ["sel-45"]
    assert applied.notes
    assert _applied(law, "sel-45", date(2025, 1, 1), 14) == ["bl-89"]


def test_a_partial_succession_of_a_paragraph_in_force_is_not_followed(law: LawBook) -> None:
    applied = law.apply_on("sel-83", date(2025, 8, 1), 70)
    assert [r.paragraph for r in applied.routes] == ["sel-83"]
    assert [(s.source, s.target) for s in applied.partial] == [("sel-83", "sel-83b")]


def test_the_route_records_each_step(law: LawBook) -> None:
    [route] = law.apply_on("sel-101", date(2025, 1, 1), 16).routes
    assert route.relation == "successor"
    assert route.start == "sel-101"
    [step] = route.steps
    assert step.succession.provenance.inferred is True
    assert step.succession.effective_on == Y2024


def test_equivalents_are_ancestors_and_descendants_not_siblings(law: LawBook) -> None:
    assert {k: r.relation for k, r in law.equivalents("bl-32", 16).items()} == {
        "bl-32": "same",
        "sel-52": "predecessor",
    }
    assert set(law.equivalents("sel-52", 16)) == {"sel-52", "bl-32", "bl-46"}
    assert set(law.equivalents("sel-101", 30)) == {"sel-101"}
    assert set(law.equivalents("sel-101", 16)) == {"sel-101", "bl-33"}


@pytest.mark.parametrize(
    ("scope", "band"),
    [
        ("Under-18s only; SEL §101 stays in force for adults.", (None, 17)),
        ("under 18", (None, 17)),
        ("Companion scheme for 12–17-year-olds.", (12, 17)),
        ("for 18-22-årige", (18, 22)),
        ("aged 25 or over", (25, None)),
        ("fra 18 år", (18, None)),
        ("Efterværn became ungestøtte (BL §§113–116; target group in §114).", None),
        ("stk. 3 (foranstaltninger / støttende indsatser)", None),
        (None, None),
    ],
)
def test_scope_ages(scope: str | None, band: tuple[int | None, int | None] | None) -> None:
    assert scope_ages(scope) == band


def test_fold_reads_danish_letters_both_ways() -> None:
    assert fold("København") == ("koebenhavn", "kobenhavn")
    assert fold("Udviklingshæmning")[0] == "udviklingshaemning"
    assert fold("SEL  §52") == ("sel §52", "sel §52")


def test_municipalities_by_name_uid_and_spelling() -> None:
    catalogue = Municipalities([{"uid": "kobenhavn", "name": "København"}, {"uid": "aarhus", "name": "Aarhus"}])
    for text in ("København", "kobenhavn", "Koebenhavn", "KØBENHAVN", "Københavns Kommune"):
        assert catalogue.resolve(text).uid == "kobenhavn"
    assert catalogue.resolve("Århus").uid == "aarhus"
    with pytest.raises(InvalidInput) as raised:
        catalogue.resolve("Aarhux")
    assert raised.value.field == "municipality"
    assert "Aarhus" in raised.value.suggestions


def test_conditions_by_name_synonym_english_and_broader_reach() -> None:
    taxonomy = Taxonomy(
        [
            {"uid": "autisme", "name": "autisme", "english": "autism", "synonyms": ["ASF"],
             "broader": [{"uid": "udviklingsforstyrrelse", "inferred": False}]},
            {"uid": "udviklingsforstyrrelse", "name": "udviklingsforstyrrelse",
             "broader": [{"uid": "handicap", "inferred": True, "inferred_reason": "grouped so"}]},
            {"uid": "handicap", "name": "handicap", "broader": []},
            {"uid": "udviklingshaemning", "name": "udviklingshæmning", "broader": [{"uid": "handicap"}]},
        ]
    )  # fmt: skip
    for text in ("autisme", "Autism", "asf", "AUTISME"):
        assert taxonomy.resolve(text) == "autisme"
    assert taxonomy.resolve("udviklingshaemning") == "udviklingshaemning"
    assert taxonomy.resolve("udviklingshamning") == "udviklingshaemning"
    reach = taxonomy.reach("autisme")
    assert {k: v.distance for k, v in reach.items()} == {"autisme": 0, "udviklingsforstyrrelse": 1, "handicap": 2}
    assert reach["handicap"].links[-1].provenance.inferred is True
    assert taxonomy.overlap("handicap", "autisme")
    assert not taxonomy.overlap("autisme", "udviklingshaemning")
    with pytest.raises(InvalidInput) as raised:
        taxonomy.resolve("autsime")
    assert raised.value.field == "conditions"
    assert "autisme" in raised.value.suggestions


def test_kinds() -> None:
    assert normalise_kind("Udfører") == "udfører"
    assert normalise_kind("udforer") == "udfører"
    assert normalise_kind("udfoerer") == "udfører"
    assert normalise_kind("MYNDIGHED") == "myndighed"
    with pytest.raises(InvalidInput) as raised:
        normalise_kind("authority")
    assert raised.value.field == "kind"
