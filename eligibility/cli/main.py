"""The ``eligibility`` command: a thin shell over the library.

Errors a user can fix (a file that cannot be read, a bad option) print one
line on stderr and exit 2; an internal error exits 1. Output is rendered in
full before anything is written, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import sys

import click
import typer

from eligibility.cli import audit as audit_command
from eligibility.cli import match as match_command
from eligibility.cli.common import BadUsage, FormatOption, OutputOption, TrialsArgument, choice, write_output
from eligibility.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Clinical-trial eligibility criteria as structured rules, matched against patients.",
)


@app.command()
def parse(trials: TrialsArgument, format: FormatOption = "json", output: OutputOption = None) -> None:
    """Parse trial criteria into structured rules."""
    from eligibility.api import iter_rulesets
    from eligibility.reports.parse_output import render_parse

    fmt = choice(format, ("json", "yaml", "table"), "--format")
    rulesets = list(iter_rulesets(trials))
    write_output(render_parse(rulesets, fmt), output)


@app.command()
def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of rules files."""
    from eligibility.ir.schema import rules_schema_json

    write_output(rules_schema_json(), output)


match_command.register(app)
audit_command.register(app)


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    try:
        # Without standalone mode, click returns the code of an Exit.
        code = command.main(args=argv, prog_name="eligibility", standalone_mode=False)
    except Exception as exc:
        # Typer may vendor its own copy of click, so its exceptions are told
        # by class name rather than by identity.
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "NoArgsIsHelpError" in names:
            ctx = getattr(exc, "ctx", None)
            click.echo(ctx.get_help() if ctx else "usage: eligibility COMMAND ...", err=True)
            return 2
        if "UsageError" in names:
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            print(f"eligibility: {message}", file=sys.stderr)
            return 2
        if "Exit" in names:
            return int(getattr(exc, "exit_code", 0) or 0)
        if "Abort" in names:
            print("eligibility: interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, BrokenPipeError):
            return 0
        if isinstance(exc, InputError | BadUsage):
            print(f"eligibility: {exc}", file=sys.stderr)
            return 2
        if os.environ.get("ELIGIBILITY_DEBUG"):
            raise
        print(f"eligibility: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("eligibility: interrupted", file=sys.stderr)
        return 130
    return code if isinstance(code, int) else 0



if __name__ == "__main__":
    sys.exit(main())
