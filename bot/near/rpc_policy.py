"""The RPC client's policy (timeouts, retries, in-flight limit, cache lifetimes), its counters, and the backoff rule
shared with the staking-index client (bot/near/indexer.py)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_IN_FLIGHT = 16  # requests in flight per endpoint: polite towards public RPC providers (RPC_IN_FLIGHT_PER_ENDPOINT)


@dataclass(frozen=True)
class RpcPolicy:
    """Timeouts and retry budget. Defaults keep a Discord answer inside its 15 min followup window and
    a console answer snappy; the deadline bounds everything."""

    connect_timeout: float = 3.0
    read_timeout: float = 8.0
    deadline: float = 12.0
    max_attempts: int = 6
    backoff_base: float = 0.2
    backoff_max: float = 3.0
    max_retry_after: float = 10.0
    per_endpoint_concurrency: int = DEFAULT_IN_FLIGHT
    cache_ttl: float = 1.5
    immutable_cache_ttl: float = 300.0
    cache_max_entries: int = 4096  # the cache's size is capped, whatever the request rate
    unhealthy_cooldown: float = 15.0


@dataclass
class RpcStats:
    """Counters for benchmarks and tests: what actually went over the wire."""

    http_requests: int = 0
    calls: int = 0
    cache_hits: int = 0
    coalesced: int = 0
    rereads: int = 0  # reads asked again at the answer's block (BlockPin)
    by_method: Counter[str] = field(default_factory=Counter)


def backoff_delay(policy: RpcPolicy, rng: random.Random, round_number: int, retry_after: Sequence[float]) -> float | None:
    """Seconds to wait before the next round: the shortest Retry-After asked for (plus jitter), else exponential
    backoff with jitter; None when a provider asks for longer than the policy allows (give up and say so)."""
    if retry_after:
        wait = min(retry_after)
        if wait > policy.max_retry_after:
            return None
        return wait + rng.uniform(0, policy.backoff_base)
    cap = min(policy.backoff_max, policy.backoff_base * (2**round_number))
    return rng.uniform(cap / 2, cap)
