"""Latency of list pages and search on the synthetic national graph (embedded FalkorDB).

    python -m benchmarks.synthetic --out /tmp/national --municipalities 98     # once
    python -m benchmarks.bench_lists --national-dir /tmp/national               # fresh server, loads ~50 s
    python -m benchmarks.bench_lists --data-dir D --graph G                     # a server/graph already loaded

Runs each case `--runs` times (after two warm-up runs) in-process through `list_nodes` / `search`,
one after another on one thread, then the same kind of request as GraphQL over HTTP (the real app
under uvicorn, as the API tests serve it), and prints p50/p90/max in milliseconds. Figures, not
assertions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from app.domain.listing import ListRequest, PageArgs, TilbudFilter, UnitFilter, list_nodes
from app.domain.search import search
from app.runtime import sync_seed
from app.schema import load_schema
from app.store.base import GraphStore
from app.store.embedded import EmbeddedServer
from app.store.falkordb import FalkorStore

ON = date(2020, 1, 1)


def _cases(store: GraphStore) -> dict[str, Callable[[], object]]:
    second_page = list_nodes(
        store, ListRequest("Unit", UnitFilter(municipality="synth-042"), (), PageArgs(first=20), ON)
    )

    def page(label: str, flt: object, **kwargs: object) -> Callable[[], object]:
        request = ListRequest(label, flt, (), PageArgs(**kwargs), ON)  # type: ignore[arg-type]
        return lambda: list_nodes(store, request)

    return {
        "units, no filter, first page": page("Unit", None, first=20),
        "units of one municipality, first page": page("Unit", UnitFilter(municipality="synth-042"), first=20),
        "units of one municipality, second page": page(
            "Unit", UnitFilter(municipality="synth-042"), first=20, after=second_page.end_cursor
        ),
        "units of a municipality, kind + age + condition": page(
            "Unit",
            UnitFilter(municipality="synth-042", kind=("driftsområde",), covers_age=17, condition="autisme"),
            first=20,
        ),
        "tilbud, condition ASF + age 20, national": page(
            "Tilbud", TilbudFilter(condition="ASF", covers_age=20), first=20
        ),
        "units with a tilbud under SEL §104, national": page(
            "Unit", UnitFilter(tilbud=TilbudFilter(paragraph="SEL §104")), first=20
        ),
        "units nameContains 'boern', national": page("Unit", UnitFilter(name_contains="boern"), first=20),
        "search 'aarhus' (all labels)": lambda: search(store, "aarhus", first=20, as_of=ON),
        "search 'boern' (all labels)": lambda: search(store, "boern", first=20, as_of=ON),
        "search 'ASF' (all labels)": lambda: search(store, "ASF", first=20, as_of=ON),
        "search 'unge job' (Unit, Tilbud)": lambda: search(store, "unge job", labels=["Unit", "Tilbud"], as_of=ON),
    }


UNITS_QUERY = """
query($after: String) {
  units(filter: {municipality: "synth-042", kind: ["center", "driftsområde"]}, first: 20, after: $after,
        asOf: "2020-01-01") {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { uid name kind validity { from to } } }
  }
}
"""
SEARCH_QUERY = """
query($text: String!) {
  search(text: $text, first: 20, asOf: "2020-01-01") {
    totalCount hits { score matchedField matchedText node { __typename uid label } }
  }
}
"""


def _http_cases(store: GraphStore) -> None:
    """The GraphQL requests over real HTTP: parsing, validation, limits, resolvers and JSON included."""
    import httpx

    from app.api.app import create_app
    from app.api.serving import serving
    from app.config import Settings

    with serving(create_app(Settings(), store)) as url, httpx.Client(base_url=url, timeout=60) as client:

        def post(query: str, **variables: object) -> Callable[[], object]:
            def run() -> object:
                response = client.post("/graphql", json={"query": query, "variables": variables})
                body = response.json()
                assert "errors" not in body, body
                return body

            return run

        cases = {
            "HTTP units of a municipality, kind filter, first page": post(UNITS_QUERY),
            "HTTP search 'boern'": post(SEARCH_QUERY, text="boern"),
            "HTTP search 'ASF'": post(SEARCH_QUERY, text="ASF"),
        }
        for name, run in cases.items():
            _report(name, _measure(run, 30))


def _report(name: str, times: list[float]) -> None:
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"{name:58} {statistics.median(times):8.1f} {p90:8.1f} {times[-1]:8.1f}")


def _measure(run: Callable[[], object], runs: int) -> list[float]:
    for _ in range(2):
        run()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--national-dir", type=Path, default=Path("/tmp/national"))
    parser.add_argument("--data-dir", type=Path, help="an embedded server's data dir holding the graph already")
    parser.add_argument("--graph", default="national")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    server = EmbeddedServer(args.data_dir or Path(tempfile.mkdtemp(prefix="socialatlas-bench-lists-")))
    server.ensure_running()
    store = FalkorStore.on_server(server, graph=args.graph)
    try:
        if not store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]:
            t0 = time.perf_counter()
            store.install_schema(load_schema())
            sync_seed(store, args.national_dir)
            print(f"loaded {args.national_dir} in {time.perf_counter() - t0:.1f} s")
        nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        print(f"graph {args.graph}: {nodes} nodes; {args.runs} runs per case after 2 warm-ups\n")
        print(f"{'case':58} {'p50':>8} {'p90':>8} {'max':>8}  (ms)")
        for name, run in _cases(store).items():
            _report(name, _measure(run, args.runs))
        _http_cases(store)
    finally:
        store.close()
        if args.data_dir is None:
            server.stop()


if __name__ == "__main__":
    main()
