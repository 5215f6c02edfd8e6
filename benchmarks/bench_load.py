"""Time `load_seed` + `sync_seed` of a seed folder into a fresh embedded FalkorDB, phase by phase.

    python -m benchmarks.bench_load                      # the real seed/
    python -m benchmarks.bench_load --seed-dir /tmp/national

Phases: server start, `install_schema`, `load_seed` (read + validate), `plan_sync` (diff against
the empty graph), then the atomic apply (statements on a staging copy, the read-back
verification, the swap). `sync_seed` is exactly load + plan + apply; a second `sync_seed` that
finds nothing to do is timed too (what `socialatlas seed` costs when the files did not change).
Also reported: nodes and relationships in the graph, the AOF size (as written, and after
BGREWRITEAOF compacts it), and peak RSS (VmHWM from /proc) of this process and of the server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from app.resources import project_dir
from app.runtime import sync_seed
from app.schema import load_schema
from app.seed import load_seed, plan_sync
from app.store.base import Reader
from app.store.embedded import EmbeddedServer
from app.store.falkordb import FalkorStore

AOF_DIR = "appendonlydir"


@dataclass(frozen=True)
class LoadReport:
    seed_dir: Path
    seed_files: int
    entries: int
    seed_relationships: int
    server_start_s: float
    install_schema_s: float
    load_seed_s: float
    plan_s: float
    statements: int
    apply_s: float
    """The whole atomic apply: statements, verification, swap."""
    verify_s: float
    """Of which the read-back verification."""
    resync_s: float
    """A second `sync_seed` with nothing to do."""
    graph_nodes: int
    graph_relationships: int
    aof_bytes: int
    aof_bytes_rewritten: int
    python_peak_rss: int
    server_peak_rss: int

    @property
    def sync_s(self) -> float:
        """What `sync_seed` took: load + plan + apply."""
        return self.load_seed_s + self.plan_s + self.apply_s


# --- /proc ----------------------------------------------------------------------------------------------


def peak_rss(pid: int | str = "self") -> int:
    """Peak resident set size (VmHWM) of a process in bytes, from /proc; 0 where /proc is missing."""
    return _status_kib(pid, "VmHWM") * 1024


def current_rss(pid: int | str = "self") -> int:
    return _status_kib(pid, "VmRSS") * 1024


def _status_kib(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def aof_size(data_dir: Path) -> int:
    """Bytes of the append-only files (Redis 7 keeps base + incremental files in appendonlydir/)."""
    folder = data_dir / AOF_DIR
    paths = list(folder.iterdir()) if folder.is_dir() else list(data_dir.glob("*.aof"))
    return sum(p.stat().st_size for p in paths if p.is_file())


def rewrite_aof(server: EmbeddedServer, timeout_s: float = 120.0) -> None:
    """BGREWRITEAOF and wait until it finished."""
    client: Any = redis.Redis(unix_socket_path=str(server.socket_path), protocol=2)
    try:
        client.execute_command("BGREWRITEAOF")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            info = client.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            time.sleep(0.05)
    finally:
        client.close()


# --- the measurement ------------------------------------------------------------------------------------


@dataclass
class LoadedGraph:
    """A fresh embedded server with a seed folder loaded; `close()` stops it and removes a temp data dir."""

    server: EmbeddedServer
    store: FalkorStore
    data_dir: Path
    report: LoadReport
    remove_data_dir: bool

    def close(self) -> None:
        self.store.close()
        self.server.stop()
        if self.remove_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def load_fresh(seed_dir: Path, data_dir: Path | None = None, *, rewrite: bool = True) -> LoadedGraph:
    """Start a server in `data_dir` (default: a new temp dir), load `seed_dir` into its default graph, measure."""
    remove = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="socialatlas-bench-")) if data_dir is None else data_dir
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty: the load is measured into a fresh store")
    schema = load_schema()
    server = EmbeddedServer(data_dir)
    started = time.perf_counter()
    server.ensure_running()
    server_start = time.perf_counter() - started
    store = FalkorStore.on_server(server)
    try:
        t0 = time.perf_counter()
        store.install_schema(schema)
        t1 = time.perf_counter()
        seed = load_seed(seed_dir, schema)
        t2 = time.perf_counter()
        plan = plan_sync(seed, store)
        t3 = time.perf_counter()
        verify_time: list[float] = []

        def timed_verify(reader: Reader) -> None:
            v0 = time.perf_counter()
            try:
                plan.verify(reader)
            finally:
                verify_time.append(time.perf_counter() - v0)

        store.apply_atomically(list(plan.statements), verify=timed_verify)
        t4 = time.perf_counter()
        again = sync_seed(store, seed_dir, schema)
        t5 = time.perf_counter()
        if again.changed:
            raise RuntimeError("a second sync_seed found changes: the load did not reproduce the seed")
        health = store.health()
        aof = aof_size(data_dir)
        rewritten = aof
        if rewrite:
            rewrite_aof(server)
            rewritten = aof_size(data_dir)
        report = LoadReport(
            seed_dir=seed_dir,
            seed_files=len(seed.files),
            entries=len(seed.nodes),
            seed_relationships=len(seed.relationships),
            server_start_s=server_start,
            install_schema_s=t1 - t0,
            load_seed_s=t2 - t1,
            plan_s=t3 - t2,
            statements=len(plan.statements),
            apply_s=t4 - t3,
            verify_s=sum(verify_time),
            resync_s=t5 - t4,
            graph_nodes=health.nodes or 0,
            graph_relationships=health.relationships or 0,
            aof_bytes=aof,
            aof_bytes_rewritten=rewritten,
            python_peak_rss=peak_rss(),
            server_peak_rss=peak_rss(server.pid) if server.pid else 0,
        )
    except BaseException:
        store.close()
        server.stop()
        if remove:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    return LoadedGraph(server, store, data_dir, report, remove)


def measure_load(seed_dir: Path, data_dir: Path | None = None) -> LoadReport:
    """`load_fresh`, then stop the server (and remove a temp data dir)."""
    loaded = load_fresh(seed_dir, data_dir)
    try:
        return loaded.report
    finally:
        loaded.close()


def print_load_report(report: LoadReport, out: Callable[[str], None] = print) -> None:
    r = report
    out(f"load of {r.seed_dir} into a fresh embedded FalkorDB (pid {os.getpid()} measuring)")
    out(f"  seed files           {r.seed_files}")
    out(f"  entries              {r.entries:,}")
    out(f"  seed relationships   {r.seed_relationships:,}")
    out(f"  graph after load     {r.graph_nodes:,} nodes, {r.graph_relationships:,} relationships")
    out(f"  server start         {r.server_start_s:7.2f} s")
    out(f"  install_schema       {r.install_schema_s:7.2f} s")
    out(f"  load_seed (validate) {r.load_seed_s:7.2f} s")
    out(f"  plan_sync            {r.plan_s:7.2f} s")
    out(f"  apply ({r.statements} stmts)   {r.apply_s:7.2f} s  (of which verify {r.verify_s:.2f} s)")
    out(f"  = sync_seed          {r.sync_s:7.2f} s")
    out(f"  sync_seed, no change {r.resync_s:7.2f} s")
    out(f"  AOF                  {mib(r.aof_bytes)} as written, {mib(r.aof_bytes_rewritten)} after BGREWRITEAOF")
    out(f"  peak RSS             python {mib(r.python_peak_rss)}, FalkorDB server {mib(r.server_peak_rss)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.split("\n")[0])
    parser.add_argument("--seed-dir", type=Path, default=project_dir("seed"))
    parser.add_argument("--data-dir", type=Path, help="Empty data dir for the server (default: a temp dir).")
    args = parser.parse_args(argv)
    print_load_report(measure_load(args.seed_dir, args.data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
