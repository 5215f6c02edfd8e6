"""The embedded FalkorDB server: started on demand, one per data dir, durable, recovers from crashes.

Each test uses its own data dir and server (not the session one), and stops what it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from app.errors import BackendUnavailable
from app.store.embedded import MAX_SOCKET_PATH_BYTES, QUERY_MEM_CAPACITY_BYTES, EmbeddedServer, process_alive
from app.store.falkordb import FalkorStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    srv = EmbeddedServer(tmp_path / "data")
    try:
        yield srv
    finally:
        srv.stop()


def _admin(server: EmbeddedServer) -> redis.Redis:
    return redis.Redis(unix_socket_path=str(server.socket_path), decode_responses=True, protocol=2)


def _wait_gone(pid: int) -> None:
    """Wait until a killed process has exited (bounded, so a bug fails instead of hanging)."""
    deadline = time.monotonic() + 30
    while process_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} did not exit"
        time.sleep(0.01)


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with the project importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def test_nothing_starts_at_construction(tmp_path: Path) -> None:
    srv = EmbeddedServer(tmp_path / "data")
    assert (srv.pid, srv.owned, srv.is_alive()) == (None, False, False)
    assert not (tmp_path / "data").exists()


def test_start_uses_socket_aof_and_its_own_session(server: EmbeddedServer) -> None:
    server.ensure_running()
    assert server.owned
    assert server.is_alive()
    assert server.pid is not None
    assert server.socket_path == server.data_dir / "falkordb.sock"
    assert server.socket_path.is_socket()
    assert int((server.data_dir / "falkordb.pid").read_text()) == server.pid
    assert (server.data_dir / "falkordb.log").exists()
    assert os.getsid(server.pid) != os.getsid(0), "a Ctrl-C in our terminal must not reach the server"
    admin: Any = _admin(server)  # redis-py's command methods are loosely typed
    config = admin.config_get("*")
    assert config["port"] == "0"
    assert (config["appendonly"], config["appendfsync"], config["save"]) == ("yes", "always", "")
    assert Path(config["dir"]) == server.data_dir
    cap = admin.execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")
    assert cap == ["QUERY_MEM_CAPACITY", QUERY_MEM_CAPACITY_BYTES]


def test_stop_shuts_down_cleanly(server: EmbeddedServer) -> None:
    server.ensure_running()
    pid = server.pid
    assert pid is not None
    server.stop()
    assert not process_alive(pid)
    assert not server.is_alive()
    assert not server.owned
    assert not (server.data_dir / "falkordb.pid").exists()
    assert not (server.data_dir / "falkordb.sock").exists()
    assert "ready to exit" in (server.data_dir / "falkordb.log").read_text()


def test_ensure_running_twice_keeps_the_server(server: EmbeddedServer) -> None:
    server.ensure_running()
    pid = server.pid
    server.ensure_running()
    assert server.pid == pid


def test_second_instance_attaches_and_does_not_stop_it(server: EmbeddedServer) -> None:
    server.ensure_running()
    other = EmbeddedServer(server.data_dir)
    other.ensure_running()
    assert (other.pid, other.owned) == (server.pid, False)
    other.stop()
    assert server.is_alive()


def test_second_process_attaches(server: EmbeddedServer) -> None:
    server.ensure_running()
    done = _run_python(
        """
        import sys
        from pathlib import Path
        from app.store.embedded import EmbeddedServer
        srv = EmbeddedServer(Path(sys.argv[1]))
        srv.ensure_running()
        print(srv.pid, srv.owned)
        """,
        str(server.data_dir),
    )
    assert done.stdout.split() == [str(server.pid), "False"]
    assert server.is_alive(), "a process that attached must leave the server running when it exits"


def test_a_process_that_started_the_server_stops_it_at_exit(tmp_path: Path) -> None:
    done = _run_python(
        """
        import sys
        from pathlib import Path
        from app.store.embedded import EmbeddedServer
        srv = EmbeddedServer(Path(sys.argv[1]))
        srv.ensure_running()
        print(srv.pid)
        """,
        str(tmp_path / "data"),
    )
    pid = int(done.stdout)
    _wait_gone(pid)
    assert not (tmp_path / "data" / "falkordb.pid").exists()


def test_long_data_dir_puts_the_socket_in_a_short_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*(["a-rather-long-directory-name"] * 5))
    assert len(os.fsencode(deep / "falkordb.sock")) > MAX_SOCKET_PATH_BYTES
    srv = EmbeddedServer(deep)
    try:
        srv.ensure_running()
        assert len(os.fsencode(srv.socket_path)) <= MAX_SOCKET_PATH_BYTES
        assert srv.socket_path.parent != deep
        assert (deep / "falkordb.socket-path").read_text().strip() == str(srv.socket_path)
        assert srv.socket_path.parent.stat().st_mode & 0o777 == 0o700
        other = EmbeddedServer(deep)
        other.ensure_running()
        assert other.pid == srv.pid
        assert not other.owned
    finally:
        srv.stop()


def test_kill_9_then_next_read_restarts_from_the_aof(server: EmbeddedServer) -> None:
    store = FalkorStore.on_server(server, graph="g")
    try:
        store.write("UNWIND range(1, 500) AS i CREATE (:Item {uid: 'i' + toString(i), n: i})")
        for i in range(20):
            store.write("CREATE (:Single {uid: $uid})", {"uid": f"s{i}"})
        old_pid = server.pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        _wait_gone(old_pid)

        rows = store.read("MATCH (n) RETURN count(n) AS n, sum(n.n) AS total")
        assert rows == [{"n": 520, "total": sum(range(1, 501))}]
        assert server.pid not in (None, old_pid)
        assert server.owned
    finally:
        store.close()


def test_stale_pid_file_and_socket_are_recovered_by_a_fresh_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # A process starts the server, writes, and dies without cleaning up; then the server is killed.
    done = _run_python(
        """
        import os, sys
        from pathlib import Path
        from app.store.embedded import EmbeddedServer
        from app.store.falkordb import FalkorStore
        srv = EmbeddedServer(Path(sys.argv[1]))
        store = FalkorStore.on_server(srv, graph="g")
        store.write("UNWIND range(1, 100) AS i CREATE (:Item {n: i})")
        print(srv.pid, flush=True)
        os._exit(0)  # no atexit: the server is left running, as after a crash of its owner
        """,
        str(data),
    )
    pid = int(done.stdout)
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    assert (data / "falkordb.pid").exists()
    assert (data / "falkordb.sock").is_socket()

    done = _run_python(
        """
        import sys
        from pathlib import Path
        from app.store.embedded import EmbeddedServer
        from app.store.falkordb import FalkorStore
        srv = EmbeddedServer(Path(sys.argv[1]))
        store = FalkorStore.on_server(srv, graph="g")
        print(store.read("MATCH (n:Item) RETURN count(n) AS n")[0]["n"], srv.pid, srv.owned)
        store.close()
        srv.stop()
        """,
        str(data),
    )
    count, new_pid, owned = done.stdout.split()
    assert (count, owned) == ("100", "True")
    assert int(new_pid) != pid


def test_a_pid_file_naming_another_process_is_stale(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with subprocess.Popen(["sleep", "60"]) as unrelated:
        try:
            (data / "falkordb.pid").write_text(f"{unrelated.pid}\n")
            srv = EmbeddedServer(data)
            srv.ensure_running()
            assert srv.owned
            assert srv.pid != unrelated.pid
            srv.stop()
        finally:
            unrelated.kill()


def test_a_live_server_that_does_not_answer_is_reported_not_killed(server: EmbeddedServer) -> None:
    server.ensure_running()
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        other = EmbeddedServer(server.data_dir, start_timeout_s=0.3)
        with pytest.raises(BackendUnavailable, match=rf"does not answer.*kill {pid}"):
            other.ensure_running()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert server.is_alive()


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "appendonlydir").mkdir(parents=True)
    (data / "appendonlydir" / "appendonly.aof.manifest").write_text("this is not a manifest\n")
    srv = EmbeddedServer(data)
    with pytest.raises(BackendUnavailable, match=r"exited with code(.|\n)*falkordb\.log"):
        srv.ensure_running()
    assert not srv.owned
