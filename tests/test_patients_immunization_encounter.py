"""Immunizations and hospital stays in a FHIR record meet the criteria about them.

Synthea (and EHR exports) record a vaccine as an Immunization coded in CVX and
a hospital stay or emergency visit as an Encounter; neither is a Medication*
or a Procedure resource, so without reading them a vaccinated or recently
admitted patient was "not met" for every vaccine or hospitalisation criterion.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import eligibility
from eligibility.matching.evaluate import match_patient
from eligibility.matching.verdicts import Verdict
from eligibility.patients.fhir import patients_from_fhir, read_fhir_file
from eligibility.patients.model import MedicationFact, Patient, ProcedureFact
from eligibility.patients.ndjson import iter_ndjson_patients

AS_OF = date(2026, 1, 1)
PID = "22222222-2222-2222-2222-222222222222"
CVX = "http://hl7.org/fhir/sid/cvx"
SNOMED = "http://snomed.info/sct"
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SYNTHEA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "synthea"


def immunization(rid: str, code: str, display: str, when: str, status: str = "completed") -> dict[str, Any]:
    return {
        "resourceType": "Immunization", "id": rid, "status": status,
        "vaccineCode": {"coding": [{"system": CVX, "code": code, "display": display}], "text": display},
        "patient": {"reference": f"urn:uuid:{PID}"}, "occurrenceDateTime": f"{when}T10:00:00-05:00",
        "primarySource": True,
    }


def encounter(rid: str, klass: str, code: str, display: str, start: str, end: str,
              status: str = "finished") -> dict[str, Any]:
    return {
        "resourceType": "Encounter", "id": rid, "status": status,
        "class": {"system": ACT, "code": klass},
        "type": [{"coding": [{"system": SNOMED, "code": code, "display": display}], "text": display}],
        "subject": {"reference": f"urn:uuid:{PID}"},
        "period": {"start": f"{start}T08:00:00-05:00", "end": f"{end}T12:00:00-05:00"},
    }


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": PID, "gender": "female", "birthDate": "1960-05-01"}
    entries = [{"fullUrl": f"urn:uuid:{PID}", "resource": patient}]
    entries += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def read(*resources: dict[str, Any]) -> Patient:
    [patient] = patients_from_fhir(bundle(*resources), "t.json")
    return patient


RECORD = (
    immunization("flu", "140", "Influenza, seasonal, injectable, preservative free", "2025-10-15"),
    immunization("mmr", "03", "MMR", "2025-12-20"),
    immunization("skipped", "121", "zoster", "2025-12-01", status="not-done"),
    encounter("stay", "IMP", "183452005", "Encounter Inpatient", "2025-11-02", "2025-11-06"),
    encounter("er", "EMER", "50849002", "Emergency room admission (procedure)", "2024-03-01", "2024-03-01"),
    encounter("checkup", "AMB", "162673000", "General examination of patient (procedure)", "2025-12-28",
              "2025-12-28"),
)


def test_immunizations_are_vaccines_given_on_one_day() -> None:
    patient = read(*RECORD)
    vaccines = {m.resource_id: m for m in patient.medications}
    assert set(vaccines) == {"flu", "mmr"}  # not-done is not a fact about the patient
    flu = vaccines["flu"]
    assert isinstance(flu, MedicationFact) and flu.resource_type == "Immunization"
    assert [(c.system, c.code) for c in flu.codes] == [("cvx", "140")]
    assert flu.text == "Influenza, seasonal, injectable, preservative free"
    assert flu.start == flu.end == date(2025, 10, 15) and flu.status == "completed"


def test_inpatient_and_emergency_encounters_are_stays_ambulatory_ones_are_not_read() -> None:
    patient = read(*RECORD)
    stays = {p.resource_id: p for p in patient.procedures}
    assert set(stays) == {"stay", "er"}
    stay = stays["stay"]
    assert isinstance(stay, ProcedureFact) and stay.resource_type == "Encounter"
    assert {(c.system, c.code) for c in stay.codes} == {("snomed", "183452005"), ("snomed", "32485007")}
    assert (stay.performed, stay.performed_end) == (date(2025, 11, 2), date(2025, 11, 6))
    assert {c.code for c in stays["er"].codes} == {"50849002", "4525004"}


@pytest.mark.parametrize("klass", [
    {"system": ACT, "code": "ACUTE"},
    [{"coding": [{"system": ACT, "code": "IMP"}]}],  # R5: a list of CodeableConcepts
    {"code": "inpatient"},  # older Synthea
])
def test_other_spellings_of_an_inpatient_class(klass: object) -> None:
    stay = encounter("stay", "IMP", "183452005", "Encounter Inpatient", "2025-11-02", "2025-11-06")
    stay["class"] = klass
    [fact] = read(stay).procedures
    assert any(c.code == "32485007" for c in fact.codes)


def test_planned_or_cancelled_encounters_are_not_stays() -> None:
    planned = encounter("p", "IMP", "183452005", "Encounter Inpatient", "2026-02-01", "2026-02-03", status="planned")
    cancelled = encounter("c", "EMER", "50849002", "Emergency room admission", "2025-12-01", "2025-12-01",
                          status="cancelled")
    assert read(planned, cancelled).procedures == []


def test_ndjson_export_reads_them_too(tmp_path: Path) -> None:
    lines = [json.dumps(entry["resource"]) for entry in bundle(*RECORD)["entry"]]
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join(lines) + "\n")
    [patient] = list(iter_ndjson_patients([path]))
    assert {m.resource_id for m in patient.medications} == {"flu", "mmr"}
    assert {p.resource_id for p in patient.procedures} == {"stay", "er"}


def verdict(criterion: str, patient: Patient, section: str = "Exclusion") -> Verdict:
    [rules] = eligibility.parse(f"{section} Criteria:\n* {criterion}", text=True)
    [crit] = rules.criteria
    result = match_patient(rules, patient, AS_OF)
    [found] = [c for c in result.criteria if c.id == crit.id]
    return found.verdict


@pytest.mark.parametrize(("criterion", "with_record", "without"), [
    ("Received any live vaccine within 4 weeks", Verdict.met, Verdict.not_met),  # MMR on 2025-12-20
    ("Received a live attenuated vaccine within 7 days", Verdict.not_met, Verdict.not_met),
    ("Influenza vaccination within the past 12 months", Verdict.met, Verdict.not_met),
    ("Hospitalization within the past 3 months", Verdict.met, Verdict.not_met),  # 2025-11-02..06
    ("Hospitalization within the past 30 days", Verdict.not_met, Verdict.not_met),
    # an admission says nothing of the ward it was to
    ("Psychiatric hospitalization within 10 years", Verdict.not_met, Verdict.not_met),
    ("Emergency room visit in the last 30 days", Verdict.not_met, Verdict.not_met),  # it was in 2024
    ("Emergency room visit in the past 2 years", Verdict.met, Verdict.not_met),
])
def test_verdicts_follow_the_record(criterion: str, with_record: Verdict, without: Verdict) -> None:
    assert verdict(criterion, read(*RECORD)) == with_record
    assert verdict(criterion, read(RECORD[-1])) == without  # only a check-up


def test_an_inactivated_vaccine_is_not_a_live_one() -> None:
    flu_only = read(RECORD[0])
    assert verdict("Received any live vaccine within 6 months", flu_only) == Verdict.not_met
    assert verdict("Received any vaccine within 6 months", flu_only) == Verdict.met


def test_a_vaccine_given_is_not_a_current_medication() -> None:
    # a dose given once ended that day: "currently taking" is about drugs still taken
    assert verdict("Currently receiving influenza vaccine", read(RECORD[0])) == Verdict.not_met


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason="../shared/data/synthea is not present")
def test_real_synthea_bundle_has_immunizations_and_every_cvx_code_is_known() -> None:
    from eligibility.knowledge.concepts import medications

    lex = medications()
    files = sorted(SYNTHEA.glob("*.json"))
    patients = [p for f in files for p in read_fhir_file(f)]
    vaccines = [m for p in patients for m in p.medications if m.resource_type == "Immunization"]
    assert vaccines and all(m.start is not None and m.codes[0].system == "cvx" for m in vaccines)
    unknown = {m.codes[0].code for m in vaccines if not lex.ids_for_code("cvx", m.codes[0].code)}
    assert unknown == set()
    stays = [s for p in patients for s in p.procedures if s.resource_type == "Encounter"]
    assert stays and all(s.performed is not None for s in stays)
