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
    r"disease[- ]specific|medical|clinical)"
)
_HEADER = re.compile(
    r"^\s*(?:[#*_>]+\s*)?(?:\d+(?:\.\d+)*\.?\s+|[IVX]+\.\s+)?"
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


def is_section_header(line: str) -> Section | None:
    found = match_section_header(line)
    return None if found is None else found[0]
