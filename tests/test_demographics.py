"""Age and sex phrasings, and sex-bound ages."""

from __future__ import annotations

import pytest

import eligibility
from eligibility.ir.model import AgeRule, Section, SexRule
from eligibility.nlp import demographics
from eligibility.nlp.demographics import extract_demographics
from tests.conftest import TRIALS


def ages(text: str) -> list[tuple[float | None, bool, float | None, bool, str]]:
    return [
        (r.min, r.min_inclusive, r.max, r.max_inclusive, r.unit.value)
        for r in extract_demographics(text)
        if isinstance(r, AgeRule)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aged 18-75", (18, True, 75, True, "years")),
        (">= 18 years of age", (18, True, None, True, "years")),
        ("18 years or older", (18, True, None, True, "years")),
        ("older than 50 yrs old", (50, False, None, True, "years")),
        ("Patients under 20 years old", (None, True, 20, False, "years")),
        ("age between 45 (inclusive) and 85 (inclusive) years", (45, True, 85, True, "years")),
        ("Adults", (18, True, None, True, "years")),
        ("Adults (>18) able to consent", (18, False, None, True, "years")),
        ("Children (<18).", (None, True, 18, False, "years")),
        ("Veterans between the ages of 45 and 64.", (45, True, 64, True, "years")),
        ("Age: 18 and over", (18, True, None, True, "years")),
        ("Subject is at least 18 years of age.", (18, True, None, True, "years")),
        ("Age ≥ 18 years and ≤ 65 years", (18, True, 65, True, "years")),
        ("infants aged 6 to 24 months", (6, True, 24, True, "months")),
        ("neonates aged 2 weeks or older", (2, True, None, True, "weeks")),
        ("aged 2 months to 5 years", (2, True, 60, True, "months")),
        ("18+ years old", (18, True, None, True, "years")),
    ],
)
def test_age_phrasings(text: str, expected: tuple[float | None, bool, float | None, bool, str]) -> None:
    assert ages(text) == [expected]


@pytest.mark.parametrize(
    "text",
    ["Disease duration ≥ 2 years and ≤ 10 years.", "history of malignancy within 5 years",
     "with primary menopause for ≥2 years", "a 10-year risk of fracture", "Over 18"],
)
def test_durations_are_not_ages(text: str) -> None:
    assert ages(text) == []


@pytest.mark.parametrize(
    ("text", "sex"),
    [("Female, age between 45 and 85", "female"), ("Women aged 50 or older", "female"),
     ("Male patients older than 50", "male"), ("Men only", "male"), ("Postmenopausal women", "female"),
     ("Patients of both sexes aged between 18 and 50.", "all"), ("Men and women, 18 years or older", "all")],
)
def test_sex_in_inclusion(text: str, sex: str) -> None:
    sexes = [r.sex.value for r in extract_demographics(text) if isinstance(r, SexRule)]
    assert sexes == [sex]


@pytest.mark.parametrize(
    ("text", "section"),
    [("Pregnant women", Section.exclusion), ("Women of childbearing potential must use contraception", Section.inclusion),
     ("Female patients who are breast-feeding", Section.exclusion)],
)
def test_sex_words_that_are_not_sex_criteria(text: str, section: Section) -> None:
    assert not [r for r in extract_demographics(text, 0, section) if isinstance(r, SexRule)]


def test_seed_001_sex_bound_ages() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT04501354_medpath.txt")
    by_id = {c.id: c for c in rs.criteria}
    [male] = by_id["inc-1"].rules
    [female] = by_id["inc-2"].rules
    assert isinstance(male, AgeRule) and (male.sex, male.min, male.min_inclusive) == ("male", 50, False)
    assert isinstance(female, AgeRule) and (female.sex, female.min) == ("female", 40)
    assert by_id["inc-1"].status.value == "structured"
    [under20] = by_id["exc-4"].rules
    assert isinstance(under20, AgeRule) and under20.max == 20 and not under20.max_inclusive


def test_seed_003_female_and_age() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT06949137_page.txt")
    inc2 = next(c for c in rs.criteria if c.id == "inc-2")
    kinds = {r.kind: r for r in inc2.rules}
    assert isinstance(kinds["sex"], SexRule) and kinds["sex"].sex.value == "female"
    age = kinds["age"]
    assert isinstance(age, AgeRule) and (age.min, age.max, age.sex) == (45, 85, None)


def test_manual_criteria() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT02566655_medpath.txt")
    by_id = {c.id: c for c in rs.criteria}
    assert by_id["inc-2"].status.value == "manual"  # informed consent
    assert by_id["exc-1"].status.value == "manual"  # in the opinion of the investigator
    assert by_id["exc-10"].status.value == "manual"  # inability to understand informed consent


def test_bound_lookahead_admits_every_comparator() -> None:
    """_BOUND_OLD's lookahead lists the first characters of the comparators:
    one missing would silently drop ages written with that comparator."""
    import re._parser as sre_parse  # the parse tree gives each alternative's first character

    def firsts(tree: sre_parse.SubPattern) -> set[str]:
        op, av = tree[0]
        if op is sre_parse.LITERAL:
            return {chr(av)}
        if op is sre_parse.BRANCH:
            return set().union(*(firsts(b) for b in av[1]))
        if op is sre_parse.SUBPATTERN:
            return firsts(av[-1])
        raise AssertionError(f"unexpected first element {op}")

    comparators = sre_parse.parse(f"(?:{demographics._GE}|{demographics._LE}|{demographics._GT}|{demographics._LT})")
    assert {c.lower() for c in firsts(comparators)} <= set(demographics._CMP_FIRST)
