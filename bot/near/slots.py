"""A limit of requests in flight to one endpoint, served oldest question first.

A plain semaphore serves requests in the order they were issued. In a burst that makes every answer wait behind the
first round trips of all the answers asked after it (its second round trip is issued later than their first), so
early questions are answered last. Here a waiting request carries the time its answer was asked for, and a freed
slot goes to the oldest: each answer finishes about when the work of the answers asked before it is done.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairSlots:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one request must be allowed in flight")
        self._free = limit
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()  # equal ages: first come, first served

    @asynccontextmanager
    async def hold(self, asked_at: float) -> AsyncIterator[None]:
        """A slot for a request of the answer asked for at `asked_at` (time.monotonic())."""
        await self._acquire(asked_at)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, asked_at: float) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (asked_at, next(self._order), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # the slot arrived as the caller gave up: pass it on
            else:
                granted.cancel()  # skipped when its turn comes
            raise

    def _release(self) -> None:
        while self._waiting:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():
                granted.set_result(None)
                return
        self._free += 1
