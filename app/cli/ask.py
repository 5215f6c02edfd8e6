"""`socialatlas ask`: who holds myndighed (or udfører) for a case, answered in Danish.

A thin adapter: it reads the options into a `Question`, asks the `Resolver`, and
prints the answer as readable Danish text (or, with `--json`, `Answer.to_dict()`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from app.cli.output import parse_date, print_json
from app.config import Settings
from app.domain import explain
from app.domain.resolver import Question, Resolver
from app.store import open_store

EPILOG = (
    "Examples:\n\n"
    "  socialatlas ask --municipality Aarhus --age 17 --condition autisme --paragraph 'SEL §52' --date 2019-09-01\n\n"
    "  socialatlas ask --municipality Aarhus --age 17 --condition autisme --date 2019-07-01   # before 1 Aug 2019\n\n"
    "  socialatlas ask --municipality Kobenhavn --age 40 --condition sindslidelse --date 2025-03-01\n\n"
    "  socialatlas ask --municipality Aarhus --age 16 --condition ASF --kind udfører --json\n\n"
    "Terms are read leniently: municipality by name or uid (with or without æøå), conditions by name, "
    "synonym or English (ASF, autism), paragraphs as 'SEL §52', '§ 52', 'serviceloven § 52', 'BL §32', "
    "'52a' or 'sel-52'. A paragraph replaced by the date is followed to its successor (SEL §52 → BL §32 "
    "from 2024). The precedence between rules is described in docs/precedence.md."
)

out = Console(soft_wrap=True, highlight=False)

VERDICT_DA = {"decided": "afgørende", "outranked": "overgået", "rejected": "afvist"}
VERDICT_MARK = {"decided": "✔", "outranked": "↓", "rejected": "✗"}
UDLEDT = " [udledt]"


def register(cli: typer.Typer) -> None:
    """Add the `ask` command to the CLI."""

    @cli.command(epilog=EPILOG)
    def ask(
        municipality: Annotated[str, typer.Option("--municipality", "-m", help="Municipality name or uid.")],
        age: Annotated[int, typer.Option("--age", "-a", help="The citizen's age in years.")],
        condition: Annotated[
            list[str] | None,
            typer.Option("--condition", "-c", help="A condition (name, synonym or English); repeatable."),
        ] = None,
        paragraph: Annotated[
            str | None, typer.Option("--paragraph", "-p", help="A paragraph, e.g. 'SEL §52' or 'BL §32'.")
        ] = None,
        kind: Annotated[str, typer.Option("--kind", "-k", help="myndighed (decides) or udfører (delivers).")] = (
            "myndighed"
        ),
        on: Annotated[
            str | None, typer.Option("--date", "-d", help="The date asked about, YYYY-MM-DD (default: today).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON.")] = False,
    ) -> None:
        """Who holds myndighed (or udfører) for a case: municipality, age, conditions, paragraph and date."""
        from app.cli.main import _errors_as_exit_codes  # here, not at import: main imports this module

        with _errors_as_exit_codes():
            question = Question(
                municipality=municipality,
                age=age,
                conditions=tuple(condition or ()),
                paragraph=paragraph,
                kind=kind,
                on=parse_date(on) if on is not None else None,
            )
            store = open_store(Settings())
            try:
                answer = Resolver(store).resolve(question)
            finally:
                store.close()
        payload = answer.to_dict()
        if as_json:
            print_json(payload)
            return
        print_answer(payload)


# --- the Danish text --------------------------------------------------------------------------------------------


def _line(text: str = "") -> None:
    out.print(text)


def _heading(text: str) -> None:
    out.print(f"\n[bold]{escape(text)}[/]")


def _mark(inferred: Any) -> str:
    return escape(UDLEDT) if inferred else ""


def _names(items: Sequence[Mapping[str, Any]]) -> str:
    return explain.join_dk([str(i["name"]) for i in items])


def print_answer(answer: Mapping[str, Any]) -> None:
    """The answer as text a caseworker reads: status, unit, leaders, paragraphs, exceptions, rules, sources."""
    q = answer["question"]
    kind = q["kind"]
    parts = [q["municipality"]["name"], f"{q['age']} år", *q.get("condition_names", [])]
    if q.get("paragraph_asked"):
        parts.append(_paragraph_name(answer, q["paragraph_asked"]))
    parts += [kind, explain.dk_date(date.fromisoformat(q["date"]))]
    _line(f"[bold]Spørgsmål:[/] {escape(' · '.join(parts))}")
    status = answer["status"]
    colour = {"resolved": "green", "ambiguous": "yellow", "not_covered": "red"}[status]
    marker = " (dele af svaret er udledt)" if answer.get("inferred") else ""
    _line(f"[bold]Status:[/] [{colour}]{explain.STATUS_DA[status]}[/]{escape(marker)}")

    label = "Myndighed" if kind == "myndighed" else "Udfører"
    for authority in answer["authority"]:
        _heading(f"{label}: {authority['unit']} ({authority['kind']})")
        path = " › ".join(step["name"] for step in authority["path"])
        if path:
            _line(f"  Placering: {escape(path)}")
        if not authority.get("valid", True):
            _line("  [yellow]Enheden findes ikke på datoen ifølge grafen.[/]")
        for leader in authority["leaders"]:
            person = f" ({leader['person']})" if leader.get("person") else ""
            level = f", niveau {leader['level']}" if leader.get("level") else ""
            inherited = f" – leder af {leader['unit']}" if leader.get("inherited_from") else ""
            text = f"{leader['title']}{person}{level}{inherited}"
            _line(f"  Ledelse: {escape(text)}{_mark(leader.get('inferred'))}")
        if not authority["leaders"]:
            _line("  Ledelse: ingen leder registreret på datoen")
    if not answer["authority"]:
        _heading(f"{label}: ingen regel dækker sagen")

    if answer["paragraphs"]:
        _heading("Paragraffer")
        for p in answer["paragraphs"]:
            role = "spurgt" if p["role"] == "asked" else "nævnt i reglen"
            heading = f" – {p['heading']}" if p.get("heading") else ""
            flag = " [UNCONFIRMED]" if p.get("unconfirmed") else ""
            _line(f"  {escape(p['name'] + heading)} ({role}){escape(flag)}")
            via = p.get("via")
            if via:
                for step in via["steps"]:
                    arrow = "afløst af" if step["direction"] == "successor" else "afløser"
                    first, second = (
                        (step["from_name"], step["to_name"])
                        if step["direction"] == "successor"
                        else (step["to_name"], step["from_name"])
                    )
                    when = explain.dk_date(date.fromisoformat(step["effective_on"]))
                    scope = f" ({step['scope']})" if step.get("scope") else ""
                    _line(f"    {escape(f'{first} {arrow} {second} fra {when}{scope}')}{_mark(step.get('inferred'))}")

    if answer["exceptions"]:
        _heading("Undtagelser")
        for e in answer["exceptions"]:
            names = _names(e["paragraphs"])
            now = _names(e["paragraphs_on_date"])
            if now and now != names:
                names = f"{names} (på datoen: {now})"
            same = " (samme enhed)" if e.get("same_as_authority") else ""
            units = _names(e["units"])
            _line(f"  {escape(f'{names}: {units}{same}')}{_mark(e.get('inferred'))}")

    if answer["providers"]:
        _heading("Udfører og tilbud")
        for p in answer["providers"]:
            if p["type"] == "udfører":
                _line(f"  Udfører: {escape(p['name'])} – {escape(p.get('detail') or '')}{_mark(p.get('inferred'))}")
            else:
                unit = f" ({p['unit']['name']})" if p.get("unit") else ""
                detail = f" – {p['detail']}" if p.get("detail") else ""
                paragraphs = f" [{', '.join(p['paragraphs'])}]" if p.get("paragraphs") else ""
                _line(f"  Tilbud: {escape(p['name'] + unit + detail + paragraphs)}{_mark(p.get('inferred'))}")

    if answer["nearest"]:
        _heading("Nærmeste regler")
        for n in answer["nearest"]:
            what = "alder" if n["fails_on"] == "age" else "målgruppe"
            units, detail = _names(n["units"]), n["detail"]
            _line(f"  {escape(f'{units} – fejler kun på {what}: {detail}')}")

    _heading("Regler")
    for rule in answer["rules"]:
        mark = VERDICT_MARK[rule["verdict"]]
        holders = _names(rule["holders"])
        text = f"{mark} {VERDICT_DA[rule['verdict']]}: {rule['name']} [{holders}] – {rule['reason']}"
        _line(f"  {escape(text)}{_mark(rule.get('inferred'))}")

    if answer["sources"]:
        _heading("Kilder")
        for s in answer["sources"]:
            cited = f"{s['document']}, {s['section']}: »{s['quote']}«"
            _line(f"  • {escape(cited)}")
            _line(f"    [dim]{escape(s['about'])}[/]")

    if answer["inferred_steps"]:
        _heading("Udledt (ikke sagt direkte i kilderne)")
        for step in answer["inferred_steps"]:
            _line(f"  • {escape(step['about'])}: {escape(step['reason'])}")

    if answer.get("warnings"):
        _heading("Advarsler")
        for warning in answer["warnings"]:
            _line(f"  [yellow]• {escape(warning)}[/]")

    _heading("Forklaring")
    _line(f"  {escape(answer['explanation'])}")


def _paragraph_name(answer: Mapping[str, Any], uid: str) -> str:
    for p in answer["paragraphs"]:
        if p["uid"] == uid:
            return str(p["name"])
        via = p.get("via")
        if via and via["paragraph"] == uid:
            return str(via["name"])
    return uid
