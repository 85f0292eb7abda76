"""Where the knowledge files live.

In a wheel they are installed inside the package (``eligibility/rules``); in a
source checkout or an editable install they are the repository's ``rules/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml


@cache
def rules_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the knowledge files (rules/) are missing from this installation")


def rules_file(name: str) -> Path:
    return rules_dir() / name


# libyaml's C loader reads the knowledge files about 7x faster than the pure
# Python one (0.15 s instead of 1 s at CLI start-up) and builds the same data;
# PyYAML without libyaml falls back to the Python loader.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(name: str) -> Any:
    """The data of the knowledge file ``rules/<name>``."""
    with rules_file(name).open("rb") as handle:
        return yaml.load(handle, Loader=_SafeLoader)
