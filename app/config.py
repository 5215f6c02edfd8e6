"""Settings, read from the environment (prefix SOCIALATLAS_) or a `.env` file.

Nothing here connects or starts anything: `Settings()` only reads values, and
`GraphTarget` only interprets the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.errors import ConfigurationError

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
DEFAULT_GRAPH_NAME = "socialatlas"
DEFAULT_KEYS_FILE_NAME = "api-keys.yaml"


class Settings(BaseSettings):
    """Every setting the project reads; the README's configuration table lists the same."""

    model_config = SettingsConfigDict(env_prefix="SOCIALATLAS_", env_file=".env", extra="ignore")

    graph_url: str = Field(
        default="embedded",
        description="'embedded' (default), falkordb://host:port/graph, or neo4j://, neo4j+s://, bolt:// URL.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("socialatlas", appauthor=False)),
        description="Where the embedded FalkorDB keeps its data, socket and log.",
    )
    neo4j_user: str = Field(default="neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr = Field(default=SecretStr(""), description="Neo4j password.")
    neo4j_database: str | None = Field(default=None, description="Neo4j database name; default: the server's default.")
    seed_dir: Path | None = Field(default=None, description="Folder of seed files; default: the project's seed/.")
    documents_dir: Path | None = Field(
        default=None,
        description="Folder holding the Sources' files, for `socialatlas coverage`; default: `shared` beside the repo.",
    )
    host: str = Field(default="127.0.0.1", description="Address `socialatlas serve` listens on.")
    port: int = Field(default=8000, description="Port `socialatlas serve` listens on.")
    workers: int = Field(
        default=1, ge=1, description="Worker processes `socialatlas serve` runs, each with its own connection."
    )
    analyst_timeout_ms: int = Field(default=5_000, ge=100, description="Time limit of analyst Cypher queries (ms).")
    analyst_row_cap: int = Field(default=1_000, ge=1, description="Most rows an analyst Cypher query returns.")
    api_keys_file: Path | None = Field(
        default=None,
        description="YAML file of API keys (name, role, sha256 of the key); default: api-keys.yaml in the data dir.",
    )
    anonymous_read: bool = Field(
        default=True, description="Whether callers without an API key may read; false: every request needs a key."
    )
    max_query_complexity: int = Field(
        default=10_000, ge=1, description="Highest estimated cost (fields × list sizes) of a GraphQL query."
    )

    @property
    def target(self) -> GraphTarget:
        return GraphTarget.parse(self.graph_url)

    @property
    def keys_file(self) -> Path:
        """The API keys file the server reads and `socialatlas apikey` writes; a missing one holds no keys."""
        return self.api_keys_file or self.data_dir / DEFAULT_KEYS_FILE_NAME


@dataclass(frozen=True)
class GraphTarget:
    """The backend a graph URL names."""

    kind: Literal["embedded", "falkordb", "neo4j"]
    url: str
    host: str | None = None
    port: int | None = None
    graph: str = DEFAULT_GRAPH_NAME

    @classmethod
    def parse(cls, url: str | None) -> GraphTarget:
        raw = (url or "").strip()
        if raw in ("", "embedded"):
            return cls("embedded", "embedded")
        parts = urlsplit(raw)
        if parts.scheme == "falkordb":
            graph = parts.path.strip("/") or DEFAULT_GRAPH_NAME
            if not parts.hostname:
                raise ConfigurationError(f"SOCIALATLAS_GRAPH_URL {raw!r}: a falkordb URL needs a host")
            return cls("falkordb", raw, parts.hostname, parts.port or 6379, graph)
        if parts.scheme in NEO4J_SCHEMES:
            if not parts.hostname:
                raise ConfigurationError(f"SOCIALATLAS_GRAPH_URL {raw!r}: a Neo4j URL needs a host")
            return cls("neo4j", raw, parts.hostname, parts.port or 7687)
        raise ConfigurationError(
            f"SOCIALATLAS_GRAPH_URL {raw!r}: expected 'embedded', falkordb://host:port/graph, "
            f"or one of {', '.join(s + '://' for s in NEO4J_SCHEMES)}"
        )
