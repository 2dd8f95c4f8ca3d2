"""Results as one JSON object (the public `--json` interface documented in the README).

JSON is raw data: untrusted strings keep every character (a consumer escapes for its own medium). The output is
always valid UTF-8 JSON: text that cannot be encoded (a lone surrogate from a hostile RPC answer) is written with
\\u escapes instead of failing."""

from __future__ import annotations

import json

from bot.services.results import ErrorResult, Result


def to_json(result: Result) -> str:
    body = result.to_json_obj() if isinstance(result, ErrorResult) else result.model_dump(mode="json", exclude={"kind"})
    text = json.dumps(body, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True)
    return text
