"""Reads shared between callers: one request per distinct read while it is in flight, and its answer kept for a
time-to-live. Used by the RPC client and the staking-index client.

An answer is a value or a definitive error (an account that does not exist at a block is a fact about that block);
transient failures are never kept. An entry that expires while callers still want it is refreshed once: the first
caller starts the read, everyone after it waits for that same read.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 4096


class ReadCounters(Protocol):
    cache_hits: int
    coalesced: int


class SharedReads:
    def __init__(self, counters: ReadCounters, *, max_entries: int = MAX_ENTRIES) -> None:
        self._counters = counters
        self._max_entries = max_entries
        self._answers: dict[str, tuple[float, bool, Any]] = {}  # key -> (expires, is_error, value or error)
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def clear(self) -> None:
        self._answers.clear()

    def lookup(self, key: str) -> tuple[bool, Any] | None:
        """(is_error, answer) when a live answer is kept for `key`."""
        hit = self._answers.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1], hit[2]

    def in_flight(self, key: str) -> asyncio.Future[Any] | None:
        return self._inflight.get(key)

    def has(self, key: str) -> bool:
        """Whether `key` is kept or in flight (asking for it would send nothing new)."""
        return key in self._inflight or self.lookup(key) is not None

    def keep(self, key: str, ttl: float, answer: Any, *, is_error: bool = False) -> None:
        if ttl <= 0:
            return
        self._answers.pop(key, None)  # re-inserted at the end: the dict's order is the age order
        self._answers[key] = (time.monotonic() + ttl, is_error, answer)
        if len(self._answers) > self._max_entries:
            self._evict()

    async def read(
        self, key: str, ttl: float, fetch: Callable[[], Awaitable[T]], keep_error: Callable[[BaseException], bool]
    ) -> T:
        kept = self.lookup(key)
        if kept is not None:
            self._counters.cache_hits += 1
            is_error, answer = kept
            if is_error:
                raise answer.with_traceback(None)
            return answer  # type: ignore[no-any-return]
        task = self._inflight.get(key)
        if task is not None:
            self._counters.coalesced += 1
        else:
            # One shared task per distinct read: a caller that gives up (a cancelled interaction) does not cancel
            # the read for the others waiting on it.
            task = asyncio.ensure_future(fetch())
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finish(key, ttl, done, keep_error))
        return await asyncio.shield(task)

    def _finish(
        self, key: str, ttl: float, task: asyncio.Future[Any], keep_error: Callable[[BaseException], bool]
    ) -> None:
        # Runs before any waiter resumes (the first callback registered), so no caller can miss both the in-flight
        # read and its kept answer.
        self._inflight.pop(key, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.keep(key, ttl, task.result())
        elif keep_error(error):
            self.keep(key, ttl, error, is_error=True)

    async def aclose(self) -> None:
        """Stop the reads still in flight (before the HTTP client under them closes)."""
        pending = list(self._inflight.values())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _evict(self) -> None:
        """Drop expired answers, then the oldest kept, down to three quarters of the limit (so a full cache is not
        scanned again at every answer)."""
        now = time.monotonic()
        for key in [k for k, (expires, _, _) in self._answers.items() if expires <= now]:
            del self._answers[key]
        excess = len(self._answers) - self._max_entries * 3 // 4
        for key in list(itertools.islice(self._answers, max(0, excess))):
            del self._answers[key]
