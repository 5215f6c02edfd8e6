"""What the resolver answers: plain frozen dataclasses with `to_dict()` for JSON.

The shape is the contract the CLI (`socialatlas ask --json`), the API and the golden
questions read, so every part says where it comes from: the rules weighed with their
verdicts, the sources with quotes, and every step that rests on an inferred fact.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any, Literal

Status = Literal["resolved", "ambiguous", "not_covered"]
Verdict = Literal["decided", "outranked", "rejected"]


def plain(value: Any) -> Any:
    """Dataclasses, tuples and dates as JSON-able dicts, lists and ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Ref:
    """A named thing by uid and name."""

    uid: str
    name: str


@dataclass(frozen=True)
class SourceRef:
    """One citation: the document, its section, a verbatim quote, and which fact of the answer it backs."""

    document: str
    section: str
    quote: str
    about: str


@dataclass(frozen=True)
class InferredStep:
    """A step of the answer that rests on an inferred fact (or an UNCONFIRMED paragraph), and why."""

    about: str
    reason: str


@dataclass(frozen=True)
class PathStep:
    uid: str
    name: str
    kind: str


@dataclass(frozen=True)
class Leader:
    """A position leading the unit (or, with `inherited_from`, the nearest ancestor that has a leader)."""

    title: str
    level: int | None
    unit: str
    unit_uid: str
    person: str | None
    inherited_from: str | None
    inferred: bool


@dataclass(frozen=True)
class Authority:
    """A unit holding the responsibility on the date, where it sits, and who leads it."""

    unit: str
    uid: str
    kind: str
    path: tuple[PathStep, ...]
    leaders: tuple[Leader, ...]
    rules: tuple[str, ...]
    valid: bool


@dataclass(frozen=True)
class SuccessionStep:
    """A paragraph succession followed, forward (`successor`) or back (`predecessor`)."""

    from_uid: str
    from_name: str
    to_uid: str
    to_name: str
    effective_on: date
    scope: str | None
    direction: str
    inferred: bool


@dataclass(frozen=True)
class Via:
    """How an applying paragraph was reached from the one asked or named by the rule."""

    paragraph: str
    name: str
    relation: str
    steps: tuple[SuccessionStep, ...]


@dataclass(frozen=True)
class ParagraphUse:
    """A paragraph that applies on the date: the asked one after succession, or one the deciding rule names."""

    uid: str
    name: str
    heading: str | None
    unconfirmed: bool
    via: Via | None
    role: str
    """'asked' (the question's paragraph, after succession) or 'rule' (named by a deciding rule)."""


@dataclass(frozen=True)
class Provider:
    """Who delivers: a tilbud serving such a case (type 'tilbud'), or an udfører rule's holder (type 'udfører')."""

    type: str
    uid: str
    name: str
    unit: Ref | None
    detail: str | None
    paragraphs: tuple[str, ...]
    rule: str | None
    inferred: bool


@dataclass(frozen=True)
class ExceptionNote:
    """A rule limited to certain paragraphs that covers the case otherwise ('except for SEL §41/§42: …')."""

    rule: str
    rule_name: str
    paragraphs: tuple[Ref, ...]
    paragraphs_on_date: tuple[Ref, ...]
    units: tuple[Ref, ...]
    same_as_authority: bool
    inferred: bool


@dataclass(frozen=True)
class Nearest:
    """A rule that fails only on age or only on condition: where to look when nothing covers the case."""

    rule: str
    rule_name: str
    units: tuple[Ref, ...]
    fails_on: str
    detail: str
    distance: int


@dataclass(frozen=True)
class ParagraphMatch:
    """Which paragraph of a rule matched the asked one, and how (same, predecessor, successor)."""

    rule_paragraph: str
    rule_paragraph_name: str
    relation: str


@dataclass(frozen=True)
class RuleVerdict:
    """A rule weighed for the question, with the verdict and the reason in Danish."""

    uid: str
    name: str
    kind: str
    verdict: Verdict
    reason: str
    reason_codes: tuple[str, ...]
    holders: tuple[Ref, ...]
    inferred: bool
    paragraph_match: tuple[ParagraphMatch, ...]


@dataclass(frozen=True)
class QuestionEcho:
    """The question as understood: every term resolved to its uid."""

    municipality: Ref
    age: int
    conditions: tuple[str, ...]
    condition_names: tuple[str, ...]
    paragraph_asked: str | None
    paragraph_applied: tuple[str, ...]
    kind: str
    date: date


@dataclass(frozen=True)
class Answer:
    """Who holds the responsibility, by which rule, on which sources; `to_dict()` is the JSON form."""

    status: Status
    question: QuestionEcho
    authority: tuple[Authority, ...]
    paragraphs: tuple[ParagraphUse, ...]
    providers: tuple[Provider, ...]
    exceptions: tuple[ExceptionNote, ...]
    nearest: tuple[Nearest, ...]
    rules: tuple[RuleVerdict, ...]
    sources: tuple[SourceRef, ...]
    inferred: bool
    inferred_steps: tuple[InferredStep, ...]
    explanation: str
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


@dataclass(frozen=True)
class Conflict:
    """Two rules of equal specificity that name different holders for some of the same cases."""

    municipality: str
    kind: str
    rules: tuple[Ref, Ref]
    holders: tuple[tuple[Ref, ...], tuple[Ref, ...]]
    overlap: dict[str, str]
    """Human-readable overlap: validity, ages, conditions, paragraphs."""

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result
