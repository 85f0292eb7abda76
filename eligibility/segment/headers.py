"""Section headers of eligibility text, in every spelling registries use.

"Inclusion Criteria:", "Key inclusion criteria", "INCLUSION CRITERIA",
"Exclusion criteria", "Criteria for exclusion", "Main Exclusion Criteria :",
"Inclusion:", "## Exclusion Criteria", "Exclusion Criteria: none" ...
"""

from __future__ import annotations

import re

from eligibility.ir.model import Section

_QUALIFIERS = (
    r"(?:key|main|major|primary|principal|general|specific|additional|other|further|secondary|"
    r"patient|patients'?|subject|subjects'?|participant|participants'?|donor|recipient|study|"
    r"disease[- ]specific|medical|clinical|clinic|individual|family|list\s+of|"
    r"(?:pre|intra|post)[- ]?operative|radiological|surgical)"
)
_HEADER = re.compile(
    r"^\s*(?:[#*_>•·▪◦‣⁃–—●○■□➢►-]+\s*)?(?:\d+(?:\.\d+)*\.?\s+|[IVX]+\.\s+)?"
    rf"(?:{_QUALIFIERS}\s+){{0,2}}"
    r"(?P<kind>inclusion|exclusion|include|exclude|inclusionary|exclusionary)"
    r"(?:\s+(?:criteria|criterion|requirements?|conditions?))?"
    r"(?:\s*(?:for|in)\s+[^:]{1,60}?(?=\s*:))?"
    r"(?:\s*\([^)]{0,60}\))?"
    r"\s*(?:[-–]\s*[^:]{0,40}?(?=\s*:))?"
    r"\s*[*_]*\s*(?P<colon>:)?\s*[*_]*\s*(?P<rest>.*)$",
    re.I,
)
_REVERSED = re.compile(
    r"^\s*(?:[#*_>]+\s*)?criteria\s+(?:for|of)\s+(?P<kind>inclusion|exclusion)\s*(?P<colon>:)?\s*(?P<rest>.*)$",
    re.I,
)


def match_section_header(line: str) -> tuple[Section, int] | None:
    """The section a header line opens, and where its inline content starts
    (the line's length when the header stands alone)."""
    stripped = line.strip()
    if not stripped or len(stripped) > 200:
        return None
    # Both patterns need one of the section words, and every spelling of them
    # has "nclu" or "xclu" (letters re.I folds only from ASCII): most lines
    # are rejected here without trying the long pattern.
    lowered = stripped.lower()
    if "nclu" not in lowered and "xclu" not in lowered:
        return None
    m = _HEADER.match(line) or _REVERSED.match(line)
    if m is None:
        return None
    rest = m.group("rest")
    head_words = len(line[: m.start("rest")].split())
    if rest.strip():
        # Content after the header only when a colon separates it
        # ("Exclusion criteria: none"); otherwise it is a sentence that merely
        # starts with the word ("Inclusion of women ...").
        if not m.group("colon"):
            return None
    elif not m.group("colon") and head_words > 5:
        return None
    if not rest.strip() and not m.group("colon") and not re.search(
        r"criteria|criterion|requirements?|conditions?|^\s*(?:inclusion|exclusion)\s*$", stripped, re.I
    ):
        return None
    kind = m.group("kind").lower()
    section = Section.inclusion if kind.startswith("incl") else Section.exclusion
    return section, m.start("rest") if rest.strip() else len(line)


# A header run into the end of the line before it ("... study drug. Exclusion
# Criteria: 1. ..."): capitalised, and not named by the sentence ("as in the
# Inclusion Criteria", "other exclusion criteria may apply").
_GLUED = re.compile(
    rf"(?<=\S)\s*(?P<head>(?:(?i:{_QUALIFIERS})\s+)?(?P<kind>Inclusion|Exclusion|INCLUSION|EXCLUSION)\s+"
    r"(?:Criteria|CRITERIA|criteria)\s*(?::|$))"
)
_NAMING = re.compile(
    r"\b(?:the|these|those|this|its|all|any|other|of|in|on|from|with|as|per|see|to|for|by|under|meet|meets|meeting|met|fulfil+s?|"
    r"following|additional|specific|listed|above|below|same|protocol[- ]defined|and|or)\s*$",
    re.I,
)


_TITLE = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s+|[A-Z]\.\s+)?(?:(?:[A-Z0-9][\w'-]*|&|-|of|for|and),?\s*){1,5}$")


def find_glued_header(line: str) -> tuple[Section, int, int] | None:
    """A section header that starts inside ``line`` after some text: its
    section, and where the header starts and ends in the line."""
    # The pattern's section words are capitalised: "nclu" or "NCLU" ...
    # rejects most lines without lowercasing them.
    if not ("nclu" in line or "xclu" in line or "NCLU" in line or "XCLU" in line) or match_section_header(line) is not None:
        return None
    for m in _GLUED.finditer(line):
        before = line[: m.start("head")].rstrip()
        if not before or _NAMING.search(before) or before.endswith("/"):
            continue
        section = Section.inclusion if m.group("kind").lower().startswith("incl") else Section.exclusion
        if _TITLE.match(before):
            # "Maternal Inclusion Criteria:", "Step 1 Exclusion Criteria",
            # "12. Phase II Specific Inclusion Criteria:": the words name the
            # section, the whole line is the header.
            return section, len(line) - len(line.lstrip()), m.end("head")
        return section, m.start("head"), m.end("head")
    return None


def is_section_header(line: str) -> Section | None:
    found = match_section_header(line)
    return None if found is None else found[0]
