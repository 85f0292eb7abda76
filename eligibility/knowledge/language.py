"""Loaders for the trigger-phrase files the parser shares: phrases of manual
criteria (rules/manual.yaml) and filler words (rules/language.yaml)."""

from __future__ import annotations

import re
from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from eligibility.knowledge.paths import rules_file


class ManualPhrases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent: list[str]
    willingness: list[str]
    investigator_judgement: list[str]
    compliance: list[str]
    contraception: list[str]
    trial_participation: list[str]
    other: list[str]

    @field_validator("*")
    @classmethod
    def _non_empty(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not phrase.strip():
                raise ValueError("empty phrase")
        return phrases


class Language(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filler: list[str]


@cache
def manual_phrases() -> ManualPhrases:
    with rules_file("manual.yaml").open(encoding="utf-8") as fh:
        return ManualPhrases.model_validate(yaml.safe_load(fh))


@cache
def filler_words() -> frozenset[str]:
    with rules_file("language.yaml").open(encoding="utf-8") as fh:
        language = Language.model_validate(yaml.safe_load(fh))
    return frozenset(word.lower() for word in language.filler)


def phrase_pattern(phrase: str) -> str:
    """A regex for a phrase: words on boundaries, flexible spaces, ``*`` as
    any word ending, ``'`` matching the typographic apostrophe too."""
    words = []
    for word in phrase.split():
        tail = r"\w*" if word.endswith("*") else ""
        word = re.escape(word.rstrip("*")).replace("'", "['’]?")
        words.append(word + tail)
    return r"\b" + r"\s+".join(words) + r"(?!\w)"


@cache
def manual_regex() -> re.Pattern[str]:
    parts = []
    for category, phrases in manual_phrases().model_dump().items():
        alternatives = "|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
        parts.append(f"(?P<{category}>{alternatives})")
    return re.compile("|".join(parts), re.I)


@cache
def manual_prefilter() -> re.Pattern[str]:
    """One word of each manual phrase: a text with none of them needs no
    search with the full alternation, which is much slower."""
    firsts = set()
    for phrases in manual_phrases().model_dump().values():
        for phrase in phrases:
            # The longest word is the rarest: a phrase can only match where it is.
            word = max((w.rstrip("*") for w in phrase.split()), key=len)
            if "'" in word:
                word = word.split("'")[0]
            firsts.add(re.escape(word))
    return re.compile(r"\b(?:" + "|".join(sorted(firsts, key=len, reverse=True)) + ")", re.I)
