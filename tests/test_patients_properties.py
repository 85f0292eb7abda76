"""Property tests: importers never fail with anything but InputError; generator round trip."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.errors import InputError
from eligibility.patients.fhir import load_json_bytes, patients_from_fhir
from eligibility.patients.generator import CATALOG, bundle_for, scenario_from_data
from eligibility.patients.profile import patients_from_profile_data
from eligibility.patients.sources import patients_from_data

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

KEYS = [
    "resourceType", "id", "entry", "resource", "fullUrl", "subject", "patient", "reference", "code", "coding",
    "system", "display", "text", "valueQuantity", "value", "unit", "component", "effectiveDateTime",
    "effectivePeriod", "onsetDateTime", "abatementDateTime", "clinicalStatus", "verificationStatus",
    "medicationCodeableConcept", "medicationReference", "contained", "authoredOn", "status", "gender",
    "birthDate", "deceasedBoolean", "referenceRange", "low", "high", "performedPeriod", "start", "end",
]  # fmt: skip
TYPES = ["Bundle", "Patient", "Condition", "Observation", "MedicationRequest", "MedicationStatement",
         "MedicationAdministration", "Procedure", "AllergyIntolerance", "Medication", "Claim"]  # fmt: skip

fhirish = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from(TYPES)
    | st.sampled_from(
        ["2019", "2019-05", "2019-05-17T10:00:00Z", "urn:uuid:x", "Patient/x", "x", "", "\u200b"]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=6)
    ),
    max_leaves=40,
)


def _only_input_errors(call: Any, data: object) -> None:
    try:
        patients = call(data, "prop.json")
    except InputError as error:
        assert str(error).startswith("prop.json")
        assert "\n" not in str(error)
        return
    for patient in patients:
        json.dumps(patient.model_dump(mode="json"))  # a valid, serialisable model


@given(json_values)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_json_raises_only_input_error(data: object) -> None:
    _only_input_errors(patients_from_data, data)
    _only_input_errors(patients_from_fhir, data)
    _only_input_errors(patients_from_profile_data, data)


@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()[:-1]))
@settings(max_examples=300)
def test_arbitrary_bytes_parse_or_raise_input_error(raw: bytes) -> None:
    try:
        data = load_json_bytes(raw, "prop.json")
    except InputError as error:
        assert "\n" not in str(error)
        return
    _only_input_errors(patients_from_data, data)


@given(fhirish)
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_fhir_shaped_junk_raises_only_input_error(data: object) -> None:
    _only_input_errors(patients_from_fhir, data)
    if isinstance(data, dict):
        bundle = {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "p"}},
                                                      {"resource": data}]}  # fmt: skip
        _only_input_errors(patients_from_fhir, bundle)


@given(st.lists(fhirish, max_size=5))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_bundle_with_junk_entries(entries: list[object]) -> None:
    _only_input_errors(patients_from_fhir, {"resourceType": "Bundle", "entry": entries})


INDEX = date(2026, 1, 1)
days = st.integers(min_value=0, max_value=20 * 365).map(lambda n: INDEX - timedelta(days=n))


@st.composite
def scenario_patient(draw: st.DrawFn) -> dict[str, Any]:
    conditions = draw(st.lists(st.sampled_from(sorted(CATALOG["conditions"])), max_size=4))
    medications = draw(st.lists(st.sampled_from(sorted(CATALOG["medications"])), max_size=3))
    labs = [k for k, v in CATALOG["observations"].items() if v.unit]
    observations = draw(st.lists(st.sampled_from(labs), max_size=5))
    values = draw(st.lists(st.floats(-1000, 1000).map(lambda x: round(x, 2)), min_size=5, max_size=5))
    return {
        "id": "p-" + draw(st.text("abcdef0123456789", min_size=1, max_size=10)),
        "sex": draw(st.sampled_from(["female", "male"])),
        "age": draw(st.integers(0, 110)),
        "conditions": [{"name": c, "onset": draw(days).isoformat()} for c in conditions],
        "medications": [
            {
                "name": m,
                "start": (s := draw(days)).isoformat(),
                "end": draw(st.none() | st.just((s + timedelta(days=30)).isoformat())),
            }
            for m in medications
        ],
        "observations": [
            {"name": o, "value": values[i], "date": draw(days).isoformat()}
            for i, o in enumerate(observations)
        ],
    }


@given(scenario_patient(), st.integers(0, 2**32))
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_generator_round_trip_preserves_facts(spec: dict[str, Any], seed: int) -> None:
    scenario = scenario_from_data({"index_date": INDEX.isoformat(), "patients": [spec]})
    [patient] = patients_from_fhir(bundle_for(scenario.patients[0], INDEX, seed), "g.json")
    assert (patient.id, patient.gender) == (spec["id"], spec["sex"])
    assert patient.birth_date is not None
    b = patient.birth_date
    assert INDEX.year - b.year - ((INDEX.month, INDEX.day) < (b.month, b.day)) == spec["age"]
    assert [(c.codes[0].code, c.onset) for c in patient.conditions] == [
        (CATALOG["conditions"][c["name"]].code, date.fromisoformat(c["onset"])) for c in spec["conditions"]
    ]
    assert [(m.codes[0].code, m.start, m.end) for m in patient.medications] == [
        (CATALOG["medications"][m["name"]].code, date.fromisoformat(m["start"]),
         date.fromisoformat(m["end"]) if m["end"] else None)
        for m in spec["medications"]
    ]  # fmt: skip
    assert [(o.codes[0].code, o.value, o.unit, o.effective) for o in patient.observations] == [
        (CATALOG["observations"][o["name"]].code, o["value"], CATALOG["observations"][o["name"]].unit,
         date.fromisoformat(o["date"]))
        for o in spec["observations"]
    ]  # fmt: skip
