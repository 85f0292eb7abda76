"""The project's own patient profile: plain JSON or YAML, written by hand.

A profile is one patient (or a list of them) described with as little
ceremony as possible. Only `id` is required; everything else is optional.
Names may be free text: when no code is given, the matcher compares the
normalised text with its lexicons (so "type 2 diabetes" or "alendronate" are
enough). Full reference with an example: docs/patient-profile.md.

    id: p-001                     # required; the patient id in every report
    sex: female                   # female | male | other | unknown (also f, m, woman, man); or `gender:`
    birth_date: 1958-03-14        # or `age: 67` (taken to hold at the --as-of date)
    deceased: false               # optional; or deceased_date: 2024-01-02
    description: free text        # optional, ignored

    conditions:                   # a string, or a mapping
      - osteoporosis
      - name: rheumatoid arthritis
        code: "69896004"          # optional; system is guessed: digits -> snomed, letter first -> icd10cm
        system: snomed            # snomed | icd10cm | rxnorm | loinc | atc | cvx | other
        onset: 2015-03            # dates: 2015-03-02, 2015-03 or 2015 (partial -> first day)
        abatement: 2018           # optional; a resolved condition
        status: active            # optional: active, resolved, remission, ...
    medications:                  # a string, or: name, code, system (default rxnorm), start, end, status, route
      - name: alendronate 70 mg weekly
        start: 2021-01-10
        end: 2025-01-10
    observations:                 # name and/or loinc (or code + system); value (a number) or result (text)
      - name: eGFR
        loinc: 33914-3
        value: 52
        unit: mL/min/1.73m2
        date: 2025-11-03
        low: 60                   # optional reference range (for "x ULN" criteria)
        high: 120
      - name: smoking status
        result: never smoker
    procedures:                   # a string, or: name, code, system (default snomed), date, end, status
      - name: kidney transplant
        date: 2010-06-01
    allergies:                    # a string, or: name, code, system (default snomed), date, status
      - penicillin

Errors name the file and the field, on one line, e.g.
`p1.yaml: observations[2].value: Input should be a valid number`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from eligibility.errors import InputError, read_input
from eligibility.patients.fhir import clean_text
from eligibility.patients.model import (
    AllergyFact,
    CodeSystem,
    Coding,
    ConditionFact,
    MedicationFact,
    ObservationFact,
    Patient,
    ProcedureFact,
)

__all__ = [
    "PatientProfile",
    "looks_like_profile",
    "patients_from_profile_data",
    "profile_to_patient",
    "read_profile_file",
]

_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")


def _partial_date(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return date(value, 1, 1)
    if isinstance(value, str):
        m = _PARTIAL.match(value)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
            except ValueError as exc:
                raise ValueError(f"not a valid date: {value!r} ({exc})") from None
    raise ValueError("expected a date like 2024-05-01, 2024-05 or 2024")


def _text_id(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _code(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


_SEXES = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "w": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "other": "other",
    "unknown": "unknown",
}


def _sex(value: object) -> object:
    if isinstance(value, str):
        return _SEXES.get(value.strip().lower(), value)
    return value


def _named(value: object) -> object:
    """A bare string in a list stands for {name: <string>}."""
    if isinstance(value, str):
        return {"name": value}
    return value


PartialDate = Annotated[date, BeforeValidator(_partial_date)]
Code = Annotated[str, BeforeValidator(_code)]
SystemName = Literal["snomed", "icd10cm", "icd10", "rxnorm", "loinc", "atc", "cvx", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Entry(_Strict):
    name: str | None = None
    code: Code | None = None
    system: SystemName | None = None

    @model_validator(mode="after")
    def _needs_name_or_code(self) -> _Entry:
        if not self.name and not self.code and not getattr(self, "loinc", None):
            raise ValueError("give a name or a code")
        return self


class ConditionEntry(_Entry):
    onset: PartialDate | None = None
    abatement: PartialDate | None = None
    status: str | None = None


class MedicationEntry(_Entry):
    start: PartialDate | None = None
    end: PartialDate | None = None
    status: str | None = None
    route: str | None = None


class ObservationEntry(_Entry):
    loinc: Code | None = None
    value: float | None = None
    result: str | None = None
    unit: str | None = None
    date: PartialDate | None = None
    low: float | None = None
    high: float | None = None


class ProcedureEntry(_Entry):
    date: PartialDate | None = None
    end: PartialDate | None = None
    status: str | None = None


class AllergyEntry(_Entry):
    date: PartialDate | None = None
    status: str | None = None


class PatientProfile(_Strict):
    id: Annotated[str, BeforeValidator(_text_id)] = Field(min_length=1)
    sex: Annotated[Literal["female", "male", "other", "unknown"] | None, BeforeValidator(_sex)] = Field(
        default=None, validation_alias=AliasChoices("sex", "gender")
    )
    birth_date: PartialDate | None = None
    age: int | None = Field(default=None, ge=0, le=130)
    deceased: bool = False
    deceased_date: PartialDate | None = None
    description: str | None = None
    conditions: list[Annotated[ConditionEntry, BeforeValidator(_named)]] = Field(default_factory=list)
    medications: list[Annotated[MedicationEntry, BeforeValidator(_named)]] = Field(default_factory=list)
    observations: list[Annotated[ObservationEntry, BeforeValidator(_named)]] = Field(default_factory=list)
    procedures: list[Annotated[ProcedureEntry, BeforeValidator(_named)]] = Field(default_factory=list)
    allergies: list[Annotated[AllergyEntry, BeforeValidator(_named)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _birth_or_age(self) -> PatientProfile:
        if self.birth_date is not None and self.age is not None:
            raise ValueError("give birth_date or age, not both")
        return self


def _system(entry: _Entry, default: CodeSystem) -> CodeSystem:
    if entry.system == "icd10":
        return "icd10cm"
    if entry.system is not None:
        return entry.system
    if default == "snomed" and entry.code and entry.code[:1].isalpha():
        return "icd10cm"
    return default


def _codes(entry: _Entry, default: CodeSystem) -> list[Coding]:
    codes: list[Coding] = []
    name = clean_text(entry.name)
    if isinstance(entry, ObservationEntry) and entry.loinc:
        codes.append(Coding(system="loinc", code=entry.loinc, display=name))
    if entry.code:
        codes.append(Coding(system=_system(entry, default), code=entry.code, display=name))
    return codes


def profile_to_patient(profile: PatientProfile, source: str | None = None) -> Patient:
    """A validated profile -> the matcher's Patient. Fact ids are `conditions[0]`, ..."""
    patient = Patient(
        id=profile.id,
        source=source,
        gender=profile.sex,
        birth_date=profile.birth_date,
        age=profile.age,
        deceased=profile.deceased or profile.deceased_date is not None,
        deceased_date=profile.deceased_date,
    )
    for i, c in enumerate(profile.conditions):
        patient.conditions.append(
            ConditionFact(
                resource_type="Condition",
                resource_id=f"conditions[{i}]",
                codes=_codes(c, "snomed"),
                text=clean_text(c.name),
                onset=c.onset,
                abatement=c.abatement,
                clinical_status=c.status.lower() if c.status else None,
            )
        )
    for i, m in enumerate(profile.medications):
        patient.medications.append(
            MedicationFact(
                resource_type="MedicationStatement",
                resource_id=f"medications[{i}]",
                codes=_codes(m, "rxnorm"),
                text=clean_text(m.name),
                start=m.start,
                end=m.end,
                status=m.status.lower() if m.status else None,
                route=m.route,
            )
        )
    for i, o in enumerate(profile.observations):
        patient.observations.append(
            ObservationFact(
                resource_type="Observation",
                resource_id=f"observations[{i}]",
                codes=_codes(o, "loinc"),
                text=clean_text(o.name),
                effective=o.date,
                value=o.value,
                unit=o.unit,
                value_text=o.result,
                reference_low=o.low,
                reference_high=o.high,
                reference_unit=o.unit if (o.low is not None or o.high is not None) else None,
            )
        )
    for i, p in enumerate(profile.procedures):
        patient.procedures.append(
            ProcedureFact(
                resource_type="Procedure",
                resource_id=f"procedures[{i}]",
                codes=_codes(p, "snomed"),
                text=clean_text(p.name),
                performed=p.date,
                performed_end=p.end,
                status=p.status,
            )
        )
    for i, a in enumerate(profile.allergies):
        patient.allergies.append(
            AllergyFact(
                resource_type="AllergyIntolerance",
                resource_id=f"allergies[{i}]",
                codes=_codes(a, "snomed"),
                text=clean_text(a.name),
                recorded=a.date,
                clinical_status=a.status,
            )
        )
    return patient


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("function-") or part in ("ConditionEntry", "MedicationEntry"):
            continue
        else:
            out += f".{part}" if out else part
    return out


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid"))
    if kind == "float_parsing":
        return "Input should be a valid number"
    if kind == "value_error" and msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if kind == "extra_forbidden":
        return "unknown field (see docs/patient-profile.md for the fields a profile may have)"
    return msg


def validation_problem(exc: ValidationError, prefix: str = "") -> str:
    """The first error of a ValidationError as `field.path: message` (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    where = _loc(tuple(first.get("loc", ())))
    if prefix:
        where = f"{prefix}{'.' if where and not where.startswith('[') else ''}{where}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where or 'profile'}: {_message(first)}{more}"


def looks_like_profile(data: object) -> bool:
    """A mapping with an `id` and no `resourceType` (or a list of them)."""
    if isinstance(data, list):
        return bool(data) and all(looks_like_profile(item) for item in data)
    return isinstance(data, dict) and "resourceType" not in data and "id" in data


def patients_from_profile_data(data: object, source: str) -> list[Patient]:
    """Validate parsed JSON/YAML (one profile or a list) -> patients, or InputError."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(source, "empty list: no patient profile")
    patients: list[Patient] = []
    for index, item in enumerate(items):
        prefix = f"[{index}]" if isinstance(data, list) else ""
        if not isinstance(item, dict):
            raise InputError(
                source, f"{prefix or 'profile'}: expected a mapping with an id, sex, conditions..."
            )
        try:
            profile = PatientProfile.model_validate(item)
        except ValidationError as exc:
            raise InputError(source, validation_problem(exc, prefix)) from None
        patients.append(profile_to_patient(profile, source))
    return patients


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported with its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml_bytes(raw: bytes, source: str) -> Any:
    """Parse YAML (a superset of JSON), with a one-line InputError."""
    if not raw.strip():
        raise InputError(source, "file is empty")
    try:
        return yaml.load(raw, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise InputError(source, f"not valid YAML: {exc.problem or exc}{where}") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise InputError(source, f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else exc}") from None


def read_profile_file(path: str | Path) -> list[Patient]:
    """Read a JSON or YAML profile file (one patient or a list)."""
    source = str(path)
    data = load_yaml_bytes(read_input(path), source)
    if not looks_like_profile(data):
        raise InputError(source, "not a patient profile (expected a mapping with an `id`)")
    return patients_from_profile_data(data, source)
