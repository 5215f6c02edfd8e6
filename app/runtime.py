"""Start-up glue shared by the CLI and the API: open the configured store, install
the schema, and bring the graph in line with the seed files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import Settings
from app.resources import project_dir
from app.schema import Schema, load_schema
from app.seed import SyncPlan, apply_plan, load_seed, plan_sync
from app.store import GraphStore, WriteSummary, open_store


def open_prepared_store(settings: Settings, schema: Schema | None = None) -> GraphStore:
    """Open the store the settings name and make sure its constraints and indexes exist."""
    store = open_store(settings)
    store.install_schema(schema or load_schema())
    return store


def default_seed_dir(settings: Settings) -> Path:
    return settings.seed_dir or project_dir("seed")


@dataclass(frozen=True)
class SeedOutcome:
    """What a seed run found and did."""

    plan: SyncPlan
    summary: WriteSummary | None

    @property
    def changed(self) -> bool:
        return self.summary is not None


def sync_seed(
    store: GraphStore,
    seed_dir: Path,
    schema: Schema | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedOutcome:
    """Validate every seed file, then apply the difference to the graph all-or-nothing.

    Raises SeedInvalid (listing every problem) before anything is written.
    """
    seed = load_seed(seed_dir, schema or load_schema())
    plan = plan_sync(seed, store)
    if plan.is_empty:
        return SeedOutcome(plan, None)
    return SeedOutcome(plan, apply_plan(plan, store, progress=progress))


def seed_if_empty(store: GraphStore, seed_dir: Path, schema: Schema | None = None) -> SeedOutcome | None:
    """Seed a store that holds no nodes; leave a store with data alone."""
    rows = store.read("MATCH (n) RETURN count(n) AS n")
    if rows and rows[0]["n"]:
        return None
    return sync_seed(store, seed_dir, schema)
