"""Delivery throughput per process count: N outbox rows on PostgreSQL, delivered by 1 and then 2 processes, each
running the bot's Deliverer (leased claims, FOR UPDATE SKIP LOCKED) against a stand-in for Discord that takes
L ms per message. Reports rows per second and checks that no row was sent twice.

Real Discord caps a bot at 50 requests per second across all its processes (DAD topics/rate-limits.mdx, Global
Rate Limit), and a DM costs up to two (open the DM channel, post): more processes raise what the bot can push,
not what Discord accepts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from typing import Any

import asyncpg

from bot.alerts.delivery import Deliverer
from bot.storage import open_storage


class SlowDiscord:
    """Takes `latency` seconds per message, like a round trip to Discord; records every send."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.sent: list[str] = []

    async def send(self, destination: str, payload: dict[str, Any], nonce: str, marker: str) -> int:
        await asyncio.sleep(self.latency)
        self.sent.append(nonce)
        return len(self.sent)

    async def find_marker(self, destination: str, marker: str, since_ms: int) -> int | None:
        return None


def _deliver_process(url: str, latency: float, ready: Any, start: Any, results: Any) -> None:
    async def main() -> None:
        storage = open_storage(url)
        await storage.open()
        discord = SlowDiscord(latency)
        deliverer = Deliverer(storage, discord, holder=f"bench-{multiprocessing.current_process().pid}")
        ready.put(True)
        await asyncio.to_thread(start.wait)
        while await storage.pending_outbox(1):
            if not await deliverer.deliver_due():
                await asyncio.sleep(0.05)  # the rest is claimed by the other process
        await storage.close()
        results.put(discord.sent)

    asyncio.run(main())


async def _fill(url: str, rows: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE outbox")
        await conn.copy_records_to_table(
            "outbox", columns=["dedupe_key", "destination", "payload", "created_at"],
            records=[(f"bench:{i}", f"dm:{10_000 + i}", '{"kind": "epoch", "title": "t", "text": "x"}', 0)
                     for i in range(rows)],
        )
    finally:
        await conn.close()


async def run(url: str, rows: int = 5_000, latency_ms: int = 50, process_counts: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    storage = open_storage(url)
    await storage.open()  # migrated once, before the processes start
    await storage.close()
    context = multiprocessing.get_context("spawn")
    report: dict[str, Any] = {"rows": rows, "latency_ms": latency_ms, "per_process_count": {}}
    for count in process_counts:
        await _fill(url, rows)
        ready, start, results = context.Queue(), context.Event(), context.Queue()
        children = [context.Process(target=_deliver_process, args=(url, latency_ms / 1000, ready, start, results))
                    for _ in range(count)]
        for child in children:
            child.start()
        for _ in children:  # every process connected and waiting
            await asyncio.to_thread(ready.get, True, 120)
        started = time.perf_counter()
        start.set()
        sent: list[str] = []
        for _ in children:
            sent += await asyncio.to_thread(results.get, True, 600)
        wall = time.perf_counter() - started
        for child in children:
            child.join(30)
        report["per_process_count"][str(count)] = {
            "wall_s": round(wall, 2),
            "rows_per_s": round(rows / wall, 1),
            "sent": len(sent),
            "sent_twice": len(sent) - len(set(sent)),
        }
    return report
