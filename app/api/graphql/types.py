"""GraphQL types of the responsibility answer: thin views over the domain's frozen dataclasses (`Answer`).

The graph's own nodes (Unit, Tilbud, …) are in entities.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

import strawberry

from app.domain import answer as domain


@strawberry.enum(description="Which responsibility is asked about: who decides (myndighed) or who delivers (udfører).")
class ResponsibilityKind(Enum):
    MYNDIGHED = strawberry.enum_value("myndighed", description="Who decides (myndighed).")
    UDFOERER = strawberry.enum_value("udfører", description="Who delivers (udfører).")


@strawberry.enum(description="How the question was answered.")
class ResponsibilityStatus(Enum):
    RESOLVED = strawberry.enum_value("resolved", description="One answer: the deciding rules agree.")
    AMBIGUOUS = strawberry.enum_value("ambiguous", description="Rules of equal weight name different units.")
    NOT_COVERED = strawberry.enum_value("not_covered", description="No rule covers the case on the date.")


@strawberry.enum(description="What became of a rule weighed for the question.")
class RuleVerdictKind(Enum):
    DECIDED = strawberry.enum_value("decided", description="The rule decides the case.")
    OUTRANKED = strawberry.enum_value("outranked", description="The rule covers the case but a more specific one wins.")
    REJECTED = strawberry.enum_value("rejected", description="The rule does not cover the case.")


@strawberry.type(description="A node named by uid and name.")
class NamedRef:
    uid: str = strawberry.field(description="Stable identifier of the node.")
    name: str = strawberry.field(description="Name as the sources write it (Danish).")

    @classmethod
    def of(cls, ref: domain.Ref) -> NamedRef:
        return cls(uid=ref.uid, name=ref.name)


# -- the responsibility answer, mirroring Answer.to_dict()


@strawberry.type(description="A unit by uid, name and kind.")
class UnitRef:
    uid: str = strawberry.field(description="Stable identifier of the unit.")
    name: str = strawberry.field(description="Name of the unit (Danish).")
    kind: str = strawberry.field(description="Kind of unit, or the label for an administration.")


@strawberry.type(description="A position leading the authority (or, when inherited, its nearest led ancestor).")
class AuthorityLeader:
    title: str = strawberry.field(description="Title of the position (Danish).")
    level: int | None = strawberry.field(description="Leadership level, when the sources give one.")
    person: str | None = strawberry.field(description="The person the sources name in the position, if any.")
    unit: str = strawberry.field(description="Name of the unit the position leads.")
    unit_uid: str = strawberry.field(description="Uid of the unit the position leads.")
    inherited_from: str | None = strawberry.field(description="The ancestor the leader is taken from, if not the unit.")
    inferred: bool = strawberry.field(description="True when the leadership rests on an inferred fact.")


@strawberry.type(description="A unit holding the responsibility on the date, where it sits, and who leads it.")
class Authority:
    unit: UnitRef = strawberry.field(description="The holding unit.")
    path: list[UnitRef] = strawberry.field(description="Where it sits on the date: from the municipality down.")
    leaders: list[AuthorityLeader] = strawberry.field(description="Who leads it.")
    rules: list[str] = strawberry.field(description="Uids of the deciding rules naming this unit.")
    valid: bool = strawberry.field(description="False when the unit itself is not valid on the date asked.")

    @classmethod
    def of(cls, item: domain.Authority) -> Authority:
        return cls(
            unit=UnitRef(uid=item.uid, name=item.unit, kind=item.kind),
            path=[UnitRef(uid=step.uid, name=step.name, kind=step.kind) for step in item.path],
            leaders=[
                AuthorityLeader(
                    title=leader.title,
                    level=leader.level,
                    person=leader.person,
                    unit=leader.unit,
                    unit_uid=leader.unit_uid,
                    inherited_from=leader.inherited_from,
                    inferred=leader.inferred,
                )
                for leader in item.leaders
            ],
            rules=list(item.rules),
            valid=item.valid,
        )


@strawberry.type(description="One paragraph succession followed to reach the paragraph in force on the date.")
class SuccessionStep:
    from_uid: str = strawberry.field(description="Uid of the paragraph the step starts from.")
    from_name: str = strawberry.field(description="Name of the paragraph the step starts from.")
    to_uid: str = strawberry.field(description="Uid of the paragraph the step leads to.")
    to_name: str = strawberry.field(description="Name of the paragraph the step leads to.")
    effective_on: date = strawberry.field(description="The date the succession took effect.")
    scope: str | None = strawberry.field(description="The part that moved, when only part did (e.g. under-18s).")
    direction: str = strawberry.field(description="'successor' (forwards in time) or 'predecessor' (backwards).")
    inferred: bool = strawberry.field(description="True when the succession is inferred, not stated by a source.")

    @classmethod
    def of(cls, step: domain.SuccessionStep) -> SuccessionStep:
        return cls(**dataclasses.asdict(step))


@strawberry.type(description="How an applying paragraph was reached from the one asked or named by a rule.")
class ParagraphVia:
    paragraph: str = strawberry.field(description="Uid of the paragraph it was reached from.")
    name: str = strawberry.field(description="Name of the paragraph it was reached from.")
    relation: str = strawberry.field(description="How: same, successor or predecessor.")
    steps: list[SuccessionStep] = strawberry.field(description="The successions followed, in order.")


@strawberry.type(description="A paragraph that applies on the date.")
class ParagraphUse:
    uid: str = strawberry.field(description="Uid of the paragraph.")
    name: str = strawberry.field(description="Name, e.g. 'SEL §52'.")
    heading: str | None = strawberry.field(description="The paragraph's heading, when known.")
    unconfirmed: bool = strawberry.field(description="True when the paragraph is not confirmed by a source.")
    via: ParagraphVia | None = strawberry.field(description="How it was reached, when not asked directly.")
    role: str = strawberry.field(description="'asked' (the question's paragraph) or 'rule' (named by a rule).")

    @classmethod
    def of(cls, item: domain.ParagraphUse) -> ParagraphUse:
        via = (
            ParagraphVia(
                paragraph=item.via.paragraph,
                name=item.via.name,
                relation=item.via.relation,
                steps=[SuccessionStep.of(step) for step in item.via.steps],
            )
            if item.via
            else None
        )
        return cls(
            uid=item.uid,
            name=item.name,
            heading=item.heading,
            unconfirmed=item.unconfirmed,
            via=via,
            role=item.role,
        )


@strawberry.type(description="Who delivers: a tilbud serving such a case, or an udfører rule's holder.")
class Provider:
    type: str = strawberry.field(description="'tilbud' or 'udfører'.")
    uid: str = strawberry.field(description="Uid of the tilbud or unit.")
    name: str = strawberry.field(description="Name of the tilbud or unit.")
    unit: NamedRef | None = strawberry.field(description="The unit the tilbud belongs to, when known.")
    detail: str | None = strawberry.field(description="The tilbud's type or other detail.")
    paragraphs: list[str] = strawberry.field(description="Paragraphs it delivers under.")
    rule: str | None = strawberry.field(description="The udfører rule naming it, if any.")
    inferred: bool = strawberry.field(description="True when this rests on an inferred fact.")

    @classmethod
    def of(cls, item: domain.Provider) -> Provider:
        return cls(
            type=item.type,
            uid=item.uid,
            name=item.name,
            unit=NamedRef.of(item.unit) if item.unit else None,
            detail=item.detail,
            paragraphs=list(item.paragraphs),
            rule=item.rule,
            inferred=item.inferred,
        )


@strawberry.type(description="A paragraph-limited rule that covers the case apart from its paragraphs.")
class ExceptionNote:
    rule: str = strawberry.field(description="Uid of the rule.")
    rule_name: str = strawberry.field(description="Name of the rule.")
    paragraphs: list[NamedRef] = strawberry.field(description="The paragraphs the rule is limited to.")
    paragraphs_on_date: list[NamedRef] = strawberry.field(description="Those paragraphs as in force on the date.")
    units: list[NamedRef] = strawberry.field(description="The units the rule names for those paragraphs.")
    same_as_authority: bool = strawberry.field(description="True when those units are the authority anyway.")
    inferred: bool = strawberry.field(description="True when the rule rests on an inferred fact.")

    @classmethod
    def of(cls, item: domain.ExceptionNote) -> ExceptionNote:
        return cls(
            rule=item.rule,
            rule_name=item.rule_name,
            paragraphs=[NamedRef.of(ref) for ref in item.paragraphs],
            paragraphs_on_date=[NamedRef.of(ref) for ref in item.paragraphs_on_date],
            units=[NamedRef.of(ref) for ref in item.units],
            same_as_authority=item.same_as_authority,
            inferred=item.inferred,
        )


@strawberry.type(description="When nothing covers the case: a rule that fails only on age or only on condition.")
class NearestRule:
    rule: str = strawberry.field(description="Uid of the rule.")
    rule_name: str = strawberry.field(description="Name of the rule.")
    units: list[NamedRef] = strawberry.field(description="The units the rule names.")
    fails_on: str = strawberry.field(description="What alone it fails on: 'age' or 'condition'.")
    detail: str = strawberry.field(description="How it fails, in Danish.")
    distance: int = strawberry.field(description="Years between the age asked and the rule's age band (0 when inside).")

    @classmethod
    def of(cls, item: domain.Nearest) -> NearestRule:
        return cls(
            rule=item.rule,
            rule_name=item.rule_name,
            units=[NamedRef.of(ref) for ref in item.units],
            fails_on=item.fails_on,
            detail=item.detail,
            distance=item.distance,
        )


@strawberry.type(description="Which paragraph of a rule matched the one asked, and how.")
class ParagraphMatch:
    rule_paragraph: str = strawberry.field(description="Uid of the rule's paragraph.")
    rule_paragraph_name: str = strawberry.field(description="Name of the rule's paragraph.")
    relation: str = strawberry.field(description="How it matched: same, successor or predecessor.")


@strawberry.type(description="A rule weighed for the question, with its verdict and the reason (Danish).")
class RuleVerdict:
    uid: str = strawberry.field(description="Uid of the rule.")
    name: str = strawberry.field(description="Name of the rule.")
    kind: str = strawberry.field(description="myndighed or udfører.")
    verdict: RuleVerdictKind = strawberry.field(description="Decided, outranked or rejected.")
    reason: str = strawberry.field(description="Why, in Danish.")
    reason_codes: list[str] = strawberry.field(description="Machine-readable reasons.")
    holders: list[NamedRef] = strawberry.field(description="The units the rule names.")
    inferred: bool = strawberry.field(description="True when the rule rests on an inferred fact.")
    paragraph_match: list[ParagraphMatch] = strawberry.field(
        description="Which of the rule's paragraphs matched the one asked, and how."
    )

    @classmethod
    def of(cls, item: domain.RuleVerdict) -> RuleVerdict:
        return cls(
            uid=item.uid,
            name=item.name,
            kind=item.kind,
            verdict=RuleVerdictKind(item.verdict),
            reason=item.reason,
            reason_codes=list(item.reason_codes),
            holders=[NamedRef.of(ref) for ref in item.holders],
            inferred=item.inferred,
            paragraph_match=[ParagraphMatch(**dataclasses.asdict(match)) for match in item.paragraph_match],
        )


@strawberry.type(description="One citation backing a fact of the answer.")
class AnswerSource:
    document: str = strawberry.field(description="The source document.")
    section: str = strawberry.field(description="Its section.")
    quote: str = strawberry.field(description="A verbatim quote.")
    about: str = strawberry.field(description="Which fact of the answer it backs.")


@strawberry.type(description="A step of the answer resting on an inferred fact, and why.")
class InferredStep:
    about: str = strawberry.field(description="The fact that is inferred.")
    reason: str = strawberry.field(description="Why it was inferred.")


@strawberry.type(description="The question as understood: every term resolved to its uid.")
class QuestionEcho:
    municipality: NamedRef = strawberry.field(description="The municipality asked about.")
    age: int = strawberry.field(description="The citizen's age.")
    conditions: list[str] = strawberry.field(description="Uids of the conditions.")
    condition_names: list[str] = strawberry.field(description="Names of the conditions.")
    paragraph_asked: str | None = strawberry.field(description="Uid of the paragraph asked, if any.")
    paragraph_applied: list[str] = strawberry.field(description="Uids of the paragraphs applying on the date.")
    kind: str = strawberry.field(description="myndighed or udfører.")
    on: date = strawberry.field(name="date", description="The date the question is about.")


@strawberry.type(description="Who holds the responsibility, by which rule, on which sources (as Answer.to_dict()).")
class ResponsibilityAnswer:
    status: ResponsibilityStatus = strawberry.field(description="Resolved, ambiguous or not covered.")
    question: QuestionEcho = strawberry.field(description="The question as understood.")
    authority: list[Authority] = strawberry.field(description="The units holding the responsibility.")
    paragraphs: list[ParagraphUse] = strawberry.field(description="The paragraphs that apply.")
    providers: list[Provider] = strawberry.field(description="Who delivers.")
    exceptions: list[ExceptionNote] = strawberry.field(
        description="Rules limited to certain paragraphs that would otherwise cover the case ('except for …')."
    )
    nearest: list[NearestRule] = strawberry.field(
        description="When not covered: the rules that fail only on age or only on condition, nearest first."
    )
    rules: list[RuleVerdict] = strawberry.field(description="Every rule weighed, with its verdict.")
    sources: list[AnswerSource] = strawberry.field(description="Citations for the answer.")
    inferred: bool = strawberry.field(description="True when some step rests on an inferred fact.")
    inferred_steps: list[InferredStep] = strawberry.field(description="The inferred steps, and why.")
    explanation: str = strawberry.field(description="The answer explained, in Danish.")
    warnings: list[str] = strawberry.field(description="Notes on how the question was read.")

    @classmethod
    def of(cls, answer: domain.Answer) -> ResponsibilityAnswer:
        q = answer.question
        return cls(
            status=ResponsibilityStatus(answer.status),
            question=QuestionEcho(
                municipality=NamedRef.of(q.municipality),
                age=q.age,
                conditions=list(q.conditions),
                condition_names=list(q.condition_names),
                paragraph_asked=q.paragraph_asked,
                paragraph_applied=list(q.paragraph_applied),
                kind=q.kind,
                on=q.date,
            ),
            authority=[Authority.of(item) for item in answer.authority],
            paragraphs=[ParagraphUse.of(item) for item in answer.paragraphs],
            providers=[Provider.of(item) for item in answer.providers],
            exceptions=[ExceptionNote.of(item) for item in answer.exceptions],
            nearest=[NearestRule.of(item) for item in answer.nearest],
            rules=[RuleVerdict.of(item) for item in answer.rules],
            sources=[
                AnswerSource(document=s.document, section=s.section, quote=s.quote, about=s.about)
                for s in answer.sources
            ],
            inferred=answer.inferred,
            inferred_steps=[InferredStep(about=s.about, reason=s.reason) for s in answer.inferred_steps],
            explanation=answer.explanation,
            warnings=list(answer.warnings),
        )
