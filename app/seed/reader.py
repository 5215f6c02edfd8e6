"""Read a YAML file into a small tree that keeps line numbers and the raw scalar text.

We compose (parse without constructing) so that nothing is converted behind our
back: `2019-02-30` stays the text `2019-02-30` with kind "timestamp" instead of
crashing the YAML library, `52` keeps its text for a string property, and every
value knows its line for the problem report. Turning text into typed values is
`app.seed.values`' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_CORE_TAG = "tag:yaml.org,2002:"
_SCALAR_KINDS = frozenset({"null", "bool", "int", "float", "str", "timestamp"})
_MAX_DEPTH = 32


@dataclass(frozen=True)
class YScalar:
    """A scalar as written: `raw` text and the `kind` YAML resolves it to (str, int, timestamp, …)."""

    raw: str
    kind: str
    line: int
    column: int


@dataclass(frozen=True)
class YSeq:
    items: tuple[YNode, ...]
    line: int
    column: int


@dataclass(frozen=True)
class YMap:
    """A mapping with its pairs in file order; duplicate keys are kept for the validator to report."""

    pairs: tuple[tuple[YNode, YNode], ...]
    line: int
    column: int


YNode = YScalar | YSeq | YMap


class YamlSyntaxError(Exception):
    """The file is not well-formed YAML (1-based line and column)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def describe(node: YNode) -> str:
    """How a value reads in a message: `the text 'abc'`, `a list`, `nothing`."""
    if isinstance(node, YSeq):
        return "a list"
    if isinstance(node, YMap):
        return "a mapping"
    if node.kind == "null":
        return "nothing"
    names = {
        "bool": "the boolean",
        "int": "the number",
        "float": "the number",
        "timestamp": "the date",
        "str": "the text",
    }
    return f"{names.get(node.kind, f'a value tagged {node.kind}')} {node.raw!r}"


def parse_yaml(text: str) -> YNode | None:
    """Parse one YAML document; None for an empty file. Raises YamlSyntaxError."""
    try:
        root = YAML(typ="rt").compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(part for part in (error.context, error.problem) if part)
        raise YamlSyntaxError(line, column, detail or "not valid YAML") from error
    except YAMLError as error:
        raise YamlSyntaxError(1, 1, str(error)) from error
    return None if root is None else _convert(root, 0)


def read_yaml(path: Path) -> YNode | None:
    """Parse a UTF-8 YAML file; a file that is not UTF-8 is a syntax error on its first bad line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise YamlSyntaxError(line, 1, "the file is not UTF-8 text") from error
    return parse_yaml(text)


def _convert(node: Node, depth: int) -> YNode:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > _MAX_DEPTH:
        raise YamlSyntaxError(line, column, "nested too deeply (a recursive alias?)")
    if isinstance(node, ScalarNode):
        tag = str(node.tag)
        kind = tag.removeprefix(_CORE_TAG) if tag.startswith(_CORE_TAG) else tag
        if kind not in _SCALAR_KINDS:
            kind = f"!{kind}" if not kind.startswith("!") else kind
        return YScalar(str(node.value), kind, line, column)
    if isinstance(node, SequenceNode):
        return YSeq(tuple(_convert(item, depth + 1) for item in node.value), line, column)
    if isinstance(node, MappingNode):
        pairs = tuple((_convert(k, depth + 1), _convert(v, depth + 1)) for k, v in node.value)
        return YMap(pairs, line, column)
    raise YamlSyntaxError(line, column, f"unsupported YAML node {type(node).__name__}")
