"""What every command module shares for reading options and writing JSON."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from app.errors import InvalidInput
from app.store.base import jsonable


def print_json(payload: Any) -> None:
    """Indented UTF-8 JSON on stdout (Danish letters unescaped)."""
    sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def parse_date(text: str) -> date:
    """A `--date` option: ISO text, or InvalidInput naming the field."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("date", f"{text!r} is not an ISO date (YYYY-MM-DD)") from None
