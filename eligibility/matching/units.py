"""Unit conversion that is sound or refuses.

The table is ``rules/units.yaml`` (UCUM codes, dimensions, factors and the
spellings trials use). Conversions across dimensions happen only where a
documented fact allows them: an analyte's molar mass (mg/dL <-> µmol/L), its
valence (mEq/L <-> mmol/L), the IFCC-NGSP equation for HbA1c (% <-> mmol/mol)
and a per-analyte copies/IU factor. Anything else returns a refusal with a
reason, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml
from pydantic import BaseModel, ConfigDict

from eligibility.knowledge.analytes import Analyte, analyte_by_id_or_name
from eligibility.knowledge.paths import rules_file

# IFCC-NGSP master equation (Hoelzel et al., Clin Chem 2004): IFCC = 10.929 * (NGSP - 2.15)
_IFCC_SLOPE = 10.929
_IFCC_INTERCEPT = 2.15

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


@dataclass(frozen=True)
class UnitDef:
    code: str
    dimension: str
    factor: float


class Conversion(BaseModel):
    """The result of :func:`convert`: a value in ``unit``, or ``refused`` with
    the reason no sound conversion exists."""

    model_config = ConfigDict(frozen=True)

    value: float | None = None
    unit: str | None = None
    refused: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None


_PER = re.compile(r"(?:^|\s+)per\s+(?=[a-z0-9{(])")


_SPELLED_AS = {
    "liter": "l", "litre": "l", "liters": "l", "litres": "l",
    "deciliter": "dl", "decilitre": "dl", "milliliter": "ml", "millilitre": "ml", "mililiter": "ml",
    "microliter": "ul", "microlitre": "ul", "microl": "ul", "minute": "min", "minutes": "min", "mins": "min",
}
_SPELLED = re.compile(r"(?<=/)(" + "|".join(sorted(_SPELLED_AS, key=len, reverse=True)) + r")(?![a-z])")


@lru_cache(maxsize=4096)
def unit_key(text: str) -> str:
    """Normalise a unit spelling for lookup: lower case, no spaces, micro as
    "u", superscripts as digits, powers of ten as ``10^n``."""
    s = text.strip().replace("\\", "")
    # powers of ten written with a superscript: 10⁹ -> 10^9
    s = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), s)
    s = s.translate(_SUPERSCRIPTS)
    s = s.replace("µ", "u").replace("μ", "u").replace("×", "x").replace("·", ".").replace("⁄", "/")
    s = s.lower()
    # "mL per minute", "cells per mm3", "umol per liter": "per" is a slash
    s = _PER.sub("/", s)
    s = re.sub(r"\s+", "", s)
    # spelled-out denominators: "umol/liter", "cells/microliter", "mL/minute", "1,73 m2"
    s = _SPELLED.sub(lambda m: _SPELLED_AS[m.group(1)], s)
    s = s.replace("/1,73", "/1.73")
    s = re.sub(r"m\(([23])\)", r"m\1", s)  # "1.73 m(2)", "/mm(3)"
    s = s.replace("(cps)", "")
    s = re.sub(r"\bmc(?=g|l|mol|iu|kat|m)", "u", s)
    s = re.sub(r"^mc(?=g|l|mol|iu|kat)", "u", s)
    s = re.sub(r"10(?:\*\*|\*|e|exp|\^)\(?(\d+)\)?", r"10^\1", s)
    s = re.sub(r"10\((\d+)\)", r"10^\1", s)
    # "x 109/L" (a superscript lost in copying) -> x10^9/L
    s = re.sub(r"^x10(9|3|6|12)(?=/|cells/)", r"x10^\1", s)
    if s.startswith("x10^") or s.startswith("*10^"):
        s = s[1:]
    s = s.rstrip(".")
    return s


@cache
def _table() -> tuple[dict[str, UnitDef], dict[str, UnitDef]]:
    with rules_file("units.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    by_code: dict[str, UnitDef] = {}
    by_key: dict[str, UnitDef] = {}
    entries = data["units"]
    for entry in entries:
        unit = UnitDef(str(entry["code"]), str(entry["dimension"]), float(entry["factor"]))
        if unit.code in by_code:
            raise ValueError(f"unit {unit.code!r} appears twice in units.yaml")
        by_code[unit.code] = unit
        by_key[unit_key(unit.code)] = unit
    for entry in entries:
        unit = by_code[str(entry["code"])]
        for alias in entry.get("aliases") or []:
            by_key.setdefault(unit_key(str(alias)), unit)
    return by_code, by_key


def unit_codes() -> list[str]:
    return list(_table()[0])


@cache
def unit_aliases() -> dict[str, list[str]]:
    """Every unit code with the spellings (aliases) the table lists."""
    with rules_file("units.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(e["code"]): [str(a) for a in (e.get("aliases") or [])] for e in data["units"]}


def parse_unit(text: str | None) -> UnitDef | None:
    """The unit a spelling stands for, or None when it is not in the table."""
    if text is None:
        return None
    by_code, by_key = _table()
    if text in by_code:
        return by_code[text]
    return by_key.get(unit_key(text))


def normalize_unit(text: str | None) -> str | None:
    """The canonical code of a unit spelling ("mg / dl" -> "mg/dL"), or None."""
    unit = parse_unit(text)
    return unit.code if unit else None


def _analyte(analyte: Analyte | str | None) -> Analyte | None:
    if analyte is None or isinstance(analyte, Analyte):
        return analyte
    return analyte_by_id_or_name(analyte)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _per_mole(dimension: str, info: Analyte | None) -> tuple[float | None, str]:
    """What one mole of the analyte weighs (mass) or is worth in equivalents."""
    if dimension == "mass_concentration":
        return (info.molar_mass if info is not None else None), "molar mass"
    if dimension == "equivalent_concentration":
        return (info.valence if info is not None else None), "valence"
    return 1.0, ""


def convert(
    value: float, from_unit: str | None, to_unit: str | None, analyte: Analyte | str | None = None
) -> Conversion:
    """Convert ``value`` from one unit to another for ``analyte``.

    Returns the converted value, or a refusal whose reason says why no sound
    conversion exists (unknown unit, different quantities, missing molar
    mass, assay-dependent copies/IU factor, ...).
    """
    info = _analyte(analyte)
    name = info.label if info else "this value"
    score_like = info is not None and info.kind == "score"

    def refuse(reason: str) -> Conversion:
        return Conversion(refused=reason)

    # unitless values: scores on a scale, ratios such as INR
    from_u = parse_unit(from_unit) if from_unit not in (None, "") else None
    to_u = parse_unit(to_unit) if to_unit not in (None, "") else None
    if from_unit not in (None, "") and from_u is None:
        return refuse(f"the unit {from_unit!r} is not known")
    if to_unit not in (None, "") and to_u is None:
        return refuse(f"the unit {to_unit!r} is not known")
    if from_u is None or to_u is None:
        if from_u is None and to_u is None:
            return Conversion(value=value, unit=None)
        other = from_u or to_u
        assert other is not None
        if score_like or other.dimension == "score":
            return Conversion(value=value, unit=to_u.code if to_u else None)
        return refuse(f"{name} without a unit cannot be compared with a value in {other.code}")

    if info is not None and info.unit_equivalents:
        eq = {normalize_unit(k): normalize_unit(v) for k, v in info.unit_equivalents.items()}
        from_u = parse_unit(eq.get(from_u.code) or from_u.code) or from_u
        to_u = parse_unit(eq.get(to_u.code) or to_u.code) or to_u

    if from_u.code == to_u.code:
        return Conversion(value=value, unit=to_u.code)
    if score_like and (from_u.dimension in ("score", "fraction") and to_u.dimension in ("score", "fraction")):
        # points on the scale, however written ("70%" Karnofsky, "2 points")
        return Conversion(value=value, unit=to_u.code)
    fd, td = from_u.dimension, to_u.dimension
    if fd == td:
        if fd == "score":
            return Conversion(value=value, unit=to_u.code)
        if fd.startswith("temperature"):
            return refuse("temperatures need an offset, not a factor")  # pragma: no cover
        return Conversion(value=value * from_u.factor / to_u.factor, unit=to_u.code)

    # temperature
    if {fd, td} == {"temperature_celsius", "temperature_fahrenheit"}:
        if fd == "temperature_celsius":
            return Conversion(value=value * 9.0 / 5.0 + 32.0, unit=to_u.code)
        return Conversion(value=(value - 32.0) * 5.0 / 9.0, unit=to_u.code)

    # HbA1c: NGSP % <-> IFCC mmol/mol
    if {fd, td} == {"fraction", "hba1c_ifcc"}:
        if info is None or info.id != "hba1c":
            return refuse(f"% and mmol/mol are only related for HbA1c, not for {name}")
        if fd == "fraction":
            percent = value * from_u.factor / 0.01
            return Conversion(value=_IFCC_SLOPE * (percent - _IFCC_INTERCEPT), unit=to_u.code,
                              note="IFCC-NGSP master equation")
        percent = value / _IFCC_SLOPE + _IFCC_INTERCEPT
        return Conversion(value=percent * 0.01 / to_u.factor, unit=to_u.code, note="IFCC-NGSP master equation")

    # nucleic-acid copies <-> international units
    if {fd, td} == {"copies_concentration", "arbitrary_concentration"}:
        if info is None or info.copies_per_iu is None:
            return refuse(
                f"copies/mL and IU/mL of {name} depend on the assay and no conversion factor is documented"
            )
        if fd == "copies_concentration":
            iu_per_l = value * from_u.factor / info.copies_per_iu * 1000.0
            return Conversion(value=iu_per_l / to_u.factor, unit=to_u.code,
                              note=f"1 IU = {_fmt(info.copies_per_iu)} copies")
        copies_per_ml = value * from_u.factor / 1000.0 * info.copies_per_iu
        return Conversion(value=copies_per_ml / to_u.factor, unit=to_u.code,
                          note=f"1 IU = {_fmt(info.copies_per_iu)} copies")

    # mass / substance / equivalents
    chem = {"mass_concentration", "substance_concentration", "equivalent_concentration"}
    if fd in chem and td in chem:
        # through mol/L: mass by molar mass, equivalents by valence
        per_mole: list[float] = []
        for dim in (fd, td):
            factor, what = _per_mole(dim, info)
            if factor is None:
                return refuse(f"{name} has no documented {what}, so {from_u.code} cannot become {to_u.code}")
            per_mole.append(factor)
        mol = value * from_u.factor / per_mole[0]
        out = mol * per_mole[1] / to_u.factor
        return Conversion(value=out, unit=to_u.code)

    return refuse(f"{from_u.code} and {to_u.code} measure different things for {name}")
