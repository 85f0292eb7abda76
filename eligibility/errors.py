"""Errors a user sees: one line, naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path


class EligibilityError(Exception):
    """Base of the errors this package raises on purpose."""


class InputError(EligibilityError):
    """An input that cannot be read. The CLI prints it on one line, exit 2."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


def read_input(path: str | Path) -> bytes:
    """The bytes of an input file, or an InputError a user can act on."""
    source = str(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a file") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
