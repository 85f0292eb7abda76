"""``eligibility match``: every trial against every patient."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from eligibility.cli.common import BadUsage, FormatOption, OutputOption, TrialsArgument, choice
from eligibility.cli.output import StreamWriter
from eligibility.cli.progress import Progress
from eligibility.errors import InputError

PatientsOption = Annotated[list[str], typer.Option("--patients", "-p", help="Patient file or folder (repeatable).")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Index date YYYY-MM-DD (default: today).")]


def parse_as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadUsage(f"--as-of: '{value}' is not a date (YYYY-MM-DD)") from None


def match(
    trials: TrialsArgument,
    patients: PatientsOption,
    as_of: AsOfOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Match patients against trials, criterion by criterion, with evidence."""
    from eligibility.api import iter_matches, load_rulesets
    from eligibility.reports.match_output import RENDERERS

    fmt = choice(format, tuple(RENDERERS), "--format")
    index_date = parse_as_of(as_of)
    rulesets = load_rulesets(trials)
    errors: list[InputError] = []

    def report(error: InputError) -> None:
        errors.append(error)
        print(f"eligibility: {error}", file=sys.stderr)

    progress = Progress("matching", enabled=sys.stderr.isatty())
    results = iter_matches(rulesets, patients, index_date, on_error=report, progress=progress.step)
    with StreamWriter(output) as out:
        for chunk in RENDERERS[fmt](results):
            out.write(chunk)
    progress.done()
    if errors:
        raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    app.command(name="match")(match)


