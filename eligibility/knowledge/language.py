"""Phrases the parser shares: manual criteria (the ``manual`` lists of
rules/triggers.yaml), filler words (rules/language.yaml) and word formation
(rules/word_forms.yaml)."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from eligibility.knowledge.concepts import triggers
from eligibility.knowledge.paths import load_yaml


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filler: list[str]
    severity: list[str]
    severity_after: list[str] = []
    topic_labels: list[str] = []


class _Suffixes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_length: int
    suffixes: list[str] = []
    stems: list[str] = []
    imaging: list[str] = []
    exclude: list[str] = []


class _Heads(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_modifiers: int
    heads: list[str]
    needs_modifier: list[str]
    not_modifiers: list[str]


class AllergenSubstance(BaseModel):
    """A substance other than a drug that criteria name as an allergen."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    names: list[str] = Field(min_length=1)
    snomed: list[str] = []


class _Allergy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    concepts: list[str]
    heads: list[str] = []
    joined_by: list[str] = []
    not_about: list[str] = []
    to_a_substance: list[str] = []
    manual_objects: list[str]
    substances: list[AllergenSubstance] = []
    between: list[str] = []


class _Abbreviations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anywhere: list[str] = []
    need_company: list[str] = []


class _KindHeads(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_modifiers: int
    heads: list[str]
    imaging: list[str] = []


class WordForms(BaseModel):
    """rules/word_forms.yaml: how words no lexicon names are still read."""

    model_config = ConfigDict(extra="forbid")

    condition_suffixes: _Suffixes
    drug_stems: _Suffixes
    procedure_suffixes: _Suffixes
    condition_heads: _Heads
    medication_heads: _KindHeads
    procedure_heads: _KindHeads
    generic_conditions: list[str]
    generic_medications: list[str]
    generic_medication_modified_by: list[str]
    treatment_words: list[str]
    allergy: _Allergy
    abbreviations: _Abbreviations = _Abbreviations()
    drug_named_for: list[str] = []
    drug_named_for_value: list[str] = []
    disease_named_for: list[str] = []
    test_results: list[str] = []
    vague_heads: list[str] = []
    other_than_heads: list[str] = []


@cache
def word_forms() -> WordForms:
    return WordForms.model_validate(load_yaml("word_forms.yaml"))


def manual_phrases() -> dict[str, list[str]]:
    """The manual phrases by category: the ``manual`` lists of
    rules/triggers.yaml, which the concept extractor reads too."""
    return triggers().manual.model_dump()


@cache
def language() -> Language:
    return Language.model_validate(load_yaml("language.yaml"))


@cache
def filler_words() -> frozenset[str]:
    return frozenset(word.lower() for word in language().filler)


@cache
def leftover_words() -> frozenset[str]:
    """Words that, left over alone, leave nothing unread: the filler and the
    topic labels of older registry texts (not modifiers of a name: "renal
    insufficiency" keeps its "renal")."""
    return filler_words() | frozenset(word.lower() for word in language().topic_labels)


@cache
def severity_regex() -> re.Pattern[str]:
    """A severity qualifier (and up to two words) right before the end of the
    text: "severe", "uncontrolled severe", "clinically significant chronic"."""
    words = "|".join(phrase_pattern(p) for p in sorted(language().severity, key=len, reverse=True))
    return re.compile(rf"(?:{words})(?:\s+or\s+\w+)?\s+(?:\w+(?:\s+|\s*/\s*)){{0,2}}$", re.I)


@cache
def severity_after_regex() -> re.Pattern[str]:
    """A severity qualifier said right after a condition ("that is not well
    controlled", "is still poorly controlled"), used with .match."""
    words = "|".join(phrase_pattern(p) for p in sorted(language().severity_after, key=len, reverse=True))
    return re.compile(rf"\s*,?\s*(?:(?:that|which)\s+)?(?:(?:is|are|remains?|was|were)\s+)?(?:still\s+)?(?:{words})",
                      re.I)


@cache
def severity_regex_folded() -> re.Pattern[str]:
    """severity_regex for lowercased ASCII text, case-sensitive (faster; see
    fold_case): the same alternatives in the same order."""
    words = "|".join(phrase_pattern(p.lower()) for p in sorted(language().severity, key=len, reverse=True))
    return re.compile(rf"(?:{words})(?:\s+or\s+\w+)?\s+(?:\w+(?:\s+|\s*/\s*)){{0,2}}$")


def phrase_pattern(phrase: str) -> str:
    """A regex for a phrase: words on boundaries, flexible spaces, ``'``
    matching the typographic apostrophe too."""
    words = [re.escape(word).replace("'", "['’]?") for word in phrase.split()]
    return r"\b" + r"\s+".join(words) + r"(?!\w)"


@cache
def manual_regex() -> re.Pattern[str]:
    parts = []
    for category, phrases in manual_phrases().items():
        alternatives = "|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
        parts.append(f"(?P<{category}>{alternatives})")
    return re.compile("|".join(parts), re.I)


@cache
def manual_prefilter() -> re.Pattern[str]:
    """One word of each manual phrase: a text with none of them needs no
    search with the full alternation, which is much slower."""
    firsts = set()
    for phrases in manual_phrases().values():
        for phrase in phrases:
            # The longest word is the rarest: a phrase can only match where it is.
            word = max(phrase.split(), key=len)
            if "'" in word:
                word = word.split("'")[0]
            firsts.add(re.escape(word))
    return re.compile(r"\b(?:" + "|".join(sorted(firsts, key=len, reverse=True)) + ")", re.I)


# -- the manual phrases over case-folded text -------------------------------------
#
# Python's re skips an alternative in one step when it starts with a plain
# literal, but not under re.I: there every one of the ~170 phrases is tried at
# every position. Matching the lowercased text case-sensitively, with the
# shared ``\b`` in front of the alternation, finds the same matches about 5x
# faster. It is exact only where lowercasing keeps every offset and where re.I
# would not fold a non-ASCII letter onto an ASCII one: İ (lowercases to two
# characters), dotless ı and long ſ (re.I matches them to i and s; lower()
# leaves them). Kelvin K lowercases to k, as re.I reads it.
_UNFOLDABLE = frozenset("\u0130\u0131\u017f")


def fold_case(text: str) -> str | None:
    """``text`` lowercased, when matching it case-sensitively against
    lowercase phrases equals matching ``text`` under re.I; else None."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text) or not _UNFOLDABLE.isdisjoint(text):
        return None
    return low


def _phrase_body(phrase: str) -> str:
    """phrase_pattern without its leading ``\\b``, for lowercase text."""
    return phrase_pattern(phrase.lower())[len(r"\b"):]


@cache
def manual_regex_folded() -> re.Pattern[str]:
    """manual_regex for fold_case(text): the same alternatives in the same
    order (so the same phrase wins at each position), case-sensitive."""
    parts = []
    for category, phrases in manual_phrases().items():
        alternatives = "|".join(_phrase_body(p) for p in sorted(phrases, key=len, reverse=True))
        parts.append(f"(?P<{category}>{alternatives})")
    return re.compile(r"\b(?:" + "|".join(parts) + ")")


@cache
def manual_prefilter_folded() -> re.Pattern[str]:
    """manual_prefilter for fold_case(text)."""
    return re.compile(manual_prefilter().pattern.lower())
