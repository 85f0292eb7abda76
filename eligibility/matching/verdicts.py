"""Verdicts and their evidence: what ``eligibility match`` reports."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.patients.model import Fact


class Verdict(StrEnum):
    met = "met"
    not_met = "not_met"
    unknown = "unknown"
    manual = "manual"


class Evidence(BaseModel):
    """One patient fact a verdict rests on."""

    model_config = ConfigDict(extra="forbid")

    resource_type: str
    resource_id: str
    system: str | None = None
    code: str | None = None
    display: str | None = None
    value: float | str | None = None
    unit: str | None = None
    date: dt.date | None = None

    @classmethod
    def of(cls, fact: Fact, when: dt.date | None = None, value: Any = None, unit: str | None = None) -> Evidence:
        coding = fact.codes[0] if fact.codes else None
        return cls(
            resource_type=fact.resource_type,
            resource_id=fact.resource_id,
            system=coding.system if coding else None,
            code=coding.code if coding else None,
            display=fact.label(),
            value=value,
            unit=unit,
            date=when,
        )


class Outcome(BaseModel):
    """The verdict of one rule, with why."""

    verdict: Verdict
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)


class CriterionResult(BaseModel):
    id: str
    section: Literal["inclusion", "exclusion"]
    text: str
    verdict: Verdict
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    children: list[CriterionResult] = Field(default_factory=list)


class TrialVerdict(StrEnum):
    eligible = "eligible"
    ineligible = "ineligible"
    indeterminate = "indeterminate"


class MatchResult(BaseModel):
    trial_id: str
    patient_id: str
    as_of: dt.date
    verdict: TrialVerdict
    deciding: list[str] = Field(default_factory=list, description="criteria that made the patient ineligible")
    unknown: list[str] = Field(default_factory=list, description="criteria the record lacks the data for")
    manual: list[str] = Field(default_factory=list, description="criteria a person must confirm")
    criteria: list[CriterionResult]


CriterionResult.model_rebuild()
