"""FHIR R4 reader: tiny hand-written bundles, one behaviour each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eligibility.errors import InputError
from eligibility.patients.fhir import (
    clean_text,
    fhir_date,
    patients_from_fhir,
    read_fhir_file,
    short_system,
)

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PID = "11111111-1111-1111-1111-111111111111"


def cc(system: str, code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text is not None:
        out["text"] = text
    return out


def bundle(*resources: dict[str, Any], kind: str = "transaction", pid: str = PID) -> dict[str, Any]:
    entries = [{"fullUrl": f"urn:uuid:{pid}", "resource": {"resourceType": "Patient", "id": pid}}]
    for i, r in enumerate(resources):
        entries.append({"fullUrl": f"urn:uuid:res-{i}", "resource": r})
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def subj(pid: str = PID) -> dict[str, str]:
    return {"reference": f"urn:uuid:{pid}"}


def one(*resources: dict[str, Any], **kw: Any) -> Any:
    patients = patients_from_fhir(bundle(*resources, **kw), "t.json")
    assert len(patients) == 1
    return patients[0]


# --- helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019", date(2019, 1, 1)),
        ("2019-05", date(2019, 5, 1)),
        ("2019-05-17", date(2019, 5, 17)),
        ("2019-05-17T20:37:06+00:00", date(2019, 5, 17)),
        ("2019-05-17T20:37:06.059Z", date(2019, 5, 17)),
        ("2019-05-17T23:30:00-05:00", date(2019, 5, 17)),
        ("2019-13-01", None),
        ("soon", None),
        (20190517, None),
        (None, None),
    ],
)
def test_fhir_date(raw: object, expected: date | None) -> None:
    assert fhir_date(raw) == expected


def test_clean_text_removes_zero_width_and_odd_spaces() -> None:
    assert clean_text("Alkaline phosphatase [Enzymatic activity/\u200bvolume]") == (
        "Alkaline phosphatase [Enzymatic activity/volume]"
    )
    assert clean_text("  Body\u00a0 Weight\n\t") == "Body Weight"
    assert clean_text("\u200b \ufeff") is None
    assert clean_text(42) is None


@pytest.mark.parametrize(
    ("uri", "short"),
    [
        ("http://snomed.info/sct", "snomed"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "icd10cm"),
        ("http://hl7.org/fhir/sid/icd-10", "icd10cm"),
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "rxnorm"),
        ("http://loinc.org", "loinc"),
        ("http://hl7.org/fhir/sid/cvx", "cvx"),
        ("urn:oid:2.16.840.1.113883.6.238", "other"),
        (None, "other"),
    ],
)
def test_short_system(uri: object, short: str) -> None:
    assert short_system(uri) == short


# --- Patient -------------------------------------------------------------------


def test_patient_demographics() -> None:
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "gender": "female",
                    "birthDate": "1950-06",
                    "deceasedDateTime": "2020-01-02T10:00:00Z",
                }
            }
        ],
    }
    [p] = patients_from_fhir(data, "x.json")
    assert (p.id, p.gender, p.birth_date, p.deceased, p.deceased_date, p.source) == (
        "p1",
        "female",
        date(1950, 6, 1),
        True,
        date(2020, 1, 2),
        "x.json",
    )


def test_deceased_boolean_and_unknown_gender() -> None:
    data = {"resourceType": "Patient", "id": "p2", "gender": "Robot", "deceasedBoolean": True}
    [p] = patients_from_fhir(data, "x.json")
    assert p.gender is None and p.deceased and p.deceased_date is None


# --- Condition -----------------------------------------------------------------


def test_condition_fields_and_several_codings() -> None:
    cond = {
        "resourceType": "Condition",
        "id": "c1",
        "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved"),
        "verificationStatus": cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"),
        "code": {
            "coding": [
                {"system": SNOMED, "code": "69896004", "display": "Rheumatoid arthritis"},
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M06.9"},
            ]
        },
        "subject": subj(),
        "onsetPeriod": {"start": "2010-03"},
        "abatementDateTime": "2015",
    }
    c = one(cond).conditions[0]
    assert [(x.system, x.code) for x in c.codes] == [("snomed", "69896004"), ("icd10cm", "M06.9")]
    assert c.text == "Rheumatoid arthritis"
    assert (c.onset, c.abatement) == (date(2010, 3, 1), date(2015, 1, 1))
    assert (c.clinical_status, c.verification_status) == ("resolved", "confirmed")
    assert (c.resource_type, c.resource_id) == ("Condition", "c1")


@pytest.mark.parametrize("status", ["entered-in-error", "refuted"])
def test_condition_refuted_or_in_error_is_skipped(status: str) -> None:
    cond = {
        "resourceType": "Condition",
        "id": "c1",
        "verificationStatus": cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", status),
        "code": cc(SNOMED, "38341003", "Hypertension"),
        "subject": subj(),
    }
    assert one(cond).conditions == []


# --- Observation ---------------------------------------------------------------


def test_observation_quantity_and_reference_range() -> None:
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "code": cc(LOINC, "38483-4", "Creatinine", text="Creatinine"),
        "subject": subj(),
        "effectivePeriod": {"start": "2025-11-03T08:00:00Z"},
        "valueQuantity": {
            "value": 1.1,
            "unit": "mg/dL",
            "system": "http://unitsofmeasure.org",
            "code": "mg/dL",
        },
        "referenceRange": [{"low": {"value": 0.6, "unit": "mg/dL"}, "high": {"value": 1.3, "unit": "mg/dL"}}],
    }
    o = one(obs).observations[0]
    assert (o.value, o.unit, o.effective) == (1.1, "mg/dL", date(2025, 11, 3))
    assert (o.reference_low, o.reference_high, o.reference_unit) == (0.6, 1.3, "mg/dL")


def test_observation_issued_when_no_effective_and_unit_from_code() -> None:
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "code": cc(LOINC, "33914-3"),
        "subject": subj(),
        "issued": "2024-02-03T10:00:00.000+00:00",
        "valueQuantity": {"value": "52", "code": "mL/min/{1.73_m2}"},
    }
    o = one(obs).observations[0]
    assert (o.value, o.unit, o.effective, o.label()) == (
        52.0,
        "mL/min/{1.73_m2}",
        date(2024, 2, 3),
        "33914-3",
    )


def test_observation_value_codeable_concept_and_string() -> None:
    smoking = {
        "resourceType": "Observation",
        "id": "o1",
        "code": cc(LOINC, "72166-2", "Tobacco smoking status NHIS"),
        "subject": subj(),
        "effectiveDateTime": "2020-01-01",
        "valueCodeableConcept": cc(SNOMED, "266919005", "Never smoker", text="Never smoker"),
    }
    note = {
        "resourceType": "Observation",
        "id": "o2",
        "code": cc(LOINC, "32465-7"),
        "subject": subj(),
        "valueString": "  normal\u200b prostate ",
    }
    o1, o2 = one(smoking, note).observations
    assert o1.value is None and o1.value_code is not None
    assert (o1.value_code.system, o1.value_code.code, o1.value_text) == (
        "snomed",
        "266919005",
        "Never smoker",
    )
    assert o2.value_text == "normal prostate"


def test_blood_pressure_panel_becomes_one_fact_per_component() -> None:
    panel = {
        "resourceType": "Observation",
        "id": "bp1",
        "code": cc(LOINC, "85354-9", "Blood pressure panel"),
        "subject": subj(),
        "effectiveDateTime": "2025-01-02T09:00:00+01:00",
        "component": [
            {
                "code": cc(LOINC, "8480-6", "Systolic Blood Pressure"),
                "valueQuantity": {"value": 142, "unit": "mm[Hg]"},
            },
            {
                "code": cc(LOINC, "8462-4", "Diastolic Blood Pressure"),
                "valueQuantity": {"value": 91, "unit": "mm[Hg]"},
            },
        ],
    }
    facts = one(panel).observations
    assert [(f.resource_id, f.codes[0].code, f.value, f.effective) for f in facts] == [
        ("bp1#8480-6", "8480-6", 142.0, date(2025, 1, 2)),
        ("bp1#8462-4", "8462-4", 91.0, date(2025, 1, 2)),
    ]


def test_zero_width_space_in_display_is_cleaned() -> None:
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "code": cc(LOINC, "6690-2", "Leukocytes [#/\u200bvolume] in Blood by Automated count"),
        "subject": subj(),
        "valueQuantity": {"value": 5.2, "unit": "10*3/uL"},
    }
    o = one(obs).observations[0]
    assert o.text == "Leukocytes [#/volume] in Blood by Automated count"
    assert o.codes[0].display == o.text


# --- Medications ---------------------------------------------------------------


def test_medication_request_codeable_concept_and_validity_period() -> None:
    req = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "stopped",
        "medicationCodeableConcept": cc(RXNORM, "904419", "Alendronic acid 10 MG Oral Tablet"),
        "subject": subj(),
        "authoredOn": "2021-10-01T10:00:00+00:00",
        "dispenseRequest": {"validityPeriod": {"start": "2021-10-01", "end": "2025-10-01"}},
        "dosageInstruction": [{"route": cc(SNOMED, "26643006", "Oral route")}],
    }
    m = one(req).medications[0]
    assert (m.codes[0].system, m.codes[0].code, m.start, m.end, m.status, m.route) == (
        "rxnorm",
        "904419",
        date(2021, 10, 1),
        date(2025, 10, 1),
        "stopped",
        "Oral route",
    )


def test_medication_reference_contained_and_bundle_entry() -> None:
    contained = {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "contained": [{"resourceType": "Medication", "id": "med", "code": cc(RXNORM, "993452", "denosumab")}],
        "medicationReference": {"reference": "#med"},
        "subject": subj(),
        "authoredOn": "2024-01-01",
    }
    medication = {"resourceType": "Medication", "id": "fing", "code": cc(RXNORM, "1012892", "fingolimod")}
    referenced = {
        "resourceType": "MedicationRequest",
        "id": "m2",
        "status": "active",
        "medicationReference": {"reference": "Medication/fing"},
        "subject": subj(),
        "authoredOn": "2025-01-01",
    }
    m1, m2 = one(contained, medication, referenced).medications
    assert (m1.codes[0].code, m1.text) == ("993452", "denosumab")
    assert (m2.codes[0].code, m2.text) == ("1012892", "fingolimod")


def test_medication_statement_and_administration_periods() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "s1",
        "status": "completed",
        "medicationCodeableConcept": cc(RXNORM, "75917", "interferon beta-1a"),
        "subject": subj(),
        "effectivePeriod": {"start": "2019-06-01", "end": "2024-01-01"},
    }
    administration = {
        "resourceType": "MedicationAdministration",
        "id": "a1",
        "status": "completed",
        "medicationCodeableConcept": cc(RXNORM, "312617", "predniSONE 5 MG Oral Tablet"),
        "subject": subj(),
        "effectiveDateTime": "2025-12-01T08:00:00Z",
    }
    not_taken = dict(statement, id="s2", status="not-taken")
    s, a = one(statement, administration, not_taken).medications
    assert (s.resource_type, s.start, s.end, s.status) == (
        "MedicationStatement",
        date(2019, 6, 1),
        date(2024, 1, 1),
        "completed",
    )
    assert (a.resource_type, a.start, a.end) == ("MedicationAdministration", date(2025, 12, 1), None)


# --- Procedure, AllergyIntolerance, unknown types --------------------------------


def test_procedure_period_and_datetime() -> None:
    p1 = {
        "resourceType": "Procedure",
        "id": "pr1",
        "status": "completed",
        "code": cc(SNOMED, "312681000", "Bone density scan (procedure)"),
        "subject": subj(),
        "performedPeriod": {"start": "2025-06-10T10:00:00Z", "end": "2025-06-10T10:15:00Z"},
    }
    p2 = {
        "resourceType": "Procedure",
        "id": "pr2",
        "status": "completed",
        "code": cc(SNOMED, "70536003"),
        "subject": subj(),
        "performedDateTime": "2010",
    }
    a, b = one(p1, p2).procedures
    assert (a.performed, a.performed_end, a.status) == (date(2025, 6, 10), date(2025, 6, 10), "completed")
    assert (b.performed, b.performed_end) == (date(2010, 1, 1), None)


def test_allergy_and_unknown_resource_types_are_ignored() -> None:
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "al1",
        "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
        "code": cc(SNOMED, "91936005", "Allergy to penicillin"),
        "patient": subj(),
        "recordedDate": "1990-05-01",
    }
    claim = {"resourceType": "Claim", "id": "x", "patient": subj()}
    strange = {"resourceType": "SomethingNew", "id": "y"}
    p = one(allergy, claim, strange)
    assert [(a.text, a.recorded, a.clinical_status) for a in p.allergies] == [
        ("Allergy to penicillin", date(1990, 5, 1), "active")
    ]
    assert p.conditions == p.observations == p.medications == p.procedures == []


def test_missing_fields_are_tolerated() -> None:
    p = one(
        {"resourceType": "Condition"},
        {"resourceType": "Observation", "code": "not a concept", "valueQuantity": []},
        {"resourceType": "MedicationRequest", "medicationCodeableConcept": {"coding": "x"}},
        {"resourceType": "Procedure", "performedPeriod": "2020"},
    )
    assert len(p.conditions) == len(p.observations) == len(p.medications) == len(p.procedures) == 1
    assert p.conditions[0].codes == [] and p.conditions[0].label() == "(no code)"


# --- bundles -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["collection", "transaction", "searchset"])
def test_bundle_types(kind: str) -> None:
    cond = {"resourceType": "Condition", "id": "c", "code": cc(SNOMED, "64859006"), "subject": subj()}
    assert len(one(cond, kind=kind).conditions) == 1


def test_several_patients_joined_on_subject_reference() -> None:
    data = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"fullUrl": "urn:uuid:aaa", "resource": {"resourceType": "Patient", "id": "aaa"}},
            {
                "fullUrl": "http://server/fhir/Patient/bbb",
                "resource": {"resourceType": "Patient", "id": "bbb"},
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c1",
                    "code": cc(SNOMED, "1"),
                    "subject": {"reference": "Patient/bbb"},
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c2",
                    "code": cc(SNOMED, "2"),
                    "subject": {"reference": "urn:uuid:aaa"},
                }
            },
            {
                "resource": {
                    "resourceType": "AllergyIntolerance",
                    "id": "a1",
                    "patient": {"reference": "http://server/fhir/Patient/bbb"},
                }
            },
            {"resource": {"resourceType": "Condition", "id": "c3", "subject": {"reference": "Patient/zzz"}}},
        ],
    }
    a, b = patients_from_fhir(data, "s.json")
    assert (a.id, [c.resource_id for c in a.conditions]) == ("aaa", ["c2"])
    assert (b.id, [c.resource_id for c in b.conditions], len(b.allergies)) == ("bbb", ["c1"], 1)


def test_patient_id_differs_from_full_url() -> None:
    data = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:u-1", "resource": {"resourceType": "Patient", "id": "p-one"}},
            {"fullUrl": "urn:uuid:u-2", "resource": {"resourceType": "Patient", "id": "p-two"}},
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c",
                    "subject": {"reference": "urn:uuid:u-2"},
                }
            },
        ],
    }
    one_, two = patients_from_fhir(data, "s.json")
    assert (len(one_.conditions), len(two.conditions)) == (0, 1)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "FHIR Bundle has no entries"),
        (
            {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Condition"}}]},
            "no FHIR Patient resource found",
        ),
        ({"resourceType": "Observation"}, "FHIR Observation is neither a Bundle nor a Patient"),
        ({"id": "x"}, "not a FHIR resource (no resourceType)"),
        ([1, 2], "not a FHIR resource (expected a JSON object)"),
    ],
)
def test_errors(data: object, problem: str) -> None:
    with pytest.raises(InputError) as info:
        patients_from_fhir(data, "b.json")
    assert str(info.value) == f"b.json: {problem}"


def test_read_fhir_file(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(bundle()), encoding="utf-8")
    [p] = read_fhir_file(path)
    assert p.id == PID and p.source == str(path)
    (tmp_path / "cut.json").write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    with pytest.raises(InputError, match="truncated JSON"):
        read_fhir_file(tmp_path / "cut.json")
