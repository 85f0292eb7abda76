"""The published JSON Schema of rules files (``eligibility schema``)."""

from __future__ import annotations

import json
from typing import Any

from eligibility.ir.model import RuleSet


def rules_schema() -> dict[str, Any]:
    schema = RuleSet.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "eligibility rules file"
    return schema


def rules_schema_json() -> str:
    return json.dumps(rules_schema(), indent=2, ensure_ascii=False) + "\n"
