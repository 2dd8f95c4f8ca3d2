"""Alerts at scale: many unbonding subscriptions over many pools, one epoch boundary where a share falls due, on
SQLite or PostgreSQL. One scheduler pass checks the due alerts, queues one notification each and delivers them
all (through a notifier that only counts).

The sandbox runs in a child process (so the bot side's peak RSS is its own); the scheduler runs here against it
over loopback HTTP with the injected latency.
"""

from __future__ import annotations

import resource
import sqlite3
import time
from typing import Any

import asyncpg
import httpx

from bench.sandbox_process import chain_server
from bot.alerts.delivery import Deliverer
from bot.alerts.scheduler import AlertScheduler
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.services.chain import Chain
from bot.storage import SQLITE_PREFIX, open_storage

NEAR = 10**24
BASE_EPOCH = 2000


def _build_chain(pools: int, due_pairs: int) -> Any:
    from bot.sandbox.chain import SandboxChain, ValidatorRole
    from bot.sandbox.contracts import Env
    from bot.sandbox.hashing import digest
    from bot.sandbox.pool import poolv1
    from bot.sandbox.timeline import Timeline

    chain = SandboxChain(head_height=Timeline().epoch_start(BASE_EPOCH) + 10)
    for p in range(pools):
        pool_id, owner = f"pool{p:04d}.poolv1.near", f"owner{p:04d}.near"
        chain.create_account(owner, 10_000 * NEAR)
        chain.create_account(pool_id, 30 * NEAR)
        pool = poolv1(owner, digest("key", pool_id), (10, 100))
        chain.deploy(pool_id, pool)
        pool.initialize(Env(chain, pool_id, predecessor_account_id=owner))
        chain.set_validator(pool_id, ValidatorRole.ACTIVE)
        chain.call(owner, pool_id, "deposit_and_stake", {}, 1_000 * NEAR)
    delegators = max(1, due_pairs // pools)
    for d in range(delegators):
        chain.create_account(f"holder{d:04d}.near", 10_000 * NEAR)
    for i in range(due_pairs):
        account, pool_id = f"holder{i // pools:04d}.near", f"pool{i % pools:04d}.poolv1.near"
        chain.call(account, pool_id, "deposit_and_stake", {}, 10 * NEAR)
        chain.call(account, pool_id, "unstake", {"amount": str(5 * NEAR)})  # withdrawable at BASE_EPOCH + 4
    chain.advance(epochs=3)
    return chain


class CountingNotifier:
    def __init__(self) -> None:
        self.sent = 0

    async def send(self, destination: str, payload: dict[str, Any], nonce: str, marker: str) -> int:
        self.sent += 1
        return self.sent

    async def find_marker(self, destination: str, marker: str, since_ms: int) -> int | None:
        return None


async def _fill_subscriptions(url: str, total: int, due_pairs: int, pools: int) -> None:
    """Bulk-insert subscriptions (a setup shortcut; the bot adds them one by one through the same table)."""
    rows = []
    for i in range(total):
        due = i < due_pairs
        account = f"holder{(i % due_pairs) // pools:04d}.near" if due else f"later{i}.near"
        pool = f"pool{i % pools:04d}.poolv1.near"
        rows.append(("unbonding", 10_000 + i, account, pool, BASE_EPOCH + 4 if due else BASE_EPOCH + 40, 0))
    columns = ["kind", "user_id", "account_id", "pool_id", "due_epoch", "created_at"]
    if url.startswith(SQLITE_PREFIX):
        with sqlite3.connect(url.removeprefix(SQLITE_PREFIX)) as db:
            db.executemany(f"INSERT INTO subscriptions ({', '.join(columns)}) VALUES (?, ?, ?, ?, ?, ?)", rows)
        return
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("subscriptions", columns=columns, records=rows)
    finally:
        await conn.close()


async def run(url: str, total: int = 100_000, pools: int = 1_000, due_fraction: float = 0.05,
              latency_ms: int = 50) -> dict[str, Any]:
    due_pairs = int(total * due_fraction)
    with chain_server(_build_chain, (pools, due_pairs), latency_ms) as rpc_url:
        storage = open_storage(url)
        await storage.open()
        await _fill_subscriptions(url, total, due_pairs, pools)
        chain = Chain("mainnet", NearRpcClient([rpc_url], RpcPolicy(deadline=60)), IndexerClient(rpc_url))
        notifier = CountingNotifier()
        scheduler = AlertScheduler(storage, chain, Deliverer(storage, notifier, holder="bench"))
        async with httpx.AsyncClient(timeout=60) as http:
            await scheduler.run_once()  # settle at the epoch before the boundary
            (await http.post(f"{rpc_url}/sandbox/advance", json={"epochs": 1})).raise_for_status()
        chain.rpc.clear_cache()  # the chain jumped an epoch in no time; a real wake comes hours later
        before = chain.rpc.stats.http_requests
        started = time.perf_counter()
        await scheduler.run_once()
        wall = time.perf_counter() - started
        rpc_calls = chain.rpc.stats.http_requests - before
        await chain.aclose()
        await storage.close()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "backend": storage.dialect,
        "subscriptions": total,
        "pools": pools,
        "due": due_pairs,
        "notified": notifier.sent,
        "rpc_calls": rpc_calls,
        "rpc_budget": due_pairs + pools,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }
