"""Results as one JSON object (the public `--json` interface documented in the README)."""

from __future__ import annotations

import json

from bot.services.results import ErrorResult, Result


def to_json(result: Result) -> str:
    if isinstance(result, ErrorResult):
        return json.dumps(result.to_json_obj(), ensure_ascii=False)
    body = result.model_dump(mode="json", exclude={"kind"})
    return json.dumps(body, ensure_ascii=False)
