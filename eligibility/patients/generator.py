"""A small, deterministic, seedable generator of synthetic FHIR R4 patients.

It writes one FHIR R4 *transaction* Bundle per patient in Synthea's style
(urn:uuid fullUrls, `request: POST <type>`, SNOMED CT conditions and
procedures, LOINC observations with UCUM units, RxNorm medications), from a
compact scenario: what a test or a demo needs, and nothing else.

    python -m eligibility.patients.generator samples/patients/scenarios.yaml -o samples/patients/fhir/

Scenario file (YAML or JSON; see docs/patient-generator.md):

    index_date: 2026-01-01        # "today" for ages and relative dates (default 2026-01-01)
    seed: 1                       # changes uuids, times of day and ranged values
    patients:
      - id: p-osteo-eligible      # becomes Patient.id and the file name
        sex: female
        age: 68                   # at index_date (or birth_date: 1957-06-01)
        conditions:
          - {name: osteoporosis, onset: 2019-04-02}
          - {name: rheumatoid arthritis, onset: -10y, abatement: -2y}
        medications:
          - {name: alendronate, start: 2021-10-01, end: 2025-10-01}
        observations:
          - {name: egfr, value: 52, date: 2025-11-03}
          - {name: leukocytes, value: 4500, unit: /uL, date: -1m}
          - {name: blood pressure, systolic: 128, diastolic: 82, date: -1m}
          - {name: smoking status, value: never smoker, date: -1m}
          - {name: creatinine, value: [0.7, 1.0], date: -1m}   # drawn with the seed
        procedures:
          - {name: bone density scan, date: 2025-06-10}
        allergies:
          - {name: penicillin, date: 2001-05-01}

Names are looked up in `CATALOG` (codes and displays as Synthea writes them);
an entry may instead give `code`, `system` and `display` itself (and `unit`
for observations). Dates are ISO (`2024-05-01`, `2024-05`, `2024`) or
relative to the index date (`-2y`, `-6m`, `-30d`, `-1y6m`, `index`).

Same scenario + same seed -> byte-identical files. Every random choice comes
from a `random.Random` seeded with `"<seed>:<patient id>"`, so a patient's
file does not change when other patients are added.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from eligibility.errors import InputError, read_input
from eligibility.patients.profile import load_yaml_bytes, validation_problem

__all__ = [
    "CATALOG",
    "Scenario",
    "bundle_for",
    "generate",
    "load_scenario",
    "main",
    "write_bundles",
]

DEFAULT_INDEX_DATE = date(2026, 1, 1)

SYSTEM_URIS = {
    "snomed": "http://snomed.info/sct",
    "loinc": "http://loinc.org",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "cvx": "http://hl7.org/fhir/sid/cvx",
    "ucum": "http://unitsofmeasure.org",
}


@dataclass(frozen=True)
class Concept:
    """A catalog entry: code, display, and for labs a UCUM unit and reference range."""

    system: str
    code: str
    display: str
    unit: str | None = None
    low: float | None = None
    high: float | None = None
    category: str = "laboratory"


# Codes and displays as Synthea (v2.x) writes them where Synthea has the
# concept; the others are the standard SNOMED CT / LOINC / RxNorm concepts.
CATALOG: dict[str, dict[str, Concept]] = {
    "conditions": {
        "osteoporosis": Concept("snomed", "64859006", "Osteoporosis (disorder)"),
        "osteoporotic fracture": Concept(
            "snomed", "443165006", "Pathological fracture due to osteoporosis (disorder)"
        ),
        "rheumatoid arthritis": Concept("snomed", "69896004", "Rheumatoid arthritis"),
        "breast cancer": Concept("snomed", "254837009", "Malignant neoplasm of breast (disorder)"),
        "multiple sclerosis": Concept("snomed", "24700007", "Multiple sclerosis (disorder)"),
        "relapsing remitting multiple sclerosis": Concept(
            "snomed", "426373005", "Relapsing remitting multiple sclerosis (disorder)"
        ),
        "hypertension": Concept("snomed", "38341003", "Hypertension"),
        "chronic kidney disease stage 3": Concept(
            "snomed", "433144002", "Chronic kidney disease stage 3 (disorder)"
        ),
        "prediabetes": Concept("snomed", "15777000", "Prediabetes"),
        "diabetes": Concept("snomed", "44054006", "Diabetes"),
        "hyperlipidemia": Concept("snomed", "55822004", "Hyperlipidemia"),
        "osteoarthritis of knee": Concept("snomed", "239873007", "Osteoarthritis of knee"),
        "anemia": Concept("snomed", "271737000", "Anemia (disorder)"),
        "systemic lupus erythematosus": Concept(
            "snomed", "55464009", "Systemic lupus erythematosus (disorder)"
        ),
        "hypothyroidism": Concept("snomed", "40930008", "Hypothyroidism (disorder)"),
        "obesity": Concept("snomed", "162864005", "Body mass index 30+ - obesity (finding)"),
    },
    "medications": {
        "alendronate": Concept("rxnorm", "904419", "Alendronic acid 10 MG Oral Tablet"),
        "zoledronic acid": Concept("rxnorm", "1114085", "100 ML zoledronic acid 0.04 MG/ML Injection"),
        "denosumab": Concept("rxnorm", "993452", "1 ML denosumab 60 MG/ML Prefilled Syringe"),
        "interferon beta-1a": Concept("rxnorm", "75917", "interferon beta-1a"),
        "fingolimod": Concept("rxnorm", "1012892", "fingolimod"),
        "prednisone": Concept("rxnorm", "312617", "predniSONE 5 MG Oral Tablet"),
        "methotrexate": Concept("rxnorm", "105586", "Methotrexate 10 MG Oral Tablet"),
        "hydrochlorothiazide": Concept("rxnorm", "316049", "Hydrochlorothiazide 25 MG"),
        "amlodipine": Concept("rxnorm", "197361", "Amlodipine 5 MG Oral Tablet"),
        "simvastatin": Concept("rxnorm", "312961", "Simvastatin 20 MG Oral Tablet"),
        "aspirin": Concept("rxnorm", "243670", "Aspirin 81 MG Oral Tablet"),
        "clopidogrel": Concept("rxnorm", "309362", "Clopidogrel 75 MG Oral Tablet"),
    },
    "observations": {
        "egfr": Concept("loinc", "33914-3", "Estimated Glomerular Filtration Rate", "mL/min/{1.73_m2}"),
        "creatinine": Concept("loinc", "38483-4", "Creatinine", "mg/dL", 0.6, 1.3),
        "leukocytes": Concept(
            "loinc", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.5, 11.0
        ),
        "neutrophils": Concept(
            "loinc", "751-8", "Neutrophils [#/volume] in Blood by Automated count", "10*3/uL", 1.8, 7.7
        ),
        "platelets": Concept(
            "loinc", "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150.0, 450.0
        ),
        "hemoglobin": Concept("loinc", "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 17.5),
        "ast": Concept(
            "loinc",
            "1920-8",
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
            10.0,
            40.0,
        ),
        "alt": Concept(
            "loinc",
            "1742-6",
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
            7.0,
            56.0,
        ),
        "alkaline phosphatase": Concept(
            "loinc",
            "6768-6",
            "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
            44.0,
            147.0,
        ),
        "bilirubin": Concept(
            "loinc", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.1, 1.2
        ),
        "tsh": Concept(
            "loinc", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 0.4, 4.0
        ),
        "calcium": Concept("loinc", "49765-1", "Calcium", "mg/dL", 8.5, 10.2),
        "hba1c": Concept("loinc", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%"),
        "dxa t-score": Concept("loinc", "38265-5", "DXA [T-score] Bone density", "{T-score}"),
        "body weight": Concept("loinc", "29463-7", "Body Weight", "kg", category="vital-signs"),
        "body height": Concept("loinc", "8302-2", "Body Height", "cm", category="vital-signs"),
        "bmi": Concept("loinc", "39156-5", "Body Mass Index", "kg/m2", category="vital-signs"),
        "blood pressure": Concept(
            "loinc", "85354-9", "Blood pressure panel with all children optional", category="vital-signs"
        ),
        "systolic blood pressure": Concept(
            "loinc", "8480-6", "Systolic Blood Pressure", "mm[Hg]", category="vital-signs"
        ),
        "diastolic blood pressure": Concept(
            "loinc", "8462-4", "Diastolic Blood Pressure", "mm[Hg]", category="vital-signs"
        ),
        "smoking status": Concept("loinc", "72166-2", "Tobacco smoking status NHIS", category="survey"),
    },
    "procedures": {
        "bone density scan": Concept("snomed", "312681000", "Bone density scan (procedure)"),
        "kidney transplant": Concept("snomed", "70536003", "Transplant of kidney (procedure)"),
        "lung transplant": Concept("snomed", "88039007", "Transplant of lung (procedure)"),
        "mammography": Concept("snomed", "71651007", "Mammography (procedure)"),
        "colonoscopy": Concept("snomed", "73761001", "Colonoscopy"),
        "chemotherapy and radiation": Concept(
            "snomed", "703423002", "Combined chemotherapy and radiation therapy (procedure)"
        ),
    },
    "allergies": {
        "penicillin": Concept("snomed", "91936005", "Allergy to penicillin"),
        "peanuts": Concept("snomed", "91935009", "Allergy to peanuts"),
        "mould": Concept("snomed", "419474003", "Allergy to mould"),
    },
}

# Coded answers (valueCodeableConcept), as Synthea writes smoking status.
VALUE_CONCEPTS: dict[str, Concept] = {
    "never smoker": Concept("snomed", "266919005", "Never smoker"),
    "former smoker": Concept("snomed", "8517006", "Former smoker"),
    "current every day smoker": Concept("snomed", "449868002", "Smokes tobacco daily"),
}

_RELATIVE = re.compile(r"^-(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_or_text(value: object) -> object:
    """Keep relative dates as text; YAML dates and years become ISO text too."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "index" or (text.startswith("-") and _RELATIVE.match(text) and text != "-"):
            return text
        if _PARTIAL.match(text):
            return text
    raise ValueError("expected a date (2024-05-01, 2024-05, 2024) or a relative one (-2y, -6m, -30d, index)")


def _code_text(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _named(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


When = Annotated[str, BeforeValidator(_date_or_text)]
CodeText = Annotated[str, BeforeValidator(_code_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Item(_Strict):
    name: str | None = None
    code: CodeText | None = None
    system: Literal["snomed", "loinc", "rxnorm", "icd10cm", "cvx"] | None = None
    display: str | None = None

    @model_validator(mode="after")
    def _known(self) -> _Item:
        if self.code is None and self.name is None:
            raise ValueError("give a catalog name or a code")
        if self.code is not None and self.system is None:
            raise ValueError("a code needs its system (snomed, loinc, rxnorm, icd10cm, cvx)")
        return self


class ConditionItem(_Item):
    onset: When | None = None
    abatement: When | None = None


class MedicationItem(_Item):
    start: When
    end: When | None = None
    status: Literal["active", "stopped", "completed"] | None = None


class ObservationItem(_Item):
    value: float | str | tuple[float, float] | None = None
    unit: str | None = None
    date: When = "index"
    systolic: float | None = None
    diastolic: float | None = None
    low: float | None = None
    high: float | None = None


class ProcedureItem(_Item):
    date: When
    end: When | None = None


class AllergyItem(_Item):
    date: When | None = None


class ScenarioPatient(_Strict):
    id: Annotated[str, BeforeValidator(_code_text)] = Field(min_length=1, pattern=r"^[A-Za-z0-9\-.]{1,64}$")
    description: str | None = None
    sex: Literal["female", "male"]
    age: int | None = Field(default=None, ge=0, le=120)
    birth_date: When | None = None
    given: str | None = None
    family: str | None = None
    deceased: When | None = None
    conditions: list[Annotated[ConditionItem, BeforeValidator(_named)]] = Field(default_factory=list)
    medications: list[MedicationItem] = Field(default_factory=list)
    observations: list[ObservationItem] = Field(default_factory=list)
    procedures: list[ProcedureItem] = Field(default_factory=list)
    allergies: list[Annotated[AllergyItem, BeforeValidator(_named)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _birth(self) -> ScenarioPatient:
        if (self.age is None) == (self.birth_date is None):
            raise ValueError("give exactly one of age or birth_date")
        return self


class Scenario(_Strict):
    index_date: date = DEFAULT_INDEX_DATE
    seed: int = 0
    patients: list[ScenarioPatient]

    @model_validator(mode="after")
    def _unique(self) -> Scenario:
        seen: set[str] = set()
        for patient in self.patients:
            if patient.id in seen:
                raise ValueError(f"patient id {patient.id!r} is used twice")
            seen.add(patient.id)
        return self


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML or JSON)."""
    return scenario_from_data(load_yaml_bytes(read_input(path), str(path)), str(path))


def scenario_from_data(data: object, source: str = "scenario") -> Scenario:
    if isinstance(data, list):
        data = {"patients": data}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, validation_problem(exc)) from None


# --- building bundles ---------------------------------------------------------


class _Builder:
    def __init__(self, patient: ScenarioPatient, index_date: date, seed: int) -> None:
        self.patient = patient
        self.index_date = index_date
        self.rng = random.Random(f"{seed}:{patient.id}")
        self.time = f"T{self.rng.randint(7, 17):02d}:{self.rng.randint(0, 59):02d}:{self.rng.randint(0, 59):02d}+00:00"
        self.patient_url = self.new_url()
        self.entries: list[dict[str, Any]] = []

    def new_url(self) -> str:
        return f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def when(self, text: str) -> date:
        if text == "index":
            return self.index_date
        m = _RELATIVE.match(text)
        if m and text.startswith("-"):
            years, months, weeks, days = (int(g) if g else 0 for g in m.groups())
            return self.index_date - relativedelta(years=years, months=months, weeks=weeks, days=days)
        p = _PARTIAL.match(text)
        if p is None:  # validated already
            raise ValueError(text)
        return date(int(p.group(1)), int(p.group(2) or 1), int(p.group(3) or 1))

    def stamp(self, day: date) -> str:
        return day.isoformat() + self.time

    def concept(self, kind: str, item: _Item) -> Concept:
        if item.code is not None and item.system is not None:
            base = CATALOG[kind].get((item.name or "").lower())
            return Concept(
                item.system,
                item.code,
                item.display or item.name or item.code,
                getattr(item, "unit", None) or (base.unit if base else None),
            )
        key = (item.name or "").strip().lower()
        found = CATALOG[kind].get(key)
        if found is None:
            known = ", ".join(sorted(CATALOG[kind]))
            raise ValueError(
                f"{kind}: unknown name {item.name!r} (give code/system/display, or one of: {known})"
            )
        return found

    def add(self, resource: dict[str, Any]) -> None:
        url = self.new_url()
        resource = {"resourceType": resource.pop("resourceType"), "id": url[9:], **resource}
        self.entries.append(
            {
                "fullUrl": url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"]},
            }
        )

    def subject(self) -> dict[str, str]:
        return {"reference": self.patient_url}


def _cc(concept: Concept) -> dict[str, Any]:
    return {
        "coding": [{"system": SYSTEM_URIS[concept.system], "code": concept.code, "display": concept.display}],
        "text": concept.display,
    }


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": f"http://terminology.hl7.org/CodeSystem/{system}", "code": code}]}


def _quantity(value: float, unit: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value}
    if unit:
        out.update({"unit": unit, "system": SYSTEM_URIS["ucum"], "code": unit})
    return out


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def bundle_for(
    patient: ScenarioPatient, index_date: date = DEFAULT_INDEX_DATE, seed: int = 0
) -> dict[str, Any]:
    """One scenario patient -> a FHIR R4 transaction Bundle (a JSON-ready dict)."""
    b = _Builder(patient, index_date, seed)
    if patient.birth_date is not None:
        birth = b.when(patient.birth_date)
    else:
        # A birthday 1..330 days before the index date's anniversary: the age holds exactly.
        birth = index_date - relativedelta(years=patient.age or 0, days=b.rng.randint(1, 330))
    given = patient.given or "Synthetic"
    family = patient.family or patient.id
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.id,
        "identifier": [{"system": "https://github.com/synthetichealth/synthea", "value": b.patient_url[9:]}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": patient.sex,
        "birthDate": birth.isoformat(),
    }
    if patient.deceased is not None:
        resource["deceasedDateTime"] = b.stamp(b.when(patient.deceased))
    b.entries.append(
        {"fullUrl": b.patient_url, "resource": resource, "request": {"method": "POST", "url": "Patient"}}
    )

    for c in patient.conditions:
        concept = b.concept("conditions", c)
        onset = b.when(c.onset) if c.onset else birth
        abatement = b.when(c.abatement) if c.abatement else None
        cond: dict[str, Any] = {
            "resourceType": "Condition",
            "clinicalStatus": _status(
                "condition-clinical", "resolved" if abatement and abatement <= index_date else "active"
            ),
            "verificationStatus": _status("condition-ver-status", "confirmed"),
            "code": _cc(concept),
            "subject": b.subject(),
            "onsetDateTime": b.stamp(onset),
        }
        if abatement:
            cond["abatementDateTime"] = b.stamp(abatement)
        cond["recordedDate"] = b.stamp(onset)
        b.add(cond)

    for m in patient.medications:
        concept = b.concept("medications", m)
        start = b.when(m.start)
        end = b.when(m.end) if m.end else None
        status = m.status or ("stopped" if end and end <= index_date else "active")
        med: dict[str, Any] = {
            "resourceType": "MedicationRequest",
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": _cc(concept),
            "subject": b.subject(),
            "authoredOn": b.stamp(start),
        }
        if end:
            med["dispenseRequest"] = {"validityPeriod": {"start": b.stamp(start), "end": b.stamp(end)}}
        b.add(med)

    for o in patient.observations:
        concept = b.concept("observations", o)
        when = b.stamp(b.when(o.date))
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": concept.category,
                            "display": concept.category,
                        }
                    ]
                }
            ],
            "code": _cc(concept),
            "subject": b.subject(),
            "effectiveDateTime": when,
            "issued": when,
        }
        if o.systolic is not None or o.diastolic is not None:
            parts = []
            for name, reading in (
                ("diastolic blood pressure", o.diastolic),
                ("systolic blood pressure", o.systolic),
            ):
                if reading is not None:
                    part = CATALOG["observations"][name]
                    parts.append({"code": _cc(part), "valueQuantity": _quantity(_number(reading), part.unit)})
            obs["component"] = parts
        elif isinstance(o.value, str):
            answer = VALUE_CONCEPTS.get(o.value.strip().lower())
            if answer is not None:
                obs["valueCodeableConcept"] = _cc(answer)
            else:
                obs["valueString"] = o.value
        elif o.value is not None:
            if isinstance(o.value, tuple):
                low, high = o.value
                amount = round(b.rng.uniform(min(low, high), max(low, high)), 1)
            else:
                amount = o.value
            unit = o.unit or concept.unit
            obs["valueQuantity"] = _quantity(_number(amount), unit)
            low_ref = o.low if o.low is not None else (concept.low if unit == concept.unit else None)
            high_ref = o.high if o.high is not None else (concept.high if unit == concept.unit else None)
            if low_ref is not None or high_ref is not None:
                ref: dict[str, Any] = {}
                if low_ref is not None:
                    ref["low"] = _quantity(_number(low_ref), unit)
                if high_ref is not None:
                    ref["high"] = _quantity(_number(high_ref), unit)
                obs["referenceRange"] = [ref]
        b.add(obs)

    for p in patient.procedures:
        concept = b.concept("procedures", p)
        start_day = b.when(p.date)
        end_day = b.when(p.end) if p.end else start_day
        b.add(
            {
                "resourceType": "Procedure",
                "status": "completed",
                "code": _cc(concept),
                "subject": b.subject(),
                "performedPeriod": {"start": b.stamp(start_day), "end": b.stamp(end_day)},
            }
        )

    for a in patient.allergies:
        concept = b.concept("allergies", a)
        allergy: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": _status("allergyintolerance-clinical", "active"),
            "verificationStatus": _status("allergyintolerance-verification", "confirmed"),
            "type": "allergy",
            "criticality": "low",
            "code": _cc(concept),
            "patient": b.subject(),
        }
        if a.date:
            allergy["recordedDate"] = b.stamp(b.when(a.date))
        b.add(allergy)

    return {"resourceType": "Bundle", "type": "transaction", "entry": b.entries}


def generate(scenario: Scenario, seed: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(patient id, bundle) for every scenario patient, in scenario order."""
    use_seed = scenario.seed if seed is None else seed
    return [(p.id, bundle_for(p, scenario.index_date, use_seed)) for p in scenario.patients]


def dumps(bundle: Mapping[str, Any]) -> str:
    """The canonical text of a bundle: stable key order, 1-space indent, newline at the end."""
    return json.dumps(bundle, indent=1, ensure_ascii=False) + "\n"


def write_bundles(scenario: Scenario, out_dir: str | Path, seed: int | None = None) -> list[Path]:
    """Write `<patient id>.json` for every patient; returns the paths written."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for pid, bundle in generate(scenario, seed):
        path = folder / f"{pid}.json"
        path.write_text(dumps(bundle), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eligibility.patients.generator",
        description="Write one synthetic FHIR R4 transaction Bundle per scenario patient.",
    )
    parser.add_argument("scenario", help="scenario file (YAML or JSON)")
    parser.add_argument("-o", "--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        paths = write_bundles(scenario, args.out, args.seed)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # an unknown catalog name
        print(f"error: {args.scenario}: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(paths)} bundles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
