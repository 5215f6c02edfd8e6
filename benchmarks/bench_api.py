"""GraphQL throughput and latency with concurrent clients against `socialatlas serve`.

    python -m benchmarks.bench_api                                   # seeded and national graphs
    python -m benchmarks.bench_api --graphs national --national-dir /tmp/national

For each graph (`seeded`: the project's seed/; `national`: `benchmarks.synthetic`, 98 copies of
Aarhus MSB), loaded into a fresh embedded FalkorDB in a temp data dir:

1. `socialatlas serve --no-seed` is started as its own process on a free port, attached to that
   server: the real service, uvicorn and all, as a dashboard would reach it.
2. For each scenario, `--clients` (default 16) concurrent clients (asyncio tasks with keep-alive
   connections) send `--requests` (default 2,000) POST /graphql requests after `--warmup` ones:
   - `responsibility`: the resolver's question mix (the same as benchmarks.bench_resolver), one
     question per request;
   - `dashboard`: a nested query a dashboard would send: a municipality's units (first 20) as of a
     date, each with its parent, leaders (inherited), tilbud and their paragraphs, plus totalCount.
3. Prints requests/s, latency p50/p90/p99/max (client-side, including HTTP), errors, and the peak
   RSS of the serve process and of the FalkorDB server.

The client runs on the same machine and takes CPU from the server: on a 2-core machine the
figures are a lower bound for a server that has the machine to itself.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.resources import project_dir
from benchmarks.bench_load import load_fresh, mib, peak_rss
from benchmarks.bench_resolver import Ask, Latencies, question_mix

REPO_ROOT = Path(__file__).resolve().parent.parent

RESPONSIBILITY = """
query Responsibility($municipality: String!, $age: Int!, $conditions: [String!]!, $paragraph: String,
                     $kind: ResponsibilityKind!, $date: Date) {
  responsibility(municipality: $municipality, age: $age, conditions: $conditions, paragraph: $paragraph,
                 kind: $kind, date: $date) {
    status
    authority { unit { uid name } path { name } leaders { title person } }
    paragraphs { name }
    providers { name }
    rules { uid verdict }
    sources { document section }
  }
}
"""

DASHBOARD = """
query Dashboard($municipality: String!, $asOf: Date) {
  units(filter: {municipality: $municipality}, first: 20, asOf: $asOf) {
    totalCount
    nodes {
      uid name kind
      parent { name }
      leaders(inherit: true) { title }
      tilbud { name paragraphs { name } }
    }
  }
}
"""


@dataclass(frozen=True)
class Request:
    query: str
    variables: dict[str, Any]


def responsibility_requests(asks: Sequence[Ask]) -> list[Request]:
    return [
        Request(
            RESPONSIBILITY,
            {
                "municipality": ask.municipality,
                "age": ask.age,
                "conditions": list(ask.conditions),
                "paragraph": ask.paragraph,
                "kind": "MYNDIGHED" if ask.kind == "myndighed" else "UDFOERER",
                "date": ask.on.isoformat(),
            },
        )
        for ask in asks
    ]


def dashboard_requests(municipalities: Sequence[str], count: int, seed: int) -> list[Request]:
    rng = random.Random(seed)
    first, last = dt.date(2019, 1, 1), dt.date(2026, 12, 31)
    span = (last - first).days
    return [
        Request(
            DASHBOARD,
            {
                "municipality": rng.choice(municipalities),
                "asOf": (first + dt.timedelta(days=rng.randrange(span + 1))).isoformat(),
            },
        )
        for _ in range(count)
    ]


@dataclass
class Run:
    latencies: Latencies
    wall_s: float
    errors: int
    first_error: str | None


async def _drive(base_url: str, requests: Sequence[Request], clients: int) -> Run:
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies = Latencies()
    errors = 0
    first_error: str | None = None

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors, first_error
        while True:
            try:
                request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            response = await http.post("/graphql", json={"query": request.query, "variables": request.variables})
            latencies.samples.append(time.perf_counter() - t0)
            body = response.json() if response.status_code == 200 else None
            if body is None or body.get("errors"):
                errors += 1
                first_error = first_error or (str(body["errors"][0]) if body else response.text[:300])

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - t0
    return Run(latencies, wall, errors, first_error)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Serve:
    """`socialatlas serve` in its own process, attached to the embedded server in `data_dir`."""

    def __init__(self, data_dir: Path, workers: int = 1) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SOCIALATLAS_DATA_DIR": str(data_dir), "SOCIALATLAS_GRAPH_URL": "embedded"}
        # uvicorn logs every request: to a file, never an unread pipe that would fill and block the server.
        self.log_path = data_dir / "serve.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--no-seed", "--port", str(self.port), "--workers", str(workers)],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"socialatlas serve stopped: {self.process.stderr.read() if self.process.stderr else ''}"
                )
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("socialatlas serve did not answer /health within 120 s")
            time.sleep(0.1)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _report(name: str, run: Run, clients: int) -> None:
    lat = run.latencies
    print(
        f"  {name:<15} {len(lat.samples):>5} requests, {clients} clients: {len(lat.samples) / run.wall_s:7.1f} req/s  "
        f"p50 {lat.ms(0.50)}  p90 {lat.ms(0.90)}  p99 {lat.ms(0.99)}  max {lat.ms(1.0)}  errors {run.errors}",
        flush=True,
    )
    if run.first_error:
        print(f"    first error: {run.first_error}", flush=True)


def bench_graph(label: str, seed_dir: Path, args: argparse.Namespace) -> None:
    print(f"\n=== {label}: {seed_dir} ===", flush=True)
    t0 = time.perf_counter()
    graph = load_fresh(seed_dir, rewrite=False)
    print(
        f"loaded in {time.perf_counter() - t0:.1f} s: {graph.report.graph_nodes:,} nodes, "
        f"{graph.report.graph_relationships:,} relationships",
        flush=True,
    )
    try:
        municipalities = [r["uid"] for r in graph.store.read("MATCH (m:Municipality) RETURN m.uid AS uid ORDER BY uid")]
        total = args.warmup + args.requests
        scenarios = {
            "responsibility": responsibility_requests(question_mix(graph.store, total, args.seed)),
            "dashboard": dashboard_requests(municipalities, total, args.seed),
        }
        serve = Serve(graph.data_dir, args.workers)
        try:
            for name, requests in scenarios.items():
                if args.only and name not in args.only:
                    continue
                asyncio.run(_drive(serve.base_url, requests[: args.warmup], args.clients))
                _report(name, asyncio.run(_drive(serve.base_url, requests[args.warmup :], args.clients)), args.clients)
            which = " (the supervisor)" if args.workers > 1 else ""
            print(
                f"  peak RSS: serve {mib(peak_rss(serve.process.pid))}{which}, "
                f"FalkorDB server {mib(peak_rss(graph.server.pid or 0))}",
                flush=True,
            )
        finally:
            serve.close()
    finally:
        graph.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs", default="seeded,national", help="comma-separated: seeded, national")
    parser.add_argument("--national-dir", type=Path, help="generated national seed folder to reuse (or create)")
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="`socialatlas serve --workers`")
    parser.add_argument("--requests", type=int, default=2_000, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", action="append", choices=("responsibility", "dashboard"))
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; {dt.datetime.now():%Y-%m-%d %H:%M}", flush=True)
    cleanup: list[Path] = []
    try:
        for label in args.graphs.split(","):
            if label == "seeded":
                bench_graph("seeded", project_dir("seed"), args)
            elif label == "national":
                from benchmarks.bench_resolver import _national_dir

                bench_graph("national", _national_dir(args, cleanup), args)
            else:
                parser.error(f"--graphs: unknown graph {label!r}")
    finally:
        for path in cleanup:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
