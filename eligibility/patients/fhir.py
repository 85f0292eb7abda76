"""A lean, tolerant reader of FHIR R4 JSON (as Synthea writes it) into `Patient`.

Only the resources and elements the matcher needs are read; everything else
(Claim, ExplanationOfBenefit, ambulatory Encounters, extensions, narrative...)
is skipped without being looked at. Real exports are messy, so every element is optional
and checked for its JSON type before use: a malformed element is ignored, not
fatal. What *is* fatal is reported as `InputError(source, problem)`: a bundle
without any Patient, or a document that is not FHIR at all.

Public functions:

- `patients_from_fhir(data, source)`: a parsed Bundle or a single resource
  (Patient) -> list of patients.
- `patients_from_resources(resources, source)`: any iterable of resources
  (bundle entries, NDJSON lines) -> patients, joined on their subject.
- `patient_id_of(resource)`: the patient a clinical resource refers to.
- `facts_from_resource(resource, medications)`: one clinical resource -> its
  facts (`ConditionFact`, `ObservationFact`, ...), with the model list they
  belong in.
- `read_fhir_file(path)`: load a JSON file (orjson when installed) and read it.

Conventions:

- Codings are mapped to short system names (`snomed`, `icd10cm`, `rxnorm`,
  `loinc`, `cvx`, else `other`); displays and texts are cleaned of zero-width
  characters and runs of whitespace.
- Dates keep only their date part; a partial date ("2019", "2019-05") becomes
  the first day of the period.
- Conditions and allergies whose verification status is `entered-in-error` or
  `refuted` are skipped, as are medications and procedures with status
  `entered-in-error`, `not-taken` or `not-done`: they are not facts about the
  patient.
- An Immunization given (status not `not-done` or `entered-in-error`) is a
  `MedicationFact` dated its occurrence (start = end), coded in CVX: for the
  matcher a vaccine is a drug given once, and "no vaccine in the record"
  must not be said of a vaccinated patient.
- An inpatient (class IMP, ACUTE, NONAC) or emergency (EMER) Encounter is a
  `ProcedureFact` over its period, with its type codings plus SNOMED 32485007
  "Hospital admission" or 4525004 "Emergency department patient visit";
  ambulatory, wellness, home and virtual encounters are not read.
- An Observation with components (a blood-pressure panel, 85354-9 or
  55284-4) becomes one fact per component, with the panel's date and the id
  `<observation-id>#<component-code>`; the panel itself is kept only when it
  has a value of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eligibility.errors import InputError, read_input
from eligibility.patients.model import (
    AllergyFact,
    CodeSystem,
    Coding,
    ConditionFact,
    Fact,
    MedicationFact,
    ObservationFact,
    Patient,
    ProcedureFact,
)

try:  # orjson is optional: about 1.7x faster than json on Synthea bundles.
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None  # type: ignore[assignment]

# Parse with orjson when it is installed; set to False to use the json module.
USE_ORJSON = _orjson is not None

__all__ = [
    "SYSTEMS",
    "USE_ORJSON",
    "clean_text",
    "encounter_coding",
    "facts_from_resource",
    "fhir_date",
    "load_json_bytes",
    "patient_id_of",
    "patients_from_fhir",
    "patients_from_resources",
    "read_fhir_file",
    "short_system",
]

SYSTEMS: dict[str, CodeSystem] = {
    "http://snomed.info/sct": "snomed",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10cm",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "http://loinc.org": "loinc",
    "http://hl7.org/fhir/sid/cvx": "cvx",
    "http://www.whocc.no/atc": "atc",
}

CLINICAL_TYPES = frozenset(
    {
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationStatement",
        "MedicationAdministration",
        "Procedure",
        "AllergyIntolerance",
        "Immunization",
        "Encounter",
    }
)

_SKIP_VERIFICATION = frozenset({"entered-in-error", "refuted"})
_SKIP_STATUS = frozenset({"entered-in-error", "not-taken", "not-done"})
_SKIP_ENCOUNTER = frozenset({"planned", "cancelled", "entered-in-error"})
# Encounter.class (v3 ActCode; older Synthea wrote plain words) -> the coding a
# stay of that class stands for. An encounter in the record is the admission
# or the emergency visit itself (Synthea writes no Procedure for either), so
# criteria about hospitalisation can only be met from it. Ambulatory and
# wellness visits are left out: every patient has them and none is a stay.
_ADMISSION = Coding(system="snomed", code="32485007", display="Hospital admission")
_EMERGENCY_VISIT = Coding(system="snomed", code="4525004", display="Emergency department patient visit")
_ENCOUNTER_CLASSES = {
    "imp": _ADMISSION,
    "acute": _ADMISSION,
    "nonac": _ADMISSION,
    "inpatient": _ADMISSION,
    "emer": _EMERGENCY_VISIT,
    "emergency": _EMERGENCY_VISIT,
}
_GENDERS = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}

# Zero-width and invisible characters seen in real exports (U+200B..U+200D,
# U+2060 word joiner, U+FEFF BOM, soft hyphen), then any run of whitespace.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def short_system(system: object) -> CodeSystem:
    """The model's short name for a FHIR code-system URI."""
    if isinstance(system, str):
        found = SYSTEMS.get(system.strip().rstrip("/"))
        if found is not None:
            return found
    return "other"


def clean_text(value: object) -> str | None:
    """A display or text without invisible characters and odd whitespace."""
    if not isinstance(value, str):
        return None
    if _INVISIBLE.search(value):
        value = _INVISIBLE.sub("", value)
    value = _SPACES.sub(" ", value).strip()
    return value or None


def fhir_date(value: object) -> date | None:
    """The date part of a FHIR date or dateTime; partial dates -> first day."""
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if m is None:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:
            return None
        return result if result == result and result not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
        return result if result == result and result not in (float("inf"), float("-inf")) else None
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _codings(concept: Mapping[str, Any]) -> list[Coding]:
    codes: list[Coding] = []
    for coding in _list(concept.get("coding")):
        if not isinstance(coding, dict):
            continue
        code = coding.get("code")
        if isinstance(code, int | float) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not code.strip():
            continue
        codes.append(
            Coding(
                system=short_system(coding.get("system")),
                code=code.strip(),
                display=clean_text(coding.get("display")),
            )
        )
    return codes


def _concept(value: object) -> tuple[list[Coding], str | None]:
    """Codings and a label (text, else the first display) of a CodeableConcept."""
    concept = _dict(value)
    codes = _codings(concept)
    text = clean_text(concept.get("text"))
    if text is None:
        for coding in codes:
            if coding.display:
                text = coding.display
                break
    return codes, text


def _status_code(value: object) -> str | None:
    """The code of a status CodeableConcept (or a bare status string)."""
    if isinstance(value, str):
        return clean_text(value)
    concept = _dict(value)
    for coding in _list(concept.get("coding")):
        if isinstance(coding, dict):
            code = clean_text(coding.get("code"))
            if code:
                return code.lower()
    text = clean_text(concept.get("text"))
    return text.lower() if text else None


def _period(value: object) -> tuple[date | None, date | None]:
    period = _dict(value)
    return fhir_date(period.get("start")), fhir_date(period.get("end"))


def _reference_id(reference: object) -> str | None:
    """`urn:uuid:<id>`, `Patient/<id>`, `http://host/fhir/Patient/<id>/_history/2` -> `<id>`."""
    ref = _dict(reference).get("reference") if isinstance(reference, dict) else reference
    if not isinstance(ref, str):
        return None
    ref = ref.strip()
    if not ref:
        return None
    if ref.startswith("urn:uuid:") or ref.startswith("urn:oid:"):
        return ref[9:] or None
    parts = [p for p in ref.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return parts[-1] if parts else None


def patient_id_of(resource: Mapping[str, Any]) -> str | None:
    """The id of the patient a clinical resource is about (subject or patient)."""
    ref = resource.get("subject")
    if ref is None:
        ref = resource.get("patient")
    return _reference_id(ref)


# --- facts -------------------------------------------------------------------


def encounter_coding(resource: Mapping[str, Any]) -> Coding | None:
    """The admission or emergency-visit coding an Encounter stands for, from
    its class; None for the encounters that are not read (ambulatory, ...)."""
    value = resource.get("class")
    # R4 writes one Coding; R5 a list of CodeableConcepts
    items = value if isinstance(value, list) else [value]
    for item in items:
        item = _dict(item)
        for coding in [item, *_list(item.get("coding"))]:
            code = _dict(coding).get("code")
            if isinstance(code, str):
                found = _ENCOUNTER_CLASSES.get(code.strip().lower())
                if found is not None:
                    return found
    return None


MedicationIndex = Mapping[str, tuple[list[Coding], str | None]]


def _medication(resource: Mapping[str, Any], medications: MedicationIndex) -> tuple[list[Coding], str | None]:
    if "medicationCodeableConcept" in resource:
        return _concept(resource.get("medicationCodeableConcept"))
    ref = _dict(resource.get("medicationReference"))
    target = ref.get("reference")
    if isinstance(target, str):
        if target.startswith("#"):
            for contained in _list(resource.get("contained")):
                if (
                    isinstance(contained, dict)
                    and contained.get("resourceType") == "Medication"
                    and contained.get("id") == target[1:]
                ):
                    return _concept(contained.get("code"))
        found = medications.get(target)
        if found is None:
            rid = _reference_id(target)
            if rid is not None:
                found = medications.get(rid)
        if found is not None:
            return found
    return [], clean_text(ref.get("display"))


def _route(resource: Mapping[str, Any]) -> str | None:
    dosage = resource.get("dosage")  # MedicationAdministration: one object
    if isinstance(dosage, dict):
        return _concept(dosage.get("route"))[1]
    for item in _list(resource.get("dosageInstruction")) + _list(dosage):
        if isinstance(item, dict) and "route" in item:
            return _concept(item.get("route"))[1]
    return None


def _observation_value(source: Mapping[str, Any]) -> dict[str, Any]:
    """value[x] of an Observation or one of its components, as model fields."""
    out: dict[str, Any] = {}
    if "valueQuantity" in source:
        quantity = _dict(source.get("valueQuantity"))
        out["value"] = _number(quantity.get("value"))
        out["unit"] = clean_text(quantity.get("unit")) or clean_text(quantity.get("code"))
    elif "valueCodeableConcept" in source:
        codes, text = _concept(source.get("valueCodeableConcept"))
        out["value_code"] = codes[0] if codes else None
        out["value_text"] = text
    elif "valueString" in source:
        out["value_text"] = clean_text(source.get("valueString"))
    elif "valueInteger" in source:
        out["value"] = _number(source.get("valueInteger"))
    elif "valueBoolean" in source:
        flag = source.get("valueBoolean")
        if isinstance(flag, bool):
            out["value_text"] = "true" if flag else "false"
    ranges = _list(source.get("referenceRange"))
    if ranges and isinstance(ranges[0], dict):
        low, high = _dict(ranges[0].get("low")), _dict(ranges[0].get("high"))
        out["reference_low"] = _number(low.get("value"))
        out["reference_high"] = _number(high.get("value"))
        out["reference_unit"] = (
            clean_text(low.get("unit"))
            or clean_text(high.get("unit"))
            or clean_text(low.get("code"))
            or clean_text(high.get("code"))
        )
    return out


def _has_value(source: Mapping[str, Any]) -> bool:
    return any(
        key in source
        for key in ("valueQuantity", "valueCodeableConcept", "valueString", "valueInteger", "valueBoolean")
    )


def _observations(resource: Mapping[str, Any], rid: str) -> list[ObservationFact]:
    status = clean_text(resource.get("status"))
    if status == "entered-in-error" or status == "cancelled":
        return []
    effective = fhir_date(resource.get("effectiveDateTime"))
    if effective is None:
        effective = _period(resource.get("effectivePeriod"))[0] or fhir_date(resource.get("effectiveInstant"))
    if effective is None:
        effective = fhir_date(resource.get("issued"))
    facts: list[ObservationFact] = []
    components = [c for c in _list(resource.get("component")) if isinstance(c, dict)]
    if not components or _has_value(resource):
        codes, text = _concept(resource.get("code"))
        facts.append(
            ObservationFact(
                resource_type="Observation",
                resource_id=rid,
                codes=codes,
                text=text,
                effective=effective,
                **_observation_value(resource),
            )
        )
    for index, component in enumerate(components):
        codes, text = _concept(component.get("code"))
        suffix = codes[0].code if codes else str(index)
        facts.append(
            ObservationFact(
                resource_type="Observation",
                resource_id=f"{rid}#{suffix}",
                codes=codes,
                text=text,
                effective=effective,
                **_observation_value(component),
            )
        )
    return facts


def facts_from_resource(
    resource: Mapping[str, Any], medications: MedicationIndex | None = None
) -> tuple[str, list[Fact]]:
    """One clinical resource -> (the Patient list it belongs in, its facts).

    The list name is one of `conditions`, `observations`, `medications`,
    `procedures`, `allergies`, or "" for resources that are not read.
    `medications` maps Medication references (fullUrl, `Medication/<id>`, id)
    to their code, for MedicationRequest.medicationReference.
    """
    rtype = resource.get("resourceType")
    raw_id = resource.get("id")
    rid = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else ""
    if rtype == "Observation":
        return "observations", list(_observations(resource, rid))
    if rtype == "Condition":
        verification = _status_code(resource.get("verificationStatus"))
        if verification in _SKIP_VERIFICATION:
            return "conditions", []
        codes, text = _concept(resource.get("code"))
        onset = fhir_date(resource.get("onsetDateTime")) or _period(resource.get("onsetPeriod"))[0]
        abatement = fhir_date(resource.get("abatementDateTime"))
        if abatement is None and "abatementPeriod" in resource:
            start, end = _period(resource.get("abatementPeriod"))
            abatement = end or start
        return "conditions", [
            ConditionFact(
                resource_type="Condition",
                resource_id=rid,
                codes=codes,
                text=text,
                onset=onset or fhir_date(resource.get("recordedDate")),
                abatement=abatement,
                clinical_status=_status_code(resource.get("clinicalStatus")),
                verification_status=verification,
            )
        ]
    if rtype in ("MedicationRequest", "MedicationStatement", "MedicationAdministration"):
        status = _status_code(resource.get("status"))
        if status in _SKIP_STATUS:
            return "medications", []
        codes, text = _medication(resource, medications or {})
        if rtype == "MedicationRequest":
            start = fhir_date(resource.get("authoredOn"))
            v_start, end = _period(_dict(resource.get("dispenseRequest")).get("validityPeriod"))
            start = start or v_start
        else:
            start = fhir_date(resource.get("effectiveDateTime"))
            end = None
            if start is None:
                start, end = _period(resource.get("effectivePeriod"))
            if start is None:
                start = fhir_date(resource.get("dateAsserted"))
        return "medications", [
            MedicationFact(
                resource_type=str(rtype),
                resource_id=rid,
                codes=codes,
                text=text,
                start=start,
                end=end,
                status=status,
                route=_route(resource),
            )
        ]
    if rtype == "Procedure":
        status = _status_code(resource.get("status"))
        if status in _SKIP_STATUS:
            return "procedures", []
        codes, text = _concept(resource.get("code"))
        performed = fhir_date(resource.get("performedDateTime"))
        performed_end = None
        if performed is None:
            performed, performed_end = _period(resource.get("performedPeriod"))
        return "procedures", [
            ProcedureFact(
                resource_type="Procedure",
                resource_id=rid,
                codes=codes,
                text=text,
                performed=performed,
                performed_end=performed_end,
                status=status,
            )
        ]
    if rtype == "Immunization":
        status = _status_code(resource.get("status"))
        if status in _SKIP_STATUS:
            return "medications", []
        codes, text = _concept(resource.get("vaccineCode"))
        given = (
            fhir_date(resource.get("occurrenceDateTime"))
            or fhir_date(resource.get("occurrenceString"))
            or fhir_date(resource.get("recorded"))
        )
        # a dose given on one day: ended then, so "currently receiving" is
        # not met by it, and "within 4 weeks" is measured from that day
        return "medications", [
            MedicationFact(
                resource_type="Immunization",
                resource_id=rid,
                codes=codes,
                text=text,
                start=given,
                end=given,
                status="completed",
                route=_concept(resource.get("route"))[1],
            )
        ]
    if rtype == "Encounter":
        status = _status_code(resource.get("status"))
        stands_for = encounter_coding(resource)
        if stands_for is None or status in _SKIP_ENCOUNTER:
            return "procedures", []
        codes, text = [], None
        for concept in _list(resource.get("type")):
            more, label = _concept(concept)
            codes.extend(more)
            text = text or label
        if all(c.system != "snomed" or c.code != stands_for.code for c in codes):
            codes.append(stands_for)
        start, end = _period(resource.get("period"))
        return "procedures", [
            ProcedureFact(
                resource_type="Encounter",
                resource_id=rid,
                codes=codes,
                text=text or stands_for.display,
                performed=start,
                performed_end=end,
                status=status,
            )
        ]
    if rtype == "AllergyIntolerance":
        if _status_code(resource.get("verificationStatus")) in _SKIP_VERIFICATION:
            return "allergies", []
        codes, text = _concept(resource.get("code"))
        return "allergies", [
            AllergyFact(
                resource_type="AllergyIntolerance",
                resource_id=rid,
                codes=codes,
                text=text,
                recorded=fhir_date(resource.get("recordedDate")) or fhir_date(resource.get("onsetDateTime")),
                clinical_status=_status_code(resource.get("clinicalStatus")),
            )
        ]
    return "", []


def new_patient(resource: Mapping[str, Any], source: str) -> Patient | None:
    """A Patient with demographics only (facts are added by the caller)."""
    raw_id = resource.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        return None
    gender = resource.get("gender")
    deceased_date = fhir_date(resource.get("deceasedDateTime"))
    deceased = resource.get("deceasedBoolean") is True or deceased_date is not None
    return Patient(
        id=raw_id.strip(),
        source=source,
        gender=_GENDERS.get(gender.strip().lower()) if isinstance(gender, str) else None,  # type: ignore[arg-type]
        birth_date=fhir_date(resource.get("birthDate")),
        deceased=deceased,
        deceased_date=deceased_date,
    )


def medication_index(
    entries: Iterable[tuple[str | None, Mapping[str, Any]]],
) -> dict[str, tuple[list[Coding], str | None]]:
    """Medication resources by every name a reference may use for them."""
    index: dict[str, tuple[list[Coding], str | None]] = {}
    for full_url, resource in entries:
        if resource.get("resourceType") != "Medication":
            continue
        concept = _concept(resource.get("code"))
        rid = resource.get("id")
        if isinstance(rid, str):
            index[rid] = concept
            index[f"Medication/{rid}"] = concept
        if full_url:
            index[full_url] = concept
    return index


def patients_from_resources(
    resources: Iterable[Mapping[str, Any]],
    source: str,
    full_urls: Iterable[str | None] | None = None,
) -> list[Patient]:
    """Patients from a flat list of resources, each fact joined to its subject.

    With one Patient, every clinical resource belongs to it (whatever its
    subject says, or if it has none); with several, resources are joined on
    their subject/patient reference and the ones that point nowhere are
    dropped. Raises InputError when there is no Patient at all.
    """
    items = [r for r in resources if isinstance(r, dict)]
    urls = list(full_urls) if full_urls is not None else [None] * len(items)
    if len(urls) != len(items):
        urls = [None] * len(items)
    pairs = list(zip(urls, items, strict=True))
    try:
        return _build(pairs, source)
    except InputError:
        raise
    except (ValidationError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise InputError(source, f"malformed FHIR resource: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _build(pairs: list[tuple[str | None, dict[str, Any]]], source: str) -> list[Patient]:
    patients: list[Patient] = []
    by_ref: dict[str, Patient] = {}
    for full_url, resource in pairs:
        if resource.get("resourceType") != "Patient":
            continue
        patient = new_patient(resource, source)
        if patient is None:
            continue
        patients.append(patient)
        by_ref[patient.id] = patient
        if full_url:
            by_ref[full_url] = patient
            url_id = _reference_id(full_url)
            if url_id:
                by_ref.setdefault(url_id, patient)
    if not patients:
        raise InputError(source, "no FHIR Patient resource found")
    medications = medication_index(pairs)
    single = patients[0] if len(patients) == 1 else None
    for _, resource in pairs:
        if resource.get("resourceType") not in CLINICAL_TYPES:
            continue
        owner = single
        if owner is None:
            subject = resource.get("subject") if "subject" in resource else resource.get("patient")
            ref = _dict(subject).get("reference")
            owner = by_ref.get(ref) if isinstance(ref, str) else None
            if owner is None:
                rid = patient_id_of(resource)
                owner = by_ref.get(rid) if rid else None
            if owner is None:
                continue
        kind, facts = facts_from_resource(resource, medications)
        if facts:
            getattr(owner, kind).extend(facts)
    return patients


def patients_from_fhir(data: object, source: str) -> list[Patient]:
    """A parsed FHIR document (Bundle, or a single Patient resource) -> patients."""
    if not isinstance(data, dict):
        raise InputError(source, "not a FHIR resource (expected a JSON object)")
    rtype = data.get("resourceType")
    if rtype == "Bundle":
        resources: list[dict[str, Any]] = []
        urls: list[str | None] = []
        for entry in _list(data.get("entry")):
            if not isinstance(entry, dict):
                continue
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                continue
            url = entry.get("fullUrl")
            resources.append(resource)
            urls.append(url if isinstance(url, str) else None)
        if not resources:
            raise InputError(source, "FHIR Bundle has no entries")
        return patients_from_resources(resources, source, urls)
    if rtype == "Patient":
        contained = [r for r in _list(data.get("contained")) if isinstance(r, dict)]
        return patients_from_resources([data, *contained], source)
    if isinstance(rtype, str):
        raise InputError(source, f"FHIR {rtype} is neither a Bundle nor a Patient")
    raise InputError(source, "not a FHIR resource (no resourceType)")


def load_json_bytes(raw: bytes, source: str) -> Any:
    """Parse JSON, with a one-line InputError for empty, broken or truncated input."""
    if not raw.strip():
        raise InputError(source, "file is empty")
    if USE_ORJSON and _orjson is not None:
        try:
            return _orjson.loads(raw)
        except _orjson.JSONDecodeError:
            pass  # let json give the line/column message below
        except RecursionError:
            raise InputError(source, "JSON is nested too deeply") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            last = text.rstrip().count("\n") + 1
            raise InputError(source, f"truncated JSON: unexpected end of file at line {last}") from None
        raise InputError(
            source, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(source, "JSON is nested too deeply") from None


def read_fhir_file(path: str | Path) -> list[Patient]:
    """Read one FHIR JSON file (Bundle or Patient) into patients."""
    source = str(path)
    return patients_from_fhir(load_json_bytes(read_input(path), source), source)
