"""The `socialatlas` command, run as a user runs it: a real process on a real embedded server.

Each test has its own data dir, so its own server and graph.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_support import run_cli as socialatlas

REPO = Path(__file__).resolve().parent.parent
VALID_SEED = REPO / "tests" / "seed" / "fixtures" / "valid"


def count_nodes(data_dir: Path) -> int:
    result = socialatlas("cypher", "MATCH (n) RETURN count(n) AS n", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["rows"][0]["n"])


def counts(data_dir: Path) -> tuple[int, int]:
    query = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    result = socialatlas("cypher", query, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)["rows"][0]
    return int(row["n"]), int(row["r"])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    result = socialatlas("seed", "--seed-dir", str(VALID_SEED), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.mark.parametrize("command", ["serve", "seed", "export", "cypher", "doctor", "schema"])
def test_every_command_has_help_with_examples(command: str, tmp_path: Path) -> None:
    result = socialatlas(command, "--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "Examples" in result.stdout
    assert f"socialatlas {command}" in result.stdout


def test_seed_twice_changes_nothing_the_second_time(data_dir: Path) -> None:
    first = socialatlas("seed", "--seed-dir", str(VALID_SEED), data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "Applied" in first.stdout
    after_first = counts(data_dir)
    assert after_first[0] > 0
    assert after_first[1] > 0
    second = socialatlas("seed", "--seed-dir", str(VALID_SEED), data_dir=data_dir)
    assert second.returncode == 0, second.stderr
    assert "Nothing to change" in second.stdout
    assert counts(data_dir) == after_first


def test_seed_check_needs_no_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "unused"
    result = socialatlas("seed", "--check", "--seed-dir", str(VALID_SEED), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert not (data_dir / "appendonlydir").exists()


def test_cypher_json(seeded: Path) -> None:
    result = socialatlas("cypher", "MATCH (n) RETURN count(n) AS n", "--json", data_dir=seeded)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["columns"] == ["n"]
    assert payload["rows"][0]["n"] > 0
    assert payload["truncated"] is False


def test_cypher_params_and_dates_as_json(seeded: Path) -> None:
    result = socialatlas(
        "cypher", "RETURN $n + 1 AS next, date($d) AS d, $s AS s", "--param", "n=41", "--param", "d=2019-08-01",
        "--param", "s=Unge, Job", "--json", data_dir=seeded,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == [{"next": 42, "d": "2019-08-01", "s": "Unge, Job"}]


def test_cypher_refuses_writes_and_writes_nothing(seeded: Path) -> None:
    before = counts(seeded)
    result = socialatlas("cypher", "CREATE (x:X)", data_dir=seeded)
    assert result.returncode == 1
    assert "WRITE_REFUSED" in result.stderr
    assert "read-only" in result.stderr.lower()
    assert counts(seeded) == before


def test_cypher_refuses_load_csv_before_the_database_sees_it(seeded: Path) -> None:
    result = socialatlas("cypher", "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", data_dir=seeded)
    assert result.returncode == 1
    assert "QUERY_REFUSED" in result.stderr


def test_cypher_row_cap(seeded: Path) -> None:
    result = socialatlas("cypher", "UNWIND range(1, 50) AS x RETURN x", "--row-cap", "10", "--json", data_dir=seeded)
    payload = json.loads(result.stdout)
    assert len(payload["rows"]) == 10
    assert payload["truncated"] is True


def test_cypher_syntax_error_is_reported(seeded: Path) -> None:
    result = socialatlas("cypher", "MATCH (n RETURN n", data_dir=seeded)
    assert result.returncode == 1
    assert "QUERY_ERROR" in result.stderr
    assert "Traceback" not in result.stderr


def test_three_errors_in_three_files_all_reported_and_nothing_written(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-seed"
    shutil.copytree(VALID_SEED, bad)
    files = sorted(p for p in bad.rglob("*.yaml") if "sources" not in p.name)
    assert len(files) >= 3, "the fixture seed needs at least three non-source files"
    # 1: malformed YAML; 2: an unknown field; 3: an impossible date.
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n  - uid: [unclosed\n", encoding="utf-8")
    text = files[1].read_text(encoding="utf-8")
    files[1].write_text(text.replace("\n    name:", "\n    naem:", 1), encoding="utf-8")
    text = files[2].read_text(encoding="utf-8")
    head, sep, rest = text.partition("    source:")
    files[2].write_text(head + "    valid_from: 2019-02-30\n" + sep + rest, encoding="utf-8")
    before = counts(seeded)

    result = socialatlas("seed", "--seed-dir", str(bad), data_dir=seeded)

    assert result.returncode == 1
    for path in files[:3]:
        assert f"{path.relative_to(bad)}:" in result.stderr, result.stderr
    assert "naem" in result.stderr
    assert "2019-02-30" in result.stderr
    assert "nothing was written" in result.stderr
    assert counts(seeded) == before


def test_export_round_trip_reproduces_the_files(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = socialatlas("export", "--out", str(out), data_dir=seeded)
    assert result.returncode == 0, result.stderr
    originals = sorted(p.relative_to(VALID_SEED) for p in VALID_SEED.rglob("*.yaml"))
    assert sorted(p.relative_to(out) for p in out.rglob("*.yaml")) == originals
    for relative in originals:
        assert (out / relative).read_bytes() == (VALID_SEED / relative).read_bytes(), relative


def test_doctor_reports_backend_and_counts(seeded: Path) -> None:
    result = socialatlas("doctor", "--seed-dir", str(VALID_SEED), data_dir=seeded)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "falkordb-embedded" in result.stdout
    assert "FalkorDB" in result.stdout
    assert str(counts(seeded)[0]) in result.stdout


def test_unreachable_backend_exit_code(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = socialatlas(
        "cypher", "RETURN 1", data_dir=tmp_path, env={"SOCIALATLAS_GRAPH_URL": f"falkordb://127.0.0.1:{port}/g"}
    )
    assert result.returncode == 3, result.stderr
    assert "not reachable" in result.stderr


# --- serve -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get_json(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _wait_for_health(url: str, deadline_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            status, body = _get_json(url)
            if status == 200:
                return body
            last = (status, body)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = error
        time.sleep(0.2)
    raise AssertionError(f"{url} not healthy within {deadline_s}s: {last}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(c) for c in children)
    return found


@pytest.fixture
def serving(data_dir: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`socialatlas serve` on a free port; `@pytest.mark.parametrize("serving", [["--workers", "2"]], indirect=True)`
    passes extra arguments."""
    port = _free_port()
    env = {**os.environ, "SOCIALATLAS_DATA_DIR": str(data_dir), "SOCIALATLAS_SEED_DIR": str(VALID_SEED)}
    env.pop("SOCIALATLAS_GRAPH_URL", None)
    extra: list[str] = getattr(request, "param", [])
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_seeds_an_empty_store_and_reports_health(serving: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = serving
    health = _wait_for_health(f"{base}/health", 60)
    assert health["backend"] == "falkordb-embedded"
    assert health["engine_version"].startswith("FalkorDB")
    assert health["nodes"] > 0
    assert health["relationships"] > 0


@pytest.mark.parametrize("serving", [["--workers", "2"]], indirect=True)
def test_serve_with_workers_shares_one_embedded_database(serving: tuple[str, subprocess.Popen[str]]) -> None:
    base, process = serving
    health = _wait_for_health(f"{base}/health", 60)
    children = [Path(f"/proc/{pid}/cmdline").read_text() for pid in _children(process.pid)]
    assert sum("redis-server" in c for c in children) == 1, "one database for all workers"
    assert sum("spawn_main" in c for c in children) == 2, children
    for _ in range(6):  # spread over both workers: each answers from the same graph
        reply = httpx.post(f"{base}/graphql", json={"query": "{ municipalities { uid } }"}, timeout=30).json()
        assert reply["data"]["municipalities"], reply
        assert _wait_for_health(f"{base}/health", 5)["nodes"] == health["nodes"]


def test_serve_recovers_from_kill_9_of_the_database(serving: tuple[str, subprocess.Popen[str]], data_dir: Path) -> None:
    base, process = serving
    before = _wait_for_health(f"{base}/health", 60)
    database_pids = [
        pid for pid in _children(process.pid) if "redis-server" in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    assert len(database_pids) == 1, "serve should have started one embedded database"
    os.kill(database_pids[0], signal.SIGKILL)

    after = _wait_for_health(f"{base}/health", 30)

    assert (after["nodes"], after["relationships"]) == (before["nodes"], before["relationships"])
    assert process.poll() is None, "the service itself kept running"
