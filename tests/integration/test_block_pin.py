"""One block per answer at no round trip of its own (BlockPin), and a burst that sends each read once: the RPC and
staking-index clients against the sandbox over real HTTP, with the final block moved under the first reads by a
lagging answer (the `stale` fault), latency, and a counting request observer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.near import errors
from bot.near.account_id import lockup_account_id
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient
from bot.sandbox import ThreadedSandbox
from bot.services.chain import Chain
from bot.services.lockup_transfer import plan_lockup_transfer
from bot.services.status import get_status
from bot.services.venear_actions import plan_venear
from bot.settings import load_settings
from tests.conftest import FAST_POLICY

LAG = 4  # blocks the first answered read lags behind: what a final block that moves in between looks like


def lagging_first_read(sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [
        {"kind": "latency", "ms": 30},
        {"kind": "stale", "blocks": LAG, "method": "query", "count": 1},
    ])


async def test_every_read_of_an_answer_describes_one_block_even_when_the_first_reads_come_from_two(
    sandbox: ThreadedSandbox,
) -> None:
    lagging_first_read(sandbox)
    final = sandbox.chain.final_height()
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        answer = rpc.at_final()
        account, pool, state = await asyncio.gather(
            answer.view_account("alice.near"),
            answer.call_function("alpha.poolv1.near", "get_account", {"account_id": "alice.near"}),
            answer.view_state("bravo.poolv1.near", b"STATE", limit=1),
        )
        with pytest.raises(errors.AccountNotFound) as missing:
            await answer.view_account("ghost.near")
        block = await answer.block()
        height = answer.pinned_height
        assert height in (final, final - LAG)
        assert {account.block_height, pool.block_height, state.block_height, missing.value.block_height} == {height}
        assert block.header.height == height
        assert rpc.stats.rereads >= 1  # the read from the other block was asked again at the answer's block


async def test_status_figures_are_the_lockups_own_at_the_answers_block_when_the_final_block_moves(
    chain: Chain, sandbox: ThreadedSandbox
) -> None:
    # lena.near's lockup releases linearly right now: its locked amount differs from one block to the next.
    lagging_first_read(sandbox)
    status = await get_status(chain, "lena.near")
    lockup_id = lockup_account_id("lena.near")

    def contract_view(method: str) -> int:
        raw = sandbox.run_on_loop(
            lambda: sandbox.chain.view_call(lockup_id, method, b"{}", block_height=status.block_height))
        return int(json.loads(raw))

    assert status.block_height in (sandbox.chain.final_height(), sandbox.chain.final_height() - LAG)
    assert status.lockup is not None and status.lockup.lockup_id == lockup_id
    assert status.lockup.locked_yocto == contract_view("get_locked_amount")
    assert status.lockup.liquid_owners_balance_yocto == contract_view("get_liquid_owners_balance")


async def test_a_read_pinned_to_a_block_waits_for_the_same_read_on_its_way_at_the_final_block(
    sandbox: ThreadedSandbox,
) -> None:
    sandbox.set_faults(0, [{"kind": "latency", "ms": 100}])
    height = sandbox.chain.final_height()
    async with NearRpcClient([sandbox.url], replace(FAST_POLICY, immutable_cache_ttl=30.0)) as rpc:
        # An answer whose block is not fixed yet reads at the final block; another one, fixed at `height`, asks too.
        final, pinned = await asyncio.gather(
            rpc.at_final().view_account("alice.near"), rpc.view_account("alice.near", block_id=height)
        )
        assert final.block_height == pinned.block_height == height
        assert rpc.stats.http_requests == 1  # one request: the answer at the final block was the one at `height`
        await rpc.view_account("alice.near", block_id=height)
        assert rpc.stats.http_requests == 1  # and it is kept as the answer at that height


async def test_answers_that_start_soon_after_a_final_answer_share_its_block(sandbox: ThreadedSandbox) -> None:
    async with NearRpcClient([sandbox.url], replace(FAST_POLICY, cache_ttl=30.0)) as rpc:
        seen = (await rpc.view_account("alice.near")).block_height
        sandbox.advance(blocks=3)
        answer = rpc.at_final()
        assert answer.pinned_height == seen  # within the final cache's time-to-live: that block
        assert (await answer.view_account("bob.near")).block_height == seen
        assert answer.at_final() is answer  # every part of an answer reads at the same block
        rpc.clear_cache()
        assert rpc.at_final().pinned_height is None  # nothing recent known: the first answer will fix the block
    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:  # no final cache, no sharing
        await rpc.view_account("alice.near")
        assert rpc.at_final().pinned_height is None


async def test_a_fact_read_once_an_epoch_is_read_again_in_the_next(sandbox: ThreadedSandbox) -> None:
    reads = 0

    async def read() -> int:
        nonlocal reads
        reads += 1
        return reads

    async with NearRpcClient([sandbox.url], FAST_POLICY) as rpc:
        first = rpc.at_final()
        assert await first.per_epoch("fact", read) == 1
        second = rpc.at_final()
        await second.block()
        assert await second.per_epoch("fact", read) == 1 and reads == 1
        sandbox.advance(epochs=1)
        third = rpc.at_final()
        await third.block()
        assert await third.per_epoch("fact", read) == 2


def counting_observer() -> tuple[Callable[[str, bytes], Callable[[], None]], Callable[[], int]]:
    live = peak = 0

    def observe(url: str, body: bytes) -> Callable[[], None]:
        nonlocal live, peak
        live += 1
        peak = max(peak, live)

        def done() -> None:
            nonlocal live
            live -= 1

        return done

    return observe, lambda: peak


async def test_requests_in_flight_never_exceed_the_configured_limit(sandbox: ThreadedSandbox) -> None:
    settings = load_settings(rpc_in_flight_per_endpoint=3, near_rpc_urls=[sandbox.url], near_indexer_api=sandbox.url)
    chain = Chain.from_settings(settings)
    assert chain.rpc.policy.per_endpoint_concurrency == chain.indexer.policy.per_endpoint_concurrency == 3
    await chain.aclose()
    sandbox.set_faults(0, [{"kind": "latency", "ms": 50}])
    observe, peak = counting_observer()
    policy = replace(FAST_POLICY, per_endpoint_concurrency=settings.rpc_in_flight_per_endpoint)
    async with NearRpcClient([sandbox.url], policy, observer=observe) as rpc:
        accounts = await asyncio.gather(*(rpc.view_account(f"delegator-{i:03d}.near") for i in range(12)))
    assert len(accounts) == 12 and peak() == 3


async def test_one_index_request_for_many_answers_about_one_account(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "latency", "ms": 100, "method": "api"}])
    listed = await asyncio.gather(*(chain.indexer.staking_pools("bob.near") for _ in range(10)))
    assert all(found.pool_ids == listed[0].pool_ids for found in listed)
    assert chain.indexer.requests == 1


@pytest.mark.parametrize("plan", [
    pytest.param(lambda chain: plan_lockup_transfer(chain, "lena.near", "1", "bob.near", lockup_account_id("lena.near")),
                 id="transfer"),
    pytest.param(lambda chain: plan_venear(chain, "lock", "hana.near", "1"), id="venear"),
])
async def test_lockup_planners_read_everything_at_the_answers_block(
    sandbox: ThreadedSandbox, plan: Callable[[Chain], Any]
) -> None:
    # Once the first answer fixed the block, every later read (the receiver, the owner's gas balance) names it.
    queries: list[dict[str, Any]] = []

    def observe(url: str, body: bytes) -> Callable[[], None]:
        request = json.loads(body)
        if request["method"] == "query":
            queries.append(request["params"])
        return lambda: None

    async with NearRpcClient([sandbox.url], FAST_POLICY, observer=observe) as rpc:
        await plan(Chain(network="mainnet", rpc=rpc, indexer=IndexerClient(sandbox.url, policy=FAST_POLICY)))
    first_pinned = next(i for i, params in enumerate(queries) if "block_id" in params)
    assert all("block_id" in params for params in queries[first_pinned:]), queries[first_pinned:]
    assert len({params["block_id"] for params in queries[first_pinned:]}) == 1
