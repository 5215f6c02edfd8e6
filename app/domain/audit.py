"""The audit trail: one `AuditEntry` node per curated change (and per seed sync), written in the same
atomic batch as the change itself, so the log never claims a change that did not happen or misses one.

Entries are never seeded (the label has no seed key) and carry no `seed_file`, so seed sync and
export leave them alone. A seed sync writes an entry too (operation `seedSync`); curated entries newer
than the last one are changes a seed run would revert (see docs/curation.md).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.errors import SocialatlasError
from app.seed import SeedSet, SyncPlan, plan_sync
from app.store.base import GraphStore, Reader, Statement, WriteSummary

AUDIT_LABEL = "AuditEntry"
SEED_SYNC = "seedSync"
"""Operation of the entry a seed sync writes: the marker curated changes are compared against."""
DEFAULT_PAGE = 50
MAX_PAGE = 500


def now_stamp() -> str:
    """An ISO UTC timestamp with microseconds: it sorts as text, the only way FalkorDB can order it."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def to_json(value: Any) -> str:
    """JSON text with dates as ISO strings and stable key order (for comparing and for people)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the audit log."""

    uid: str
    at: str
    actor: str
    role: str
    operation: str
    targets: tuple[str, ...]
    effective_on: date | None
    input: str | None
    before: str | None
    after: str | None

    @classmethod
    def new(
        cls,
        *,
        actor: str,
        role: str,
        operation: str,
        targets: tuple[str, ...],
        effective_on: date | None,
        input: Mapping[str, Any] | None,
        before: Any,
        after: Any,
    ) -> AuditRecord:
        at = now_stamp()
        stamp = at[:26].replace("-", "").replace(":", "").replace(".", "")
        return cls(
            uid=f"audit-{stamp}-{secrets.token_hex(3)}",
            at=at,
            actor=actor,
            role=role,
            operation=operation,
            targets=targets,
            effective_on=effective_on,
            input=to_json(input) if input is not None else None,
            before=to_json(before) if before is not None else None,
            after=to_json(after) if after is not None else None,
        )

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> AuditRecord:
        effective = props.get("effective_on")
        return cls(
            uid=str(props["uid"]),
            at=str(props["at"]),
            actor=str(props.get("actor") or ""),
            role=str(props.get("role") or ""),
            operation=str(props.get("operation") or ""),
            targets=tuple(str(t) for t in props.get("targets") or ()),
            effective_on=effective if isinstance(effective, date) else None,
            input=props.get("input"),
            before=props.get("before"),
            after=props.get("after"),
        )

    def statement(self, provenance: Mapping[str, Any]) -> Statement:
        """The CREATE of this entry; it carries the provenance the change cites."""
        props: dict[str, Any] = {
            "uid": self.uid,
            "at": self.at,
            "actor": self.actor,
            "role": self.role,
            "operation": self.operation,
            "targets": list(self.targets),
            **{k: v for k, v in provenance.items() if v is not None},
        }
        for name in ("input", "before", "after"):
            value = getattr(self, name)
            if value is not None:
                props[name] = value
        effective = self.effective_on.isoformat() if self.effective_on else None
        return Statement(
            f"CREATE (a:{AUDIT_LABEL}) SET a = $props "
            "WITH a WHERE $effective IS NOT NULL SET a.effective_on = date($effective)",
            {"props": props, "effective": effective},
        )


def audit_log(
    reader: Reader,
    *,
    target: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    first: int = DEFAULT_PAGE,
) -> list[AuditRecord]:
    """Entries, newest first, optionally about one uid, by one actor, or from a day on (UTC)."""
    rows = reader.read(
        f"MATCH (a:{AUDIT_LABEL}) "
        "WHERE ($target IS NULL OR $target IN a.targets) AND ($actor IS NULL OR a.actor = $actor) "
        "AND ($since IS NULL OR a.at >= $since) "
        "RETURN properties(a) AS props ORDER BY a.at DESC LIMIT $first",
        {
            "target": target,
            "actor": actor,
            "since": since.isoformat() if since else None,
            "first": max(0, min(first, MAX_PAGE)),
        },
    )
    return [AuditRecord.of(row["props"]) for row in rows]


@dataclass(frozen=True)
class CuratedChanges:
    """Curated entries newer than the last seed sync: what a seed run would revert."""

    count: int
    newest: AuditRecord | None
    last_sync: str | None

    def describe(self) -> str:
        if self.newest is None:
            return "no curated changes"
        newest = self.newest
        return (
            f"{self.count} curated change(s) since the last seed sync"
            f"{' (' + self.last_sync + ')' if self.last_sync else ''}; the newest: {newest.operation} "
            f"of {', '.join(newest.targets)} by {newest.actor} at {newest.at}"
        )


def curated_since_last_sync(reader: Reader) -> CuratedChanges:
    """Entries other than seed syncs written after the newest seed sync (all of them when none was recorded)."""
    synced = reader.read(
        f"MATCH (a:{AUDIT_LABEL}) WHERE a.operation = $sync RETURN a.at AS at ORDER BY a.at DESC LIMIT 1",
        {"sync": SEED_SYNC},
    )
    last_sync = synced[0]["at"] if synced else None
    rows = reader.read(
        f"MATCH (a:{AUDIT_LABEL}) WHERE a.operation <> $sync AND ($since IS NULL OR a.at > $since) "
        "RETURN properties(a) AS props ORDER BY a.at DESC",
        {"sync": SEED_SYNC, "since": last_sync},
    )
    newest = AuditRecord.of(rows[0]["props"]) if rows else None
    return CuratedChanges(len(rows), newest, last_sync)


def seed_sync_entry(*, actor: str, summary: str, discarded: CuratedChanges | None) -> AuditRecord:
    """The marker a seed sync writes; it says what the sync changed and which curated changes it discarded."""
    return AuditRecord.new(
        actor=actor,
        role="seed",
        operation=SEED_SYNC,
        targets=(),
        effective_on=None,
        input={"summary": summary, "discarded": discarded.describe() if discarded and discarded.count else None},
        before=None,
        after=None,
    )


SEED_SYNC_PROVENANCE: dict[str, Any] = {
    "source_documents": [],
    "source_sections": [],
    "source_quotes": [],
    "inferred": True,
    "inferred_reason": "Written by `socialatlas seed`: the graph was brought in line with the seed files.",
}


class CuratedChangesPending(SocialatlasError):
    """A seed sync would silently revert curated changes made after the last sync."""

    code = "CURATED_CHANGES_PENDING"


@dataclass(frozen=True)
class GuardedSync:
    """What a seed run under the curation policy found and did."""

    plan: SyncPlan
    curated: CuratedChanges
    summary: WriteSummary | None
    """None when nothing was written."""


def sync_seed_guarded(
    store: GraphStore,
    seed: SeedSet,
    *,
    discard_curated: bool = False,
    actor: str = "socialatlas seed",
    progress: Callable[[int, int], None] | None = None,
) -> GuardedSync:
    """Bring the seed-managed graph in line with `seed`, unless that would revert curated changes.

    Refuses (CuratedChangesPending) when the plan changes anything and the audit log holds curated entries
    after the last seed sync, unless `discard_curated`. When it proceeds past curated entries (discarding
    them, or because the seed files already hold them: an empty plan), it records a `seedSync` entry in the
    same atomic batch, so those entries are not counted again.
    """
    plan = plan_sync(seed, store)
    curated = curated_since_last_sync(store)
    if curated.count and not plan.is_empty and not discard_curated:
        raise CuratedChangesPending(
            f"{curated.describe()}. `socialatlas seed` would revert them ({_plan_counts(plan)}). Write them back "
            "to seed files with `socialatlas export --out DIR`, review and copy them into the seed folder, then "
            "seed again; or pass --discard-curated to drop them"
        )
    statements = list(plan.statements)
    if curated.count:
        marker = seed_sync_entry(
            actor=actor, summary=_plan_counts(plan), discarded=curated if not plan.is_empty else None
        )
        statements.append(marker.statement(SEED_SYNC_PROVENANCE))
    if not statements:
        return GuardedSync(plan, curated, None)
    summary = store.apply_atomically(statements, verify=plan.verify, progress=progress)
    return GuardedSync(plan, curated, summary)


def _plan_counts(plan: SyncPlan) -> str:
    return (
        f"nodes +{plan.nodes_to_create} ~{plan.nodes_to_update} -{plan.nodes_to_delete}, "
        f"relationships +{plan.relationships_to_create} ~{plan.relationships_to_update} "
        f"-{plan.relationships_to_delete}"
    )
