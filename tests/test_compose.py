"""Checks of the container set-up and of the Neo4j backend that need no Docker and no server.

- docker-compose.yml and the Dockerfile agree with each other and with the code: every
  SOCIALATLAS_* variable is a setting, the graph URL names the neo4j service and its Bolt
  port, ports match, the commands they run exist in the CLI.
- `app.store.neo4j` without a server: settings and credentials, the DDL derived from the
  schema, error translation, value conversion, and behaviour against a closed port.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from neo4j.exceptions import ConfigurationError as DriverConfigurationError
from neo4j.exceptions import (
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.time import Date, DateTime, Duration
from ruamel.yaml import YAML

from app.config import GraphTarget, Settings
from app.errors import (
    AtomicApplyFailed,
    BackendUnavailable,
    ConfigurationError,
    ConstraintViolation,
    QueryError,
    QueryTimeout,
    SocialatlasError,
    WriteRefused,
)
from app.schema import Schema, load_schema
from app.store.base import GraphStore, Statement
from app.store.neo4j import (
    Neo4jStore,
    constraint_name,
    fulltext_index_name,
    range_index_name,
    schema_ddl,
    schema_objects,
    to_plain,
    translate_error,
)
from tests.neo4j_support import MARKER_INDEX, Neo4jProvider

NEO4J_DEFAULT_BOLT_PORT = 7687
REPO_ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- helpers


def _settings_env_names() -> set[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def _environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or as a list of K=V."""
    env = service.get("environment") or {}
    if isinstance(env, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in env.items()}
    pairs = (str(item).partition("=") for item in env)
    return {key: value for key, _, value in pairs}


def _container_ports(service: Mapping[str, Any]) -> set[int]:
    """Container-side ports of `ports:` entries ("8000:8000", "127.0.0.1:8000:8000/tcp", long form)."""
    ports: set[int] = set()
    for entry in service.get("ports") or []:
        if isinstance(entry, Mapping):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def _dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage and earlier, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def _final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :]


def _exec_form(args: str) -> list[str]:
    """`["a", "b"]` (exec form) or `a b` (shell form) as a list of words."""
    stripped = args.strip()
    if stripped.startswith("["):
        words = json.loads(stripped)
        assert isinstance(words, list)
        return [str(word) for word in words]
    return shlex.split(stripped)


def _cli_command_names() -> set[str]:
    """Names of the commands the `socialatlas` typer app registers (app/cli/main.py)."""
    import typer
    import typer.main

    import app.cli.main as cli_main

    apps = [value for value in vars(cli_main).values() if isinstance(value, typer.Typer)]
    assert apps, "app.cli.main defines no typer.Typer application"
    command = typer.main.get_command(apps[0])
    commands = getattr(command, "commands", None)
    assert isinstance(commands, Mapping), "the socialatlas CLI has no subcommands"
    return {str(name) for name in commands}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = YAML(typ="safe").load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose.get("services")
    assert isinstance(found, dict)
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return _dockerfile_instructions((REPO_ROOT / "Dockerfile").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- compose


def test_compose_has_the_three_services(services: dict[str, Any]) -> None:
    assert {"neo4j", "seed", "api"} <= set(services)


def test_every_socialatlas_variable_is_a_setting(services: dict[str, Any], dockerfile: list[tuple[str, str]]) -> None:
    allowed = _settings_env_names()
    used = {
        (name, key) for name, svc in services.items() for key in _environment(svc) if key.startswith("SOCIALATLAS_")
    }
    for keyword, args in dockerfile:
        if keyword == "ENV":
            used |= {("Dockerfile", m) for m in re.findall(r"\b(SOCIALATLAS_\w+)=", args)}
    assert used, "no SOCIALATLAS_* variable found at all"
    unknown = sorted((where, key) for where, key in used if key not in allowed)
    assert not unknown, f"not fields of app.config.Settings: {unknown}"


def test_graph_url_names_the_neo4j_service_and_its_bolt_port(services: dict[str, Any]) -> None:
    neo4j_env = _environment(services["neo4j"])
    listen = neo4j_env.get("NEO4J_server_bolt_listen__address", "")
    bolt_port = int(listen.rsplit(":", 1)[-1]) if ":" in listen else NEO4J_DEFAULT_BOLT_PORT
    for name in ("seed", "api"):
        target = GraphTarget.parse(_environment(services[name]).get("SOCIALATLAS_GRAPH_URL"))
        assert target.kind == "neo4j", name
        assert target.host == "neo4j", name
        assert target.port == bolt_port, name
    assert bolt_port in _container_ports(services["neo4j"])


def test_app_and_server_share_one_password_variable(services: dict[str, Any]) -> None:
    auth = _environment(services["neo4j"])["NEO4J_AUTH"]
    assert re.fullmatch(r"neo4j/\$\{NEO4J_PASSWORD:\?[^}]+\}", auth), auth
    for name in ("seed", "api"):
        env = _environment(services[name])
        assert env["SOCIALATLAS_NEO4J_USER"] == "neo4j"
        assert env["SOCIALATLAS_NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD"), name


def test_neo4j_service_has_image_volume_and_healthcheck(compose: dict[str, Any], services: dict[str, Any]) -> None:
    neo4j = services["neo4j"]
    assert str(neo4j["image"]).startswith("neo4j:5")
    assert {7474, 7687} <= _container_ports(neo4j)
    volumes = [str(v) for v in neo4j.get("volumes") or []]
    data_volumes = [v.split(":")[0] for v in volumes if v.split(":")[1:2] == ["/data"]]
    assert data_volumes, "no volume for /data"
    assert data_volumes[0] in (compose.get("volumes") or {}), "the /data volume is not a named volume"
    assert neo4j.get("healthcheck", {}).get("test"), "neo4j has no healthcheck"


def test_seed_runs_once_after_neo4j_is_healthy_and_api_after_seed(services: dict[str, Any]) -> None:
    seed, api = services["seed"], services["api"]
    assert seed["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert seed["restart"] == "no"  # a string: unquoted `no` would be YAML 1.1 false
    assert api["depends_on"]["seed"]["condition"] == "service_completed_successfully"
    assert "build" in seed
    assert "build" in api


def test_api_port_matches_expose_and_settings(services: dict[str, Any], dockerfile: list[tuple[str, str]]) -> None:
    api_env = _environment(services["api"])
    port = int(api_env.get("SOCIALATLAS_PORT") or Settings.model_fields["port"].default)
    assert port in _container_ports(services["api"])
    exposed = {int(p.split("/")[0]) for kw, args in _final_stage(dockerfile) if kw == "EXPOSE" for p in args.split()}
    assert port in exposed
    assert api_env.get("SOCIALATLAS_HOST") == "0.0.0.0"


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_runs_serve_as_non_root_on_all_interfaces(dockerfile: list[tuple[str, str]]) -> None:
    final = _final_stage(dockerfile)
    assert final[0][1].split()[0] == "python:3.11-slim"
    users = [args for keyword, args in final if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    env_text = " ".join(args for keyword, args in final if keyword == "ENV")
    assert re.search(r"\bSOCIALATLAS_HOST=0\.0\.0\.0\b", env_text)
    cmd = [args for keyword, args in final if keyword == "CMD"]
    assert _exec_form(cmd[-1])[:2] == ["socialatlas", "serve"]


def test_dockerfile_healthcheck_hits_health(dockerfile: list[tuple[str, str]]) -> None:
    checks = [args for keyword, args in _final_stage(dockerfile) if keyword == "HEALTHCHECK"]
    assert checks, "no HEALTHCHECK"
    command = checks[-1].partition("CMD ")[2]
    assert command, "HEALTHCHECK without CMD"
    words = json.loads(command)  # exec form must be valid JSON, or Docker silently runs it through a shell
    assert words[0] == "python", words  # python:3.11-slim has no curl or wget
    assert re.search(r"/health(?![\w/-])", " ".join(words)), words


def test_commands_are_real_cli_commands(services: dict[str, Any], dockerfile: list[tuple[str, str]]) -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    seed_command = [str(word) for word in services["seed"]["command"]]
    serve_command = _exec_form([args for keyword, args in _final_stage(dockerfile) if keyword == "CMD"][-1])
    assert seed_command[:2] == ["socialatlas", "seed"]
    assert "socialatlas" in scripts
    names = _cli_command_names()
    assert seed_command[1] in names
    assert serve_command[1] in names


# --------------------------------------------------------------------------- Neo4jStore: settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings init kwarg


def test_from_settings_takes_url_credentials_and_database() -> None:
    store = Neo4jStore.from_settings(
        _settings(
            graph_url="neo4j+s://db.example.org:7687",
            neo4j_user="atlas",
            neo4j_password="s3cret-pw",
            neo4j_database="socialatlas",
        )
    )
    assert isinstance(store, GraphStore)
    assert store.backend == "neo4j"
    assert store.uri == "neo4j+s://db.example.org:7687"
    assert store.database == "socialatlas"
    assert store._auth == ("atlas", "s3cret-pw")
    assert "s3cret-pw" not in store.location
    assert "s3cret-pw" not in repr(store)


def test_empty_password_means_a_server_without_auth() -> None:
    store = Neo4jStore.from_settings(_settings(graph_url="bolt://localhost:7687"))
    assert store._auth is None
    assert store.database is None


def test_credentials_in_the_url_are_used_and_never_shown() -> None:
    store = Neo4jStore("bolt://reader:p%40ss@db.example.org:7687")
    assert store.uri == "bolt://db.example.org:7687"
    assert store._auth == ("reader", "p@ss")
    assert "p%40ss" not in store.location
    assert "p@ss" not in store.location


def test_from_settings_refuses_a_non_neo4j_url() -> None:
    with pytest.raises(ConfigurationError):
        Neo4jStore.from_settings(_settings(graph_url="falkordb://localhost:6379/g"))


def test_constructing_does_not_connect() -> None:
    store = Neo4jStore("neo4j://no-such-host.invalid:7687", ("neo4j", "x"))
    assert store._driver is None
    store.close()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_an_unreachable_server_is_reported_not_hung(scheme: str, closed_port: int) -> None:
    store = Neo4jStore(f"{scheme}://127.0.0.1:{closed_port}", max_transaction_retry_time=0)
    try:
        health = store.health()
        assert health.reachable is False
        assert health.backend == "neo4j"
        assert health.detail
        with pytest.raises(BackendUnavailable):
            store.read("RETURN 1")
        with pytest.raises(BackendUnavailable):
            store.analyst_query("RETURN 1")
        with pytest.raises(AtomicApplyFailed) as failed:
            store.apply_atomically([Statement("CREATE (:Unit {uid: 'x'})")])
        assert isinstance(failed.value.__cause__, BackendUnavailable)
    finally:
        store.close()


def test_a_url_the_driver_refuses_is_a_configuration_error() -> None:
    store = Neo4jStore("bolt://host:7687?region=eu")  # routing context needs neo4j://
    with pytest.raises(ConfigurationError):
        store.read("RETURN 1")
    assert store.health().reachable is False


# --------------------------------------------------------------------------- Neo4jStore: DDL


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def test_ddl_has_a_uid_constraint_per_label(schema: Schema) -> None:
    ddl = schema_ddl(schema)
    for label in schema.nodes:
        expected = (
            f"CREATE CONSTRAINT `{constraint_name(label, 'uid')}` IF NOT EXISTS "
            f"FOR (n:`{label}`) REQUIRE n.`uid` IS UNIQUE"
        )
        assert expected in ddl, label


def test_ddl_has_a_fulltext_index_per_label_with_fulltext_properties(schema: Schema) -> None:
    ddl = schema_ddl(schema)
    for node in schema.nodes.values():
        if not node.fulltext_properties:
            continue
        props = ", ".join(f"n.`{p}`" for p in node.fulltext_properties)
        expected = (
            f"CREATE FULLTEXT INDEX `{fulltext_index_name(node.label)}` IF NOT EXISTS "
            f"FOR (n:`{node.label}`) ON EACH [{props}]"
        )
        assert expected in ddl, node.label


def test_ddl_range_indexes_skip_what_a_constraint_covers(schema: Schema) -> None:
    ddl = schema_ddl(schema)
    for node in schema.nodes.values():
        for prop in node.indexed_properties:
            statement = (
                f"CREATE INDEX `{range_index_name(node.label, prop)}` IF NOT EXISTS "
                f"FOR (n:`{node.label}`) ON (n.`{prop}`)"
            )
            assert (statement in ddl) == (prop not in node.unique_properties), (node.label, prop)


def test_ddl_is_idempotent_and_names_are_unique(schema: Schema) -> None:
    objects = schema_objects(schema)
    names = [obj.name for obj in objects]
    assert len(names) == len(set(names))
    assert all(" IF NOT EXISTS " in obj.statement for obj in objects)
    assert all(f"`{obj.name}`" in obj.statement for obj in objects)
    assert schema_ddl(schema) == [obj.statement for obj in objects]


# --------------------------------------------------------------------------- Neo4jStore: errors


def _server_error(code: str, message: str) -> Neo4jError:
    """A server error as the driver builds it from a FAILURE message (a private but stable helper)."""
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("Neo.ClientError.Statement.AccessMode", WriteRefused),
        ("Neo.ClientError.Fabric.AccessMode", WriteRefused),
        ("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase", WriteRefused),
        ("Neo.ClientError.Transaction.TransactionTimedOut", QueryTimeout),
        ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", QueryTimeout),
        ("Neo.ClientError.Schema.ConstraintValidationFailed", ConstraintViolation),
        ("Neo.ClientError.Statement.SyntaxError", QueryError),
        ("Neo.ClientError.Statement.SemanticError", QueryError),
        ("Neo.ClientError.Statement.ParameterMissing", QueryError),
        ("Neo.ClientError.Transaction.Terminated", QueryError),
        ("Neo.ClientError.Security.Unauthorized", ConfigurationError),
        ("Neo.ClientError.Database.DatabaseNotFound", ConfigurationError),
        ("Neo.TransientError.General.DatabaseUnavailable", BackendUnavailable),
        ("Neo.TransientError.Transaction.DeadlockDetected", BackendUnavailable),
        ("Neo.DatabaseError.General.UnknownError", QueryError),
    ],
)
def test_server_errors_are_translated(code: str, expected: type[SocialatlasError]) -> None:
    original = _server_error(code, "the server's reason")
    translated = translate_error(original, "bolt://db:7687")
    assert type(translated) is expected
    assert translated.__cause__ is original


def test_write_refused_carries_the_servers_reason() -> None:
    reason = "Writing in read access mode not allowed. Attempted write to database 'neo4j'"
    translated = translate_error(_server_error("Neo.ClientError.Statement.AccessMode", reason))
    assert isinstance(translated, WriteRefused)
    assert reason in str(translated)


def test_a_termination_is_a_timeout_only_when_the_server_says_so() -> None:
    timed_out = _server_error(
        "Neo.ClientError.Transaction.LockClientStopped",
        "This may occur because the transaction ran longer than the configured transaction timeout",
    )
    assert isinstance(translate_error(timed_out), QueryTimeout)
    killed = _server_error("Neo.ClientError.Transaction.Terminated", "Explicitly terminated by the user.")
    assert type(translate_error(killed)) is QueryError


def test_not_a_leader_is_a_refused_write_only_in_a_read_transaction() -> None:
    error = _server_error("Neo.ClientError.Cluster.NotALeader", "No write operations are allowed on this database.")
    assert isinstance(translate_error(error, read_transaction=True), WriteRefused)
    assert isinstance(translate_error(error), BackendUnavailable)


def test_refused_credentials_name_the_settings() -> None:
    translated = translate_error(_server_error("Neo.ClientError.Security.Unauthorized", "bad credentials"))
    assert "SOCIALATLAS_NEO4J_PASSWORD" in str(translated)


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (ServiceUnavailable("gone"), BackendUnavailable),
        (SessionExpired("expired"), BackendUnavailable),
        (IncompleteCommit("lost during commit"), BackendUnavailable),
        (DriverConfigurationError("bad option"), ConfigurationError),
    ],
)
def test_driver_errors_are_translated(original: Exception, expected: type[SocialatlasError]) -> None:
    assert type(translate_error(original)) is expected


# --------------------------------------------------------------------------- Neo4jStore: values


def test_temporal_values_become_native() -> None:
    assert to_plain(Date(2024, 1, 1)) == dt.date(2024, 1, 1)
    assert type(to_plain(Date(2024, 1, 1))) is dt.date
    assert to_plain(DateTime(2024, 1, 2, 3, 4, 5)) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert to_plain(Duration(years=1)) == "P1Y"
    assert to_plain({"when": [Date(2019, 8, 1)]}) == {"when": [dt.date(2019, 8, 1)]}


def test_graph_values_become_dicts_without_element_ids() -> None:
    # Built with the driver's public graph classes, as its decoder builds a server's answer.
    from neo4j.graph import Graph, Node, Path

    graph = Graph()
    unit = Node(graph, "4:db:1", 1, ["Unit"], {"uid": "u1", "valid_from": Date(2020, 1, 1)})
    admin = Node(graph, "4:db:2", 2, ["Administration"], {"uid": "a1"})
    part_of = graph.relationship_type("PART_OF")(graph, "5:db:7", 7, {"inferred": False})
    part_of._start_node, part_of._end_node = unit, admin
    path = Path(unit, part_of)

    assert to_plain(unit) == {"uid": "u1", "valid_from": dt.date(2020, 1, 1), "_labels": ["Unit"]}
    assert to_plain(part_of) == {"inferred": False, "_type": "PART_OF"}
    assert to_plain(path) == {
        "nodes": [
            {"uid": "u1", "valid_from": dt.date(2020, 1, 1), "_labels": ["Unit"]},
            {"uid": "a1", "_labels": ["Administration"]},
        ],
        "relationships": [{"inferred": False, "_type": "PART_OF"}],
    }
    assert "4:db:1" not in repr(to_plain(path))


# --------------------------------------------------------------------------- the test provider's guard


class _ScriptedStore:
    """Answers the provider's guard queries from fixed values and records what it is asked to change."""

    location = "bolt://scripted:7687"

    def __init__(self, nodes: int, marked: bool) -> None:
        self.nodes = nodes
        self.marked = marked
        self.writes: list[str] = []
        self.cleared = False

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if "count(n)" in query:
            return [{"count": self.nodes}]
        if "SHOW INDEXES YIELD name WHERE" in query:
            return [{"name": MARKER_INDEX}] if self.marked else []
        if "SHOW CONSTRAINTS" in query:
            return [{"name": "Unit_uid_unique"}]
        if "SHOW INDEXES" in query:
            return [{"name": MARKER_INDEX}, {"name": "Unit_name_range"}]
        raise AssertionError(f"unexpected query {query!r}")

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        self.writes.append(query)

    def clear(self) -> None:
        self.cleared = True


def _prepare(store: _ScriptedStore) -> None:
    Neo4jProvider()._prepare(cast(Neo4jStore, store))


def test_guard_refuses_a_database_with_foreign_data() -> None:
    store = _ScriptedStore(nodes=12, marked=False)
    with pytest.raises(Exception, match="refusing to wipe"):
        _prepare(store)
    assert store.writes == []
    assert store.cleared is False


def test_guard_marks_an_empty_database_then_wipes_all_but_the_marker() -> None:
    store = _ScriptedStore(nodes=0, marked=False)
    _prepare(store)
    assert store.writes[0].startswith(f"CREATE INDEX {MARKER_INDEX} IF NOT EXISTS")
    assert store.cleared
    assert "DROP CONSTRAINT `Unit_uid_unique` IF EXISTS" in store.writes
    assert "DROP INDEX `Unit_name_range` IF EXISTS" in store.writes
    assert not any(MARKER_INDEX in w for w in store.writes if w.startswith("DROP"))


def test_guard_wipes_a_marked_database_with_data() -> None:
    store = _ScriptedStore(nodes=40, marked=True)
    _prepare(store)
    assert store.cleared
    assert not any(w.startswith("CREATE INDEX") for w in store.writes)
