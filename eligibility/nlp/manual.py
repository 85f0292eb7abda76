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
from eligibility.nlp.concepts import window_spans

_WORD_REST = re.compile(r"\w*")
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
    windows: list[tuple[int, int]] | None = None
    for m in regex.finditer(haystack):
        category = m.lastgroup or "other"
        start, end = m.span()
        if category == "trial_participation":
            # "any investigational drug within 30 days or 5 half-lives (whichever
            # is longer)": the window says which other trials; its words are read
            windows = window_spans(text) if windows is None else windows
            end += len(_WORD_REST.match(text, end).group())  # type: ignore[union-attr]  # "investigational drug|s"
            end = next((b for a, b in windows if 0 <= a - end <= 3 and not text[end:a].strip(" ,(")), end)
        rules.append(
            ManualRule(
                category=category,  # type: ignore[arg-type]
                reason=_REASONS[category],
                span=(offset + start, offset + end),
                text=text[start:end],
            )
        )
    return rules
