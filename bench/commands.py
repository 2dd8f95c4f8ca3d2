"""Latency, round trips and CPU per command, the burst, and an answer while the final block moves, against a sandbox
with latency L."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.timing import RequestLog
from bot.commands import run_line
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.services.chain import Chain
from bot.services.results import ErrorResult, Result


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


async def timed(chain: Chain, line: str) -> tuple[Result, float]:
    """`line` answered on `chain`, and how long it took (ms); an error answer stops the bench (it measures answers)."""
    started = time.perf_counter()
    result, _ = await run_line(chain, line)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if isinstance(result, ErrorResult):
        raise RuntimeError(f"{line}: {result.message}")
    return result, elapsed_ms


@dataclass(frozen=True)
class ColdAnswer:
    result: Result
    ms: float
    round_trips: int
    requests: int
    rereads: int  # reads asked again at the answer's block


async def cold_answer(url: str, line: str) -> ColdAnswer:
    """`line` on a new client (nothing kept): the answer, its time, its round trips and requests."""
    log = RequestLog()
    chain = make_chain(url, log)
    try:
        result, elapsed_ms = await timed(chain, line)
        return ColdAnswer(result, elapsed_ms, log.sequential_round_trips(), log.total, chain.rpc.stats.rereads)
    finally:
        await chain.aclose()


async def measure_command(url: str, line: str, repeats: int) -> dict[str, Any]:
    """Cold: a fresh client each run (empty caches). Warm: the same client, run again right after."""
    cold_ms: list[float] = []
    warm_ms: list[float] = []
    cold_rt: list[int] = []
    warm_rt: list[int] = []
    cold_total: list[int] = []
    warm_total: list[int] = []
    rereads = 0
    for _ in range(repeats):
        log = RequestLog()
        chain = make_chain(url, log)
        try:
            cold_ms.append((await timed(chain, line))[1])
            cold_rt.append(log.sequential_round_trips())
            cold_total.append(log.total)
            rereads += chain.rpc.stats.rereads
            log.reset()
            warm_ms.append((await timed(chain, line))[1])
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
        "rereads": rereads,  # reads asked again at the answer's block (the head does not move here)
    }


async def burst(
    url: str, accounts: list[str], *, latency_ms: int, commands: int = 500, users: int = 100, window_s: float = 1.0
) -> dict[str, Any]:
    """`commands` commands from `users` users over `accounts`, arriving uniformly within `window_s`, through one
    shared chain client as the bot runs them.

    The politeness floor is how long the distinct RPC reads take at the client's in-flight limit: distinct reads ÷
    limit × L. (The staking index is another endpoint with its own limit; its reads overlap the RPC's.)"""
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

    in_flight = chain.rpc.policy.per_endpoint_concurrency
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        await asyncio.gather(*(one(delay, kind, account) for delay, _user, kind, account in plan))
    finally:
        await chain.aclose()
    p99 = percentile(latencies, 0.99)
    floor_ms = log.distinct_rpc_reads / in_flight * latency_ms
    return {
        "commands": commands,
        "users": users,
        "accounts": len(accounts),
        "window_s": window_s,
        "wall_s": round(time.perf_counter() - started, 2),
        "failures": len(failures),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(p99, 1),
        "rpc_requests": log.total,  # every HTTP request: the RPC's and the staking index's
        "distinct_reads": log.distinct_reads,
        "requests_per_distinct_read": round(log.total / log.distinct_reads, 3),
        "distinct_rpc_reads": log.distinct_rpc_reads,
        "in_flight_per_endpoint": in_flight,
        "floor_ms": round(floor_ms, 1),
        "p99_over_floor": round(p99 / floor_ms, 3),
        "cpu_s": round(time.process_time() - cpu_started, 2),
        "distinct_commands": len(distinct_reads),
    }


async def cpu_per_command(url: str, line: str, runs: int) -> dict[str, float]:
    """Milliseconds of this process's CPU per command against a sandbox without latency, the bot in one process:
    cold (every cache emptied first, connections kept, as for a new account in a running bot) and warm."""
    chain = make_chain(url, RequestLog())
    try:
        await run_line(chain, line)  # connections open, code paths loaded
        started = time.process_time()
        for _ in range(runs):
            chain.rpc.clear_cache()
            chain.indexer.clear_cache()
            await run_line(chain, line)
        cold = (time.process_time() - started) / runs * 1000
        started = time.process_time()
        for _ in range(runs):
            await run_line(chain, line)
        warm = (time.process_time() - started) / runs * 1000
    finally:
        await chain.aclose()
    return {"command": line, "cold_cpu_ms": round(cold, 2), "warm_cpu_ms": round(warm, 2)}


async def moving_head(url: str, line: str, runs: int, block_every_s: float) -> dict[str, Any]:
    """`line`, cold, while the sandbox produces a block every `block_every_s` seconds (mainnet: about 0.6 s): what
    keeping one block per answer costs when the final block moves during an answer."""
    stop = asyncio.Event()

    async def produce(http: httpx.AsyncClient) -> None:
        while not stop.is_set():
            await asyncio.sleep(block_every_s)
            (await http.post(f"{url}/sandbox/advance", json={"blocks": 1})).raise_for_status()

    round_trips, requests, rereads, timings = [], [], 0, []
    async with httpx.AsyncClient(timeout=30) as http:
        producer = asyncio.ensure_future(produce(http))
        try:
            for _ in range(runs):
                answer = await cold_answer(url, line)
                timings.append(answer.ms)
                rereads += answer.rereads
                round_trips.append(answer.round_trips)
                requests.append(answer.requests)
                await asyncio.sleep(random.uniform(0, block_every_s))  # start at any point of a block's life
        finally:
            stop.set()
            await producer
    return {
        "command": line,
        "block_every_s": block_every_s,
        "runs": runs,
        "p50_ms": round(statistics.median(timings), 1),
        "round_trips_max": max(round_trips),
        "round_trips_mean": round(statistics.mean(round_trips), 2),
        "requests_mean": round(statistics.mean(requests), 2),
        "rereads": rereads,
    }
