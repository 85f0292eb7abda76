"""A lab limit relaxed for a subgroup ("Total bilirubin ≤ 1.5 × ULN (≤ 3 ×
ULN for patients with Gilbert's syndrome)") reads AnyOf(base limit,
AllOf(condition, relaxed limit)): the subgroup's condition is no requirement
(nlp/subgroups.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import eligibility
from eligibility.ir.model import (
    AllOf,
    AnyOf,
    ConditionRule,
    Criterion,
    ManualRule,
    MeasurementRule,
    Not,
    RuleSet,
)
from eligibility.matching.evaluate import match_patient
from eligibility.matching.verdicts import Verdict
from eligibility.patients.model import Coding, ConditionFact, ObservationFact, Patient

AS_OF = date(2026, 1, 1)

GILBERT_EXCEPT = ("Total bilirubin ≤ 1.5 × ULN (except subjects with Gilbert Syndrome, who can have total "
                  "bilirubin < 3.0 mg/dL)")
GILBERT_PAREN = "Direct bilirubin ≤ 2 x ULN (≤ 3.0 × ULN for patients with Gilbert's syndrome)"
GILBERT_OR = "Serum total bilirubin ≤1.5 x upper limit of normal (ULN) or ≤3 x ULN for patients with Gilbert's disease"
GILBERT_SENTENCE = ("Total serum bilirubin ≤1.5x upper limit of normal (ULN). Patients with known Gilbert's syndrome "
                    "may have a total bilirubin up to ≤3 x ULN.")
LIVER_AFTER = "ALT and AST ≤ 2.5 × ULN, and for patients with liver metastases < 5 × ULN"
LIVER_IF = "AST/ALT ≤ 3 x ULN (≤ 5 x ULN if liver metastases are present)"
UNREADABLE = ("Total bilirubin ≤ 1.5 x ULN (for patients with Gilbert's syndrome, a higher bilirubin within the "
              "sponsor's normal ranges)")
ANC_UNLESS = "ANC ≥ 1,000 (Exception: Unless cytopenias are secondary to leukemia)"


def criterion(text: str, section: str = "Inclusion") -> tuple[RuleSet, Criterion]:
    [rules] = eligibility.parse(f"{section} Criteria:\n* {text}", text=True)
    return rules, rules.criteria[-1]


def leaves(rule: Any) -> list[Any]:
    if isinstance(rule, AllOf | AnyOf):
        return [leaf for child in rule.children for leaf in leaves(child)]
    if isinstance(rule, Not):
        return leaves(rule.child)
    return [rule]


def the_group(text: str, section: str = "Inclusion") -> AnyOf:
    _, crit = criterion(text, section)
    assert len(crit.rules) == 1, crit.rules
    [group] = crit.rules
    assert isinstance(group, AnyOf)
    return group


def limits(rule: Any) -> list[tuple[str, str, float | None, str | None]]:
    return [(x.analyte, x.comparator, x.value, x.relative_to or x.unit)
            for x in leaves(rule) if isinstance(x, MeasurementRule)]


def concepts(rule: Any) -> list[str]:
    return [x.concept for x in leaves(rule) if isinstance(x, ConditionRule)]


# -- structure -------------------------------------------------------------------


def test_except_subjects_who_can_have() -> None:
    group = the_group(GILBERT_EXCEPT)
    base, subgroup = group.children
    assert limits(base) == [("bilirubin_total", "<=", 1.5, "uln")]
    assert isinstance(subgroup, AllOf)
    assert concepts(subgroup) == ["gilbert_syndrome"]
    assert limits(subgroup) == [("bilirubin_total", "<", 3.0, "mg/dL")]
    _, crit = criterion(GILBERT_EXCEPT)
    assert crit.unparsed == [] and crit.status.value == "structured"


@pytest.mark.parametrize(
    ("text", "analyte", "base", "relaxed"),
    [
        (GILBERT_PAREN, "bilirubin_direct", 2.0, 3.0),
        (GILBERT_OR, "bilirubin_total", 1.5, 3.0),
        (GILBERT_SENTENCE, "bilirubin_total", 1.5, 3.0),
        ("Serum total bilirubin (TBIL) ≤ 1.5 × ULN (for patients with Gilbert syndrome, ≤ 3 × ULN);",
         "bilirubin_total", 1.5, 3.0),
        ("Total bilirubin ≤1.5x the upper limit of the normal range (ULN) (< 3x the ULN if Gilbert's disease is present)",
         "bilirubin_total", 1.5, 3.0),
    ],
)
def test_gilbert_relaxed_limit(text: str, analyte: str, base: float, relaxed: float) -> None:
    first, second = the_group(text).children
    assert [(a, v) for a, _, v, _ in limits(first)] == [(analyte, base)]
    assert concepts(first) == []
    assert concepts(second) == ["gilbert_syndrome"]
    assert [(a, v) for a, _, v, _ in limits(second)] == [(analyte, relaxed)]


@pytest.mark.parametrize(
    "text",
    [
        LIVER_AFTER,
        LIVER_IF,
        "Alanine aminotransferase/aspartate aminotransferase ≤2.5x ULN NOTE: ≤5x ULN is acceptable if liver metastases "
        "are present.",
        "Aspartate aminotransferase (AST) and alanine aminotransferase (ALT) ≤ 2.5 × ULN; ≤ 5 × ULN in the presence of "
        "liver metastases",
        "ALT and AST≤3 × ULN (liver metastasis≤5.0 × ULN)",
    ],
)
def test_liver_metastases_relaxed_limit(text: str) -> None:
    first, second = the_group(text).children
    assert {a for a, *_ in limits(first)} == {"alt", "ast"}
    assert concepts(first) == []
    assert concepts(second) == ["liver_metastases"]
    assert {a for a, *_ in limits(second)} == {"alt", "ast"}
    assert {v for _, _, v, _ in limits(second)} == {5.0}


def test_absent_subgroup_stays_with_the_base_limit() -> None:
    text = ("Alanine aminotransferase (ALT) ≤2.5x the upper limit of normal (ULN) if no demonstrable liver metastases "
            "or ≤5xULN in the presence of liver metastases")
    first, second = the_group(text).children
    assert isinstance(first, AllOf) and any(isinstance(c, Not) for c in first.children)
    assert limits(first) == [("alt", "<=", 2.5, "uln")]
    assert concepts(second) == ["liver_metastases"]
    assert not any(isinstance(c, Not) for c in second.children)  # type: ignore[union-attr]
    assert limits(second) == [("alt", "<=", 5.0, "uln")]


def test_exemption_without_a_relaxed_limit() -> None:
    base, subgroup = the_group("Total bilirubin ≤ 1.5 mg/dl, except in individuals with Gilbert's syndrome.").children
    assert limits(base) == [("bilirubin_total", "<=", 1.5, "mg/dL")]
    assert isinstance(subgroup, ConditionRule) and subgroup.concept == "gilbert_syndrome"
    # "unless cytopenias are secondary to leukemia": the cause, judged by a person, exempts
    base, subgroup = the_group(ANC_UNLESS).children
    assert limits(base) == [("anc", ">=", 1000.0, "/uL")]
    assert set(concepts(subgroup)) == {"cytopenia", "leukemia"}


def test_unreadable_relaxed_limit_is_manual() -> None:
    first, second = the_group(UNREADABLE).children
    assert limits(first) == [("bilirubin_total", "<=", 1.5, "uln")]
    assert concepts(second) == ["gilbert_syndrome"]
    assert any(isinstance(x, ManualRule) and x.reason and "Gilbert" in x.reason for x in leaves(second))


def test_exclusion_excludes_only_outside_the_subgroup() -> None:
    first, second = the_group("ALT > 3 x ULN (> 5 x ULN for patients with liver metastases)", "Exclusion").children
    assert isinstance(first, AllOf) and limits(first) == [("alt", ">", 3.0, "uln")]
    assert any(isinstance(c, Not) and concepts(c) == ["liver_metastases"] for c in first.children)
    assert concepts(second) == ["liver_metastases"] and limits(second) == [("alt", ">", 5.0, "uln")]
    _, crit = criterion("Total bilirubin > 1.5 x ULN (except subjects with Gilbert's syndrome)", "Exclusion")
    [rule] = crit.rules
    assert isinstance(rule, AllOf) and any(isinstance(c, Not) for c in rule.children)


@pytest.mark.parametrize(
    "text",
    [
        "Estimated glomerular filtration rate ≥30 mL/minute/1.73 m2 (calculated by Modification of Diet in Renal "
        "Disease (MDRD) or any other validated formula)",
        "Total bilirubin ≤ 1.5 x ULN; history of liver metastases",
        "creatinine ≤ 1.5 x ULN and diabetes mellitus",
    ],
)
def test_no_subgroup_no_change(text: str) -> None:
    _, crit = criterion(text)
    assert not any(isinstance(r, AnyOf) and any(isinstance(c, AllOf) and concepts(c) for c in r.children)
                   for r in crit.rules)


# -- matching ----------------------------------------------------------------------


def bilirubin(value: float, code: str = "1975-2") -> ObservationFact:
    return ObservationFact(resource_type="Observation", resource_id=f"bili-{value}", codes=[Coding(system="loinc", code=code)],
                           value=value, unit="mg/dL", effective=date(2025, 12, 1), reference_high=1.0,
                           reference_unit="mg/dL")


GILBERT = ConditionFact(resource_type="Condition", resource_id="g", text="Gilbert's syndrome",
                        codes=[Coding(system="snomed", code="27503000")], onset=date(2010, 1, 1),
                        clinical_status="active")


def verdict(text: str, patient: Patient, section: str = "Inclusion") -> Verdict:
    rules, crit = criterion(text, section)
    result = match_patient(rules, patient, AS_OF)
    [found] = [c for c in result.criteria if c.id == crit.id]
    return found.verdict


def patient(*, value: float, gilbert: bool, code: str = "1975-2") -> Patient:
    return Patient(id="p", gender="female", birth_date=date(1970, 1, 1), observations=[bilirubin(value, code)],
                   conditions=[GILBERT] if gilbert else [])


@pytest.mark.parametrize(("text", "code"), [(GILBERT_EXCEPT, "1975-2"), (GILBERT_OR, "1975-2"),
                                            (GILBERT_SENTENCE, "1975-2"), (GILBERT_PAREN, "1968-7")])
def test_gilbert_matching(text: str, code: str) -> None:
    # 1.0 × ULN, no Gilbert's: the base limit holds (it failed when the condition was ANDed)
    assert verdict(text, patient(value=1.0, gilbert=False, code=code)) is Verdict.met
    # 2.5 × ULN without Gilbert's: above the base limit, and no subgroup
    assert verdict(text, patient(value=2.5, gilbert=False, code=code)) is Verdict.not_met
    # Gilbert's and 2.5 mg/dL (2.5 × ULN): within the relaxed limit
    assert verdict(text, patient(value=2.5, gilbert=True, code=code)) is Verdict.met
    # Gilbert's and 3.5 × ULN: above both
    assert verdict(text, patient(value=3.5, gilbert=True, code=code)) is Verdict.not_met


def test_gilbert_manual_relaxed_limit_matching() -> None:
    text = UNREADABLE
    assert verdict(text, patient(value=1.0, gilbert=False)) is Verdict.met
    assert verdict(text, patient(value=2.5, gilbert=False)) is Verdict.not_met
    assert verdict(text, patient(value=2.5, gilbert=True)) is Verdict.manual


def test_exclusion_matching() -> None:
    text = "Total bilirubin > 1.5 x ULN (> 3 x ULN for patients with Gilbert's syndrome)"
    # for an exclusion, "met" means the patient is excluded
    assert verdict(text, patient(value=2.5, gilbert=False), "Exclusion") is Verdict.met
    assert verdict(text, patient(value=2.5, gilbert=True), "Exclusion") is Verdict.not_met
    assert verdict(text, patient(value=3.5, gilbert=True), "Exclusion") is Verdict.met
    assert verdict(text, patient(value=1.0, gilbert=False), "Exclusion") is Verdict.not_met
