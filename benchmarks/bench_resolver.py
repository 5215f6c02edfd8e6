"""Resolver latency on embedded FalkorDB: the real seed and a synthetic national graph.

    python -m benchmarks.bench_resolver                       # both graphs, defaults below
    python -m benchmarks.bench_resolver --graphs national --national-dir /tmp/national

For each graph (`seeded`: the project's seed/; `national`: `benchmarks.synthetic` with 98
copies of Aarhus MSB), loaded into a fresh embedded server in a temp data dir:

1. in-process: warm-up, then `--resolves` (default 2,000) `Resolver(store).resolve(...)` calls,
   one after another on one thread, over a deterministic random mix of questions
   (municipality, age 0-80, 0-2 conditions from the taxonomy, half with a paragraph, dates
   2008-2026, 80 % myndighed / 20 % udfører). Prints p50/p90/p99/max latency and throughput.
2. where the time goes: the same questions again, instrumented: round trips per question per
   named query, time inside `GraphStore.read` split into the raw round trip (socket, server,
   RESP parsing) and decoding the reply, the server's own execution time (each query re-run
   once through the falkordb client, which reports it), and the rest: resolver Python.
3. CLI: `--cli-runs` (default 30) `python -m app ask ... --json` subprocesses against the same
   server (they attach to it). Their latency includes Python start-up and imports; the start-up
   alone (`python -c pass`) and the imports (`python -c "import app.cli.main"`) are measured too.
4. peak RSS (VmHWM from /proc, reset after loading) of this process and of the FalkorDB server
   during the resolves, and of one CLI process.

Target: in-process p99 <= 10 ms at national scale on embedded.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import math
import os
import pstats
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.resources import project_dir
from app.store.embedded import EmbeddedServer
from app.store.falkordb import FalkorStore
from benchmarks.bench_load import current_rss, load_fresh, mib, peak_rss

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 10.0
FIRST_DAY = dt.date(2008, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)


class Graph(Protocol):
    """A loaded graph on an embedded server (`bench_load.LoadedGraph`, or `Attached` in the child process)."""

    server: EmbeddedServer
    store: FalkorStore
    data_dir: Path


@dataclass
class Attached:
    """A store on a server another process started and loaded."""

    server: EmbeddedServer
    store: FalkorStore
    data_dir: Path

    @classmethod
    def to(cls, data_dir: Path) -> Attached:
        server = EmbeddedServer(data_dir)
        server.ensure_running()
        return cls(server, FalkorStore.on_server(server), data_dir)

    def close(self) -> None:
        self.store.close()
        self.server.stop()  # only detaches: this process did not start it


@dataclass(frozen=True)
class Ask:
    """One question of the mix, in the terms both the Resolver and the CLI take."""

    municipality: str
    age: int
    conditions: tuple[str, ...]
    paragraph: str | None
    kind: str
    on: dt.date

    def cli_args(self) -> list[str]:
        args = ["ask", "--municipality", self.municipality, "--age", str(self.age)]
        for condition in self.conditions:
            args += ["--condition", condition]
        if self.paragraph:
            args += ["--paragraph", self.paragraph]
        return [*args, "--kind", self.kind, "--date", self.on.isoformat(), "--json"]


@dataclass
class Latencies:
    """Durations in seconds."""

    samples: list[float] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    def ms(self, q: float) -> str:
        return f"{self.percentile(q) * 1000:.2f} ms"

    @property
    def total(self) -> float:
        return sum(self.samples)


# --- the question mix ---------------------------------------------------------------------------------------


def question_mix(store: Any, count: int, seed: int) -> list[Ask]:
    """`count` questions, the same for the same graph and seed."""
    municipalities = [r["uid"] for r in store.read("MATCH (m:Municipality) RETURN m.uid AS uid ORDER BY uid")]
    conditions = [r["uid"] for r in store.read("MATCH (c:Condition) RETURN c.uid AS uid ORDER BY uid")]
    paragraphs = [r["name"] for r in store.read("MATCH (p:Paragraph) RETURN p.name AS name ORDER BY p.uid")]
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    asks = []
    for _ in range(count):
        asks.append(
            Ask(
                municipality=rng.choice(municipalities),
                age=rng.randint(0, 80),
                conditions=tuple(rng.sample(conditions, rng.choice((0, 1, 1, 1, 2)))),
                paragraph=rng.choice(paragraphs) if rng.random() < 0.5 else None,
                kind="myndighed" if rng.random() < 0.8 else "udfører",
                on=FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1)),
            )
        )
    return asks


def _question(ask: Ask) -> Any:
    from app.domain.resolver import Question

    return Question(
        municipality=ask.municipality,
        age=ask.age,
        conditions=ask.conditions,
        paragraph=ask.paragraph,
        kind=ask.kind,
        on=ask.on,
    )


def _resolve_one(resolver: Any, question: Any, errors: dict[str, str] | None = None) -> str:
    """The answer's status, or the error's class name (its first message kept in `errors`)."""
    from app.errors import SocialatlasError

    try:
        return str(resolver.resolve(question).status)
    except SocialatlasError as exc:
        name = type(exc).__name__
        if errors is not None:
            errors.setdefault(name, str(exc))
        return name


# --- in-process -------------------------------------------------------------------------------------------


@dataclass
class InProcess:
    latencies: Latencies
    wall_s: float
    outcomes: Counter[str]
    errors: dict[str, str]
    """First message of each kind of error."""
    python_peak_rss: int
    python_rss: int
    server_peak_rss: int
    slowest: list[tuple[float, Ask, float]]
    """(latency, question, median of 5 re-runs) of the slowest questions: repeatable, or noise?"""
    gc_pauses: dict[int, Latencies]
    """Python's cyclic garbage collector during the timed resolves: pause durations per generation."""


def reset_peak_rss(pid: int | str = "self") -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to /proc/<pid>/clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_in_process(
    graph: Graph, warmup: Sequence[Ask], asks: Sequence[Ask], *, slowest: int = 5, gc_freeze: bool = False
) -> InProcess:
    """Resolve `warmup`, then time each of `asks` on one thread with one Resolver.

    `gc_freeze`: after the warm-up, move every object into the GC's permanent generation (`gc.freeze()`), as a
    server would after start-up, so full collections no longer scan the imported modules and caches.
    """
    from app.domain.resolver import Resolver

    resolver = Resolver(graph.store)
    for ask in warmup:
        _resolve_one(resolver, _question(ask))
    if gc_freeze:
        gc.collect()
        gc.freeze()
    questions = [_question(a) for a in asks]
    server_pid = graph.server.pid
    reset_peak_rss()
    if server_pid:
        reset_peak_rss(server_pid)
    outcomes: Counter[str] = Counter()
    errors: dict[str, str] = {}
    latencies = Latencies()
    clock = time.perf_counter
    with _gc_pauses() as pauses:
        started = clock()
        for question in questions:
            t0 = clock()
            outcome = _resolve_one(resolver, question, errors)
            latencies.samples.append(clock() - t0)
            outcomes[outcome] += 1
        wall = clock() - started
    python_peak, python_now = peak_rss(), current_rss()
    server_peak = peak_rss(server_pid) if server_pid else 0
    worst = sorted(range(len(asks)), key=lambda i: -latencies.samples[i])[:slowest]
    retimed = []
    for i in worst:
        again = Latencies()
        for _ in range(5):
            t0 = clock()
            _resolve_one(resolver, questions[i])
            again.samples.append(clock() - t0)
        retimed.append((latencies.samples[i], asks[i], again.percentile(0.5)))
    return InProcess(latencies, wall, outcomes, errors, python_peak, python_now, server_peak, retimed, pauses)


@contextmanager
def _gc_pauses() -> Iterator[dict[int, Latencies]]:
    """Time every collection of the cyclic GC while the block runs."""
    pauses: dict[int, Latencies] = defaultdict(Latencies)
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses[info["generation"]].samples.append(time.perf_counter() - started.pop())

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


# --- where the time goes ------------------------------------------------------------------------------------


@dataclass
class QueryStats:
    calls: int = 0
    read_s: float = 0.0
    """Inside GraphStore.read."""
    run_s: float = 0.0
    """Of which the raw round trip (send, server, RESP parse)."""
    server_ms: float = 0.0
    """The server's own execution time, as it reports it."""
    rows: int = 0


QueryStatsMap = defaultdict[str, QueryStats]


@dataclass
class Breakdown:
    questions: int
    resolve_s: float
    per_query: dict[str, QueryStats]

    @property
    def read_s(self) -> float:
        return sum(q.read_s for q in self.per_query.values())

    @property
    def run_s(self) -> float:
        return sum(q.run_s for q in self.per_query.values())

    @property
    def server_s(self) -> float:
        return sum(q.server_ms for q in self.per_query.values()) / 1000

    @property
    def calls(self) -> int:
        return sum(q.calls for q in self.per_query.values())


def query_name(query: str) -> str:
    first = query.lstrip().splitlines()[0] if query.strip() else ""
    return first.removeprefix("// name:").strip() if first.startswith("// name:") else first[:40]


@contextmanager
def _instrumented(store: Any, calls: list[tuple[str, str, dict[str, Any] | None, int]]) -> Iterator[QueryStatsMap]:
    """Wrap `store.read` and the raw round trip `store._run` to time them per named query."""
    stats: QueryStatsMap = defaultdict(QueryStats)
    original_read, original_run = store.read, store._run
    current: list[str] = []

    def run(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original_run(*args, **kwargs)
        finally:
            if current:
                stats[current[-1]].run_s += time.perf_counter() - t0

    def read(query: str, params: Any = None) -> Any:
        name = query_name(query)
        current.append(name)
        t0 = time.perf_counter()
        try:
            rows = original_read(query, params)
        finally:
            current.pop()
        entry = stats[name]
        entry.read_s += time.perf_counter() - t0
        entry.calls += 1
        entry.rows += len(rows)
        calls.append((name, query, dict(params) if params else None, len(rows)))
        return rows

    store.read, store._run = read, run
    try:
        yield stats
    finally:
        del store.read, store._run  # back to the class's methods


def breakdown(graph: Graph, asks: Sequence[Ask]) -> Breakdown:
    """Resolve `asks` with a fresh, warmed Resolver, timing every read; then ask the server for its own times."""
    from app.domain.resolver import Resolver

    resolver = Resolver(graph.store)
    questions = [_question(a) for a in asks]
    _resolve_one(resolver, questions[0])  # the catalogues are read once per Resolver; not part of a question
    calls: list[tuple[str, str, dict[str, Any] | None, int]] = []
    with _instrumented(graph.store, calls) as stats:
        t0 = time.perf_counter()
        for question in questions:
            _resolve_one(resolver, question)
        resolve_s = time.perf_counter() - t0
    for name, ms in _server_times(graph, calls):
        stats[name].server_ms += ms
    return Breakdown(len(questions), resolve_s, dict(stats))


def _server_times(
    graph: Graph, calls: Sequence[tuple[str, str, dict[str, Any] | None, int]]
) -> Iterator[tuple[str, float]]:
    """Re-run each recorded query once through the falkordb client, which returns the server's execution time."""
    from falkordb import FalkorDB

    db = FalkorDB(unix_socket_path=str(graph.server.socket_path))
    try:
        handle = db.select_graph(graph.store.graph_name)
        for name, query, params, _rows in calls:
            yield name, float(handle.ro_query(query, params).run_time_ms)
    finally:
        db.connection.close()


def profile_resolves(graph: Graph, asks: Sequence[Ask], top: int = 25) -> str:
    """cProfile of resolving `asks`; tottime grouped by where the code lives, then the top functions."""
    from app.domain.resolver import Resolver

    resolver = Resolver(graph.store)
    questions = [_question(a) for a in asks]
    _resolve_one(resolver, questions[0])
    profiler = cProfile.Profile()
    profiler.enable()
    for question in questions:
        _resolve_one(resolver, question)
    profiler.disable()
    stats = pstats.Stats(profiler)
    groups: Counter[str] = Counter()
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table untyped
    total = 0.0
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        groups[_group(filename, function)] += tottime
        total += tottime
    lines = [f"cProfile, {len(questions)} resolves, {total:.2f} s profiled (cProfile inflates Python-heavy parts):"]
    for group, seconds in groups.most_common():
        lines.append(f"  {group:<44} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    stream_lines: list[str] = []
    stats.sort_stats("tottime")
    width = max(1, top)
    for func in stats.fcn_list[:width]:  # type: ignore[attr-defined]
        _cc, nc, tottime, cumtime, _ = raw[func]
        filename, line, function = func
        where = filename.replace(str(REPO_ROOT) + "/", "").replace(sys.prefix, "<venv>")
        stream_lines.append(f"  {tottime:6.2f} {cumtime:6.2f} {nc:8d}  {where}:{line}({function})")
    lines.append(f"top {width} functions by own time (tottime cumtime calls):")
    lines.extend(stream_lines)
    return "\n".join(lines)


def _group(filename: str, function: str) -> str:
    if filename == "~":  # built-ins
        if "_socket.socket" in function or "select" in function or "poll" in function:
            return "socket send/recv (waiting for the server)"
        return "builtins (isinstance, str, sorted, …)"
    if "redis/_parsers" in filename or "hiredis" in filename:
        return "redis-py reply parsing (RESP)"
    if "/redis/" in filename:
        return "redis-py client (commands, connection pool)"
    if "/falkordb/" in filename:
        return "falkordb client (result decoding)"
    if filename.endswith("app/store/falkordb.py"):
        return "app.store.falkordb (params, plain())"
    if "/app/domain/" in filename:
        return "app.domain (resolver Python)"
    if "/app/" in filename:
        return "app (other)"
    return "other (stdlib, dataclasses, …)"


# --- CLI ----------------------------------------------------------------------------------------------------


@dataclass
class CliRuns:
    latencies: Latencies
    exit_codes: Counter[int]
    peak_rss: int
    python_start: Latencies
    imports: Latencies
    failures: dict[int, str]
    """End of stderr of the first run with each non-zero exit code."""


_LAUNCHER = """
import json, os, subprocess, sys, tempfile, time
with tempfile.TemporaryFile() as err:
    t0 = time.perf_counter()
    proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    err.seek(0)
    tail = err.read().decode(errors="replace")[-400:]
print(json.dumps([elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, tail]))
"""
"""Runs the measured command from a small Python process: a child's peak RSS (ru_maxrss) starts at its forking
parent's, so forking straight from this process (hundreds of MiB after loading a seed) would report ours."""


def _timed_child(args: Sequence[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """Run a command; (wall seconds, exit code, its peak RSS in bytes, the end of its stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    elapsed, code, rss, tail = json.loads(done.stdout)
    return float(elapsed), int(code), int(rss), str(tail)


def run_cli(graph: Graph, asks: Sequence[Ask], baseline_runs: int = 10) -> CliRuns:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALATLAS_")}
    env.update({"SOCIALATLAS_GRAPH_URL": "embedded", "SOCIALATLAS_DATA_DIR": str(graph.data_dir)})
    python = sys.executable
    start, imports = Latencies(), Latencies()
    for _ in range(baseline_runs):
        start.samples.append(_timed_child([python, "-c", "pass"], env)[0])
        imports.samples.append(_timed_child([python, "-c", "import app.cli.main"], env)[0])
    latencies = Latencies()
    codes: Counter[int] = Counter()
    failures: dict[int, str] = {}
    peak = 0
    for ask in asks:
        elapsed, code, rss, tail = _timed_child([python, "-m", "app", *ask.cli_args()], env)
        latencies.samples.append(elapsed)
        codes[code] += 1
        peak = max(peak, rss)
        if code:
            failures.setdefault(code, tail)
    return CliRuns(latencies, codes, peak, start, imports, failures)


# --- the run ------------------------------------------------------------------------------------------------


def _national_dir(args: argparse.Namespace, cleanup: list[Path]) -> Path:
    from benchmarks.synthetic import MANIFEST, generate

    if args.national_dir is not None and (args.national_dir / MANIFEST).is_file():
        print(f"using the generated folder {args.national_dir}", flush=True)
        return Path(args.national_dir)
    out = args.national_dir
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="socialatlas-national-")) / "seed"
        cleanup.append(out.parent)
    t0 = time.perf_counter()
    summary = generate(out, municipalities=args.municipalities, seed=args.seed)
    elapsed = time.perf_counter() - t0
    print(f"generated {summary.municipalities} municipalities into {out} in {elapsed:.1f} s", flush=True)
    return Path(out)


def bench_graph(label: str, seed_dir: Path, args: argparse.Namespace) -> None:
    """Load `seed_dir` into a fresh server (this process owns it), run the in-process part in a fresh child
    process attached to it (so its RSS is the resolver's, not the loader's), then the CLI runs."""
    print(f"\n=== {label}: {seed_dir} ===", flush=True)
    t0 = time.perf_counter()
    graph = load_fresh(seed_dir, rewrite=False)
    report = graph.report
    print(
        f"loaded into a fresh embedded FalkorDB in {time.perf_counter() - t0:.1f} s: "
        f"{report.graph_nodes:,} nodes, {report.graph_relationships:,} relationships "
        f"(load peak RSS: python {mib(report.python_peak_rss)}, server {mib(report.server_peak_rss)})",
        flush=True,
    )
    try:
        child = [sys.executable, "-m", "benchmarks.bench_resolver", "--attach", str(graph.data_dir), "--label", label]
        for option in ("resolves", "warmup", "breakdown", "profile", "seed"):
            child += [f"--{option}", str(getattr(args, option))]
        if args.gc_freeze:
            child.append("--gc-freeze")
        subprocess.run(child, cwd=REPO_ROOT, check=True)
        if args.cli_runs:
            asks = question_mix(graph.store, args.cli_runs, args.seed)
            _print_cli(run_cli(graph, asks))
    finally:
        graph.close()


def in_process(data_dir: Path, label: str, args: argparse.Namespace) -> None:
    """Steps 1 and 2 on a server another process loaded."""
    graph = Attached.to(data_dir)
    try:
        asks = question_mix(graph.store, args.resolves + args.warmup, args.seed)
        result = run_in_process(graph, asks[: args.warmup], asks[args.warmup :], gc_freeze=args.gc_freeze)
        lat = result.latencies
        n = len(lat.samples)
        frozen = ", gc.freeze() after warm-up" if args.gc_freeze else ""
        print(f"in-process: {n} resolves after {args.warmup} warm-up, one thread (pid {os.getpid()}){frozen}")
        print(
            f"  latency  p50 {lat.ms(0.50)}  p90 {lat.ms(0.90)}  p99 {lat.ms(0.99)}  max {lat.ms(1.0)}  "
            f"mean {lat.total / n * 1000:.2f} ms"
        )
        print(f"  throughput {n / result.wall_s:,.0f} resolves/s")
        print(f"  outcomes {dict(sorted(result.outcomes.items()))}")
        for name, message in result.errors.items():
            print(f"  ERROR {name} ({result.outcomes[name]}x), first: {message}")
        if result.errors and sum(result.outcomes[name] for name in result.errors) == n:
            raise SystemExit("every resolve failed: the figures above measure nothing")
        if label == "national":
            verdict = "met" if lat.percentile(0.99) * 1000 <= TARGET_P99_MS else "MISSED"
            print(f"  target p99 <= {TARGET_P99_MS:g} ms at national scale: {verdict}")
        print(
            f"  peak RSS during resolves: python {mib(result.python_peak_rss)} (now {mib(result.python_rss)}), "
            f"FalkorDB server {mib(result.server_peak_rss)}",
            flush=True,
        )
        for generation, pauses in sorted(result.gc_pauses.items()):
            print(
                f"  GC generation {generation}: {len(pauses.samples)} collections, "
                f"max {pauses.ms(1.0)}, total {pauses.total * 1000:.1f} ms"
            )
        print("  slowest questions (latency; median of 5 re-runs):")
        for first, ask, again in result.slowest:
            print(f"    {first * 1000:7.2f} ms; {again * 1000:6.2f} ms  {shlex.join(ask.cli_args()[1:-1])}")
        if args.breakdown:
            _print_breakdown(breakdown(graph, asks[args.warmup : args.warmup + args.breakdown]))
        if args.profile:
            print(profile_resolves(graph, asks[args.warmup : args.warmup + args.profile]))
        sys.stdout.flush()
    finally:
        graph.close()


def _print_cli(cli: CliRuns) -> None:
    c = cli.latencies
    print(f"CLI: {len(c.samples)} x `python -m app ask ... --json` (each a new Python process, attaching)")
    print(f"  latency  p50 {c.ms(0.5)}  p99 {c.ms(0.99)}  max {c.ms(1.0)}  exit codes {dict(cli.exit_codes)}")
    print(
        f"  includes Python start-up: `python -c pass` p50 {cli.python_start.ms(0.5)}, "
        f"start-up + imports (`python -c 'import app.cli.main'`) p50 {cli.imports.ms(0.5)}"
    )
    for code, tail in cli.failures.items():
        print(f"  exit code {code}, first stderr: {tail.strip()}")
    print(f"  peak RSS of one CLI process: {mib(cli.peak_rss)}", flush=True)


def _print_breakdown(b: Breakdown) -> None:
    n = b.questions
    if not b.calls:
        print("where the time goes: no reads were made")
        return
    python_s = b.resolve_s - b.read_s
    print(f"where the time goes ({n} resolves, instrumented, mean per question):")
    print(f"  total            {b.resolve_s / n * 1000:7.3f} ms")
    print(f"  round trips      {b.calls / n:7.2f} per question")
    print(f"  GraphStore.read  {b.read_s / n * 1000:7.3f} ms  ({100 * b.read_s / b.resolve_s:.0f} %)")
    print(f"    server exec    {b.server_s / n * 1000:7.3f} ms  (FalkorDB's own run_time_ms)")
    print(f"    transport+RESP {(b.run_s - b.server_s) / n * 1000:7.3f} ms  (socket, redis-py parsing)")
    print(f"    decode         {(b.read_s - b.run_s) / n * 1000:7.3f} ms  (falkordb QueryResult, plain())")
    print(f"  resolver Python  {python_s / n * 1000:7.3f} ms  ({100 * python_s / b.resolve_s:.0f} %)")
    print("  per query:        calls/q  read ms/call  server ms/call  rows/call")
    for name, q in sorted(b.per_query.items(), key=lambda item: -item[1].read_s):
        print(
            f"    {name:<28} {q.calls / n:5.2f}  {q.read_s / q.calls * 1000:10.3f}  "
            f"{q.server_ms / q.calls:12.3f}  {q.rows / q.calls:9.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_resolver", description=__doc__.split("\n")[0])
    parser.add_argument("--graphs", nargs="+", choices=("seeded", "national"), default=["seeded", "national"])
    parser.add_argument("--municipalities", type=int, default=98)
    parser.add_argument("--national-dir", type=Path, help="Generated folder to reuse (or to generate into).")
    parser.add_argument("--resolves", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--cli-runs", type=int, default=30)
    parser.add_argument("--breakdown", type=int, default=500, help="Questions for the timing breakdown (0: skip).")
    parser.add_argument("--profile", type=int, default=0, help="Questions to run under cProfile (0: skip).")
    parser.add_argument("--seed", type=int, default=0, help="Random seed of the question mix.")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after the warm-up (see README).")
    parser.add_argument("--attach", type=Path, help=argparse.SUPPRESS)  # internal: the in-process child
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.attach is not None:
        in_process(args.attach, args.label, args)
        return 0

    print(f"bench_resolver {dt.datetime.now().isoformat(timespec='seconds')} on {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}", flush=True)  # fmt: skip
    cleanup: list[Path] = []
    try:
        for label in args.graphs:
            seed_dir = project_dir("seed") if label == "seeded" else _national_dir(args, cleanup)
            bench_graph(label, seed_dir, args)
    finally:
        for path in cleanup:
            shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
