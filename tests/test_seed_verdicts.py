"""The seed trials against the sample patients: the verdicts a careful
coordinator would give, with the reasoning beside each (index date 2026-01-01).
The patients are the generator's bundles in samples/patients/fhir, described
in samples/patients/scenarios.yaml."""

from __future__ import annotations

from datetime import date

import pytest

import eligibility
from eligibility.matching.verdicts import MatchResult
from tests.conftest import SAMPLES, TRIALS

AS_OF = date(2026, 1, 1)
PATIENTS = SAMPLES / "patients" / "fhir"


def verdict(trial: str, patient: str) -> MatchResult:
    [result] = eligibility.match(TRIALS / trial, PATIENTS / f"{patient}.json", as_of=AS_OF)
    return result


@pytest.mark.parametrize(
    ("trial", "patient", "expected", "deciding"),
    [
        # Seed 003 (postmenopausal osteoporosis, women 45-85):
        # eGFR 52 is "moderate to severe CKD (eGFR < 60)" in exclusion 14.
        ("NCT06949137_page.txt", "p-osteo-egfr-52", "ineligible", "exc-14"),
        # Denosumab within the past year: exclusion 8 (RANKL inhibitor).
        ("NCT06949137_page.txt", "p-osteo-denosumab", "ineligible", "exc-8"),
        # Oral bisphosphonates for 4 years: exclusion 8 (cumulative >= 3 years).
        ("NCT06949137_page.txt", "p-osteo-alendronate-4y", "ineligible", "exc-8"),
        # Breast cancer diagnosed recently: "current malignancy" (exclusion 3).
        ("NCT06949137_page.txt", "p-osteo-breast-cancer", "ineligible", "exc-3"),
        # Rheumatoid arthritis is an autoimmune disease: exclusion 4.
        ("NCT06949137_page.txt", "p-osteo-ra", "ineligible", "exc-4"),
        # A man is not a postmenopausal woman: the registry's sex field.
        ("NCT06949137_page.txt", "p-osteo-man-55", "ineligible", "field-sex"),
        # 19 is below the minimum age of 45.
        ("NCT06949137_page.txt", "p-young-woman-19", "ineligible", "field-age"),
        # Seed 000: rheumatoid arthritis is named in exclusion 2.
        ("NCT02566655_medpath.txt", "p-osteo-ra", "ineligible", "exc-2"),
        # Seed 000 takes women only (the page's Sex field).
        ("NCT02566655_medpath.txt", "p-osteo-man-55", "ineligible", "field-sex"),
        # Seed 001: a woman of 19 is under "female older than 40" and "under 20" excludes her.
        ("NCT04501354_medpath.txt", "p-young-woman-19", "ineligible", "exc-4"),
        # Seed 001: corticosteroid treatment excludes (exclusion 2).
        ("NCT04501354_medpath.txt", "p-osteo-prednisone", "ineligible", "exc-2"),
        # Seed 002 (multiple sclerosis): a woman with osteoporosis and no MS fails inclusion 1.
        ("NCT01745783_page.txt", "p-osteo-woman-45", "ineligible", "inc-1"),
    ],
)
def test_decided_verdicts(trial: str, patient: str, expected: str, deciding: str) -> None:
    result = verdict(trial, patient)
    assert result.verdict.value == expected
    assert deciding in result.deciding


def test_osteoporosis_patient_with_full_labs_is_not_excluded_by_her_own_disease() -> None:
    # "Diseases affecting bone metabolism" must not exclude the osteoporosis
    # the trial is for; with HBV DNA, TSH and liver tests missing from her
    # record, the honest answer is indeterminate, not eligible.
    result = verdict("NCT06949137_page.txt", "p-osteo-eligible")
    assert result.verdict.value == "indeterminate"
    assert "exc-1" not in result.deciding
    assert set(result.unknown) <= {"inc-3", "exc-10", "exc-13", "exc-14"}


def test_seed_001_man_of_55_is_eligible_pending_manual_checks() -> None:
    # Male older than 50: met; female limit does not apply; consent is manual.
    result = verdict("NCT04501354_medpath.txt", "p-osteo-man-55")
    assert result.verdict.value == "eligible"
    assert "inc-7" in result.manual


def test_seed_002_ms_patient_lacks_only_edss() -> None:
    # Labs are in range and no excluded drug recently; EDSS (3.0-6.5) is not in
    # the record, so the verdict waits for it.
    result = verdict("NCT01745783_page.txt", "p-ms-eligible")
    assert result.verdict.value == "indeterminate"
    assert "inc-5" in result.unknown
