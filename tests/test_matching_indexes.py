"""The matcher's per-patient indexes find exactly what a scan of every fact
finds, and follow the record when it changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import eligibility
from eligibility.ir.model import ConditionRule, MeasurementRule, MedicationRule, ProcedureRule
from eligibility.matching.concepts import FactIndex, find_matches
from eligibility.matching.evaluate import _fact_index, _observation_index
from eligibility.matching.measurements import ObservationIndex, evaluate_measurement
from eligibility.patients.model import Patient
from eligibility.patients.sources import iter_patients
from tests.conftest import SAMPLES, TRIALS

AS_OF = date(2026, 1, 1)


def _leaves(rule: Any) -> list[Any]:
    children = list(getattr(rule, "children", None) or []) + ([rule.child] if getattr(rule, "child", None) else [])
    return [leaf for child in children for leaf in _leaves(child)] if children else [rule]


def _rules() -> list[Any]:
    out = []
    for path in sorted(TRIALS.glob("*")):
        if path.suffix in (".txt", ".json", ".jsonl") and "no_criteria" not in path.name:
            for rs in eligibility.parse(path):
                out += [leaf for c in rs.walk() for r in c.rules for leaf in _leaves(r)]
    return out


def _patients() -> list[Patient]:
    return list(iter_patients([str(SAMPLES / "patients" / "fhir")]))


def test_indexes_find_what_a_scan_finds() -> None:
    rules = _rules()
    assert any(isinstance(r, MeasurementRule) for r in rules) and any(isinstance(r, ConditionRule) for r in rules)
    for patient in _patients():
        observations = ObservationIndex(patient.observations)
        for rule in rules:
            if isinstance(rule, MeasurementRule):
                assert evaluate_measurement(rule, patient.observations, AS_OF, observations) == \
                    evaluate_measurement(rule, patient.observations, AS_OF)
            elif isinstance(rule, ConditionRule | MedicationRule | ProcedureRule):
                facts = _fact_index(patient, rule.kind).facts
                assert find_matches(rule, facts, FactIndex(rule.kind, facts)) == find_matches(rule, facts)


def test_indexes_follow_the_record() -> None:
    patient = _patients()[0]
    index = _observation_index(patient)
    assert _observation_index(patient) is index
    patient.observations.append(patient.observations[0].model_copy(update={"resource_id": "extra"}))
    assert _observation_index(patient) is not index
    conditions = _fact_index(patient, "condition")
    patient.conditions = list(patient.conditions)
    assert _fact_index(patient, "condition") is not conditions
