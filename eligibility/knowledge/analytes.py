"""The analyte knowledge file (``rules/analytes.yaml``): models, loader, lookups.

An analyte is anything a criterion compares with a number: a lab value, a vital
sign or a score. The YAML says how trials name it, which LOINC codes carry it
in a record, which units it is written in and how to read a bare number. This
module validates that file once (pydantic v2) and builds the lookups and the
name pattern the extractor uses.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from eligibility.knowledge.paths import load_yaml

_LOINC_RE = re.compile(r"^\d{1,7}-\d$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BareNumberUnit(_Model):
    """How a number written without a unit is read: the first item whose
    ``[min, max)`` holds the value gives its unit (``None`` for scores)."""

    unit: str | None
    min: float = float("-inf")
    max: float = float("inf")

    def holds(self, value: float) -> bool:
        return self.min <= value < self.max


class ReferenceRange(_Model):
    """A documented default reference interval, used when the observation
    carries none ("x ULN", "within normal limits")."""

    low: float | None = None
    high: float | None = None
    unit: str | None = None
    source: str


class Analyte(_Model):
    id: str
    label: str
    kind: Literal["lab", "vital", "score"]
    names: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    loinc: list[str] = Field(default_factory=list)
    unit: str | None = None
    units: list[str] = Field(default_factory=list)
    bare_number: list[BareNumberUnit] = Field(default_factory=list)
    molar_mass: float | None = None
    valence: int | None = None
    copies_per_iu: float | None = None
    value_range: tuple[float, float] | None = None
    coded_values: dict[str, float] = Field(default_factory=dict)
    reference: ReferenceRange | None = None
    unit_equivalents: dict[str, str] = Field(default_factory=dict)
    components: list[str] = Field(default_factory=list)
    percent_predicted: str | None = None
    sources: list[str] = Field(default_factory=list)
    # true: assessed in person when needed (the ASA physical status, by the
    # anaesthetist before surgery); a record without it leaves a clinician's
    # check, not an unknown the record might still answer
    in_person: bool = False

    @field_validator("id")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise ValueError(f"analyte id {value!r} is not snake_case")
        return value

    @field_validator("loinc")
    @classmethod
    def _loinc(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _LOINC_RE.match(code):
                raise ValueError(f"{code!r} is not a LOINC code (digits-checkdigit)")
        return value

    @field_validator("molar_mass", "copies_per_iu")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be positive")
        return value

    @property
    def all_units(self) -> list[str | None]:
        """The canonical unit first, then the other accepted ones."""
        out: list[str | None] = [self.unit]
        out.extend(u for u in self.units if u != self.unit)
        return out

    def bare_unit(self, value: float) -> tuple[bool, str | None]:
        """(found, unit) for a number written without a unit."""
        for item in self.bare_number:
            if item.holds(value):
                return True, item.unit
        return False, None

    def plausible(self, value: float) -> bool:
        if self.value_range is None:
            return True
        low, high = self.value_range
        return low <= value <= high


class Source(_Model):
    key: str
    text: str


class AnalyteCatalog(_Model):
    analytes: list[Analyte]
    not_analytes: list[str] = Field(default_factory=list)


_NOT_KEY = re.compile(r"[^0-9a-zµμα-ω₀-₉+]")


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """Lookup key of a name: lower case, letters and digits only ("HBV-DNA" ==
    "hbv dna" == "HBVDNA"; "Child's-Pugh" == "childs pugh")."""
    return _NOT_KEY.sub("", text.lower())


def _abbrev_key(text: str) -> str:
    return re.sub(r"[^0-9A-Za-zµμα-ωΑ-Ω₀-₉+]", "", text)


def loinc_check_digit(number: str) -> int:
    """The LOINC Mod 10 check digit of the part before the hyphen."""
    digits = number[::-1]
    odd = "".join(digits[0::2])[::-1]  # positions 1, 3, 5 ... from the right
    even = "".join(digits[1::2])[::-1]
    combined = even + str(int(odd) * 2 if odd else 0)
    total = sum(int(d) for d in combined)
    return (10 - total % 10) % 10


def loinc_valid(code: str) -> bool:
    if not _LOINC_RE.match(code):
        return False
    number, check = code.split("-")
    return loinc_check_digit(number) == int(check)


@cache
def load_catalog() -> AnalyteCatalog:
    return AnalyteCatalog.model_validate(load_yaml("analytes.yaml"))


def load_analytes() -> dict[str, Analyte]:
    """Every analyte of ``rules/analytes.yaml`` by id (validated, cached)."""
    return _by_id()


@cache
def _by_id() -> dict[str, Analyte]:
    out: dict[str, Analyte] = {}
    for analyte in load_catalog().analytes:
        if analyte.id in out:
            raise ValueError(f"analyte id {analyte.id!r} appears twice in analytes.yaml")
        out[analyte.id] = analyte
    return out


def get_analyte(analyte_id: str) -> Analyte | None:
    return _by_id().get(analyte_id)


@cache
def _by_loinc() -> dict[str, list[Analyte]]:
    out: dict[str, list[Analyte]] = {}
    for analyte in load_catalog().analytes:
        for code in analyte.loinc:
            out.setdefault(code, []).append(analyte)
    return out


def analytes_by_loinc(code: str) -> list[Analyte]:
    """The analytes a LOINC code belongs to (usually one; the generic
    ``troponin`` shares its codes with troponin I and T)."""
    return list(_by_loinc().get(code.strip(), []))


def analyte_by_loinc(code: str) -> Analyte | None:
    found = _by_loinc().get(code.strip())
    return found[0] if found else None


@cache
def _name_index() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    abbrevs: dict[str, str] = {}
    for analyte in load_catalog().analytes:
        for name in [analyte.label, *analyte.names]:
            names.setdefault(normalize_name(name), analyte.id)
        for abbr in analyte.abbreviations:
            abbrevs.setdefault(_abbrev_key(abbr), analyte.id)
    lowered = {k.lower(): v for k, v in abbrevs.items()}
    return names, abbrevs, lowered


@lru_cache(maxsize=65536)
def analyte_by_name(text: str) -> Analyte | None:
    """Look an analyte up by one of its names (case-insensitive, spaces and
    hyphens ignored), then by abbreviation (case-sensitive, then not).
    Cached: patient records repeat the same few hundred display texts."""
    names, abbrevs, lowered = _name_index()
    key = normalize_name(text)
    found = names.get(key) or abbrevs.get(_abbrev_key(text.strip())) or lowered.get(key)
    return _by_id()[found] if found else None


def analyte_by_id_or_name(text: str) -> Analyte | None:
    return _by_id().get(text) or analyte_by_name(text)


# ----------------------------------------------------------------- patterns


_Trie = dict[str, "_Trie"]


def _trie_regex(words: list[str], sep: str) -> str:
    """A regex matching any of ``words`` (already normalised to tokens of
    characters where " " stands for a flexible separator), built as a trie so
    that the alternation never backtracks through hundreds of names."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        ends = "" in node
        branches = []
        # the separator may match nothing, so "das 28" would also take the
        # "DAS28" of "DAS28-ESR" and stop there: try it after the other branches
        for char in sorted((k for k in node if k), key=lambda k: (k == " ", k)):
            atom = sep if char == " " else re.escape(char)
            branches.append(atom + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _pattern_form(name: str, lower: bool) -> str:
    text = name.lower() if lower else name
    text = re.sub(r"[\s\-‐–]+", " ", text.strip())
    return text


@cache
def _pattern_parts() -> tuple[set[str], set[str], set[str], str, str, str]:
    """The names, abbreviations and not-analyte phrases in pattern form, and
    their trie regexes (skip, name, abbr)."""
    catalog = load_catalog()
    names: set[str] = set()
    abbrevs: set[str] = set()
    for analyte in catalog.analytes:
        for name in analyte.names:
            names.add(_pattern_form(name, True))
        for abbr in analyte.abbreviations:
            abbrevs.add(_pattern_form(abbr, False))
    skips = {_pattern_form(s, True) for s in catalog.not_analytes}
    sep = r"[\s\-‐–]*"
    return names, abbrevs, skips, _trie_regex(sorted(skips), sep), _trie_regex(sorted(names), sep), _trie_regex(sorted(abbrevs), sep)


@cache
def name_pattern() -> re.Pattern[str]:
    """One compiled regex matching every analyte name (group ``name``, case
    insensitive), abbreviation (group ``abbr``, case-sensitive) and the
    not-analyte phrases (group ``skip``). Compiled once per process."""
    names, abbrevs, skips, skip_re, name_re, abbr_re = _pattern_parts()
    firsts = {w[0].lower() for w in names | skips} | {w[0] for w in abbrevs}
    first_class = "".join(re.escape(c) for c in sorted(firsts | {c.upper() for c in firsts if c.isalpha()}))
    pattern = (
        r"(?<![\w])(?=[" + first_class + r"])(?:(?P<skip>(?i:" + skip_re + r"))|(?P<name>(?i:" + name_re + r"))|(?P<abbr>" + abbr_re + r"))"
        r"(?![^\W_])"
    )
    return re.compile(pattern)


# -- name_pattern() in two halves, for ASCII text ------------------------------------
#
# Under (?i:...) re tries the name and skip tries character by character with
# case folding; on the lowercased text the same tries match case-sensitively,
# which is faster. The abbreviations stay case-sensitive on the original text.
# Merged (at one position the lowercase half first, as the alternation tries
# skip and name before abbr), the two scans give name_pattern()'s matches.
# Only for ASCII text: there lowercasing keeps offsets, \w, and what re.I
# would match (the case-sensitive first-letter class of name_pattern() sees
# the same letters too).


@cache
def _name_patterns_split() -> tuple[re.Pattern[str], re.Pattern[str]]:
    names, abbrevs, skips, skip_re, name_re, abbr_re = _pattern_parts()
    lower_first = "".join(re.escape(c) for c in sorted({w[0].lower() for w in names | skips}))
    abbr_first = "".join(re.escape(c) for c in sorted({w[0] for w in abbrevs}))
    lower = re.compile(
        r"(?<![\w])(?=[" + lower_first + r"])(?:(?P<skip>" + skip_re + r")|(?P<name>" + name_re + r"))(?![^\W_])"
    )
    abbr = re.compile(r"(?<![\w])(?=[" + abbr_first + r"])(?P<abbr>" + abbr_re + r")(?![^\W_])")
    return lower, abbr


def name_matches(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, group)`` of every ``name_pattern()`` match in ``text``,
    in order, as ``name_pattern().finditer(text)`` finds them."""
    if not text.isascii():
        return [(m.start(), m.end(), m.lastgroup or "name") for m in name_pattern().finditer(text)]
    lower_re, abbr_re = _name_patterns_split()
    low = text.lower()
    out: list[tuple[int, int, str]] = []
    ml = lower_re.search(low)
    ma = abbr_re.search(text)
    while ml is not None or ma is not None:
        m = ml if ma is None or (ml is not None and ml.start() <= ma.start()) else ma
        assert m is not None
        pos = m.end()
        out.append((m.start(), pos, m.lastgroup or "name"))
        if ml is not None and ml.start() < pos:
            ml = lower_re.search(low, pos)
        if ma is not None and ma.start() < pos:
            ma = abbr_re.search(text, pos)
    return out


def resolve_match(text: str, group: str) -> Analyte | None:
    """The analyte a ``name_pattern()`` match stands for."""
    names, abbrevs, _ = _name_index()
    if group == "abbr":
        found = abbrevs.get(_abbrev_key(text))
        if found is None:
            found = names.get(normalize_name(text))
    else:
        found = names.get(normalize_name(text))
    return _by_id()[found] if found else None
