"""A rules file written by ``eligibility parse`` (JSON or YAML), possibly
edited by a person. It is matched exactly as written; a file that breaks the
schema is refused with the place and the reason."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from eligibility.errors import InputError
from eligibility.ir.model import RuleSet


def is_rules_file(data: Any) -> bool:
    return isinstance(data, dict) and "criteria" in data and "trial" in data


def _place(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # The discriminated union adds the rule kind to the path
            # (rules.0.age.min); a person wrote rules[0].min.
            if part in _KINDS and out.endswith("]"):
                continue
            out += ("." if out else "") + part
    return out


_KINDS = {
    "age", "sex", "healthy_volunteers", "measurement", "condition", "medication", "procedure",
    "allergy", "pregnancy", "smoking", "manual", "all_of", "any_of", "not",
}


def load_rules(data: Any, source: str) -> RuleSet:
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise InputError(source, f"{_place(first['loc'])}: {first['msg']}{extra}") from None
