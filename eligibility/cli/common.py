"""Pieces the commands share: options, usage errors, whole-or-nothing output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eligibility.cli.output import StreamWriter
from eligibility.errors import EligibilityError


class BadUsage(EligibilityError):
    pass


def write_output(text: str, output: Path | None) -> None:
    """Write all of ``text`` to ``output`` (atomically) or to stdout."""
    with StreamWriter(output) as out:
        out.write(text)


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise BadUsage(f"{option}: '{value}' is not one of {', '.join(allowed)}")
    return value


FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")]
TrialsArgument = Annotated[list[str], typer.Argument(help="Trial files (text, CT.gov JSON, rules file) or - for stdin.")]


