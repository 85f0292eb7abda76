"""Rules in plain words, for tables, audits and reasons."""

from __future__ import annotations

from typing import Any

from eligibility.ir.model import (
    AgeRule,
    AllergyRule,
    AllOf,
    AnyOf,
    ConditionRule,
    HealthyVolunteersRule,
    ManualRule,
    MeasurementRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    SexRule,
    SmokingRule,
    Window,
)

_CMP_WORDS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}


def number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def window(w: Window | None) -> str:
    if w is None:
        return ""
    parts = []
    if w.within is not None:
        parts.append(f"within the past {w.within}")
    if w.not_within is not None:
        parts.append(f"more than {w.not_within} ago")
    if parts and w.or_longer:
        parts[-1] += f" (or {w.or_longer}, whichever is longer)"
    return ", ".join(parts)


def _age(rule: AgeRule) -> str:
    unit = rule.unit.value
    bits = []
    if rule.min is not None:
        bits.append(f"{'>=' if rule.min_inclusive else '>'} {number(rule.min)}")
    if rule.max is not None:
        bits.append(f"{'<=' if rule.max_inclusive else '<'} {number(rule.max)}")
    text = f"age {' and '.join(bits)} {unit}"
    if rule.sex:
        text += f" (for {rule.sex} patients only)"
    return text


def _measurement(rule: MeasurementRule) -> str:
    name = rule.label or rule.analyte
    unit = "x ULN" if rule.relative_to == "uln" else "x LLN" if rule.relative_to == "lln" else (rule.unit or "")
    if rule.comparator == "between":
        text = f"{name} between {number(rule.value)} and {number(rule.value_high)} {unit}"
    elif rule.comparator == "normal":
        text = f"{name} within normal limits"
    elif rule.comparator == "above_normal":
        text = f"{name} above the upper limit of normal"
    elif rule.comparator == "below_normal":
        text = f"{name} below the lower limit of normal"
    else:
        text = f"{name} {_CMP_WORDS[rule.comparator]} {number(rule.value)} {unit}"
    text = text.strip()
    w = window(rule.window)
    text += f", {rule.select} value" + (f" {w}" if w else "")
    return text


def _concept(kind: str, rule: Any) -> str:
    name = rule.label or rule.concept
    text = f"{kind} {name}"
    status = getattr(rule, "status", None)
    if status and status not in ("any", "ever", "window"):
        text += f" ({status})"
    w = window(rule.window)
    if w:
        text += f" {w}"
    duration = getattr(rule, "min_duration", None)
    if duration is not None:
        text += f" for at least {duration}"
    if rule.exceptions:
        text += f" except {', '.join(rule.exceptions)}"
    return text


def describe(rule: Any) -> str:
    if isinstance(rule, AgeRule):
        return _age(rule)
    if isinstance(rule, SexRule):
        return f"sex {rule.sex.value}" if rule.sex.value != "all" else "any sex"
    if isinstance(rule, HealthyVolunteersRule):
        return "healthy volunteers accepted" if rule.accepted else "healthy volunteers not accepted"
    if isinstance(rule, MeasurementRule):
        return _measurement(rule)
    if isinstance(rule, ConditionRule):
        return _concept("condition", rule)
    if isinstance(rule, MedicationRule):
        return _concept("medication", rule)
    if isinstance(rule, ProcedureRule):
        return _concept("procedure", rule)
    if isinstance(rule, AllergyRule):
        return f"allergy to {rule.label or rule.substance}" + (f" ({rule.status})" if rule.status != "any" else "")
    if isinstance(rule, PregnancyRule):
        return rule.state.replace("_", " ")
    if isinstance(rule, SmokingRule):
        return f"smoking: {rule.status}"
    if isinstance(rule, ManualRule):
        return f"manual ({rule.category.replace('_', ' ')})"
    if isinstance(rule, AllOf):
        return "all of (" + "; ".join(describe(c) for c in rule.children) + ")"
    if isinstance(rule, AnyOf):
        return "any of (" + "; ".join(describe(c) for c in rule.children) + ")"
    if isinstance(rule, Not):
        return "not " + describe(rule.child)
    return str(getattr(rule, "kind", "rule"))


def describe_all(rules: list[Any]) -> str:
    return "; ".join(describe(r) for r in rules)
