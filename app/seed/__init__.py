"""The seed loader: seed files ⇄ graph.

`load_seed` reads and validates a seed folder (every problem at once),
`plan_sync` diffs it against the seed-managed graph, `apply_plan` applies the
plan all-or-nothing, and `export_graph` / `format_seed_dir` write files back in
the one canonical form (`dump_canonical`). The format: docs/seed-format.md.
"""

from app.seed.emit import dump_canonical
from app.seed.export import ExportRefused, export_graph, format_seed_dir
from app.seed.model import NodeRecord, RelRecord, SeedSet
from app.seed.plan import Change, SeedVerifyFailed, SyncPlan, apply_plan, plan_sync
from app.seed.problems import Problem, SeedInvalid
from app.seed.progress import rich_progress
from app.seed.validate import load_seed

__all__ = [
    "Change",
    "ExportRefused",
    "NodeRecord",
    "Problem",
    "RelRecord",
    "SeedInvalid",
    "SeedSet",
    "SeedVerifyFailed",
    "SyncPlan",
    "apply_plan",
    "dump_canonical",
    "export_graph",
    "format_seed_dir",
    "load_seed",
    "plan_sync",
    "rich_progress",
]
