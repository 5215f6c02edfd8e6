"""The named Cypher queries in `cypher/`, loaded by name: one copy of each query,
run by analysts (`socialatlas cypher --file`) and by the domain code alike.

Every file starts with a header comment that documents it, in this exact form:

    // name: <file stem>
    // purpose: <one or two lines>
    // param <name>: <meaning> — example: <value>
    // returns: <col1>, <col2>, ...

A line of the header that starts with no key continues the line before it. The header
is parsed here (`QueryDoc`), so the index in `cypher/README.md` is generated from the
files themselves (`render_readme`) and cannot drift from them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.errors import NotFound, SocialatlasError
from app.resources import project_dir


class QueryHeaderError(SocialatlasError):
    """A file in `cypher/` lacks its header or has a malformed one."""

    code = "QUERY_HEADER"


_KEY = re.compile(r"^(name|purpose|returns|param\s+(?P<param>[A-Za-z_][A-Za-z0-9_]*))\s*:\s*(?P<value>.*)$")
_EXAMPLE = re.compile(r"\s+[—–-]+\s*example\s*:\s*")


@dataclass(frozen=True)
class QueryDoc:
    """What a query's header says: its purpose, its parameters with an example each, its columns."""

    name: str
    purpose: str
    params: dict[str, tuple[str, str]]
    """Parameter name → (meaning, example as written)."""
    returns: list[str]

    def example_params(self) -> dict[str, Any]:
        """The examples as values, read like `socialatlas cypher --param k=v`: JSON when it parses, else text."""
        return {name: example_value(example) for name, (_, example) in self.params.items()}

    def cli_example(self) -> str:
        """The command line that runs this query with its example parameters."""
        parts = [f"socialatlas cypher --file cypher/{self.name}.cypher"]
        parts += [f"--param {name}={_shell_word(example)}" for name, (_, example) in self.params.items()]
        return " ".join(parts)


def example_value(raw: str) -> Any:
    """Same rule as the CLI's `--param`: a JSON value when the text parses as one, else the text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_.:/@%+=-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def cypher_dir() -> Path:
    return project_dir("cypher")


@cache
def load_query(name: str) -> str:
    """Text of `cypher/<name>.cypher`."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise NotFound(f"no query named {name!r} in {path.parent}")
    return path.read_text(encoding="utf-8")


def parse_header(text: str, *, source: str = "<query>") -> QueryDoc:
    """Read the header comment of a query; QueryHeaderError names what is missing or malformed."""
    fields: dict[str, str] = {}
    params: dict[str, str] = {}
    last: tuple[str, str] | None = None  # ("field", key) or ("param", name) a continuation line extends
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        if not body:
            continue
        match = _KEY.match(body)
        if match is None:
            if last is None:
                raise QueryHeaderError(f"{source}: header line {body!r} has no key (name, purpose, param, returns)")
            kind, key = last
            target = params if kind == "param" else fields
            target[key] = f"{target[key]} {body}"
            continue
        value = match.group("value").strip()
        if match.group("param"):
            name = match.group("param")
            if name in params:
                raise QueryHeaderError(f"{source}: parameter {name!r} is documented twice")
            params[name] = value
            last = ("param", name)
        else:
            key = match.group(1)
            if key in fields:
                raise QueryHeaderError(f"{source}: header key {key!r} appears twice")
            fields[key] = value
            last = ("field", key)
    missing = [key for key in ("name", "purpose", "returns") if not fields.get(key)]
    if missing:
        raise QueryHeaderError(f"{source}: header lacks {', '.join(missing)}")
    documented: dict[str, tuple[str, str]] = {}
    for name, value in params.items():
        parts = _EXAMPLE.split(value, maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            raise QueryHeaderError(f"{source}: parameter {name!r} has no '— example: <value>'")
        documented[name] = (parts[0].strip(), parts[1].strip())
    returns = [column.strip() for column in fields["returns"].split(",") if column.strip()]
    return QueryDoc(fields["name"], fields["purpose"], documented, returns)


def used_params(text: str) -> set[str]:
    """The `$parameters` a query's body uses (comments excluded)."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))


@cache
def query_doc(name: str) -> QueryDoc:
    """The parsed header of `cypher/<name>.cypher`; its name must be the file's stem."""
    doc = parse_header(load_query(name), source=f"cypher/{name}.cypher")
    if doc.name != name:
        raise QueryHeaderError(f"cypher/{name}.cypher: header says name {doc.name!r}")
    return doc


def list_queries() -> list[QueryDoc]:
    """Every named query in `cypher/`, by name."""
    return [query_doc(path.stem) for path in sorted(cypher_dir().glob("*.cypher"))]


README_INTRO = """\
# Analyst queries

Named, documented, read-only Cypher queries that run on both Neo4j 5 and FalkorDB
(the portable subset: `../shared/reference/cypher-portability.md`). The domain code
runs these same files (`app.domain.queries.load_query`). Run one with

```sh
socialatlas cypher --file cypher/<name>.cypher --param key=value --json
```

Each file starts with a header comment, in this exact form:

```
// name: <file stem>
// purpose: <one or two lines>
// param <name>: <meaning> — example: <value>
// returns: <col1>, <col2>, ...
```

Dates are ISO text (`2019-08-01`); a parameter value is read as JSON when it parses
(numbers, `true`, lists), else as text. `socialatlas queries` lists the same.

The index below is generated from the headers; do not edit it by hand. After adding
or changing a query, run `socialatlas queries --markdown > cypher/README.md`.

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_readme(docs: list[QueryDoc] | None = None) -> str:
    """The whole `cypher/README.md`: the introduction and the index table of every query."""
    rows = [
        "| query | purpose | parameters (example) | returns |",
        "|---|---|---|---|",
    ]
    for doc in docs if docs is not None else list_queries():
        params = "<br>".join(
            f"`{name}`: {_cell(meaning)} (`{_cell(example)}`)" for name, (meaning, example) in doc.params.items()
        )
        returns = ", ".join(f"`{column}`" for column in doc.returns)
        rows.append(f"| [`{doc.name}`]({doc.name}.cypher) | {_cell(doc.purpose)} | {params or '–'} | {returns} |")
    return README_INTRO + "\n".join(rows) + "\n"
