"""The `socialatlas` command line: serve, seed, export, cypher, doctor.

Exit codes: 0 success; 1 bad input (invalid seed files, a rejected or refused
query, a bad option); 3 the graph database cannot be reached.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli.output import print_json
from app.config import Settings
from app.errors import BackendUnavailable, ConfigurationError, SocialatlasError
from app.runtime import default_seed_dir, open_prepared_store, seed_if_empty
from app.schema import load_schema
from app.seed import SeedInvalid, SeedSet, SyncPlan, export_graph, format_seed_dir, load_seed, rich_progress
from app.store import GraphStore, open_store
from app.store.base import jsonable

EXIT_BAD_INPUT = 1
EXIT_UNAVAILABLE = 3

cli = typer.Typer(
    name="socialatlas",
    help="Socialatlas: who holds myndighed and who delivers, in Danish municipal social services, over time.",
    epilog=(
        "Examples:\n\n"
        "  socialatlas serve                      # seed an empty store, serve on 127.0.0.1:8000\n\n"
        "  socialatlas seed                       # validate seed/ and apply the difference\n\n"
        '  socialatlas cypher "MATCH (u:Unit) RETURN u.name LIMIT 5"\n\n'
        "  socialatlas doctor                     # which backend, reachable, versions, counts\n\n"
        "The backend is chosen by SOCIALATLAS_GRAPH_URL (default: embedded FalkorDB)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def _errors_as_exit_codes() -> Iterator[None]:
    """Turn the project's errors into a one-line message and an exit code, never a traceback."""
    try:
        yield
    except SeedInvalid as error:
        for problem in error.problems:
            err.print(str(problem), highlight=False, soft_wrap=True)
        raise _fail(
            f"{len(error.problems)} problem(s) in the seed files; nothing was written.", EXIT_BAD_INPUT
        ) from None
    except BackendUnavailable as error:
        raise _fail(f"the graph database is not reachable: {error}", EXIT_UNAVAILABLE) from None
    except SocialatlasError as error:
        raise _fail(f"{error.code}: {error}", EXIT_BAD_INPUT) from None


def _parse_params(pairs: list[str]) -> dict[str, Any]:
    """`k=v` pairs; v is read as JSON when it parses (numbers, true, lists), else kept as text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"--param {pair!r}: expected key=value")
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw
    return params


def _describe_plan(plan: SyncPlan) -> str:
    return (
        f"nodes +{plan.nodes_to_create} ~{plan.nodes_to_update} -{plan.nodes_to_delete}, "
        f"relationships +{plan.relationships_to_create} ~{plan.relationships_to_update} "
        f"-{plan.relationships_to_delete}"
    )


def _describe_seed(seed: SeedSet) -> str:
    return f"{len(seed.files)} files, {len(seed.nodes)} entries, {len(seed.relationships)} relationships"


def _counts(store: GraphStore) -> str:
    health = store.health()
    return f"{health.nodes} nodes, {health.relationships} relationships"


SeedDirOption = Annotated[
    Path | None,
    typer.Option("--seed-dir", help="Folder of seed files (default: the project's seed/).", show_default=False),
]


@cli.command(
    epilog=(
        "Examples:\n\n"
        "  socialatlas serve\n\n"
        "  socialatlas serve --port 8080 --no-seed\n\n"
        "  SOCIALATLAS_GRAPH_URL=bolt://localhost:7687 socialatlas serve"
    )
)
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: SOCIALATLAS_HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: SOCIALATLAS_PORT, 8000).")] = None,
    seed: Annotated[bool, typer.Option("--seed/--no-seed", help="Seed the store first if it is empty.")] = True,
    seed_dir: SeedDirOption = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: SOCIALATLAS_WORKERS, 1); each opens its own connection."),
    ] = None,
) -> None:
    """Run the API (with /health) on the configured backend, seeding an empty store first."""
    import uvicorn

    from app.api.app import create_app

    settings = Settings()
    with _errors_as_exit_codes():
        store = open_prepared_store(settings)
        try:
            if seed:
                outcome = seed_if_empty(store, seed_dir or default_seed_dir(settings))
                if outcome is not None:
                    err.print(f"Seeded the empty store: {_describe_plan(outcome.plan)}.")
            health = store.health()
            err.print(
                f"Backend {health.backend} ({health.engine_version}) at {health.location}: "
                f"{health.nodes} nodes, {health.relationships} relationships."
            )
            # Start-up objects (schema, seed, imports) live as long as the service: move them out of the
            # collector's way, so full collections stay short (the resolver's p99 tail was GC pauses).
            gc.collect()
            gc.freeze()
            processes = workers or settings.workers
            if processes == 1:
                uvicorn.run(create_app(settings, store), host=host or settings.host, port=port or settings.port)
            else:
                # Each worker builds the app from the same environment and opens its own store; an embedded
                # server started here stays up (this process holds `store`) and the workers attach to it.
                uvicorn.run(
                    "app.api.app:create_app",
                    factory=True,
                    workers=processes,
                    host=host or settings.host,
                    port=port or settings.port,
                )
        finally:
            store.close()


@cli.command(
    epilog=(
        "Examples:\n\n"
        "  socialatlas seed                 # validate, then apply the difference all-or-nothing\n\n"
        "  socialatlas seed --check         # validate only; no database needed\n\n"
        "  socialatlas seed --dry-run       # show what would change\n\n"
        "  socialatlas seed --format        # rewrite seed files in canonical form\n\n"
        "  socialatlas seed --discard-curated   # also when it reverts curators' changes (see docs/curation.md)"
    )
)
def seed(
    seed_dir: SeedDirOption = None,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the files only (with --format: list files not in canonical form).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    format_files: Annotated[bool, typer.Option("--format", help="Rewrite the seed files in canonical form.")] = False,
    discard_curated: Annotated[
        bool,
        typer.Option(
            "--discard-curated",
            help="Apply even when curators changed the graph since the last seed sync: their changes are reverted.",
        ),
    ] = False,
) -> None:
    """Validate every seed file, report every problem, then apply all of it or nothing."""
    settings = Settings()
    directory = seed_dir or default_seed_dir(settings)
    schema = load_schema()
    with _errors_as_exit_codes():
        if format_files:
            changed = format_seed_dir(directory, schema, check_only=check)
            for path in changed:
                out.print(f"{'not canonical' if check else 'rewrote'}: {path}")
            if check and changed:
                raise typer.Exit(EXIT_BAD_INPUT)
            if not changed:
                out.print("All seed files are in canonical form.")
            return
        loaded = load_seed(directory, schema)
        if check:
            out.print(f"Seed files are valid: {_describe_seed(loaded)}.")
            return
        store = open_prepared_store(settings, schema)
        try:
            from app.domain.audit import curated_since_last_sync, sync_seed_guarded

            if dry_run:
                from app.seed import plan_sync

                plan = plan_sync(loaded, store)
                out.print("Nothing to change." if plan.is_empty else f"Would change: {_describe_plan(plan)}.")
                curated = curated_since_last_sync(store)
                if curated.count and not plan.is_empty:
                    err.print(f"Warning: {curated.describe()}; seeding would revert them.", highlight=False)
                return
            with rich_progress(console=err) as progress:
                outcome = sync_seed_guarded(store, loaded, discard_curated=discard_curated, progress=progress)
            if outcome.curated.count and not outcome.plan.is_empty:
                err.print(f"Discarded {outcome.curated.describe()}.", highlight=False)
            if not outcome.plan.is_empty:
                out.print(f"Applied: {_describe_plan(outcome.plan)}. The graph now has {_counts(store)}.")
            else:
                out.print(f"Nothing to change: the graph already matches the seed files ({_counts(store)}).")
        finally:
            store.close()


@cli.command(
    epilog=(
        "Examples:\n\n"
        "  socialatlas export --out /tmp/seed-export\n\n"
        "  socialatlas export --out /tmp/x && diff -r seed /tmp/x   # round trip"
    )
)
def export(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the seed files into.")],
) -> None:
    """Write the graph back to seed files in canonical form."""
    settings = Settings()
    with _errors_as_exit_codes():
        store = open_store(settings)
        try:
            written = export_graph(store, load_schema(), out_dir)
        finally:
            store.close()
    out.print(f"Wrote {len(written)} file(s) to {out_dir}.")


@cli.command(
    epilog=(
        "Examples:\n\n"
        '  socialatlas cypher "MATCH (n) RETURN count(n) AS n" --json\n\n'
        '  socialatlas cypher "MATCH (u:Unit) WHERE u.name CONTAINS $q RETURN u.uid, u.name" --param q=Job\n\n'
        "  socialatlas cypher --file cypher/org_tree_at_date.cypher\n"
        "    --param municipality=aarhus --param administration= --param on=2019-08-01\n\n"
        "Queries are read-only: the database refuses writes. Dates: pass ISO text and write date($d)."
    )
)
def cypher(
    query: Annotated[str | None, typer.Argument(help="The Cypher query (or use --file).", show_default=False)] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a .cypher file.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Query parameter key=value (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: {columns, rows, truncated}.")] = False,
    timeout_ms: Annotated[
        int | None, typer.Option(help="Time limit in ms (default: SOCIALATLAS_ANALYST_TIMEOUT_MS).")
    ] = None,
    row_cap: Annotated[
        int | None, typer.Option(help="Most rows returned (default: SOCIALATLAS_ANALYST_ROW_CAP).")
    ] = None,
) -> None:
    """Run a read-only Cypher query; writes are refused by the database and nothing is written."""
    settings = Settings()
    with _errors_as_exit_codes():
        if (query is None) == (file is None):
            raise ConfigurationError("give either a query or --file, not both")
        text = file.read_text(encoding="utf-8") if file else str(query)
        params = _parse_params(param or [])
        store = open_store(settings)
        try:
            result = store.analyst_query(
                text,
                params,
                timeout_ms=timeout_ms or settings.analyst_timeout_ms,
                row_cap=row_cap or settings.analyst_row_cap,
            )
        finally:
            store.close()
    if as_json:
        print_json({"columns": result.columns, "rows": result.rows, "truncated": result.truncated})
        return
    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(
            *(
                json.dumps(jsonable(row[c]), ensure_ascii=False) if not isinstance(row[c], str) else row[c]
                for c in result.columns
            )
        )
    out.print(table)
    suffix = f" (cut at {row_cap or settings.analyst_row_cap})" if result.truncated else ""
    err.print(f"{len(result.rows)} row(s){suffix}")


@cli.command(epilog=("Examples:\n\n  socialatlas doctor\n\n  SOCIALATLAS_GRAPH_URL=neo4j://db:7687 socialatlas doctor"))
def doctor(seed_dir: SeedDirOption = None) -> None:
    """Check the set-up: backend, reachability, engine version, counts, seed files."""
    from app import __version__

    settings = Settings()
    healthy = True
    table = Table(show_header=False)
    table.add_row("socialatlas", __version__)
    table.add_row("python", sys.version.split()[0])
    try:
        target = settings.target
    except ConfigurationError as error:
        raise _fail(str(error), EXIT_BAD_INPUT) from None
    if target.kind == "embedded":
        table.add_row("data dir", str(settings.data_dir))
    if target.kind == "neo4j":
        table.add_row("neo4j user", settings.neo4j_user)
    store = open_store(settings)
    try:
        health = store.health()
    finally:
        store.close()
    table.add_row("backend", health.backend)
    table.add_row("location", health.location)
    table.add_row("reachable", "yes" if health.reachable else f"NO: {health.detail}")
    healthy &= health.reachable
    table.add_row("engine", health.engine_version or "?")
    table.add_row("nodes", str(health.nodes))
    table.add_row("relationships", str(health.relationships))
    directory = seed_dir or default_seed_dir(settings)
    try:
        table.add_row("seed files", f"valid: {_describe_seed(load_seed(directory, load_schema()))}")
    except SeedInvalid as error:
        healthy = False
        table.add_row("seed files", f"{len(error.problems)} problem(s); run `socialatlas seed --check`")
    out.print(table)
    if not healthy:
        raise typer.Exit(EXIT_UNAVAILABLE if not health.reachable else EXIT_BAD_INPUT)


@cli.command(
    epilog=(
        "Examples:\n\n"
        "  socialatlas schema                      # labels, properties, relationships\n\n"
        "  socialatlas schema --markdown > docs/schema.md"
    )
)
def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the Markdown reference (docs/schema.md).")
    ] = False,
) -> None:
    """Show the graph schema declared in schema/graph.yaml."""
    from app.schema.docs import render_markdown

    declared = load_schema()
    if markdown:
        sys.stdout.write(render_markdown(declared))
        return
    table = Table("label", "seed key", "properties", "relationships out")
    for node in declared.nodes.values():
        own = [
            p for p in node.properties if p not in declared.provenance and p not in ("note", "seed_file", "seed_order")
        ]
        rels = [f"{r.type}→{'|'.join(r.to_labels)}" for r in declared.relationships_from(node.label)]
        table.add_row(node.label, node.seed_key or "(not seeded)", ", ".join(own), ", ".join(rels))
    out.print(table)


def run() -> None:
    """Console-script entry point."""
    cli()


# Commands that live in their own modules: each module has `register(cli)`. Add one line each.
COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.apikeys",
    "app.cli.coverage",
    "app.cli.ask",
    "app.cli.views",
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)
