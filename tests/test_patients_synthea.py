"""Optional: the 50 real Synthea bundles beside the project import without error."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.errors import InputError
from eligibility.patients.sources import iter_patients

SYNTHEA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "synthea"


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason="../shared/data/synthea is not present")
def test_real_synthea_bundles_import() -> None:
    errors: list[InputError] = []
    patients = list(iter_patients([SYNTHEA], errors.append))
    assert errors == []
    assert len(patients) == len(list(SYNTHEA.glob("*.json")))
    for p in patients:
        assert p.gender in ("male", "female") and p.birth_date is not None
        assert p.observations, p.id
        for fact in [*p.conditions, *p.observations, *p.medications, *p.procedures, *p.allergies]:
            assert (fact.codes and fact.codes[0].system != "other") or fact.resource_type == "Observation"
            assert fact.text is None or "\u200b" not in fact.text
    panels = [o for p in patients for o in p.observations if "#" in o.resource_id]
    assert {o.codes[0].code for o in panels} >= {"8480-6", "8462-4"}
