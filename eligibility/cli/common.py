"""Pieces the commands share: options, usage errors, whole-or-nothing output."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from eligibility.errors import EligibilityError, InputError


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


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise BadUsage(f"{option}: '{value}' is not one of {', '.join(allowed)}")
    return value


FormatOption = Annotated[str, typer.Option("--format", "-f", help="Output format.")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")]
TrialsArgument = Annotated[list[str], typer.Argument(help="Trial files (text, CT.gov JSON, rules file) or - for stdin.")]


