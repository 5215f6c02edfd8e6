"""`socialatlas apikey add|list|revoke`: manage the API keys file (only hashes are kept).

The key itself is printed once, by `add`, and stored nowhere: lose it and add a new one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.api.auth import NAME_PATTERN, ROLE_NAMES, KeyEntry, Role, hash_key, new_key, read_keys_file, write_keys_file
from app.config import Settings
from app.errors import ConfigurationError, InvalidInput, SocialatlasError

EXIT_BAD_INPUT = 1

EPILOG = (
    "Examples:\n\n"
    "  socialatlas apikey add --name anna --role curator     # prints the new key once\n\n"
    "  socialatlas apikey add --name ali --role analyst --file /etc/socialatlas/keys.yaml\n\n"
    "  socialatlas apikey list\n\n"
    "  socialatlas apikey revoke anna\n\n"
    "Roles: reader (read), analyst (read + cypher), curator (read + changes + audit log). "
    "The server reads the file SOCIALATLAS_API_KEYS_FILE names (default here: <data dir>/api-keys.yaml); "
    "clients send `Authorization: Bearer <key>` or `X-API-Key: <key>`."
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        help="The keys file (default: SOCIALATLAS_API_KEYS_FILE, else api-keys.yaml in the data dir).",
        show_default=False,
    ),
]


def _keys_file(file: Path | None, settings: Settings) -> Path:
    return file or settings.keys_file


def _setting_hint(path: Path, settings: Settings) -> str:
    """How to make the server use `path`, unless it already does."""
    if settings.keys_file.resolve() == path.resolve():
        return f"The server reads this file ({path}); a running one picks the change up at once."
    return f"Point the server at it: SOCIALATLAS_API_KEYS_FILE={path}"


def _fail(error: SocialatlasError) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {error.code}: {error}")
    return typer.Exit(EXIT_BAD_INPUT)


def register(cli: typer.Typer) -> None:
    """Add the `apikey` command group to the CLI."""
    group = typer.Typer(
        name="apikey",
        help="Manage API keys: add (prints the key once), list, revoke. Only SHA-256 hashes are stored.",
        epilog=EPILOG,
        no_args_is_help=True,
        rich_markup_mode="markdown",
    )

    @group.command(epilog=EPILOG)
    def add(
        name: Annotated[str, typer.Option("--name", "-n", help="Who holds the key (letters, digits, . _ @ -).")],
        role: Annotated[str, typer.Option("--role", "-r", help=f"One of: {', '.join(ROLE_NAMES)}.")],
        file: FileOption = None,
    ) -> None:
        """Create a key for NAME with ROLE, store its hash, and print the key (shown only this once)."""
        settings = Settings()
        path = _keys_file(file, settings)
        try:
            if role not in ROLE_NAMES:
                raise InvalidInput("role", f"{role!r} is not a role; expected one of {', '.join(ROLE_NAMES)}")
            if not NAME_PATTERN.match(name):
                raise InvalidInput("name", f"{name!r}: use letters, digits, . _ @ - (at most 64)")
            entries = list(read_keys_file(path))
            if any(entry.name == name for entry in entries):
                raise InvalidInput("name", f"{name!r} already has a key in {path}; revoke it first")
            key = new_key()
            entries.append(KeyEntry(name=name, role=Role(role), sha256=hash_key(key)))
            write_keys_file(path, entries)
        except SocialatlasError as error:
            raise _fail(error) from None
        out.print(key)
        err.print(f"Added {role} key {name!r} to {path}. This is the only time the key is shown.")
        err.print(_setting_hint(path, settings))

    @group.command(name="list", epilog=EPILOG)
    def list_keys(file: FileOption = None) -> None:
        """Names and roles of the keys in the file (never the hashes)."""
        settings = Settings()
        path = _keys_file(file, settings)
        try:
            entries = read_keys_file(path)
        except ConfigurationError as error:
            raise _fail(error) from None
        if not entries:
            err.print(f"No keys in {path}.")
            return
        table = Table("name", "role")
        for entry in entries:
            table.add_row(entry.name, entry.role.value)
        out.print(table)
        err.print(f"{len(entries)} key(s) in {path}.")

    @group.command(epilog=EPILOG)
    def revoke(
        name: Annotated[str, typer.Argument(help="The name the key was added under.")],
        file: FileOption = None,
    ) -> None:
        """Remove NAME's key; a running server refuses it from its next request."""
        settings = Settings()
        path = _keys_file(file, settings)
        try:
            entries = read_keys_file(path)
            kept = [entry for entry in entries if entry.name != name]
            if len(kept) == len(entries):
                names = ", ".join(entry.name for entry in entries) or "none"
                raise InvalidInput("name", f"no key named {name!r} in {path} (keys: {names})")
            write_keys_file(path, kept)
        except SocialatlasError as error:
            raise _fail(error) from None
        out.print(f"Revoked the key {name!r} in {path}.")

    cli.add_typer(group)
