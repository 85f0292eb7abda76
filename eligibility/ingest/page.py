"""Plain text: bare criteria, or a whole trial page copied from a registry.

A page (like the seeds: MedPath, ClinicalTrials.gov-derived sites) holds much
besides the criteria. The eligibility text runs from the first inclusion or
exclusion header to the first line that belongs to the page's layout again
(a structured field, a section such as "Sponsors" or "Study & Design"). The
structured fields (minimum/maximum age, sex, healthy volunteers) are read from
anywhere in the page, labelled or, as some sites print them, as bare lines
("18 Years" / "50 Years" / "ALL" / "No") right after the criteria.
"""

from __future__ import annotations

import re

from eligibility.errors import InputError
from eligibility.ingest.escapes import unescape
from eligibility.ingest.source import TrialSource
from eligibility.segment.headers import is_section_header

NCT = re.compile(r"\bNCT\d{8}\b")
_AGE_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(Years?|Months?|Weeks?|Days?|Hours?)\s*$", re.I)
_SEX_VALUE = re.compile(r"^\s*(ALL|FEMALE|MALE|Female|Male|All|Both)\s*$")
_YES_NO = re.compile(r"^\s*(Yes|No)\s*$", re.I)

# Lines that mark the end of the eligibility section on registry pages.
_PAGE_SECTIONS = re.compile(
    r"^\s*(Study\s*&\s*Design|Study Design|Study Type|Minimum Eligible Age|Maximum Eligible Age|"
    r"Eligible Sex|Sexes? Eligible(?: for Study)?|Ages? Eligible(?: for Study)?|Accepts Healthy Volunteers|"
    r"Sponsors?|Collaborators|Responsible Party|Principal Investigators?|Investigators|Locations?|"
    r"Trial Locations|Contacts?(?: and Locations)?|Central Contacts|Outcome Measures|"
    r"Primary Outcome Measures?|Secondary Outcome Measures?|References|Publications|"
    r"More Information|Arms?(?: and| &&| &) Interventions|Study Plan|Countries|"
    r"Other Identifiers|Related Links|Sampling Method|Study Population|Healthy Volunteers)\s*:?\s*$",
    re.I,
)
_LABELLED = {
    "minimum_age": re.compile(r"^\s*(?:Minimum Eligible Age|Minimum Age)\s*:?\s*(.*)$", re.I),
    "maximum_age": re.compile(r"^\s*(?:Maximum Eligible Age|Maximum Age)\s*:?\s*(.*)$", re.I),
    "sex": re.compile(r"^\s*(?:Eligible Sex|Sexes Eligible(?: for Study)?|Sex|Gender)\s*:?\s*(.*)$", re.I),
    "healthy_volunteers": re.compile(r"^\s*(?:Accepts Healthy Volunteers|Healthy Volunteers)\s*:?\s*(.*)$", re.I),
}
_ELIGIBILITY_HEADING = re.compile(r"^\s*(?:Eligibility Criteria|Eligibility|Criteria)\s*:?\s*$", re.I)
# Signs of prose that is not a criteria list (abstracts, articles).
_ARTICLE_MARKERS = re.compile(
    r"^\s*(?:Background|Methods?|Results?|Conclusions?|Objectives?|Aims?|Abstract)\s*[:.]|Author\(s\)|\bdoi\b|◽",
    re.I | re.M,
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _next_value(lines: list[str], index: int) -> str | None:
    """The value of a label printed on its own line: the next non-blank line."""
    for line in lines[index + 1 : index + 4]:
        if line.strip():
            return line.strip()
    return None


def _read_fields(lines: list[str], end: int, fields: dict[str, str | None]) -> None:
    for i, line in enumerate(lines):
        for name, pattern in _LABELLED.items():
            m = pattern.match(line)
            if not m or fields.get(name):
                continue
            value = m.group(1).strip() or _next_value(lines, i)
            if value is None:
                continue
            if name == "sex" and not _SEX_VALUE.match(value):
                continue
            if name.endswith("_age") and not _AGE_VALUE.match(value) and value.upper() != "N/A":
                continue
            if name == "healthy_volunteers" and not _YES_NO.match(value):
                continue
            fields[name] = value
    # Some sites print the fields unlabelled right after the criteria:
    # "18 Years", "50 Years", "ALL", "No".
    tail = [line.strip() for line in lines[end : end + 6] if line.strip()]
    ages = []
    for value in tail:
        if _AGE_VALUE.match(value):
            ages.append(value)
        elif _SEX_VALUE.match(value) and not fields.get("sex"):
            fields["sex"] = value
        elif _YES_NO.match(value) and fields.get("healthy_volunteers") is None:
            fields["healthy_volunteers"] = value
        else:
            break
    if ages and not fields.get("minimum_age") and not fields.get("maximum_age"):
        fields["minimum_age"] = ages[0]
        if len(ages) > 1:
            fields["maximum_age"] = ages[1]


def _find_section(lines: list[str]) -> tuple[int, int] | None:
    start = None
    for i, line in enumerate(lines):
        if is_section_header(line) is not None:
            start = i
            break
    if start is None:
        return None
    # A heading "Eligibility Criteria" right before, and its blurb, stay out.
    end = len(lines)
    seen_body = False
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        if _PAGE_SECTIONS.match(line) or (seen_body and _is_field_value_line(lines, i)):
            end = i
            break
        seen_body = True
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def _is_field_value_line(lines: list[str], i: int) -> bool:
    """An unlabelled "18 Years" line followed by more field values."""
    if not _AGE_VALUE.match(lines[i]):
        return False
    following = [line.strip() for line in lines[i + 1 : i + 4] if line.strip()]
    return bool(following) and bool(_AGE_VALUE.match(following[0]) or _SEX_VALUE.match(following[0]))


def _title(lines: list[str]) -> str | None:
    for line in lines[:5]:
        s = line.strip()
        if s and s.lower() not in {"medpath"} and len(s) > 15:
            return s
    return None


def read_text(raw: str, source: str, stem: str) -> TrialSource:
    text = unescape(raw)
    if not text.strip():
        raise InputError(source, "the file is empty")
    lines = _lines(text)
    found = _find_section(lines)
    fields: dict[str, str | None] = {}
    nct = NCT.search(text)
    if found is None:
        # No header: bare criteria text, unless it reads like a page or an article.
        if len(_ARTICLE_MARKERS.findall(text)) >= 2 or nct is not None or len(text) > 20000:
            raise InputError(
                source,
                "no eligibility criteria found (no 'Inclusion Criteria' or 'Exclusion Criteria' section)",
            )
        return TrialSource(id=stem, text=text.strip("\n"), source=source)
    start, end = found
    _read_fields(lines, end, fields)
    body = "\n".join(lines[start:end])
    is_page = start > 0 or end < len(lines)
    hv = fields.get("healthy_volunteers")
    return TrialSource(
        id=nct.group(0) if nct else stem,
        text=body,
        source=source,
        title=_title(lines) if is_page else None,
        minimum_age=fields.get("minimum_age"),
        maximum_age=fields.get("maximum_age"),
        sex=fields.get("sex"),
        healthy_volunteers=None if hv is None else hv.strip().lower() == "yes",
    )
