"""The one table of property types: seed text → Python value → Cypher parameter → YAML again.

Every schema type (`schema/graph.yaml` `types`) has exactly one `Codec` here; the
validator, the planner, the graph reader and the emitter all go through it, so a
type is parsed, written and read back the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from app.schema.model import PROPERTY_TYPES
from app.seed.reader import YMap, YNode, YScalar, YSeq, describe

Value = str | int | float | bool | dt.date | list[str]
"""A property value as the loader holds it (dates as `datetime.date`, lists as lists of str)."""

_TEXT_KINDS = frozenset({"str", "int", "float", "bool", "timestamp"})
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YAML11_BOOLEANS = frozenset({"y", "n", "yes", "no", "on", "off"})
"""Plain text in YAML 1.2, but booleans to YAML 1.1 readers (PyYAML, many editors): quoted when written."""


class ValueProblem(Exception):
    """A value does not fit its type; the message completes `field: …`."""


@dataclass(frozen=True)
class Codec:
    """How one schema type is read from a seed file, sent to and read from the graph, and written back."""

    name: str
    parse: Callable[[YNode], Value]
    cypher_function: str | None
    """Cypher function the parameter is wrapped in when written (dates travel as ISO text)."""
    to_param: Callable[[Value], Any]
    from_graph: Callable[[Any], Value]
    to_yaml: Callable[[Value], Any]


def parse_text(node: YNode) -> str:
    """A text value. A plain scalar YAML would read as a number, date or boolean keeps its written text
    (`number: 52` is the text "52"), so curators need not quote; the canonical form quotes it."""
    if not isinstance(node, YScalar) or node.kind not in _TEXT_KINDS:
        if isinstance(node, YScalar) and node.kind == "null":
            raise ValueProblem("has no value (write one, or remove the key)")
        raise ValueProblem(f"expected text, got {describe(node)}")
    if not node.raw.strip():
        raise ValueProblem("is empty (write a value, or remove the key)")
    return node.raw


def _expect_scalar(node: YNode, kinds: tuple[str, ...], expected: str) -> YScalar:
    if isinstance(node, YScalar) and node.kind in kinds:
        return node
    if isinstance(node, YScalar) and node.kind == "null":
        raise ValueProblem("has no value (write one, or remove the key)")
    raise ValueProblem(f"expected {expected}, got {describe(node)}")


def _parse_int(node: YNode) -> int:
    scalar = _expect_scalar(node, ("int",), "a whole number")
    digits = scalar.raw.replace("_", "")
    try:
        return int(digits, 0)
    except ValueError:
        return int(digits, 10)


def _parse_float(node: YNode) -> float:
    scalar = _expect_scalar(node, ("int", "float"), "a number")
    if scalar.kind == "int":
        return float(_parse_int(scalar))
    text = scalar.raw.replace("_", "").lower()
    value = math.nan if text.lstrip("+-") in (".inf", ".nan") else float(text)
    if not math.isfinite(value):
        raise ValueProblem(f"expected a finite number, got {scalar.raw!r}")
    return value


def _parse_bool(node: YNode) -> bool:
    return _expect_scalar(node, ("bool",), "true or false").raw.lower() == "true"


def parse_date(node: YNode) -> dt.date:
    """An ISO date. The YAML library is never asked to build it, so `2019-02-30` is reported, not crashed on;
    a quoted date is accepted (the canonical form writes it unquoted)."""
    scalar = _expect_scalar(node, ("timestamp", "str"), "a date (YYYY-MM-DD)")
    match = _DATE.fullmatch(scalar.raw.strip())
    if not match:
        if scalar.kind == "timestamp":
            raise ValueProblem(f"expected a date without a time (YYYY-MM-DD), got {scalar.raw!r}")
        raise ValueProblem(f"expected a date (YYYY-MM-DD), got {describe(scalar)}")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValueProblem(f"impossible date {scalar.raw!r} ({error})") from None


def _parse_list(node: YNode) -> list[str]:
    if not isinstance(node, YSeq):
        if isinstance(node, YScalar) and node.kind == "null":
            raise ValueProblem("has no value (write one, or remove the key)")
        raise ValueProblem(f"expected a list of texts (one `- item` per line), got {describe(node)}")
    if not node.items:
        raise ValueProblem("is an empty list (remove the key instead)")
    values: list[str] = []
    for index, item in enumerate(node.items):
        if isinstance(item, YMap | YSeq):
            raise ValueProblem(f"item {index}: expected text, got {describe(item)}")
        try:
            values.append(parse_text(item))
        except ValueProblem as problem:
            raise ValueProblem(f"item {index} {problem}") from None
    return values


def _same(value: Any) -> Any:
    return value


def _text_to_yaml(value: Any) -> Any:
    """Multi-line text is written as a `|` block; everything else plain, quoted only where YAML needs it."""
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return SingleQuotedScalarString(value)
    return value


def _date_from_graph(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_native"):  # a driver's own date type, should a backend pass one through
        native = value.to_native()
        return native.date() if isinstance(native, dt.datetime) else dt.date.fromisoformat(native.isoformat())
    return dt.date.fromisoformat(str(value))


def _date_to_param(value: Any) -> Any:
    return value.isoformat()


def _list_to_param(value: Any) -> Any:
    return list(value)


def _list_from_graph(value: Any) -> list[str]:
    return [str(item) for item in value]


def _list_to_yaml(value: Any) -> Any:
    return [_text_to_yaml(item) for item in value]


CODECS: dict[str, Codec] = {
    "string": Codec("string", parse_text, None, _same, _same, _text_to_yaml),
    "text": Codec("text", parse_text, None, _same, _same, _text_to_yaml),
    "int": Codec("int", _parse_int, None, _same, _same, _same),
    "float": Codec("float", _parse_float, None, _same, _same, _same),
    "bool": Codec("bool", _parse_bool, None, _same, _same, _same),
    "date": Codec("date", parse_date, "date", _date_to_param, _date_from_graph, _same),
    "list[string]": Codec("list[string]", _parse_list, None, _list_to_param, _list_from_graph, _list_to_yaml),
}

if set(CODECS) != set(PROPERTY_TYPES):  # pragma: no cover - caught by the first import in any test
    raise RuntimeError(f"app.seed.values.CODECS does not cover the schema types {PROPERTY_TYPES}")
