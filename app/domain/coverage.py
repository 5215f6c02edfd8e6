"""Coverage: how much of each source document the curated seed files cite, section by section.

Coverage compares the seed files with the documents, so it needs no database: the
facts are the nodes and relationships of a `SeedSet`, and the sections are found in
the documents' plain text by `outline`.

The documents are text copied from PDFs and web pages, so their headings carry no
markup we can trust. `outline` therefore reads headings with a heuristic, tuned on
the five source documents and documented rule by rule below, and `Outline.find`
matches a cited `section` string to them leniently (case, markup, dashes, a
qualifier such as "(s. 3)" or "(indsatsområde 1)").
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import InvalidInput
from app.resources import project_dir
from app.seed import SeedSet
from app.seed.model import Provenance, RelKey

# --- Reading a document's outline -------------------------------------------------------------

_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_MARKUP = re.compile(r"</?[A-Za-z][^>]*>|\*+|_{2,}")
_BULLET = re.compile(r"^\s*[-•*–]\s+")
_NUMBERING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\S")
_TOC_START = frozenset({"indholdsfortegnelse", "indhold"})
_TOC_ENTRY = re.compile(r"(?:\t|\.{2,}|…)\s*\d{1,3}\s*$")
_PAGE_HEADER = re.compile(r"^side\s+\d+\s+af\s+\d+$", re.IGNORECASE)
_MONTHS = "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
_DATE_LINE = re.compile(rf"^\d{{1,2}}\.\s*(?:{_MONTHS})\s+\d{{4}}$", re.IGNORECASE)
_RELATED_START = "relaterede dokumenter"
_RELATED_END = "transkript"
_WEB_ARTIFACTS = frozenset({"vis alle", "læs mere", "transkript", "relaterede dokumenter"})
"""Lines a web page's widgets leave in copied text; never headings and never body."""
_PAGE_NUMBER_AT_END = re.compile(r"\s(\d{1,3})\s*$")
_PAGE_REF = re.compile(r"^(?:s\.|side)\s*(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?$", re.IGNORECASE)
_QUALIFIER = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
_SENTENCE_END = (".", "!", "?", ":", ";")
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100
MIN_PAGE_CHARS = 200
"""A transcript paragraph (one page of a flattened PDF) is at least this long."""

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Collapse whitespace, as the provenance test compares quotes with documents."""
    return _WHITESPACE.sub(" ", text).strip()


def clean_line(line: str) -> str:
    """A line without markdown heading marks, emphasis and HTML tags, whitespace collapsed."""
    match = _MARKDOWN_HEADING.match(line.strip())
    text = match.group(2) if match else line
    return normalise_text(_MARKUP.sub("", text))


def section_key(text: str) -> str:
    """The form headings and cited sections are compared in: case, markup, dashes and end marks ignored."""
    text = clean_line(text).casefold().replace("–", "-").replace("—", "-").replace("’", "'")
    return normalise_text(text).rstrip(" :.").strip()


def _without_numbering(key: str) -> str:
    match = _NUMBERING.match(key)
    return key[match.end(1) :].lstrip(". ") if match else key


@dataclass(frozen=True)
class Section:
    """One section of a document: a heading and the text up to the next heading, or one page."""

    title: str
    """The heading as the document writes it (markup removed), or 's. N' for a page."""
    line: int
    """1-based line of the heading in the document."""
    level: int
    """0 for the document's title, else the depth the numbering or markdown gives (1 when unknown)."""
    text: str = field(repr=False)
    """The section's own text, whitespace-normalised (sub-sections not included)."""
    parent: int | None = None
    """Index of the enclosing section in `Outline.sections`, where numbering, markdown or pages tell."""
    page: int | None = None

    @property
    def key(self) -> str:
        return section_key(self.title)


@dataclass(frozen=True)
class Match:
    """What a cited `section` string names in a document."""

    sections: tuple[int, ...]
    """Indexes into `Outline.sections`; empty when the citation names nothing the document has."""
    via: str
    """'heading', 'label' (a sub-heading such as 'Målsætning for indsatsområde 1:'), 'page', or 'none'."""
    suggestion: str | None = None


@dataclass(frozen=True)
class Outline:
    """The sections of one document, in document order, and the label lines inside them."""

    sections: tuple[Section, ...]
    labels: tuple[tuple[str, int], ...] = ()
    """(key, section index) of short label lines that are not sections of their own."""

    def children(self, index: int) -> list[int]:
        return [i for i, s in enumerate(self.sections) if s.parent == index]

    def subtree(self, index: int) -> list[int]:
        """The section and every section below it."""
        found = [index]
        for child in self.children(index):
            found.extend(self.subtree(child))
        return found

    def text_of(self, indexes: Iterable[int]) -> str:
        """Text of the sections and everything below them, for checking where a quote lies."""
        wanted = sorted({i for index in indexes for i in self.subtree(index)})
        return " ".join(self.sections[i].text for i in wanted)

    def sections_containing(self, quote: str) -> list[int]:
        """Sections whose own text holds the quote (whitespace-normalised)."""
        needle = normalise_text(quote)
        return [i for i, s in enumerate(self.sections) if needle and needle in s.text]

    def find(self, cited: str) -> Match:
        """The section(s) a cited `section` string names: heading, then qualifier or page, then label."""
        key = section_key(cited)
        exact = self._headings(key)
        if exact:
            return Match(exact, "heading")
        qualified = _QUALIFIER.match(key)
        if qualified:
            base, qualifier = qualified.group(1), qualified.group(2)
            page = _PAGE_REF.match(qualifier)
            if page:
                found = self._pages(base, int(page.group(1)), int(page.group(2) or page.group(1)))
                if found:
                    return Match(found, "page")
            else:
                headings = self._headings(base)
                if headings:
                    return Match(headings, "heading")
                labels = self._labels(base, qualifier)
                if labels:
                    return Match(labels, "label")
        found = self._labels(key, None)
        if found:
            return Match(found, "label")
        titles = [s.title for s in self.sections if s.page is None]
        close = difflib.get_close_matches(clean_line(cited), titles, n=1, cutoff=0.75)
        return Match((), "none", close[0] if close else None)

    def _headings(self, key: str) -> tuple[int, ...]:
        found = tuple(i for i, s in enumerate(self.sections) if s.page is None and s.key == key)
        if found:
            return found
        bare = _without_numbering(key)
        return tuple(i for i, s in enumerate(self.sections) if s.page is None and _without_numbering(s.key) == bare)

    def _pages(self, base: str, first: int, last: int) -> tuple[int, ...]:
        pages = tuple(i for i, s in enumerate(self.sections) if s.page is not None and first <= s.page <= last)
        if len(pages) != last - first + 1:
            return ()
        text = section_key(self.text_of(pages))
        return pages if base in text else ()

    def _labels(self, key: str, qualifier: str | None) -> tuple[int, ...]:
        hits = sorted({index for label, index in self.labels if label == key})
        if qualifier is not None:
            pattern = re.compile(rf"(?<!\w){re.escape(qualifier)}(?!\w)")
            hits = [i for i in hits if pattern.search(self.sections[i].key)]
        return tuple(hits) if len(hits) == 1 else ()


@dataclass
class _Line:
    number: int
    raw: str
    clean: str
    furniture: bool = False
    """Page headers, date lines, widget text: ignored for headings and bodies."""


def _content_lines(text: str) -> tuple[list[_Line], int | None]:
    """The non-blank lines that can hold headings or body, and the last line of the table of contents.

    Left out: a 'Relaterede dokumenter' list (up to 'Transkript:'), a table of contents
    (a line 'Indholdsfortegnelse' and the entries after it that end in a page number).
    """
    raw_lines = text.splitlines()
    keys = [section_key(line) for line in raw_lines]
    skip: set[int] = set()
    if _RELATED_START in keys:
        start = keys.index(_RELATED_START)
        end = keys.index(_RELATED_END, start) if _RELATED_END in keys[start:] else start
        skip.update(range(start, end + 1))
    toc_end: int | None = None
    for index, key in enumerate(keys):
        if key in _TOC_START and index not in skip and toc_end is None:
            skip.add(index)
            toc_end = index + 1
            for after in range(index + 1, len(raw_lines)):
                if raw_lines[after].strip() and not _TOC_ENTRY.search(raw_lines[after]):
                    break
                skip.add(after)
                toc_end = after + 1
    lines = []
    for index, raw in enumerate(raw_lines):
        if index in skip or not raw.strip():
            continue
        clean = clean_line(raw)
        furniture = bool(_PAGE_HEADER.match(clean) or _DATE_LINE.match(clean) or section_key(clean) in _WEB_ARTIFACTS)
        lines.append(_Line(index + 1, raw, clean, furniture))
    return lines, toc_end


def _is_bullet(line: _Line) -> bool:
    return bool(_BULLET.match(line.raw))


def _is_candidate(line: _Line, previous: _Line | None) -> bool:
    """A short line that could be a heading: no end mark, not a bullet, not a list item after a colon."""
    text = line.clean
    if line.furniture or not text or "\t" in line.raw or _is_bullet(line):
        return False
    if len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS or text.endswith((*_SENTENCE_END, ",")):
        return False
    if text[0].isdigit():
        if not _NUMBERING.match(text):
            return False
    elif not text[0].isupper():
        return False
    return not (previous is not None and previous.clean.endswith(":"))


def _is_body(line: _Line) -> bool:
    """Running text: a sentence, a long line, or a list item."""
    return _is_bullet(line) or line.clean.endswith(_SENTENCE_END) or len(line.clean.split()) > MAX_HEADING_WORDS


def _plain_headings(lines: list[_Line], toc_end: int | None) -> list[int]:
    """Positions (in `lines`) of the headings of a plain-text document.

    A candidate is a heading when the text up to the next candidate holds running text,
    or when it is empty and the next candidate is itself a heading (a heading directly
    over a sub-heading). A signature ('Mikkel Boje' over '/ Tine Kock Nielsen') has
    neither. When the document has a table of contents, only its first heading (the
    title) counts before it: the rest is letterhead (address, phone, case number).
    """
    kept = [(position, line) for position, line in enumerate(lines) if not line.furniture]
    candidates = [i for i, (_, line) in enumerate(kept) if _is_candidate(line, kept[i - 1][1] if i else None)]
    accepted: set[int] = set()
    for n in reversed(range(len(candidates))):
        start = candidates[n]
        end = candidates[n + 1] if n + 1 < len(candidates) else len(kept)
        body = [line for _, line in kept[start + 1 : end]]
        if any(_is_body(line) for line in body) or (not body and end in accepted):
            accepted.add(start)
    headings = [kept[i] for i in sorted(accepted)]
    if toc_end is not None:
        headings = [h for n, h in enumerate(headings) if n == 0 or h[1].number > toc_end]
    return [position for position, _ in headings]


def outline(text: str) -> Outline:
    """Read the sections of a document.

    - Markdown documents (two or more '#' lines) use their '#' headings and levels.
    - Otherwise headings are short lines without an end mark (`_plain_headings`).
    - A heading that recurs within a document ('Hovedopgaver for driftsområdet',
      'Særlige fokusområder') is a generic sub-heading: its text belongs to the section
      around it, and it is kept only as a label a citation may name.
    - A transcript whose paragraphs end in the page numbers 1..n (a flattened PDF) has
      lost its headings: each paragraph becomes a page section 's. N' under the title.
    - Numbering ('1.2' over '1.2.3') and markdown levels give parents; other headings
      are flat. The first heading is the title (level 0).
    """
    lines, toc_end = _content_lines(text)
    markdown_positions = [i for i, line in enumerate(lines) if _MARKDOWN_HEADING.match(line.raw.strip())]
    markdown = len(markdown_positions) >= 2
    pages = _page_paragraphs(lines)
    headings = [p for p in (markdown_positions if markdown else _plain_headings(lines, toc_end)) if p not in pages]
    counts: dict[str, int] = defaultdict(int)
    for position in headings:
        counts[section_key(lines[position].clean)] += 1
    starts = sorted({*(p for p in headings if counts[section_key(lines[p].clean)] == 1), *pages})

    sections: list[Section] = []
    owner: dict[int, int] = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        owner.update((position, n) for position in range(start, end))
        line, body = lines[start], normalise_text(" ".join(line.raw for line in lines[start:end]))
        if start in pages:
            sections.append(Section(f"s. {pages[start]}", line.number, 1, body, page=pages[start]))
        else:
            sections.append(Section(line.clean, line.number, _level(line, markdown, first=not sections), body))
    labels = tuple(
        (section_key(_BULLET.sub("", line.raw)), owner[position])
        for position, line in enumerate(lines)
        if position in owner and not line.furniture and len(line.clean.split()) <= MAX_HEADING_WORDS
    )
    return Outline(tuple(_with_parents(sections, markdown)), labels)


def _page_paragraphs(lines: list[_Line]) -> dict[int, int]:
    """Position → page number, for long paragraphs ending in the page numbers 1, 2, …, n (n ≥ 2)."""
    found: dict[int, int] = {}
    for position, line in enumerate(lines):
        match = _PAGE_NUMBER_AT_END.search(line.raw)
        if match and len(line.raw) >= MIN_PAGE_CHARS:
            found[position] = int(match.group(1))
    numbers = list(found.values())
    return found if len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)) else {}


def _level(line: _Line, markdown: bool, *, first: bool) -> int:
    if markdown:
        match = _MARKDOWN_HEADING.match(line.raw.strip())
        return len(match.group(1)) if match else 1
    if first:
        return 0
    numbering = _NUMBERING.match(line.clean)
    return numbering.group(1).count(".") + 1 if numbering else 1


def _with_parents(sections: list[Section], markdown: bool) -> list[Section]:
    """Parents: the title over pages; markdown levels; otherwise numbering ('1.2' over '1.2.3')."""
    title = 0 if sections and sections[0].page is None else None
    numbered: dict[str, int] = {}
    stack: list[int] = []
    result = []
    for index, section in enumerate(sections):
        parent: int | None = None
        if section.page is not None:
            parent = title
        elif markdown:
            while stack and sections[stack[-1]].level >= section.level:
                stack.pop()
            parent = stack[-1] if stack else None
            stack.append(index)
        else:
            numbering = _NUMBERING.match(section.title)
            if numbering:
                number = numbering.group(1)
                numbered[number] = index
                parent = numbered.get(number.rsplit(".", 1)[0]) if "." in number else None
        result.append(Section(section.title, section.line, section.level, section.text, parent, section.page))
    return result


# --- Coverage -------------------------------------------------------------------------------------


def default_documents_dir() -> Path:
    """The `shared` folder beside the repository, where the Sources' files live."""
    return project_dir("seed").parent.parent / "shared"


FactId = str | RelKey
"""A node's uid, or a relationship's (type, from, to, valid_from)."""


@dataclass(frozen=True)
class Citing:
    """One fact's citation of one document section, as the seed files write it."""

    fact: str
    """Readable fact name: the uid, or 'TYPE from→to'."""
    section: str
    quote: str
    where: str
    """Seed file and line of the entry."""


@dataclass(frozen=True)
class SectionCoverage:
    title: str
    line: int
    level: int
    page: int | None
    facts: int
    """Facts citing this section itself."""
    covered: bool
    """Facts cite this section or a section below it."""


@dataclass(frozen=True)
class UnmatchedSection:
    """A cited section string that names no heading, label or page of the document: maybe a typo."""

    section: str
    facts: int
    suggestion: str | None


@dataclass(frozen=True)
class DocumentCoverage:
    document: str
    """The Source's uid (its file name)."""
    name: str
    file: str
    facts: int
    """Distinct facts citing the document."""
    sections: tuple[SectionCoverage, ...]
    unmatched: tuple[UnmatchedSection, ...]

    @property
    def with_facts(self) -> tuple[SectionCoverage, ...]:
        """Sections that facts cite directly."""
        return tuple(s for s in self.sections if s.facts)

    @property
    def covered_below_only(self) -> tuple[SectionCoverage, ...]:
        """Sections no fact cites directly, though facts cite a section below them."""
        return tuple(s for s in self.sections if s.covered and not s.facts)

    @property
    def without_facts(self) -> tuple[SectionCoverage, ...]:
        """Sections no fact cites, neither directly nor below."""
        return tuple(s for s in self.sections if not s.covered)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "name": self.name,
            "file": self.file,
            "facts": self.facts,
            "sections_total": len(self.sections),
            "sections_with_facts": len(self.with_facts),
            "sections_covered_below_only": len(self.covered_below_only),
            "sections_without_facts_count": len(self.without_facts),
            "sections": [_section_dict(s) for s in self.sections],
            "sections_without_facts": [s.title for s in self.without_facts],
            "unmatched_sections": [
                {"section": u.section, "facts": u.facts, "suggestion": u.suggestion} for u in self.unmatched
            ],
        }


def _section_dict(section: SectionCoverage) -> dict[str, Any]:
    return {
        "section": section.title,
        "line": section.line,
        "level": section.level,
        "page": section.page,
        "facts": section.facts,
        "covered": section.covered,
    }


@dataclass(frozen=True)
class CoverageReport:
    documents: tuple[DocumentCoverage, ...]
    missing: tuple[str, ...] = ()
    """Sources whose file was not found under the documents folder."""

    def as_dict(self) -> dict[str, Any]:
        return {"documents": [d.as_dict() for d in self.documents], "missing_documents": list(self.missing)}


@dataclass(frozen=True)
class SourceDocument:
    """A Source entry of the seed with its file, read and outlined."""

    uid: str
    name: str
    file: str
    outline: Outline


def source_documents(seed: SeedSet, documents_dir: Path) -> tuple[list[SourceDocument], list[str]]:
    """Every Source with a file, outlined; and the uids of those whose file is missing."""
    found, missing = [], []
    for node in seed.nodes:
        if node.label != "Source" or not node.props.get("file"):
            continue
        path = documents_dir / str(node.props["file"])
        if not path.is_file():
            missing.append(node.uid)
            continue
        text = path.read_text(encoding="utf-8")
        found.append(SourceDocument(node.uid, str(node.props.get("name", "")), str(node.props["file"]), outline(text)))
    return found, missing


def citations_by_document(seed: SeedSet) -> dict[str, dict[FactId, list[Citing]]]:
    """document uid → fact → its citations of that document, over every node and relationship."""
    result: dict[str, dict[FactId, list[Citing]]] = defaultdict(lambda: defaultdict(list))
    where = {
        node.uid: f"{node.origin.file}:{node.origin.line}" if node.origin else str(node.props.get("seed_file", ""))
        for node in seed.nodes
    }
    for node in seed.nodes:
        for citation in Provenance.from_props(node.props).citations:
            citing = Citing(node.uid, citation.section, citation.quote, where[node.uid])
            result[citation.document][node.uid].append(citing)
    for rel in seed.relationships:
        name = f"{rel.type} {rel.from_uid}→{rel.to_uid}"
        for citation in Provenance.from_props(rel.props).citations:
            citing = Citing(name, citation.section, citation.quote, where.get(rel.from_uid, ""))
            result[citation.document][rel.key].append(citing)
    return result


def document_coverage(source: SourceDocument, facts: Mapping[FactId, Sequence[Citing]]) -> DocumentCoverage:
    """Facts per section of one document, the sections nothing cites, and the cited strings that match nothing."""
    doc = source.outline
    per_section: dict[int, set[FactId]] = defaultdict(set)
    unmatched: dict[str, set[FactId]] = defaultdict(set)
    suggestions: dict[str, str | None] = {}
    for fact, citings in facts.items():
        for citing in citings:
            match = doc.find(citing.section)
            if not match.sections:
                unmatched[citing.section].add(fact)
                suggestions[citing.section] = match.suggestion
            for index in match.sections:
                per_section[index].add(fact)
    counts = [len(per_section[i]) for i in range(len(doc.sections))]
    sections = tuple(
        SectionCoverage(s.title, s.line, s.level, s.page, counts[i], any(counts[j] for j in doc.subtree(i)))
        for i, s in enumerate(doc.sections)
    )
    return DocumentCoverage(
        source.uid,
        source.name,
        source.file,
        len(facts),
        sections,
        tuple(UnmatchedSection(k, len(v), suggestions[k]) for k, v in sorted(unmatched.items())),
    )


def coverage_report(seed: SeedSet, documents_dir: Path, *, document: str | None = None) -> CoverageReport:
    """Coverage of every Source document (or only `document`: its uid, file or file name)."""
    sources, missing = source_documents(seed, documents_dir)
    if document is not None:
        sources = [_pick(sources, missing, document)]
        missing = []
    cited = citations_by_document(seed)
    return CoverageReport(
        tuple(document_coverage(s, cited.get(s.uid, {})) for s in sources),
        tuple(missing),
    )


def _pick(sources: list[SourceDocument], missing: list[str], wanted: str) -> SourceDocument:
    name = Path(wanted).name
    for source in sources:
        if wanted in (source.uid, source.file) or name in (source.uid, Path(source.file).name):
            return source
    if wanted in missing or name in missing:
        raise InvalidInput("document", f"the file of source {wanted!r} was not found in the documents folder")
    known = [s.uid for s in sources]
    raise InvalidInput(
        "document",
        f"no source document {wanted!r}",
        tuple(difflib.get_close_matches(name, known, n=3, cutoff=0.3)) or tuple(known),
    )


def iter_citations(seed: SeedSet) -> Iterator[tuple[str, Citing]]:
    """(document uid, citation) for every citation of every fact."""
    for document, facts in citations_by_document(seed).items():
        for citings in facts.values():
            for citing in citings:
                yield document, citing
