"""Danish wording for answers: dates, age bands, lists and the caseworker's explanation.

Kept apart from the resolver so that the CLI (and later the API) words things the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

STATUS_DA = {"resolved": "afgjort", "ambiguous": "tvetydig", "not_covered": "ikke dækket"}


def dk_date(day: date) -> str:
    """'1. september 2019'."""
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def join_dk(items: Sequence[str], last: str = "og") -> str:
    """'A, B og C'."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def age_band(age_min: int | None, age_max: int | None) -> str:
    """'15-29 år', 'fra 18 år', 'op til og med 17 år', 'alle aldre'."""
    if age_min is None and age_max is None:
        return "alle aldre"
    if age_max is None:
        return f"fra {age_min} år"
    if age_min is None:
        return f"op til og med {age_max} år"
    return f"{age_min}-{age_max} år"


def period(valid_from: date | None, valid_to: date | None) -> str:
    """'fra 1. august 2019', 'til og med 31. juli 2019', 'altid'."""
    if valid_from and valid_to:
        return f"{dk_date(valid_from)} – {dk_date(valid_to)}"
    if valid_from:
        return f"fra {dk_date(valid_from)}"
    if valid_to:
        return f"til og med {dk_date(valid_to)}"
    return "uden tidsgrænse"


def citizen(age: int, conditions: Sequence[str]) -> str:
    """'en 17-årig med autisme'."""
    who = f"en {age}-årig"
    return f"{who} med {join_dk(list(conditions))}" if conditions else who
