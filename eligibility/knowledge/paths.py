"""Where the knowledge files live.

In a wheel they are installed inside the package (``eligibility/rules``); in a
source checkout or an editable install they are the repository's ``rules/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def rules_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the knowledge files (rules/) are missing from this installation")


def rules_file(name: str) -> Path:
    return rules_dir() / name
