"""Curators' mutations and the audit log query.

Each mutation checks the curator role first, turns its input into a domain request, runs the one
domain operation (app/domain/curation.py: validated, atomic, audited) in a worker thread, and
returns what changed: the node as of the effective date, the state before and after, and the
audit entry written with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from app.api.auth import Role, require_role
from app.api.graphql.common import described
from app.api.graphql.context import GraphQLContext
from app.api.graphql.entities import Node, entity_of
from app.domain import curation
from app.domain.audit import DEFAULT_PAGE, AuditRecord, audit_log
from app.domain.curation import Actor, CurationResult, Evidence
from app.store.base import GraphStore

Info = strawberry.Info[GraphQLContext, None]

CHANGE = strawberry.argument(description="What to change, from which date, on what source.")
"""The one argument of every mutation."""


# --- inputs --------------------------------------------------------------------------------------------------


@strawberry.input(description="A cited source: the Source's uid, the section and a short verbatim quote.")
class SourceInput:
    document: str = strawberry.field(description="uid of an existing Source (a document file name).")
    section: str = strawberry.field(description="Section heading or page cited.")
    quote: str = strawberry.field(description="Short verbatim quote from the section that states the change.")


@strawberry.input(description="Where the change comes from: a cited source, or an inference with its reason, or both.")
class ProvenanceInput:
    source: SourceInput | None = strawberry.field(default=None, description="The source that states the change.")
    inferred_reason: str | None = strawberry.field(
        default=None, description="Why the change is inferred when no source states it outright."
    )

    def evidence(self) -> Evidence:
        source = self.source
        return Evidence(
            document=source.document if source else None,
            section=source.section if source else None,
            quote=source.quote if source else None,
            inferred_reason=self.inferred_reason,
        )


@strawberry.input(description="A new unit, valid from a date, under a parent from that date.")
class CreateUnitInput:
    parent: str = strawberry.field(description="uid of the parent: a unit, an administration or a municipality.")
    name: str = strawberry.field(description="The unit's name, as the source writes it.")
    kind: str = strawberry.field(description="Kind of unit (the schema's unit_kind: center, kontor, afdeling, …).")
    effective_on: date = strawberry.field(description="First day the unit exists (and sits under the parent).")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason for the new unit.")
    uid: str | None = strawberry.field(
        default=None, description="uid to give it; default: a slug of municipality and name, numbered when taken."
    )
    municipality: str | None = strawberry.field(
        default=None, description="uid of the municipality, as a check that the parent is in it."
    )
    short_name: str | None = strawberry.field(default=None, description="Abbreviation the documents use.")
    description: str | None = strawberry.field(default=None, description="What the unit does.")


@strawberry.input(description="A new name from a date; the unit stays the same node and keeps its former name.")
class RenameUnitInput:
    uid: str = strawberry.field(description="uid of the unit or administration.")
    name: str = strawberry.field(description="The new name.")
    effective_on: date = strawberry.field(
        description="First day of the new name; the old one held until the day before."
    )
    provenance: ProvenanceInput = strawberry.field(description="The source or reason for the rename.")


@strawberry.input(description="A unit moves to another parent from a date; the old link ends the day before.")
class MoveUnitInput:
    uid: str = strawberry.field(description="uid of the unit or administration to move.")
    new_parent: str = strawberry.field(description="uid of the new parent (same municipality, not below the unit).")
    effective_on: date = strawberry.field(description="First day under the new parent.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason for the move.")


@strawberry.input(description="A unit ceases to exist from a date; it and its open links end the day before.")
class TerminateUnitInput:
    uid: str = strawberry.field(description="uid of the unit or administration.")
    effective_on: date = strawberry.field(description="First day the unit no longer exists.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason for the termination.")


@strawberry.input(description="A new responsibility rule: who holds myndighed or udfører for whom, from a date.")
class AddResponsibilityRuleInput:
    municipality: str = strawberry.field(description="uid of the municipality the rule belongs to.")
    kind: str = strawberry.field(description="myndighed or udfører.")
    holder: str = strawberry.field(description="uid of the unit or administration holding the responsibility.")
    name: str = strawberry.field(description="Short readable statement of the rule.")
    valid_from: date = strawberry.field(description="First day the rule holds.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason for the rule.")
    valid_to: date | None = strawberry.field(default=None, description="Last day the rule holds; null = open.")
    age_min: int | None = strawberry.field(default=None, description="Lowest age covered; null = from birth.")
    age_max: int | None = strawberry.field(default=None, description="Highest age covered; null = no upper limit.")
    conditions: list[str] = strawberry.field(
        default_factory=list, description="uids of the conditions covered (or set allConditions)."
    )
    all_conditions: bool = strawberry.field(default=False, description="The rule covers every condition.")
    paragraphs: list[str] = strawberry.field(
        default_factory=list, description="uids of the paragraphs the rule is limited to (none = all in its area)."
    )
    excluded_paragraphs: list[str] = strawberry.field(
        default_factory=list, description="uids of paragraphs the rule expressly leaves out."
    )
    exception_to: str | None = strawberry.field(
        default=None, description="uid of the broader rule (same kind and municipality) this is an exception to."
    )
    uid: str | None = strawberry.field(default=None, description="uid to give it; default: derived from the name.")


@strawberry.input(description="A responsibility rule stops holding from a date.")
class TerminateResponsibilityRuleInput:
    uid: str = strawberry.field(description="uid of the rule.")
    effective_on: date = strawberry.field(description="First day the rule no longer holds.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason.")


@strawberry.input(description="A tilbud belongs to a unit from a date; its current membership ends the day before.")
class AddTilbudMembershipInput:
    tilbud: str = strawberry.field(description="uid of the tilbud.")
    unit: str = strawberry.field(description="uid of the unit or administration it belongs to from the date.")
    effective_on: date = strawberry.field(description="First day of the membership.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason.")
    valid_to: date | None = strawberry.field(
        default=None, description="Last day of the membership; default: where the current one ended (or open)."
    )


@strawberry.input(description="A tilbud stops belonging to a unit from a date.")
class TerminateTilbudMembershipInput:
    tilbud: str = strawberry.field(description="uid of the tilbud.")
    unit: str = strawberry.field(description="uid of the unit or administration it belongs to now.")
    effective_on: date = strawberry.field(description="First day it no longer belongs there.")
    provenance: ProvenanceInput = strawberry.field(description="The source or reason.")


# --- output --------------------------------------------------------------------------------------------------


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


@strawberry.type(description="One change recorded in the audit log: who, when, what, and the state before and after.")
class AuditEntry:
    uid: str = strawberry.field(description="The entry's uid.")
    at: str = strawberry.field(description="When, as an ISO 8601 UTC timestamp.")
    actor: str = strawberry.field(description="Name of the API key (or program) that made the change.")
    role: str = strawberry.field(description="Role of the actor.")
    operation: str = strawberry.field(description="The mutation (createUnit, moveUnit, …) or seedSync.")
    targets: list[str] = strawberry.field(description="uids of the nodes the change is about.")
    effective_on: date | None = strawberry.field(description="The date the change takes effect in the graph's history.")
    input: JSON | None = strawberry.field(description="The operation's input.")
    before: JSON | None = strawberry.field(
        description="The node and its links before the change (null for a new node)."
    )
    after: JSON | None = strawberry.field(description="The node and its links after the change.")

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntry:
        return cls(
            uid=record.uid,
            at=record.at,
            actor=record.actor,
            role=record.role,
            operation=record.operation,
            targets=list(record.targets),
            effective_on=record.effective_on,
            input=_json(record.input),
            before=_json(record.before),
            after=_json(record.after),
        )


@strawberry.type(description="What a curator's mutation changed.")
class CurationPayload:
    operation: str = strawberry.field(description="The mutation that ran.")
    uid: str = strawberry.field(description="uid of the node the change is about.")
    effective_on: date = strawberry.field(description="The date the change takes effect.")
    node: Node | None = strawberry.field(
        description="The changed node viewed on the effective date (a terminated one: on its last day)."
    )
    before: JSON | None = strawberry.field(description="The node and its links before (null for a new node).")
    after: JSON | None = strawberry.field(description="The node and its links after.")
    audit_entry: AuditEntry = strawberry.field(description="The audit entry written with the change.")


@dataclass(frozen=True)
class _Viewed:
    result: CurationResult
    props: dict[str, Any] | None


def _view(store: GraphStore, result: CurationResult) -> _Viewed:
    rows = store.read(f"MATCH (n:{result.label} {{uid: $uid}}) RETURN properties(n) AS props", {"uid": result.uid})
    return _Viewed(result, dict(rows[0]["props"]) if rows else None)


def _payload(viewed: _Viewed, on: date) -> CurationPayload:
    result = viewed.result
    return CurationPayload(
        operation=result.operation,
        uid=result.uid,
        effective_on=result.effective_on,
        node=entity_of(result.label, viewed.props, on) if viewed.props is not None else None,
        before=_json(result.audit.before),
        after=_json(result.audit.after),
        audit_entry=AuditEntry.of(result.audit),
    )


def _actor(info: Info) -> Actor:
    principal = require_role(info.context.principal, Role.CURATOR)
    return Actor(principal.name, principal.role.value if principal.role else "")


async def _run(info: Info, operation: Any, request: Any, *, last_day: bool = False) -> CurationPayload:
    actor = _actor(info)
    store = info.context.store

    def work() -> _Viewed:
        return _view(store, operation(store, actor, request))

    viewed = await run_in_threadpool(work)
    on = viewed.result.effective_on
    return _payload(viewed, on - curation.ONE_DAY if last_day else on)


@strawberry.type(description="Curators' changes: each from an effective date, validated, atomic and audited.")
class Mutation:
    @described("Create a unit under a parent from a date (curator role).")
    async def create_unit(
        self,
        info: Info,
        input: Annotated[CreateUnitInput, CHANGE],
    ) -> CurationPayload:
        request = curation.CreateUnit(
            parent=input.parent,
            name=input.name,
            kind=input.kind,
            effective_on=input.effective_on,
            evidence=input.provenance.evidence(),
            uid=input.uid,
            municipality=input.municipality,
            short_name=input.short_name,
            description=input.description,
        )
        return await _run(info, curation.create_unit, request)

    @described("Rename a unit from a date, keeping its former name (curator role).")
    async def rename_unit(
        self,
        info: Info,
        input: Annotated[RenameUnitInput, CHANGE],
    ) -> CurationPayload:
        request = curation.RenameUnit(input.uid, input.name, input.effective_on, input.provenance.evidence())
        return await _run(info, curation.rename_unit, request)

    @described("Move a unit to another parent from a date (curator role).")
    async def move_unit(
        self,
        info: Info,
        input: Annotated[MoveUnitInput, CHANGE],
    ) -> CurationPayload:
        request = curation.MoveUnit(input.uid, input.new_parent, input.effective_on, input.provenance.evidence())
        return await _run(info, curation.move_unit, request)

    @described("End a unit from a date, with its open links (curator role).")
    async def terminate_unit(
        self,
        info: Info,
        input: Annotated[TerminateUnitInput, CHANGE],
    ) -> CurationPayload:
        request = curation.TerminateUnit(input.uid, input.effective_on, input.provenance.evidence())
        return await _run(info, curation.terminate_unit, request, last_day=True)

    @described("Add a responsibility rule (curator role).")
    async def add_responsibility_rule(
        self,
        info: Info,
        input: Annotated[AddResponsibilityRuleInput, CHANGE],
    ) -> CurationPayload:
        request = curation.AddRule(
            municipality=input.municipality,
            kind=input.kind,
            holder=input.holder,
            name=input.name,
            valid_from=input.valid_from,
            evidence=input.provenance.evidence(),
            uid=input.uid,
            valid_to=input.valid_to,
            age_min=input.age_min,
            age_max=input.age_max,
            conditions=tuple(input.conditions),
            all_conditions=input.all_conditions,
            paragraphs=tuple(input.paragraphs),
            excluded_paragraphs=tuple(input.excluded_paragraphs),
            exception_to=input.exception_to,
        )
        return await _run(info, curation.add_rule, request)

    @described("End a responsibility rule from a date (curator role).")
    async def terminate_responsibility_rule(
        self,
        info: Info,
        input: Annotated[TerminateResponsibilityRuleInput, CHANGE],
    ) -> CurationPayload:
        request = curation.TerminateRule(input.uid, input.effective_on, input.provenance.evidence())
        return await _run(info, curation.terminate_rule, request, last_day=True)

    @described("Make a tilbud belong to a unit from a date (curator role).")
    async def add_tilbud_membership(
        self,
        info: Info,
        input: Annotated[AddTilbudMembershipInput, CHANGE],
    ) -> CurationPayload:
        request = curation.AddMembership(
            input.tilbud, input.unit, input.effective_on, input.provenance.evidence(), input.valid_to
        )
        return await _run(info, curation.add_membership, request)

    @described("End a tilbud's membership of a unit from a date (curator role).")
    async def terminate_tilbud_membership(
        self,
        info: Info,
        input: Annotated[TerminateTilbudMembershipInput, CHANGE],
    ) -> CurationPayload:
        request = curation.TerminateMembership(
            input.tilbud, input.unit, input.effective_on, input.provenance.evidence()
        )
        return await _run(info, curation.terminate_membership, request)


@strawberry.type(description="The audit log of curated changes (curator role).")
class AuditQuery:
    @described("Audit entries, newest first (curator role).")
    async def audit_log(
        self,
        info: Info,
        target: Annotated[str | None, strawberry.argument(description="Only entries about this uid.")] = None,
        actor: Annotated[str | None, strawberry.argument(description="Only entries by this key name.")] = None,
        since: Annotated[
            date | None, strawberry.argument(description="Only entries written on or after this day (UTC).")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Most entries returned (up to 500).")] = DEFAULT_PAGE,
    ) -> list[AuditEntry]:
        require_role(info.context.principal, Role.CURATOR)
        store = info.context.store
        records = await run_in_threadpool(
            lambda: audit_log(store, target=target, actor=actor, since=since, first=first)
        )
        return [AuditEntry.of(record) for record in records]
