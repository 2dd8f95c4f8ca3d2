"""FastNEAR-compatible indexer API: which pools an account has delegated to (near-staking.md §6.4).

The API lists pools an account has *ever* delegated to, without balances; balances come from the pools.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from bot.near.account_id import is_valid_account_id
from bot.near.errors import IndexerUnavailable, InvalidInput

log = logging.getLogger(__name__)


@dataclass
class IndexedPools:
    """What the index lists: valid pool ids only; `ignored` counts entries that are not account ids."""

    pool_ids: list[str] = field(default_factory=list)
    ignored: int = 0


class IndexerClient:
    def __init__(
        self,
        base_url: str | None,
        *,
        timeout: float = 5.0,
        concurrency: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/") if base_url else None
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "near-staking-assistant"},
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        # Queue here, not in httpcore: its pool rescans every queued request on each assignment (quadratic).
        self._slots = asyncio.Semaphore(concurrency)
        self.requests = 0

    async def aclose(self) -> None:
        await self._http.aclose()

    async def staking_pools(self, account_id: str) -> IndexedPools:
        """Pool ids from `GET /v1/account/{id}/staking`; raises IndexerUnavailable when it cannot say.

        The index is not trusted: an entry that is not a valid account id is never used, shown or put in a URL.
        """
        if not is_valid_account_id(account_id):
            raise InvalidInput("Not a valid account id.")
        payload = await self._get(f"/v1/account/{quote(account_id, safe='')}/staking")
        pools = payload.get("pools") if isinstance(payload, dict) else None
        if not isinstance(pools, list):
            raise IndexerUnavailable("The staking index answered in an unexpected shape.")
        found = IndexedPools()
        for entry in pools:
            pool_id = entry.get("pool_id") if isinstance(entry, dict) else entry
            if not isinstance(pool_id, str) or not is_valid_account_id(pool_id):
                found.ignored += 1
            elif pool_id not in found.pool_ids:
                found.pool_ids.append(pool_id)
        if found.ignored:
            log.warning("the staking index listed %d entries that are not account ids", found.ignored)
        return found

    async def _get(self, path: str) -> Any:
        if not self.base_url:
            raise IndexerUnavailable("No staking index API is configured.")
        last_error = "no answer"
        for _ in range(2):  # one quick retry; the caller has a fallback
            self.requests += 1
            try:
                async with self._slots:
                    response = await self._http.get(self.base_url + path)
            except httpx.HTTPError as exc:
                last_error = type(exc).__name__
                continue
            if response.status_code == 200:
                try:
                    return response.json()
                except ValueError:
                    last_error = "a body that is not JSON"
                    continue
            last_error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break
        raise IndexerUnavailable(f"The staking index API could not be read ({last_error}).")
