"""The canonical form: one emitter for export and format, so a round trip gives the same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.schema import Schema, load_schema
from app.seed import dump_canonical, format_seed_dir, load_seed
from app.seed.model import SEED_ORDER, NodeRecord, SeedSet

VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def records(seed: SeedSet) -> tuple[list[NodeRecord], list[object]]:
    """What a seed means, independent of how its files are written (entry positions aside)."""
    nodes = sorted(
        (NodeRecord(n.label, {k: v for k, v in n.props.items() if k != SEED_ORDER}) for n in seed.nodes),
        key=lambda n: n.uid,
    )
    return nodes, sorted(seed.relationships, key=repr)


def test_the_fixture_is_in_canonical_form(schema: Schema) -> None:
    assert format_seed_dir(VALID, schema, check_only=True) == []


def test_format_finds_rewrites_and_then_accepts_a_non_canonical_file(tmp_path: Path, schema: Schema) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(VALID, seed_dir)
    path = seed_dir / "taxonomy" / "conditions.yaml"
    meaning = records(load_seed(seed_dir, schema))
    path.write_text(
        "# a comment\n"
        "conditions:\n"
        '- name: "udviklingsforstyrrelse"\n'  # keys out of order, needless quotes, other indentation
        "  uid: udviklingsforstyrrelse\n"
        "  english: developmental disorder\n"
        "  sources:\n"  # one citation as a list
        "  - {document: law.md, section: Målgrupper, quote: udviklingsforstyrrelse}\n"
        "- uid: autisme\n  name: autisme\n  english: autism\n  synonyms: [ASF, autismespektrumforstyrrelse]\n"
        "  broader:\n  - to: udviklingsforstyrrelse\n"  # a mapping with nothing but `to`
        "  source: {document: law.md, section: Målgrupper, quote: autisme}\n"
        "target_groups:\n"  # collections out of schema order
        "- uid: aarhus-unge-15-29-med-autisme\n  name: Unge 15-29 år med autisme\n  age_min: 15\n  age_max: 29\n"
        "  conditions: [autisme]\n"
        "  source:\n    document: notat.txt\n    section: 2 Driftsområder\n    quote: unge mellem 15 og 29 år\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    assert format_seed_dir(seed_dir, schema, check_only=True) == [path]
    assert path.read_bytes() == before, "check_only writes nothing"
    assert format_seed_dir(seed_dir, schema, check_only=False) == [path]
    assert format_seed_dir(seed_dir, schema, check_only=True) == []
    assert records(load_seed(seed_dir, schema)) == meaning
    expected = (VALID / "taxonomy" / "conditions.yaml").read_text(encoding="utf-8")
    # the same entries, in the order this file had them
    assert sorted(path.read_text(encoding="utf-8").splitlines()) == sorted(expected.splitlines())


def test_items_are_sorted_and_redundant_item_provenance_is_dropped(tmp_path: Path, schema: Schema) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(VALID, seed_dir)
    path = seed_dir / "aarhus" / "organisation.yaml"
    text = path.read_text(encoding="utf-8")
    first = "      - to: aarhus-msb-voksenhandicap\n        valid_to: 2019-07-31\n"
    second_start = text.index(
        "      - to: aarhus-msb-unge-job-og-uddannelse\n        valid_from: 2019-08-01\n        inferred"
    )
    second_end = text.index("    paragraphs:\n      - sel-52\n")
    second = text[second_start:second_end]
    swapped = text.replace(first + second, second + first)
    redundant = swapped.replace(
        "      - aarhus-msb\n",
        "      - to: aarhus-msb\n        source:\n          document: notat.txt\n          section: 2 Driftsområder\n"
        "          quote: direktøren\n",
    )
    assert redundant != text
    path.write_text(redundant, encoding="utf-8")
    assert format_seed_dir(seed_dir, schema, check_only=False) == [path]
    assert path.read_bytes() == (VALID / "aarhus" / "organisation.yaml").read_bytes()


def test_tricky_text_survives_the_emitter(tmp_path: Path, schema: Schema) -> None:
    names = [
        "2019-08-01", "yes", "true", "52", "1.10", "null", "~", "a: b", "# nej", "- punkt", "'citat'", '"dobbelt"',
        "æøå ÆØÅ – §52", "  indrykket", "slut ", "@x", "[liste]", "{kort}", "*stjerne", "&og", "!tag", "%p", "a " * 80,
    ]  # fmt: skip
    notes = ["første linje\nanden linje", "med slut-linjeskift\n", "  indrykket start\nx", "tom\n\nlinje", "hale \nx"]
    cite = "    source:\n      document: doc.txt\n      section: s\n      quote: q\n"
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "sources.yaml").write_text("sources:\n  - uid: doc.txt\n    name: D\n    kind: dokument\n")
    import json

    entries = "".join(
        f"  - uid: c-{i}\n    name: {json.dumps(name, ensure_ascii=False)}\n"
        + (f"    note: {json.dumps(notes[i], ensure_ascii=False)}\n" if i < len(notes) else "")
        + cite
        for i, name in enumerate(names)
    )
    (seed_dir / "conditions.yaml").write_text("conditions:\n" + entries, encoding="utf-8")
    seed = load_seed(seed_dir, schema)
    assert [n.props["name"] for n in seed.nodes if n.label == "Condition"] == names
    format_seed_dir(seed_dir, schema, check_only=False)
    again = load_seed(seed_dir, schema)
    assert records(again) == records(seed)
    assert format_seed_dir(seed_dir, schema, check_only=True) == []
    text = (seed_dir / "conditions.yaml").read_text(encoding="utf-8")
    assert "name: æøå ÆØÅ – §52\n" in text, "no escaping of Danish letters"
    assert "note: |-\n      første linje\n      anden linje\n" in text, "multi-line text as a block"
    assert "name: '2019-08-01'\n" in text
    assert "name: '52'\n" in text
    assert "name: 'yes'\n" in text
    assert max(len(line) for line in text.splitlines()) > 160, "long text is not wrapped"


def test_an_empty_file_is_canonical_when_empty(schema: Schema) -> None:
    assert dump_canonical([], [], schema) == ""
