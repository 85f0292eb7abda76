"""Relaxed lab limits for a subgroup: "Total bilirubin ≤ 1.5 × ULN (≤ 3 ×
ULN for patients with Gilbert's syndrome)".

The extractors read such a criterion as a list of rules (the base limit, the
subgroup's condition, the relaxed limit), which the criterion ANDs: every
patient without Gilbert's syndrome would fail it. What it says is "the base
limit, or, for a patient with the condition, the relaxed one":

    inclusion:  AnyOf(base, AllOf(condition, relaxed))
    exclusion:  AnyOf(AllOf(base, Not(condition)), AllOf(condition, relaxed))

(an exclusion's base limit excludes only patients outside the subgroup).
Where the subgroup's clause states a limit no threshold could be read from,
a ManualRule stands for the relaxed limit; where it states none ("unless due
to Gilbert's syndrome"), the subgroup is exempt from the limit: AnyOf(base,
condition).

The phrases that introduce a subgroup are data (``subgroup_threshold`` in
rules/triggers.yaml). A parenthesis right after a limit that names a
condition and a limit ("ALT ≤ 3 × ULN (liver metastasis ≤ 5 × ULN)") is read
the same way.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from eligibility.ir.model import (
    AllOf,
    AnyOf,
    ConditionRule,
    ManualRule,
    MeasurementRule,
    Not,
    Rule,
    Section,
    Span,
)
from eligibility.knowledge.concepts import triggers
from eligibility.nlp.measurements import threshold_like

__all__ = ["restructure_subgroups"]

# How far a base limit may lie before the subgroup's phrase, and how far a
# relaxed limit written before the phrase may lie from it ("≤ 5 x ULN is
# acceptable if ..."), in characters.
_BASE_REACH = 130
_BEFORE_REACH = 30
_RELATED_REACH = 250


def _phrases(words: list[str]) -> str:
    return "|".join(
        r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in sorted(set(words), key=len, reverse=True)
    )


@cache
def _trigger_re() -> re.Pattern[str]:
    conf = triggers().subgroup_threshold
    persons = _phrases(conf.persons)
    who = rf"(?:\s+(?:{persons}))?\s+(?:with|who\s+have|who\s+has|having)(?!\w)"
    return re.compile(
        rf"(?i)(?<![\w-])(?:(?P<absent>{_phrases(conf.absent)})(?![\w-])"
        rf"|(?P<exempt>(?:{_phrases(conf.exempt)})(?:{who})?)(?![\w-])"
        rf"|(?P<relaxed>(?:{_phrases(conf.relaxed)})(?:{who})?|(?:{_phrases(conf.with_person)}){who})(?![\w-]))"
    )


@cache
def _limit_re() -> re.Pattern[str]:
    words = triggers().subgroup_threshold.limit_words
    return re.compile(rf"(?i)(?<![\w])(?:{_phrases(words)})(?![a-z])|\d")


_OPEN = "([（［"
_CLOSE = ")]）］"


def _clause_end(text: str, pos: int, end: int) -> int:
    """Where the clause that starts at ``pos`` ends: an unmatched closing
    parenthesis, a semicolon, a line break or a sentence's full stop."""
    depth = 0
    i = pos
    while i < end:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                return i
        elif (depth == 0 and ch in ";；\n") or (depth == 0 and ch == "." and (i + 1 >= end or text[i + 1].isspace())):
            return i
        i += 1
    return end


def _span(rule: Rule) -> Span | None:
    return rule.span


def _leaves(rule: Rule) -> list[Rule]:
    if isinstance(rule, AllOf | AnyOf):
        return [leaf for child in rule.children for leaf in _leaves(child)]
    if isinstance(rule, Not):
        return _leaves(rule.child)
    return [rule]


def _is_measurement(rule: Rule) -> bool:
    leaves = _leaves(rule)
    return bool(leaves) and all(isinstance(leaf, MeasurementRule) for leaf in leaves)


def _analytes(rule: Rule) -> set[str]:
    return {leaf.analyte for leaf in _leaves(rule) if isinstance(leaf, MeasurementRule)}


def _is_limit(rule: Rule) -> bool:
    """A measurement with a threshold (not "elevated bilirubin")."""
    return _is_measurement(rule) and all(
        isinstance(leaf, MeasurementRule) and leaf.comparator in ("<", "<=", ">", ">=") for leaf in _leaves(rule)
    )


def _is_subgroup(rule: Rule, manual_only: bool) -> bool:
    """A condition (or conditions, with a person's judgement such as
    "secondary to"); a judgement alone where ``manual_only``."""
    if isinstance(rule, Not):
        return False
    leaves = _leaves(rule)
    if not leaves or not all(isinstance(leaf, ConditionRule | ManualRule) for leaf in leaves):
        return False
    if any(isinstance(leaf, ConditionRule) for leaf in leaves):
        return not _has_not(rule)
    return manual_only


def _has_not(rule: Rule) -> bool:
    if isinstance(rule, Not):
        return True
    if isinstance(rule, AllOf | AnyOf):
        return any(_has_not(child) for child in rule.children)
    return False


def _is_absent(rule: Rule) -> bool:
    """"In patients without liver metastases": the condition, negated."""
    leaves = _leaves(rule)
    return bool(leaves) and all(isinstance(leaf, ConditionRule) for leaf in leaves) and _has_not(rule)


def _split_alternatives(rule: Rule) -> tuple[Rule, Rule] | None:
    """"≤ 1.5 × ULN or ≤ 3 × ULN for patients with ...": the measurement
    extractor reads the two limits as alternatives of one analyte; the first
    is the base limit, the others the subgroup's."""
    if isinstance(rule, AnyOf) and len(rule.children) > 1 and all(
        isinstance(c, MeasurementRule) for c in rule.children
    ):
        analytes = {c.analyte for c in rule.children if isinstance(c, MeasurementRule)}
        if len(analytes) == 1:
            rest = rule.children[1:]
            relaxed = rest[0] if len(rest) == 1 else rule.model_copy(update={"children": rest})
            return rule.children[0], relaxed
        return None
    if isinstance(rule, AllOf | AnyOf):
        parts = [_split_alternatives(c) for c in rule.children]
        if not any(parts):
            return None
        strict = [p[0] if p else c for p, c in zip(parts, rule.children, strict=True)]
        loose = [p[1] if p else c for p, c in zip(parts, rule.children, strict=True)]
        return rule.model_copy(update={"children": strict}), rule.model_copy(update={"children": loose})
    return None


def _outer(rules: list[Rule], text: str, kind: type[AllOf] | type[AnyOf]) -> Rule:
    if len(rules) == 1:
        return rules[0]
    spans = [s for s in (_span(r) for r in rules) if s is not None]
    span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
    return kind(children=rules, span=span, text=text[span[0] : span[1]] if span else None)


def _combine_subgroup(found: list[Rule], text: str) -> Rule:
    """Conditions named together: "Gilbert's syndrome or liver metastasis"
    is either; "Gilbert's syndrome with approval of the PI" is both."""
    if len(found) == 1:
        return found[0]
    spans = [_span(r) or (0, 0) for r in found]
    gaps = " ".join(text[a[1] : b[0]] for a, b in itertools.pairwise(spans)).lower()
    kind = AnyOf if re.search(r"(?<!\w)(?:or|and/or|/)(?!\w)|[,(（]", gaps) else AllOf
    return _outer(found, text, kind)


def restructure_subgroups(text: str, start: int, end: int, rules: list[Rule], section: Section) -> tuple[list[Rule], int]:
    """``rules`` (one criterion's, ``text[start:end]``, before an exclusion's
    list is joined) with each limit relaxed for a subgroup restructured;
    and how many were."""
    if len(rules) < 2 or not any(_is_measurement(r) for r in rules):
        return rules, 0
    if not any(isinstance(leaf, ConditionRule | ManualRule) for r in rules for leaf in _leaves(r)):
        return rules, 0
    rules = list(rules)
    made: list[Rule] = []  # the groups this step built: never a base again
    count = 0
    local = text[start:end]
    cues: list[tuple[str, int, int]] = [
        (m.lastgroup or "relaxed", start + m.start(), start + m.end()) for m in _trigger_re().finditer(local)
    ]
    # "ALT ≤ 3 × ULN (liver metastasis ≤ 5 × ULN)": a parenthesis after a limit
    for rule in rules:
        span = _span(rule)
        if span is not None and _is_limit(rule):
            m = re.match(r"\s*[(（]", text[span[1] : end])
            if m:
                cues.append(("paren", span[1] + m.end(), span[1] + m.end()))
    cues.sort(key=lambda c: c[1])
    absents = [(s, e) for kind, s, e in cues if kind == "absent"]
    if absents:
        rules = _split_spilled_negation(rules, cues)
    for kind, ts, te in cues:
        if kind == "absent":
            continue
        built = _restructure_one(text, end, rules, section, kind, ts, te, absents, made)
        if built is not None:
            rules = built
            count += 1
    return rules, count


def _split_spilled_negation(rules: list[Rule], cues: list[tuple[str, int, int]]) -> list[Rule]:
    """"< 2.5 × ULN in the absence of liver metastases, or < 5 × ULN in the
    presence of liver metastases": the concept extractor carries the
    negation over the "or" to the second mention, in one group. The group is
    split where a subgroup's phrase lies between its children; those after
    it are the subgroup's, as written (not negated)."""
    out: list[Rule] = []
    for rule in rules:
        children = rule.children if isinstance(rule, AllOf | AnyOf) else []
        if len(children) < 2 or not all(
            isinstance(c, Not) and isinstance(c.child, ConditionRule) and c.child.span is not None for c in children
        ):
            out.append(rule)
            continue
        starts = [c.child.span[0] for c in children if isinstance(c, Not) and c.child.span is not None]
        cut = next((i for i in range(1, len(starts)) if any(
            k not in ("absent", "paren") and starts[i - 1] < s < starts[i] for k, s, _ in cues)), None)
        if cut is None or not any(k == "absent" and s < starts[0] for k, s, _ in cues):
            out.append(rule)
            continue
        before, after = children[:cut], children[cut:]
        out.append(before[0] if len(before) == 1 else rule.model_copy(update={"children": before}))
        out.extend(c.child for c in after if isinstance(c, Not))
    return out


def _restructure_one(
    text: str, end: int, rules: list[Rule], section: Section, kind: str, ts: int, te: int,
    absents: list[Span], made: list[Rule],
) -> list[Rule] | None:
    cend = _clause_end(text, te, end)
    inside = [r for r in rules if (s := _span(r)) is not None and te <= s[0] and s[1] <= cend]
    bases = [
        r for r in rules
        if (s := _span(r)) is not None and s[1] <= te and s[0] < ts and _is_limit(r) and not any(r is m for m in made)
    ]
    if not bases:
        return None
    # The subgroup's clause ends where a limit of another analyte begins.
    related = {a for b in bases for a in _analytes(b)}
    for r in sorted(inside, key=lambda r: (_span(r) or (0, 0))[0]):
        if _is_measurement(r) and not (_analytes(r) & related):
            cend = (_span(r) or (cend, cend))[0]
            break
    inside = [r for r in inside if (_span(r) or (0, 0))[1] <= cend]
    subgroup = [r for r in inside if _is_subgroup(r, manual_only=kind == "exempt")]
    if not subgroup:
        return None
    first_sub = min((_span(r) or (0, 0))[0] for r in subgroup)
    if kind == "paren" and text[te:first_sub].strip(" :,-"):
        # the parenthesis must name the subgroup first ("(liver metastasis ≤ 5 × ULN)")
        return None
    base: Rule | None = None
    base_alt: Rule | None = None  # the base limit as its alternative reads it
    relaxed: Rule | None = None
    relaxed_rule: Rule | None = None  # a rule of the list read as the relaxed limit
    relaxed_span: Span | None = None
    # 1. a limit of the same analyte in the clause ("who can have total bilirubin < 3.0 mg/dL")
    for r in inside:
        if r in subgroup or not _is_limit(r):
            continue
        near = [b for b in bases if _analytes(b) & _analytes(r) and ts - (_span(b) or (0, 0))[1] <= _RELATED_REACH]
        if near:
            base = max(near, key=lambda b: (_span(b) or (0, 0))[1])
            relaxed = relaxed_rule = r
            break
    if base is None:
        base = max(bases, key=lambda b: (_span(b) or (0, 0))[1])
        base_end = (_span(base) or (0, 0))[1]
        if ts - base_end > _BASE_REACH:
            return None
        if any(_is_measurement(r) and base_end <= (_span(r) or (0, 0))[0] < ts for r in rules):
            return None  # another analyte's limit lies between
        # 2. a bare limit just before the phrase ("(≤ 3.0 × ULN for patients with ...")
        found = threshold_like(base, text, base_end, ts)
        if found is not None and ts - found[2] <= _BEFORE_REACH and ";" not in text[found[2] : ts]:
            relaxed, relaxed_span = found[0], (found[1], found[2])
        # 3. "≤ 1.5 × ULN or ≤ 3 × ULN for patients with": the alternatives of the base
        if relaxed is None and ts - base_end <= _BEFORE_REACH:
            split = _split_alternatives(base)
            if split is not None:
                base_alt, relaxed = split
        # 4. a bare limit after the subgroup ("and for patients with liver metastases < 5 × ULN")
        if relaxed is None:
            found = threshold_like(base, text, first_sub, cend)
            if found is not None:
                relaxed, relaxed_span = found[0], (found[1], found[2])
    base_rule = base
    base_alt = base_alt or base
    base_span = _span(base_rule) or (ts, ts)
    # "if no liver metastases": the base limit's own subgroup, kept with it
    absent = [
        r for r in rules
        if _is_absent(r) and (s := _span(r)) is not None
        and any(a[0] >= base_span[0] - 40 and a[0] <= s[0] and s[1] <= ts for a in absents)
    ]
    subgroup_rule = _combine_subgroup(subgroup, text)
    extra: list[Span] = [(ts, te)] if te > ts else []
    if relaxed is None:
        clause = text[te:cend]
        covered = [s for r in inside if (s := _span(r)) is not None]
        rest = "".join(ch if not any(a - te <= i < b - te for a, b in covered) else " " for i, ch in enumerate(clause))
        if _limit_re().search(rest):
            labels = ", ".join(
                leaf.label or leaf.concept for leaf in _leaves(subgroup_rule) if isinstance(leaf, ConditionRule)
            ) or "the subgroup"
            relaxed = ManualRule(
                category="other", span=(te, cend), text=text[te:cend],
                reason=f"a relaxed limit for {labels} ('{' '.join(clause.split())}'): a person reads it",
            )
        elif kind != "exempt":
            return None
    elif relaxed_span is not None:
        extra.append(relaxed_span)
    first: Rule
    if section is Section.exclusion:
        keep = absent or [Not(child=subgroup_rule, span=_span(subgroup_rule), text=_text(subgroup_rule))]
        first = AllOf(children=[base_alt, *keep], span=base_span, text=text[base_span[0] : base_span[1]])
    else:
        first = base_alt if not absent else _outer([base_alt, *absent], text, AllOf)
    used = [base_rule, *subgroup, *absent, *([relaxed_rule] if relaxed_rule is not None else [])]
    spans = [s for r in used if (s := _span(r)) is not None] + extra
    span = (min(s[0] for s in spans), max(s[1] for s in spans))
    group: Rule
    if relaxed is not None:
        alternatives = [first, _outer([subgroup_rule, relaxed], text, AllOf)]
        group = AnyOf(children=alternatives, span=span, text=text[span[0] : span[1]])
    elif section is Section.exclusion:
        # exempt: only a patient outside the subgroup is excluded by the limit
        group = first.model_copy(update={"span": span, "text": text[span[0] : span[1]]})
    else:
        group = AnyOf(children=[first, subgroup_rule], span=span, text=text[span[0] : span[1]])
    made.append(group)
    out: list[Rule] = []
    for r in rules:
        if r is base_rule:
            out.append(group)
        elif not any(r is u for u in used):
            out.append(r)
    return out


def _text(rule: Rule) -> str | None:
    return rule.text
