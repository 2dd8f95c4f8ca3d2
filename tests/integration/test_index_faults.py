"""The staking-index client retries like the RPC client, and `status` keeps finding every pool when the node and the
index both misbehave (injected faults on 127.0.0.1, deterministic schedules)."""

from __future__ import annotations

import time

import pytest

from bot.near import errors
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient
from bot.sandbox import ThreadedSandbox
from bot.services.chain import Chain
from bot.services.status import get_status
from tests.conftest import FAST_POLICY

BOB_POOLS = {"alpha.poolv1.near", "charlie.pool.near"}


async def test_index_is_retried_through_429_5xx_and_a_malformed_body(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [
        {"kind": "status", "status": 429, "retry_after": 1, "method": "api", "count": 1},
        {"kind": "status", "status": 503, "method": "api", "count": 1},
        {"kind": "malformed", "method": "api", "count": 1},
    ])
    started = time.monotonic()
    assert set((await chain.indexer.staking_pools("bob.near")).pool_ids) == BOB_POOLS
    assert chain.indexer.requests == 4
    assert time.monotonic() - started >= 1.0  # the Retry-After was honoured, not hammered


async def test_index_gives_up_within_the_deadline_and_status_says_what_it_checked(
    chain: Chain, sandbox: ThreadedSandbox
) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 502, "method": "api"}])
    started = time.monotonic()
    with pytest.raises(errors.IndexerUnavailable):
        await chain.indexer.staking_pools("bob.near")
    assert time.monotonic() - started <= FAST_POLICY.deadline + 1.0
    assert 1 < chain.indexer.requests <= FAST_POLICY.max_attempts
    status = await get_status(chain, "bob.near")
    assert status.delegations == [] and status.delegations_complete is False
    assert status.delegations_checked == "no pools from the staking index (it could not be read)"
    assert any("could not be read" in note for note in status.notes)


async def test_index_client_error_is_final(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 400, "method": "api", "count": 5}])
    with pytest.raises(errors.IndexerUnavailable, match="HTTP 400"):
        await chain.indexer.staking_pools("bob.near")
    assert chain.indexer.requests == 1
    # An id that is not an account id never reaches the index (nor a URL).
    with pytest.raises(errors.InvalidInput):
        await chain.indexer.staking_pools("Not_A_Valid-")
    assert chain.indexer.requests == 1


async def test_status_finds_both_pools_under_429s_5xx_and_malformed_bodies(sandbox: ThreadedSandbox) -> None:
    # Every 20 requests to the node and the index alike: 5 answer 429, 3 a 5xx, 1 a cut body. (Retry-After 0 keeps
    # the test short; honouring a real wait is tested above.)
    sandbox.set_faults(0, [
        {"kind": "status", "status": 429, "retry_after": 0, "period": 20, "slots": [0, 4, 8, 12, 16]},
        {"kind": "status", "status": 500, "period": 20, "slots": [2]},
        {"kind": "status", "status": 502, "period": 20, "slots": [9]},
        {"kind": "status", "status": 503, "period": 20, "slots": [14]},
        {"kind": "malformed", "period": 20, "slots": [6]},
    ])
    for _ in range(6):
        chain = Chain("mainnet", NearRpcClient([sandbox.url], FAST_POLICY), IndexerClient(sandbox.url, policy=FAST_POLICY))
        try:
            status = await get_status(chain, "bob.near")
        finally:
            await chain.aclose()
        assert {d.pool_id for d in status.delegations} == BOB_POOLS
        assert status.delegations_complete is True
