"""Lists with filters, sorting and cursor pages on the real seed/ (read-only `seeded_store`, every backend)."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from app.domain.listing import (
    MAX_PAGE_SIZE,
    AdministrationFilter,
    ConditionFilter,
    FocusAreaFilter,
    ListPage,
    ListRequest,
    NameFilter,
    Order,
    PageArgs,
    ParagraphFilter,
    ReorganisationFilter,
    ResponsibilityRuleFilter,
    TargetGroupFilter,
    TilbudFilter,
    UnitFilter,
    decode_cursor,
    encode_cursor,
    fold_long,
    fold_short,
    list_nodes,
    sort_key,
)
from app.errors import InvalidInput
from app.store.base import GraphStore

AFTER = date(2020, 1, 1)
"""After Aarhus MSB's reorganisation of 2019-08-01."""
BEFORE = date(2019, 5, 1)
"""Before it."""
UJU = "aarhus-msb-unge-job-og-uddannelse"


def listed(
    store: GraphStore,
    label: str,
    flt: NameFilter | None = None,
    on: date = AFTER,
    order: tuple[Order, ...] = (),
    **page: int | str | None,
) -> ListPage:
    return list_nodes(store, ListRequest(label, flt, order, PageArgs(**page), on))  # type: ignore[arg-type]


def uids(page: ListPage) -> set[str]:
    return {item.uid for item in page.items}


def walk(store: GraphStore, label: str, flt: NameFilter | None, order: tuple[Order, ...], size: int) -> list[str]:
    """Every uid of the list, page by page forwards."""
    seen: list[str] = []
    after: str | None = None
    while True:
        page = listed(store, label, flt, order=order, first=size, after=after)
        assert len(page.items) <= size
        seen += [item.uid for item in page.items]
        assert page.has_previous_page == (after is not None)
        if not page.has_next_page:
            assert len(seen) == page.total_count
            return seen
        after = page.end_cursor


# --- filters ---------------------------------------------------------------------------------------------------


def test_units_of_a_municipality(seeded_store: GraphStore) -> None:
    everything = listed(seeded_store, "Unit", first=MAX_PAGE_SIZE)
    aarhus = listed(seeded_store, "Unit", UnitFilter(municipality="Aarhus"), first=MAX_PAGE_SIZE)
    assert 0 < aarhus.total_count < everything.total_count
    assert all(uid.startswith("aarhus-") for uid in uids(aarhus))
    assert UJU in uids(aarhus)


def test_units_under_a_unit_follow_the_date(seeded_store: GraphStore) -> None:
    flt = UnitFilter(municipality="aarhus", part_of="Unge, Job og Uddannelse")
    assert uids(listed(seeded_store, "Unit", flt)) == {"aarhus-msb-ungdomscenteret"}
    assert uids(listed(seeded_store, "Unit", flt, on=BEFORE)) == set(), "UJU did not exist yet"
    anytime = listed(seeded_store, "Unit", UnitFilter(municipality="aarhus", part_of=UJU, any_date=True), on=BEFORE)
    assert "aarhus-msb-ungdomscenteret" in uids(anytime)


def test_units_of_an_administration(seeded_store: GraphStore) -> None:
    msb = listed(seeded_store, "Unit", UnitFilter(administration="MSB"), first=MAX_PAGE_SIZE)
    assert UJU in uids(msb)
    assert all(uid.startswith("aarhus-msb-") for uid in uids(msb))
    with pytest.raises(InvalidInput) as ambiguous:
        listed(seeded_store, "Unit", UnitFilter(administration="Socialforvaltningen"))
    assert ambiguous.value.field == "filter.administration"
    assert "kbh-sof" in ambiguous.value.suggestions


def test_units_by_kind(seeded_store: GraphStore) -> None:
    page = listed(seeded_store, "Unit", UnitFilter(municipality="Aarhus", kind=("driftsområde",)), first=50)
    assert UJU in uids(page)
    assert {item.props["kind"] for item in page.items} == {"driftsområde"}
    with pytest.raises(InvalidInput) as bad:
        listed(seeded_store, "Unit", UnitFilter(kind=("afdelingen",)))
    assert bad.value.field == "filter.kind"


def test_units_with_a_tilbud_under_a_paragraph(seeded_store: GraphStore) -> None:
    # SORAS samværstilbud (SEL §104) moved from Borgercenter Midt to Unge, Job og Uddannelse on 2019-08-01
    flt = UnitFilter(tilbud=TilbudFilter(paragraph="serviceloven § 104"))
    assert uids(listed(seeded_store, "Unit", flt)) == {UJU}
    assert uids(listed(seeded_store, "Unit", flt, on=BEFORE)) == {"aarhus-msb-borgercenter-midt"}


def test_units_covering_an_age_and_condition(seeded_store: GraphStore) -> None:
    flt = UnitFilter(municipality="Aarhus", covers_age=17, condition="autisme")
    assert uids(listed(seeded_store, "Unit", flt)) == {UJU}, "Unge 15-29 år, no conditions = all"
    adults = uids(listed(seeded_store, "Unit", UnitFilter(municipality="Aarhus", covers_age=40, condition="ASF")))
    assert "aarhus-msb-voksne-job-og-handicap" in adults, "30-66 år with udviklingsforstyrrelse, broader of autisme"
    assert UJU not in adults


def test_tilbud_filters(seeded_store: GraphStore) -> None:
    everything = listed(seeded_store, "Tilbud", first=MAX_PAGE_SIZE)
    by_paragraph = listed(seeded_store, "Tilbud", TilbudFilter(paragraph="SEL §104"))
    assert uids(by_paragraph) == {"aarhus-soras-samvaerstilbud"}
    assert by_paragraph.total_count < everything.total_count
    soras = listed(seeded_store, "Tilbud", TilbudFilter(unit="Unge, Job og Uddannelse", name_contains="soras"))
    assert uids(soras) == {"aarhus-soras-samvaerstilbud", "aarhus-soras-kollegiet", "aarhus-soras-bostoette"}
    autism = uids(listed(seeded_store, "Tilbud", TilbudFilter(condition="ASF", covers_age=20)))
    assert autism == {
        "aarhus-soras-samvaerstilbud",
        "aarhus-soras-kollegiet",
        "aarhus-soras-bostoette",
        "aarhus-lyngaaskolen-stu",  # serves 'handicap', broader than autisme
    }
    botilbud = listed(seeded_store, "Tilbud", TilbudFilter(tilbud_type="BOTILBUD"))
    assert uids(botilbud) == {"aarhus-halvvejshuset"}
    in_aarhus = listed(seeded_store, "Tilbud", TilbudFilter(municipality="Aarhus"), first=MAX_PAGE_SIZE)
    assert in_aarhus.total_count == everything.total_count, "every seeded tilbud is in Aarhus"
    assert listed(seeded_store, "Tilbud", TilbudFilter(municipality="Silkeborg")).total_count == 0


def test_unknown_terms_are_invalid_input_with_suggestions(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as town:
        listed(seeded_store, "Tilbud", TilbudFilter(municipality="Aarhuus"))
    assert town.value.field == "filter.municipality"
    assert "Aarhus" in town.value.suggestions
    with pytest.raises(InvalidInput) as condition:
        listed(seeded_store, "Unit", UnitFilter(condition="autisme2"))
    assert condition.value.field == "filter.condition"
    with pytest.raises(InvalidInput) as paragraph:
        listed(seeded_store, "Unit", UnitFilter(tilbud=TilbudFilter(paragraph="SEL §9999")))
    assert paragraph.value.field == "filter.tilbud.paragraph"


def test_paragraph_filters_and_validity(seeded_store: GraphStore) -> None:
    flt = ParagraphFilter(law="sel", number="52")
    assert uids(listed(seeded_store, "Paragraph", flt)) == {"sel-52"}
    assert uids(listed(seeded_store, "Paragraph", flt, on=date(2025, 1, 1))) == set(), "replaced by BL in 2024"
    assert uids(listed(seeded_store, "Paragraph", ParagraphFilter(law="SEL", number="52", any_date=True))) == {"sel-52"}
    unconfirmed = listed(seeded_store, "Paragraph", ParagraphFilter(unconfirmed=True), first=MAX_PAGE_SIZE)
    assert {"sel-82", "sel-82c"} <= uids(unconfirmed)
    assert all(item.props.get("unconfirmed") for item in unconfirmed.items)
    assert "sel-52a" in uids(listed(seeded_store, "Paragraph", ParagraphFilter(name_starts_with="SEL §52")))


def test_target_groups(seeded_store: GraphStore) -> None:
    flt = TargetGroupFilter(covers_age=17, condition="autisme", municipality="aarhus")
    assert uids(listed(seeded_store, "TargetGroup", flt)) == {
        "aarhus-tg-autisme",
        "aarhus-tg-familier-12-17",
        "aarhus-tg-15-29",
        "aarhus-tg-unge-udsatte-og-unge-med-handicap",
    }
    kbh = uids(listed(seeded_store, "TargetGroup", TargetGroupFilter(municipality="København"), first=50))
    assert "kbh-tg-fa-hjemloese" in kbh, "named by a focus area only"
    assert not any(uid.startswith("aarhus") for uid in kbh)


def test_conditions_by_synonym_and_english(seeded_store: GraphStore) -> None:
    assert uids(listed(seeded_store, "Condition", ConditionFilter(name_contains="ASF"))) == {"autisme"}
    assert "hjemloeshed" in uids(listed(seeded_store, "Condition", ConditionFilter(name_contains="homeless")))
    assert "hjemloeshed" in uids(listed(seeded_store, "Condition", ConditionFilter(name_contains="HJEMLOS")))
    starting = uids(listed(seeded_store, "Condition", ConditionFilter(name_starts_with="autism")))
    assert starting == {"autisme"}, "name, English term and synonyms"
    assert uids(listed(seeded_store, "Condition", ConditionFilter(name_starts_with="spectrum"))) == set()


def test_reorganisations_and_focus_areas(seeded_store: GraphStore) -> None:
    assert uids(listed(seeded_store, "Reorganisation", ReorganisationFilter(municipality="Aarhus"))) == {
        "aarhus-msb-2019"
    }
    decided = ReorganisationFilter(
        status=("besluttet",), effective_from=date(2008, 7, 1), effective_to=date(2025, 1, 1)
    )
    assert uids(listed(seeded_store, "Reorganisation", decided)) == {"kbh-sof-2008", "kbh-sof-2025"}
    areas = listed(seeded_store, "FocusArea", FocusAreaFilter(municipality="København", any_date=True))
    assert "Afskaffelse af hjemløshed i København" in {item.props["name"] for item in areas.items}
    assert listed(seeded_store, "FocusArea", FocusAreaFilter(municipality="Silkeborg", any_date=True)).total_count == 0


def test_responsibility_rules(seeded_store: GraphStore) -> None:
    held = listed(seeded_store, "ResponsibilityRule", ResponsibilityRuleFilter(holder=UJU, kind="udforer"))
    assert uids(held) == {
        "aarhus-ansvar-uju-udfoerer-15-29",
        "aarhus-ansvar-uju-udfoerer-handicap-15-17",
        "aarhus-ansvar-uju-udfoerer-doegnindsats-15-17",
    }
    assert listed(seeded_store, "ResponsibilityRule", ResponsibilityRuleFilter(holder=UJU), on=BEFORE).total_count == 0
    sel52 = uids(listed(seeded_store, "ResponsibilityRule", ResponsibilityRuleFilter(paragraph="SEL §52")))
    assert "aarhus-ansvar-uju-myndighed-sel52-52a-15-17" in sel52
    case = ResponsibilityRuleFilter(municipality="Aarhus", kind="myndighed", covers_age=17, condition="autisme")
    found = uids(listed(seeded_store, "ResponsibilityRule", case))
    assert {"aarhus-ansvar-uju-myndighed-15-29", "aarhus-ansvar-uju-myndighed-sel52-52a-15-17"} <= found
    assert "aarhus-ansvar-uju-myndighed-eftervaern-18-23" not in found


def test_administrations_of_a_municipality(seeded_store: GraphStore) -> None:
    page = listed(seeded_store, "Administration", AdministrationFilter(municipality="Aarhus"))
    assert {"aarhus-msb", "aarhus-mbu", "aarhus-mso"} <= uids(page)
    assert "aarhus-msb-socialforvaltningen" not in uids(page), "ended 2019-07-31"
    assert "aarhus-msb-socialforvaltningen" in uids(listed(seeded_store, "Administration", on=BEFORE))


def test_name_filters_fold_case_and_danish_letters(seeded_store: GraphStore) -> None:
    for text in ("BØRN", "born", "boern"):
        page = listed(seeded_store, "Unit", UnitFilter(name_starts_with=text, municipality="Aarhus"))
        assert "aarhus-msb-boern-familier-og-faellesskaber" in uids(page), text
    by_short = listed(seeded_store, "Administration", AdministrationFilter(name_contains="msb"))
    assert uids(by_short) == {"aarhus-msb"}


# --- pages and order -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Unit", "Paragraph", "TargetGroup"])
def test_walking_the_pages_visits_every_row_once(seeded_store: GraphStore, label: str) -> None:
    flt = {"Unit": UnitFilter, "Paragraph": ParagraphFilter, "TargetGroup": TargetGroupFilter}[label](any_date=True)
    walked = walk(seeded_store, label, flt, (), 7)
    assert len(walked) == len(set(walked)), "no row twice"
    total = listed(seeded_store, label, flt, first=1).total_count
    assert len(walked) == total
    whole = [item.uid for item in listed(seeded_store, label, flt, first=MAX_PAGE_SIZE).items]
    assert walked[: len(whole)] == whole, "pages continue exactly where the last one ended"


def test_name_order_is_danish_both_ways(seeded_store: GraphStore) -> None:
    flt = UnitFilter(any_date=True)
    ascending = listed(seeded_store, "Unit", flt, first=MAX_PAGE_SIZE)
    keys = [(sort_key(str(item.props["name"])), item.uid) for item in ascending.items]
    assert keys == sorted(keys)
    names = [str(item.props["name"]) for item in ascending.items]
    last_plain = max(i for i, n in enumerate(names) if n[0].lower() in "abcdefghijklmnopqrstuvwxyz")
    assert all(n[0] in "ÆØÅæøå" for n in names[last_plain + 1 :]), "æ, ø, å after z"
    assert any(n.startswith("Ø") for n in names)
    descending = walk(seeded_store, "Unit", flt, (Order("NAME", descending=True),), 9)
    assert descending == list(reversed(walk(seeded_store, "Unit", flt, (), 9)))


def test_order_by_valid_from(seeded_store: GraphStore) -> None:
    page = listed(seeded_store, "Unit", UnitFilter(any_date=True), order=(Order("VALID_FROM"),), first=MAX_PAGE_SIZE)
    starts = [item.props.get("valid_from") for item in page.items]
    known = [d for d in starts if d is not None]
    assert starts[: starts.count(None)] == [None] * starts.count(None), "open starts first"
    assert known == sorted(known)


def test_backward_pages(seeded_store: GraphStore) -> None:
    flt = UnitFilter(municipality="Aarhus")
    forward = [item.uid for item in listed(seeded_store, "Unit", flt, first=MAX_PAGE_SIZE).items]
    last = listed(seeded_store, "Unit", flt, last=5)
    assert [item.uid for item in last.items] == forward[-5:]
    assert last.has_previous_page
    assert not last.has_next_page
    before = listed(seeded_store, "Unit", flt, last=5, before=last.start_cursor)
    assert [item.uid for item in before.items] == forward[-10:-5]
    assert before.has_next_page
    assert before.has_previous_page


def test_page_size_limit_and_bad_cursors(seeded_store: GraphStore) -> None:
    with pytest.raises(InvalidInput) as too_many:
        listed(seeded_store, "Unit", first=MAX_PAGE_SIZE + 1)
    assert too_many.value.field == "first"
    with pytest.raises(InvalidInput) as too_many_last:
        listed(seeded_store, "Unit", last=MAX_PAGE_SIZE + 1)
    assert too_many_last.value.field == "last"
    page = listed(seeded_store, "Unit", first=2)
    assert page.end_cursor is not None
    for bad in (
        "garbage",
        page.end_cursor[:-2] + "AA",
        base64.urlsafe_b64encode(b'["Unit","NAME:asc","a","b"]').decode(),
    ):
        with pytest.raises(InvalidInput) as refused:
            listed(seeded_store, "Unit", first=2, after=bad)
        assert refused.value.field == "after"
    foreign = listed(seeded_store, "Tilbud", first=2).end_cursor
    with pytest.raises(InvalidInput) as other_list:
        listed(seeded_store, "Unit", first=2, after=foreign)
    assert other_list.value.field == "after"
    with pytest.raises(InvalidInput) as other_order:
        listed(seeded_store, "Unit", order=(Order("UID"),), first=2, after=page.end_cursor)
    assert other_order.value.field == "after"
    with pytest.raises(InvalidInput) as bad_order:
        listed(seeded_store, "Unit", order=(Order("EFFECTIVE_ON"),))
    assert bad_order.value.field == "orderBy"


def test_cursor_round_trip_and_folding() -> None:
    cursor = encode_cursor("Unit", "NAME:asc", "børn", "x")
    assert decode_cursor(cursor, field="after", kind="Unit", order="NAME:asc", key_type=str) == ("børn", "x")
    assert fold_long("Århus BØRN") == "aarhus boern"
    assert fold_short("Århus BØRN") == "arhus born"
    assert sorted(["Øster", "Zebra", "Ærø", "Århus", "abe"], key=sort_key) == ["abe", "Zebra", "Ærø", "Øster", "Århus"]


def test_an_empty_page_still_counts(seeded_store: GraphStore) -> None:
    page = listed(seeded_store, "Unit", UnitFilter(municipality="Silkeborg"), first=0)
    assert page.items == ()
    assert page.total_count > 0
    assert page.has_next_page
    assert page.end_cursor is None
