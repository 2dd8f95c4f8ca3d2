"""What a scan of the validator set costs: `status <account> --scan` against a validator set of mainnet's size.

Mainnet's epoch config (core/primitives/res/epoch_configs/mainnet/85.json) allows 100 block producers and up to 500
chunk-validator seats, so the set is measured at 500 pools (current validators, a few proposals and kicked-out
pools). The account holds one delegation the index lists and one it omits. The sandbox runs in a child process with
latency L per request; the bot side is the real client with its per-endpoint politeness limit (16 in flight).
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.commands import cold_answer, percentile
from bench.sandbox_process import chain_server
from bot.services.results import StatusResult

NEAR = 10**24
ACCOUNT = "holder.near"


def _build_chain(pools: int) -> Any:
    from bot.sandbox.chain import SandboxChain, Seat, ValidatorRole
    from bot.sandbox.contracts import Env
    from bot.sandbox.hashing import digest
    from bot.sandbox.pool import poolv1

    chain = SandboxChain()
    chain.create_account(ACCOUNT, 10_000 * NEAR)
    for p in range(pools):
        pool_id, owner = f"pool{p:04d}.poolv1.near", f"owner{p:04d}.near"
        chain.create_account(owner, 100_000 * NEAR)
        chain.create_account(pool_id, 30 * NEAR)
        pool = poolv1(owner, digest("key", pool_id), (10, 100))
        chain.deploy(pool_id, pool)
        pool.initialize(Env(chain, pool_id, predecessor_account_id=owner))
        chain.call(owner, pool_id, "deposit_and_stake", {}, (90_000 - p * 100) * NEAR)
        if p < 100:
            chain.set_validator(pool_id, ValidatorRole.ACTIVE)
        elif p < pools - 20:
            chain.set_validator(pool_id, ValidatorRole.ACTIVE, seat=Seat.CHUNK_VALIDATOR)
        elif p < pools - 10:
            chain.set_validator(pool_id, ValidatorRole.PROPOSAL)
        else:
            chain.set_validator(pool_id, ValidatorRole.KICKED, {"NotEnoughChunkEndorsements": {"expected": 10, "produced": 1}})
    chain.call(ACCOUNT, "pool0003.poolv1.near", "deposit_and_stake", {}, 100 * NEAR)
    chain.call(ACCOUNT, f"pool{pools - 30:04d}.poolv1.near", "deposit_and_stake", {}, 2_000 * NEAR)
    chain.index_omissions.add((ACCOUNT, f"pool{pools - 30:04d}.poolv1.near"))
    return chain


async def _cold(url: str, line: str, repeats: int) -> dict[str, Any]:
    timings, requests, round_trips = [], [], []
    for _ in range(repeats):
        answer = await cold_answer(url, line)
        result = answer.result
        if not isinstance(result, StatusResult):
            raise RuntimeError(f"{line}: not a status answer")
        timings.append(answer.ms)
        requests.append(answer.requests)
        round_trips.append(answer.round_trips)
        found = len(result.delegations)
    return {
        "command": line,
        "cold_p50_ms": round(statistics.median(timings), 1),
        "cold_p99_ms": round(percentile(timings, 0.99), 1),
        "requests": max(requests),
        "round_trips": max(round_trips),
        "delegations_found": found,
        "scanned_pools": result.scanned_pools,
    }


async def run(pools: int = 500, latency_ms: int = 50, repeats: int = 5) -> dict[str, Any]:
    with chain_server(_build_chain, (pools,), latency_ms) as url:
        plain = await _cold(url, f"status {ACCOUNT}", repeats)
        scan = await _cold(url, f"status {ACCOUNT} --scan", repeats)
    return {"validator_set": pools, "plain": plain, "scan": scan}
