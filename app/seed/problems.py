"""What is wrong with a seed, said so that a curator can find it: file, line, field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.errors import SocialatlasError


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one seed file; `str()` gives `file:line: field: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"


class SeedInvalid(SocialatlasError):
    """The seed files have problems; nothing was read into the graph. Lists every problem, not the first."""

    code = "SEED_INVALID"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the seed files"
        super().__init__("\n".join([heading + ":", *(f"  {p}" for p in self.problems)]))


def close_matches(word: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix naming the closest candidates, or nothing."""
    close = close_matches(word, candidates)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"


def one_of(values: Iterable[str]) -> str:
    """`'a', 'b' or 'c'`: the allowed values in a message."""
    quoted = [repr(v) for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"
