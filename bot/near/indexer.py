"""FastNEAR-compatible indexer API: which pools an account has delegated to (near-staking.md §6.4).

The API lists pools an account has *ever* delegated to, without balances; balances come from the pools.

Reads retry like the RPC client (bot/near/rpc.py), under the same policy and within the same deadline: timeouts,
connection errors, 408, 429 (honouring Retry-After), 5xx and malformed bodies are tried again with backoff and
jitter; other 4xx answers are final. Like the RPC client it sends one request per account while one is in flight
and keeps the answer for the policy's `cache_ttl` (a burst of commands about one account asks the index once), and
keeps at most the policy's in-flight limit of requests going.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from bot.near.account_id import is_valid_account_id
from bot.near.errors import IndexerUnavailable, InvalidInput
from bot.near.http import HttpClient, HttpTimeout, HttpUnreachable, RequestObserver
from bot.near.rpc_errors import parse_retry_after
from bot.near.rpc_policy import RpcPolicy, RpcStats, backoff_delay
from bot.near.shared_reads import SharedReads
from bot.near.slots import FairSlots

log = logging.getLogger(__name__)
T = TypeVar("T")
_RETRIED_STATUSES = frozenset({408, 429})


@dataclass
class IndexedPools:
    """What the index lists: valid pool ids only; `ignored` counts entries that are not account ids."""

    pool_ids: list[str] = field(default_factory=list)
    ignored: int = 0


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class IndexerClient:
    def __init__(
        self,
        base_url: str | None,
        *,
        policy: RpcPolicy | None = None,
        observer: RequestObserver | None = None,
        rng: random.Random | None = None,
    ):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.policy = policy or RpcPolicy()
        in_flight = self.policy.per_endpoint_concurrency
        self._http = HttpClient(
            connect_timeout=self.policy.connect_timeout,
            read_timeout=self.policy.read_timeout,
            max_connections=in_flight,
            headers={"User-Agent": "near-staking-assistant"},
            observer=observer,
        )
        self._slots = FairSlots(in_flight)
        self._rng = rng or random.Random()
        self.stats = RpcStats()
        self._reads = SharedReads(self.stats)
        self.requests = 0

    def clear_cache(self) -> None:
        self._reads.clear()

    async def aclose(self) -> None:
        await self._reads.aclose()
        await self._http.aclose()

    async def staking_pools(self, account_id: str, *, asked_at: float | None = None) -> IndexedPools:
        """Pool ids from `GET /v1/account/{id}/staking`; raises IndexerUnavailable when it cannot say.

        The index is not trusted: an entry that is not a valid account id is never used, shown or put in a URL.
        """
        if not is_valid_account_id(account_id):
            raise InvalidInput("Not a valid account id.")
        path = f"/v1/account/{quote(account_id, safe='')}/staking"
        asked = time.monotonic() if asked_at is None else asked_at  # queued in the order answers were asked for
        found = await self._reads.read(path, self.policy.cache_ttl, lambda: self._get(path, _pool_ids, asked), _never)
        if found.ignored:
            log.warning("the staking index listed %d entries that are not account ids", found.ignored)
        return found

    async def _get(self, path: str, read: Callable[[Any], T], asked_at: float) -> T:
        if not self.base_url:
            raise IndexerUnavailable("No staking index API is configured.")
        policy = self.policy
        deadline = time.monotonic() + policy.deadline
        last = "no answer"
        for attempt in range(policy.max_attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                return await asyncio.wait_for(self._attempt(self.base_url + path, read, asked_at), timeout=remaining)
            except _Transient as failure:
                last, retry_after = failure.reason, failure.retry_after
            except TimeoutError:
                last, retry_after = "no answer in time", None
            delay = backoff_delay(policy, self._rng, attempt, [retry_after] if retry_after is not None else [])
            if delay is None or delay >= deadline - time.monotonic():
                break
            await asyncio.sleep(delay)
        raise IndexerUnavailable(f"The staking index API could not be read ({last}).")

    async def _attempt(self, url: str, read: Callable[[Any], T], asked_at: float) -> T:
        self.requests += 1
        try:
            async with self._slots.hold(asked_at):
                reply = await self._http.request("GET", url)
        except (HttpTimeout, HttpUnreachable) as exc:
            raise _Transient(str(exc)) from exc
        if reply.status != 200:
            reason = f"HTTP {reply.status}"
            if reply.status in _RETRIED_STATUSES or reply.status >= 500:
                raise _Transient(reason, parse_retry_after(reply.retry_after))
            raise IndexerUnavailable(f"The staking index API could not be read ({reason}).")
        try:
            return read(json.loads(reply.content))
        except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _Transient("a body in an unexpected shape") from exc


def _never(error: BaseException) -> bool:
    return False  # an index that could not be read is asked again next time


def _pool_ids(payload: Any) -> IndexedPools:
    """`{"account_id", "pools": [{"pool_id", "last_update_block_height"}, ...]}` (v0: plain ids). Index text is not
    trusted: anything that is not a valid account id is dropped and counted."""
    pools = payload.get("pools") if isinstance(payload, dict) else None
    if not isinstance(pools, list):
        raise ValueError("no pools list")
    found = IndexedPools()
    for entry in pools:
        pool_id = entry.get("pool_id") if isinstance(entry, dict) else entry
        if not isinstance(pool_id, str) or pool_id != pool_id.strip() or not is_valid_account_id(pool_id):
            found.ignored += 1
        elif pool_id not in found.pool_ids:
            found.pool_ids.append(pool_id)
    return found
