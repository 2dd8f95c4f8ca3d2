"""FastNEAR-compatible indexer API: which pools an account has delegated to (near-staking.md §6.4).

The API lists pools an account has *ever* delegated to, without balances; balances come from the pools.

Reads retry like the RPC client (bot/near/rpc.py), under the same policy and within the same deadline: timeouts,
connection errors, 408, 429 (honouring Retry-After), 5xx and malformed bodies are tried again with backoff and
jitter; other 4xx answers are final.
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

import httpx

from bot.near.account_id import is_valid_account_id
from bot.near.errors import IndexerUnavailable, InvalidInput
from bot.near.rpc import RpcPolicy, backoff_delay
from bot.near.rpc_errors import parse_retry_after

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
        concurrency: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.policy = policy or RpcPolicy()
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=self.policy.deadline,
            ),
            transport=transport,
            headers={"User-Agent": "near-staking-assistant"},
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        # Queue here, not in httpcore: its pool rescans every queued request on each assignment (quadratic).
        self._slots = asyncio.Semaphore(concurrency)
        self._rng = rng or random.Random()
        self.requests = 0

    async def aclose(self) -> None:
        await self._http.aclose()

    async def staking_pools(self, account_id: str) -> IndexedPools:
        """Pool ids from `GET /v1/account/{id}/staking`; raises IndexerUnavailable when it cannot say.

        The index is not trusted: an entry that is not a valid account id is never used, shown or put in a URL.
        """
        if not is_valid_account_id(account_id):
            raise InvalidInput("Not a valid account id.")
        found = await self._get(f"/v1/account/{quote(account_id, safe='')}/staking", _pool_ids)
        if found.ignored:
            log.warning("the staking index listed %d entries that are not account ids", found.ignored)
        return found

    async def _get(self, path: str, read: Callable[[Any], T]) -> T:
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
                return await asyncio.wait_for(self._attempt(self.base_url + path, read), timeout=remaining)
            except _Transient as failure:
                last, retry_after = failure.reason, failure.retry_after
            except TimeoutError:
                last, retry_after = "no answer in time", None
            delay = backoff_delay(policy, self._rng, attempt, [retry_after] if retry_after is not None else [])
            if delay is None or delay >= deadline - time.monotonic():
                break
            await asyncio.sleep(delay)
        raise IndexerUnavailable(f"The staking index API could not be read ({last}).")

    async def _attempt(self, url: str, read: Callable[[Any], T]) -> T:
        self.requests += 1
        try:
            async with self._slots:
                response = await self._http.get(url)
        except httpx.HTTPError as exc:
            raise _Transient(type(exc).__name__) from exc
        if response.status_code != 200:
            reason = f"HTTP {response.status_code}"
            if response.status_code in _RETRIED_STATUSES or response.status_code >= 500:
                raise _Transient(reason, parse_retry_after(response.headers.get("Retry-After")))
            raise IndexerUnavailable(f"The staking index API could not be read ({reason}).")
        try:
            return read(response.json())
        except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _Transient("a body in an unexpected shape") from exc


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
