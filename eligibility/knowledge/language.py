"""Phrases the parser shares: manual criteria (the ``manual`` lists of
rules/triggers.yaml), filler words (rules/language.yaml) and word formation
(rules/word_forms.yaml)."""

from __future__ import annotations

import re
from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict

from eligibility.knowledge.concepts import triggers
from eligibility.knowledge.paths import rules_file


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filler: list[str]
    severity: list[str]


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


class _Allergy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    concepts: list[str]
    manual_objects: list[str]


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
    treatment_words: list[str]
    allergy: _Allergy


@cache
def word_forms() -> WordForms:
    with rules_file("word_forms.yaml").open(encoding="utf-8") as fh:
        return WordForms.model_validate(yaml.safe_load(fh))


def manual_phrases() -> dict[str, list[str]]:
    """The manual phrases by category: the ``manual`` lists of
    rules/triggers.yaml, which the concept extractor reads too."""
    return triggers().manual.model_dump()


@cache
def language() -> Language:
    with rules_file("language.yaml").open(encoding="utf-8") as fh:
        return Language.model_validate(yaml.safe_load(fh))


@cache
def filler_words() -> frozenset[str]:
    return frozenset(word.lower() for word in language().filler)


@cache
def severity_regex() -> re.Pattern[str]:
    """A severity qualifier (and up to two words) right before the end of the
    text: "severe", "uncontrolled severe", "clinically significant chronic"."""
    words = "|".join(phrase_pattern(p) for p in sorted(language().severity, key=len, reverse=True))
    return re.compile(rf"(?:{words})(?:\s+or\s+\w+)?\s+(?:\w+\s+){{0,2}}$", re.I)


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
