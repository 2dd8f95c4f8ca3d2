"""Latency and round trips per command, the burst, and the py-near baseline, against a sandbox with latency L."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from typing import Any

from bench.timing import RequestLog
from bot.commands import run_line
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.services.chain import Chain
from bot.services.results import ErrorResult


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def make_chain(url: str, log: RequestLog, policy: RpcPolicy | None = None) -> Chain:
    return Chain(
        network="mainnet",
        rpc=NearRpcClient([url], policy or RpcPolicy(), observer=log.observe),
        indexer=IndexerClient(url, policy=policy, observer=log.observe),
    )


async def measure_command(url: str, line: str, repeats: int) -> dict[str, Any]:
    """Cold: a fresh client each run (empty caches). Warm: the same client, run again right after."""
    cold_ms: list[float] = []
    warm_ms: list[float] = []
    cold_rt: list[int] = []
    warm_rt: list[int] = []
    cold_total: list[int] = []
    warm_total: list[int] = []
    for _ in range(repeats):
        log = RequestLog()
        chain = make_chain(url, log)
        try:
            started = time.perf_counter()
            result, _ = await run_line(chain, line)
            cold_ms.append((time.perf_counter() - started) * 1000)
            if isinstance(result, ErrorResult):
                raise RuntimeError(f"{line}: {result.message}")
            cold_rt.append(log.sequential_round_trips())
            cold_total.append(log.total)
            log.reset()
            started = time.perf_counter()
            await run_line(chain, line)
            warm_ms.append((time.perf_counter() - started) * 1000)
            warm_rt.append(log.sequential_round_trips())
            warm_total.append(log.total)
        finally:
            await chain.aclose()
    return {
        "command": line,
        "cold_p50_ms": round(statistics.median(cold_ms), 1),
        "cold_p99_ms": round(percentile(cold_ms, 0.99), 1),
        "warm_p50_ms": round(statistics.median(warm_ms), 1),
        "warm_p99_ms": round(percentile(warm_ms, 0.99), 1),
        "cold_round_trips": max(cold_rt),
        "warm_round_trips": max(warm_rt),
        "cold_requests": max(cold_total),
        "warm_requests": max(warm_total),
    }


async def burst(url: str, accounts: list[str], *, commands: int = 500, users: int = 100, window_s: float = 1.0) -> dict[str, Any]:
    """`commands` commands from `users` users over `accounts`, arriving uniformly within `window_s`, through one
    shared chain client as the bot runs them."""
    rng = random.Random(7)
    log = RequestLog()
    chain = make_chain(url, log)
    plan = [
        (rng.uniform(0, window_s), rng.randrange(users), rng.choice(["status", "unbonding"]), rng.choice(accounts))
        for _ in range(commands)
    ]
    latencies: list[float] = []
    failures: list[str] = []
    distinct_reads: set[str] = set()

    async def one(delay: float, kind: str, account: str) -> None:
        await asyncio.sleep(delay)
        started = time.perf_counter()
        result, _ = await run_line(chain, f"{kind} {account}")
        latencies.append((time.perf_counter() - started) * 1000)
        if isinstance(result, ErrorResult):
            failures.append(result.message)
        distinct_reads.add(f"{kind}:{account}")

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(delay, kind, account) for delay, _user, kind, account in plan))
    finally:
        await chain.aclose()
    return {
        "commands": commands,
        "users": users,
        "accounts": len(accounts),
        "window_s": window_s,
        "wall_s": round(time.perf_counter() - started, 2),
        "failures": len(failures),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "rpc_requests": log.total,
        "distinct_reads": log.distinct_reads,
        "distinct_commands": len(distinct_reads),
    }


async def py_near_baseline(url: str, account: str, repeats: int) -> dict[str, Any]:
    """The same status read written the straightforward way with py-near's JsonProvider: sequential calls."""
    import httpx
    from py_near.providers import JsonProvider

    timings: list[float] = []
    for _ in range(repeats):
        provider = JsonProvider(url, timeout=30)
        try:
            started = time.perf_counter()
            await provider.get_account(account, finality="final")
            async with httpx.AsyncClient() as http:
                pools = (await http.get(f"{url}/v1/account/{account}/staking")).json()["pools"]
            for pool in pools:
                args = json.dumps({"account_id": account}).encode()
                raw = await provider.view_call(pool["pool_id"], "get_account", args, finality="final")
                json.loads(bytes(raw["result"]).decode())
            timings.append((time.perf_counter() - started) * 1000)
        finally:
            await provider.shutdown()
    return {"command": f"status {account} (py-near, sequential)", "p50_ms": round(statistics.median(timings), 1)}


