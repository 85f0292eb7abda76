"""``eligibility audit``: what the parser understood, and what a cohort makes of it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from eligibility.cli.common import FormatOption, OutputOption, TrialsArgument, choice, write_output
from eligibility.cli.match import AsOfOption, parse_as_of
from eligibility.cli.progress import Progress
from eligibility.errors import InputError

FORMATS = ("html", "md", "json")

PatientsOption = Annotated[
    list[str] | None,
    typer.Option("--patients", "-p", help="Patient file or folder (repeatable); adds the cohort audit."),
]


def audit(
    trials: TrialsArgument,
    patients: PatientsOption = None,
    as_of: AsOfOption = None,
    format: FormatOption = "html",
    output: OutputOption = None,
) -> None:
    """Audit the parsed rules (and, with --patients, the cohort's attrition) as HTML, Markdown or JSON."""
    from eligibility.api import iter_matches, iter_rulesets
    from eligibility.reports.audit import build_report

    fmt = choice(format, FORMATS, "--format")
    index_date = parse_as_of(as_of)
    tty = sys.stderr.isatty()

    parsing = Progress("parsing trials", enabled=tty)
    rulesets = []
    for ruleset in iter_rulesets(trials):
        rulesets.append(ruleset)
        parsing.step()
    parsing.done()

    errors: list[InputError] = []

    def report_error(error: InputError) -> None:
        errors.append(error)
        print(f"eligibility: {error}", file=sys.stderr)

    matching = Progress("matching patients", enabled=tty)
    results = None
    if patients:
        results = iter_matches(rulesets, patients, index_date, on_error=report_error, progress=matching.step)
    report = build_report(rulesets, results, index_date if patients else None)
    matching.done()
    report.patient_errors = [str(e) for e in errors]

    if fmt == "json":
        from eligibility.reports.audit import render_json

        text = render_json(report)
    elif fmt == "md":
        from eligibility.reports.audit_md import render_md

        text = render_md(report)
    else:
        from eligibility.reports.audit_html import render_html

        text = render_html(report)
    write_output(text, output)
    if errors:
        raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    app.command(name="audit")(audit)
