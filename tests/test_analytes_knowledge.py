"""Every entry of rules/analytes.yaml and rules/units.yaml is well formed."""

from __future__ import annotations

import re
from collections import defaultdict

from eligibility.knowledge.analytes import (
    analyte_by_loinc,
    analyte_by_name,
    load_analytes,
    loinc_valid,
    name_pattern,
    normalize_name,
)
from eligibility.matching.units import parse_unit, unit_aliases


def test_at_least_90_analytes() -> None:
    assert len(load_analytes()) >= 90


def test_loinc_codes_have_valid_check_digits() -> None:
    for analyte in load_analytes().values():
        for code in analyte.loinc:
            assert re.fullmatch(r"\d+-\d", code), (analyte.id, code)
            assert loinc_valid(code), (analyte.id, code)


def test_units_parse_and_molar_masses_positive() -> None:
    for analyte in load_analytes().values():
        for unit in analyte.all_units:
            if unit is not None:
                assert parse_unit(unit) is not None, (analyte.id, unit)
        for item in analyte.bare_number:
            if item.unit is not None:
                assert parse_unit(item.unit) is not None, (analyte.id, item.unit)
        if analyte.molar_mass is not None:
            assert analyte.molar_mass > 0
        if analyte.reference is not None:
            assert analyte.reference.source
        assert analyte.sources, analyte.id
        for comp in analyte.components:
            assert comp in load_analytes()


def test_no_name_belongs_to_two_analytes() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for analyte in load_analytes().values():
        for name in analyte.names:
            owners[normalize_name(name)].add(analyte.id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_unit_aliases_are_unambiguous() -> None:
    seen: dict[str, tuple[str, float]] = {}
    for code, aliases in unit_aliases().items():
        unit = parse_unit(code)
        assert unit is not None and unit.code == code
        for alias in aliases:
            got = parse_unit(alias)
            assert got is not None, alias
            key = (got.dimension, got.factor)
            seen.setdefault(alias, key)
            assert seen[alias] == key


def test_lookups() -> None:
    assert analyte_by_loinc("38483-4").id == "creatinine"  # type: ignore[union-attr]
    assert analyte_by_loinc("4548-4").id == "hba1c"  # type: ignore[union-attr]
    assert analyte_by_loinc("8480-6").id == "systolic_bp"  # type: ignore[union-attr]
    assert analyte_by_name("HBV-DNA").id == "hbv_dna"  # type: ignore[union-attr]
    assert analyte_by_name("serum glutamic pyruvic transaminase").id == "alt"  # type: ignore[union-attr]
    assert analyte_by_name("SGOT").id == "ast"  # type: ignore[union-attr]
    assert analyte_by_name("no such thing") is None


def test_synthea_codes_are_known() -> None:
    for code in ["4548-4", "33914-3", "2339-0", "718-7", "777-3", "6690-2", "1742-6", "1920-8", "8480-6",
                 "8462-4", "39156-5", "29463-7", "8302-2", "8867-4", "2093-3", "18262-6", "13457-7",
                 "2085-9", "2571-8", "2947-0", "2951-2", "6298-4", "2823-3", "49765-1", "17861-6"]:
        assert analyte_by_loinc(code) is not None, code


def test_name_pattern_is_compiled_once() -> None:
    assert name_pattern() is name_pattern()
