"""Run `socialatlas` as a user does: a real process, with its own data dir and no inherited settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` on the embedded backend in `data_dir`; `env` adds or overrides variables."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALATLAS_")}
    full_env.update({"SOCIALATLAS_DATA_DIR": str(data_dir), "COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
