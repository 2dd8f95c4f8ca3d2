"""Record every HTTP request's start and end, to count total requests and sequential round trips."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


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
    def distinct_rpc_reads(self) -> int:
        """Distinct JSON-RPC reads (the staking index's are GETs of /v1/...)."""
        return sum(1 for read in self.reads if not read.startswith("/v1/"))

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


    def observe(self, url: str, body: bytes) -> Callable[[], None]:
        """The clients' request observer (bot/near/http.py): records each request's read and its start and end."""
        try:
            call = json.loads(body) if body else {}
            key = json.dumps([call.get("method"), call.get("params")], sort_keys=True)
        except ValueError:
            key = body.decode("utf-8", "replace")
        self.reads.add(f"{urlsplit(url).path}|{key}")
        started = time.perf_counter()

        def ended() -> None:
            self.intervals.append((started, time.perf_counter()))

        return ended
