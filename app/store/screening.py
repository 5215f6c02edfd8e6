"""Screening analyst queries before they reach the database.

The database enforces read-only (FalkorDB GRAPH.RO_QUERY, a Neo4j READ transaction), but a READ
transaction still allows reading files and URLs (LOAD CSV; APOC's load/import/cypher.runFile
procedures) and server introspection (dbms.*, SHOW …). Every backend's `analyst_query` refuses
those here first, so the CLI and the API are covered alike.
"""

from __future__ import annotations

import re

from app.errors import QueryRefused

_REFUSED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bLOAD\s+CSV\b", re.I), "LOAD CSV reads files and URLs on the database server"),
    (
        re.compile(r"(?<![\w$.])(apoc|dbms|gds)\s*\.", re.I),
        "procedures and functions under apoc., dbms. and gds. may read files, URLs or server "
        "settings and are not available to analyst queries",
    ),
    (re.compile(r"(?:^|[{;])\s*USE\s", re.I), "USE selects another database"),
    (
        re.compile(r"(?:^|[{;])\s*(SHOW|TERMINATE|GRANT|DENY|REVOKE|ALTER|ENABLE|START|STOP)\b", re.I),
        "administration commands are not available to analyst queries",
    ),
)


def _code_only(query: str) -> str:
    """The query with string literals and comments blanked out and backticked names unquoted.

    So `WHERE n.name = 'load csv'` is not refused, and `` `apoc`.load.json `` is.
    """
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch in "'\"":
            i += 1
            while i < n and query[i] != ch:
                i += 2 if query[i] == "\\" else 1
            out.append("''")
            i += 1
        elif ch == "`":
            end = i + 1
            name: list[str] = []
            while end < n:
                if query[end] == "`":
                    if end + 1 < n and query[end + 1] == "`":
                        name.append("`")
                        end += 2
                        continue
                    break
                name.append(query[end])
                end += 1
            out.append("".join(name))
            i = end + 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def screen_query(query: str) -> None:
    """Raise QueryRefused when the query reaches outside the graph (files, URLs, server procedures)."""
    code = _code_only(query)
    for pattern, why in _REFUSED:
        found = pattern.search(code)
        if found:
            raise QueryRefused(f"refused before running: {why} (found {found.group(0).strip(' {;')!r})")
