"""The shared phrase lists load, are well formed, and do what they say."""

from __future__ import annotations

import pytest

from eligibility.knowledge.language import (
    filler_words,
    language,
    manual_phrases,
    manual_regex,
    severity_regex,
)
from eligibility.nlp.manual import extract_manual


def test_lists_are_non_empty_lowercase_phrases() -> None:
    for category, phrases in manual_phrases().items():
        assert phrases, category
        for phrase in phrases:
            assert phrase.strip() == phrase and phrase, (category, phrase)
    assert language().severity and all(w == w.lower() for w in language().severity)
    assert "patients" in filler_words()


@pytest.mark.parametrize(
    ("text", "category"),
    [("Signed informed consent", "consent"), ("Willing to comply", "willingness"),
     ("in the opinion of the investigator", "investigator_judgement")],
)
def test_manual_phrases_match(text: str, category: str) -> None:
    m = manual_regex().search(text)
    assert m is not None and m.lastgroup == category


def test_ecog_is_not_a_manual_phrase() -> None:
    assert manual_regex().search("Eastern Cooperative Oncology Group performance status 0-1") is None


@pytest.mark.parametrize(("before", "found"), [("Severe ", True), ("uncontrolled severe ", True), ("known ", False)])
def test_severity_before_a_condition(before: str, found: bool) -> None:
    assert bool(severity_regex().search(before)) is found


@pytest.mark.parametrize(
    "text",
    ["Signed informed consent", "WILLING TO COMPLY with visits", "in the opinion of the investigator’s team",
     "ſigned informed consent", "Signed İnformed consent", "ınformed consent", "INVESTIGATORS opinion ǅ"],
)
def test_folded_manual_regex_finds_what_re_i_finds(text: str) -> None:
    """extract_manual matches lowercased text case-sensitively where that is
    equivalent to re.I, and falls back to re.I where it is not."""
    expected = [(m.start(), m.end(), m.lastgroup, m.group(0)) for m in manual_regex().finditer(text)]
    got = [(r.span[0], r.span[1], r.category, r.text) for r in extract_manual(text) if r.span is not None]
    assert got == expected


def test_non_drug_allergens_are_well_formed() -> None:
    from eligibility.knowledge.language import word_forms

    subs = word_forms().allergy.substances
    ids = [s.id for s in subs]
    names = [n.lower() for s in subs for n in s.names]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))
    assert all(code.isdigit() for s in subs for code in s.snomed)
    # what Synthea writes on AllergyIntolerance is covered
    synthea = {"419474003", "232347008", "418689008", "419263009", "232350006", "300913006", "417532002",
               "91935009", "424213003", "300916003", "714035009", "91930004", "420174000", "91934008"}
    assert synthea <= {code for s in subs for code in s.snomed}
