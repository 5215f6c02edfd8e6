"""docs/api.md runs: every ```graphql block is sent over real HTTP to the seeded app, and each ```json response
example after it must fit the real response, so the guide cannot drift from the API.

Markers, as HTML comments between the previous block and a block:

- `<!-- expect-error: CODE -->` before a graphql block: the response carries exactly that `extensions.code`
  (and no other); without it, the response must have no errors.
- `<!-- needs: analyst -->` (or reader, curator, unknown-key) before a graphql block: sent with such a key.
  Blocks without it are read anonymously against the read-only seeded app; keyed blocks run in the guide's
  order against one writable seeded graph, so a mutation's effect shows in a later `auditLog` block.
- `<!-- variables -->` before a json block: the variables of the graphql block before it.
- `<!-- no-run -->` before a graphql block: shown only, not run (the test counts these and keeps them few).

A json block without a marker is a response example for the graphql block before it: it may leave out keys and
list items ("abridged"), but every key it shows must be in the real response at the same place with the same value
(`"…"` stands for any value), and every list item it shows must fit some real item of that list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.api.app import create_app
from app.store.base import GraphStore
from tests.api.keys import bearer, keyed_settings, write_keys
from tests.api.support import error_codes, gql, serving

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROLES = ("reader", "analyst", "curator")
UNKNOWN_KEY = "sa_this-key-is-in-no-keys-file"
MOST_UNRUN = 1
ELIDED = "…"
"""A json example's value that stands for any value (a timestamp, a long text)."""

_FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!--\s*([\w-]+)\s*(?::\s*([\w-]+))?\s*-->")


@dataclass
class Example:
    """One graphql block of the guide, with what the markers and following json blocks say about it."""

    line: int
    query: str
    expect_error: str | None = None
    needs: str | None = None
    run: bool = True
    variables: dict[str, Any] = field(default_factory=dict)
    responses: list[Any] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"api.md:{self.line}"


def _markers(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) or "" for m in _MARKER.finditer(text)}


def parse_guide(text: str) -> list[Example]:
    """The guide's graphql blocks in order; markers are read from the prose between a block and the one before."""
    examples: list[Example] = []
    previous_end = 0
    for match in _FENCE.finditer(text):
        language, body = match.group(1), match.group(2)
        markers = _markers(text[previous_end : match.start()])
        previous_end = match.end()
        line = text.count("\n", 0, match.start()) + 1
        if language == "graphql":
            examples.append(
                Example(
                    line=line,
                    query=body,
                    expect_error=markers.get("expect-error") or None,
                    needs=markers.get("needs") or None,
                    run="no-run" not in markers,
                )
            )
        elif language == "json" and examples:
            if "variables" in markers:
                examples[-1].variables = json.loads(body)
            else:
                examples[-1].responses.append(json.loads(body))
    return examples


EXAMPLES = parse_guide(GUIDE.read_text(encoding="utf-8"))
READS = [e for e in EXAMPLES if e.run and e.needs is None]
KEYED = [e for e in EXAMPLES if e.run and e.needs is not None]


def fits(example: Any, real: Any, where: str = "") -> list[str]:
    """Where the (abridged) example shows a key, value or list item the real response lacks; empty when it fits."""
    if isinstance(example, dict):
        if not isinstance(real, dict):
            return [f"{where or '.'}: the example has an object, the response {type(real).__name__}"]
        problems: list[str] = []
        for key, value in example.items():
            if key not in real:
                problems.append(f"{where}.{key}: not in the response (it has {sorted(real)})")
            else:
                problems += fits(value, real[key], f"{where}.{key}")
        return problems
    if isinstance(example, list):
        if not isinstance(real, list):
            return [f"{where}: the example has a list, the response {type(real).__name__}"]
        problems = []
        for index, item in enumerate(example):
            if not any(not fits(item, candidate) for candidate in real):
                closest = min((fits(item, candidate, f"{where}[{index}]") for candidate in real), key=len, default=[])
                problems.append(f"{where}[{index}]: no item of the response ({len(real)} items) fits it")
                problems += closest
        return problems
    if example in (ELIDED, real):
        return []
    return [f"{where}: the example says {example!r}, the response {real!r}"]


def check(example: Example, body: dict[str, Any]) -> None:
    codes = error_codes(body)
    if example.expect_error is None:
        assert "errors" not in body, f"{example.id}: {body['errors']}"
    else:
        assert codes, f"{example.id}: expected {example.expect_error}, got no error: {body}"
        assert set(codes) == {example.expect_error}, f"{example.id}: expected {example.expect_error}: {body}"
    for response in example.responses:
        problems = fits(response, body)
        assert not problems, f"{example.id}: the json example does not fit the response:\n" + "\n".join(problems)


def headers_for(example: Example, keys: dict[str, str]) -> dict[str, str]:
    if example.needs is None:
        return {}
    if example.needs == "unknown-key":
        return bearer(UNKNOWN_KEY)
    assert example.needs in keys, f"{example.id}: unknown needs marker {example.needs!r}; use one of {ROLES}"
    return bearer(keys[example.needs])


def test_the_guide_has_examples_and_markers_it_understands() -> None:
    assert len(READS) >= 20, "the guide lost its examples, or the parser no longer finds them"
    assert KEYED, "the guide lost its keyed examples (cypher, mutations)"
    assert sum(not e.run for e in EXAMPLES) <= MOST_UNRUN, "examples are meant to run; keep no-run rare"
    for example in EXAMPLES:
        assert example.needs in (None, "unknown-key", *ROLES), f"{example.id}: needs {example.needs!r}"
        assert example.expect_error is None or example.expect_error.isupper(), example.id


@pytest.mark.parametrize("example", READS, ids=[e.id for e in READS])
def test_read_example(base_url: str, example: Example) -> None:
    check(example, gql(base_url, example.query, **example.variables))


@pytest.fixture
def keyed_url(writable_store: GraphStore, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    keys = write_keys(tmp_path / "keys.yaml", reader="rita", analyst="ali", curator="anna")
    with serving(create_app(keyed_settings(tmp_path / "keys.yaml"), writable_store)) as url:
        yield url, keys


def test_keyed_examples_in_order(keyed_url: tuple[str, dict[str, str]]) -> None:
    url, keys = keyed_url
    for example in KEYED:
        check(example, gql(url, example.query, headers=headers_for(example, keys), **example.variables))
