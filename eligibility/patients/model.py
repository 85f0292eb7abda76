"""The patient model the matcher reads: what a record says, with provenance.

Importers (FHIR R4 bundles, NDJSON bulk exports, plain profiles) all produce
this; nothing downstream sees FHIR JSON. Every fact keeps the resource type and
id it came from, so a verdict can cite it as evidence.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

CodeSystem = Literal["snomed", "icd10cm", "rxnorm", "loinc", "atc", "cvx", "other"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Coding(_Model):
    system: CodeSystem
    code: str
    display: str | None = None


class Fact(_Model):
    """Common part of every clinical fact."""

    resource_type: str
    resource_id: str
    codes: list[Coding] = Field(default_factory=list)
    text: str | None = None  # the concept's text or first display, cleaned

    def label(self) -> str:
        if self.text:
            return self.text
        for coding in self.codes:
            if coding.display:
                return coding.display
        return self.codes[0].code if self.codes else "(no code)"


class ConditionFact(Fact):
    onset: date | None = None
    abatement: date | None = None
    clinical_status: str | None = None  # active, recurrence, relapse, inactive, remission, resolved
    verification_status: str | None = None  # confirmed, provisional, refuted, entered-in-error, ...


class ObservationFact(Fact):
    effective: date | None = None
    value: float | None = None
    unit: str | None = None
    value_code: Coding | None = None  # valueCodeableConcept (e.g. smoking status)
    value_text: str | None = None
    reference_low: float | None = None
    reference_high: float | None = None
    reference_unit: str | None = None


class MedicationFact(Fact):
    start: date | None = None
    end: date | None = None
    status: str | None = None  # active, stopped, completed, on-hold, cancelled, ...
    route: str | None = None


class ProcedureFact(Fact):
    performed: date | None = None
    performed_end: date | None = None
    status: str | None = None


class AllergyFact(Fact):
    recorded: date | None = None
    clinical_status: str | None = None


class Patient(_Model):
    id: str
    source: str | None = None  # the file it was read from
    gender: Literal["male", "female", "other", "unknown"] | None = None
    birth_date: date | None = None
    # Age in years as stated by a hand-written profile that gives no birth
    # date; it is taken to hold at the index date (--as-of). None otherwise.
    age: int | None = None
    deceased: bool = False
    deceased_date: date | None = None
    conditions: list[ConditionFact] = Field(default_factory=list)
    observations: list[ObservationFact] = Field(default_factory=list)
    medications: list[MedicationFact] = Field(default_factory=list)
    procedures: list[ProcedureFact] = Field(default_factory=list)
    allergies: list[AllergyFact] = Field(default_factory=list)
    # The matcher's lookup structures over this record, built on first use
    # (matching.evaluate); not part of the data, never serialised.
    _matcher_cache: dict[str, Any] = PrivateAttr(default_factory=dict)
