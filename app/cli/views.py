"""`socialatlas org | diff | timeline | changes | queries`: the temporal views and the query library.

Thin adapters over `app.domain.temporal` and `app.domain.queries`: read the options,
call the domain function, print Danish text for caseworkers (or, with `--json`, the
result's `to_dict()`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from app.cli.main import _errors_as_exit_codes
from app.cli.output import parse_date, print_json
from app.config import Settings
from app.domain import explain
from app.domain.lookup import Ref
from app.domain.queries import list_queries, render_readme
from app.domain.temporal import (
    Dated,
    OrgNode,
    OrgTree,
    ReorgDiff,
    TargetGroupChange,
    Timeline,
    org_tree,
    reorganisation_diff,
    target_group_changes,
    unit_timeline,
)
from app.store import GraphStore, open_store

out = Console(soft_wrap=True, highlight=False)

LABEL_DA = {"Municipality": "kommune", "Administration": "forvaltning"}
CHANGE_DA = {"moved": "flyttet", "stayed": "uændret", "new": "ny", "ended": "ophørt"}
ROLE_DA = {"flyttes": "flyttes", "fra": "flyttes herfra", "til": "flyttes hertil"}
STATUS_DA = {"resolved": "", "ambiguous": " (tvetydigt)", "not_covered": "ingen regel"}
UDLEDT = " [dim]\\[udledt][/]"


@contextmanager
def _store() -> Iterator[GraphStore]:
    store = open_store(Settings())
    try:
        yield store
    finally:
        store.close()


def _kind(label: str, kind: str | None) -> str:
    return kind or LABEL_DA.get(label, label.lower())


# -- org


def _node_label(node: OrgNode) -> str:
    text = f"[bold]{escape(node.name)}[/] [dim]{escape(_kind(node.label, node.kind))}[/]"
    if node.leaders:
        leaders = []
        for leader in node.leaders:
            who = f" ({escape(', '.join(leader.persons))})" if leader.persons else ""
            leaders.append(f"{escape(leader.title)}{who}")
        text += f" — ledes af {'; '.join(leaders)}"
    if node.inferred:
        text += UDLEDT
    return text


def _add_children(branch: Tree, node: OrgNode) -> None:
    for child in node.children:
        _add_children(branch.add(_node_label(child)), child)


def _render_tree(tree: OrgTree, title: str) -> Tree:
    top = Tree(f"{title}\n{_node_label(tree.root)}")
    _add_children(top, tree.root)
    return top


ORG_EPILOG = (
    "Examples:\n\n"
    "  socialatlas org --municipality Aarhus --date 2019-08-01\n\n"
    "  socialatlas org --municipality Aarhus --administration MSB --date 2019-07-31\n\n"
    "  socialatlas org --municipality København --administration SOF --date 2025-01-01 --json\n\n"
    "A unit is shown when it and its place in the hierarchy (PART_OF) are both valid on the date. "
    "Names are matched case-insensitively, with or without æøå."
)


def _org(municipality: str | None, administration: str | None, on: str, as_json: bool) -> None:
    with _errors_as_exit_codes(), _store() as store:
        tree = org_tree(store, municipality=municipality, administration=administration, on=parse_date(on))
    if as_json:
        print_json(tree.to_dict())
        return
    title = f"Organisation i {escape(tree.municipality.name)} pr. {explain.dk_date(tree.on)}"
    out.print(_render_tree(tree, title))


# -- timeline


def _dated_table(title: str, items: Sequence[Dated], detail: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("periode")
    table.add_column("navn")
    table.add_column(detail)
    for item in items:
        name = escape(item.name) + (UDLEDT if item.inferred else "")
        table.add_row(explain.period(item.valid_from, item.valid_to), name, escape(item.detail or ""))
    return table


def _print_timeline(timeline: Timeline) -> None:
    where = f", {escape(timeline.municipality.name)}" if timeline.municipality else ""
    kind = _kind(timeline.unit.label, timeline.kind)
    out.print(f"[bold]{escape(timeline.unit.name)}[/] [dim]{escape(kind)}{where}[/] ({escape(timeline.unit.uid)})")
    out.print(f"Gyldig: {explain.period(timeline.valid_from, timeline.valid_to)}")
    sections = (
        ("Hører under", timeline.parents, "type"),
        ("Underenheder", timeline.children, "type"),
        ("Ledelse", timeline.leaders, "personer"),
        ("Tilbud", timeline.tilbud, "type"),
    )
    for title, items, detail in sections:
        if items:
            out.print(_dated_table(title, items, detail))
    if timeline.moves:
        table = Table(title="Omorganiseringer", title_justify="left")
        for column in ("dato", "omorganisering", "flytning", "rolle"):
            table.add_column(column)
        for move in timeline.moves:
            when = explain.dk_date(move.effective_on) if move.effective_on else "uden dato"
            table.add_row(
                when,
                escape(move.reorganisation.name),
                escape(move.name) + (UDLEDT if move.inferred else ""),
                ROLE_DA.get(move.role, move.role),
            )
        out.print(table)


TIMELINE_EPILOG = (
    "Examples:\n\n"
    "  socialatlas timeline Ungdomscenteret\n\n"
    "  socialatlas timeline aarhus-msb-job-sundhed-og-ydelse --json\n\n"
    "  socialatlas timeline 'Din sociale indgang'\n\n"
    "The unit is given by uid or name; a name two units share asks for the uid."
)


# -- diff


def _refs(refs: Sequence[Ref]) -> str:
    return ", ".join(escape(r.name) for r in refs) or "–"


def _age(age_min: int | None, age_max: int | None) -> str:
    return "" if age_min is None and age_max is None else explain.age_band(age_min, age_max)


def _print_diff(diff: ReorgDiff) -> None:
    info = diff.reorganisation
    out.print(f"[bold]{escape(info.name)}[/] ({escape(info.uid)}), status: {escape(info.status)}")
    dates = [
        f"{label} {explain.dk_date(day)}"
        for label, day in (
            ("foreslået", info.proposed_on),
            ("besluttet", info.decided_on),
            ("i kraft", info.effective_on),
        )
        if day
    ]
    if dates:
        out.print(", ".join(dates))
    for note in diff.notes:
        out.print(f"[yellow]Bemærk:[/] {escape(note)}")
    if diff.has_trees and info.effective_on and info.day_before:
        for tree in diff.before:
            out.print(_render_tree(tree, f"Før: {explain.dk_date(info.day_before)}"))
        for tree in diff.after:
            out.print(_render_tree(tree, f"Efter: {explain.dk_date(info.effective_on)}"))
        out.print(f"[bold]Nye enheder:[/] {_refs(diff.appeared)}")
        out.print(f"[bold]Ophørte enheder:[/] {_refs(diff.disappeared)}")
        if diff.reparented:
            table = Table(title="Skifter placering", title_justify="left")
            for column in ("enhed", "før under", "efter under"):
                table.add_column(column)
            for change in diff.reparented:
                table.add_row(escape(change.unit.name), _refs(change.before), _refs(change.after))
            out.print(table)
    table = Table(title=f"Flytninger ({len(diff.moves)})", title_justify="left", show_lines=True)
    for column in ("hvad", "fra", "til", "afgrænsning", "undtagen", "kilde"):
        table.add_column(column)
    for move in diff.moves:
        scope = "; ".join(
            part
            for part in (_age(move.age_min, move.age_max), ", ".join(move.paragraphs), ", ".join(move.conditions))
            if part
        )
        what = f"[bold]{escape(move.name)}[/] [dim]({escape(move.subject)})[/]"
        if move.moves:
            what += f"\n{_refs(move.moves)}"
        source = "; ".join(escape(f"{s.document} {s.section or ''}".strip()) for s in move.sources[:2])
        table.add_row(
            what + (UDLEDT if move.inferred else ""),
            _refs(move.moved_from),
            _refs(move.moved_to),
            escape(scope),
            escape(move.exception or ""),
            source,
        )
    out.print(table)
    if diff.responsibility_changes:
        table = Table(title="Ansvar der skifter holder (overlappende regler)", title_justify="left")
        for column in ("ansvar", "afgrænsning", "før", "efter"):
            table.add_column(column)
        for shift in diff.responsibility_changes:
            scope = "; ".join(
                part for part in (_age(shift.age_min, shift.age_max), ", ".join(shift.paragraphs)) if part
            )
            table.add_row(
                shift.kind,
                escape(scope or "alle"),
                escape(", ".join(shift.before_holders) or "–"),
                escape(", ".join(shift.after_holders) or "–"),
            )
        out.print(table)


DIFF_EPILOG = (
    "Examples:\n\n"
    "  socialatlas diff aarhus-msb-2019\n\n"
    "  socialatlas diff 'Fremtidig organisering af driften i Socialforvaltningen' --json\n\n"
    "  socialatlas diff silkeborg-socialafdeling     # undated proposal: moves only\n\n"
    "Before is the day before the effective date, after is the effective date."
)


# -- changes


def _holders(units: Sequence[Ref], status: str) -> str:
    if not units:
        return STATUS_DA.get(status, status) or "–"
    return _refs(units) + STATUS_DA.get(status, "")


def _print_changes(
    reorganisation: str, age: int, conditions: Sequence[str], changes: Sequence[TargetGroupChange]
) -> None:
    who = explain.citizen(age, list(conditions))
    out.print(f"Hvad ændrede [bold]{escape(reorganisation)}[/] for {escape(who)}?")
    if not changes:
        out.print("Ingen regler dækker målgruppen, hverken før eller efter.")
        return
    first = changes[0]
    out.print(f"Før: {explain.dk_date(first.before.on)}  Efter: {explain.dk_date(first.after.on)}")
    table = Table(show_lines=True)
    for column in ("ansvar", "paragraffer", "ændring", "før", "efter", "flytninger"):
        table.add_column(column)
    for change in changes:
        paragraphs = (["uden paragraf"] if change.without_paragraph else []) + [p.name for p in change.paragraphs]
        table.add_row(
            change.kind,
            escape(", ".join(paragraphs)),
            CHANGE_DA[change.change],
            _holders(change.before.units, change.before.status),
            _holders(change.after.units, change.after.status),
            "\n".join(escape(m.name) for m in change.moves),
        )
    out.print(table)


CHANGES_EPILOG = (
    "Examples:\n\n"
    "  socialatlas changes aarhus-msb-2019 --age 16 --condition handicap\n\n"
    "  socialatlas changes kbh-sof-2025 --age 40 --condition sindslidelse --json\n\n"
    "Asks the responsibility resolver (as `socialatlas ask` does) the day before and on the "
    "effective date, for myndighed and udfører, with no paragraph and with each paragraph the "
    "reorganisation's moves or the municipality's rules name; paragraphs with the same outcome share a row."
)


# -- queries


QUERIES_EPILOG = (
    "Examples:\n\n"
    "  socialatlas queries\n\n"
    "  socialatlas queries --json\n\n"
    "  socialatlas queries --markdown > cypher/README.md\n\n"
    "Run one with: socialatlas cypher --file cypher/<name>.cypher --param key=value"
)


def register(cli: typer.Typer) -> None:
    """Add org, diff, timeline, changes and queries to the CLI."""

    @cli.command(epilog=ORG_EPILOG)
    def org(
        on: Annotated[str, typer.Option("--date", "-d", help="The date, YYYY-MM-DD.")],
        municipality: Annotated[
            str | None, typer.Option("--municipality", "-m", help="Municipality name or uid.")
        ] = None,
        administration: Annotated[
            str | None,
            typer.Option("--administration", "-a", help="Only this administration: name, short name (MSB) or uid."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the tree as JSON.")] = False,
    ) -> None:
        """The organisation on a date: administrations and units, their kind and their leaders."""
        _org(municipality, administration, on, as_json)

    @cli.command(epilog=TIMELINE_EPILOG)
    def timeline(
        unit: Annotated[str, typer.Argument(help="The unit or administration: uid or name.", show_default=False)],
        as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    ) -> None:
        """One unit over time: validity, parents, sub-units, leaders, tilbud and the moves about it."""
        with _errors_as_exit_codes(), _store() as store:
            result = unit_timeline(store, unit)
        if as_json:
            print_json(result.to_dict())
            return
        _print_timeline(result)

    @cli.command(epilog=DIFF_EPILOG)
    def diff(
        reorganisation: Annotated[str, typer.Argument(help="The reorganisation: uid or name.", show_default=False)],
        as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    ) -> None:
        """What a reorganisation changed: the trees before and after, new, ended and moved units, and its moves."""
        with _errors_as_exit_codes(), _store() as store:
            result = reorganisation_diff(store, reorganisation)
        if as_json:
            print_json(result.to_dict())
            return
        _print_diff(result)

    @cli.command(epilog=CHANGES_EPILOG)
    def changes(
        reorganisation: Annotated[str, typer.Argument(help="The reorganisation: uid or name.", show_default=False)],
        age: Annotated[int, typer.Option("--age", help="The citizen's age in years.")],
        condition: Annotated[
            list[str] | None, typer.Option("--condition", "-c", help="A condition (name or synonym); repeatable.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
    ) -> None:
        """What a reorganisation changed for a target group: which responsibilities moved where, which stayed."""
        conditions = tuple(condition or ())
        with _errors_as_exit_codes(), _store() as store:
            result = target_group_changes(store, reorganisation, age=age, conditions=conditions)
        if as_json:
            print_json(
                {
                    "reorganisation": reorganisation,
                    "age": age,
                    "conditions": list(conditions),
                    "changes": [change.to_dict() for change in result],
                }
            )
            return
        _print_changes(reorganisation, age, conditions, result)

    @cli.command(epilog=QUERIES_EPILOG)
    def queries(
        markdown: Annotated[
            bool, typer.Option("--markdown", help="Print cypher/README.md (the generated index).")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the query headers as JSON.")] = False,
    ) -> None:
        """The named Cypher queries in cypher/: purpose, parameters with an example, columns."""
        with _errors_as_exit_codes():
            docs = list_queries()
        if markdown:
            sys.stdout.write(render_readme(docs))
            return
        if as_json:
            print_json(
                [
                    {
                        "name": doc.name,
                        "purpose": doc.purpose,
                        "params": {name: {"meaning": m, "example": e} for name, (m, e) in doc.params.items()},
                        "returns": doc.returns,
                        "example": doc.cli_example(),
                    }
                    for doc in docs
                ]
            )
            return
        table = Table("query", "purpose", "parameters (example)", show_lines=True)
        for doc in docs:
            params = "\n".join(
                f"{name}: {escape(meaning)} [dim]({escape(example)})[/]"
                for name, (meaning, example) in doc.params.items()
            )
            table.add_row(f"[bold]{doc.name}[/]", escape(doc.purpose), params or "–")
        out.print(table)
        out.print(
            f"{len(docs)} queries; run one with: socialatlas cypher --file cypher/<name>.cypher --param key=value"
        )
