"""Where the project's data folders (schema/, seed/, cypher/) are found.

In a checkout (editable install) they sit beside the `app` package; a wheel carries
copies under `app/_bundled/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_dir(name: str) -> Path:
    """Return the folder `name` (schema, seed or cypher) of this installation."""
    for candidate in (_PACKAGE_DIR.parent / name, _PACKAGE_DIR / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the project folder {name!r} is not installed beside {_PACKAGE_DIR}")
