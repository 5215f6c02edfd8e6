"""A node's name on a date, from its name history.

A rename is recorded on the same node: `name` is the current name, and two parallel list
properties keep the former ones — `former_names` and `former_names_until` (ISO dates, the last
day each former name held; any order). Seed nodes usually have neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any


def _day(value: Any) -> date | None:
    """An until-date as stored: a `date` or ISO text; anything else is ignored."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def name_periods(props: Mapping[str, Any]) -> list[tuple[str, date]]:
    """The former names with the last day each held, oldest first (broken entries skipped)."""
    names = props.get("former_names") or []
    untils = props.get("former_names_until") or []
    periods: list[tuple[str, date]] = []
    for name, until in zip(names, untils, strict=False):
        day = _day(until)
        if isinstance(name, str) and day is not None:
            periods.append((name, day))
    periods.sort(key=lambda item: item[1])
    return periods


def name_on(props: Mapping[str, Any], on: date) -> str:
    """The name the node had on `on`: the earliest former name still held then, else the current name."""
    for name, until in name_periods(props):
        if until >= on:
            return name
    current = props.get("name")
    return str(current) if current is not None else str(props.get("uid", ""))
