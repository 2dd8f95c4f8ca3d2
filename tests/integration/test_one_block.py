"""One block per answer: `epoch` and `unbonding` at the edges of an epoch, where the head (what `validators [null]`
describes) is already in the next epoch while the final block (what `query` reads) is still in the previous one."""

from __future__ import annotations

import json

import pytest

from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.services.chain import Chain
from bot.services.epoch import get_epoch
from bot.services.unbonding import get_unbonding

E = SCENARIO.epoch_height
EDGES = [("first", 0), ("first", 1), ("first", 2), ("first", 3), ("last", 0), ("last", 1)]


@pytest.mark.parametrize(("edge", "offset"), EDGES)
async def test_epoch_figures_all_describe_the_final_block(
    chain: Chain, sandbox: ThreadedSandbox, edge: str, offset: int
) -> None:
    sandbox.advance_to_epoch_edge(edge, offset)
    timeline = sandbox.chain.timeline
    final = sandbox.chain.final_height()
    result = await get_epoch(chain)
    assert result.head_height == final
    assert result.epoch_height == timeline.epoch_of(final)
    assert result.epoch_start_height == timeline.epoch_start(result.epoch_height)
    assert 0 < result.blocks_left <= result.epoch_length
    assert result.blocks_into_epoch + result.blocks_left == result.epoch_length
    assert result.head_unix == timeline.timestamp_ns(final) // 10**9


async def test_first_block_of_an_epoch_is_not_reported_as_43201_blocks_left(
    chain: Chain, sandbox: ThreadedSandbox
) -> None:
    sandbox.advance_to_epoch_edge("first", 0)  # the head is the new epoch's first block; the final block is not
    result = await get_epoch(chain)
    assert result.epoch_height == E  # the final block's epoch, not the head's
    assert result.blocks_left == 2 and result.head_height == sandbox.chain.epoch_start_height - 2


@pytest.mark.parametrize(("offset", "epoch", "withdrawable"), [(0, E, False), (1, E, False), (2, E + 1, True)])
async def test_unbonding_at_an_epoch_start_never_contradicts_itself(
    chain: Chain, sandbox: ThreadedSandbox, offset: int, epoch: int, withdrawable: bool
) -> None:
    # carol.near unstaked all of charlie.pool.near three epochs ago: withdrawable from epoch E + 1.
    sandbox.advance_to_epoch_edge("first", offset)
    result = await get_unbonding(chain, "carol.near")
    (entry,) = [e for e in result.entries if e.pool_id == "charlie.pool.near"]
    assert result.block_height == sandbox.chain.final_height()
    assert result.current_epoch == epoch == sandbox.chain.timeline.epoch_of(result.block_height)
    assert entry.available_epoch == E + 1
    assert entry.can_withdraw is withdrawable
    assert entry.epochs_left == (0 if withdrawable else 1)
    # The pool's own answer at that same block agrees.
    truth = sandbox.run_on_loop(lambda: sandbox.chain.view_call(
        "charlie.pool.near", "get_account", json.dumps({"account_id": "carol.near"}).encode(),
        block_height=result.block_height))
    assert json.loads(truth)["can_withdraw"] is withdrawable


@pytest.mark.parametrize(("edge", "offset"), EDGES)
async def test_every_unbonding_entry_agrees_with_its_epoch(
    chain: Chain, sandbox: ThreadedSandbox, edge: str, offset: int
) -> None:
    sandbox.advance(epochs=3)  # alice's pools unlock at E + 3 and E + 4: put the edges right there
    sandbox.advance_to_epoch_edge(edge, offset)
    result = await get_unbonding(chain, "alice.near")
    assert result.current_epoch == sandbox.chain.timeline.epoch_of(result.block_height)
    for entry in result.entries:
        if entry.available_epoch_source == "state":
            assert entry.can_withdraw is (result.current_epoch >= entry.available_epoch), entry
            assert entry.epochs_left == max(0, entry.available_epoch - result.current_epoch), entry
