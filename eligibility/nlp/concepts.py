"""Conditions, medications, procedures, pregnancy and smoking in one criterion.

``extract_concepts(text, offset, section)`` turns one criterion's text into
rule trees (see ``eligibility.ir.model``). Every rule it returns, leaves and
groups, carries ``span`` (offsets into the trial text: ``offset`` + position
in ``text``) and ``text``. The matcher applies Kleene logic over
met / not_met / unknown; this module only builds the tree.

How each construct is decided
-----------------------------
Tokens
    Words are runs of letters/digits; they are normalized like the lexicons
    (lower case, no accents, "Crohn's" -> "crohns"). Punctuation is kept for
    structure. Newlines and indentation from hard wrapping are spaces.
Mentions
    The longest name from ``rules/*.yaml`` wins at each position (names never
    cross ``,;:()`` ...). Priority on equal length: stop phrase > pregnancy >
    smoking > medication > procedure > condition. Stop phrases ("informed
    consent", "clinical trial", "family history", "liver function" ...) block
    what they cover. Abbreviations match case-sensitively; two-letter ones
    ("MS", "RA", "TB") only inside parentheses or beside another mention of
    the same kind, never in text written all in capitals. An abbreviation in
    parentheses after its mention ("myocardial infarction (MI)") joins the
    mention; one that interrupts a name ("angiotensin converting enzyme
    (ACE) inhibitors") does not break it.
Word formation (rules/word_forms.yaml)
    Words no lexicon name covers are still read, as *uncoded* leaves (no
    codes; the label is what the matcher looks for in a record's text):
    a condition suffix ("sarcoidosis", "-itis", "-oma"), a USAN/INN drug stem
    ("-mab", "-prazole"), a procedure suffix ("-ectomy"; "-graphy" is marked
    imaging), and a head noun with its modifiers: condition ("vestibular
    disease", "ocular dysfunction"), drug class ("SGLT2 inhibitors"),
    procedure ("physical therapy"; "pelvic ultrasound" is imaging). Degree,
    status, study-activity and filler words are not modifiers; drug-class and
    procedure heads alone are not read. Generic words ("serious illness", "medical condition",
    "contraindication to MRI", "good general health", "medications known to
    prolong QT") are a ``ManualRule``
    for a clinician, never a condition to look up (``about`` says whether it
    names a condition, a drug or a procedure); a contraindication's objects
    are part of it. A generic drug word before "abuse", "allergy", "screen"
    ... is a modifier ("drug abuse"), and after "controlled by", "despite"
    ... it is how a condition is managed: neither is read.
Allergies
    An allergy or intolerance to named drugs ("hypersensitivity to
    clopidogrel or ticagrelor") is one ``AllergyRule`` per drug, with the
    drug's codes and classes, spanning the drug's words (``allergy_span``:
    the allergy word's); never a medication rule. Non-drug allergens in the
    same list ("eggs, latex or shellfish", rules/word_forms.yaml) are
    allergy leaves too. To the study drug or its components it is a manual
    check. "Contraindication to aspirin" (or "aspirin is contraindicated")
    is ``AnyOf(allergy to aspirin, manual)``: a recorded allergy decides it,
    anything else is a clinician's call.
Treatments
    A drug named as a treatment ("anticoagulation therapy", "chemotherapy",
    "corticosteroid treatment", shared: "anticoagulant or corticosteroid
    treatment") is recorded as medicines or as a procedure:
    ``AnyOf(medication, uncoded procedure)`` over the same span.
Causes
    "X due to Y", "X not caused by Y", "Y-induced X", "diseases related to
    Y" (phrases: ``cause`` in rules/triggers.yaml): Y is a rule of its own and
    whether it caused X is a clinician's call: ``AllOf(X, AllOf(Y, manual))``,
    negated ``AllOf(X, Not(AllOf(Y, manual)))``. A record without Y decides;
    with Y, a person does. With no X mention ("hospitalization due to heart
    failure"), ``AllOf(Y, manual)``. A drug as a cause has status ``ever``.
Dropped mentions
    A concept after "risk of", "prevention of", "treatment of", "levels of",
    ..., that follows "family history", or a drug or procedure that is the
    object of an allergy, contraindication or inability ("unable to undergo
    MRI") is not a rule.
Groups and logic
    Mentions separated only by commas, "or", "and", "and/or", "nor", "/"
    (and status words) form a list. A list with "or"/"nor"/"/" is ``AnyOf``;
    a list joined by "and" is ``AllOf`` in inclusion criteria and ``AnyOf``
    in exclusion criteria (each one excludes); a comma-only list is
    ``AnyOf``. The groups of one criterion are returned side by side for an
    inclusion criterion (the criterion needs them all) unless "or" joins
    them, and wrapped in one ``AnyOf`` for an exclusion criterion.
    Pregnant and lactating in one list become ``pregnant_or_lactating``.
Colon lists
    "Transplant patients: bone marrow, kidney, liver" - when mentions or
    resolvable items follow a colon and at most three words lie between the
    last mention and the colon, the list replaces the words before the
    colon; a bare item is looked up together with the head word(s) before the
    colon ("kidney" + "transplant").
Ellipsis
    "major organ or bone marrow transplantation" and "hepatitis B or C": an
    unmatched item next to "or"/"and" is tried with the neighbour's head word.
    "Renal, hepatic, neurologic or immune disease" (and comma-only lists of
    two or more): each one-word item with the head is a lexicon name or, for
    a word-formation head, an uncoded mention ("vestibular dysfunction").
Examples
    After "such as", "e.g.", "including", ... or in parentheses right after a
    class ("autoimmune disease (SLE, Addison's disease)"), the list of
    mentions of the class's kind become alternatives of the class:
    ``AnyOf(class, example, ...)``. Class OR examples never narrows the
    class, and a record coded with an example matches even where the
    lexicon's hierarchy does not place it under the class. The examples take
    the class's status, window and duration ("and" between them does not make
    them all required). "X and other conditions, such as Y": Y exemplifies
    the other conditions and stays a list item beside X.
Exceptions
    After "except", "other than", "excluding", "unless", ... (or in a
    parenthesis with "are excluded"/"is allowed") the mentions are carved out
    of the nearest preceding concept rule of the same kind (``exceptions``,
    with where each is named, trigger words included, in ``exception_spans``);
    anything else (a manual phrase such as contraception, another kind)
    becomes ``AllOf(X, Not(Y))``.
Negation
    A negation trigger ("no", "without", "free of", "no history of",
    "negative for", ...) negates every mention after it up to a terminator
    ("but", "except", "which", ...) or the end of the clause (";" or ".");
    whole lists are negated together: ``Not(AnyOf(X, Y, Z))``. "X negative"
    negates X.
Status (conditions)
    The nearest status trigger before the mention (or opening it: "prior
    chemotherapy") within its list, else in the six words before the list: "history of", "prior", ... -> history;
    "current", "active", "uncontrolled", ... -> active; else any.
Medications
    A time window -> status ``window``; "prior", "previous", "history of",
    ... -> ``ever``; "currently", "receiving", "on", "under", ... or nothing
    -> ``current``. "for at least 3 months", "cumulative use ... >= 3 years"
    -> ``min_duration``. A route word in or just before the mention ("oral
    bisphosphonates", "intravenous", "systemic", "inhaled", "topical") sets
    ``route``; a class named bare takes the class's ``default_route``
    ("corticosteroid therapy" means systemic use).
Windows
    "within the past 6 months", "in the 30 days prior to randomization",
    "less than 2 years ago" -> ``Window.within``; "more than 5 years ago",
    "at least 3 weeks since", "in remission for over a year" ->
    ``Window.not_within``. A window applies to the nearest mention before it
    in its clause and to the list items before that one with no status word
    between them; with no mention before it, to the next one.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise
from typing import Literal

from eligibility.ir.model import (
    DRUG_TREATMENT,
    AllergyRule,
    AllOf,
    AnyOf,
    Code,
    ConditionRule,
    Duration,
    ManualRule,
    MedicationRule,
    Not,
    PregnancyRule,
    ProcedureRule,
    Rule,
    SmokingRule,
    TimeUnit,
    Window,
)
from eligibility.knowledge.concepts import (
    Lexicon,
    conditions,
    is_abbreviation,
    medications,
    normalize,
    procedures,
    tokens,
    triggers,
)
from eligibility.knowledge.language import AllergenSubstance, filler_words, language, word_forms

__all__ = ["extract_concepts", "manual_category"]

Kind = Literal["stop", "pregnancy", "smoking", "medication", "procedure", "condition"]
_PRIORITY: dict[str, int] = {"stop": 0, "pregnancy": 1, "smoking": 2, "medication": 3, "procedure": 4, "condition": 5}
_MAX_NGRAM = 9

_WORD = re.compile(r"[^\W_]+(?:['’`][sS]\b)?", re.UNICODE)
# characters allowed between the words of one name
_JOINER = re.compile(r"^[\s\-/'’`.]*$")
_LIST_PUNCT = re.compile(r"^[\s,/&+]*$")
_SHOUTING_MIN_LETTERS = 20
_NON_LETTER = re.compile(r"[^A-Za-z]+")
_NON_UPPER = re.compile(r"[^A-Z]+")


# ---------------------------------------------------------------- compiled knowledge

@dataclass(frozen=True)
class _Entry:
    kind: Kind
    value: str  # concept id, pregnancy state, smoking status, stop phrase


@dataclass
class _Knowledge:
    phrases: dict[tuple[str, ...], list[_Entry]] = field(default_factory=dict)
    abbrs: dict[tuple[str, ...], list[_Entry]] = field(default_factory=dict)
    trig: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)
    windows: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    any_window: re.Pattern[str] | None = None  # all window patterns in one: most texts have none
    # the same, case-sensitive, for lower-cased ASCII text (None where a pattern is not written in lower case)
    windows_lower: list[tuple[str, re.Pattern[str]]] | None = None
    any_window_lower: re.Pattern[str] | None = None
    lexicons: dict[str, Lexicon] = field(default_factory=dict)
    # longest name starting with a given (normalized / raw) first word
    first: dict[str, int] = field(default_factory=dict)
    first_abbr: dict[str, int] = field(default_factory=dict)
    first_trig: dict[str, int] = field(default_factory=dict)
    # the lengths of the names starting with a given first word, longest
    # first: only those are looked up, not every length up to the longest
    phrase_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    abbr_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    trig_lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _add(table: dict[tuple[str, ...], list[_Entry]], key: tuple[str, ...], entry: _Entry) -> None:
    if not key:
        return
    bucket = table.setdefault(key, [])
    if all(e.kind != entry.kind for e in bucket):
        bucket.append(entry)


_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "sixty": 60, "ninety": 90,
}
_N = r"(?P<n>\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r")(?:\s*\(\d+\))?"
_UNIT = r"(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|h)\b"
_UNIT1 = r"(?P<unit>day|week|month|year|hour)\b"


_NOT_WORD_BEFORE = r"(?<![\w])"


def _window_regex(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    body = pattern.replace("{n}", _N).replace("{unit1}", _UNIT1).replace("{unit}", _UNIT)
    body = body.replace(" ", r"\s*").replace(r"\s*?", " ?")
    return re.compile(_NOT_WORD_BEFORE + body, flags)


_GROUP_NAME = re.compile(r"\(\?P(?:<\w+>|=\w+\))")
_CASELESS_ESCAPE = re.compile(r"\\[sSwWdDbB]|\\[^\w]")
_FLAG_GROUP = re.compile(r"\(\?(?![:!=]|<[!=])")  # "(?i)", "(?-i:": not a plain group or look-around


def _lower_case_only(pattern: str) -> bool:
    """Whether a case-insensitive pattern matches lower-cased ASCII text the
    same without IGNORECASE: no upper-case letter, inline flag or escape
    that names a letter by code."""
    rest = _CASELESS_ESCAPE.sub("", _GROUP_NAME.sub("", pattern))
    return "\\" not in rest and not _FLAG_GROUP.search(rest) and rest == rest.lower()


class _Caseless:
    """A case-insensitive pattern that searches lower-cased ASCII text
    case-sensitively: the same matches at the same offsets, several times
    faster. A match's groups are then lower case."""

    __slots__ = ("any_case", "lower")

    def __init__(self, pattern: str) -> None:
        self.any_case = re.compile(pattern, re.IGNORECASE)
        self.lower = re.compile(pattern) if _lower_case_only(pattern) else None

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self.lower is not None and text.isascii():
            return self.lower.search(text.lower(), pos, endpos)
        return self.any_case.search(text, pos, endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.lower is not None and text.isascii():
            return self.lower.finditer(text.lower())
        return self.any_case.finditer(text)


def _top_level_alternation(pattern: str) -> bool:
    """Whether ``|`` splits the pattern outside any group or class."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            if pattern[i : i + 1] == "]":
                i += 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _any_of(regexes: list[re.Pattern[str]], flags: int) -> re.Pattern[str]:
    """One pattern that matches wherever one of ``regexes`` matches. Every
    window pattern opens with the same look-behind: tested once per position
    instead of once per pattern, it makes the search about twice as fast."""
    bodies = [r.pattern.replace("(?P<n>", "(?:").replace("(?P<unit>", "(?:") for r in regexes]
    if all(b.startswith(_NOT_WORD_BEFORE) and not _top_level_alternation(b[len(_NOT_WORD_BEFORE):]) for b in bodies):
        return re.compile(_NOT_WORD_BEFORE + "(?:" + "|".join(f"(?:{b[len(_NOT_WORD_BEFORE):]})" for b in bodies) + ")",
                          flags)
    return re.compile("|".join(f"(?:{b})" for b in bodies), flags)


def _finditer_from(regex: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``regex.finditer(text)`` where ``starts`` (ascending) holds every
    position a match of ``regex`` can start at: a few anchored attempts
    instead of a scan of the whole text."""
    out: list[re.Match[str]] = []
    end = 0
    for s in starts:
        if s < end:
            continue
        m = regex.match(text, s)
        if m is None:
            continue
        if m.end() == s:  # an empty match: finditer's own rules apply
            return list(regex.finditer(text))
        out.append(m)
        end = m.end()
    return out


def _lengths_by_first(table: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for key in table:
        lengths.setdefault(key[0], set()).add(len(key))
    return {word: tuple(sorted(ls, reverse=True)) for word, ls in lengths.items()}


@cache
def _knowledge() -> _Knowledge:
    k = _Knowledge()
    trig = triggers()
    for kind, lex in (("medication", medications()), ("procedure", procedures()), ("condition", conditions())):
        k.lexicons[kind] = lex
        for concept in lex.concepts.values():
            if not concept.match:
                continue
            for name in concept.names():
                if is_abbreviation(name):
                    _add(k.abbrs, tuple(_WORD.findall(name)), _Entry(kind, concept.id))  # type: ignore[arg-type]
                else:
                    _add(k.phrases, tuple(tokens(name)), _Entry(kind, concept.id))  # type: ignore[arg-type]
            for name in concept.abbr:
                _add(k.abbrs, tuple(_WORD.findall(name)), _Entry(kind, concept.id))  # type: ignore[arg-type]
    for state, names in trig.pregnancy.model_dump().items():
        for name in names:
            table = k.abbrs if is_abbreviation(name) else k.phrases
            key = tuple(_WORD.findall(name)) if is_abbreviation(name) else tuple(tokens(name))
            _add(table, key, _Entry("pregnancy", state))
    for status, names in trig.smoking.model_dump().items():
        for name in names:
            _add(k.phrases, tuple(tokens(name)), _Entry("smoking", status))
    for name in trig.stop_phrases:
        _add(k.phrases, tuple(tokens(name)), _Entry("stop", name))

    def add_trigger(category: str, value: str, names: Iterable[str]) -> None:
        for name in names:
            key = tuple(tokens(name))
            if key:
                bucket = k.trig.setdefault(key, [])
                if (category, value) not in bucket:
                    bucket.append((category, value))

    for key in k.phrases:
        k.first[key[0]] = max(k.first.get(key[0], 0), len(key))
    for key in k.abbrs:
        k.first_abbr[key[0]] = max(k.first_abbr.get(key[0], 0), len(key))
    add_trigger("neg", "pre", trig.negation.pre)
    add_trigger("neg", "post", trig.negation.post)
    add_trigger("term", "", trig.negation.terminators)
    for status in ("active", "history", "any"):
        add_trigger("status", status, getattr(trig.status, status))
    add_trigger("medstatus", "current", trig.medication_status.current)
    add_trigger("medstatus", "ever", trig.medication_status.ever)
    add_trigger("exception", "", [*trig.exception, *trig.exception_after])
    add_trigger("example", "", trig.example)
    for category, names in trig.manual.model_dump().items():
        add_trigger("manual", category, names)
    for key in k.trig:
        k.first_trig[key[0]] = max(k.first_trig.get(key[0], 0), len(key))
    k.phrase_lengths = _lengths_by_first(k.phrases)
    k.abbr_lengths = _lengths_by_first(k.abbrs)
    k.trig_lengths = _lengths_by_first(k.trig)
    patterns: list[tuple[str, str]] = []
    for kind in ("washout", "not_within", "within", "duration"):
        for pattern in getattr(trig.window, kind):
            if "{n}" in pattern or "{unit1}" in pattern:
                k.windows.append((kind, _window_regex(pattern)))
                patterns.append((kind, pattern))
    if k.windows:
        k.any_window = _any_of([r for _, r in k.windows], re.IGNORECASE)
        if all(_lower_case_only(r.pattern) for _, r in k.windows):
            k.windows_lower = [(kind, _window_regex(pattern, 0)) for kind, pattern in patterns]
            k.any_window_lower = _any_of([r for _, r in k.windows_lower], 0)
    return k


# ---------------------------------------------------------------- tokens and mentions

@dataclass(slots=True)
class _Tok:
    raw: str
    norm: str
    start: int
    end: int


@dataclass
class _Mention:
    kind: Kind
    value: str
    first: int  # token index
    last: int  # token index, inclusive
    start: int  # char offset in text
    end: int
    dropped: bool = False
    negated: bool = False
    exceptions: list[_Mention] = field(default_factory=list)
    alternatives: list[_Mention] = field(default_factory=list)
    window: Window | None = None
    duration: Duration | None = None
    status: str | None = None
    route: str | None = None
    unless_manual: str | None = None
    unless_rules: list[_Mention] = field(default_factory=list)
    explicit_status: bool = False
    label: str | None = None  # an uncoded concept read from word formation (rules/word_forms.yaml)
    generic: bool = False  # too general for a record ("serious illness"): a manual check
    imaging: bool = False  # an uncoded way of looking ("angiography")
    object_of: bool = False  # dropped as the object of an allergy, contraindication ...
    treatment: bool = False  # "anticoagulation therapy": the drug or a procedure of the same name
    treatment_word: str | None = None  # the shared word of "anticoagulant or corticosteroid treatment"
    allergens: list[_Mention] = field(default_factory=list)  # "hypersensitivity to <drugs>"
    causes: list[_Mention] = field(default_factory=list)  # "<this> due to <causes>"
    cause_span: tuple[int, int] | None = None  # the "due to" of this mention's causes (or of this cause)
    cause_negated: bool = False  # "not caused by"
    cause_alone: bool = False  # a cause whose effect is no mention ("hospitalization due to X")
    reason: str | None = None  # why a generic mention is a manual check
    word_end: int | None = None  # where the allergy word ends, before its objects were added to the mention
    carved: tuple[int, int] | None = None  # an exception's words with its trigger ("other than metformin")
    manual_tail: tuple[int, int] | None = None  # "... or its excipients" after an allergy's drugs
    manual_category: str | None = None  # a generic mention's manual category, if not the investigator's judgement
    lead: int | None = None  # where the words read with it start, before its own ("No prior" under exclusions)
    site: tuple[int, int] | None = None  # a site the record does not code ("at the puncture site")
    purpose: list[_Mention] = field(default_factory=list)  # what a surgery was for ("to treat cluster headache")
    names_drug: bool = False  # a generic allergy whose object is a drug no record names ("the study drug")
    negated_at: int | None = None  # where the negation trigger of a negated mention starts ("no", "non-")


@cache
def _norm_word(raw: str) -> str:
    if raw.isascii() and raw.isalnum():
        return raw.lower()
    norm = tokens(raw)
    return "".join(norm) if norm else raw.lower()


def _tokenize(text: str) -> list[_Tok]:
    norm, tok = _norm_word, _Tok
    return [tok(raw, norm(raw), *m.span()) for m in _WORD.finditer(text) if (raw := m.group())]


def _joined(text: str, toks: list[_Tok], i: int, j: int) -> bool:
    """Whether tokens i..j (inclusive) are separated only by joiners."""
    return all(_JOINER.match(text[toks[t].end : toks[t + 1].start]) for t in range(i, j))


def _joined_until(text: str, toks: list[_Tok]) -> list[int]:
    """For each token, the last token it is joined to by joiners only (names
    never cross ``,;:()``): one regex test per gap instead of one per span."""
    n = len(toks)
    reach = list(range(n))
    for t in range(n - 2, -1, -1):
        gap = text[toks[t].end : toks[t + 1].start]
        if gap == " " or _JOINER.match(gap):
            reach[t] = reach[t + 1]
    return reach


def _find_mentions(text: str, toks: list[_Tok], shouting: bool, reach: list[int] | None = None) -> list[_Mention]:
    k = _knowledge()
    out: list[_Mention] = []
    n = len(toks)
    if reach is None:
        reach = _joined_until(text, toks)
    norms = tuple(t.norm for t in toks)
    raws = tuple(t.raw for t in toks)
    phrases, abbrs, phrase_lengths, abbr_lengths = k.phrases, k.abbrs, k.phrase_lengths, k.abbr_lengths
    no_lengths: tuple[int, ...] = ()
    i = 0
    while i < n:
        lengths = phrase_lengths.get(norms[i], no_lengths)
        if not shouting:
            more = abbr_lengths.get(raws[i], no_lengths)
            if more:
                lengths = tuple(sorted(set(lengths) | set(more), reverse=True)) if lengths else more
        if not lengths:
            i += 1
            continue
        best: tuple[int, _Entry] | None = None
        last = min(n - 1, reach[i])
        for length in lengths:
            j = i + length - 1
            if j > last:
                continue
            entries = phrases.get(norms[i : j + 1])
            if not shouting:
                abbr = abbrs.get(raws[i : j + 1])
                if abbr:
                    entries = (entries or []) + abbr
            if entries:
                entry = entries[0] if len(entries) == 1 else min(entries, key=lambda e: _PRIORITY[e.kind])
                best = (j, entry)
                break
        if best is None:
            i += 1
            continue
        j, entry = best
        out.append(_Mention(entry.kind, entry.value, i, j, toks[i].start, toks[j].end))
        i = j + 1
    return out


def _find_triggers(toks: list[_Tok]) -> list[tuple[int, int, str, str]]:
    """(first, last, category, value) of every trigger phrase, longest at each start."""
    k = _knowledge()
    out: list[tuple[int, int, str, str]] = []
    n = len(toks)
    norms = tuple(t.norm for t in toks)
    trig_lengths, trig = k.trig_lengths, k.trig
    for i in range(n):
        lengths = trig_lengths.get(norms[i])
        if lengths is None:
            continue
        for length in lengths:
            j = i + length - 1
            if j >= n:
                continue
            hits = trig.get(norms[i : j + 1])
            if hits:
                out.extend((i, j, cat, val) for cat, val in hits)
                break
    return out


# ---------------------------------------------------------------- word formation

@dataclass(frozen=True)
class _WordForms:
    suffix: re.Pattern[str]  # one group per kind: condition / medication / procedure / imaging
    min_length: dict[str, int]
    exclude: frozenset[str]
    heads: frozenset[str]
    head_kind: dict[str, tuple[str, bool]]  # head word -> (kind, imaging)
    max_mods: dict[str, int]
    needs_modifier: frozenset[str]
    not_modifiers: frozenset[str]
    max_modifiers: int
    generic: dict[tuple[str, ...], str]  # phrase -> kind
    generic_first: dict[str, int]
    modified_by: frozenset[str]  # words that make a generic drug word before them a modifier ("drug abuse")


@cache
def _word_forms() -> _WordForms:
    wf = word_forms()

    def alternation(words: Iterable[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    # imaging before procedure, procedure before drug before condition: the
    # longest suffix of each kind competes, the first group that matches wins
    suffix = re.compile(
        rf"(?:(?P<imaging>{alternation(wf.procedure_suffixes.imaging)})"
        rf"|(?P<procedure>{alternation(wf.procedure_suffixes.suffixes)})"
        rf"|(?P<medication>{alternation(wf.drug_stems.stems)})"
        rf"|(?P<condition>{alternation(wf.condition_suffixes.suffixes)}))$"
    )
    generic = {tuple(tokens(p)): "condition" for p in wf.generic_conditions}
    generic.update({tuple(tokens(p)): "medication" for p in wf.generic_medications})
    head_kind: dict[str, tuple[str, bool]] = {}
    for w in wf.procedure_heads.imaging:
        head_kind[w] = ("procedure", True)
    for w in wf.procedure_heads.heads:
        head_kind.setdefault(w, ("procedure", False))
    for w in wf.medication_heads.heads:
        head_kind.setdefault(w, ("medication", False))
    for w in wf.condition_heads.heads:
        head_kind[w] = ("condition", False)
    generic_first: dict[str, int] = {}
    for key in generic:
        generic_first[key[0]] = max(generic_first.get(key[0], 0), len(key))
    return _WordForms(
        suffix=suffix,
        min_length={"condition": wf.condition_suffixes.min_length, "medication": wf.drug_stems.min_length,
                    "procedure": wf.procedure_suffixes.min_length, "imaging": wf.procedure_suffixes.min_length},
        exclude=frozenset(w.lower() for w in (*wf.condition_suffixes.exclude, *wf.drug_stems.exclude,
                                              *wf.procedure_suffixes.exclude)),
        heads=frozenset(head_kind),
        head_kind=head_kind,
        max_mods={"condition": wf.condition_heads.max_modifiers, "medication": wf.medication_heads.max_modifiers,
                  "procedure": wf.procedure_heads.max_modifiers},
        needs_modifier=frozenset(wf.condition_heads.needs_modifier),
        not_modifiers=frozenset(wf.condition_heads.not_modifiers) | filler_words(),
        max_modifiers=wf.condition_heads.max_modifiers,
        generic=generic,
        generic_first=generic_first,
        modified_by=frozenset(tokens(" ".join(wf.generic_medication_modified_by))),
    )


@cache
def _suffix_kind(word: str) -> str | None:
    """The kind a word's ending names ("pancreatitis" -> condition), or None."""
    wf = _word_forms()
    if not word.isalpha() or word in wf.exclude:
        return None
    m = wf.suffix.search(word)
    # the ending must follow a stem of its own: "therapy" alone is no procedure
    if (m is None or m.lastgroup is None or len(word) < wf.min_length[m.lastgroup]
            or len(word) < len(m.group(0)) + 3):
        return None
    return m.lastgroup


@cache
def _may_start(word: str) -> bool:
    """Whether a word can start a word-formation mention: a head, the first
    word of a generic phrase, or a word with a known ending."""
    wf = _word_forms()
    return word in wf.head_kind or word in wf.generic_first or (len(word) >= 6 and _suffix_kind(word) is not None)


def _is_modifier(tok: _Tok, wf: _WordForms, kind: str) -> bool:
    w = tok.norm
    # drug classes are named with letters and digits ("SGLT2", "CYP3A4")
    shape = w.isalpha() or (kind == "medication" and w.isalnum() and not w.isdigit())
    # adverbs, participles and past forms ("clinically", "existing",
    # "controlled") describe a degree or a state, not which condition
    return (shape and len(w) > 2 and w not in wf.not_modifiers and w not in wf.heads
            and not w.endswith(("ly", "ing", "ed")) and w not in _status_words())


def _find_word_forms(text: str, toks: list[_Tok], mentions: list[_Mention], blocked: set[int],
                     reach: list[int]) -> list[_Mention]:
    """Uncoded mentions from word formation (rules/word_forms.yaml): "hepatic
    disease" (a modifier and a condition head), "sarcoidosis" (a suffix),
    "ustekinumab" (a drug stem), "cholecystectomy"; and generic words
    ("serious illness", "contraindication") that only a person can decide."""
    wf = _word_forms()
    # only heads, generic words and words with a known ending can start
    # anything here: find those first (most tokens are none of them)
    starts = [i for i, t in enumerate(toks) if _may_start(t.norm)]
    if not starts:
        return []
    covered = set(blocked)
    for m in mentions:
        covered.update(range(m.first, m.last + 1))
    out: list[_Mention] = []
    n = len(toks)
    for i in starts:
        if i in covered:
            continue
        tok = toks[i]
        # a head right after a lexicon name is part of it ("HIV disease")
        after_mention = i > 0 and (i - 1) in covered and (i - 1) not in blocked and reach[i - 1] >= i
        head = wf.head_kind.get(tok.norm)
        if head is not None and not after_mention:
            kind, imaging = head
            first = i
            while (first > 0 and i - first < wf.max_mods[kind] and (first - 1) not in covered
                   and reach[first - 1] >= first and _is_modifier(toks[first - 1], wf, kind)):
                first -= 1
            # alone, only a condition head names something ("pain", "ulcer")
            if first < i or (kind == "condition" and tok.norm not in wf.needs_modifier and (tok.norm,) not in wf.generic):
                label = " ".join(t.norm for t in toks[first : i + 1])
                if tok.norm in _vague_heads() and not imaging:
                    # "outpatient treatment", "spinal condition": nothing a record codes
                    vague = _Mention(kind, "generic", first, i, toks[first].start, tok.end,  # type: ignore[arg-type]
                                     label=label, generic=True)
                    vague.reason = f"'{text[vague.start : vague.end]}' names nothing a record codes: a clinician judges it"
                    out.append(vague)
                else:
                    out.append(_Mention(kind, _uncoded_id(label), first, i, toks[first].start, tok.end,  # type: ignore[arg-type]
                                        label=label, imaging=imaging))
                covered.update(range(first, i + 1))
                continue
        span = wf.generic_first.get(tok.norm, 0)
        hit = None
        for j in range(min(n, i + span) - 1, i - 1, -1):
            if reach[i] < j or any(t in covered for t in range(i, j + 1)):
                continue
            if tuple(t.norm for t in toks[i : j + 1]) in wf.generic:
                hit = j
                break
        if hit is not None and not after_mention:
            label = " ".join(t.norm for t in toks[i : hit + 1])
            gkind = wf.generic[tuple(t.norm for t in toks[i : hit + 1])]
            if gkind == "medication" and _modifies(text, toks, hit, wf.modified_by):
                continue
            out.append(_Mention(gkind, "generic", i, hit, tok.start, toks[hit].end,  # type: ignore[arg-type]
                                label=label, generic=True))
            covered.update(range(i, hit + 1))
            continue
        suffix = _suffix_kind(tok.norm)
        if suffix is not None:
            label = tok.norm
            real = "procedure" if suffix == "imaging" else suffix
            out.append(_Mention(real, _uncoded_id(label), i, i, tok.start, tok.end,  # type: ignore[arg-type]
                                label=label, imaging=suffix == "imaging"))
            covered.add(i)
    return out


def _modifies(text: str, toks: list[_Tok], at: int, modified_by: frozenset[str]) -> bool:
    """Whether the generic drug word ending at token ``at`` modifies what
    follows: "drug abuse", "drug-induced", "drug or alcohol dependence"."""
    n = len(toks)
    if at + 1 < n and toks[at + 1].norm in modified_by and _joined(text, toks, at, at + 1):
        return True
    return (at + 3 < n and toks[at + 1].norm in ("or", "and") and toks[at + 3].norm in modified_by
            and _joined(text, toks, at + 2, at + 3))


@cache
def _cause_regexes() -> tuple[_Caseless, re.Pattern[str]]:
    cause = triggers().cause

    def alternation(phrases: list[str]) -> str:
        return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in sorted(phrases, key=len, reverse=True))

    before = _Caseless(rf"(?P<neg>\bnot\s+)?\b(?:{alternation(cause.before)})\b")
    # used with .match(text, pos): anchored at the end of the cause mention
    # ("related to" is the other form: "diseases related to osteoporosis")
    after = re.compile(rf"(?:\s*-\s*|\s+)(?:{alternation(cause.after)})\b(?!\s+(?:to|with|by|from)\b)", re.IGNORECASE)
    return before, after


def _attach_causes(text: str, mentions: list[_Mention], clause_of: Callable[[int], int]) -> None:
    """"Kidney disease not caused by diabetes or hypertension", "steroid-induced
    osteoporosis": the cause is a rule of its own, attached to what it causes
    (``causes``); whether it is the cause is for a clinician. A cause whose
    effect is no mention ("hospitalization due to heart failure") stays with
    a manual note of its own."""
    before, after = _cause_regexes()
    live = [m for m in mentions if not m.dropped]
    if not live:
        return
    for hit in before.finditer(text):
        s, e = hit.span()
        follow = [m for m in live if m.start >= e and not m.dropped and clause_of(m.start) == clause_of(s)]
        if not follow or len(_WORD.findall(text[e : follow[0].start])) > 3:
            continue
        # "any of the following: ..." introduces a list; "stroke following surgery" is a cause
        if hit.group().lower().endswith("following") and (
                text[max(0, s - 4) : s].lower() == "the " or ":" in text[e : follow[0].start]):
            continue
        causes = [follow[0]]
        for m in follow[1:]:
            if not _gap_is_list(text, [], causes[-1], m):
                break
            causes.append(m)
        prior = [m for m in live if m.end <= s and not m.dropped and clause_of(m.start) == clause_of(s)]
        head = prior[-1] if prior and len(_WORD.findall(text[prior[-1].end : s])) <= 4 else None
        _link(head, causes, (s + (len(hit.group("neg")) if hit.group("neg") else 0), e), bool(hit.group("neg")))
    for m in live:
        if m.dropped or m.causes:
            continue
        tail = after.match(text, m.end, min(len(text), m.end + 25))
        if tail is None:
            continue
        follow = [x for x in live if x.start >= tail.end() and not x.dropped and clause_of(x.start) == clause_of(m.start)]
        head = follow[0] if follow and len(_WORD.findall(text[tail.end() : follow[0].start])) <= 3 else None
        _link(head, [m], (m.end, tail.end()), False)


def _link(head: _Mention | None, causes: list[_Mention], span: tuple[int, int], negated: bool) -> None:
    if head is not None and head.kind in ("condition", "procedure", "medication"):
        head.causes.extend(causes)
        head.cause_span, head.cause_negated = span, negated
        for c in causes:
            c.dropped = True
            # "aspirin-induced asthma": the drug was taken at some time, not necessarily now
            c.status = "ever" if c.kind == "medication" else "any"
        return
    for c in causes:
        c.cause_alone, c.cause_span, c.cause_negated = True, span, negated


def _take_until(mentions: list[_Mention], idx: int, end: int) -> None:
    """Mention ``idx``'s check runs to ``end``: the mentions after it that
    start before are its words."""
    for m in mentions[idx + 1 :]:
        if m.start < end:
            m.dropped = True
    mentions[idx].end = max(mentions[idx].end, end)


def _first_of_each(drugs: list[_Mention]) -> list[_Mention]:
    """One mention per concept, the first named ("clopidogrel (Plavix)", "soy or soy products")."""
    return list({d.value: d for d in reversed(drugs)}.values())[::-1]


def _objects_after(mentions: list[_Mention], idx: int, clause_of: Callable[[int], int]) -> list[_Mention]:
    """The dropped objects ("to MRI or clopidogrel") right after mention ``idx``."""
    g = mentions[idx]
    out: list[_Mention] = []
    for m in mentions[idx + 1 :]:
        if not m.object_of or clause_of(m.start) != clause_of(g.start):
            break
        out.append(m)
    return out


_ABBREVIATION_INSIDE = re.compile(r"(?<=\w)\s*\(\s*[A-Za-z][A-Za-z0-9-]{0,9}\s*\)(?=\s*\w)")


def _names_across_abbreviations(text: str, toks: list[_Tok], mentions: list[_Mention], shouting: bool) -> None:
    """"Angiotensin converting enzyme (ACE) inhibitors": a lexicon name the
    abbreviation interrupts. The names are looked for again with the
    parenthesis blanked out; one that spans it replaces the mentions inside."""
    holes = [h.span() for h in _ABBREVIATION_INSIDE.finditer(text)]
    if not holes:
        return
    masked = list(text)
    for a, b in holes:
        masked[a:b] = " " * (b - a)
    blank = "".join(masked)
    mtoks = _tokenize(blank)
    found = _find_mentions(blank, mtoks, shouting, _joined_until(blank, mtoks))
    starts = {t.start: i for i, t in enumerate(toks)}
    ends = {t.end: i for i, t in enumerate(toks)}
    for m in found:
        if not any(m.start < a and b < m.end for a, b in holes):
            continue
        if m.start not in starts or m.end not in ends:
            continue
        m.first, m.last = starts[m.start], ends[m.end]
        mentions[:] = [x for x in mentions if x.end <= m.start or x.start >= m.end]
        mentions.append(m)
    mentions.sort(key=lambda x: x.start)


# used with .match(text, pos): anchored at the end of a mention
_ABBREVIATION_AFTER = re.compile(r"\s*[(\[]\s*([A-Za-z][A-Za-z0-9-]{0,9})\s*(?:[)\]]|(?=[:;,]))")


def _initials_of(words: str, abbr: str) -> bool:
    """Whether ``abbr`` is the initials of the last words of ``words``
    ("Assisted Reproductive Technique" -> ART)."""
    letters = [c for c in abbr.lower() if c.isalpha()]
    initials = [w[0].lower() for w in re.findall(r"[A-Za-z][\w'’]*", words)]
    return len(letters) >= 2 and initials[-len(letters):] == letters


def _absorb_abbreviations(text: str, toks: list[_Tok], mentions: list[_Mention]) -> None:
    """"Myocardial infarction (MI)": the abbreviation in parentheses is the
    same mention, not a second one (nor an example of a class). It is when
    the lexicon reads it as the same concept, or when nothing else reads it
    and it looks like the initials (capitals, the same first letter)."""
    if "(" not in text and "[" not in text:
        return
    by_start = {m.start: m for m in mentions}
    for m in list(mentions):
        if m.kind not in ("condition", "medication", "procedure") or m.generic:
            continue
        hit = _ABBREVIATION_AFTER.match(text, m.end)
        if hit is None:
            continue
        abbr, at = hit.group(1), hit.start(1)
        inner = by_start.get(at)
        if inner is not None:
            if inner.end != hit.end(1) or (inner.value != m.value and not _initials_of(text[m.start : m.end], abbr)):
                continue
            # the lexicon may read it as something else ("assisted reproductive technique (ART)" is
            # no antiretroviral therapy): spelled out right before, it is what it abbreviates
            mentions.remove(inner)
        elif sum(c.isupper() for c in abbr) < 2 or abbr[0].lower() != text[m.start].lower():
            continue
        last = next((i for i in range(m.last + 1, len(toks)) if toks[i].end >= hit.end(1)), m.last)
        m.end, m.last = hit.end(), last


@cache
def _substance_table() -> tuple[re.Pattern[str], dict[str, AllergenSubstance], frozenset[str]]:
    """The non-drug allergens of rules/word_forms.yaml: one pattern of their
    names, the entry of each normalized name, the words allowed between."""
    allergy = word_forms().allergy
    by_name = {normalize(n): sub for sub in allergy.substances for n in sub.names}
    names = sorted({n for sub in allergy.substances for n in sub.names}, key=len, reverse=True)
    pattern = re.compile(r"(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names) + r")\b",
                         re.IGNORECASE)
    return pattern, by_name, frozenset(w.lower() for w in allergy.between)


_SUBSTANCE_GAP = re.compile(r"[\s,/():.]+|[\w'’.-]+")


def _substances_after(text: str, g: _Mention, objects: list[_Mention], clause_of: Callable[[int], int]) -> list[_Mention]:
    """Non-drug allergens in the list after an allergy word ("to eggs, fish
    or latex"), read up to the first word that is neither an allergen, a
    drug object nor a joining word; uncoded mentions labelled with the name."""
    pattern, by_name, between = _substance_table()
    end = len(text)
    pos = g.end
    starts = {m.start: m for m in objects}
    out: list[_Mention] = []
    while pos < end and clause_of(pos) == clause_of(g.start):
        obj = starts.get(pos)
        if obj is not None:
            pos = obj.end
            continue
        hit = pattern.match(text, pos)
        if hit is not None and (pos == 0 or not text[pos - 1].isalnum()):
            sub = by_name.get(normalize(hit.group()))
            if sub is not None:
                out.append(_Mention("medication", sub.id, g.last, g.last, hit.start(), hit.end(), label=sub.names[0]))
                pos = hit.end()
                continue
        gap = _SUBSTANCE_GAP.match(text, pos)
        if gap is None:
            break
        word = gap.group()
        if word[0].isalnum() or word[0] in "'’":
            if word.lower().rstrip(".") not in between:
                break
        elif ";" in word:
            break
        pos = gap.end()
    return out


def _objects_before(text: str, mentions: list[_Mention], idx: int, clause_of: Callable[[int], int]) -> list[_Mention]:
    """The objects of "aspirin or heparin is contraindicated", right before
    mention ``idx``: the last is followed by "is"/"are", the others are list
    items before it (made objects here)."""
    g = mentions[idx]
    out: list[_Mention] = []
    for m in reversed(mentions[:idx]):
        if clause_of(m.start) != clause_of(g.start) or m.kind not in ("medication", "procedure"):
            break
        if not out:
            if not (m.object_of and _CONTRAINDICATED_AFTER.match(text, m.end)):
                break
        elif not re.fullmatch(r"[\s,/]*(?:(?:and/or|or|and)\s*)?", text[m.end : out[0].start].lower()):
            break
        m.dropped = m.object_of = True
        out.insert(0, m)
    return out


# "any other acute disease that will cause pain": a relative clause right after a generic word
_RELATIVE = re.compile(r"\s*,?\s*(?:that|which)\s+(?!is\s+not\b|are\s+not\b)", re.IGNORECASE)
_RELATIVE_END = re.compile(r"[,;.:()]|\b(?:and|or|but)\b|$", re.IGNORECASE)


@dataclass
class _Relative:
    """A relative clause right after a mention: where its words run, the
    mentions inside it, and whether a colon ends it (a list follows)."""

    start: int
    end: int
    inside: list[_Mention]
    opens_list: bool


def _relative_clause(text: str, g: _Mention, mentions: list[_Mention], limit: int) -> _Relative | None:
    """"... that will cause pain" right after ``g``, up to the next comma,
    "and"/"or" or ``limit`` (the clause's end)."""
    rel = _RELATIVE.match(text, g.end)
    if rel is None:
        return None
    end_hit = _RELATIVE_END.search(text, rel.end())
    end = min(end_hit.start() if end_hit else len(text), limit)
    inside = [m for m in mentions if m is not g and rel.end() <= m.start and m.end <= end and not m.dropped]
    start = rel.start() + len(rel.group()) - len(rel.group().lstrip(" ,"))
    return _Relative(start, end, inside, end_hit is not None and end_hit.group() == ":")


def _absorb(g: _Mention, inside: list[_Mention]) -> None:
    """The mentions of a relative clause become words of ``g``'s check."""
    for m in inside:
        m.dropped = True
    if inside:
        g.end, g.last = inside[-1].end, max(g.last, inside[-1].last)


def _absorb_relative_clauses(text: str, mentions: list[_Mention], clauses: list[tuple[int, int]],
                             clause_of: Callable[[int], int]) -> None:
    """"Do not have any other acute disease that will cause pain": the pain
    says which disease the clinician judges, it is no rule of its own (read
    alone it was required, outside the negation). The relative clause joins
    the generic check, up to the next comma, "and"/"or" or the clause's end."""
    for g in mentions:
        if g.dropped or g.allergens or g.kind not in ("condition", "medication", "procedure"):
            continue
        broad = not g.generic and g.kind == "condition" and _broad(g) and g.site is None
        if not (g.generic or broad):
            continue
        rel = _relative_clause(text, g, mentions, clauses[clause_of(g.start)][1])
        if rel is None or (broad and rel.opens_list):
            continue  # "genetic disorders that are associated with osteoporosis: <list>": the list says which
        if broad:
            # "GI disease that may alter absorption": the class, and a clinician checks the clause
            # (a colon polyp of 1984 is a GI disease; whether it alters absorption is not recorded)
            for m in rel.inside:
                m.dropped = True
            g.site = (rel.start, max([rel.end, *(m.end for m in rel.inside)]))
            continue
        _absorb(g, rel.inside)


_OPTIONAL_END = re.compile(r"[,;.:()]|\b(?:and|but|who|which|that)\b", re.IGNORECASE)
_INFECTION_WITH = re.compile(r"\s*(?:with|by)\s+(?:the\s+|a\s+|an\s+)?", re.IGNORECASE)


def _infection_with(text: str, mentions: list[_Mention]) -> None:
    """"Infection with SARS-CoV-2", "infected with HIV": the infection is the
    one named after it, one mention (the words go with it)."""
    lex = _knowledge().lexicons["condition"]
    for m, n in pairwise(mentions):
        if (m.kind == "condition" and m.value == "infection" and not m.dropped and n.kind == "condition"
                and (gap := _INFECTION_WITH.match(text, m.end)) is not None and gap.end() == n.start
                and n.value in lex and lex.is_a(n.value, "infection")):
            m.dropped = True
            n.lead = m.start


def _extend_over_objects(text: str, mentions: list[_Mention], clause_of: Callable[[int], int]) -> None:
    """"Contraindication to MRI or clopidogrel": the drugs and procedures are
    the objects of the generic word and not rules of their own; its manual
    check covers them, so their text is accounted for. "Hypersensitivity to
    clopidogrel or ticagrelor": the drugs are the allergens of the allergy
    (one uncoded allergy leaf each); "to the study drug" or "to any
    component" is a manual check."""
    wf = word_forms().allergy
    allergy_words = frozenset(wf.words)
    allergy_concepts = frozenset(wf.concepts)
    allergy_heads = frozenset(wf.heads)
    manual_objects = _manual_objects()
    joined = _allergy_joiner()

    def names_allergy(m: _Mention) -> bool:
        if m.generic:
            return m.label in allergy_words
        # "idiosyncratic reaction to deferiprone": a reaction read from word formation
        return m.kind == "condition" and (m.value in allergy_concepts or (
            m.label is not None and m.label.rsplit(None, 1)[-1].lower() in allergy_heads))

    def merge_left(idx: int, g: _Mention) -> None:
        # "allergy or hypersensitivity to topiramate": one allergy per drug,
        # whose allergy words run from the first to the last
        right = g
        for left in reversed(mentions[:idx]):
            if not names_allergy(left) or left.allergens or not joined.fullmatch(text, left.end, right.start):
                break
            left.dropped = True
            g.start, g.first = left.start, left.first
            right = left

    to_a_substance = frozenset(wf.to_a_substance)

    def named_allergy(m: _Mention) -> bool:
        # "hypersensitivity to penicillin, amoxicillin": a lexicon allergy followed by more allergens
        return m.kind == "condition" and not m.generic and m.label is None and m.value in to_a_substance

    for idx, g in enumerate(mentions):
        if g.dropped:
            continue
        is_allergy = names_allergy(g)
        objects = _objects_after(mentions, idx, clause_of)
        if named_allergy(g):
            more = [m for m in objects if m.kind == "medication" and not m.generic]
            more = sorted(more + _substances_after(text, g, objects, clause_of), key=lambda d: d.start)
            final = more[-1] if more else g
            tail = manual_objects.search(text, final.end, min(len(text), final.end + 40))
            if tail is not None and (clause_of(tail.start()) != clause_of(g.start) or any(
                    m.start < tail.end() and tail.start() < m.end for m in mentions if not m.object_of and m is not g)):
                tail = None
            if more or tail is not None:
                g.allergens = more
                g.word_end = g.end
                g.end, g.last = max(g.end, final.end), max(g.last, final.last)
                g.manual_tail = tail.span() if tail is not None else None
            continue
        nxt = mentions[idx + 1] if idx + 1 < len(mentions) else None
        if is_allergy and not objects and nxt is not None and names_allergy(nxt) and joined.fullmatch(
                text, g.end, nxt.start):
            continue  # "hypersensitivity or allergy to X": the last allergy word reads what follows
        if is_allergy:
            drugs = [m for m in objects if m.kind == "medication" and not m.generic]
            after = text[g.start : (objects[-1].end if objects else g.end) + 40]
            # a brand beside its drug ("clopidogrel (Plavix)") is the same allergen
            drugs = _first_of_each(drugs)
            # "allergy to eggs, latex or penicillin": substances that are not drugs are allergens too
            drugs = sorted(drugs + _substances_after(text, g, objects, clause_of), key=lambda d: d.start)
            # "statin intolerance", "NSAID hypersensitivity": the drug right before the allergy word
            prev = mentions[idx - 1] if idx > 0 else None
            if (not drugs and prev is not None and prev.kind == "medication" and not prev.generic
                    and not text[prev.end : g.start].strip(" -")):
                prev.dropped = prev.object_of = True
                drugs = [prev]
            drugs = _first_of_each(drugs)  # "soy or soy products"
            if not drugs and not objects and (unnamed := _unnamed_allergen(text, g)) is not None:
                # "known allergy to cortivazol": a substance no lexicon names is still the allergen
                # (matched by its name in the record's allergies), not any drug allergy
                drugs = [unnamed]
            if drugs:
                g.allergens, g.generic = drugs, False
                # "hypersensitivity to methylphenidate or its excipients", "allergy to study drugs,
                # aspirin or NSAIDs": the trial's products are asked about
                last = max(d.end for d in drugs)
                tail = manual_objects.search(text, g.end, min(len(text), last + 40))
                if tail is not None and clause_of(tail.start()) == clause_of(g.start) and not any(
                        m.start < tail.end() and tail.start() < m.end for m in mentions if not m.object_of):
                    g.manual_tail = tail.span()
                merge_left(idx, g)
            elif ((named := manual_objects.search(text, g.start, g.start + len(after) + 20)) is not None
                  or (named := _manual_object_before(text, g, manual_objects)) is not None):
                g.generic = g.names_drug = True
                g.start = min(g.start, named.start())
                merge_left(idx, g)
                # the check names the drug it asks about: "allergy to study medication",
                # "allergy or intolerance to any of the study drugs" (one check), and
                # what is listed with it ("any component of the formulation")
                end = named.end()
                while (listed := manual_objects.search(text, end, min(len(text), end + 40))) is not None and (
                        _OBJECTS_JOINED.fullmatch(text, end, listed.start())):
                    end = listed.end()
                words = " ".join(text[g.start : max(g.end, end)].split())
                g.reason = f"'{words}': an allergy to the study drug or its components is not in a medical record; ask the patient"
                if clause_of(end - 1) == clause_of(g.start) and not any(
                        g.end <= m.start < end and not (m.generic or m.value in allergy_concepts) for m in mentions):
                    _take_until(mentions, idx, end)
        elif g.generic and g.label is not None and g.label.startswith("contra"):
            # "contraindication to aspirin": a recorded allergy to it is one; others are a clinician's call
            before = [] if objects else _objects_before(text, mentions, idx, clause_of)
            if before:
                g.start, g.first = before[0].start, before[0].first
            drugs = [m for m in objects or before if m.kind == "medication" and not m.generic]
            g.allergens = _first_of_each(drugs)
            named = manual_objects.search(text, g.end, g.end + 40) if not drugs else None
            if named is not None and clause_of(named.start()) == clause_of(g.start):
                # "contraindication to the study medication": the check names the trial's drug
                g.names_drug = True
                _take_until(mentions, idx, named.end())
        if g.generic or g.allergens:
            g.word_end = g.end
            for m in objects:
                if m.end > g.end:
                    g.end, g.last = m.end, m.last


# between two objects of one allergy: "study drug or related compounds", "any component of the formulation"
_OBJECTS_JOINED = re.compile(r"[\s,]*(?:(?:and/or|or|and|of|in)\s+)?(?:(?:the|its|their|any|other|this)\s+)*",
                             re.IGNORECASE)


# right after an allergy word: "to cortivazol" (one word of letters, no lexicon name)
_TO_A_WORD = re.compile(r"\s+(?:to|against|towards)\s+([A-Za-z][A-Za-z-]{3,})\s*(?=$|[,;.)]|\s+(?:or|and)\b)")


def _unnamed_allergen(text: str, g: _Mention) -> _Mention | None:
    """The one unknown word an allergy is to ("allergy to cortivazol"), as an
    uncoded allergen; None where the word is a common one ("allergy to any")."""
    hit = _TO_A_WORD.match(text, g.end)
    if hit is None:
        return None
    word = hit.group(1)
    wf = word_forms()
    common = {w.lower() for w in [*wf.allergy.between, *wf.allergy.manual_objects, *wf.generic_conditions,
                                  *wf.generic_medications]}
    if word.lower() in filler_words() or word.lower() in common:
        return None
    return _Mention("medication", _uncoded_id(word.lower()), g.last, g.last, hit.start(1), hit.end(1), label=word.lower())


def _manual_object_before(text: str, g: _Mention, manual_objects: re.Pattern[str]) -> re.Match[str] | None:
    """"Study drug hypersensitivity": the trial's product named right before
    the allergy word."""
    for hit in manual_objects.finditer(text, max(0, g.start - 30), g.start):
        if not text[hit.end() : g.start].strip(" -"):
            return hit
    return None


@cache
def _allergy_joiner() -> re.Pattern[str]:
    """What may stand between two allergy words that share the drugs after
    them: "allergy or hypersensitivity", "intolerance or documented adverse
    reaction" (rules/word_forms.yaml allergy.joined_by)."""
    words = "|".join(re.escape(w) for w in sorted(word_forms().allergy.joined_by, key=len, reverse=True))
    return re.compile(rf"[\s,/]*(?:(?:and/or|or|and)\s*)?(?:(?:{words})\s+)*", re.IGNORECASE)


@cache
def _manual_objects() -> re.Pattern[str]:
    words = sorted(word_forms().allergy.manual_objects, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b", re.IGNORECASE)


def _mark_treatments(text: str, toks: list[_Tok], mentions: list[_Mention]) -> None:
    """"Anticoagulant therapy", "chemotherapy", "vaccination": a drug given as
    a treatment is recorded as medicines or as a procedure, so the mention
    reads as either (the treatment word joins the mention)."""
    words = _treatment_words()
    taken = {t for m in mentions for t in range(m.first, m.last + 1)}
    for idx, m in enumerate(mentions):
        if m.kind != "medication":
            continue
        last = toks[m.last].norm
        nxt = m.last + 1
        if nxt < len(toks) and toks[nxt].norm in words and nxt not in taken and _joined(text, toks, m.last, nxt):
            m.last, m.end = nxt, toks[nxt].end
            taken.add(nxt)
            m.treatment = True
        elif last in words or last.endswith(("therapy", "therapies")) or _named_as_treatment(m.value):
            m.treatment = True  # "chemotherapy"; "ART" (antiretroviral therapy)
        word = toks[m.last].norm
        if m.treatment and word in words:
            # "immunosuppressive, anticoagulant or corticosteroid treatment": the word is shared
            right = m
            for left in reversed(mentions[:idx]):
                gap = text[left.end : right.start].lower()
                if left.kind != "medication" or left.treatment or not re.fullmatch(r"[\s,/]*(?:(?:and/or|or|and)[\s,]*)?", gap):
                    break
                left.treatment, left.treatment_word = True, word
                right = left


@cache
def _named_as_treatment(concept_id: str) -> bool:
    """Whether a drug concept's own name is a treatment ("antiretroviral
    therapy"), so that its abbreviations read as one too."""
    concept = _knowledge().lexicons["medication"].concepts.get(concept_id)
    if concept is None:
        return False
    last = tokens(concept.name)[-1:]
    return bool(last) and (last[0] in _treatment_words() or last[0].endswith(("therapy", "therapies")))


@cache
def _treatment_words() -> frozenset[str]:
    return frozenset(w.lower() for w in word_forms().treatment_words)


def _uncoded_id(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


# ---------------------------------------------------------------- structure helpers

_CLAUSE_END = re.compile(r";|\.(?=\s|$)(?<!\be\.g\.)(?<!\bi\.e\.)|\n\s*\n|•")
_GAP_WORDS = frozenset(
    ["or", "and", "nor", "either", "neither", "as", "well", "plus", "any", "other", "a", "an", "the", "of", "history", "prior", "previous", "known", "current", "active", "severe", "uncontrolled", "significant", "clinically", "chronic", "acute", "past", "ongoing", "concomitant", "documented", "diagnosed", "diagnosis", "with/or", "s"]
)


@cache
def _generic_qualifiers() -> re.Pattern[str]:
    """Words before a generic mention that belong to its check ("no other
    uncontrolled concurrent illness"), ending where the mention starts."""
    words = _alternation(triggers().context.generic_qualifiers, gap=r"\s+")
    return re.compile(rf"\b(?:(?:{words})\s+)+$", re.IGNORECASE)


@cache
def _context_words(name: str) -> frozenset[str]:
    """One word list of the `context` section of rules/triggers.yaml."""
    return frozenset(w.lower() for w in getattr(triggers().context, name))


_MODALS = frozenset({"must", "should", "shall", "will", "may", "do", "does", "did"})
_SHORT_NEGATIONS = frozenset({"not", "non", "nor", "never", "absent", "lack of"})
_OR_WORDS = frozenset({"or", "nor", "either", "neither"})
_QUALIFIER_BEFORE = _Caseless(
    r"(risk\s+of|risk\s+for|at\s+risk|prevention\s+of|prophylaxis\s+of|prophylaxis\s+for|treatment\s+of|"
    r"family\s+history\s+of|family\s+history|first-degree\s+relative\s+with|relatives?\s+with|absorption\s+of|"
    r"levels?\s+of|serum|plasma|deficiency\s+of|response\s+to|resistant\s+to|refractory\s+to)"
    r"(?:\W+[\w-]+){0,3}?\W+(?:or|and)\W*$|"
    r"(family\s+history\s+of|"
    r"absorption\s+of|levels?\s+of|serum|plasma|risk\s+of|treatment\s+of|antibod(?:y|ies)\s+(?:to|against)|"
    # "with or without prior chemotherapy", "regardless of", "whether or not treated with insulin": it does not matter
    r"(?:with\s+or\s+without|with\s+and\s+without|regardless\s+of|irrespective\s+of|independent\s+of|"
    r"whether\s+or\s+not|need\s+not\s+have|need\s+not|do(?:es)?\s+not\s+need\s+to\s+have)"
    r"(?:\s+(?:the|any|a|an))?(?:\s+[\w-]+){0,2}?|"
    # "no more than 2 prior regimens", "up to 3 lines of": none is allowed too, so it is no requirement
    r"(?:(?:no|not)\s+more\s+than|up\s+to|at\s+most|a\s+maximum\s+of|maximum\s+of|fewer\s+than)(?:\s+[\w-]+){1,4}?|"
    # "recovered from surgery / toxicities": recovery is a clinician's call, what it was from no requirement
    r"recover(?:ed|y)\s+from(?:\s+(?:the|all|any))?(?:\s+\w+){0,3}?|resolution\s+of(?:\s+(?:the|all|any))?(?:\s+\w+){0,3}?)\W*$",
)
# used with .match(text, pos): anchored at the end of the mention
_QUALIFIER_AFTER = re.compile(r"\s*(?:-|\s)?causing\b", re.IGNORECASE)
# used with .match(text, pos) after a drug: the drug names a lab value or a
# receptor ("tacrolimus trough level", "testosterone > 15 ng/dl", "estrogen
# receptor positive"), which the measurement extractor or a condition reads
# A comparison counts only with a concentration unit: "prednisone < 10 mg" is a dose.
# used with .match(text, pos) after a drug word: an adjective before a condition
# ("immunosuppressive or immunodeficient condition"), not a drug
_DRUG_BEFORE_CONDITION = re.compile(r"\s+(?:(?:or|and|and/or)\s+[\w-]+\s+)?(?:conditions?|diseases?|disorders?|states?)\b",
                                    re.IGNORECASE)
# used with .match(text, pos) after a condition: it names a test or a vaccine
# ("HIV test results", "HIV RNA levels", "HIV vaccine study"), not the disease;
# a result beside it ("positive HIV test") keeps the disease (_RESULT_NEAR)
@cache
def _named_for() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """From rules/word_forms.yaml: (a drug named for something else, a disease
    named for its test, a test result), each used with .match / .search."""
    wf = word_forms()

    def words(phrases: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))

    drug = re.compile(rf"[\s-]*(?:{words(wf.drug_named_for)})\b|"
                      rf"\s*(?:\([^)]{{1,12}}\)\s*)?(?:(?:serum|plasma|blood)\s+)?(?:(?:{words(wf.drug_named_for_value)})\b|"
                      # a comparison counts only with a concentration unit: "prednisone < 10 mg" is a dose
                      r"(?:[<>≤≥=]|<=|>=)\s*\d[\d.,]*\s*"
                      r"(?:[pnµuμm]?g|[pnµuμm]?mol|[mµuμ]?IU|U)\s*/\s*(?:[dmµuμ]?L|dl)\b)", re.IGNORECASE)
    disease = re.compile(rf"(?:-?\s*(?:1|2|I|II)\b)?\s*(?:rapid\s+)?(?:{words(wf.disease_named_for)})\b", re.IGNORECASE)
    result = re.compile(rf"\b(?:{words(wf.test_results)})\b", re.IGNORECASE)
    return drug, disease, result


def _alternation(phrases: Iterable[str], gap: str = r"[\s-]+") -> str:
    """Phrases of rules/ as one regex alternation, the longest first; the
    words of a phrase may stand apart by ``gap`` (a hyphen reads as a space)."""
    return "|".join(gap.join(map(re.escape, p.replace("-", " ").split()))
                    for p in sorted(set(phrases), key=len, reverse=True))


def _phrases(phrases: Iterable[str]) -> _Caseless:
    """Any of the phrases as whole words, any case."""
    return _Caseless(rf"\b(?:{_alternation(p.lower() for p in phrases)})\b")


@cache
def _contraception() -> tuple[_Caseless, frozenset[str]]:
    """From rules/triggers.yaml: (a criterion asking for a method of
    contraception, the concept ids of the methods with those under them)."""
    conf = triggers().contraception_methods
    asks = _phrases(conf.asks)
    lexicons = _knowledge().lexicons
    ids: set[str] = set()
    for cid in conf.methods:
        for kind in ("medication", "procedure"):
            if cid in lexicons[kind]:
                ids.add(cid)
                ids.update(lexicons[kind].descendants(cid))
    return asks, frozenset(ids)


@cache
def _at_site() -> re.Pattern[str]:
    """From rules/triggers.yaml: a site right after a mention ("at the
    puncture site", "in the study eye"), used with .match."""
    conf = triggers().site
    qualifiers = rf"(?:(?:{_alternation(conf.qualifiers)})[\s-]+)"
    return re.compile(rf"\s*,?\s*(?:at|in|on|of|to|near|around|over|involving|within)\s+(?:(?:the|a|an|any|each|his|her|their)\s+)?"
                      rf"(?:{qualifiers}{{0,2}}(?:{_alternation(conf.places)})|{qualifiers}{{1,2}}(?:{_alternation(conf.parts)}))\b",
                      re.IGNORECASE)


@cache
def _at_site_of_class() -> re.Pattern[str]:
    """A site after a class of procedures or injuries, a few words of any kind
    before the part ("surgery on the relevant lumbar vertebra", "fractures of
    the lower extremities", "at more than 2 lumbar levels"), used with .match."""
    conf = triggers().site
    return re.compile(rf"\s*,?\s*(?:at|in|on|of|to|near|around|over|involving|within)\s+"
                      rf"(?:(?:the|a|an|any|each|his|her|their)\s+)?(?:[\w-]+\s+){{0,4}}?"
                      rf"(?:{_alternation(conf.places)}|{_alternation(conf.parts)})\b", re.IGNORECASE)


@cache
def _purpose() -> re.Pattern[str]:
    """What a surgery was for, right after it ("surgery to treat cluster
    headache"), used with .match; the purpose runs to the clause's next comma."""
    # it ends before a window ("for heart failure within the past 6 months"): the window is the procedure's
    return re.compile(rf"\s*,?\s*(?:{_alternation(triggers().site.purpose)})\s+"
                      r"(?:(?!\s(?:within|in\s+the\s+(?:past|last|previous)|during|prior\s+to|before|since)\b)[^,;:.()])+",
                      re.IGNORECASE)


@cache
def _site_words() -> frozenset[str]:
    return frozenset(w.lower() for w in triggers().site.before)


@cache
def _evidence() -> tuple[_Caseless, frozenset[str]]:
    """From rules/triggers.yaml: (a phrase saying how something is shown,
    the diagnostic procedures, with those under them)."""
    conf = triggers().evidence
    words = _phrases(conf.words)
    lex = _knowledge().lexicons["procedure"]
    ids = {d for cid in conf.procedures if cid in lex for d in (cid, *lex.descendants(cid))}
    return words, frozenset(ids)


def _as_evidence(text: str, m: _Mention, clause: tuple[int, int]) -> bool:
    """Whether a diagnostic procedure is named as how something is shown
    ("confirmed by biopsy") rather than as a procedure the patient had."""
    words, procedures = _evidence()
    if m.value not in procedures:
        return False
    return words.search(text, max(clause[0], m.start - 80), m.start) is not None


@cache
def _results() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str], frozenset[str]]:
    """From rules/triggers.yaml evidence: (result words ending right before a
    test, result words right after it (used with .match), the tests whose
    result a record codes as a finding, the pregnancy tests)."""
    conf = triggers().evidence
    lex = _knowledge().lexicons["procedure"]
    # the result may head a list of tests: "abnormal findings in the physical exam, vital signs or laboratory tests"
    before = re.compile(rf"\b(?:{_alternation(conf.results_before)})\s+(?:[\w-]+(?:\s*[,/]\s*|\s+)(?:(?:or|and)\s+)?){{0,8}}?$",
                        re.IGNORECASE)
    after_words = "|".join(re.escape(w) if not w[0].isalnum() else rf"\b{_alternation([w])}\b"
                           for w in sorted(conf.results_after, key=len, reverse=True))
    # "physical examination or laboratory findings": a result shared by a list
    after = re.compile(rf"\s*(?:\)\s*)?(?:(?:or|and|/)\s*(?:[\w-]+\s+){{0,2}}?)?(?:{after_words})", re.IGNORECASE)
    pregnancy = {d for cid in conf.tests_of_pregnancy if cid in lex for d in (cid, *lex.descendants(cid))}
    tests = {d for cid in [*conf.procedures, *conf.tests_of_pregnancy] if cid in lex for d in (cid, *lex.descendants(cid))}
    return before, after, frozenset(tests), frozenset(pregnancy)


@cache
def _test_heads() -> frozenset[str]:
    return frozenset(w.lower() for w in triggers().evidence.test_heads)


def _as_result(text: str, m: _Mention, clause: tuple[int, int]) -> tuple[int, int] | None:
    """"Abnormal physical examination", "positive pregnancy test": where the
    test and its finding run; None when the test is named without one, or
    with a negative result (a test the criterion asks for at screening)."""
    before, after, tests, _ = _results()
    if m.value not in tests and not (m.label is not None and m.label.rsplit(None, 1)[-1].lower() in _test_heads()):
        return None
    lead = before.search(text, max(clause[0], m.start - 120), m.start)
    # "abnormal ECG, prior colonoscopy": a status word opens an item of its own
    if lead is not None and not any(w.lower() in _status_words() for w in _WORD.findall(lead.group())[1:]):
        return None if lead.group().lower().startswith("negative") else (lead.start(), m.end)
    tail = after.match(text, m.end, clause[1])
    if tail is not None:
        return None if tail.group().strip(" )").lower().endswith("negative") else (m.start, tail.end())
    return None


@cache
def _optional() -> _Caseless:
    return _phrases(triggers().optional)


@cache
def _other_person() -> _Caseless:
    return _phrases(triggers().other_person)


def names_another_person(text: str, start: int, end: int) -> bool:
    """Whether a word for another person (rules/triggers.yaml other_person:
    "relatives", "donor") stands in text[start:end]; for the extractors whose
    rules it makes another person's ("death under 40 years of age in
    first-degree relatives")."""
    return _other_person().search(text, start, end) is not None


@cache
def _planned_surgery() -> _Caseless:
    return _phrases(triggers().planned_surgery)


@cache
def _vague_heads() -> frozenset[str]:
    return frozenset(w.lower() for w in word_forms().vague_heads)


def _broad(m: _Mention) -> bool:
    """A class ("surgery", "injury") or an injury: what it names is not
    where, so a site after it narrows it."""
    if m.label is not None:
        return False
    lex = _knowledge().lexicons[m.kind]
    known = lex.get(m.value)
    return known is not None and (known.is_class or (m.kind == "condition" and lex.is_a(m.value, "injury")))


@cache
def _planned_procedure() -> _Caseless:
    return _phrases(triggers().planned_procedure)


@cache
def _is_planned_class(concept_id: str) -> bool:
    """A surgery, or a procedure of rules/triggers.yaml planned_surgery_classes:
    "undergoing" it makes it the trial's own."""
    lex = _knowledge().lexicons["procedure"]
    return _is_surgery(concept_id) or any(
        concept_id in lex and (concept_id == c or lex.is_a(concept_id, c)) for c in triggers().planned_surgery_classes)


@cache
def _is_surgery(concept_id: str) -> bool:
    lex = _knowledge().lexicons["procedure"]
    return concept_id in lex and (concept_id == "surgery" or lex.is_a(concept_id, "surgery"))


@cache
def _planned() -> _Caseless:
    return _phrases(triggers().planned)


# a word in or near every `planned` phrase: most criteria have none
_PLAN_HINT = _Caseless(r"schedul|plan|candidat|indicat|eligible|regist|refer|await|wait|list|about|will|going|elective|"
                       r"intend|expect|suitable|fit|amenable|appropriate|consider|recommend|select|book|present|admit|"
                       r"propos|to\s+be|start|initiat|due|need|can|could|able|requir|unsuit|ineligib")


@cache
def _drug_screen() -> _Caseless:
    return _phrases(triggers().drug_screen)


@cache
def _trial_events() -> tuple[re.Pattern[str], frozenset[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """From rules/triggers.yaml: (what comes before a trial's own event, the
    event words, what after a generic drug word makes it a kind of trial,
    the clause words that say so: company, nouns)."""
    trig = triggers()
    words = _alternation
    tl = trig.timeline
    plain = [p for p in tl.before if "{" not in p]
    templated = [_window_regex(p).pattern[len(_NOT_WORD_BEFORE):] for p in tl.before if "{" in p]
    # "the following medications:" is a list, not an anchor: no "the" before the phrase
    before = re.compile(rf"(?<!\bthe\s)\b(?:{'|'.join([words(plain), *templated])})"
                        rf"(?:[\s-]+(?:{words(tl.between)}))*[\s-]+$", re.IGNORECASE)
    tk = trig.trial_kind
    kinds = words([*tk.company, *word_forms().generic_medications, *tl.events])
    kind_of_trial = re.compile(rf"(?:\s*(?:,|/|\bor\b|\band\b)\s*(?:(?:an?|other|another)\s+)?(?:{kinds})\b)*"
                               rf"\s+(?:(?:{words(tk.qualifiers)})\s+)*(?:{words(tk.nouns)})\b", re.IGNORECASE)
    # "another device or drug", "a vaccine, drug, medical device": a list with a device
    listed = r"\s*(?:,|/|\bor\b|\band\b|\band/or\b)\s*(?:(?:an?|other|another|any)\s+)?"
    company = re.compile(rf"(?:{listed}(?:{kinds})\b)*{listed}(?:{words(tk.company)})\b|"
                         rf"\b(?:{words(tk.company)}){listed}$", re.IGNORECASE)
    nouns = re.compile(rf"\b(?:{words(tk.nouns)})\b", re.IGNORECASE)
    return before, frozenset(e.lower() for e in tl.events), kind_of_trial, company, nouns


def _trial_event(text: str, m: _Mention, clause: tuple[int, int], mentions: list[_Mention]) -> bool:
    """Whether a generic drug word or a vaccination is the trial's own event
    (a window's anchor) or the kind of another trial, not a requirement."""
    before, events, kind_of_trial, company, nouns = _trial_events()
    if not m.generic and text[m.start : m.end].lower() not in events:
        return False
    anchor = before.search(text, max(0, m.start - 80), m.start)
    if anchor is not None:
        # "stroke following surgery": right after a condition, the event is its cause
        return not any(c.kind == "condition" and 0 <= anchor.start() - c.end <= 2 for c in mentions)
    if kind_of_trial.match(text, m.end):
        return True
    start, end = clause
    in_list = company.match(text, m.end) is not None or company.search(text, max(start, m.start - 30), m.start) is not None
    return in_list and nouns.search(text, start, end) is not None


# "if female of childbearing potential", "for women of childbearing potential":
# whom the criterion applies to
_SCOPE_BEFORE = re.compile(r"\b(?:if|for|in|among|when)\s+(?:a\s+|all\s+|any\s+|the\s+)?$", re.IGNORECASE)
# "physically fertile, defined as ... capable of becoming pregnant, unless using
# contraception": a definition or an exception of the state is no scope
_NOT_ITS_DEFINITION = re.compile(r"\b(?:defined\s+as|unless|except|other\s+than|i\.e\.)", re.IGNORECASE)
_AFTER_A_DOSE = re.compile(r"\b(?:after|following|until|through|from)\s+(?:the\s+)?(?:last|final|first|initial)?\s*"
                          r"(?:dose|administration|infusion|injection)s?\s+of\s+(?:the\s+)?(?:study\s+)?$", re.IGNORECASE)


@cache
def _plan_words() -> _Caseless:
    return _phrases(triggers().context.plan_words)


@cache
def _about_pregnancy() -> _Caseless:
    """A criterion about a pregnancy test or contraception names women of
    childbearing potential as those it applies to, never as a requirement:
    the beginnings of its words (rules/triggers.yaml context.pregnancy_topics)."""
    return _Caseless(_alternation(w.lower() for w in triggers().context.pregnancy_topics))


# a word each _QUALIFIER_BEFORE phrase contains
_QUALIFIER_HINT = _Caseless(
    r"risk|prevention|prophylaxis|treatment|family|relative|absorption|level|serum|plasma|deficiency|response|"
    r"resistant|refractory|recover|resolution|antibod|without|regardless|irrespective|independent|whether|more|"
    r"up\s+to|most|maximum|fewer|need",
)


@cache
def _object_context() -> _Caseless:
    """Words after which a drug or procedure is what they are about
    ("allergy to", "contraindication to", "interactions with"), not a rule of
    its own. An allergy word followed by a word of allergy.not_about
    (rules/word_forms.yaml) names a disease or a treatment instead: the
    "topical corticosteroids" of "allergic rhinitis or topical corticosteroids"
    are a drug to look up."""
    other = "|".join(re.escape(w) for w in sorted(word_forms().allergy.not_about, key=len, reverse=True))
    return _Caseless(
        r"(contraindicat\w*|inability\s+to\s+undergo|unable\s+to\s+undergo|intoleran\w*|"
        rf"(?:allerg\w*|hypersensitiv\w*)\b(?!\s+(?:{other})\b)|"
        r"sensitivity\s+to|refus\w*\s+to|interact\w*\s+with|interfer\w*\s+with)",
    )
# searched in the 40 characters before a generic drug word (ends there)
_CONTROLLED_BY = re.compile(r"\b(?:(?:un)?controlled|control|(?:un)?managed|treated|despite|adherence\s+to|compliance\s+with|"
                            r"changes?\s+(?:in|of|to))\s+(?:by\s+|with\s+|on\s+)?(?:the\s+|a\s+|any\s+|oral\s+)?$",
                            re.IGNORECASE)
# used with .match(text, pos): anchored at the end of the mention
_CONTRAINDICATED_AFTER = re.compile(r"\s*(?:\)\s*)?(?:is|are)\s+(?:\w+\s+)?contra-?indicated\b", re.IGNORECASE)
_HAS_UNIT = re.compile(r"(?:\d|\b(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|year|month)\b)", re.IGNORECASE)
_INSTRUCTION = re.compile(r"\b(?:must|should|will\s+be|are\s+required)\b", re.IGNORECASE)
_PAREN_EXCEPTION = re.compile(r"\b(?:except\w*|exclud\w*|allowed|permitted|eligible|other\s+than|unless)\b", re.IGNORECASE)
_ROUTE_WORDS = {
    "oral": "oral", "orally": "oral", "po": "oral", "intravenous": "intravenous", "intravenously": "intravenous",
    "iv": "intravenous", "infused": "intravenous", "infusion": "intravenous", "topical": "topical",
    "topically": "topical", "inhaled": "inhaled", "inhalational": "inhaled", "systemic": "systemic",
    "systemically": "systemic", "parenteral": "systemic",
}


def _clause_bounds(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_END.finditer(text):
        # a period inside a number or an abbreviation does not end a clause
        if m.group(0) == "." and m.start() > 0 and text[m.start() - 1 : m.start()].isupper() and m.start() > 1 and text[m.start() - 2 : m.start() - 1] == ".":
            continue
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    return [b for b in bounds if b[1] > b[0]]


def _paren_depth_map(text: str) -> list[int]:
    if "(" not in text and "[" not in text and "{" not in text:
        return [0] * (len(text) + 1)
    depth = 0
    out = [0] * (len(text) + 1)
    for idx, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        out[idx] = depth
        if ch in ")]}":
            depth = max(0, depth - 1)
    out[len(text)] = depth
    return out


def _parse_number(raw: str) -> float | None:
    raw = raw.strip().lower().replace(",", ".")
    if raw in _NUM_WORDS:
        return float(_NUM_WORDS[raw])
    try:
        return float(raw)
    except ValueError:
        return None


def _duration(number: str | None, unit: str) -> Duration | None:
    value = 1.0 if number is None else _parse_number(number)
    if value is None:
        return None
    u = unit.lower()
    if u.startswith(("h",)):
        return Duration(value=round(value / 24.0, 4), unit=TimeUnit.days)
    if u.startswith("d"):
        return Duration(value=value, unit=TimeUnit.days)
    if u.startswith("w"):
        return Duration(value=value, unit=TimeUnit.weeks)
    if u.startswith("mo"):
        return Duration(value=value, unit=TimeUnit.months)
    return Duration(value=value, unit=TimeUnit.years)


# ---------------------------------------------------------------- the extractor

def extract_concepts(text: str, offset: int = 0, section: str = "inclusion") -> list[Rule]:
    """The condition, medication, procedure, pregnancy and smoking rules of
    one criterion (see the module docstring for how each construct is read)."""
    if not text or not text.strip():
        return []
    _knowledge()
    toks = _tokenize(text)
    if not toks:
        return []
    n_letters = len(_NON_LETTER.sub("", text))
    shouting = n_letters >= _SHOUTING_MIN_LETTERS and len(_NON_UPPER.sub("", text)) > 0.8 * n_letters
    reach = _joined_until(text, toks)
    mentions = _find_mentions(text, toks, shouting, reach)
    if "(" in text:
        _names_across_abbreviations(text, toks, mentions, shouting)
    trigs = _find_triggers(toks)
    # words inside trigger phrases ("no symptoms of", "diagnosis of") are read as triggers
    blocked = {t for a, b, cat, _ in trigs if cat != "term" for t in range(a, b + 1)}
    mentions.extend(_find_word_forms(text, toks, mentions, blocked, reach))
    mentions.sort(key=lambda m: m.start)
    _mark_treatments(text, toks, mentions)
    depth = _paren_depth_map(text)
    exclusion = section == "exclusion"

    mentions = [m for m in mentions if m.kind != "stop"]
    _resolve_ellipsis(text, toks, mentions)
    _shared_heads(text, toks, mentions, blocked)
    _filter_abbreviations(text, toks, mentions)
    _absorb_abbreviations(text, toks, mentions)
    if not mentions:
        return []

    clauses = _clause_bounds(text)

    ends = [b for _, b in clauses]
    last = len(clauses) - 1

    def clause_of(pos: int) -> int:
        # clauses tile the text: the first one ending after pos holds it
        return min(bisect_right(ends, pos), last)

    # one search of the whole text tells whether any mention can be qualified
    # or be an object; most criteria have neither
    may_qualify = _QUALIFIER_HINT.search(text) is not None
    asks_method, methods = _contraception()
    asks_method_here = asks_method.search(text) is not None
    screen = _drug_screen().search(text)
    about_pregnancy = _about_pregnancy().search(text) is not None
    persons = [p.end() for p in _other_person().finditer(text)]
    plans = [p.span() for p in _planned().finditer(text)] if _PLAN_HINT.search(text) else []
    needs = ([p.span() for p in _planned_procedure().finditer(text)]
             if "equir" in text or "ee" in text or "lectiv" in text else [])
    surgeries = [p.end() for p in _planned_surgery().finditer(text)] if "und" in text or "hav" in text else []
    object_context = _object_context()
    first_object = object_context.search(text)
    named_drug, named_disease, test_result = _named_for()
    institution = _institution_before() if ("Cent" in text or "Depart" in text or "Insti" in text
                                           or "Clinic" in text or "Divis" in text or "Hosp" in text) else None
    for m in mentions:
        if institution is not None and institution.search(text, max(0, m.start - 60), m.start):
            m.dropped = True  # "the Center for Spine Surgery": a name, not the patient's surgery
            continue
        if m.kind != "pregnancy" and (
            (may_qualify and _QUALIFIER_BEFORE.search(text[max(0, m.start - 60) : m.start]))
            or _QUALIFIER_AFTER.match(text, m.end, m.end + 15)
        ):
            m.dropped = True
        if (m.kind in ("medication", "procedure") and first_object is not None and first_object.start() < m.start
                and object_context.search(text, clauses[clause_of(m.start)][0], m.start)):
            m.dropped = m.object_of = True
        if m.kind == "condition" and not m.generic and (test := named_disease.match(text, m.end)) and not (
                test_result.search(text, max(0, m.start - 25), m.end) or test_result.match(text, test.end() + 1)):
            m.dropped = True
        if m.kind == "medication" and not m.generic and (
                named_drug.match(text, m.end) or _DRUG_BEFORE_CONDITION.match(text, m.end)):
            m.dropped = True
        if asks_method_here and m.kind in ("medication", "procedure") and m.value in methods:
            # "adequate contraception (oral contraceptives, IUD)": options of the manual check
            m.generic, m.manual_category = True, "contraception"
            m.reason = (f"'{' '.join(text[m.start : m.end].split())}': a method of contraception the criterion "
                        "asks for; its use is confirmed in person")
        if (screen is not None and m.kind == "medication" and not m.generic and screen.end() <= m.start
                and clause_of(screen.start()) == clause_of(m.start)):
            m.generic, m.manual_category = True, "other"
            m.reason = (f"'{' '.join(text[m.start : m.end].split())}': what the drug screen tests for; its result "
                        "is confirmed at screening, not read from the medication list")
        if persons and m.kind in ("condition", "pregnancy") and not m.generic and any(
                0 <= m.start - p <= 80 and clause_of(p) == clause_of(m.start) and not re.search(r"[,;:]", text[p : m.start])
                for p in persons):
            # "primary caregiver of a child with leukemia": another person's condition
            m.generic, m.manual_category = True, "other"
            m.reason = (f"'{' '.join(text[m.start : m.end].split())}' is another person's (a partner's, a caregiver's, "
                        "a relative's, a donor's): confirm in person")
        # "patients undergoing distal pancreatectomy": the trial's own surgery is planned too
        trials_surgery = (surgeries and m.kind == "procedure" and _is_planned_class(m.value)
                          and any(0 <= m.start - p <= 30 and clause_of(p) == clause_of(m.start) for p in surgeries))
        # "patients requiring spinal fusion": needed, so planned; "infection requiring hospitalization" is a link
        needed = [a for a, b in needs if m.kind == "procedure" and _is_planned_class(m.value)
                  and (a <= m.start <= b + 60 or m.start <= a < m.end)
                  and clause_of(a) == clause_of(m.start)
                  and not any(c.kind == "condition" and 0 <= a - c.end <= 3 for c in mentions)]
        planned_at = [a for a, b in plans
                      if (a <= m.start <= b + 80 or m.start <= a < m.end) and clause_of(a) == clause_of(m.start)]
        if m.kind in ("medication", "procedure") and not m.generic and (trials_surgery or needed or planned_at):
            # the words of the plan go with the check ("Patients requiring spinal fusion")
            leads = [a for a in needed + planned_at if a < m.start and not re.search(r"[,;:()]", text[a : m.start])]
            if leads:
                m.lead = min(m.lead if m.lead is not None else m.start, *leads)
            # "scheduled for elective laminectomy": the record holds what was done, not what is planned
            m.generic, m.manual_category = True, "other"
            m.reason = (f"'{' '.join(text[m.start : m.end].split())}' is planned, not done: "
                        "the record cannot show it yet; confirm in person")
        if m.kind in ("condition", "procedure") and not m.generic and (
                (site := _at_site().match(text, m.end)) or (_broad(m) and (site := _at_site_of_class().match(text, m.end)))):
            # "infection at the puncture site": an infection, and a clinician checks the site
            m.site = (m.end + len(site.group()) - len(site.group().lstrip(" ,")), site.end())
        elif (m.kind == "procedure" and not m.generic
              and ((_broad(m) and _is_surgery(m.value)) or m.value in triggers().site.purpose_of)
              and (purpose := _purpose().match(text, m.end)) and clause_of(purpose.end() - 1) == clause_of(m.start)):
            # "surgery to treat cluster headache": any surgery, and a clinician checks what it was for
            # (the headache is no rule of its own: read alone, every patient with it was excluded)
            m.site = (m.end + len(purpose.group()) - len(purpose.group().lstrip(" ,")), purpose.end())
            for other in mentions:
                if other is not m and m.site[0] <= other.start < m.site[1] and not other.dropped:
                    # the purpose holds too (no heart failure, no hospitalization for it), beside the check
                    other.dropped = True
                    if other.kind == "condition" and not other.generic:
                        m.purpose.append(other)
        elif (m.kind in ("condition", "procedure") and not m.generic and m.first > 0 and m.label is None
              and toks[m.first - 1].norm in _site_words() and text[toks[m.first - 1].end : m.start] in (" ", "-", "/")
              and (known := _knowledge().lexicons[m.kind].get(m.value)) is not None and known.is_class):
            # "lumbar surgery", "spinal infection": the class, and a clinician checks where
            m.site = (toks[m.first - 1].start, toks[m.first - 1].end)
        if m.kind == "procedure" and _as_evidence(text, m, clauses[clause_of(m.start)]):
            m.dropped = True  # "confirmed by biopsy": how it is shown, not a procedure to look for
        elif m.kind == "procedure" and not m.generic and (result := _as_result(text, m, clauses[clause_of(m.start)])):
            a, b = result
            if m.value in _results()[3]:
                # "positive pregnancy test", "β-HCG+": the pregnancy itself
                m.kind, m.value, m.label = "pregnancy", "pregnant", None
            else:
                # "abnormal physical examination": a finding a clinician reads, not an exam to have had
                m.generic, m.manual_category = True, "investigator_judgement"
                m.reason = f"'{' '.join(text[a:b].split())}': a finding of the test; a clinician judges it"
            m.lead = a if a < m.start else m.lead
        if (m.kind == "medication" and not m.generic and about_pregnancy
                and _AFTER_A_DOSE.search(text, max(0, m.start - 40), m.start)):
            # "contraception until 6 months after the last dose of fludarabine": the trial's drug, an anchor
            m.dropped = True
        if m.kind in ("medication", "procedure") and _trial_event(text, m, clauses[clause_of(m.start)], mentions):
            m.dropped = True  # "8 weeks prior to vaccination", "another drug or device trial"
        if m.generic and m.kind == "medication" and _CONTROLLED_BY.search(text, max(0, m.start - 40), m.start):
            # "heart failure uncontrolled by medication": how it is controlled, not a drug to look for
            m.dropped = True
        if m.kind in ("medication", "procedure") and _CONTRAINDICATED_AFTER.match(text, m.end):
            m.dropped = m.object_of = True  # "patients in whom aspirin is contraindicated"
        if m.kind == "pregnancy" and m.value == "childbearing_potential" and (re.match(
            r"^\W*(?:must|should|who|agree|will|are\s+required|need|has|have|with\s+a\s+negative)\b",
            text[m.end : m.end + 30], re.IGNORECASE,
        ) or _SCOPE_BEFORE.search(text, max(0, m.start - 30), m.start)
                or _about_pregnancy().search(text[: m.start] + " " + _NOT_ITS_DEFINITION.split(text[m.end :], 1)[0])):
            # "women of childbearing potential must use contraception": whom the
            # criterion applies to, not a requirement to be able to bear children
            m.generic = True
            m.reason = (f"'{' '.join(text[m.start : m.end].split())}': the criterion applies to them only; "
                        "whether the patient can bear children is for a person to confirm")

    _infection_with(text, mentions)
    for optional in _optional().finditer(text) if "with" in text or "less" in text or "whether" in text else ():
        # "cirrhosis with or without hepatitis viral co-infection": what is optional is no requirement
        end = _OPTIONAL_END.search(text, optional.end())
        for m in mentions:
            if optional.end() <= m.start < (end.start() if end else len(text)):
                m.dropped = True
    # "must agree not to become pregnant", "negative pregnancy test": a
    # pregnancy named inside a manual phrase is that phrase's (a plan, a test)
    manual_spans = [(toks[a].start, toks[b].end) for a, b, cat, _ in trigs if cat == "manual"]
    inside: tuple[int, int] | None
    for m in mentions:
        inside = next(((a, b) for a, b in manual_spans if a <= m.start and m.end <= b), None)
        if m.kind == "pregnancy" and m.value == "pregnant" and inside is not None:
            if _plan_words().search(text, inside[0], inside[1]):
                m.generic = True  # "planning to become pregnant": a plan, confirmed in person
                m.reason = (f"'{' '.join(text[inside[0] : inside[1]].split())}': a plan, not a state a record holds; "
                            "confirm in person")
            else:
                m.dropped = True  # "pregnancy test", "risk of pregnancy": the manual phrase's words
        elif m.kind == "pregnancy" and m.generic and depth[m.start] > 0:
            m.dropped = True  # "Pregnancy (negative test required for women of childbearing potential)": an aside
    _extend_over_objects(text, mentions, clause_of)
    _absorb_relative_clauses(text, mentions, clauses, clause_of)
    _attach_causes(text, mentions, clause_of)
    for m in mentions:
        d = depth[m.start]
        if d > 0:
            open_at = text.rfind("(", 0, m.start)
            close_at = text.find(")", m.start)
            inner = text[open_at + 1 : close_at if close_at != -1 else len(text)]
            if _INSTRUCTION.search(inner):
                m.dropped = True
    _apply_colon_lists(text, toks, mentions, clauses, clause_of)
    live = [m for m in mentions if not m.dropped]
    _apply_exceptions_and_examples(text, toks, live, trigs, depth, clauses, clause_of)
    live = [m for m in live if not m.dropped]
    if not live:
        return []
    _apply_negation(text, toks, live, trigs, depth, clauses, clause_of, exclusion)
    live = [m for m in live if not m.dropped]  # "non-statin lipid-lowering therapy": the statin is carved out
    groups = _group(text, toks, live, clauses, clause_of)
    _apply_status(toks, groups, trigs)
    negated = [m.negated for m in live]
    _apply_windows(text, live, clauses, clause_of, exclusion)
    if negated != [m.negated for m in live]:
        groups = _group(text, toks, live, clauses, clause_of)  # a washout negated its mentions
    _apply_routes(toks, live)
    _inherit(toks, live)

    built: list[tuple[Rule, str]] = []  # (rule, gap text before it)
    prev_end = 0
    for group in groups:
        rule = _build_group(text, offset, group, exclusion)
        if rule is None:
            continue
        built.append((rule, text[prev_end : group[0].start]))
        prev_end = group[-1].end
    if not built:
        return []
    rules: list[Rule] = []
    seen: set[tuple[object, ...]] = set()
    if len(built) == 1:
        return [built[0][0]]
    for rule, gap in built:
        key = _key(rule)
        if key in seen:
            continue
        seen.add(key)
        if rules and (_narrows().search(gap) or _requiring().fullmatch(gap)):
            # "acute cholecystitis in subjects without H/O cholecystectomy",
            # "diabetes requiring insulin": the second narrows the first (both
            # hold), in an exclusion too
            rules[-1] = _wrap_all(text, offset, [rules[-1], rule])
        else:
            rules.append(rule)
    if len(rules) == 1:
        return rules
    joined_by_or = any(re.search(r"\b(?:or|nor)\b|/", gap, re.IGNORECASE) for _, gap in built[1:])
    if exclusion or joined_by_or:
        return [_wrap_any(text, offset, rules)]
    return rules


@cache
def _institution_before() -> re.Pattern[str]:
    """"... the Center for " right before a mention: the mention is part of an
    institution's name (the head is capitalised; searched case-sensitively)."""
    heads = "|".join(re.escape(h) for h in sorted(triggers().context.institution_heads, key=len, reverse=True))
    return re.compile(rf"\b(?:{heads})\s+(?:for|of)\s+(?:the\s+)?(?:[A-Z][\w'-]*\s+(?:and\s+|&\s+)?){{0,3}}$")


@cache
def _requiring() -> re.Pattern[str]:
    """The whole gap between a condition and the treatment that narrows it
    ("requiring", "treated with oral"), rules/triggers.yaml context.requiring."""
    links = _alternation(triggers().context.requiring)
    return re.compile(rf"[\s,]*(?:{links})(?:\s+(?:the|a|an|any|chronic|regular|daily|long-term|ongoing|current|"
                      rf"{'|'.join(_ROUTE_WORDS)}))*\s*", re.IGNORECASE)


@cache
def _narrows() -> re.Pattern[str]:
    """"In subjects without", "among patients who": a clause that narrows the one before."""
    persons = _alternation(triggers().context.narrowed_persons)
    # "Non-diabetic patients with AKI": the persons right between the two (no comma) narrow too
    return re.compile(rf"\b(?:in|among|for)\s+(?:{persons})\s+(?:without|with|who|that)\b"
                      rf"|^\s*(?:(?:{persons})\s+)?(?:with|who\s+have|having)\s*$", re.IGNORECASE)


def manual_category(text: str) -> str | None:
    """The category of a criterion no medical record decides ("consent",
    "willingness", "investigator_judgement", "compliance", "contraception",
    "trial_participation", "other"), or None."""
    toks = _tokenize(text)
    order = ("consent", "investigator_judgement", "trial_participation", "compliance", "willingness", "contraception", "other")
    found = {val for _, _, cat, val in _find_triggers(toks) if cat == "manual"}
    for category in order:
        if category in found:
            return category
    return None


# ---------------------------------------------------------------- passes

def _lookup(key: tuple[str, ...]) -> _Entry | None:
    entries = _knowledge().phrases.get(key)
    if not entries:
        return None
    return min(entries, key=lambda e: _PRIORITY[e.kind])


def _shared_heads(text: str, toks: list[_Tok], mentions: list[_Mention], blocked: set[int]) -> None:
    """"Renal, hepatic, neurologic or immune disease": one-word items before
    "or"/"and" share the head word of the mention after it - each item with
    the head is a lexicon name or, for a head of rules/word_forms.yaml, an
    uncoded mention of the same kind ("hepatic disease")."""
    wf = _word_forms()
    covered = {t for m in mentions for t in range(m.first, m.last + 1)} | blocked
    # the item next to "or" may already be read ("major organ [or bone marrow]
    # transplantation" by _resolve_ellipsis): the list goes on before it
    starts_at = {m.last: m.first for m in mentions}
    extra: list[_Mention] = []
    for m in mentions:
        if m.kind not in ("condition", "medication", "procedure") or m.generic or m.last == m.first:
            continue
        conj = m.first - 1
        if conj < 0:
            continue
        if toks[conj].norm in ("or", "and") and re.fullmatch(r"\s+", text[toks[conj].end : m.start]):
            if toks[conj].norm == "or" and conj >= 2 and toks[conj - 1].norm == "and" and text[toks[conj - 1].end : toks[conj].start] == "/":
                conj -= 1  # "and/or"
            j = conj - 1
            if j < 0 or not re.fullmatch(r"\s*,?\s*", text[toks[j].end : toks[conj].start]):
                continue
            need = 1
        elif re.fullmatch(r"\s*,\s*", text[toks[conj].end : m.start]):
            # "hepatic, cardiac, pulmonary, endocrine disease": commas only, two items at least
            j, need = conj, 2
        else:
            continue
        head = toks[m.last].norm
        head_kind = wf.head_kind.get(head)
        items: list[int] = []
        if j in covered and j in starts_at and j not in blocked:
            first = starts_at[j]
            if first == 0 or not re.fullmatch(r"\s*,\s*", text[toks[first - 1].end : toks[first].start]):
                continue
            j, need = first - 1, max(0, need - 1)
        while j >= 0 and j not in covered and _is_modifier(toks[j], wf, m.kind):
            items.append(j)
            if j == 0 or not re.fullmatch(r"\s*,\s*", text[toks[j - 1].end : toks[j].start]):
                break
            j -= 1
        if len(items) < need:
            continue
        for j in items:
            entry = _lookup((toks[j].norm, head))
            if entry is not None and entry.kind == m.kind:
                extra.append(_Mention(entry.kind, entry.value, j, j, toks[j].start, toks[j].end))
            elif head_kind is not None and head_kind[0] == m.kind:
                label = f"{toks[j].norm} {head}"
                extra.append(_Mention(m.kind, _uncoded_id(label), j, j, toks[j].start, toks[j].end,
                                      label=label, imaging=head_kind[1]))
            else:
                break
            covered.add(j)
    if extra:
        mentions.extend(extra)
        mentions.sort(key=lambda m: m.start)


def _resolve_ellipsis(text: str, toks: list[_Tok], mentions: list[_Mention]) -> None:
    """"major organ or bone marrow transplantation", "hepatitis B or C"."""
    covered = {t for m in mentions for t in range(m.first, m.last + 1)}
    by_span = {(m.first, m.last): m for m in mentions}
    extra: list[_Mention] = []
    replaced: list[_Mention] = []
    for m in mentions:
        if m.kind == "stop":
            continue
        head = toks[m.last].norm
        # words before "X or <mention>", "X and/or <mention>", "X/<mention>"
        j = _item_before(text, toks, m.first)
        if j is not None:
            for size in (3, 2, 1):
                a = j - size + 1
                if a < 0 or not _joined(text, toks, a, j):
                    continue
                # a word already read may still be the first half of an
                # ellipsis: "drug/alcohol abuse" (a generic drug word),
                # "opioid or alcohol abuse" (a drug before a condition head)
                taken = [t for t in range(a, j + 1) if t in covered]
                held = by_span.get((a, j)) if taken else None
                if taken and (held is None or not (held.generic or (held.kind == "medication" and m.kind == "condition"))):
                    continue
                words = [t.norm for t in toks[a : j + 1]]
                entry = _lookup((*words, head))
                if entry is None and words[-1].endswith("s") and len(words[-1]) > 3:
                    entry = _lookup((*words[:-1], words[-1][:-1], head))  # "drugs/alcohol abuse"
                if entry is None or entry.kind == "stop" or (held is not None and entry.kind != m.kind):
                    continue
                extra.append(_Mention(entry.kind, entry.value, a, j, toks[a].start, toks[j].end))
                covered.update(range(a, j + 1))
                if held is not None:
                    replaced.append(held)
                break
        # "<mention> or <word>": hepatitis B or C; "abuse of alcohol or drugs"
        # (the generic drug word is the second object of "abuse of")
        nxt = m.last + 1
        if (nxt + 1 < len(toks) and toks[nxt].norm in ("or", "and") and m.last > m.first
                and _LIST_PUNCT.match(text[toks[nxt].end : toks[nxt + 1].start])):
            stem = tuple(t.norm for t in toks[m.first : m.last])
            held = by_span.get((nxt + 1, nxt + 1)) if (nxt + 1) in covered else None
            if (nxt + 1) in covered and (held is None or not held.generic or stem[-1] != "of"):
                continue
            entry = _lookup((*stem, toks[nxt + 1].norm))
            if entry and entry.kind != "stop" and (len(toks[nxt + 1].norm) <= 3 or held is not None):
                extra.append(_Mention(entry.kind, entry.value, nxt + 1, nxt + 1, toks[nxt + 1].start, toks[nxt + 1].end))
                covered.add(nxt + 1)
                if held is not None:
                    replaced.append(held)
    for held in replaced:
        mentions.remove(held)
    if extra:
        mentions.extend(extra)
        mentions.sort(key=lambda m: m.start)


def _item_before(text: str, toks: list[_Tok], i: int) -> int | None:
    """The last token of the item before a conjunction that precedes token
    ``i``: "X or M", "X and M", "X and/or M", "X and / or M", "X/M"."""
    if i < 1:
        return None
    gap = text[toks[i - 1].end : toks[i].start]
    if gap.strip() == "/":
        return i - 1
    if toks[i - 1].norm not in ("or", "and") or gap.strip():
        return None
    j = i - 2
    if toks[i - 1].norm == "or" and j >= 1 and toks[j].norm == "and" and text[toks[j].end : toks[i - 1].start].strip() == "/":
        j -= 1
    if j < 0 or text[toks[j].end : toks[j + 1].start].strip(" ,-"):
        return None
    return j


@cache
def _abbreviation_context() -> tuple[frozenset[str], frozenset[str]]:
    abbr = word_forms().abbreviations
    return frozenset(abbr.anywhere), frozenset(abbr.need_company)


def _filter_abbreviations(text: str, toks: list[_Tok], mentions: list[_Mention]) -> None:
    """Two-letter abbreviations (and those listed as needing company in
    rules/word_forms.yaml) need context: parentheses or a neighbour of the
    same kind; those listed as read anywhere do not."""
    anywhere, need_company = _abbreviation_context()
    keep: list[_Mention] = []
    for m in mentions:
        raw = text[m.start : m.end]
        if m.first == m.last and raw.isupper() and raw not in anywhere and (len(raw) <= 2 or raw in need_company):
            # ("American Society of Anesthesiologists (ASA)": parentheses alone do not do for those listed)
            in_parens = raw not in need_company and (
                text[max(0, m.start - 2) : m.start].strip().endswith("(") or text[m.end : m.end + 2].strip().startswith(")"))
            neighbour = any(
                o is not m and o.kind == m.kind and abs(o.first - m.first) <= 6 and not (len(text[o.start : o.end]) <= 2)
                for o in mentions
            )
            if not (in_parens or neighbour):
                continue
        keep.append(m)
    mentions[:] = keep


def _apply_colon_lists(text: str, toks: list[_Tok], mentions: list[_Mention], clauses: list[tuple[int, int]], clause_of: Callable[[int], int]) -> None:
    """"Transplant patients: bone marrow, kidney, liver" -> the list replaces the head."""
    colon = text.find(":")
    while colon != -1:
        head = [m for m in mentions if m.end <= colon and not m.dropped and text[m.end : colon].count(";") == 0
                and "." not in text[m.end : colon]]
        # the colon introduces a list of the head's kind only right after it
        # ("Transplant patients:", "... associated with osteoporosis:"), not
        # after other words ("COPD stage III according to GOLD criteria: FEV1 ...")
        last_end = max((m.end for m in mentions if m.end <= colon), default=-1)
        if head and len(_WORD.findall(text[last_end:colon])) > 3:
            head = []
        after_end = len(text)
        semi = text.find(";", colon)
        if semi != -1:
            after_end = semi
        after = [m for m in mentions if colon < m.start < after_end and not m.dropped]
        new: list[_Mention] = []
        if head:
            head_words = [t.norm for m in head for t in toks[m.first : m.last + 1]]
            head_words = [w for w in head_words if w not in ("patients", "patient", "subjects", "history", "of")]
            covered = {t for m in mentions for t in range(m.first, m.last + 1)}
            items = [(s.start() + colon + 1, s.end() + colon + 1) for s in re.finditer(r"[^,;]+", text[colon + 1 : after_end])]
            for a, b in items:
                idx = [i for i, t in enumerate(toks) if a <= t.start and t.end <= b and i not in covered]
                idx = [i for i in idx if toks[i].norm not in ("and", "or", "etc")]
                if not idx or len(idx) > 4:
                    continue
                words = tuple(toks[i].norm for i in idx)
                for w in head_words:
                    entry = _lookup((*words, w))
                    if entry and entry.kind != "stop":
                        new.append(_Mention(entry.kind, entry.value, idx[0], idx[-1], toks[idx[0]].start, toks[idx[-1]].end))
                        break
        if head and (after or new) and (len(after) + len(new) >= 2 or new):
            for m in head:
                m.dropped = True
        mentions.extend(new)
        mentions.sort(key=lambda m: m.start)
        colon = text.find(":", colon + 1)


def _trigger_at(trigs: list[tuple[int, int, str, str]], category: str) -> list[tuple[int, int, str]]:
    return [(a, b, v) for a, b, c, v in trigs if c == category]


def _apply_exceptions_and_examples(
    text: str, toks: list[_Tok], live: list[_Mention], trigs: list[tuple[int, int, str, str]],
    depth: list[int], clauses: list[tuple[int, int]], clause_of: Callable[[int], int],
) -> None:
    k = _knowledge()
    clause_idx = clause_of  # callable
    assert callable(clause_idx)

    def region_end(pos: int) -> int:
        return _region_end(text, depth, clauses, clause_idx, pos)

    def head_before(pos: int, kinds: tuple[str, ...] | None = None) -> _Mention | None:
        c_start = clauses[clause_idx(pos)][0]
        cands = [m for m in live if m.end <= pos and m.start >= c_start and not m.dropped
                 and (kinds is None or m.kind in kinds)]
        return cands[-1] if cands else None

    # exceptions introduced by a trigger before them
    for a, b, _ in _trigger_at(trigs, "exception"):
        pos = toks[a].start
        phrase = " ".join(t.norm for t in toks[a : b + 1])
        if phrase in _after_exceptions():
            if depth[pos] == 0:
                if not phrase.endswith(("are excluded", "is excluded")) or "not" in phrase:
                    _permit(k, text, live, clauses[clause_idx(pos)][0], pos, (pos, toks[b].end))
                    _drop_permission_terms(text, live, clauses[clause_idx(pos)][0], pos, toks[b].end, region_end(pos))
                    if re.match(r"\s*:", text[toks[b].end :]) and re.search(
                            r"\bfollowing(?:\s+\w+)?\s+$", text[clauses[clause_idx(pos)][0] : pos], re.IGNORECASE):
                        # "The following are not exclusionary: vitiligo, childhood asthma"
                        colon = text.index(":", toks[b].end)
                        for m in live:
                            if m.start > colon and not m.dropped:
                                m.dropped = True
                continue
            # "(X and Y are excluded)": the parenthesis' mentions are the exceptions
            open_at = text.rfind("(", 0, pos)
            inside = [m for m in live if open_at < m.start < pos and not m.dropped]
            target = head_before(open_at)
            if target is None or not inside:
                continue
            _carve(k, text, target, inside, (pos, toks[b].end))
            continue
        end = region_end(pos)
        inside = [m for m in live if toks[b].end <= m.start < end and not m.dropped]
        target = head_before(pos)
        if target is None and inside and phrase in _across_sentences():
            # "Use of NSAIDs. This does not include low dose aspirin": the sentence before names what is carved
            earlier = [m for m in live if m.end <= pos and not m.dropped and m.kind == inside[0].kind]
            target = earlier[-1] if earlier else None
        if target is None:
            # a lab limit's subgroup ("<= 1.5 x ULN (except subjects with Gilbert's ...)") stays for the subgroup step
            if phrase != "unless" and not _LIMIT.search(text, 0, pos):
                # "Except for serious complications (...)" with nothing before it to
                # carve from (its rule is another line's): no requirement, a clinician applies it
                for m in inside:
                    if m.kind in ("condition", "medication", "procedure") and not m.generic:
                        m.generic, m.manual_category = True, "other"
                        m.reason = (f"'{' '.join(text[m.start : m.end].split())}' is an exception to a rule this "
                                    "line does not name: a clinician applies it")
            continue
        if inside:
            _carve(k, text, target, inside, (pos, toks[b].end))
        else:
            tail = _tokenize(text[toks[b].end : end])
            cats = {v for _, _, c, v in _find_triggers(tail) if c == "manual"}
            for category in ("contraception", "consent", "investigator_judgement", "trial_participation",
                             "compliance", "willingness", "other"):
                if category in cats:
                    c_start = clauses[clause_idx(pos)][0]
                    for m in live:
                        if c_start <= m.start and m.end <= pos and not m.dropped:
                            m.unless_manual = category
                    break

    # examples: "such as", "e.g.", "including", or a parenthesis right after a class
    example_starts: list[tuple[int, int]] = [(toks[b].end, region_end(toks[a].start)) for a, b, _ in _trigger_at(trigs, "example")]
    for m in live:
        lex = k.lexicons.get(m.kind)
        if lex is None or m.dropped:
            continue
        concept = lex.get(m.value)
        if concept is None or not concept.is_class:
            continue
        rest = text[m.end : m.end + 40]
        par = re.match(r"^[^()\[\].;,:]{0,25}?[(\[]", rest)
        if par:
            open_at = m.end + par.end() - 1
            example_starts.append((open_at + 1, region_end(open_at + 1)))
    # the innermost first: "bone tumors (e.g., myeloma, osteosarcoma)" inside a
    # longer example list keeps its own examples
    for start, end in sorted(example_starts, reverse=True):
        inside = [m for m in live if start <= m.start < end and not m.dropped]
        if not inside:
            continue
        target = head_before(start)
        if target is None or target.kind not in ("condition", "medication", "procedure"):
            continue
        # the class must be next to its examples ("infection, including ...",
        # "cardiovascular conditions such as ..."), not somewhere earlier
        gap_words = [w.lower() for w in _WORD.findall(text[target.end : start])]
        # "X and other conditions, such as Y": Y exemplifies the other conditions, not X
        if len(gap_words) > 8 or {"and", "or", "other", "others"} & set(gap_words):
            continue
        # the examples are the list that follows the trigger; a mention after
        # the list ends ("..., or uncontrolled hypertension;") is not one
        examples = [inside[0]]
        in_parens = text[end : end + 1] in (")", "]", "}")
        for m in inside[1:]:
            if not (in_parens or _gap_is_list(text, toks, examples[-1], m)):
                break
            examples.append(m)
        for m in examples:
            if m is target or m.kind != target.kind:
                continue
            # an example never narrows its class: class OR example, which also
            # lets a record coded with the example match when the lexicon's
            # hierarchy does not place it under the class
            target.alternatives.append(m)
            m.dropped = True


@cache
def _across_sentences() -> frozenset[str]:
    """Exception phrases whose class is named in the sentence before ("Use
    of NSAIDs. This does not include low dose aspirin"): rules/triggers.yaml
    exception_across_sentences, normalized as triggers are."""
    return frozenset(" ".join(tokens(p)) for p in triggers().exception_across_sentences)


@cache
def _after_exceptions() -> frozenset[str]:
    """Exception phrases that follow what they carve out ("X are allowed"):
    rules/triggers.yaml exception_after, normalized as triggers are."""
    return frozenset(" ".join(tokens(p)) for p in triggers().exception_after)


_LIMIT = re.compile(r"[<>≤≥]|\bULN\b|\d\s*(?:x|×)\s", re.IGNORECASE)


@cache
def _permission_terms() -> re.Pattern[str]:
    """What grants a permission after "allowed" (rules/triggers.yaml
    context.permission), a few words on at most."""
    words = _alternation(triggers().context.permission, gap=r"\s+")
    return re.compile(rf"\W*(?:(?:\w+\s+){{0,3}}?)(?:{words})\b", re.IGNORECASE)


def _drop_permission_terms(text: str, live: list[_Mention], c_start: int, pos: int, after: int, end: int) -> None:
    """"Decitabine is allowed unless there was progression to AML", "cervical
    fusion is allowed as long as there are no neurologic deficits": the terms
    of a permission qualify what is allowed; they are no requirement of their
    own (their words stay visible as not understood). A period in them ("are
    eligible if at least 100 days post-transplant") is read: it is the washout.
    A permitted lab limit ("≤ 5 x ULN is acceptable if liver metastases are
    present") keeps its terms: they say whom the relaxed limit is for."""
    terms = _permission_terms().match(text, after)
    if terms is None or _LIMIT.search(text, c_start, pos):
        return
    for m in live:
        if terms.end() <= m.start < end and not m.dropped and not _HAS_UNIT.search(text, terms.end(), m.start):
            m.dropped = True


def _permit(k: _Knowledge, text: str, live: list[_Mention], c_start: int, pos: int, trigger: tuple[int, int]) -> None:
    """"Inactivated vaccines are allowed", "Prior adjuvant chemotherapy
    allowed": what a clause permits is no requirement. It is carved out of
    the concept named before the clause (the live vaccine of the sentence
    before), or else dropped: a permission excludes nobody."""
    inside = [m for m in live if c_start <= m.start < pos and not m.dropped]
    if not inside:
        return
    before = [m for m in live if m.end <= c_start and not m.dropped and m.kind == inside[0].kind]
    if before:
        _carve(k, text, before[-1], inside, trigger)
        return
    for m in inside:
        m.dropped = True


def _carve(k: _Knowledge, text: str, target: _Mention, inside: list[_Mention], trigger: tuple[int, int]) -> None:
    """Carve ``inside`` out of ``target``; the trigger's words ("except",
    "is allowed") go with the exception nearest to them."""
    if target.generic:
        # "comorbidities other than AF": the clinician's check reads its exceptions too
        target.end = max(target.end, max(m.end for m in inside))
        for m in inside:
            m.dropped = True
        return
    carved = [m for m in inside if m.kind == target.kind and m.kind in ("condition", "medication", "procedure")]
    lex = k.lexicons.get(target.kind)
    if lex is not None and target.value in lex:
        # "systemic corticosteroids ... inhaled steroids are allowed": carving the
        # class itself (or one above it) would leave nothing; the words that
        # narrow it (the route) are not read, so the permission is only dropped
        whole = [m for m in carved if m.value == target.value or (m.value in lex and lex.is_a(target.value, m.value))]
        for m in whole:
            m.dropped = True
        whole_ids = {id(m) for m in whole}
        carved = [m for m in carved if id(m) not in whole_ids]
        inside = [m for m in inside if id(m) not in whole_ids]
    for m in carved:
        m.carved = (m.start, m.end)
    if carved:
        near = carved[0] if trigger[1] <= carved[0].start else carved[-1]
        gap = text[trigger[1] : near.start] if trigger[1] <= near.start else text[near.end : trigger[0]]
        # only a trigger next to its exception ("except for", "... are allowed"); far words stay unread
        if len(_WORD.findall(gap)) <= 3:
            near.carved = (min(near.start, trigger[0]), max(near.end, trigger[1]))
    ids = {id(m) for m in carved}
    for m in inside:
        if id(m) in ids:
            target.exceptions.append(m)
        else:
            target.unless_rules.append(m)
        m.dropped = True


def _apply_negation(
    text: str, toks: list[_Tok], live: list[_Mention], trigs: list[tuple[int, int, str, str]],
    depth: list[int], clauses: list[tuple[int, int]], clause_of: Callable[[int], int], exclusion: bool = False,
) -> None:
    assert callable(clause_of)
    # "no evidence of infection with SARS-CoV-2": "with" names the infection, it ends no negation
    terms = sorted(toks[a].start for a, _, _ in _trigger_at(trigs, "term")
                   if not (toks[a].norm == "with" and a > 0 and toks[a - 1].norm in _context_words("infection_words")))
    exc = sorted(toks[a].start for a, _, _ in _trigger_at(trigs, "exception"))
    stops = sorted(terms + exc)
    term_spans = [(a, b) for a, b, _ in _trigger_at(trigs, "term")]
    for a, b, value in _trigger_at(trigs, "neg"):
        if any(ta < a <= tb for ta, tb in term_spans):
            continue  # the "without" of "with or without", the "not" of "whether or not": no negation
        if value == "post":
            before = [m for m in live if m.end <= toks[a].start and toks[a].start - m.end <= 3]
            if not before and toks[a].norm == "negative" and (a == 0 or text[toks[a - 1].end : toks[a].start] != "-"):
                # "Negative HIV test", "a negative hepatitis B surface antigen": the result of a test for it
                c = clause_of(toks[a].start)
                after = [m for m in live if m.start >= toks[b].end and clause_of(m.start) == c
                         and m.start - toks[b].end <= 40 and m.kind in ("condition", "pregnancy")]
                for m in after[:1]:
                    m.negated, m.negated_at = True, toks[a].start
                continue
            for m in before[-1:]:
                m.negated = True
                if toks[b].norm == "naive":
                    # "EGFR TKI treatment-naive": never treated with it, at any time
                    m.status, m.explicit_status = ("ever" if m.kind == "medication" else "history"), True
            continue
        phrase = " ".join(t.norm for t in toks[a : b + 1])
        if phrase == "non" and _read_non_prefix(text, toks, live, a, b, clauses[clause_of(toks[a].start)][1]):
            continue
        if (exclusion and (phrase.startswith("no ") or phrase == "no" or phrase.endswith("not have")
                           # "Must not be receiving CYP3A4 inhibitors" listed under exclusions
                           or (phrase.startswith("not") and a > 0 and toks[a - 1].norm in _MODALS))
                and all(t.norm in _context_words("subject_words") for t in toks[:a])):
            _exclusion_worded_as_no(toks, live, a, b, phrase, clause_of)
            continue
        start = toks[a].end
        # a negation inside parentheses ends with them: "postmenopausal (no menses for 12 months) or sterile"
        end = min([s for s in stops if s >= toks[b].end] + [_region_end(text, depth, clauses, clause_of, toks[a].start)])
        if phrase in _SHORT_NEGATIONS:
            # "not", "non", "nor" negate what is next to them, not the rest of the clause
            end = min(end, toks[min(len(toks) - 1, b + 3)].end)
        for m in live:
            if start <= m.start < end:
                m.negated = True
                # the nearest trigger before it (triggers come in text order)
                m.negated_at = max(m.negated_at or -1, toks[a].start)


@cache
def _other_than_heads() -> frozenset[str]:
    return frozenset(w.lower() for w in word_forms().other_than_heads)


def _read_non_prefix(text: str, toks: list[_Tok], live: list[_Mention], a: int, b: int, clause_end: int) -> bool:
    """"non-" before a mention: whether it was read here (else it negates
    what follows, as "non" does elsewhere). "non-insulin antidiabetic
    agents" carves insulin out of the class; "non-diabetic" negates diabetes;
    "non-dihydropyridines" is a class no lexicon names; "non-specific back
    pain", "non-healing wound, active peptic ulcer" negate nothing read."""
    if _carve_non_prefix(text, toks, live, a):
        return True
    if b + 1 >= len(toks) or text[toks[b].end : toks[b + 1].start] not in ("-", "‐", " "):
        return False
    joined = next((m for m in live if m.start == toks[b + 1].start), None)
    if joined is None:
        return True
    nxt = joined.last + 1
    if (joined.kind == "condition" and nxt < len(toks) and toks[nxt].norm in _other_than_heads()
            and not text[joined.end : toks[nxt].start].strip()):
        # "non-headache diseases": diseases other than headaches, a clinician's check; no headache is negated
        joined.end, joined.last = toks[nxt].end, nxt
        joined.generic, joined.lead = True, toks[a].start
        joined.reason = (f"'{' '.join(text[toks[a].start : joined.end].split())}': other diseases than the one "
                         "named; a clinician judges them")
        if (rel := _relative_clause(text, joined, live, clause_end)) is not None:
            _absorb(joined, rel.inside)  # "... that require supplemental oxygen": which ones, part of the check
        return True
    if joined.kind in ("medication", "procedure") and not joined.generic:
        joined.generic, joined.lead = True, toks[a].start
        joined.reason = (f"'{' '.join(text[toks[a].start : joined.end].split())}': a class the lexicon does "
                         "not name; a clinician judges it")
        return True
    joined.negated, joined.negated_at = True, toks[a].start
    return True


def _exclusion_worded_as_no(toks: list[_Tok], live: list[_Mention], a: int, b: int, phrase: str,
                            clause_of: Callable[[int], int]) -> None:
    """"No prior PARP inhibitor" listed under exclusions: an inclusion's
    wording of what excludes, not a second negation of it. Its words go with
    the first mention (so they count as read), and a status word inside the
    trigger ("no prior", "no history of") is that mention's status."""
    if any((m.lead if m.lead is not None else m.start) <= toks[a].start < m.end for m in live):
        return  # "Do not have": its words went with the mention under "do not have" already
    first = next((m for m in live if m.end > toks[b].end), None)
    if first is None or clause_of(first.start) != clause_of(toks[a].start):
        return
    first.lead = min(first.start, toks[a].start)
    if phrase.removeprefix("no ").strip() in _history_phrases():
        for m in live:
            if m.start >= first.start and clause_of(m.start) == clause_of(first.start) and not m.explicit_status:
                m.status, m.explicit_status = ("ever" if m.kind == "medication" else "history"), True


@cache
def _history_phrases() -> frozenset[str]:
    """The history status phrases of rules/triggers.yaml, normalized."""
    return frozenset(" ".join(tokens(p)) for p in triggers().status.history)


def _carve_non_prefix(text: str, toks: list[_Tok], live: list[_Mention], at: int) -> bool:
    """"non-statin lipid-lowering therapy", "non-insulin injectable
    antidiabetic agents": the class without the drug after "non-" (an
    exception of the class, not a negation of both). Whether it was read so."""
    if at + 1 >= len(toks) or text[toks[at].end : toks[at + 1].start] not in ("-", "‐"):
        return False
    drug = next((m for m in live if m.start == toks[at + 1].start and not m.dropped), None)
    if drug is None or drug.kind not in ("medication", "condition", "procedure"):
        return False
    head = next((m for m in live if m.start >= drug.end and not m.dropped), None)
    if head is None or head.kind != drug.kind or head.generic:
        return False
    # one noun phrase: at most two words and no list between ("non-insulin injectable antidiabetic agents")
    gap = text[drug.end : head.start]
    if len(_WORD.findall(gap)) > 2 or re.search(r"[,;:()/]|\b(?:or|and)\b", gap, re.IGNORECASE):
        return False
    lex = _knowledge().lexicons.get(drug.kind)
    if lex is None or drug.value not in lex or head.value not in lex or not lex.is_a(drug.value, head.value):
        return False
    drug.carved = (toks[at].start, drug.end)
    drug.dropped = True
    head.exceptions.append(drug)
    return True


def _region_end(text: str, depth: list[int], clauses: list[tuple[int, int]], clause_of: Callable[[int], int],
                pos: int) -> int:
    """End of the region a trigger at ``pos`` governs: its parenthesis or its clause."""
    c_end = clauses[clause_of(pos)][1]
    if depth[pos] > 0:
        d = depth[pos]
        for idx in range(pos, len(text)):
            if text[idx] in ")]}" and depth[idx] == d:
                return min(idx, c_end)
    return c_end


def _gap_is_list(text: str, toks: list[_Tok], left: _Mention, right: _Mention) -> bool:
    gap = text[left.end : right.start]
    if not gap.strip():
        return True
    if re.search(r"[;:.()\[\]]", gap.replace("e.g.", "").replace("i.e.", "")):
        return False
    words = [w.lower() for w in _WORD.findall(gap)]
    # a route opens an item too: "a GON injection or oral prednisone"
    return len(words) <= 5 and all(w in _GAP_WORDS or w in _status_words() or w in _ROUTE_WORDS for w in words)


@cache
def _status_words() -> frozenset[str]:
    """One-word status triggers ("symptomatic", "untreated") and severity
    qualifiers ("severe", "unstable"): a list item may start with one."""
    trig = triggers()
    words = [*trig.status.active, *trig.status.history, *trig.status.any, *language().severity]
    return frozenset(w.lower() for w in words if " " not in w)


def _group(text: str, toks: list[_Tok], live: list[_Mention], clauses: list[tuple[int, int]], clause_of: Callable[[int], int]) -> list[list[_Mention]]:
    assert callable(clause_of)
    groups: list[list[_Mention]] = []
    for m in live:
        if groups:
            prev = groups[-1][-1]
            if clause_of(prev.start) == clause_of(m.start) and prev.negated == m.negated and _gap_is_list(text, toks, prev, m):
                groups[-1].append(m)
                continue
        groups.append([m])
    return groups


def _apply_status(toks: list[_Tok], groups: list[list[_Mention]], trigs: list[tuple[int, int, str, str]]) -> None:
    status = [(toks[a].start, v) for a, _, v in _trigger_at(trigs, "status")]
    spans = _trigger_at(trigs, "medstatus")
    # "progressed on": the "on" inside it is no status of its own
    medstatus = [(toks[a].start, v) for a, b, v in spans if not any(a2 < a <= b2 for a2, b2, _ in spans)]
    for group in groups:
        g_start = group[0].start
        lookback = toks[max(0, group[0].first - 6)].start
        for m in group:
            if m.explicit_status:
                continue  # set with the words it was read with ("No prior PARP inhibitor" under exclusions)
            # a status word may open the name itself ("prior chemotherapy", "active tuberculosis")
            cands = [(p, v) for p, v in status if lookback <= p < m.start or p == m.start]
            cands = [(p, v) for p, v in cands if p >= g_start] or [(p, v) for p, v in cands if p < g_start]
            if m.kind == "condition":
                m.status = cands[-1][1] if cands else "any"
            elif m.kind == "medication":
                far = toks[max(0, group[0].first - 14)].start
                med = [(p, v) for p, v in medstatus if far <= p < m.start or p == m.start]
                m.status = med[-1][1] if med else "current"
                m.explicit_status = bool(med)


_WINDOW_ANCHOR = re.compile(
    r"\s*(?:(?:prior\s+to|before|preceding|of|after|following|from|since)\s+)?(?:the\s+)?"
    r"(?:(?:first|last|initial|final|planned|start\s+of|initiation\s+of)\s+)?"
    r"(?:(?:dose|doses|administration|infusion|injection)\s+of\s+)?(?:(?:the|study|trial|investigational|test)\s+)*"
    r"(?:(?:drug|drugs|medication|medications|treatment|therapy|product|vaccine|vaccination|intervention|agent)\s+)?"
    r"(?:administration|dosing|dose|infusion|injection|treatment|randomi[sz]ation|screening|enrol?lment|registration|"
    r"baseline|inclusion|study\s+entry|entry|initiation|consent|visit\s+1|day\s*1)\b", re.IGNORECASE)
_Found = tuple[int, int, str, Duration, str | None]  # (start, end, kind, period, unmeasured longer bound)


def window_spans(text: str) -> list[tuple[int, int]]:
    """Where the time windows of a text are ("within 30 days or 5
    half-lives, whichever is longer"), read as the concept extractor reads
    them; for extractors whose rules a window follows (a manual check of
    other trials' drugs)."""
    return [(start, end) for start, end, *_ in _find_windows(text)]


def _apply_windows(text: str, live: list[_Mention], clauses: list[tuple[int, int]], clause_of: Callable[[int], int],
                   exclusion: bool = False) -> None:
    assert callable(clause_of)
    found = _find_windows(text)
    if not found:
        return
    if exclusion:
        # "must be > 2 months from donor cell infusion" listed under exclusions:
        # what excludes is the infusion within 2 months, not its absence
        found = [(a, b, "within" if kind == "washout" else kind, dur, longer) for a, b, kind, dur, longer in found]
    _assign_windows(text, live, found, clause_of)


def _find_windows(text: str) -> list[_Found]:
    """The windows of a text in text order: (start, end, kind, period, unmeasured longer bound)."""
    k = _knowledge()
    found: list[_Found] = []
    if not _HAS_UNIT.search(text) or k.any_window is None:
        return found
    # lower-cased ASCII keeps every offset, and case-sensitive matching is
    # several times faster than IGNORECASE
    subject, any_window, windows = text, k.any_window, k.windows
    if k.windows_lower is not None and k.any_window_lower is not None and text.isascii():
        subject, any_window, windows = text.lower(), k.any_window_lower, k.windows_lower
    # where any window pattern matches: one scan, then each pattern is only
    # tried at those few places (most texts have none)
    starts: list[int] = []
    hit = any_window.search(subject)
    while hit is not None:
        starts.append(hit.start())
        hit = any_window.search(subject, hit.start() + 1)
    # patterns in the order of rules/triggers.yaml's kinds (see _knowledge): a
    # washout or "at least 4 weeks before" is read before the "4 weeks before" inside it
    matches = [(m, kind) for kind, regex in (windows if starts else ()) for m in _finditer_from(regex, subject, starts)]
    for m, kind in matches:
        if any(a < m.end() and m.start() < b for a, b, _, _, _ in found):
            continue
        open_at = text.rfind("(", 0, m.start())
        if (open_at != -1 and text.find(")", open_at) in (-1,)) or (open_at != -1 and text.find(")", open_at) > m.start()):
            close_at = text.find(")", open_at)
            inner = text[open_at + 1 : close_at if close_at != -1 else len(text)]
            if _INSTRUCTION.search(inner) or _PAREN_EXCEPTION.search(inner):
                continue
        groups = m.groupdict()
        dur = _duration(groups.get("n"), groups.get("unit") or "years")
        if dur is not None:
            found.append((m.start(), m.end(), kind, dur, None))
    found = _either_windows(text, found)
    # "within 30 days prior to the first study drug administration": the
    # trial's event the window counts from is part of the window's words
    found = [(a, (anchor.end() if (anchor := _WINDOW_ANCHOR.match(text, b)) is not None and kind != "duration" else b),
              kind, dur, longer) for a, b, kind, dur, longer in found]
    found.sort()
    return found


def _assign_windows(text: str, live: list[_Mention], found: list[_Found], clause_of: Callable[[int], int]) -> None:
    """Each window to the mentions it bounds: those right before it, or the next one(s)."""
    pending: list[tuple[int, int, str, Duration, str | None]] = []
    for start, end, kind, dur, or_longer in found:
        c = clause_of(start)
        before = [x for x in live if x.end <= start and clause_of(x.start) == c]
        # a mention that already has its window, or lies before an earlier window, is not this one's
        if not before or (before[-1].window is not None and kind != "duration"):
            pending.append((start, end, kind, dur, or_longer))
            continue
        targets = [before[-1]]
        for x in reversed(before[:-1]):
            gap = text[x.end : targets[-1].start]
            if re.search(r"[;:()]", gap) or re.search(
                r"\b(?:history|prior|previous|current|active|with|who|and\s+has|or\s+has)\b", gap, re.IGNORECASE
            ) or len(_WORD.findall(gap)) > 4 or x.window is not None:
                break
            targets.append(x)
        _set_window(text, targets, start, end, kind, dur, or_longer)
    for start, end, kind, dur, or_longer in pending:
        c = clause_of(start)
        after = [x for x in live if x.start >= end and clause_of(x.start) == c]
        if after and (after[0].window is None or kind == "duration"):
            targets = after[:1]
            if kind == "washout":
                # "≥ 2 weeks from prior chemotherapy, radiation therapy or major surgery": the whole list
                for x in after[1:]:
                    gap = text[targets[-1].end : x.start]
                    if re.search(r"[;:()]", gap) or len(_WORD.findall(gap)) > 2 or x.window is not None:
                        break
                    targets.append(x)
            _set_window(text, targets, start, end, kind, dur, or_longer)


@cache
def _either_regexes() -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """(the other bound after a window, a window whose unmeasured bound comes
    first): "30 days or 5 half-lives, whichever is longer", "within 5
    half-lives or 4 weeks (whichever is longer)"."""
    w = triggers().window
    if not w.longer_of:
        return None

    def words(phrases: list[str]) -> str:
        return _alternation(phrases, r"[\s-]*")  # "halflives", "half-lives", "half lives"

    pick = rf"(?P<pick>(?P<longer>{words(w.longer_of)})|{words(w.shorter_of or ['whichever is shorter'])})"
    unmeasured = rf"(?P<hl>{words(w.unmeasured)})" if w.unmeasured else r"(?P<hl>(?!))"
    n2, unit2 = _N.replace("?P<n>", "?P<n2>"), _UNIT.replace("?P<unit>", "?P<unit2>")
    of = r"(?:\s+(?:of|prior\s+to|before|since|preceding|after)\s+[^,;()]{1,50}?)?"
    after = re.compile(rf"{of}\s*,?\s*\(?\s*or\s+(?:within\s+|at\s+least\s+|for\s+)?{n2}\s*(?:{unit2}|{unmeasured})"
                       rf"{of}\s*[,(]?\s*\(?\s*{pick}\s*\)?", re.IGNORECASE)
    first = re.compile(rf"(?P<least>at\s+least\s+|more\s+than\s+|>=?\s*|≥\s*)?(?:within\s+)?(?:the\s+)?{n2}\s*{unmeasured}{of}"
                       rf"\s*,?\s*or\s+{_N}\s*{_UNIT}{of}\s*[,(]?\s*\(?\s*{pick}\s*\)?", re.IGNORECASE)
    return after, first


def _either_windows(text: str, found: list[_Found]) -> list[_Found]:
    """Windows with two bounds, one taken "whichever is longer": two periods
    give the longer (or shorter) one; a bound in half-lives stays beside the
    period as ``or_longer`` (the matcher cannot measure it)."""
    regexes = _either_regexes()
    if regexes is None or "whichever" not in text.lower():
        return found
    after, first = regexes
    out: list[_Found] = []
    for start, end, kind, dur, or_longer in found:
        m = after.match(text, end) if kind in ("within", "not_within", "washout") else None
        if m is not None:
            end = m.end()
            if m.group("hl"):
                or_longer = f"{m.group('n2')} {' '.join(m.group('hl').split())}"
            else:
                other = _duration(m.group("n2"), m.group("unit2"))
                if other is not None and (other.days() > dur.days()) == bool(m.group("longer")):
                    dur = other
        out.append((start, end, kind, dur, or_longer))
    for m in first.finditer(text):
        if any(a < m.end() and m.start() < b for a, b, *_ in out) or not m.group("longer"):
            continue
        dur2 = _duration(m.group("n"), m.group("unit"))
        if dur2 is not None and m.group("hl"):
            kind = "not_within" if m.group("least") else "within"
            out.append((m.start(), m.end(), kind, dur2, f"{m.group('n2')} {' '.join(m.group('hl').split())}"))
    return out


def _set_window(text: str, targets: list[_Mention], start: int, end: int, kind: str, dur: Duration,
                or_longer: str | None = None) -> None:
    phrase = text[start:end]
    for x in targets:
        if kind == "duration":
            if x.kind == "medication" and x.duration is None:
                x.duration = dur
                if x.status == "current" and not x.explicit_status:
                    x.status = "ever"
            continue
        if x.window is not None:
            continue
        if kind == "washout" and x.kind in ("medication", "procedure"):
            # "≥ 2 weeks from prior chemotherapy": none within the period, not a chemotherapy to have had
            x.window = Window(within=dur, text=phrase, or_longer=or_longer, span=(start, end))
            x.negated = True
            x.status = "window" if x.kind == "medication" else x.status
            continue
        x.window = (Window(within=dur, text=phrase, or_longer=or_longer, span=(start, end)) if kind == "within"
                    else Window(not_within=dur, text=phrase, or_longer=or_longer, span=(start, end)))
        if x.kind == "medication":
            x.status = "window"


def _apply_routes(toks: list[_Tok], live: list[_Mention]) -> None:
    k = _knowledge()
    lex = k.lexicons["medication"]
    for m in live:
        if m.kind != "medication":
            continue
        words = [t.norm for t in toks[max(0, m.first - 2) : m.last + 1]]
        route = None
        for w in words:
            if w in _ROUTE_WORDS:
                route = _ROUTE_WORDS[w]
        if route is None:
            concept = lex.get(m.value)
            if concept is not None and concept.is_class:
                route = lex.default_route(m.value)
        m.route = route


def _inherit(toks: list[_Tok], live: list[_Mention]) -> None:
    """Examples read with their class: "prior RANKL inhibitors (such as
    denosumab) within the past year" - the status, window and duration of the
    class hold for each example; a route word of the example's own wins."""
    for m in live:
        if not m.alternatives:
            continue
        _apply_routes(toks, m.alternatives)
        for alt in m.alternatives:
            alt.status, alt.explicit_status = m.status, m.explicit_status
            alt.window, alt.duration = m.window, m.duration
            if alt.route is None:
                alt.route = m.route
        _inherit(toks, m.alternatives)


# ---------------------------------------------------------------- building rules

def _codes(lex: Lexicon, concept_id: str) -> list[Code]:
    return [Code(system=system, code=code) for system, code in lex.codes(concept_id)]


def _leaf(text: str, offset: int, m: _Mention) -> Rule | None:
    k = _knowledge()
    start = m.start if m.lead is None else m.lead
    span = (offset + start, offset + m.end)
    snippet = text[start : m.end]
    if m.generic and m.kind == "pregnancy":
        return ManualRule(category="other", span=span, text=snippet, reason=m.reason, about=["condition"])
    if m.kind == "pregnancy":
        state = m.value if m.value in ("pregnant", "lactating", "childbearing_potential") else "pregnant"
        return PregnancyRule(state=state, span=span, text=snippet)  # type: ignore[arg-type]
    if m.kind == "smoking":
        return SmokingRule(status=m.value, span=span, text=snippet)  # type: ignore[arg-type]
    if m.generic:
        named = " ".join(snippet.split())
        if (lead := _generic_qualifiers().search(text, max(0, start - 60), start)) is not None:
            # "other uncontrolled serious medical condition": the qualifiers are the check's words too
            start = lead.start()
            span, snippet = (offset + start, span[1]), text[start : span[1] - offset]
        if (not m.allergens and m.window is not None and m.window.span is not None
                and 0 <= m.window.span[0] - m.end <= 3):
            # "investigational drugs within 30 days or 5 half-lives": the check names its window
            span, snippet = (span[0], offset + m.window.span[1]), text[start : m.window.span[1]]
        about = [m.kind] if m.kind in ("condition", "medication", "procedure") else []
        if m.names_drug and "medication" not in about:
            about.append("medication")
        if m.treatment and "procedure" not in about:
            about.append("procedure")  # "candidate for chemotherapy": the drug or the procedure
        if m.allergens:
            # "contraindication to aspirin": an allergy to it is one, the rest is a clinician's call
            manual = ManualRule(category="investigator_judgement", span=span, text=snippet, about=about,
                                reason=f"'{' '.join(snippet.split())}' other than a recorded allergy: a clinician judges it")
            return AnyOf(children=[*_allergy_leaves(text, offset, m, allergy_word=False), manual],
                         span=span, text=snippet)
        return ManualRule(category=_manual_ir_category(m.manual_category or "investigator_judgement"), span=span,
                          text=snippet, about=about,
                          reason=m.reason or f"'{named}' is too general for a medical record to decide: a clinician judges it")
    if m.allergens or m.manual_tail is not None:
        leaves = _allergy_leaves(text, offset, m, allergy_word=True)
        if m.kind == "condition" and m.label is None and m.value in word_forms().allergy.to_a_substance:
            # "hypersensitivity to penicillin, amoxicillin": the named allergy, then the others
            own = _leaf(text, offset, replace(m, allergens=[], end=m.word_end or m.end, manual_tail=None))
            if own is not None:
                leaves.insert(0, own)
        if m.manual_tail is not None:
            a, b = m.manual_tail
            leaves.append(ManualRule(category="other", span=(offset + a, offset + b), text=text[a:b],
                                     about=["medication"],
                                     reason=f"an allergy to '{text[a:b]}' is not in a medical record; ask the patient"))
        return leaves[0] if len(leaves) == 1 else _wrap_any(text, offset, leaves)
    lex = k.lexicons[m.kind]
    exceptions = list(dict.fromkeys(x.value for x in m.exceptions))
    exception_spans = list(dict.fromkeys((offset + a, offset + b) for a, b in (x.carved or (x.start, x.end)
                                                                                for x in m.exceptions)))
    common: dict[str, object]
    window = m.window
    if window is not None and window.span is not None:
        # the mention's window was read in this text's offsets; the rule's are the trial's
        window = window.model_copy(update={"span": (offset + window.span[0], offset + window.span[1])})
    if m.label is not None:
        # uncoded: no codes, the label is what the matcher looks for in a record's text
        common = {"concept": m.value, "label": m.label, "codes": [], "classes": ["imaging"] if m.imaging else [],
                  "exceptions": exceptions, "exception_spans": exception_spans, "window": window, "span": span,
                  "text": snippet}
    else:
        concept = lex.get(m.value)
        if concept is None:
            return None
        common = {
            "concept": concept.id,
            "label": concept.name,
            "codes": _codes(lex, concept.id),
            "classes": sorted(lex.ancestors(concept.id)),
            "exceptions": exceptions,
            "exception_spans": exception_spans,
            "window": window,
            "span": span,
            "text": snippet,
        }
    if m.kind == "condition":
        status = {"active": "active", "history": "history"}.get(m.status or "", "any")
        known = lex.get(m.value) if m.label is None else None
        if status == "any" and m.window is None and known is not None and known.episodic:
            status = "active"  # "Infection": one the patient has now (rules/conditions.yaml episodic)
        return ConditionRule(status=status, **common)  # type: ignore[arg-type]
    if m.kind == "medication":
        status = m.status if m.status in ("current", "ever", "window") else "current"
        if m.window is None and status == "window":
            status = "current"
        return MedicationRule(status=status, min_duration=m.duration, route=m.route, **common)  # type: ignore[arg-type]
    return ProcedureRule(**common)  # type: ignore[arg-type]


def _allergy_leaves(text: str, offset: int, m: _Mention, allergy_word: bool) -> list[Rule]:
    """One allergy leaf per drug ("allergy to clopidogrel"), with the drug's
    codes and classes; its span is the drug's words, ``allergy_span`` the
    allergy word's (none where the word is a contraindication)."""
    med = _knowledge().lexicons["medication"]
    status = {"active": "active", "history": "history"}.get(m.status or "", "any")
    word_end = m.word_end if m.word_end is not None else m.end
    allergy_span = (offset + m.start, offset + word_end) if allergy_word else None
    out: list[Rule] = []
    substances = _substance_table()[1]
    for drug in m.allergens:
        concept = med.get(drug.value) if drug.label is None else None
        if concept is not None:
            substance, name = concept.id, concept.name
            codes, classes = _codes(med, concept.id), sorted(med.ancestors(concept.id))
        else:
            substance, name, codes, classes = drug.value, drug.label or drug.value, [], []
            listed = substances.get(normalize(name))
            if listed is not None and listed.id == drug.value:
                codes = [Code(system="snomed", code=c) for c in listed.snomed]
        out.append(AllergyRule(substance=substance, label=name, codes=codes, classes=classes,
                               status=status, span=(offset + drug.start, offset + drug.end),  # type: ignore[arg-type]
                               text=text[drug.start : drug.end], allergy_span=allergy_span))
    return out


def _key(rule: Rule) -> tuple[object, ...]:
    """What a rule says, without where it says it (spans and texts, also of
    its windows): equal keys are the same requirement said twice. Built from
    the objects, not a dump: this runs for every leaf and group."""
    if isinstance(rule, AllOf | AnyOf):
        return (rule.kind, tuple(_key(c) for c in rule.children))
    if isinstance(rule, Not):
        return ("not", _key(rule.child))
    items: list[tuple[str, object]] = []
    for name, value in rule.__dict__.items():
        if name in ("span", "text"):
            continue
        if isinstance(value, Window):
            value = (_plain(value.within), _plain(value.not_within))
        elif isinstance(value, list):
            value = tuple(x if isinstance(x, str) else _plain(x) for x in value)
        elif not isinstance(value, str | int | float | bool | None):
            value = _plain(value)
        items.append((name, value))
    return (type(rule).__name__, tuple(items))


def _plain(value: object) -> object:
    """A small model (Code, Duration) as a tuple of its values."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    fields = getattr(value, "__dict__", None)
    return tuple(fields.values()) if fields is not None else repr(value)


def _span_of(rules: Sequence[Rule]) -> tuple[int, int]:
    spans = [r.span for r in rules if r.span is not None]
    spans += [r.allergy_span for r in rules if isinstance(r, AllergyRule) and r.allergy_span is not None]
    return (min(s[0] for s in spans), max(s[1] for s in spans))


def _wrap_any(text: str, offset: int, rules: list[Rule]) -> Rule:
    a, b = _span_of(rules)
    return AnyOf(children=rules, span=(a, b), text=text[a - offset : b - offset])


def _wrap_all(text: str, offset: int, rules: list[Rule]) -> Rule:
    a, b = _span_of(rules)
    return AllOf(children=rules, span=(a, b), text=text[a - offset : b - offset])


def _with_causes(text: str, offset: int, m: _Mention, rule: Rule) -> Rule:
    """"X due to Y" -> AllOf(X, Y, manual: is Y the cause?); "X not caused by
    Y" -> AllOf(X, Not(AllOf(Y, manual))). A record has X and Y or not; that
    one caused the other, a clinician says."""
    if m.cause_span is None or not (m.causes or m.cause_alone):
        return rule
    a, b = m.cause_span
    phrase = " ".join(text[a:b].split())
    if m.cause_alone:
        manual = ManualRule(category="investigator_judgement", span=(offset + a, offset + b), text=text[a:b],
                            reason=f"'{phrase} {' '.join(text[m.start : m.end].split())}': whether it is the cause is for a clinician")
        inner = _wrap_all(text, offset, [rule, manual])
        return Not(child=inner, span=inner.span, text=inner.text) if m.cause_negated else inner
    cause_rules: list[Rule] = []
    seen: set[tuple[object, ...]] = set()
    for c in m.causes:
        leaf = _leaf(text, offset, c)
        if leaf is not None and _key(leaf) not in seen:
            seen.add(_key(leaf))
            cause_rules.append(leaf)
    if not cause_rules:
        return rule
    cause = cause_rules[0] if len(cause_rules) == 1 else _wrap_any(text, offset, cause_rules)
    lo = min(m.start, *(c.start for c in m.causes))
    hi = max(m.end, *(c.end for c in m.causes))
    manual = ManualRule(category="investigator_judgement", span=(offset + a, offset + b), text=text[a:b],
                        reason=f"'{' '.join(text[lo:hi].split())}': whether {cause.text} is the cause is for a clinician")
    inner = _wrap_all(text, offset, [cause, manual])
    if m.cause_negated:
        inner = Not(child=inner, span=inner.span, text=inner.text)
    return _wrap_all(text, offset, [rule, inner])


def _with_site(text: str, offset: int, m: _Mention, rule: Rule) -> Rule:
    """"Infection at the puncture site": the finding, and a clinician's check
    of where it is (no infection is no infection there), or what a surgery
    was for ("surgery to treat cluster headache")."""
    if m.site is None:
        return rule
    a, b = m.site
    words = " ".join(text[min(a, m.start) : max(b, m.end)].split())
    check = ManualRule(category="investigator_judgement", span=(offset + a, offset + b), text=text[a:b],
                       reason=f"'{words}': a site, purpose or qualifier the record does not code; a clinician checks it")
    purposes = [leaf for p in m.purpose if (leaf := _leaf(text, offset, p)) is not None]
    return _wrap_all(text, offset, [rule, *purposes, check])


def _as_treatment(m: _Mention, leaf: Rule) -> Rule:
    """A drug named as a treatment: the medication or a procedure of that name,
    ``AnyOf(medication, procedure)`` over one span (the procedure is uncoded,
    matched by its words)."""
    if not m.treatment or not isinstance(leaf, MedicationRule) or leaf.text is None:
        return leaf
    # "antiretroviral therapy (ART)": the abbreviation is not part of the procedure's name
    words = tokens(re.sub(r"\s*\([^)]*\)\s*$", "", leaf.text))
    treatment_words = _treatment_words()
    if leaf.label and not m.treatment_word and not (words and (words[-1] in treatment_words or words[-1].endswith(("therapy", "therapies")))):
        words = tokens(leaf.label)  # "ART": the treatment its concept is named for
    # "prior chemotherapy": the status word is not part of the procedure's name
    while len(words) > 1 and (words[0] in _status_words() or words[0] in _GAP_WORDS):
        words = words[1:]
    if m.treatment_word and m.treatment_word not in words:
        words.append(m.treatment_word)
    label = " ".join(words)
    procedure = ProcedureRule(concept=_uncoded_id(label), label=label, classes=[DRUG_TREATMENT], window=leaf.window,
                              span=leaf.span, text=leaf.text)
    return AnyOf(children=[leaf, procedure], span=leaf.span, text=leaf.text)


def _with_alternatives(text: str, offset: int, m: _Mention, leaf: Rule) -> Rule:
    """A class and its examples: ``AnyOf(class, example, ...)``."""
    if not m.alternatives:
        return leaf
    options = [leaf]
    seen = {_key(leaf)}
    for alt in m.alternatives:
        rule = _leaf(text, offset, alt)
        if rule is not None:
            rule = _with_alternatives(text, offset, alt, _as_treatment(alt, rule))
        if rule is None or _key(rule) in seen:
            continue
        seen.add(_key(rule))
        options.append(rule)
    return leaf if len(options) == 1 else _wrap_any(text, offset, options)


def _with_unless(text: str, offset: int, m: _Mention, rule: Rule, *, manual: bool = True, rules: bool = True) -> Rule:
    extra: list[Rule] = []
    for u in m.unless_rules if rules else []:
        leaf = _leaf(text, offset, u)
        if leaf is not None:
            extra.append(Not(child=leaf, span=leaf.span, text=leaf.text))
    if m.unless_manual and manual:
        extra.append(Not(child=ManualRule(category=_manual_ir_category(m.unless_manual), reason="unless " + m.unless_manual,
                                          span=rule.span, text=rule.text), span=rule.span, text=rule.text))
    if not extra:
        return rule
    return _wrap_all(text, offset, [rule, *extra])


def _manual_ir_category(category: str) -> Literal[
    "consent", "willingness", "investigator_judgement", "compliance", "contraception", "trial_participation", "other"
]:
    if category in ("consent", "willingness", "investigator_judgement", "compliance", "contraception", "trial_participation"):
        return category  # type: ignore[return-value]
    return "other"


def _build_group(text: str, offset: int, group: list[_Mention], exclusion: bool) -> Rule | None:
    leaves: list[Rule] = []
    seen: set[tuple[object, ...]] = set()
    for m in group:
        leaf = _leaf(text, offset, m)
        if leaf is None:
            continue
        if len(group) > 1:
            key = _key(leaf)
            if key in seen:
                # "bleeding tendency or coagulopathy": one requirement said twice;
                # next to each other, the one leaf spans both names
                last = leaves[-1] if leaves else None
                if last is not None and _key(last) == key and last.span is not None and leaf.span is not None:
                    a, b = last.span[0], leaf.span[1]
                    leaves[-1] = last.model_copy(update={"span": (a, b), "text": text[a - offset : b - offset]})
                    continue
                # apart ("diabetes, asthma or diabetes mellitus"): kept, so its words count as understood
            seen.add(key)
        rule = _with_site(text, offset, m, _with_causes(text, offset, m, _with_alternatives(text, offset, m, _as_treatment(m, leaf))))
        leaves.append(_with_unless(text, offset, m, rule, manual=False))
    if not leaves:
        return None
    unless = next((m for m in group if m.unless_manual), None)
    gaps = " ".join(text[group[i].end : group[i + 1].start].lower() for i in range(len(group) - 1))
    gap_words = set(_WORD.findall(gaps))
    is_or = bool(gap_words & _OR_WORDS) or "/" in gaps
    preg = [r for r in leaves if isinstance(r, PregnancyRule) and r.state in ("pregnant", "lactating")]
    # (both states, each a leaf of its own: one wrapped in a group stays as it is)
    if {"pregnant", "lactating"} <= {r.state for r in preg} and is_or:
        a, b = _span_of(preg)
        merged = PregnancyRule(state="pregnant_or_lactating", span=(a, b), text=text[a - offset : b - offset])
        leaves = [r for r in leaves if r not in preg]
        leaves.insert(0, merged)
    # "HER2-positive breast cancer": names with nothing between them qualify one
    # another, both hold (in an exclusion too)
    adjacent = len(group) > 1 and all(
        not text[group[i].end : group[i + 1].start].strip(" -") for i in range(len(group) - 1))
    if len(leaves) == 1:
        rule = leaves[0]
    elif adjacent:
        rule = _wrap_all(text, offset, leaves)
    elif is_or or exclusion or group[0].negated or "and" not in gap_words:
        rule = _wrap_any(text, offset, leaves)
    else:
        rule = _wrap_all(text, offset, leaves)
    if unless is not None:
        rule = _with_unless(text, offset, unless, rule, manual=True, rules=False)
    if group[0].negated:
        span = rule.span
        at = group[0].negated_at
        # a short trigger right before the list ("non-", "no") is part of the negation's words
        if span is not None and at is not None and 0 <= span[0] - offset - at <= 12:
            span = (offset + at, span[1])
        rule = Not(child=rule, span=span, text=text[span[0] - offset : span[1] - offset] if span else rule.text)
    return rule


def _debug_mentions(text: str) -> list[tuple[str, str, str]]:  # pragma: no cover - a developer's aid
    toks = _tokenize(text)
    return [(m.kind, m.value, text[m.start : m.end]) for m in _find_mentions(text, toks, False)]


_ = normalize  # re-exported for callers that normalise names the same way
