"""Deterministic fault injection rules for one node (no probabilities: tests must be repeatable).

A rule is JSON like ``{"kind": "status", "status": 429, "retry_after": 2, "method": "query", "count": 3}``.
Rules are checked in order for each request; ``latency`` and ``stale`` stack with what follows,
the first matching terminal rule (``status``, ``hang``, ``malformed``, ``drop``) decides the answer.
``method`` filters by JSON-RPC method, or ``"api"`` for the FastNEAR-style REST API; ``count``
makes a rule expire after that many uses. ``period`` with ``slots`` makes a rule hit a fixed share of requests,
repeatably: it applies to the n-th request its ``method`` filter matches (n from 0) when ``n % period`` is in
``slots`` (e.g. period 20, slots [0, 4, 8, 12, 16] = every 4th request, 25 %).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("latency", "status", "hang", "malformed", "drop", "stale")
TERMINAL_KINDS = frozenset({"status", "hang", "malformed", "drop"})
STATUSES = (400, 408, 429, 500, 502, 503)
DEFAULT_HANG_SECONDS = 60.0  # far beyond any sane client timeout; cut short when the server stops
API_METHOD = "api"

_FIELDS_BY_KIND = {
    "latency": {"ms"},
    "status": {"status", "retry_after"},
    "hang": {"seconds"},
    "malformed": set(),
    "drop": set(),
    "stale": {"blocks"},
}


@dataclass
class FaultRule:
    kind: str
    method: str | None = None
    count: int | None = None  # remaining uses; None = unlimited
    ms: int = 0
    status: int = 0
    retry_after: int | None = None
    seconds: float = DEFAULT_HANG_SECONDS
    blocks: int = 0
    period: int | None = None
    slots: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        if not isinstance(data, dict):
            raise ValueError("a fault rule must be an object")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        allowed = {"kind", "method", "count", "period", "slots"} | _FIELDS_BY_KIND[kind]
        unknown = set(data) - allowed
        if unknown:
            # `probability` in particular is refused: faults must be deterministic.
            raise ValueError(f"unsupported field(s) for {kind}: {', '.join(sorted(unknown))}")
        rule = cls(kind=kind, method=_opt_str(data, "method"), count=_opt_int(data, "count", minimum=1))
        rule.period, rule.slots = _schedule(data)
        if kind == "latency":
            rule.ms = _req_int(data, "ms")
        elif kind == "status":
            rule.status = _req_int(data, "status")
            if rule.status not in STATUSES:
                raise ValueError(f"status must be one of {STATUSES}")
            rule.retry_after = _opt_int(data, "retry_after")
        elif kind == "hang":
            seconds = data.get("seconds", DEFAULT_HANG_SECONDS)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise ValueError("seconds must be a non-negative number")
            rule.seconds = float(seconds)
        elif kind == "stale":
            rule.blocks = _req_int(data, "blocks")
        return rule

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "method": self.method, "count": self.count}
        for name in sorted(_FIELDS_BY_KIND[self.kind]):
            body[name] = getattr(self, name)
        if self.period is not None:
            body["period"], body["slots"] = self.period, sorted(self.slots)
        return body

    def matches(self, method: str | None, seen: int) -> bool:
        """Whether the rule applies to a request for ``method`` that is the ``seen``-th its filter matched."""
        if self.method is not None and self.method != method:
            return False
        return self.period is None or seen % self.period in self.slots

    @property
    def terminal(self) -> bool:
        return self.kind in TERMINAL_KINDS


class FaultSet:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._seen: Counter[str | None] = Counter()  # requests seen per method filter (None = every request)

    def replace(self, rules: list[FaultRule]) -> None:
        self.rules = list(rules)
        self._seen.clear()

    def clear(self) -> None:
        self.rules = []
        self._seen.clear()

    def take(self, method: str | None) -> list[FaultRule]:
        """Rules that apply to this request (consuming one use of each), up to the first terminal one."""
        seen = {key: self._seen[key] for key in {None, method}}
        self._seen.update(seen.keys())
        applied: list[FaultRule] = []
        for rule in list(self.rules):
            if not rule.matches(method, seen.get(rule.method, 0)):
                continue
            applied.append(rule)
            if rule.count is not None:
                rule.count -= 1
                if rule.count == 0:
                    self.rules.remove(rule)
            if rule.terminal:
                break
        return applied

    def to_json(self) -> list[dict[str, Any]]:
        return [rule.to_json() for rule in self.rules]


def parse_rules(data: Any) -> list[FaultRule]:
    """Accepts a list of rules, a single rule object, or ``{"rules": [...]}``."""
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("expected a list of fault rules")
    return [FaultRule.from_json(item) for item in data]


def _schedule(data: dict[str, Any]) -> tuple[int | None, frozenset[int]]:
    if "period" not in data and "slots" not in data:
        return None, frozenset()
    period = _opt_int(data, "period", minimum=1)
    slots = data.get("slots")
    if period is None or not isinstance(slots, list) or not slots:
        raise ValueError("period and a non-empty list of slots go together")
    if any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < period for s in slots):
        raise ValueError(f"slots must be integers in [0, {period})")
    return period, frozenset(slots)


def _opt_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _opt_int(data: dict[str, Any], name: str, minimum: int = 0) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}")
    return value


def _req_int(data: dict[str, Any], name: str) -> int:
    if name not in data:
        raise ValueError(f"{name} is required")
    value = _opt_int(data, name)
    assert value is not None
    return value
