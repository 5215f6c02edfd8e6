"""`socialatlas coverage`: which sections of the source documents the seed files cite, and which they do not.

Reads the seed files and the documents only; no database is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.output import print_json
from app.config import Settings
from app.domain.coverage import CoverageReport, DocumentCoverage, coverage_report, default_documents_dir
from app.errors import ConfigurationError
from app.runtime import default_seed_dir
from app.schema import load_schema
from app.seed import load_seed

EPILOG = (
    "Examples:\n\n"
    "  socialatlas coverage                                   # every source document\n\n"
    "  socialatlas coverage --document 003_5b2cd4c41ea65390.txt\n\n"
    "  socialatlas coverage --json > coverage.json\n\n"
    "Sections are read from the documents' plain text (headings are short lines without a "
    "final period); 'Afsnit uden fakta' lists sections that no fact cites, neither the section "
    "itself nor one below it. The documents are looked up in SOCIALATLAS_DOCUMENTS_DIR "
    "(default: the shared folder beside the repository)."
)

SeedDirOption = Annotated[
    Path | None,
    typer.Option("--seed-dir", help="Folder of seed files (default: the project's seed/).", show_default=False),
]
DocumentsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--documents-dir",
        help="Folder the Sources' files are found in (default: SOCIALATLAS_DOCUMENTS_DIR).",
        show_default=False,
    ),
]
DocumentOption = Annotated[
    str | None,
    typer.Option("--document", help="Only this document: its file name (the Source uid) or path.", show_default=False),
]


def register(cli: typer.Typer) -> None:
    """Add the `coverage` command to the CLI."""

    @cli.command(epilog=EPILOG)
    def coverage(
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
        document: DocumentOption = None,
        seed_dir: SeedDirOption = None,
        documents_dir: DocumentsDirOption = None,
    ) -> None:
        """Count the facts citing each section of each source document, and list the sections none cite."""
        # Imported here: app.cli.main imports this module while it registers its commands.
        from app.cli.main import _errors_as_exit_codes, out

        settings = Settings()
        with _errors_as_exit_codes():
            folder = documents_dir or settings.documents_dir or default_documents_dir()
            if not folder.is_dir():
                raise ConfigurationError(
                    f"the documents folder {folder} does not exist; set SOCIALATLAS_DOCUMENTS_DIR or --documents-dir"
                )
            seed = load_seed(seed_dir or default_seed_dir(settings), load_schema())
            report = coverage_report(seed, folder, document=document)
        if as_json:
            print_json(report.as_dict())
            return
        print_report(report, out)


def print_report(report: CoverageReport, console: Console) -> None:
    """The report as a table of sections and facts, then the gaps per document."""
    table = Table("Dokument", "Afsnit", "Fakta", title="Fakta pr. afsnit")
    for doc in report.documents:
        for n, section in enumerate(doc.sections):
            indent = "  " * max(section.level - 1, 0)
            table.add_row(doc.document if n == 0 else "", f"{indent}{section.title}", str(section.facts))
        table.add_section()
    console.print(table)
    for doc in report.documents:
        console.print(_summary(doc), highlight=False)
        if doc.without_facts:
            console.print("  Afsnit uden fakta:", highlight=False)
            for section in doc.without_facts:
                console.print(f"    - {section.title} (linje {section.line})", highlight=False, markup=False)
        for unmatched in doc.unmatched:
            hint = f"; mente du '{unmatched.suggestion}'?" if unmatched.suggestion else ""
            console.print(
                f"  Citeret afsnit findes ikke i dokumentet: '{unmatched.section}' ({unmatched.facts} fakta{hint})",
                highlight=False,
                markup=False,
            )
    for uid in report.missing:
        console.print(f"[yellow]Kilden {uid} har en fil, der ikke findes i dokumentmappen.[/]", highlight=False)


def _summary(doc: DocumentCoverage) -> str:
    below = f", {len(doc.covered_below_only)} kun via underafsnit" if doc.covered_below_only else ""
    return (
        f"{doc.document} ({doc.name}): {len(doc.sections)} afsnit, {len(doc.with_facts)} med fakta{below}, "
        f"{len(doc.without_facts)} uden; {doc.facts} fakta citerer dokumentet."
    )
