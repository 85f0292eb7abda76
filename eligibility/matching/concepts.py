"""Match a condition, medication or procedure rule to a patient's facts.

``find_matches(rule, facts)`` is the one function the matcher calls. For each
fact it tries, in order:

1. **code** - a coding of the fact equals one of the rule's codes (SNOMED CT,
   RxNorm) or lies in one of its ICD-10-CM codes or prefix ranges, or the
   lexicon maps the fact's code to the rule's concept;
2. **text** - the fact's text or display, normalized (case, accents,
   zero-width characters, "(disorder)" tags; for drugs also doses, forms and
   salt words), names the rule's concept;
3. **class** - the concept the fact's code or text maps to belongs to the
   rule's concept as a class ("Overlapping malignant neoplasm of colon" is a
   malignancy; "Alendronic acid 10 MG Oral Tablet" is a bisphosphonate).

A fact whose concept is one of the rule's ``exceptions`` (or below one) is
never a match. For medication rules with a ``route``, a fact given by another
route ("... Metered Dose Inhaler" for systemic corticosteroids) is not a
match; a fact whose route cannot be told is kept.

Per-fact work is cached on the fact's codes and text, so calling this for
every rule and patient stays cheap; with a ``FactIndex`` of a patient's facts
only the facts that can match a rule are looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from eligibility.ir.model import ConditionRule, MedicationRule, ProcedureRule
from eligibility.knowledge.concepts import (
    Lexicon,
    icd10_in_range,
    lexicon,
    normalize,
    route_of_text,
    tokens,
)
from eligibility.patients.model import Fact

__all__ = ["ConceptMatch", "FactIndex", "find_matches"]

ConceptRuleType = ConditionRule | MedicationRule | ProcedureRule
How = Literal["code", "text", "class"]

_SYSTEMIC = frozenset({"oral", "intravenous", "intramuscular", "subcutaneous", "injection", "systemic", "sublingual"})
_NON_SYSTEMIC = frozenset({"inhaled", "topical", "intranasal", "vaginal", "intrauterine", "transdermal", "rectal"})


@dataclass(frozen=True)
class ConceptMatch:
    """One fact that satisfies a rule's concept, and why."""

    fact: Fact
    how: How
    concept: str  # the lexicon concept the fact was recognised as (or the rule's)
    reason: str


def _kind(rule: ConceptRuleType) -> Literal["condition", "medication", "procedure"]:
    if isinstance(rule, MedicationRule):
        return "medication"
    if isinstance(rule, ProcedureRule):
        return "procedure"
    return "condition"


@lru_cache(maxsize=65536)
def _fact_concepts(kind: str, codes: tuple[tuple[str, str], ...], texts: tuple[str, ...]) -> tuple[
    frozenset[str], frozenset[str]
]:
    """(concepts by code, concepts by text) of one fact."""
    lex = lexicon(kind)  # type: ignore[arg-type]
    by_code: set[str] = set()
    for system, code in codes:
        by_code |= lex.ids_for_code(system, code)
    by_text: set[str] = set()
    for text in texts:
        hit = lex.lookup_name(text)
        if hit is not None:
            by_text.add(hit)
        elif kind == "medication":
            by_text |= lex.find_in_text(text, drug=True)
    return frozenset(by_code), frozenset(by_text)


def _texts(fact: Fact) -> tuple[str, ...]:
    out: list[str] = []
    if fact.text:
        out.append(fact.text)
    out.extend(c.display for c in fact.codes if c.display)
    return tuple(dict.fromkeys(out))


def _rule_code_hit(rule: ConceptRuleType, fact: Fact) -> str | None:
    for want in rule.codes:
        for have in fact.codes:
            if want.system != have.system:
                continue
            if want.system == "icd10cm":
                if icd10_in_range(have.code, want.code):
                    return f"{have.system} {have.code} is in {want.code}"
            elif want.code == have.code:
                return f"{have.system} {have.code}"
    return None


def _fact_route(fact: Fact, lex: Lexicon, concepts: frozenset[str]) -> str | None:
    route = getattr(fact, "route", None)
    if isinstance(route, str) and route:
        return route_of_text(route) or route.lower()
    for text in _texts(fact):
        hinted = route_of_text(text)
        if hinted:
            return hinted
    routes: set[str] = set()
    for cid in concepts:
        routes |= lex.routes(cid)
    return next(iter(routes)) if len(routes) == 1 else None


def _route_ok(rule: MedicationRule, route: str | None) -> bool:
    if rule.route is None or route is None:
        return True
    if rule.route == "systemic":
        return route not in _NON_SYSTEMIC
    if rule.route == "intravenous":
        return route in ("intravenous", "injection")
    if rule.route == "topical":
        return route in ("topical", "transdermal")
    return route == rule.route


@dataclass(frozen=True)
class _FactInfo:
    texts: tuple[str, ...]
    by_code: frozenset[str]
    by_text: frozenset[str]


def _info(kind: str, fact: Fact) -> _FactInfo:
    codes = tuple((c.system, c.code) for c in fact.codes)
    texts = _texts(fact)
    by_code, by_text = _fact_concepts(kind, codes, texts)
    return _FactInfo(texts, by_code, by_text)


def is_passing(fact: Fact) -> bool:
    """Whether a condition fact names an illness or event that ends
    (rules/conditions.yaml `acute` or `episodic`), by its own concept: a
    class such as infection does not make chronic hepatitis B pass."""
    lex = lexicon("condition")
    info = _info("condition", fact)
    for cid in info.by_code | info.by_text:
        concept = lex.get(cid)
        if concept is not None and not concept.is_class and (concept.acute or concept.episodic):
            return True
    return False


class FactIndex:
    """One kind of a patient's facts (conditions, medications or procedures)
    by the concepts they are recognised as and by their codes, built once
    per patient: a rule then looks at the few facts that can match it rather
    than at all of them. Only facts a rule finds by code, by a recognised
    concept or in an ICD-10-CM range can match it (or, for a concept the
    lexicon does not know, by its words: those rules still read every fact)."""

    def __init__(self, kind: Literal["condition", "medication", "procedure"], facts: Sequence[Fact]) -> None:
        self.kind = kind
        self.facts = facts
        self.infos = [_info(kind, fact) for fact in facts]
        self._by_concept: dict[str, list[int]] = {}
        self._by_code: dict[tuple[str, str], list[int]] = {}
        self._icd10: list[int] = []
        for i, (fact, info) in enumerate(zip(facts, self.infos, strict=True)):
            for cid in info.by_code | info.by_text:
                self._by_concept.setdefault(cid, []).append(i)
            for key in {(c.system, c.code) for c in fact.codes}:
                self._by_code.setdefault(key, []).append(i)
            if any(c.system == "icd10cm" for c in fact.codes):
                self._icd10.append(i)

    def candidates(self, rule: ConceptRuleType, wanted: set[str]) -> list[int]:
        """Positions of the facts that may match ``rule``, in record order."""
        hits: set[int] = set()
        for cid in wanted:
            hits.update(self._by_concept.get(cid, ()))
        for want in rule.codes:
            if want.system == "icd10cm":
                hits.update(self._icd10)
            else:
                hits.update(self._by_code.get((want.system, want.code), ()))
        return sorted(hits)


def find_matches(rule: ConceptRuleType, facts: Sequence[Fact], index: FactIndex | None = None) -> list[ConceptMatch]:
    """The facts that match ``rule``'s concept (by code, text or class), minus
    its exceptions. ``index``, of these same facts, makes it faster."""
    kind = _kind(rule)
    if index is not None and (index.facts is not facts or index.kind != kind):
        raise ValueError("the FactIndex is not of these facts")
    lex = lexicon(kind)
    target = rule.concept
    known = target in lex
    wanted = {target} | set(lex.descendants(target)) if known else {target}
    excluded: set[str] = set()
    for exc in rule.exceptions:
        excluded.add(exc)
        if exc in lex:
            excluded |= lex.descendants(exc)
    free_text = None if known else normalize(rule.label or rule.concept.replace("_", " "))
    out: list[ConceptMatch] = []
    if index is None:
        pairs: Iterable[tuple[Fact, _FactInfo]] = ((fact, _info(kind, fact)) for fact in facts)
    elif free_text:
        pairs = zip(facts, index.infos, strict=True)
    else:
        pairs = ((facts[i], index.infos[i]) for i in index.candidates(rule, wanted))
    for fact, info in pairs:
        texts, by_code, by_text = info.texts, info.by_code, info.by_text
        recognised = by_code | by_text
        if recognised & excluded:
            continue
        # exceptions given as text (a rule file edited by hand)
        if excluded and any(normalize(e.replace("_", " ")) in normalize(t) for e in rule.exceptions for t in texts):
            continue
        match: ConceptMatch | None = None
        direct = _rule_code_hit(rule, fact)
        if direct is not None:
            match = ConceptMatch(fact, "code", target, f"{direct} is a code of {rule.label or target}")
        if match is None:
            hits = by_code & wanted
            if hits:
                cid = target if target in hits else sorted(hits)[0]
                how: How = "code" if cid == target else "class"
                match = ConceptMatch(fact, how, cid, _why(lex, fact, cid, target, "code"))
        if match is None:
            hits = by_text & wanted
            if hits:
                cid = target if target in hits else sorted(hits)[0]
                how = "text" if cid == target else "class"
                match = ConceptMatch(fact, how, cid, _why(lex, fact, cid, target, "text"))
        if match is None and free_text:
            for text in texts:
                if _contains(tokens(text), free_text.split()):
                    match = ConceptMatch(fact, "text", target, f"{fact.label()!r} names {rule.label or target!r}")
                    break
        if match is None:
            continue
        if isinstance(rule, MedicationRule) and rule.route is not None:
            route = _fact_route(fact, lex, recognised)
            if not _route_ok(rule, route):
                continue
        out.append(match)
    return out


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _why(lex: Lexicon, fact: Fact, cid: str, target: str, by: str) -> str:
    name = lex.concepts[cid].name if cid in lex else cid
    tname = lex.concepts[target].name if target in lex else target
    label = fact.label()
    if cid == target:
        return f"{label!r} is {tname} (by {by})"
    return f"{label!r} is {name}, a kind of {tname} (by {by})"
