"""Criteria that no medical record decides: consent, willingness, the
investigator's judgement, ability to comply, contraception, other trials."""

from __future__ import annotations

import re

from eligibility.ir.model import ManualRule, Rule
from eligibility.knowledge.language import (
    fold_case,
    manual_prefilter,
    manual_prefilter_folded,
    manual_regex,
    manual_regex_folded,
)

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
    # The case-folded text, where it is equivalent, is matched much faster
    # (see fold_case); the offsets are the same, the text is the original's.
    folded = fold_case(text)
    haystack: str = text if folded is None else folded
    prefilter: re.Pattern[str] = manual_prefilter() if folded is None else manual_prefilter_folded()
    if not prefilter.search(haystack):
        return rules
    regex: re.Pattern[str] = manual_regex() if folded is None else manual_regex_folded()
    for m in regex.finditer(haystack):
        category = m.lastgroup or "other"
        start, end = m.span()
        rules.append(
            ManualRule(
                category=category,  # type: ignore[arg-type]
                reason=_REASONS[category],
                span=(offset + start, offset + end),
                text=text[start:end],
            )
        )
    return rules
