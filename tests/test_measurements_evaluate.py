"""evaluate_measurement: matching, windows, conversion, ULN defaults, reasons."""

from __future__ import annotations

from datetime import date

from eligibility.ir.model import Code, Duration, MeasurementRule, TimeUnit, Window
from eligibility.matching.measurements import evaluate_measurement
from eligibility.patients.model import Coding, ObservationFact

AS_OF = date(2026, 1, 1)


def obs(code: str | None, value: float, unit: str | None, day: str, text: str | None = None,
        **kw: object) -> ObservationFact:
    codes = [Coding(system="loinc", code=code)] if code else []
    return ObservationFact(resource_type="Observation", resource_id=f"obs-{code}-{value}-{day}", codes=codes,
                           text=text, value=value, unit=unit, effective=date.fromisoformat(day), **kw)  # type: ignore[arg-type]


def rule(analyte: str, comparator: str, value: float | None = None, unit: str | None = None,
         **kw: object) -> MeasurementRule:
    return MeasurementRule(analyte=analyte, comparator=comparator, value=value, unit=unit, **kw)  # type: ignore[arg-type]


def test_egfr_not_met_reason() -> None:
    v = evaluate_measurement(rule("egfr", ">=", 60, "mL/min/1.73m2"),
                             [obs("33914-3", 52, "mL/min/{1.73_m2}", "2025-11-03")], AS_OF)
    assert v.verdict == "not_met"
    assert v.reason.startswith("eGFR 52 mL/min/1.73m2 on 2025-11-03 is not >= 60")
    assert v.evidence[0].resource_id.startswith("obs-33914-3")


def test_absent_is_unknown() -> None:
    v = evaluate_measurement(rule("egfr", ">=", 60, "mL/min/1.73m2"), [], AS_OF)
    assert v.verdict == "unknown" and v.reason == "no eGFR in the record"


def test_window_and_future_observations() -> None:
    r = rule("hba1c", ">=", 7, "%", window=Window(within=Duration(value=3, unit=TimeUnit.months)))
    old = obs("4548-4", 8.0, "%", "2025-06-01")
    assert evaluate_measurement(r, [old], AS_OF).reason == "no HbA1c within the past 3 months"
    recent = obs("4548-4", 6.5, "%", "2025-12-01")
    future = obs("4548-4", 9.0, "%", "2026-02-01")
    v = evaluate_measurement(r, [old, recent, future], AS_OF)
    assert v.verdict == "not_met" and v.evidence == [recent]


def test_latest_value_counts() -> None:
    r = rule("hemoglobin", ">=", 9, "g/dL")
    v = evaluate_measurement(r, [obs("718-7", 8.0, "g/dL", "2025-12-20"), obs("718-7", 10.0, "g/dL", "2025-01-01")],
                             AS_OF)
    assert v.verdict == "not_met"


def test_unit_conversion() -> None:
    r = rule("creatinine", "<=", 100, "umol/L")
    v = evaluate_measurement(r, [obs("38483-4", 1.0, "mg/dL", "2025-10-01")], AS_OF)
    assert v.verdict == "met" and "88.4" in v.reason
    r = rule("platelets", ">=", 100000, "/uL")
    assert evaluate_measurement(r, [obs("777-3", 150, "10*3/uL", "2025-10-01")], AS_OF).verdict == "met"


def test_refused_conversion_is_unknown() -> None:
    r = rule("creatinine", "<=", 1000, "copies/mL")
    v = evaluate_measurement(r, [obs("38483-4", 1.2, "mg/dL", "2025-10-01")], AS_OF)
    assert v.verdict == "unknown"
    assert v.reason.startswith("creatinine 1.2 mg/dL on 2025-10-01 cannot be compared with a threshold in copies/mL")


def test_uln_from_observation_then_default() -> None:
    r = rule("alt", "<=", 2.5, relative_to="uln")
    with_range = obs("1742-6", 100, "U/L", "2025-10-01", reference_high=50.0)
    v = evaluate_measurement(r, [with_range], AS_OF)
    assert v.verdict == "met" and "lab's reference range" in v.reason
    without = obs("1742-6", 120, "U/L", "2025-10-01")
    v = evaluate_measurement(r, [without], AS_OF)
    assert v.verdict == "not_met" and "default reference range" in v.reason


def test_normal_comparators() -> None:
    o = obs("1742-6", 30, "U/L", "2025-10-01")
    assert evaluate_measurement(rule("alt", "normal"), [o], AS_OF).verdict == "met"
    assert evaluate_measurement(rule("alt", "above_normal"), [o], AS_OF).verdict == "not_met"
    assert evaluate_measurement(rule("alt", "below_normal"), [o], AS_OF).verdict == "not_met"
    v = evaluate_measurement(rule("troponin", "above_normal"), [obs("10839-9", 5, "ng/L", "2025-10-01")], AS_OF)
    assert v.verdict == "unknown"


def test_match_by_name_when_no_loinc() -> None:
    r = rule("hba1c", "<", 8, "%", codes=[Code(system="loinc", code="4548-4")])
    v = evaluate_measurement(r, [obs(None, 7.2, "%", "2025-10-01", text="Hemoglobin A1c")], AS_OF)
    assert v.verdict == "met"


def test_between_and_scores() -> None:
    r = rule("ecog", "between", 0, value_high=1)
    assert evaluate_measurement(r, [obs("89247-1", 1, None, "2025-10-01")], AS_OF).verdict == "met"
    assert evaluate_measurement(r, [obs("89247-1", 2, "{score}", "2025-10-01")], AS_OF).verdict == "not_met"


def test_an_analyte_assessed_in_person_is_a_clinicians_check_when_the_record_lacks_it() -> None:
    # the ASA physical status is set by the anaesthetist; no record is expected to hold it
    from datetime import date

    import eligibility
    from eligibility.matching.evaluate import evaluate_rule
    from eligibility.matching.verdicts import Verdict
    from eligibility.patients.model import Patient
    [rules] = eligibility.parse("Inclusion Criteria:\n* ASA physical status I-III\n", text=True)
    [rule] = rules.criteria[0].rules
    assert evaluate_rule(rule, Patient(id="p"), date(2026, 1, 1)).verdict is Verdict.manual
