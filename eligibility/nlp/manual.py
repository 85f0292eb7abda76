"""Criteria that no medical record decides: consent, willingness, the
investigator's judgement, ability to comply, contraception, other trials."""

from __future__ import annotations

from eligibility.ir.model import ManualRule, Rule
from eligibility.knowledge.language import manual_prefilter, manual_regex

_REASONS = {
    "consent": "consent is given in person, not recorded in a medical record",
    "willingness": "the patient's willingness is asked, not recorded",
    "investigator_judgement": "the investigator's judgement is required",
    "compliance": "the patient's ability to comply is judged in person",
    "contraception": "contraception use is confirmed in person",
    "trial_participation": "participation in other trials is not in the medical record",
    "other": "not decidable from a medical record",
}


def extract_manual(text: str, offset: int = 0) -> list[Rule]:
    rules: list[Rule] = []
    if not manual_prefilter().search(text):
        return rules
    for m in manual_regex().finditer(text):
        category = m.lastgroup or "other"
        rules.append(
            ManualRule(
                category=category,  # type: ignore[arg-type]
                reason=_REASONS[category],
                span=(offset + m.start(), offset + m.end()),
                text=m.group(0),
            )
        )
    return rules
