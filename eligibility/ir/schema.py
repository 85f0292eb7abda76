"""The published JSON Schema of rules files (``eligibility schema``)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from eligibility.ir.model import RuleSet


def published_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """A model's JSON Schema as the project publishes it (draft 2020-12)."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def schema_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def rules_schema() -> dict[str, Any]:
    return published_schema(RuleSet, "eligibility rules file")


def rules_schema_json() -> str:
    return schema_json(rules_schema())
