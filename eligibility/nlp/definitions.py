"""A condition defined by the measurement in parentheses (or after
"defined as") right after it.

"Morbidly obese (BMI > 40 kg/m2)", "Uncontrolled hypertension (BP > 160/95)",
"morbidly obese, defined as BMI > 40":
the threshold says which patients the criterion means. Read as the condition
OR the threshold (two findings of one exclusion), a patient coded "Body mass
index 30+ - obesity" was excluded by "BMI > 40". The condition gives way to
its definition: the measurement rule decides, and its span takes in the
condition's words (they were understood, as the definition's name).
"""

from __future__ import annotations

import re

from eligibility.ir.model import AllOf, AnyOf, ConditionRule, ManualRule, MeasurementRule, Rule

# "(BMI > 40", ", defined as BMI > 40", "(i.e. BMI > 40"
_OPENS_DEFINITION = re.compile(r"\s*(?:[(\[]\s*(?:(?:defined\s+as|i\.\s?e\.,?)\s*)?|,?\s*(?:defined\s+as|i\.\s?e\.,?)\s*)$",
                               re.IGNORECASE)


def _condition_span(rule: Rule) -> tuple[int, int] | None:
    """The span of a condition leaf, or of a condition with its severity
    check ("Uncontrolled hypertension": all_of(hypertension, manual))."""
    if isinstance(rule, ConditionRule):
        return rule.span
    if isinstance(rule, AllOf) and rule.children and isinstance(rule.children[0], ConditionRule) and all(
            isinstance(c, ManualRule) for c in rule.children[1:]):
        return rule.span
    return None


def _is_measurement(rule: Rule) -> bool:
    if isinstance(rule, MeasurementRule):
        return True
    return isinstance(rule, AnyOf | AllOf) and bool(rule.children) and all(_is_measurement(c) for c in rule.children)


def defined_by_measurement(text: str, rules: list[Rule]) -> tuple[list[Rule], bool]:
    """The rules with each condition that a parenthesised measurement right
    after it defines replaced by that measurement; whether any was."""
    out = list(rules)
    defined: set[int] = set()
    for i, rule in enumerate(rules):
        span = _condition_span(rule)
        if span is None:
            continue
        for j, other in enumerate(rules):
            if j == i or not _is_measurement(other) or other.span is None:
                continue
            if other.span[0] > span[1] and _OPENS_DEFINITION.fullmatch(text[span[1] : other.span[0]]):
                out[j] = other.model_copy(update={"span": (span[0], other.span[1]),
                                                  "text": text[span[0] : other.span[1]]})
                defined.add(i)
                break
    return [r for k, r in enumerate(out) if k not in defined], bool(defined)
