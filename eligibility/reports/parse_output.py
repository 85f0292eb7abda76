"""What ``eligibility parse`` prints: JSON, YAML or a table."""

from __future__ import annotations

import io
import json
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from eligibility.ir.model import Criterion, RuleSet
from eligibility.reports.describe import describe_all


def ruleset_dict(ruleset: RuleSet) -> dict[str, Any]:
    data: dict[str, Any] = ruleset.model_dump(mode="json", exclude_none=True)
    return data


def render_parse(rulesets: list[RuleSet], fmt: str) -> str:
    if fmt == "json":
        payload: Any = ruleset_dict(rulesets[0]) if len(rulesets) == 1 else [ruleset_dict(r) for r in rulesets]
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        if len(rulesets) == 1:
            return yaml.safe_dump(ruleset_dict(rulesets[0]), sort_keys=False, allow_unicode=True)
        return yaml.safe_dump_all([ruleset_dict(r) for r in rulesets], sort_keys=False, allow_unicode=True)
    return render_table(rulesets)


def _rows(criteria: list[Criterion], depth: int = 0) -> list[tuple[Criterion, int]]:
    out: list[tuple[Criterion, int]] = []
    for c in criteria:
        out.append((c, depth))
        out.extend(_rows(c.children, depth + 1))
    return out


def render_table(rulesets: list[RuleSet], width: int = 160) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    for ruleset in rulesets:
        trial = ruleset.trial
        table = Table(title=f"{trial.id}: {trial.title or ''}".strip(": "), show_lines=False, expand=True)
        table.add_column("id", no_wrap=True)
        table.add_column("section", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("criterion", ratio=3)
        table.add_column("rules", ratio=3)
        for criterion, depth in _rows(ruleset.criteria):
            logic = f" [{criterion.logic.replace('_', ' ')}]" if criterion.children else ""
            rules = describe_all(criterion.rules)
            if criterion.unparsed:
                rules += ("; " if rules else "") + "not understood: " + " | ".join(criterion.unparsed)
            table.add_row(
                criterion.id, criterion.section.value, criterion.status.value,
                "  " * depth + criterion.text + logic, rules,
            )
        console.print(table)
    return buffer.getvalue()
