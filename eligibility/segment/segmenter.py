"""Split eligibility text into criteria, keeping every character's place.

The text is read line by line. A line is blank, a section header, a list item
(numbered or bulleted in any of the usual ways), or the continuation of the
item before it (registries hard-wrap at 80 columns). Items nest by
indentation where the text is indented, and by a change of marker style after
a line that ends with a colon where it is not ("4. ... at least one of the
following:" followed by "* ..." items). A nested list is any-of or all-of as
its parent line says; without a word about it, an inclusion list must hold as
a whole and an exclusion list excludes on any item.

Every non-blank character of the text ends inside the span of a criterion or
of a heading (section headers, preambles, topic lines), so nothing is lost.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from eligibility.ir.model import Criterion, Heading, Section
from eligibility.segment.headers import find_glued_header, match_section_header

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}

_MARKER = re.compile(
    r"(?P<paren>\(\s*(?P<pval>[ivxIVX]{1,4}|[a-zA-Z]|\d{1,2})\s*\))\s*"
    r"|(?P<circled>[" + _CIRCLED + r"])\s*"
    r"|(?P<num>\d{1,3})\s*(?P<ndelim>[.)])(?=\s|$)\s*"
    r"|(?P<roman>(?:i{1,3}|iv|vi{0,3}|ix|xi{0,2}|I{1,3}|IV|VI{0,3}|IX|XI{0,2}))\s*(?P<rdelim>[.)])(?=\s|$)\s*"
    r"|(?P<letter>[a-zA-Z])\s*(?P<ldelim>[.)])(?=\s|$)\s*"
    r"|(?P<bullet>[-*•·▪◦‣⁃–—●○■□➢►✓✔❖◆◇>+o])(?=\s|$)\s*"
)
_HAS_CIRCLED = re.compile("[" + _CIRCLED + "]")
_INLINE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[.;:,]))(?:\(\s*([ivxIVX]{1,4}|[a-zA-Z]|\d{1,2})\s*\)|([" + _CIRCLED + r"]))")

_ANY_OF = re.compile(
    r"\b(?:at\s+least\s+(?:one|1|two|2)(?:\s*\(\d\))?\s+(?:of|the\s+following)|any\s+(?:one\s+)?of|one\s+or\s+more|either"
    r"|one\s+of\s+the\s+following|or\s+more\s+of\s+the\s+following|(?:one|1)\s+of\s+(?:these|the)"
    r"|one\s+or\s+(?:a\s+)?combination\s+of|any\s+combination\s+of|one\s+or\s+both"
    # "at least one indicator of insulin resistance from the following list:"
    r"|at\s+least\s+(?:one|1)\s+(?:[\w-]+\s+){1,4}?(?:of|from)\s+(?:the\s+)?(?:following|below|list)\b)",
    re.I,
)
_ALL_OF = re.compile(
    r"\b(?:all\s+(?:of\s+)?the\s+following|each\s+of\s+the\s+following|both\s+of"
    r"|all\s+of\s+these|must\s+(?:meet|fulfil+|satisfy)\s+(?:all|each))",
    re.I,
)
# Says how many criteria follow, not how many must hold: "at least one of the
# following three criteria" is any-of, "the following two criteria" all-of.
_COUNTED = re.compile(r"\bfollowing\s+(?:two|three|four|\d)\s+criteria", re.I)
_PREAMBLE = re.compile(
    r"^(?:(?:all|each)\s+of\s+the\s+following|the\s+following|(?:patients?|subjects?|participants?|individuals?|"
    r"volunteers?|candidates?|women|men|children)\s+(?:must|should|will|who|are|may|that)|"
    r"(?:to\s+be\s+)?eligible|in\s+order\s+to\s+be|inclusion|exclusion|criteria|"
    r"(?:subjects?|patients?|participants?)\s+meeting|(?:any|none)\s+of\s+the\s+following)"
    r"[^.]{0,160}?(?:following|below|eligible|criteria|excluded|included|enrolled|study|trial)[^.:]{0,40}[:.]?$",
    re.I,
)
_TOPIC = re.compile(r"^[A-Z][A-Z0-9 ,/&()'-]{2,60}:$")
# An item that ends in "or" ("Age >= 18 years; or", "... and/or") offers the
# next item as an alternative.
_OR_END = re.compile(r"\b(?:and\s*/\s*)?or\s*[;,.:]*$", re.I)
_CONNECTIVE = re.compile(r"^(?:and\s*/\s*)?or\s*[;,.:]*$", re.I)


@dataclass
class _Item:
    kind: str | None  # marker style ("num.", "*", "(roman)", ...); None for a paragraph
    value: int | None
    indent: int
    start: int  # where the marker (or the text) begins
    content_start: int
    end: int
    section: Section
    children: list[_Item] = field(default_factory=list)
    parent: _Item | None = None

    def ends_with_colon(self, text: str) -> bool:
        return text[self.content_start : self.end].rstrip().endswith(":")


@dataclass
class Segmentation:
    criteria: list[Criterion]
    headings: list[Heading]


def _roman_value(token: str) -> int | None:
    return _ROMAN.get(token.lower())


def _classify(match: re.Match[str], stack_kinds: set[str]) -> tuple[str, int | None]:
    if match.group("paren"):
        token = match.group("pval")
        if token.isdigit():
            return "(num)", int(token)
        roman = _roman_value(token)
        if roman is not None and (token.lower() not in {"v", "x"} or "(roman)" in stack_kinds):
            return "(roman)", roman
        return "(letter)", ord(token.lower()) - 96
    if match.group("circled"):
        return "circled", _CIRCLED.index(match.group("circled")) + 1
    if match.group("num"):
        return "num" + match.group("ndelim"), int(match.group("num"))
    if match.group("roman"):
        token = match.group("roman")
        delim = match.group("rdelim")
        if len(token) == 1 and token.lower() in "vx" and f"roman{delim}" not in stack_kinds:
            return f"letter{delim}", ord(token.lower()) - 96
        if len(token) == 1 and token.lower() == "i" and f"letter{delim}" in stack_kinds:
            return f"letter{delim}", 9
        return f"roman{delim}", _roman_value(token)
    if match.group("letter"):
        return "letter" + match.group("ldelim"), ord(match.group("letter").lower()) - 96
    return "bullet" + match.group("bullet"), None


def _inline_splits(content: str, leading_kind: str | None, leading_value: int | None) -> list[int]:
    """Positions inside a line where an inline list continues ("( ii ) ...
    ( iii ) ...", "① ... ② ..."). Only a run of consecutive values splits, so
    a lone "(a)" in prose stays prose."""
    if "(" not in content and not _HAS_CIRCLED.search(content):
        return []  # every inline marker has one or the other: skip the slow scan
    occurrences: list[tuple[int, str, int]] = []
    for m in _INLINE.finditer(content):
        if m.group(2):
            occurrences.append((m.start(), "circled", _CIRCLED.index(m.group(2)) + 1))
            continue
        token = m.group(1)
        if token.isdigit():
            occurrences.append((m.start(), "(num)", int(token)))
        else:
            roman = _roman_value(token)
            if roman is not None:
                occurrences.append((m.start(), "(roman)", roman))
            if len(token) == 1:
                occurrences.append((m.start(), "(letter)", ord(token.lower()) - 96))
    splits: list[int] = []
    for kind in ("circled", "(roman)", "(letter)", "(num)"):
        found = [(pos, value) for pos, k, value in occurrences if k == kind and pos > 0]
        if not found:
            continue
        expected = leading_value + 1 if leading_kind == kind and leading_value is not None else found[0][1]
        run: list[int] = []
        for pos, value in found:
            if value == expected:
                run.append(pos)
                expected += 1
        if len(run) >= 2 or (run and leading_kind == kind):
            splits.extend(run)
    return sorted(set(splits))


def _logic(text: str, section: Section) -> str:
    if _ALL_OF.search(text):
        return "all_of"
    if _ANY_OF.search(text):
        return "any_of"
    if _COUNTED.search(text):
        return "all_of"
    return "all_of" if section is Section.inclusion else "any_of"


def _clean(text: str) -> str:
    return " ".join(text.split())


class _Builder:
    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset
        self.section = Section.inclusion
        self.roots: list[_Item] = []
        self.stack: list[_Item] = []
        self.headings: list[Heading] = []
        self.current: _Item | None = None
        self.after_blank = True
        self.pending_empty: _Item | None = None  # a marker alone on its line ("-")
        self.previous_line = ""

    # -- headings -------------------------------------------------------------
    def heading(self, kind: str, start: int, end: int) -> None:
        self.headings.append(
            Heading(kind=kind, text=_clean(self.text[start:end]), span=(start + self.offset, end + self.offset))  # type: ignore[arg-type]
        )

    def new_section(self, section: Section) -> None:
        self.section = section
        self.stack = []
        self.current = None
        self.flush_empty()

    def flush_empty(self) -> None:
        if self.pending_empty is not None:
            item = self.pending_empty
            self.pending_empty = None
            self.remove(item)
            self.heading("empty", item.start, item.end)

    def remove(self, item: _Item) -> None:
        siblings = item.parent.children if item.parent else self.roots
        if item in siblings:
            siblings.remove(item)
        if item in self.stack:
            self.stack = self.stack[: self.stack.index(item)]
        if self.current is item:
            self.current = self.stack[-1] if self.stack else None

    # -- items ----------------------------------------------------------------
    def place(self, item: _Item) -> None:
        stack = self.stack
        while stack and stack[-1].indent > item.indent + 1:
            stack.pop()
        parent: _Item | None = None
        if stack:
            top = stack[-1]
            if top.indent < item.indent - 1:
                parent = top
            elif top.kind == item.kind:
                stack.pop()
                parent = stack[-1] if stack else None
            else:
                same = [i for i, s in enumerate(stack) if s.kind == item.kind and abs(s.indent - item.indent) <= 1]
                if same:
                    del stack[same[-1] :]
                    parent = stack[-1] if stack else None
                elif top.ends_with_colon(self.text):
                    parent = top
                else:
                    stack.pop()
                    parent = stack[-1] if stack else None
        item.parent = parent
        (parent.children if parent else self.roots).append(item)
        stack.append(item)
        self.current = item

    def add_segment(self, start: int, end: int, indent: int, first_on_line: bool) -> None:
        content = self.text[start:end]
        stack_kinds = {s.kind for s in self.stack if s.kind}
        m = _MARKER.match(content)
        kind: str | None = None
        value: int | None = None
        content_start = start
        if m and m.end() > 0:
            kind, value = _classify(m, stack_kinds)
            content_start = start + m.end()
            if kind == "bulleto" and not content[m.end() :][:1].isalpha():
                kind, value, content_start = None, None, start
        if (self.current is not None and self.pending_empty is None and first_on_line
                and _CONNECTIVE.match(self.text[content_start:end].strip())):
            # "OR" on a line of its own joins the items around it: it ends
            # the item before, as if typed at its end.
            self.current.end = end
            return
        if kind is None:
            if self.pending_empty is not None and first_on_line:
                # "-" alone, then its text on the next line.
                self.pending_empty.end = end
                if self.pending_empty.content_start >= self.pending_empty.start:
                    self.pending_empty.content_start = start
                self.pending_empty = None
                return
            if self.current is not None and first_on_line and not self.after_blank and not self._starts_new_line(content):
                self.current.end = end
                return
            stripped = content.strip()
            if _TOPIC.match(stripped):
                self.heading("topic", start, end)
                self.current = None
                return
            if _PREAMBLE.match(stripped) and (stripped.endswith(":") or len(stripped) < 120):
                self.heading("preamble", start, end)
                self.current = None
                return
        self.flush_empty()
        item = _Item(kind, value, indent, start, content_start, end, self.section)
        self.place(item)
        if kind is not None and content_start >= end:
            self.pending_empty = item

    def _starts_new_line(self, content: str) -> bool:
        """A line without a marker right after another is a new criterion
        when the one before is short and complete (lists typed one per line)
        rather than hard-wrapped at the registry's column limit."""
        previous = self.previous_line.rstrip()
        if len(previous) >= 60 or not previous:
            return False
        if not (content[:1].isupper() or content[:1].isdigit()):
            return False
        return not re.search(r"(?:[,(/&-]|\b(?:and|or|of|with|without|to|the|a|an|in|for|by|than|at|on))$", previous, re.I)

    def add_line(self, start: int, end: int) -> None:
        line = self.text[start:end]
        stripped_start = start + (len(line) - len(line.lstrip()))
        stripped_end = start + len(line.rstrip())
        if stripped_start >= stripped_end:
            self.after_blank = True
            return
        indent = stripped_start - start
        header = match_section_header(line)
        if header is not None:
            section, rest = header
            self.new_section(section)
            rest_abs = start + rest
            head_end = start + len(line[:rest].rstrip())
            self.heading("section", stripped_start, head_end)
            self.after_blank = True
            if rest_abs < stripped_end:
                self.add_glued(rest_abs + (len(self.text[rest_abs:stripped_end]) - len(self.text[rest_abs:stripped_end].lstrip())), stripped_end, indent)
                self.after_blank = False
            return
        self.add_glued(stripped_start, stripped_end, indent)
        self.after_blank = False
        self.previous_line = self.text[stripped_start:stripped_end]

    def add_glued(self, start: int, end: int, indent: int) -> None:
        """Line content, split where a section header was run into it ("...
        study drug. Exclusion Criteria: 1. ..."): what follows the header
        belongs to its section."""
        found = find_glued_header(self.text[start:end])
        if found is None:
            self.add_line_content(start, end, indent)
            return
        section, head_start, head_end = found
        self.add_line_content(start, start + len(self.text[start : start + head_start].rstrip()), indent)
        self.new_section(section)
        self.heading("section", start + head_start, start + head_end)
        rest = self.text[start + head_end : end]
        if rest.strip():
            self.add_glued(start + head_end + len(rest) - len(rest.lstrip()), end, indent)

    def add_line_content(self, start: int, end: int, indent: int) -> None:
        content = self.text[start:end]
        m = _MARKER.match(content)
        leading_kind: str | None = None
        leading_value: int | None = None
        if m and m.end() > 0:
            leading_kind, leading_value = _classify(m, {s.kind for s in self.stack if s.kind})
        cuts = [c for c in _inline_splits(content, leading_kind, leading_value) if c > 0]
        bounds = [0, *cuts, len(content)]
        for n, (a, b) in enumerate(itertools.pairwise(bounds)):
            piece = content[a:b]
            lead = len(piece) - len(piece.lstrip())
            tail = len(piece.rstrip())
            if lead >= tail:
                continue
            # Inline items of a run sit one level below a parent that ends
            # with a colon, beside each other otherwise: the same indentation
            # lets the marker-style rules decide.
            self.add_segment(start + a + lead, start + a + tail, indent, n == 0)

    def finish(self) -> None:
        self.flush_empty()


def _to_criteria(builder: _Builder, items: list[_Item], prefix: str | None, counters: dict[Section, int]) -> list[Criterion]:
    out: list[Criterion] = []
    text = builder.text
    for n, item in enumerate(items, start=1):
        if prefix is None:
            counters[item.section] += 1
            ident = f"{'inc' if item.section is Section.inclusion else 'exc'}-{counters[item.section]}"
        else:
            ident = f"{prefix}.{n}"
        own = text[item.content_start : item.end]
        criterion = Criterion(
            id=ident,
            section=item.section,
            text=_clean(own),
            span=(item.start + builder.offset, item.end + builder.offset),
        )
        if item.children:
            criterion.children = _to_criteria(builder, item.children, ident, counters)
            criterion.logic = _logic(own, item.section)  # type: ignore[assignment]
        out.append(criterion)
    return out


def _ends_with_or(criterion: Criterion) -> bool:
    # the suffix test first: most items end otherwise, and the pattern would
    # be tried at every word of a long item
    return criterion.text.rstrip(" ;,.:").lower().endswith("or") and bool(_OR_END.search(criterion.text))


def _runs_of_alternatives(siblings: list[Criterion]) -> list[tuple[int, int]]:
    """Runs [first, last] of siblings that are alternatives: an item that
    ends in "or" and the item after it, for as long as the "or" endings run.
    A run that ends the list also takes the items before it that end in ";"
    or ",": in "A; B; or C" the "or" joins all three."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(siblings) - 1:
        section = siblings[i].section
        if not _ends_with_or(siblings[i]) or siblings[i + 1].section is not section:
            i += 1
            continue
        j = i + 1
        while j < len(siblings) - 1 and _ends_with_or(siblings[j]) and siblings[j + 1].section is section:
            j += 1
        first = i
        if j == len(siblings) - 1 or siblings[j + 1].section is not section:
            while (first > 0 and siblings[first - 1].section is section and not siblings[first - 1].children
                   and siblings[first - 1].text.rstrip()[-1:] in (";", ",")
                   and not re.search(r"\band\s*[;,]$", siblings[first - 1].text)
                   and (not runs or runs[-1][1] < first - 1)):
                first -= 1
        runs.append((first, j))
        i = j + 1
    return runs


def _group_alternatives(siblings: list[Criterion], joint: bool | None, text: str, offset: int) -> list[Criterion]:
    """``siblings`` with each run of alternatives (see _runs_of_alternatives)
    made one any-of criterion. Only where the siblings must all hold
    (``joint``; None for the top level, where inclusion items must and
    exclusion items need not): in an exclusion list either item excludes
    already, so a group there would say nothing new. The items keep their
    ids, so the criteria after a group keep theirs too; the group is named by
    its first and last ("inc-5-8")."""
    out: list[Criterion] = []
    runs = [(first, last) for first, last in _runs_of_alternatives(siblings)
            if joint or (joint is None and siblings[first].section is Section.inclusion)]
    at = 0
    for first, last in runs:
        out.extend(siblings[at:first])
        members = siblings[first : last + 1]
        before = siblings[first - 1] if first > at else None
        if (before is not None and not before.children and before.section is members[0].section
                and before.text.rstrip().endswith(":")):
            # "... one or more of the following:" in the same marker style as
            # its items: the line introduces them.
            before.children = members
            before.logic = "any_of"
            at = last + 1
            continue
        start, end = members[0].span or (0, 0), members[-1].span or (0, 0)
        content_start, _ = content_span(members[0], text, offset)
        out.append(Criterion(
            id=f"{members[0].id}-{re.split(r'[.-]', members[-1].id)[-1]}",
            section=members[0].section,
            text=_clean(text[content_start - offset : end[1] - offset]),
            span=(start[0], end[1]),
            logic="any_of",
            children=members,
        ))
        at = last + 1
    out.extend(siblings[at:])
    for criterion in out:
        for item in criterion.children if is_group(criterion) else [criterion]:
            _group_nested(item, text, offset)
    return out


def _group_nested(criterion: Criterion, text: str, offset: int) -> None:
    if not criterion.children:
        return
    joint = criterion.logic == "all_of"
    if joint and _runs_of_alternatives(criterion.children) == [(0, len(criterion.children) - 1)]:
        # Every item of the nested list is an alternative: the list is.
        criterion.logic = "any_of"
        joint = False
    criterion.children = _group_alternatives(criterion.children, joint, text, offset)


def is_group(criterion: Criterion) -> bool:
    """A criterion made of alternatives that stood side by side in the text
    ("A; or" / "B"): it has no words of its own, its span is its children's."""
    if not criterion.children or criterion.span is None:
        return False
    first = criterion.children[0].span
    return first is not None and first[0] == criterion.span[0]


def segment(text: str, offset: int = 0) -> Segmentation:
    """Criteria and headings of ``text``; spans are offsets into ``text`` plus
    ``offset``."""
    builder = _Builder(text, offset)
    pos = 0
    for line in text.split("\n"):
        builder.add_line(pos, pos + len(line))
        pos += len(line) + 1
    builder.finish()
    counters = {Section.inclusion: 0, Section.exclusion: 0}
    criteria = _to_criteria(builder, builder.roots, None, counters)
    criteria = _group_alternatives(criteria, None, text, offset)
    return Segmentation(criteria=criteria, headings=builder.headings)


def content_span(criterion: Criterion, text: str, offset: int = 0) -> tuple[int, int]:
    """The criterion's span without its list marker, for extraction
    (``text`` starts at ``offset`` of the spans)."""
    assert criterion.span is not None
    start, end = criterion.span
    m = _MARKER.match(text[start - offset : end - offset])
    if m and m.end() > 0:
        start += m.end()
    return start, end
