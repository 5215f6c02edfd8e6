"""The progress callback `apply_plan` takes drives a rich progress bar."""

from __future__ import annotations

import io

from rich.console import Console

from app.seed import rich_progress


def test_rich_progress_takes_done_and_total() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    with rich_progress("Loading", console=console) as progress:
        for done in range(1, 4):
            progress(done, 3)
    assert "Loading" in console.file.getvalue()  # type: ignore[attr-defined]
