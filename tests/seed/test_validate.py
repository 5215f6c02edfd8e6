"""Validation of seed files: every kind of bad input is reported with file, line and field, all at once.

No database here: `load_seed` only reads files.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest

from app.errors import SocialatlasError
from app.schema import Schema, load_schema
from app.seed import Problem, SeedInvalid, load_seed

VALID = Path(__file__).parent / "fixtures" / "valid"

SOURCES = """\
sources:
  - uid: doc.txt
    name: Et dokument
    kind: dokument
"""
CITE = """\
    source:
      document: doc.txt
      section: Afsnit 1
      quote: et citat
"""


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def write_seed(root: Path, files: dict[str, str]) -> Path:
    seed_dir = root / "seed"
    for name, text in {"sources.yaml": SOURCES, **files}.items():
        path = seed_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return seed_dir


def problems_of(tmp_path: Path, schema: Schema, files: dict[str, str]) -> list[Problem]:
    seed_dir = write_seed(tmp_path, files)
    with pytest.raises(SeedInvalid) as caught:
        load_seed(seed_dir, schema)
    assert caught.value.problems, "SeedInvalid must list its problems"
    return caught.value.problems


def the_problem(problems: list[Problem], file: str, line: int, field: str, *needles: str) -> Problem:
    """The one problem at file:line with that field, whose message contains every needle."""
    matches = [p for p in problems if p.file.endswith(file) and p.line == line and p.field == field]
    assert matches, f"no problem at {file}:{line} {field}; got:\n" + "\n".join(map(str, problems))
    problem = matches[0]
    for needle in needles:
        assert needle in problem.message, str(problem)
    return problem


def unit(extra: str = "", *, uid: str = "kbh-enhed", cite: bool = True) -> str:
    """A valid unit entry (lines 2-4 of a units file), with `extra` lines after its kind."""
    body = f"  - uid: {uid}\n    name: En enhed\n    kind: center\n{extra}"
    return body + (CITE if cite else "")


# -- the valid fixture ---------------------------------------------------------------------------------------


def test_the_valid_fixture_loads_with_every_collection_and_relationship_type(schema: Schema) -> None:
    seed = load_seed(VALID, schema)
    assert {n.label for n in seed.nodes} == {label for label, spec in schema.nodes.items() if spec.seed_key}
    assert {r.type for r in seed.relationships} == set(schema.relationships)
    assert len(seed.files) == 7
    unit = next(n for n in seed.nodes if n.uid == "aarhus-msb-unge-job-og-uddannelse")
    assert unit.props["valid_from"] == dt.date(2019, 8, 1)
    assert unit.props["seed_file"] == "aarhus/organisation.yaml"
    assert unit.props["source_documents"] == ["notat.txt", "notat.txt"]
    assert unit.props["inferred"] is False
    rule = next(n for n in seed.nodes if n.uid == "aarhus-myndighed-unge-autisme")
    assert rule.props["inferred"] is True
    assert "udledt" in str(rule.props["inferred_reason"])
    figure = next(n for n in seed.nodes if n.uid == "aarhus-msb-budget")
    assert figure.props["value"] == 417.0


def test_a_relationship_without_its_own_provenance_cites_its_entrys(schema: Schema) -> None:
    seed = load_seed(VALID, schema)
    entry = next(n for n in seed.nodes if n.uid == "aarhus-msb-unge-job-og-uddannelse")
    part_of = next(r for r in seed.relationships if r.type == "PART_OF" and r.from_uid == entry.uid)
    serves = next(r for r in seed.relationships if r.type == "SERVES" and r.from_uid == entry.uid)
    assert serves.props["source_quotes"] == entry.props["source_quotes"]
    assert part_of.props["source_quotes"] == ["Aarhus Kommune samler"]
    inferred = next(r for r in seed.relationships if r.type == "BELONGS_TO" and r.props.get("inferred"))
    owner = next(n for n in seed.nodes if n.uid == inferred.from_uid)
    assert inferred.props["source_documents"] == owner.props["source_documents"]
    assert owner.props["inferred"] is False


def test_numbers_and_dates_written_for_a_text_property_keep_their_text(tmp_path: Path, schema: Schema) -> None:
    text = "paragraphs:\n  - uid: sel-52\n    name: SEL §52\n    law: SEL\n    number: 52\n    heading: 1.10\n"
    seed_dir = write_seed(tmp_path, {"p.yaml": text + CITE})
    (node,) = [n for n in load_seed(seed_dir, schema).nodes if n.label == "Paragraph"]
    assert node.props["number"] == "52"
    assert node.props["heading"] == "1.10"


# -- one test per kind of bad input --------------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit() + "  - uid: [unclosed\n"})
    the_problem(problems, "units.yaml", 10, "", "malformed YAML", "column")


def test_a_top_level_key_that_is_no_collection(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "unitz:\n" + unit()})
    the_problem(problems, "units.yaml", 1, "unitz", "not a collection", "did you mean 'units'")


def test_an_unknown_field_suggests_the_close_one(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit("    naem: x\n")})
    the_problem(problems, "units.yaml", 5, "units[0].naem", "unknown field", "did you mean 'name'")


def test_a_missing_required_property(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n  - uid: kbh-enhed\n    name: En enhed\n" + CITE
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 2, "units[0].kind", "missing required property 'kind'")


def test_text_for_a_number_and_text_for_a_list(tmp_path: Path, schema: Schema) -> None:
    positions = "positions:\n  - uid: kbh-chef\n    title: Chef\n    level: abc\n" + CITE
    conditions = "conditions:\n  - uid: autisme\n    name: autisme\n    synonyms: ASF\n" + CITE
    problems = problems_of(tmp_path, schema, {"positions.yaml": positions, "conditions.yaml": conditions})
    the_problem(problems, "positions.yaml", 4, "positions[0].level", "expected a whole number", "'abc'")
    the_problem(problems, "conditions.yaml", 4, "conditions[0].synonyms", "expected a list")


def test_an_enum_value_that_is_not_allowed_lists_the_allowed(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n  - uid: kbh-enhed\n    name: En enhed\n    kind: centre\n" + CITE
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    problem = the_problem(problems, "units.yaml", 4, "units[0].kind", "'centre' is not allowed", "'direktion'")
    assert "did you mean 'center'" in problem.message


def test_a_number_outside_min_and_max(tmp_path: Path, schema: Schema) -> None:
    text = "positions:\n  - uid: kbh-chef\n    title: Chef\n    level: 9\n" + CITE
    problems = problems_of(tmp_path, schema, {"positions.yaml": text})
    the_problem(problems, "positions.yaml", 4, "positions[0].level", "above the maximum 5")


def test_an_impossible_date_is_reported_not_crashed_on(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit("    valid_from: 2019-02-30\n")})
    the_problem(problems, "units.yaml", 5, "units[0].valid_from", "impossible date '2019-02-30'")


def test_a_date_with_a_time_or_a_word_is_not_a_date(tmp_path: Path, schema: Schema) -> None:
    extra = "    valid_from: 2019-08-01T10:00:00\n    valid_to: snart\n"
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit(extra)})
    the_problem(problems, "units.yaml", 5, "units[0].valid_from", "without a time")
    the_problem(problems, "units.yaml", 6, "units[0].valid_to", "expected a date", "'snart'")


def test_valid_to_before_valid_from(tmp_path: Path, schema: Schema) -> None:
    extra = "    valid_from: 2020-01-01\n    valid_to: 2019-12-31\n"
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit(extra)})
    the_problem(problems, "units.yaml", 6, "units[0].valid_to", "2019-12-31 is before valid_from 2020-01-01")


def test_age_min_above_age_max(tmp_path: Path, schema: Schema) -> None:
    text = "target_groups:\n  - uid: kbh-unge\n    name: Unge\n    age_min: 30\n    age_max: 18\n" + CITE
    problems = problems_of(tmp_path, schema, {"groups.yaml": text})
    the_problem(problems, "groups.yaml", 5, "target_groups[0].age_max", "18 is below age_min 30")


def test_a_duplicate_uid_is_reported_in_both_places(tmp_path: Path, schema: Schema) -> None:
    files = {"a.yaml": "units:\n" + unit(), "b/c.yaml": "administrations:\n  - uid: kbh-enhed\n    name: X\n" + CITE}
    problems = problems_of(tmp_path, schema, files)
    the_problem(problems, "a.yaml", 2, "units[0].uid", "duplicate uid 'kbh-enhed'", "b/c.yaml:2")
    the_problem(problems, "b/c.yaml", 2, "administrations[0].uid", "duplicate uid 'kbh-enhed'", "a.yaml:2")


def test_a_bad_uid_suggests_a_slug(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit(uid="København Øst")})
    the_problem(problems, "units.yaml", 2, "units[0].uid", "bad uid", "'koebenhavn-oest'")


def test_a_relationship_to_an_unknown_uid_suggests_close_ones(tmp_path: Path, schema: Schema) -> None:
    conditions = "conditions:\n  - uid: aarhus-msc\n    name: ikke en enhed\n" + CITE
    text = "units:\n" + unit(uid="aarhus-msb") + unit("    part_of:\n      - to: aarhus-msbb\n", uid="kbh-b")
    problems = problems_of(tmp_path, schema, {"units.yaml": text, "conditions.yaml": conditions})
    problem = the_problem(problems, "units.yaml", 13, "units[1].part_of[0].to", "unknown uid 'aarhus-msbb'")
    assert str(problem).endswith(
        "units.yaml:13: units[1].part_of[0].to: unknown uid 'aarhus-msbb' (did you mean 'aarhus-msb'?)"
    ), "suggests only uids the relationship may point to"


def test_a_relationship_to_a_label_the_schema_does_not_allow(tmp_path: Path, schema: Schema) -> None:
    conditions = "conditions:\n  - uid: autisme\n    name: autisme\n" + CITE
    text = "units:\n" + unit("    part_of:\n      - autisme\n")
    problems = problems_of(tmp_path, schema, {"units.yaml": text, "conditions.yaml": conditions})
    the_problem(problems, "units.yaml", 6, "units[0].part_of[0]", "'autisme' is a Condition", "Administration")


def test_a_relationship_item_with_an_unknown_key(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n" + unit(uid="kbh-a") + unit("    part_of:\n      - to: kbh-a\n        valid_form: 2020-01-01\n")
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 14, "units[1].part_of[0].valid_form", "unknown key", "'valid_from'")


def test_missing_provenance(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n" + unit("    inferred: Det fremgår af sammenhængen.\n", cite=False)
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 2, "units[0].source", "missing provenance")


def test_a_cited_document_that_is_not_a_source(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n" + unit(cite=False) + CITE.replace("doc.txt", "dok.txt")
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 6, "units[0].source.document", "unknown source document", "'doc.txt'")


def test_an_empty_quote_and_an_empty_section(tmp_path: Path, schema: Schema) -> None:
    cite = CITE.replace("Afsnit 1", '""').replace("et citat", "")
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit(cite=False) + cite})
    the_problem(problems, "units.yaml", 7, "units[0].source.section", "is empty")
    the_problem(problems, "units.yaml", 8, "units[0].source.quote", "has no value")


def test_inferred_must_be_a_sentence(tmp_path: Path, schema: Schema) -> None:
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + unit("    inferred: true\n")})
    the_problem(problems, "units.yaml", 5, "units[0].inferred", "a sentence", "true")


def test_a_relationship_period_outside_its_ends(tmp_path: Path, schema: Schema) -> None:
    parent = unit("    valid_from: 2019-08-01\n", uid="kbh-a")
    child = unit("    part_of:\n      - to: kbh-a\n        valid_from: 2018-01-01\n", uid="kbh-b")
    problems = problems_of(tmp_path, schema, {"units.yaml": "units:\n" + parent + child})
    the_problem(problems, "units.yaml", 15, "units[1].part_of[0].valid_from", "before 'kbh-a' exists")


# -- more structure ------------------------------------------------------------------------------------------


def test_duplicate_keys_and_duplicate_relationships(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n" + unit(uid="kbh-a") + unit("    name: Igen\n    part_of:\n      - kbh-a\n      - kbh-a\n")
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 12, "units[1].name", "duplicate key (first at line 10)")
    the_problem(problems, "units.yaml", 15, "units[1].part_of[1]", "duplicate relationship to 'kbh-a'")


def test_source_and_sources_together_and_an_empty_sources_list(tmp_path: Path, schema: Schema) -> None:
    text = "units:\n" + unit("    sources: []\n") + unit("    sources: []\n", uid="kbh-b", cite=False)
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    the_problem(problems, "units.yaml", 5, "units[0].sources", "either `source` or `sources`")
    the_problem(problems, "units.yaml", 13, "units[1].sources", "an empty list")


def test_structure_problems_a_list_where_an_entry_belongs(tmp_path: Path, schema: Schema) -> None:
    files = {"a.yaml": "- units\n", "b.yaml": "units: kbh-a\n", "c.yaml": "units:\n  - kbh-a\n"}
    problems = problems_of(tmp_path, schema, files)
    the_problem(problems, "a.yaml", 1, "", "expected collections")
    the_problem(problems, "b.yaml", 1, "units", "expected a list of entries")
    the_problem(problems, "c.yaml", 2, "units[0]", "expected an entry")


def test_entries_of_sources_need_no_provenance_but_others_cannot_cite_them_wrongly(
    tmp_path: Path, schema: Schema
) -> None:
    text = "units:\n" + unit(uid="kbh-a") + unit(cite=False) + CITE.replace("doc.txt", "kbh-a")
    problems = problems_of(tmp_path, schema, {"units.yaml": text})
    assert [p.field for p in problems] == ["units[1].source.document"]
    assert "'kbh-a' is a Unit" in problems[0].message


def test_three_errors_in_three_files_are_all_reported(tmp_path: Path, schema: Schema) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(VALID, seed_dir)
    org, reorg, strategy = (seed_dir / "aarhus" / name for name in ("organisation", "reorganisation", "strategy"))
    org = org.with_suffix(".yaml")
    org.write_text(org.read_text(encoding="utf-8") + "  - uid: [unclosed\n", encoding="utf-8")
    reorg = reorg.with_suffix(".yaml")
    reorg.write_text(reorg.read_text(encoding="utf-8").replace("\n    name:", "\n    naem:", 1), encoding="utf-8")
    strategy = strategy.with_suffix(".yaml")
    text = strategy.read_text(encoding="utf-8")
    strategy.write_text(text.replace("    source:", "    valid_from: 2019-02-30\n    source:", 1), encoding="utf-8")
    with pytest.raises(SeedInvalid) as caught:
        load_seed(seed_dir, schema)
    problems = caught.value.problems
    assert {Path(p.file).name for p in problems} == {"organisation.yaml", "reorganisation.yaml", "strategy.yaml"}
    assert len(problems) == 3, "\n".join(map(str, problems))
    text = str(caught.value)
    assert text.startswith("3 problems in the seed files:")
    assert "naem" in text
    assert "2019-02-30" in text
    assert "malformed YAML" in text


def test_seed_invalid_is_a_project_error_with_a_code() -> None:
    error = SeedInvalid([Problem("seed/a.yaml", 3, "units[0].kind", "missing")])
    assert isinstance(error, SocialatlasError)
    assert error.code == "SEED_INVALID"
    assert str(error.problems[0]) == "seed/a.yaml:3: units[0].kind: missing"


def test_a_missing_folder_is_reported(tmp_path: Path, schema: Schema) -> None:
    with pytest.raises(SeedInvalid, match="not a folder"):
        load_seed(tmp_path / "nowhere", schema)


def test_validation_knows_only_what_the_schema_declares(tmp_path: Path, schema: Schema) -> None:
    """A different schema, a different format: no label or property is known to the loader by name."""
    from app.schema.model import parse_schema

    raw = {
        "provenance": {name: {"type": spec.type} for name, spec in schema.provenance.items()},
        "common": {name: {"type": "string" if name != "seed_order" else "int"} for name in
                   ("uid", "note", "seed_file", "seed_order")},
        "nodes": {
            "Doc": {"seed": "sources", "properties": {"title": {"type": "string"}}},
            "Gadget": {"seed": "gadgets", "temporal": True,
                       "properties": {"weight": {"type": "float", "required": True}}},
        },
        "relationships": {"FITS": {"seed": "fits", "from": ["Gadget"], "to": ["Gadget"]}},
    }  # fmt: skip
    tiny = parse_schema(raw, tmp_path / "tiny.yaml")
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "a.yaml").write_text(
        "sources:\n  - uid: d.txt\n    title: D\n"
        "gadgets:\n  - uid: g-1\n    weight: 2\n    fits:\n      - g-2\n"
        "    source:\n      document: d.txt\n      section: s\n      quote: q\n"
        "  - uid: g-2\n    wieght: 1\n    source:\n      document: d.txt\n      section: s\n      quote: q\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedInvalid) as caught:
        load_seed(seed_dir, tiny)
    assert [(p.line, p.field) for p in caught.value.problems] == [(14, "gadgets[1].wieght")]
    assert "did you mean 'weight'" in caught.value.problems[0].message
