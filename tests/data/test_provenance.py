"""Every fact in seed/ cites a source that really says it.

For each seed file this reads every `source` / `sources` mapping, on entries and on
relationship items, and checks that

- `document` is the uid of a Source (a `sources` entry in some seed file),
- `section` is non-empty,
- `quote` occurs in the Source's file (resolved against the `shared` folder that
  sits beside the repository) after whitespace normalisation: runs of whitespace
  collapse to one space, ends are stripped, the comparison is case-sensitive.

It also checks that every entry outside `sources` carries provenance: `source`,
`sources` or `inferred`. No database is needed; the files are read with the safe
YAML loader, so dates arrive as `datetime.date`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = REPO_ROOT / "seed"
SHARED_DIR = REPO_ROOT.parent / "shared"
SEED_FILES = sorted(SEED_DIR.rglob("*.yaml"))
SOURCE_COLLECTION = "sources"
PROVENANCE_KEYS = ("source", "sources", "inferred")

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


@cache
def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def entries(data: Any) -> Iterator[tuple[str, int, Any]]:
    """(collection, position, entry) for every entry of a seed file."""
    if not isinstance(data, Mapping):
        return
    for collection, items in data.items():
        if isinstance(items, list):
            for position, entry in enumerate(items):
                yield str(collection), position, entry


def entry_name(collection: str, position: int, entry: Any) -> str:
    uid = entry.get("uid") if isinstance(entry, Mapping) else None
    return str(uid) if uid else f"{collection}[{position}]"


def citations(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(field path, citation) for every `source` / `sources` item below `value`, at any depth."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "source":
                yield here, child
            elif key == "sources":
                if isinstance(child, list):
                    for i, item in enumerate(child):
                        yield f"{here}[{i}]", item
                else:
                    yield here, child
            else:
                yield from citations(child, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from citations(item, f"{path}[{i}]")


@cache
def source_files() -> dict[str, str | None]:
    """Source uid -> its `file` (relative to the shared folder), from every seed file."""
    found: dict[str, str | None] = {}
    for path in SEED_FILES:
        for collection, _, entry in entries(load(path)):
            if collection == SOURCE_COLLECTION and isinstance(entry, Mapping) and entry.get("uid"):
                file = entry.get("file")
                found[str(entry["uid"])] = str(file) if file else None
    return found


@cache
def source_text(relative: str) -> str | None:
    path = SHARED_DIR / relative
    if not path.is_file():
        return None
    return normalise(path.read_text(encoding="utf-8"))


def shared_or_skip() -> None:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"the shared folder with the source documents is missing ({SHARED_DIR}); quotes cannot be checked")


def check_citation(where: str, field: str, citation: Any) -> list[str]:
    """Problems with one citation, each naming entry, field and quote."""
    if not isinstance(citation, Mapping):
        return [f"{where}: {field}: expected a mapping {{document, section, quote}}, got {citation!r}"]
    document, section, quote = citation.get("document"), citation.get("section"), citation.get("quote")
    problems = []
    unknown = sorted(set(citation) - {"document", "section", "quote"})
    if unknown:
        problems.append(f"{where}: {field}: unknown keys {unknown}")
    if not isinstance(section, str) or not section.strip():
        problems.append(f"{where}: {field}: section is empty (quote {quote!r})")
    if not isinstance(quote, str) or not normalise(quote):
        problems.append(f"{where}: {field}: quote is empty")
        return problems
    sources = source_files()
    if document not in sources:
        problems.append(f"{where}: {field}: document {document!r} is not a uid in sources (quote {quote!r})")
        return problems
    relative = sources[document]
    if relative is None:
        problems.append(f"{where}: {field}: source {document!r} has no file to check quote {quote!r} against")
        return problems
    text = source_text(relative)
    if text is None:
        problems.append(f"{where}: {field}: file {relative!r} of source {document!r} not found under {SHARED_DIR}")
    elif normalise(quote) not in text:
        problems.append(f"{where}: {field}: quote {quote!r} does not occur in {document} ({relative})")
    return problems


def _id(path: Path) -> str:
    return path.relative_to(SEED_DIR).as_posix()


@pytest.mark.parametrize("seed_file", SEED_FILES, ids=_id)
def test_quotes_occur_in_cited_sources(seed_file: Path) -> None:
    shared_or_skip()
    problems: list[str] = []
    for collection, position, entry in entries(load(seed_file)):
        where = f"{collection} {entry_name(collection, position, entry)}"
        for field, citation in citations(entry):
            problems.extend(check_citation(where, field, citation))
    assert not problems, f"{_id(seed_file)}: {len(problems)} citation problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("seed_file", SEED_FILES, ids=_id)
def test_every_entry_has_provenance(seed_file: Path) -> None:
    problems: list[str] = []
    for collection, position, entry in entries(load(seed_file)):
        if collection == SOURCE_COLLECTION:
            continue
        where = f"{collection} {entry_name(collection, position, entry)}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: entry is not a mapping")
            continue
        if not any(entry.get(key) for key in PROVENANCE_KEYS):
            problems.append(f"{where}: no provenance (needs source, sources or inferred)")
        inferred = entry.get("inferred")
        if inferred is not None and not (isinstance(inferred, str) and inferred.strip()):
            problems.append(f"{where}: inferred must be a sentence saying why, got {inferred!r}")
    assert not problems, f"{_id(seed_file)}: {len(problems)} entry(ies) without provenance:\n" + "\n".join(problems)


def test_source_files_exist() -> None:
    shared_or_skip()
    missing = [
        f"source {uid}: file {relative!r} not found under {SHARED_DIR}"
        for uid, relative in source_files().items()
        if relative is not None and source_text(relative) is None
    ]
    assert not missing, "\n".join(missing)
