"""Errors a user sees: one line, naming the file and what is wrong."""

from __future__ import annotations


class EligibilityError(Exception):
    """Base of the errors this package raises on purpose."""


class InputError(EligibilityError):
    """An input that cannot be read. The CLI prints it on one line, exit 2."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")
