"""Concept lexicons (conditions, medications, procedures) and trigger phrases.

The knowledge lives in ``rules/*.yaml`` (reviewed data with their sources);
this module validates those files with pydantic models and builds, once per
process, the indexes the extractor and the matcher need:

* by code: ``(system, code)`` -> concept ids, with ICD-10-CM prefix ranges
  ("C00-C96", "E11.2") answered by :meth:`Lexicon.ids_for_code`;
* by normalized name: :func:`normalize` folds case, accents, apostrophes,
  zero-width characters and SNOMED semantic tags ("(disorder)") so that
  "Crohn's disease", "crohns  disease" and "Crohn's disease (disorder)" meet;
* class membership, transitive: :meth:`Lexicon.ancestors` and
  :meth:`Lexicon.descendants` (a class is a concept too).

Drug names in records are clinical drugs ("24 HR Metformin hydrochloride 500
MG Extended Release Oral Tablet"); :func:`drug_name_tokens` strips doses,
dose forms and salt words so the ingredients can be found inside.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.knowledge.paths import load_yaml

LexiconKind = Literal["condition", "medication", "procedure"]
CodeSystemName = Literal["snomed", "icd10cm", "rxnorm"]

__all__ = [
    "Concept",
    "Lexicon",
    "Triggers",
    "conditions",
    "drug_name_tokens",
    "icd10_in_range",
    "is_abbreviation",
    "lexicon",
    "medications",
    "normalize",
    "procedures",
    "route_of_text",
    "tokens",
    "triggers",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Concept(_Model):
    """One entry of a lexicon: a concept or a class of concepts."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    is_class: bool = Field(default=False, alias="class")
    syn: list[str] = Field(default_factory=list)
    abbr: list[str] = Field(default_factory=list)
    misspell: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    icd10cm: list[str] = Field(default_factory=list)
    rxnorm: list[str] = Field(default_factory=list)
    # CDC vaccine codes: records give vaccines as Immunization resources coded
    # in CVX, never in RxNorm, and their displays ("zoster", "MMR") are too
    # bare to be names a criterion could be read by
    cvx: list[str] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)
    routes: list[str] = Field(default_factory=list)
    default_route: Literal["oral", "intravenous", "topical", "inhaled", "systemic"] | None = None
    match: bool = True  # false: the names are not looked for in criteria text
    # true: records often leave it out (postmenopausal, in remission, relapse),
    # so a record that does not name it leaves it unknown, not absent
    open_world: bool = False
    # true: an illness that passes (an infection, an injury): named with no
    # status or window ("Infection"), a criterion means one the patient has now
    episodic: bool = False
    # true: an illness or event that ends (appendicitis, a myocardial
    # infarction): a record that gives it no end date is taken as over once
    # its onset is older than the matcher's episode horizon (episodic implies it)
    acute: bool = False

    def names(self) -> list[str]:
        """Every name matched case-insensitively (abbreviations excluded)."""
        return [self.name, *self.syn, *self.misspell, *self.brands]


class ConceptFile(_Model):
    concepts: list[Concept]


class NegationTriggers(_Model):
    pre: list[str]
    post: list[str]
    terminators: list[str]


class StatusTriggers(_Model):
    active: list[str]
    history: list[str]
    any: list[str]


class MedicationStatusTriggers(_Model):
    current: list[str]
    ever: list[str]


class WindowTriggers(_Model):
    within: list[str]
    not_within: list[str]
    duration: list[str]
    washout: list[str] = []
    longer_of: list[str] = []
    shorter_of: list[str] = []
    unmeasured: list[str] = []
    current: list[str]


class ManualTriggers(_Model):
    consent: list[str]
    willingness: list[str]
    compliance: list[str]
    investigator_judgement: list[str]
    trial_participation: list[str]
    contraception: list[str]
    other: list[str]


class PregnancyTriggers(_Model):
    pregnant: list[str]
    lactating: list[str]
    childbearing_potential: list[str]


class SmokingTriggers(_Model):
    current: list[str]
    former: list[str]
    never: list[str]
    ever: list[str]


class CauseTriggers(_Model):
    before: list[str]
    after: list[str]


class TimelineTriggers(_Model):
    """The trial's own events, which anchor a window ("8 weeks prior to
    vaccination") and are no requirement of the patient's record."""

    before: list[str]
    between: list[str]
    events: list[str]


class TrialKindTriggers(_Model):
    """Words that make a generic drug word the kind of another trial
    ("another drug or device trial")."""

    nouns: list[str]
    qualifiers: list[str]
    company: list[str]


class ContraceptionMethods(_Model):
    """A criterion that asks for a method of contraception lists methods as
    options of a manual check, not as drugs or procedures to have had."""

    asks: list[str]
    methods: list[str]


class SubgroupThresholdTriggers(_Model):
    """A relaxed lab limit for a subgroup ("≤ 3 × ULN for patients with
    Gilbert's syndrome"): the phrases that introduce the subgroup."""

    relaxed: list[str]
    with_person: list[str]
    exempt: list[str]
    persons: list[str]
    absent: list[str]
    limit_words: list[str]


class EvidenceTriggers(_Model):
    """A diagnostic procedure named as how something is shown is no requirement."""

    words: list[str]
    procedures: list[str]
    results_before: list[str] = []
    results_after: list[str] = []
    tests_of_pregnancy: list[str] = []
    test_heads: list[str] = []


class SiteTriggers(_Model):
    """A site the record does not code after a condition or procedure."""

    places: list[str]
    qualifiers: list[str]
    parts: list[str]
    before: list[str] = []
    purpose: list[str] = []
    purpose_of: list[str] = []


class ContextWords(_Model):
    """Word lists the concept reader looks for around a mention (see the
    `context` section of rules/triggers.yaml for the reading each serves)."""

    generic_qualifiers: list[str]
    infection_words: list[str]
    subject_words: list[str]
    plan_words: list[str]
    pregnancy_topics: list[str]
    narrowed_persons: list[str]
    permission: list[str]
    requiring: list[str] = []
    institution_heads: list[str] = []


class Triggers(_Model):
    negation: NegationTriggers
    status: StatusTriggers
    medication_status: MedicationStatusTriggers
    window: WindowTriggers
    exception: list[str]
    optional: list[str] = []
    exception_after: list[str] = []
    exception_across_sentences: list[str] = []
    example: list[str]
    cause: CauseTriggers
    manual: ManualTriggers
    stop_phrases: list[str]
    timeline: TimelineTriggers
    trial_kind: TrialKindTriggers
    contraception_methods: ContraceptionMethods
    drug_screen: list[str]
    planned: list[str]
    other_person: list[str] = []
    planned_surgery: list[str] = []
    planned_surgery_classes: list[str] = []
    planned_procedure: list[str] = []
    evidence: EvidenceTriggers
    site: SiteTriggers
    pregnancy: PregnancyTriggers
    smoking: SmokingTriggers
    subgroup_threshold: SubgroupThresholdTriggers
    context: ContextWords


# ---------------------------------------------------------------- normalization

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SEMANTIC_TAG = re.compile(
    r"\((?:disorder|finding|procedure|situation|morphologic abnormality|regime/therapy|"
    r"qualifier value|observable entity|substance|product|medicinal product|clinical drug|"
    r"event|body structure|person|navigational concept)\)",
    re.IGNORECASE,
)
_APOSTROPHE = re.compile(r"(?<=\w)['’`]s?\b|['’`]")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _fold(text: str) -> str:
    text = text.translate(_ZERO_WIDTH)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.replace("ß", "ss").replace("β", "beta").replace("α", "alpha")
    return text


def tokens(text: str) -> list[str]:
    """Normalized word tokens of ``text``: lower case, no accents, no
    apostrophes ("Crohn's" -> "crohns"), split on anything not a letter or digit."""
    text = _SEMANTIC_TAG.sub(" ", _fold(text))
    text = _APOSTROPHE.sub(lambda m: "s" if m.group(0).lower().endswith("s") and len(m.group(0)) > 1 else "", text)
    return [t.lower() for t in _TOKEN.findall(text)]


def normalize(text: str) -> str:
    """One string per name: ``" ".join(tokens(text))``."""
    return " ".join(tokens(text))


def is_abbreviation(name: str) -> bool:
    """A short name written in capitals ("MS", "HIV", "NSAID") is matched
    case-sensitively, whatever list it is written in."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and len(letters) <= 6 and not any(ch.islower() for ch in letters) and " " not in name.strip()


# ---------------------------------------------------------------- drugs in records

_SALT_WORDS = frozenset(
    ["hydrochloride", "hcl", "sodium", "disodium", "potassium", "calcium", "magnesium", "mesylate", "mesilate", "maleate", "fumarate", "succinate", "tartrate", "bitartrate", "citrate", "sulfate", "sulphate", "phosphate", "acetate", "besylate", "bromide", "hydrobromide", "chloride", "monohydrate", "dihydrate", "trihydrate", "anhydrous", "propionate", "dipropionate", "valerate", "furoate", "medoxomil", "cilexetil", "axetil", "pivoxil", "etexilate", "hyclate", "lactate", "gluconate", "carbonate", "oxalate", "tromethamine", "succinate", "decanoate", "enanthate", "cypionate", "undecanoate", "pamoate", "embonate", "trihydrate", "salt"]
)
_FORM_WORDS = frozenset(
    ["mg", "ml", "mcg", "ug", "g", "kg", "l", "unt", "unit", "units", "iu", "meq", "actuat", "actuation", "hr", "hrs", "h", "day", "days", "week", "pack", "oral", "tablet", "tablets", "capsule", "capsules", "solution", "suspension", "injection", "injectable", "inj", "syrup", "elixir", "chewable", "extended", "release", "delayed", "sustained", "disintegrating", "film", "coated", "enteric", "prefilled", "syringe", "auto", "injector", "autoinjector", "pen", "cartridge", "vial", "topical", "cream", "ointment", "gel", "lotion", "foam", "patch", "transdermal", "system", "metered", "dose", "inhaler", "powder", "dry", "inhalation", "nasal", "spray", "mucosal", "sublingual", "buccal", "rectal", "suppository", "vaginal", "ring", "intrauterine", "implant", "drug", "ophthalmic", "otic", "drops", "product", "kit", "pump", "nda", "bla", "anda", "per", "mg/ml"]
)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$|^\d+[a-z]+$")

RouteName = Literal["oral", "intravenous", "subcutaneous", "intramuscular", "inhaled", "topical", "transdermal",
                    "vaginal", "intrauterine", "sublingual", "intranasal", "subdermal", "rectal"]

_ROUTE_HINTS: tuple[tuple[str, str], ...] = (
    ("inhaler", "inhaled"), ("inhalation", "inhaled"), ("inhal", "inhaled"), ("nebul", "inhaled"),
    ("nasal", "intranasal"), ("topical", "topical"), ("cream", "topical"), ("ointment", "topical"),
    ("lotion", "topical"), ("gel", "topical"), ("transdermal", "transdermal"), ("patch", "transdermal"),
    ("ophthalmic", "topical"), ("otic", "topical"), ("vaginal", "vaginal"), ("intrauterine", "intrauterine"),
    ("implant", "subdermal"), ("sublingual", "sublingual"), ("mucosal", "sublingual"), ("rectal", "rectal"),
    ("suppository", "rectal"), ("intravenous", "intravenous"), ("infusion", "intravenous"),
    ("subcutaneous", "subcutaneous"), ("intramuscular", "intramuscular"), ("injection", "injection"),
    ("injectable", "injection"), ("syringe", "injection"), ("auto-injector", "injection"), ("pen injector", "injection"),
    ("oral", "oral"), ("tablet", "oral"), ("capsule", "oral"), ("syrup", "oral"), ("elixir", "oral"),
    ("chewable", "oral"), ("pack", "oral"),
)


def route_of_text(text: str) -> str | None:
    """The route a clinical-drug name implies ("... Oral Tablet" -> oral,
    "... Metered Dose Inhaler" -> inhaled, "... Injection" -> injection)."""
    low = text.lower()
    for hint, route in _ROUTE_HINTS:
        if hint in low:
            return route
    return None


def drug_name_tokens(text: str, *, keep_salts: bool = False) -> list[str]:
    """Tokens of a drug name with doses, dose forms and (unless
    ``keep_salts``) salt words removed: "24 HR Metformin hydrochloride 500 MG
    Extended Release Oral Tablet" -> ["metformin"]."""
    out: list[str] = []
    for tok in tokens(text):
        if len(out) > 1 and out[-2] == "vitamin" and len(out[-1]) == 1 and tok.isdigit():
            out[-1] += tok  # "Vitamin B 12" is vitamin b12, not a dose of vitamin B
            continue
        if tok in _FORM_WORDS or _NUMBER.match(tok) or (not keep_salts and tok in _SALT_WORDS):
            continue
        out.append(tok)
    return out


# ---------------------------------------------------------------- ICD-10-CM

def _icd_key(code: str) -> str:
    return code.replace(".", "").strip().upper()


def icd10_in_range(code: str, spec: str) -> bool:
    """Whether ICD-10-CM ``code`` ("C18.9") lies in ``spec``: a code or
    prefix ("C18", "E11.2") or an inclusive range of prefixes ("C00-C96",
    "E10.2-E10.8"), compared on the prefix length of the bounds."""
    key = _icd_key(code)
    if "-" in spec:
        lo_s, hi_s = spec.split("-", 1)
        lo, hi = _icd_key(lo_s), _icd_key(hi_s)
        return lo <= key[: len(lo)] and key[: len(hi)] <= hi
    return key.startswith(_icd_key(spec))


# ---------------------------------------------------------------- lexicon

class Lexicon:
    """One lexicon file, indexed."""

    def __init__(self, kind: LexiconKind, concepts: Iterable[Concept]) -> None:
        self.kind: LexiconKind = kind
        self.concepts: dict[str, Concept] = {}
        for concept in concepts:
            if concept.id in self.concepts:
                raise ValueError(f"{kind} lexicon: duplicate id {concept.id!r}")
            self.concepts[concept.id] = concept
        self.by_name: dict[str, str] = {}
        self.by_abbr: dict[str, str] = {}
        self.by_code: dict[tuple[str, str], set[str]] = {}
        self.icd_ranges: list[tuple[str, str]] = []  # (spec, concept id)
        self._children: dict[str, set[str]] = {cid: set() for cid in self.concepts}
        for concept in self.concepts.values():
            for parent in concept.parents:
                if parent not in self.concepts:
                    raise ValueError(f"{kind} lexicon: {concept.id!r} names unknown parent {parent!r}")
                self._children[parent].add(concept.id)
            for name in concept.names():
                if is_abbreviation(name):
                    self.by_abbr.setdefault(name.strip(), concept.id)
                else:
                    key = normalize(name)
                    if key:
                        self.by_name.setdefault(key, concept.id)
            for name in concept.abbr:
                self.by_abbr.setdefault(name.strip(), concept.id)
            for system, codes in (("snomed", concept.snomed), ("rxnorm", concept.rxnorm), ("cvx", concept.cvx)):
                for code in codes:
                    self.by_code.setdefault((system, code), set()).add(concept.id)
            for spec in concept.icd10cm:
                self.icd_ranges.append((spec, concept.id))
        # the most specific ranges first, so that a lookup can stop early if it wants
        self.icd_ranges.sort(key=lambda item: -len(item[0].split("-")[0]))
        for cid in self.concepts:
            self.ancestors(cid)  # raises on a cycle

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, concept_id: str) -> Concept | None:
        return self.concepts.get(concept_id)

    @cache  # noqa: B019 - lexicons live for the whole process
    def ancestors(self, concept_id: str) -> frozenset[str]:
        """All classes ``concept_id`` belongs to, transitively (not itself)."""
        out: set[str] = set()
        stack = list(self.concepts[concept_id].parents) if concept_id in self.concepts else []
        path = {concept_id}
        while stack:
            parent = stack.pop()
            if parent == concept_id:
                raise ValueError(f"{self.kind} lexicon: class cycle through {concept_id!r}")
            if parent in out:
                continue
            out.add(parent)
            path.add(parent)
            stack.extend(self.concepts[parent].parents)
        return frozenset(out)

    @cache  # noqa: B019
    def descendants(self, concept_id: str) -> frozenset[str]:
        """Every concept below ``concept_id``, transitively (not itself)."""
        out: set[str] = set()
        stack = list(self._children.get(concept_id, ()))
        while stack:
            child = stack.pop()
            if child in out:
                continue
            out.add(child)
            stack.extend(self._children.get(child, ()))
        return frozenset(out)

    def is_a(self, concept_id: str, class_id: str) -> bool:
        return concept_id == class_id or class_id in self.ancestors(concept_id)

    def lookup_name(self, text: str) -> str | None:
        """The concept whose name, synonym, misspelling or brand is ``text``."""
        hit = self.by_name.get(normalize(text))
        if hit is None:
            hit = self.by_abbr.get(text.strip())
        return hit

    def ids_for_code(self, system: str, code: str) -> set[str]:
        """Concepts carrying this code; ICD-10-CM codes also hit every range
        that contains them ("C18.9" -> colon cancer, colorectal cancer, malignancy)."""
        if system == "icd10cm":
            return {cid for spec, cid in self.icd_ranges if icd10_in_range(code, spec)}
        return set(self.by_code.get((system, code), ()))

    def codes(self, concept_id: str) -> list[tuple[CodeSystemName, str]]:
        concept = self.concepts[concept_id]
        out: list[tuple[CodeSystemName, str]] = []
        out.extend(("snomed", c) for c in concept.snomed)
        out.extend(("icd10cm", c) for c in concept.icd10cm)
        out.extend(("rxnorm", c) for c in concept.rxnorm)
        return out

    def routes(self, concept_id: str) -> frozenset[str]:
        concept = self.concepts.get(concept_id)
        return frozenset(concept.routes) if concept else frozenset()

    def default_route(self, concept_id: str) -> str | None:
        """The route a criterion means when it names this class bare."""
        concept = self.concepts.get(concept_id)
        if concept is None:
            return None
        if concept.default_route:
            return concept.default_route
        for ancestor in sorted(self.ancestors(concept_id)):
            route = self.concepts[ancestor].default_route
            if route:
                return route
        return None

    def find_in_text(self, text: str, *, drug: bool = False) -> set[str]:
        """Every concept named somewhere inside ``text`` (n-gram lookup on
        normalized tokens; for drugs, doses, forms and salt words are
        dropped first). Used on record displays, never on criteria."""
        found: set[str] = set()
        if drug:
            for toks in (drug_name_tokens(text, keep_salts=True), drug_name_tokens(text)):
                self._scan(toks, found)
        else:
            self._scan(tokens(text), found)
        for word in _TOKEN.findall(_fold(text)):
            cid = self.by_abbr.get(word)
            if cid is not None and len(word) >= 3:
                found.add(cid)
        return found

    def _scan(self, toks: list[str], found: set[str]) -> None:
        n = len(toks)
        i = 0
        while i < n:
            hit_len = 0
            for j in range(min(n, i + 8), i, -1):
                cid = self.by_name.get(" ".join(toks[i:j]))
                if cid is not None:
                    found.add(cid)
                    hit_len = j - i
                    break
            i += hit_len or 1


def _load(name: str) -> ConceptFile:
    return ConceptFile.model_validate(load_yaml(name))


@cache
def conditions() -> Lexicon:
    return Lexicon("condition", _load("conditions.yaml").concepts)


@cache
def medications() -> Lexicon:
    return Lexicon("medication", _load("medications.yaml").concepts)


@cache
def procedures() -> Lexicon:
    return Lexicon("procedure", _load("procedures.yaml").concepts)


def lexicon(kind: LexiconKind) -> Lexicon:
    if kind == "condition":
        return conditions()
    if kind == "medication":
        return medications()
    return procedures()


@cache
def triggers() -> Triggers:
    return Triggers.model_validate(load_yaml("triggers.yaml"))
