"""Coverage: the heading heuristic on small texts and on the five documents, and the seed's citations
checked against the sections found (every cited section exists, every quote lies in its section).

No database is needed.
"""

from __future__ import annotations

import textwrap
from functools import cache

import pytest

from app.domain.coverage import (
    Citing,
    FactId,
    Outline,
    SourceDocument,
    coverage_report,
    default_documents_dir,
    document_coverage,
    iter_citations,
    normalise_text,
    outline,
    source_documents,
)
from app.errors import InvalidInput
from app.resources import project_dir
from app.schema import load_schema
from app.seed import SeedSet, load_seed

SHARED = default_documents_dir()
DOCUMENTS = (
    "000_d9566df19c28f3d8.txt",
    "001_7f4f08f491bf5be0.txt",
    "002_68ef0624b07dde31.txt",
    "003_5b2cd4c41ea65390.txt",
    "004_94e37b3ba04c4dcd.txt",
)
needs_documents = pytest.mark.skipif(
    not (SHARED / "seeds").is_dir(), reason=f"the source documents are not at {SHARED}"
)


def titles(doc: Outline) -> list[str]:
    return [s.title for s in doc.sections]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@cache
def real_seed() -> SeedSet:
    return load_seed(project_dir("seed"), load_schema())


@cache
def real_outline(name: str) -> Outline:
    return outline((SHARED / "seeds" / name).read_text(encoding="utf-8"))


# --- the heuristic on small texts -------------------------------------------------------------


def test_plain_headings_are_short_lines_without_end_mark_and_with_text_under_them() -> None:
    doc = outline(
        dedent(
            """
            Ny organisering af driften
            Resumé
            Udvalget orienteres om sagen.
            Løsning
            Der etableres følgende centre:
            - Center for børn og unge
            Kort linje uden punktum
            - et punkt
            Center for børn og unge
            Centret samler indsatserne.
            Mikkel Boje
            / Tine Kock Nielsen
            Beslutning
            Indstillingen blev taget til efterretning.
            """
        )
    )
    # The bullet and the line after the colon-ended lead-in are list items; the signature has no text.
    assert titles(doc) == [
        "Ny organisering af driften",
        "Resumé",
        "Løsning",
        "Kort linje uden punktum",
        "Center for børn og unge",
        "Beslutning",
    ]
    assert doc.sections[0].level == 0
    assert "Mikkel Boje" in doc.sections[4].text


def test_table_of_contents_letterhead_and_page_furniture_are_not_headings() -> None:
    doc = outline(
        dedent(
            """
            Forslag om et samlet MSB

            11. marts 2019

            Side 1 af 3

            Notatet beskriver forslaget.

            Organisation & Ledelse
            Aarhus Kommune

            Sag: 19/008176-1

            Indholdsfortegnelse

            1. Organisatoriske ændringer\t2
            1.1 Den overordnede organisering.....\t2
            2. Ledelse\t3

            11. marts 2019

            Side 2 af 3

            1. Organisatoriske ændringer

            Afsnittet beskriver ændringerne.

            1.1 Den overordnede organisering

            MSB bliver en enhedsforvaltning.

            2. Ledelse

            Ledelsen styrkes.
            """
        )
    )
    assert titles(doc) == [
        "Forslag om et samlet MSB",
        "1. Organisatoriske ændringer",
        "1.1 Den overordnede organisering",
        "2. Ledelse",
    ]
    numbered = {s.title: s for s in doc.sections}
    assert numbered["1.1 Den overordnede organisering"].parent == 1
    assert numbered["2. Ledelse"].parent is None


def test_related_documents_list_is_skipped_and_transcript_pages_become_sections() -> None:
    page = "Tekst om organisationen og dens opgaver. " * 8
    doc = outline(
        dedent(
            f"""
            Forslag til ny afdeling

            Relaterede dokumenter
            Strategi for Handicap

            Notat om noget andet

            Transkript:

            Socialafdelingen {page} 1

            Myndighed Vi etablerer én samlet Myndighedssektion. {page} 2
            """
        )
    )
    assert titles(doc) == ["Forslag til ny afdeling", "s. 1", "s. 2"]
    assert [s.parent for s in doc.sections] == [None, 0, 0]
    assert doc.find("Myndighed (s. 2)").sections == (2,)
    assert doc.find("Myndighed (s. 1)").sections == (), "the named heading is not on page 1"
    assert doc.find("Socialafdelingen (s. 1-2)").sections == (1, 2)


def test_repeated_subheadings_are_labels_of_the_section_around_them() -> None:
    doc = outline(
        dedent(
            """
            Indsatsområder

            Indsatsområde 1: Hjemløshed
            Der er mange hjemløse.
            Målsætning for indsatsområde 1:
              • At antallet falder.
              • Forudsætninger for at kunne opnå målsætningen:
              • At der er boliger.
            Indsatsområde 2: Unge
            Flere unge har det svært.
            Forudsætninger for at kunne opnå målsætningen:
              • At tilbuddene tilpasses.
            Særlige fokusområder
            Samarbejdet styrkes.
            Indsatsområde 3: Job
            Job og socialt arbejde hænger sammen.
            Særlige fokusområder
            Overgange.
            """
        )
    )
    assert "Særlige fokusområder" not in titles(doc)
    assert doc.find("Målsætning for indsatsområde 1").sections == (1,)
    assert doc.find("Forudsætninger for at kunne opnå målsætningen (indsatsområde 2)").sections == (2,)
    assert doc.find("Forudsætninger for at kunne opnå målsætningen").sections == (), "ambiguous without qualifier"


def test_markdown_headings_and_levels() -> None:
    doc = outline("## **Titel**\n\n### Baggrund\n\nTekst.\n\n## Andet afsnit\n\nMere tekst.\n")
    assert titles(doc) == ["Titel", "Baggrund", "Andet afsnit"]
    assert [s.parent for s in doc.sections] == [None, 0, None]


def test_find_is_lenient_about_case_markup_dashes_and_numbering_and_suggests_on_typos() -> None:
    doc = outline(
        dedent(
            """
            Forslag om etablering af *Borgernes MSB – et samlet MSB*
            Indledende tekst.
            1.2.2 Unge, Job og Uddannelse
            Unge fra 15 til 29 år.
            """
        )
    )
    assert doc.find("forslag om etablering af borgernes msb - et samlet msb").via == "heading"
    assert doc.find("Unge, Job og Uddannelse").sections == (1,)
    typo = doc.find("1.2.2 Unge, Job og Udannelse")
    assert typo.sections == ()
    assert typo.suggestion == "1.2.2 Unge, Job og Uddannelse"


# --- the five documents -----------------------------------------------------------------------


@needs_documents
def test_copenhagen_2024_case_sections() -> None:
    assert titles(real_outline("000_d9566df19c28f3d8.txt")) == [
        "Fremtidig organisering af driften i Socialforvaltningen",
        "Resumé",
        "Indstilling",
        "Problemstilling",
        "Løsning",
        "De seks centre",
        "Din sociale indgang",
        "Center for børn og unge",
        "Center for aktivitet, beskæftigelse og støtte i eget bolig",
        "Center for midlertidige boformer",
        "Center for længerevarende boformer",
        "Center for rusmiddelbehandling",
        "Risici og opmærksomhedspunkter ved ny organisering",
        "Høring af HovedMED",
        "Økonomi",
        "Videre proces",
        "Beslutning",
    ]


@needs_documents
def test_aarhus_proposal_skips_contents_letterhead_and_generic_subheadings() -> None:
    found = titles(real_outline("003_5b2cd4c41ea65390.txt"))
    assert found[0] == "Forslag om etablering af Borgernes MSB – et samlet MSB"
    assert "1.2.2 Unge, Job og Uddannelse" in found
    assert "2.1.4 Decentral ledelse – central styring" in found, "a numbered heading the contents leave out"
    assert found.count("1.2.2 Unge, Job og Uddannelse") == 1, "the table of contents is not read as headings"
    for noise in ("Aarhus Kommune", "Organisation & Ledelse", "Hovedopgaver for driftsområdet", "Særlige fokusområder"):
        assert noise not in found
    assert not any(t.startswith(("Side ", "11. marts", "Lyngåskolen")) for t in found)
    assert len(found) == 33


@needs_documents
def test_silkeborg_proposal_is_read_as_title_and_pages() -> None:
    doc = real_outline("002_68ef0624b07dde31.txt")
    assert titles(doc) == [
        "Forslag til organisationsmodel for ny Socialafdeling",
        "s. 1",
        "s. 2",
        "s. 3",
        "s. 4",
        "s. 5",
    ]
    assert "Voksenhandicap Gentænkt" not in doc.text_of(range(len(doc.sections))), "the related-documents list"


@needs_documents
def test_strategy_document_sections() -> None:
    assert titles(real_outline("004_94e37b3ba04c4dcd.txt")) == [
        "Socialudvalgets strategiske indsatsområder 2023-2025",
        "Socialudvalgets 4 indsatsområder",
        "Indsatsområde 1: Afskaffelse af hjemløshed i København",
        "Indsatsområde 2: Udsatte unge med komplekse psykiske udfordringer",
        "Indsatsområde 3: Sammenhængende social- og beskæftigelsesindsats",
        "Indsatsområde 4: Fastholdelse og rekruttering af medarbejdere",
        "Socialforvaltningens planer for børne-/unge-, voksen- og handicapområdet",
    ]


# --- the seed's citations against the sections ------------------------------------------------


@needs_documents
def test_every_cited_section_names_a_section_of_its_document() -> None:
    documents = {d.uid: d for d in source_documents(real_seed(), SHARED)[0]}
    problems = sorted(
        {
            f"{document}: section {c.section!r} (cited by {c.fact}, {c.where})"
            + (f"; did you mean {m.suggestion!r}?" if m.suggestion else "")
            for document, c in iter_citations(real_seed())
            if document in documents and not (m := documents[document].outline.find(c.section)).sections
        }
    )
    assert not problems, "\n".join(problems)


@needs_documents
def test_every_quote_lies_in_the_section_it_cites() -> None:
    documents = {d.uid: d for d in source_documents(real_seed(), SHARED)[0]}
    problems = set()
    for document, c in iter_citations(real_seed()):
        if document not in documents:
            continue
        doc = documents[document].outline
        match = doc.find(c.section)
        if match.sections and normalise_text(c.quote) not in doc.text_of(match.sections):
            found = [doc.sections[i].title for i in doc.sections_containing(c.quote)]
            problems.add(f"{c.fact} ({c.where}): {c.quote!r} is not in {c.section!r} but in {found}")
    assert not problems, "\n".join(sorted(problems))


# --- the report ----------------------------------------------------------------------------------


@needs_documents
def test_report_counts_distinct_facts_and_lists_sections_without_facts() -> None:
    report = coverage_report(real_seed(), SHARED)
    by_uid = {d.document: d for d in report.documents}
    assert set(by_uid) >= set(DOCUMENTS)
    for doc in report.documents:
        assert doc.facts >= max(s.facts for s in doc.sections)
        assert all(not s.facts for s in doc.without_facts)
        assert not doc.unmatched
    aarhus = by_uid["003_5b2cd4c41ea65390.txt"]
    untouched = [s.title for s in aarhus.without_facts]
    assert "3.1 Den understøttende kultur og de rette kompetencer" in untouched
    assert "1. Organisatoriske ændringer" not in untouched, "covered through its sub-sections"


@needs_documents
def test_report_for_one_document_by_uid_or_path_and_unknown_documents_are_refused() -> None:
    one = coverage_report(real_seed(), SHARED, document="seeds/004_94e37b3ba04c4dcd.txt")
    assert [d.document for d in one.documents] == ["004_94e37b3ba04c4dcd.txt"]
    with pytest.raises(InvalidInput) as refused:
        coverage_report(real_seed(), SHARED, document="005_unknown.txt")
    assert refused.value.field == "document"


def test_document_coverage_counts_each_fact_once_per_section_and_keeps_unmatched_strings() -> None:
    text = "Titel\nIndledning.\nAfsnit A\nTekst om A.\nAfsnit B\nTekst om B.\n"
    source = SourceDocument("doc.txt", "Titel", "doc.txt", outline(text))
    facts: dict[FactId, list[Citing]] = {
        "fact-1": [Citing("fact-1", "Afsnit A", "Tekst om A.", "x"), Citing("fact-1", "afsnit a", "A", "x")],
        "fact-2": [Citing("fact-2", "Afsnit C", "Tekst", "x")],
    }
    result = document_coverage(source, facts)
    assert result.facts == 2
    assert [(s.title, s.facts) for s in result.sections] == [("Titel", 0), ("Afsnit A", 1), ("Afsnit B", 0)]
    assert [s.title for s in result.without_facts] == ["Titel", "Afsnit B"]
    assert [(u.section, u.facts) for u in result.unmatched] == [("Afsnit C", 1)]
