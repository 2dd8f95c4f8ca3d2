"""Record every HTTP request's start and end, to count total requests and sequential round trips."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class RequestLog:
    intervals: list[tuple[float, float]] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)  # distinct reads: URL path + JSON-RPC method and params

    def reset(self) -> None:
        self.intervals.clear()
        self.reads.clear()

    @property
    def distinct_reads(self) -> int:
        return len(self.reads)

    @property
    def total(self) -> int:
        return len(self.intervals)

    def sequential_round_trips(self) -> int:
        """Length of the longest chain of requests each starting after the previous one ended: the number of
        round trips on the critical path (parallel requests count once)."""
        chain_end = float("-inf")
        depth = 0
        for start, end in sorted(self.intervals, key=lambda interval: interval[1]):
            if start >= chain_end:
                depth += 1
                chain_end = end
        return depth


class TimingTransport(httpx.AsyncBaseTransport):
    def __init__(self, log: RequestLog) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        try:
            call = json.loads(body) if body else {}
            key = json.dumps([call.get("method"), call.get("params")], sort_keys=True)
        except ValueError:
            key = body.decode("utf-8", "replace")
        self._log.reads.add(f"{request.url.path}|{key}")
        started = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self._log.intervals.append((started, time.perf_counter()))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
