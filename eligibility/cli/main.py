"""The ``eligibility`` command: a thin shell over the library.

Errors a user can fix (a file that cannot be read, a bad option) print one
line on stderr and exit 2; an internal error exits 1. Output is rendered in
full before anything is written, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from eligibility.errors import EligibilityError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Clinical-trial eligibility criteria as structured rules, matched against patients.",
)


class BadUsage(EligibilityError):
    pass


def write_output(text: str, output: Path | None) -> None:
    """Write all of ``text`` to ``output`` (atomically) or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(str(output), "cannot write: the folder does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise BadUsage(f"{option}: '{value}' is not one of {', '.join(allowed)}")
    return value


FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")]
TrialsArgument = Annotated[list[str], typer.Argument(help="Trial files (text, CT.gov JSON, rules file) or - for stdin.")]


@app.command()
def parse(trials: TrialsArgument, format: FormatOption = "json", output: OutputOption = None) -> None:
    """Parse trial criteria into structured rules."""
    from eligibility.api import iter_rulesets
    from eligibility.reports.parse_output import render_parse

    fmt = _choice(format, ("json", "yaml", "table"), "--format")
    rulesets = list(iter_rulesets(trials))
    write_output(render_parse(rulesets, fmt), output)


@app.command()
def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of rules files."""
    from eligibility.ir.schema import rules_schema_json

    write_output(rules_schema_json(), output)


def _register_optional(name: str, module: str) -> None:
    """Commands whose modules may be absent from a partial checkout."""
    try:
        mod = __import__(module, fromlist=["register"])
    except ImportError:
        return
    register: Callable[[typer.Typer], Any] = mod.register
    register(app)


_register_optional("match", "eligibility.cli.match")
_register_optional("audit", "eligibility.cli.audit")


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="eligibility", standalone_mode=False)
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
    return 0



if __name__ == "__main__":
    sys.exit(main())
