"""Golden questions: an independent check of the knowledge base against the documents.

`questions.yaml` holds questions written from the source documents (not from
`seed/`), each with the answer a correct knowledge base must give: the status, the
units that must be among the answer's authority units, the units that must not be,
and a `why` that cites document, section and a short verbatim quote.

Tests here:

- the file's own shape (no database): ids unique, required keys, known statuses;
  every quoted passage in a `why` occurs in a document it cites; every expected unit
  name is a unit name stored in `seed/` (answers are compared by unit name);
- every question through the resolver in-process, on each available backend
  (`seeded_store`), parametrised by id; a question with `xfail:` runs as a strict
  xfail (it must fail; when it passes, the marker has to go);
- a sample of questions through the real command line (`python -m app ask ... --json`)
  on its own data dir, seeded once for the module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from app.store.base import GraphStore
from tests.cli_support import run_cli as _socialatlas

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
QUESTIONS_FILE = HERE / "questions.yaml"
SEED_DIR = REPO / "seed"
SHARED_DIR = REPO.parent / "shared"
SOURCE_DIRS = (SHARED_DIR / "seeds", SHARED_DIR / "reference")

STATUSES = frozenset({"resolved", "ambiguous", "not_covered"})
KINDS = frozenset({"myndighed", "udfører"})
QUESTION_KEYS = frozenset({"id", "ask", "expect", "why", "xfail"})
REQUIRED_QUESTION_KEYS = frozenset({"id", "ask", "expect", "why"})
ASK_KEYS = frozenset({"municipality", "age", "conditions", "paragraph", "kind", "date"})
REQUIRED_ASK_KEYS = frozenset({"municipality", "age", "conditions", "kind", "date"})
EXPECT_KEYS = frozenset({"status", "units", "not_units"})
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MINIMUM_QUESTIONS = 40

# Questions also run through the real command line (a process per question, so a sample).
CLI_SAMPLE = (
    "aarhus-17-autisme-sel52-on-2019-08-01",
    "synonym-asf",
    "aarhus-16-fysisk-handicap-sel41-stays-with-children",
    "aarhus-16-udviklingshaemning-sel52-udfoerer-stays-with-children",
    "kbh-40-sindslidelse-sel85-before-2025",
    "kbh-17-autisme-sel52-in-2025-kobenhavn-spelling",
    "kbh-16-stofmisbrug-udfoerer-2025",
    "silkeborg-17-autisme-not-covered",
)

# A cited document in a `why`, outside its quotes: "000".."009" (a file in ../shared/seeds)
# or a reference file.
_CITATION = re.compile(r"(?<![\w§])(00\d)(?![\w§])|\b(law\.md|glossary\.md)\b")
_QUOTE = re.compile(r'"([^"]+)"')
_WHITESPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Golden:
    """One golden question and the answer it must get."""

    id: str
    municipality: str
    age: int
    conditions: tuple[str, ...]
    paragraph: str | None
    kind: str
    on: date
    status: str
    # Each item is a unit name that must be among the authority units, or a tuple of
    # names of which at least one must be (the same responsibility named at two levels).
    units: tuple[str | tuple[str, ...], ...]
    not_units: tuple[str, ...]
    why: str
    xfail: str | None

    def describe(self) -> str:
        paragraph = f", paragraph={self.paragraph!r}" if self.paragraph else ""
        return (
            f"{self.id}: municipality={self.municipality!r}, age={self.age}, conditions={list(self.conditions)}"
            f"{paragraph}, kind={self.kind!r}, on={self.on.isoformat()}"
        )


def normalise(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


@cache
def raw_questions() -> list[Any]:
    data = YAML(typ="safe", pure=True).load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def to_golden(entry: Mapping[str, Any]) -> Golden:
    """A validated question (assumes `shape_problems` found nothing for it)."""
    ask, expect = entry["ask"], entry["expect"]
    paragraph = ask.get("paragraph")
    return Golden(
        id=str(entry["id"]),
        municipality=str(ask["municipality"]),
        age=int(ask["age"]),
        conditions=tuple(str(c) for c in ask["conditions"]),
        paragraph=str(paragraph) if paragraph is not None else None,
        kind=str(ask["kind"]),
        on=_as_date(ask["date"]),
        status=str(expect["status"]),
        units=tuple(tuple(str(n) for n in u) if isinstance(u, list) else str(u) for u in expect.get("units") or []),
        not_units=tuple(str(n) for n in expect.get("not_units") or []),
        why=normalise(str(entry["why"])),
        xfail=str(entry["xfail"]) if entry.get("xfail") else None,
    )


def shape_problems(position: int, entry: Any) -> list[str]:
    """Everything wrong with one entry of questions.yaml, as readable lines."""
    where = f"questions[{position}]"
    if not isinstance(entry, Mapping):
        return [f"{where}: not a mapping"]
    where = f"{where} ({entry.get('id', '?')})"
    problems = [f"{where}: missing key {k!r}" for k in sorted(REQUIRED_QUESTION_KEYS - entry.keys())]
    problems += [f"{where}: unknown key {k!r}" for k in sorted(set(entry) - QUESTION_KEYS)]
    qid = entry.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        problems.append(f"{where}: id must be lower-case ASCII words joined by hyphens")
    if not isinstance(entry.get("why"), str) or len(normalise(entry.get("why") or "")) < 20:
        problems.append(f"{where}: why must cite document, section and a verbatim quote")
    if "xfail" in entry and (not isinstance(entry["xfail"], str) or not entry["xfail"].strip()):
        problems.append(f"{where}: xfail must be a non-empty reason (who must fix what)")
    problems += _ask_problems(where, entry.get("ask"))
    problems += _expect_problems(where, entry.get("expect"))
    return problems


def _ask_problems(where: str, ask: Any) -> list[str]:
    if not isinstance(ask, Mapping):
        return [f"{where}.ask: not a mapping"]
    problems = [f"{where}.ask: missing key {k!r}" for k in sorted(REQUIRED_ASK_KEYS - ask.keys())]
    problems += [f"{where}.ask: unknown key {k!r}" for k in sorted(set(ask) - ASK_KEYS)]
    if not isinstance(ask.get("municipality"), str) or not ask.get("municipality", "").strip():
        problems.append(f"{where}.ask.municipality: a non-empty name")
    age = ask.get("age")
    if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120:
        problems.append(f"{where}.ask.age: an integer 0-120")
    conditions = ask.get("conditions")
    if not isinstance(conditions, list) or not all(isinstance(c, str) and c.strip() for c in conditions):
        problems.append(f"{where}.ask.conditions: a list of condition names")
    if "paragraph" in ask and (not isinstance(ask["paragraph"], str) or not ask["paragraph"].strip()):
        problems.append(f"{where}.ask.paragraph: leave it out, or give a non-empty text")
    if ask.get("kind") not in KINDS:
        problems.append(f"{where}.ask.kind: one of {sorted(KINDS)}")
    if not isinstance(ask.get("date"), date):
        problems.append(f"{where}.ask.date: an unquoted ISO date")
    return problems


def _expect_problems(where: str, expect: Any) -> list[str]:
    if not isinstance(expect, Mapping):
        return [f"{where}.expect: not a mapping"]
    problems = [f"{where}.expect: unknown key {k!r}" for k in sorted(set(expect) - EXPECT_KEYS)]
    status = expect.get("status")
    if status not in STATUSES:
        problems.append(f"{where}.expect.status: one of {sorted(STATUSES)}")
    units, not_units = expect.get("units", []), expect.get("not_units", [])
    if not isinstance(units, list) or not all(_is_unit_item(u) for u in units):
        problems.append(f"{where}.expect.units: a list of unit names (or of lists: at least one of them)")
        units = []
    if not isinstance(not_units, list) or not all(isinstance(n, str) and n.strip() for n in not_units):
        problems.append(f"{where}.expect.not_units: a list of unit names")
        not_units = []
    if status == "resolved" and not units:
        problems.append(f"{where}.expect.units: a resolved answer names at least one unit")
    if status == "not_covered" and units:
        problems.append(f"{where}.expect.units: a not_covered answer names no unit")
    if status != "resolved" and not units and not not_units:
        problems.append(f"{where}.expect: say at least which units must not be claimed")
    overlap = set(_flat(units)) & set(not_units)
    if overlap:
        problems.append(f"{where}.expect: in both units and not_units: {sorted(overlap)}")
    return problems


def _is_unit_item(item: Any) -> bool:
    if isinstance(item, str):
        return bool(item.strip())
    return isinstance(item, list) and len(item) >= 2 and all(isinstance(n, str) and n.strip() for n in item)


def _flat(units: Sequence[Any]) -> Iterator[str]:
    for item in units:
        if isinstance(item, str):
            yield item
        else:
            yield from item


def _golden_or_none(position: int, entry: Any) -> Golden | None:
    return None if shape_problems(position, entry) else to_golden(entry)


def questions() -> list[Golden]:
    """The well-formed questions (malformed ones fail the shape test instead)."""
    return [g for g in (_golden_or_none(i, e) for i, e in enumerate(raw_questions())) if g is not None]


def _params(golden: Sequence[Golden]) -> list[Any]:
    return [
        pytest.param(g, id=g.id, marks=[pytest.mark.xfail(reason=g.xfail, strict=True)] if g.xfail else [])
        for g in golden
    ]


# --------------------------------------------------------------------------- checking an answer


def authority_units(answer: Mapping[str, Any]) -> list[str]:
    return [str(a.get("unit")) for a in answer.get("authority") or [] if isinstance(a, Mapping)]


def mismatches(golden: Golden, answer: Mapping[str, Any]) -> list[str]:
    """What in the answer contradicts the golden expectation (empty when it matches)."""
    found = set(authority_units(answer))
    problems: list[str] = []
    if answer.get("status") != golden.status:
        problems.append(f"status {answer.get('status')!r}, expected {golden.status!r}")
    for item in golden.units:
        if isinstance(item, str) and item not in found:
            problems.append(f"missing unit {item!r}")
        elif isinstance(item, tuple) and not found.intersection(item):
            problems.append(f"missing a unit among {list(item)}")
    wrong = sorted(found.intersection(golden.not_units))
    if wrong:
        problems.append(f"claims unit(s) it must not: {wrong}")
    return problems


def _names(refs: Any) -> str:
    return ", ".join(str(r.get("name") or r.get("uid")) for r in refs or [] if isinstance(r, Mapping))


def report(golden: Golden, answer: Mapping[str, Any], problems: Sequence[str]) -> str:
    """The failure message: the question, why, and what the knowledge base answered (status,
    authority, every rule with its verdict and reason, providers, explanation)."""
    lines = [
        f"golden question {golden.describe()}",
        f"  expected: status={golden.status!r}, units={list(golden.units)}, not_units={list(golden.not_units)}",
        f"  why: {golden.why}",
        "  mismatch: " + "; ".join(problems),
        f"  answer status: {answer.get('status')!r}",
        "  answer authority:",
    ]
    for a in answer.get("authority") or []:
        lines.append(f"    - {a.get('unit')} ({a.get('uid')}) by rule(s) {', '.join(a.get('rules') or [])}")
    lines.append("  answer rules:")
    for r in answer.get("rules") or []:
        inferred = " [inferred]" if r.get("inferred") else ""
        lines.append(
            f"    - {r.get('verdict')}: {r.get('uid')}{inferred} -> {_names(r.get('holders'))}: {r.get('reason')}"
        )
    providers = answer.get("providers") or []
    if providers:
        lines.append("  answer providers:")
        lines += [
            f"    - {p.get('type')} {p.get('name')} (unit: {(p.get('unit') or {}).get('name')})" for p in providers
        ]
    lines.append(f"  answer explanation: {answer.get('explanation')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- shape (no database)


def test_questions_file_is_well_formed() -> None:
    entries = raw_questions()
    assert entries, f"{QUESTIONS_FILE} holds no list of questions"
    problems = [p for i, e in enumerate(entries) for p in shape_problems(i, e)]
    ids = [e.get("id") for e in entries if isinstance(e, Mapping)]
    problems += [f"duplicate id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1}, key=str)]
    assert not problems, "\n".join(problems)
    assert len(entries) >= MINIMUM_QUESTIONS, f"only {len(entries)} golden questions; keep at least {MINIMUM_QUESTIONS}"


def test_questions_cover_every_status_kind_and_municipality() -> None:
    golden = questions()
    assert {g.status for g in golden} == STATUSES
    assert {g.kind for g in golden} == KINDS
    assert {g.municipality.casefold() for g in golden} >= {"aarhus", "københavn", "silkeborg"}


def test_cli_sample_names_existing_questions() -> None:
    ids = {g.id for g in questions()}
    assert len(CLI_SAMPLE) >= 5
    assert set(CLI_SAMPLE) <= ids, sorted(set(CLI_SAMPLE) - ids)


@cache
def _source_text(key: str) -> str | None:
    """The normalised text of a cited document: '003' -> ../shared/seeds/003_*.txt, 'law.md' -> reference."""
    for folder in SOURCE_DIRS:
        matches = sorted(folder.glob(f"{key}_*.txt")) if key.isdigit() else [folder / key]
        for path in matches:
            if path.is_file():
                return normalise(path.read_text(encoding="utf-8"))
    return None


@pytest.mark.skipif(not (SHARED_DIR / "seeds").is_dir(), reason=f"source documents not found in {SHARED_DIR}")
def test_every_why_quotes_a_document_it_cites() -> None:
    problems: list[str] = []
    for golden in questions():
        cited = {m.group(1) or m.group(2) for m in _CITATION.finditer(_QUOTE.sub(" ", golden.why))}
        texts = {key: _source_text(key) for key in cited}
        problems += [f"{golden.id}: cites {key}, which is not found" for key, text in texts.items() if text is None]
        quotes = _QUOTE.findall(golden.why)
        if not cited or not quotes:
            problems.append(f"{golden.id}: why must cite a document (000-004, law.md) and quote it in double quotes")
        for quote in quotes:
            if not any(text and normalise(quote) in text for text in texts.values()):
                problems.append(f"{golden.id}: {quote!r} is not in any of {sorted(cited)}")
    assert not problems, "\n".join(problems)


def _seed_unit_names() -> set[str]:
    """Unit names as stored in seed/ (the one thing the golden file takes from it)."""
    names: set[str] = set()
    yaml = YAML(typ="safe", pure=True)
    for path in sorted(SEED_DIR.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if isinstance(data, Mapping):
            names.update(str(u["name"]) for u in data.get("units") or [] if isinstance(u, Mapping) and "name" in u)
    return names


def test_expected_unit_names_are_stored_unit_names() -> None:
    """A name no unit has is a typo (or a YAML flow list split at a comma: quote names with commas)."""
    known = _seed_unit_names()
    unknown = sorted(
        {(g.id, name) for g in questions() for name in (*_flat(g.units), *g.not_units) if name not in known}
    )
    assert not unknown, "\n".join(f"{qid}: no unit is named {name!r}" for qid, name in unknown)


# --------------------------------------------------------------------------- in-process resolver


@pytest.mark.parametrize("golden", _params(questions()))
def test_golden_question(golden: Golden, seeded_store: GraphStore) -> None:
    resolver_module = pytest.importorskip("app.domain.resolver", reason="the resolver is not written yet")
    question = resolver_module.Question(
        municipality=golden.municipality,
        age=golden.age,
        conditions=golden.conditions,
        paragraph=golden.paragraph,
        kind=golden.kind,
        on=golden.on,
    )
    answer = resolver_module.Resolver(seeded_store).resolve(question).to_dict()
    problems = mismatches(golden, answer)
    assert not problems, report(golden, answer, problems)


# --------------------------------------------------------------------------- the real command line


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir seeded once with the real seed/ through `python -m app seed`."""
    pytest.importorskip("app.domain.resolver", reason="the resolver is not written yet")
    data_dir = tmp_path_factory.mktemp("golden-cli") / "data"
    result = _socialatlas("seed", data_dir=data_dir)
    assert result.returncode == 0, f"seed failed:\n{result.stdout}\n{result.stderr}"
    return data_dir


def _cli_args(golden: Golden) -> list[str]:
    args = ["ask", "--municipality", golden.municipality, "--age", str(golden.age)]
    for condition in golden.conditions:
        args += ["--condition", condition]
    if golden.paragraph:
        args += ["--paragraph", golden.paragraph]
    return [*args, "--kind", golden.kind, "--date", golden.on.isoformat(), "--json"]


@pytest.mark.slow
@pytest.mark.parametrize("golden", _params([g for g in questions() if g.id in CLI_SAMPLE]))
def test_golden_question_through_the_cli(golden: Golden, cli_data_dir: Path) -> None:
    result = _socialatlas(*_cli_args(golden), data_dir=cli_data_dir)
    assert result.returncode == 0, (
        f"{golden.describe()}\n`socialatlas {' '.join(_cli_args(golden))}` exited {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr}"
    )
    answer = json.loads(result.stdout)
    problems = mismatches(golden, answer)
    assert not problems, report(golden, answer, problems)
