"""Segmentation: sections, markers, wrapping, nesting, and nothing lost."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eligibility
from eligibility.ir.model import RuleSet, Section
from eligibility.segment.headers import is_section_header
from eligibility.segment.segmenter import segment
from tests.conftest import SHARED, TRIALS


def covered_everywhere(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Non-blank lines with a character outside every span."""
    marks = bytearray(len(text))
    for start, end in spans:
        marks[start:end] = b"\x01" * (end - start)
    missing = []
    pos = 0
    for line in text.split("\n"):
        for i, ch in enumerate(line):
            if not ch.isspace() and not marks[pos + i]:
                missing.append(line)
                break
        pos += len(line) + 1
    return missing


def all_spans(text: str) -> list[tuple[int, int]]:
    seg = segment(text)
    spans = [h.span for h in seg.headings]

    def visit(items: list) -> None:  # type: ignore[type-arg]
        for c in items:
            spans.append(c.span)
            visit(c.children)

    visit(seg.criteria)
    return spans


@pytest.mark.parametrize(
    "line",
    ["Inclusion Criteria:", "Key inclusion criteria", "INCLUSION CRITERIA", "Exclusion criteria",
     "Criteria for exclusion", "Main Exclusion Criteria :", "Exclusion:", "## Inclusion Criteria",
     "Exclusion Criteria - Step 1:", "Inclusion Criteria for Part 2 only:"],
)
def test_header_spellings(line: str) -> None:
    assert is_section_header(line) is not None


@pytest.mark.parametrize("line", ["Inclusion of women and minorities", "Patients with exclusion of X", "1. Inclusion criteria as above"])
def test_not_headers(line: str) -> None:
    assert is_section_header(line) is None


@pytest.mark.parametrize(
    "marker", ["1.", "1)", "2 .", "a.", "b .", "(i)", "( ii )", "①", "-", "*", "•"],
)
def test_markers(marker: str) -> None:
    text = f"Inclusion Criteria:\n{marker} Age 18 or older\n{marker} Diabetes\nExclusion Criteria:\n{marker} Pregnancy"
    seg = segment(text)
    texts = [(c.section, c.text) for c in seg.criteria]
    assert (Section.inclusion, "Age 18 or older") in texts
    assert (Section.exclusion, "Pregnancy") in texts


def test_hard_wrapped_lines_join() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "          -  Subject has a history of a moderate or severe sleep apnea (apnea-hypopnea\n"
        "             index [AHI] > 15), or narcolepsy.\n\n"
        "          -  Subject is at least 18 years of age.\n"
    )
    seg = segment(text)
    assert [c.text for c in seg.criteria] == [
        "Subject has a history of a moderate or severe sleep apnea (apnea-hypopnea index [AHI] > 15), or narcolepsy.",
        "Subject is at least 18 years of age.",
    ]


def test_indented_nesting() -> None:
    text = "Inclusion Criteria:\n* Adequate organ function:\n  * ANC >= 1500\n  * Platelets >= 100,000\n* Age >= 18"
    seg = segment(text)
    assert len(seg.criteria) == 2
    assert [c.text for c in seg.criteria[0].children] == ["ANC >= 1500", "Platelets >= 100,000"]
    assert seg.criteria[0].logic == "all_of"


def test_any_of_and_all_of_from_the_parent_line() -> None:
    text = "Inclusion Criteria:\n1. At least one of the following:\n* A\n* B\n2. All of the following:\n* C\n* D"
    seg = segment(text)
    assert [c.logic for c in seg.criteria] == ["any_of", "all_of"]


def test_exclusion_list_defaults_to_any_of() -> None:
    text = "Exclusion Criteria:\n1. Prior treatment with:\n* drug A\n* drug B"
    assert segment(text).criteria[0].logic == "any_of"


def test_preamble_is_a_heading_not_a_criterion() -> None:
    text = "Inclusion Criteria\n\nAll of the following criteria must be met for inclusion:\n\n1. Age over 18 years"
    seg = segment(text)
    assert [h.kind for h in seg.headings] == ["section", "preamble"]
    assert [c.text for c in seg.criteria] == ["Age over 18 years"]


def test_seed_003_nested_any_of_with_seven_children() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT06949137_page.txt")
    inc4 = next(c for c in rs.criteria if c.id == "inc-4")
    assert inc4.logic == "any_of"
    assert len(inc4.children) == 7
    assert inc4.children[3].text.startswith("Bone mineral density (BMD) T-score < -3.0")
    assert sum(c.section is Section.exclusion for c in rs.criteria) == 17


def test_seed_002_inline_roman_items_and_sublists() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT01745783_page.txt")
    inc1 = next(c for c in rs.criteria if c.id == "inc-1")
    assert inc1.logic == "any_of"
    assert [c.text[:20] for c in inc1.children[:3]] == [
        "At least one clinica", "At least two clinica", "At least one lesion ",
    ]
    labs = next(c for c in rs.criteria if c.id == "inc-2")
    assert [c.text for c in labs.children][:3] == ["Leukocytes ≥ 3000", "Neutrophils ≥ 1500", "Platelets ≥ 100,000"]
    assert sum(c.section is Section.exclusion for c in rs.criteria) == 11


def test_seed_000_sections() -> None:
    [rs] = eligibility.parse(TRIALS / "NCT02566655_medpath.txt")
    text_criteria = [c for c in rs.criteria if c.source == "text"]
    assert sum(c.section is Section.inclusion for c in text_criteria) == 3
    assert sum(c.section is Section.exclusion for c in text_criteria) == 12


def test_spans_point_into_the_text() -> None:
    for path in TRIALS.glob("NCT*"):
        for rs in eligibility.parse(path):
            for c in rs.walk():
                if c.span is None:
                    continue
                start, end = c.span
                assert " ".join(rs.trial.eligibility_text[start:end].split()).endswith(c.text)


def ruleset_spans(rs: RuleSet) -> list[tuple[int, int]]:
    return [c.span for c in rs.walk() if c.span] + [h.span for h in rs.headings]


def test_nothing_is_lost_in_the_samples() -> None:
    for path in TRIALS.glob("NCT*"):
        for rs in eligibility.parse(path):
            assert covered_everywhere(rs.trial.eligibility_text, ruleset_spans(rs)) == []


_LINE = st.one_of(
    st.sampled_from([
        "Inclusion Criteria:", "Exclusion Criteria", "  * Age >= 18 years", "1. Diabetes", "2 . HbA1c > 7%",
        "( ii ) foo ( iii ) bar", "① a ② b", "-", "   - wrapped item", "     continuation of text",
        "All of the following criteria must be met:", "PATIENT CHARACTERISTICS:", "b . letter item",
        "at least one of the following:", "", "   ", "• bullet", "Age", "o sub item",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=25))
def test_property_every_non_blank_line_is_in_some_span(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert covered_everywhere(text, all_spans(text)) == []


def _real_texts(limit: int) -> list[str]:
    path = SHARED / "data" / "ctgov" / "ctgov_studies_v2.jsonl"
    if not path.exists():
        return []
    out = []
    with path.open() as fh:
        for line in fh:
            text = json.loads(line).get("eligibility_criteria")
            if text:
                out.append(text)
            if len(out) >= limit:
                break
    return out


@pytest.mark.skipif(not (SHARED / "data" / "ctgov").exists(), reason="../shared/data is not beside this checkout")
def test_nothing_is_lost_in_real_registry_texts() -> None:
    from eligibility.ingest.escapes import unescape

    for raw in _real_texts(300):
        text = unescape(raw)
        assert covered_everywhere(text, all_spans(text)) == [], text[:200]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_real_texts(786) or ["Inclusion Criteria:\n* x"]), st.integers(min_value=0, max_value=2000))
def test_property_real_texts_cut_anywhere(raw: str, cut: int) -> None:
    text = raw[:cut]
    assert covered_everywhere(text, all_spans(text)) == []


def test_text_before_any_header_is_inclusion_one_line_each() -> None:
    seg = segment("Age over 18 years\nNo diabetes")
    assert [(c.section, c.text) for c in seg.criteria] == [
        (Section.inclusion, "Age over 18 years"), (Section.inclusion, "No diabetes"),
    ]


# -- alternatives: items that end in "or" ---------------------------------------------------------


def test_items_ending_in_or_are_alternatives() -> None:
    # NCT04728685
    text = (
        "Inclusion Criteria:\n\n"
        "* Age 18 to 80 years\n"
        "* Diminished Achillis/Hamstring tendon reflex, tested in the supine position or\n"
        "* Hyposthesia in any of the L4-S2 dermatome, or\n"
        "* Muscle weakness in any of the L4-S2 myotome.\n"
        "* Signed informed consent\n"
    )
    seg = segment(text)
    assert [c.id for c in seg.criteria] == ["inc-1", "inc-2-4", "inc-5"]
    group = seg.criteria[1]
    assert group.logic == "any_of" and group.rules == []
    assert [c.id for c in group.children] == ["inc-2", "inc-3", "inc-4"]
    assert [c.text for c in group.children] == [
        "Diminished Achillis/Hamstring tendon reflex, tested in the supine position or",
        "Hyposthesia in any of the L4-S2 dermatome, or",
        "Muscle weakness in any of the L4-S2 myotome.",
    ]
    assert group.span == (group.children[0].span[0], group.children[-1].span[1])  # type: ignore[index]
    assert group.text.startswith("Diminished") and group.text.endswith("myotome.")


def test_the_or_chain_ends_where_the_or_endings_end() -> None:
    text = "Inclusion Criteria:\n1. Age >= 18 years; or\n2. Emancipated minor;\n3. Diabetes; and\n4. HbA1c > 7%\n"
    seg = segment(text)
    assert [(c.id, c.logic, [k.text for k in c.children]) for c in seg.criteria] == [
        ("inc-1-2", "any_of", ["Age >= 18 years; or", "Emancipated minor;"]),
        ("inc-3", "all_of", []),
        ("inc-4", "all_of", []),
    ]


def test_and_or_ending_and_a_serial_list_that_ends_in_or() -> None:
    # "A, B, or C" closing a nested list: the "or" joins all three.
    text = (
        "Inclusion Criteria:\n"
        "1. Diagnosis of one of:\n"
        "   a. Multiple myeloma (MM),\n"
        "   b. Non-Hodgkin lymphoma (NHL), or\n"
        "   c. Hodgkin lymphoma\n"
        "2. Prior therapy:\n"
        "   a. chemotherapy and/or\n"
        "   b. radiotherapy\n"
        "   c. within 6 months\n"
    )
    seg = segment(text)
    first, second = seg.criteria
    assert first.logic == "any_of" and len(first.children) == 3
    assert second.logic == "all_of"
    [group, last] = second.children
    assert group.id == "inc-2.1-2" and group.logic == "any_of"
    assert [c.text for c in group.children] == ["chemotherapy and/or", "radiotherapy"]
    assert last.text == "within 6 months"


def test_a_nested_list_of_or_items_is_any_of() -> None:
    # NCT02650414
    text = (
        "Inclusion Criteria:\n\n"
        "1. Signed informed consent form must be obtained prior to any study procedure.\n"
        "2. Relapsed or refractory B-cell ALL:\n\n"
        "   1. 2nd or greater BM relapse OR\n"
        "   2. Any marrow relapse after allogeneic HSCT and ≥ 6 months from SCT at infusion OR\n"
        "   3. Any marrow relapse after CAR-modified T cell therapy\n"
        "3. Age 1-29 years.\n"
    )
    seg = segment(text)
    assert [c.id for c in seg.criteria] == ["inc-1", "inc-2", "inc-3"]
    assert seg.criteria[1].logic == "any_of"
    assert [c.id for c in seg.criteria[1].children] == ["inc-2.1", "inc-2.2", "inc-2.3"]


def test_or_items_after_a_lead_in_in_the_same_marker_style_are_its_children() -> None:
    # NCT06651385: the lead-in and its items share the "*" marker.
    text = (
        "Inclusion Criteria:\n\n"
        "* Obese: BMI ≥30 kg/m2\n"
        "* Poorly controlled asthma (defined as one or more of the following criteria:\n"
        "* Asthma Control Test Score ≤19, or\n"
        "* Use of rescue inhaler on average >2 uses/week for preceding month, or\n"
        "* ED/hospital visit or prednisone course for asthma in past six months\n"
        "* Ability and willingness to provide informed consent\n"
    )
    seg = segment(text)
    assert [c.id for c in seg.criteria] == ["inc-1", "inc-2", "inc-6"]
    asthma = seg.criteria[1]
    assert asthma.logic == "any_of"
    assert [c.id for c in asthma.children] == ["inc-3", "inc-4", "inc-5"]


def test_or_on_a_line_of_its_own_ends_the_item_before() -> None:
    text = "Inclusion Criteria:\n\n* Age ≥ 60 Years\n\nOR\n\n* Age ≥ 18 Years with relapsed disease\n"
    seg = segment(text)
    [group] = seg.criteria
    assert group.logic == "any_of"
    assert [c.text for c in group.children] == ["Age ≥ 60 Years OR", "Age ≥ 18 Years with relapsed disease"]
    assert seg.headings[1:] == []


def test_exclusion_items_ending_in_or_stay_side_by_side() -> None:
    # Either excludes already: a group would change nothing.
    text = "Exclusion Criteria:\n1. Pregnancy; or\n2. Breastfeeding\n"
    assert [c.id for c in segment(text).criteria] == ["exc-1", "exc-2"]


def test_or_items_under_an_all_of_exclusion_parent_are_grouped() -> None:
    text = "Exclusion Criteria:\n1. All of the following:\n   a. Age > 65; or\n   b. Frailty\n   c. Prior stroke\n"
    [parent] = segment(text).criteria
    assert parent.logic == "all_of"
    assert [(c.id, c.logic) for c in parent.children] == [("exc-1.1-2", "any_of"), ("exc-1.3", "all_of")]


_OR_ITEM = st.builds(
    lambda marker, words, ending: f"{marker} {words}{ending}",
    st.sampled_from(["*", "-", "1.", "2)", "a.", "  *", "    -", ""]),
    st.sampled_from(["Age >= 18 years", "Diabetes", "HbA1c > 7%", "Prior surgery", "OR", "or", "x"]),
    st.sampled_from(["", ";", "; or", ", or", " or", " OR", " and/or", "; and", ":", "."]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_OR_ITEM, st.sampled_from(["", "OR", "Inclusion Criteria:", "Exclusion Criteria:"])), max_size=20))
def test_property_or_lists_still_tile_the_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert covered_everywhere(text, all_spans(text)) == []
    ids = [c.id for c in _walk(segment(text).criteria)]
    assert len(ids) == len(set(ids))
    for c in _walk(segment(text).criteria):
        assert c.span is not None
        assert " ".join(text[c.span[0] : c.span[1]].split()).endswith(c.text)
        for child in c.children:
            # a group covers its children; a parent line precedes them
            assert child.span is not None and child.span[0] >= c.span[0]


def _walk(criteria: list) -> list:  # type: ignore[type-arg]
    out = []
    for c in criteria:
        out.append(c)
        out.extend(_walk(c.children))
    return out


def test_a_patient_meeting_only_the_second_alternative_is_eligible() -> None:
    from datetime import date

    from eligibility.matching.evaluate import match_patient
    from eligibility.patients.model import Coding, ConditionFact, Patient

    text = (
        "Inclusion Criteria:\n1. Type 2 diabetes mellitus; or\n2. Rheumatoid arthritis\n3. Age >= 18 years\n\n"
        "Exclusion Criteria:\n1. Pregnancy\n"
    )
    [rs] = eligibility.parse(text, text=True)
    group = next(c for c in rs.criteria if c.id == "inc-1-2")
    assert group.status.value == "structured" and group.rules == []
    assert [c.status.value for c in group.children] == ["structured", "structured"]
    assert group.children[0].unparsed == []  # the trailing "or" is no unread word
    ra = ConditionFact(resource_type="Condition", resource_id="c1", text="Rheumatoid arthritis",
                       codes=[Coding(system="snomed", code="69896004", display="Rheumatoid arthritis")],
                       onset=date(2010, 1, 1), clinical_status="active")
    as_of = date(2026, 1, 1)
    with_ra = match_patient(rs, Patient(id="ra", gender="female", birth_date=date(1960, 6, 1), conditions=[ra]), as_of)
    assert with_ra.verdict.value == "eligible"
    neither = match_patient(rs, Patient(id="none", gender="female", birth_date=date(1960, 6, 1)), as_of)
    assert neither.verdict.value == "ineligible" and neither.deciding == ["inc-1-2"]


# -- section headers run into an item, or spelled as a list item -----------------------------------------


def test_a_header_glued_inside_an_item_ends_it_and_switches_the_section() -> None:
    # NCT05508360
    text = (
        "Inclusion Criteria:\n\n"
        "* Patient has signed the approved Informed Consent Form.\n"
        "* All surgeries must be approved by the Medical Advisory Board (MAB) Exclusion Criteria:• Patient has less than 6 mm of disc height.\n"
        "* Patient has had prior lumbar spine surgery.\n"
    )
    seg = segment(text)
    assert [(c.id, c.text) for c in seg.criteria] == [
        ("inc-1", "Patient has signed the approved Informed Consent Form."),
        ("inc-2", "All surgeries must be approved by the Medical Advisory Board (MAB)"),
        ("exc-1", "Patient has less than 6 mm of disc height."),
        ("exc-2", "Patient has had prior lumbar spine surgery."),
    ]
    assert [h.text for h in seg.headings] == ["Inclusion Criteria:", "Exclusion Criteria:"]
    assert covered_everywhere(text, all_spans(text)) == []


def test_a_one_line_text_with_both_headers() -> None:
    text = "Inclusion Criteria: - Informed consent - Age 18 or over. Exclusion Criteria: 1. Prior therapy with X"
    seg = segment(text)
    assert [c.section for c in seg.criteria] == [Section.inclusion, Section.exclusion]
    assert seg.criteria[-1].text == "Prior therapy with X"


@pytest.mark.parametrize(
    "line",
    ["specifically allowed in the Inclusion Criteria", "Other protocol-defined inclusion/exclusion criteria may apply",
     "Patient meets the inclusion criteria for trial entry.", "Inclusion/Exclusion Criteria:",
     "antidepressants listed on Inclusion criteria"],
)
def test_sentences_that_name_the_criteria_are_no_headers(line: str) -> None:
    text = f"Inclusion Criteria:\n* {line}\n* Age over 18"
    seg = segment(text)
    assert [c.section for c in seg.criteria] == [Section.inclusion, Section.inclusion]


@pytest.mark.parametrize(
    "line", ["• Exclusion Criteria:", "List of exclusion criteria:", "Clinic Exclusion Criteria:", "Maternal Exclusion Criteria:",
             "Intraoperative exclusion criteria:", "Step 2 Exclusion Criteria"],
)
def test_headers_with_a_bullet_or_a_qualifier(line: str) -> None:
    text = f"Inclusion Criteria:\n* Age over 18\n\n{line}\n\n* Pregnancy"
    seg = segment(text)
    assert [(c.section, c.text) for c in seg.criteria] == [(Section.inclusion, "Age over 18"), (Section.exclusion, "Pregnancy")]
    assert [h.kind for h in seg.headings] == ["section", "section"]
