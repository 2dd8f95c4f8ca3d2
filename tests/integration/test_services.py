"""Answers (epoch, pool, status, unbonding) checked against the sandbox chain's own state, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.near import errors
from bot.near.indexer import IndexerClient
from bot.near.pools import NotAStakingPool
from bot.near.rpc import NearRpcClient
from bot.render.text import render_text
from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.views import validators_view
from bot.services.chain import Chain
from bot.services.epoch import get_epoch
from bot.services.pool import get_pool
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding
from tests.conftest import FAST_POLICY

E = SCENARIO.epoch_height
View = Callable[[str, str, dict[str, Any] | None], Any]


async def test_epoch_is_measured_from_block_timestamps(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_epoch(chain)
    sandbox_chain = sandbox.chain
    timeline = sandbox_chain.timeline
    head = sandbox_chain.final_height()
    start = sandbox_chain.epoch_start_height
    assert result.epoch_height == sandbox_chain.epoch_height == E
    assert (result.head_height, result.epoch_start_height, result.epoch_length) == (head, start, 43_200)
    assert result.blocks_left == start + 43_200 - head
    expected_avg_ns = (timeline.timestamp_ns(head) - timeline.timestamp_ns(start)) // (head - start)
    assert result.avg_block_seconds == round(expected_avg_ns / 1e9, 6)
    expected_end = (timeline.timestamp_ns(head) + result.blocks_left * expected_avg_ns) // 10**9
    assert result.estimated_end_unix == expected_end


async def test_epoch_just_started_measures_over_a_longer_window(chain: Chain, sandbox: ThreadedSandbox) -> None:
    head = sandbox.chain.head_height
    sandbox.advance(blocks=sandbox.chain.epoch_start_height + 43_200 + 10 - head)
    result = await get_epoch(chain)
    assert result.epoch_height == E + 1
    assert result.sample_blocks >= 1_000  # not the 8 blocks of the new epoch
    assert 0.5 < result.avg_block_seconds < 0.7


@pytest.mark.parametrize(
    ("role", "status", "in_next"),
    [
        ("alpha", "active", True),
        ("charlie", "active", True),
        ("kicked", "kicked_out", False),
        ("proposal", "proposal", True),
        ("paused", "inactive", False),
        ("chunkval", "active", True),
    ],
)
async def test_pool_facts_and_validator_status(chain: Chain, truth: View, role: str, status: str, in_next: bool) -> None:
    pool_id = SCENARIO.pool_id(role)
    result = await get_pool(chain, pool_id)
    fee = truth(pool_id, "get_reward_fee_fraction", None)
    assert result.owner_id == truth(pool_id, "get_owner_id", None) == SCENARIO.pools[role].owner_id
    assert (result.fee_numerator, result.fee_denominator) == (fee["numerator"], fee["denominator"])
    assert result.total_staked_yocto == int(truth(pool_id, "get_total_staked_balance", None))
    assert result.paused == (role == "paused")
    assert result.contract_kind == SCENARIO.pools[role].contract
    assert result.validator_status == status
    assert result.validator.in_next_epoch == in_next
    assert result.delegator_count == truth(pool_id, "get_number_of_accounts", None)
    if role == "kicked":
        assert result.validator.kickout_reason == "produced too few blocks (97 of 412 expected)"


async def test_chunk_validator_pool_shows_its_endorsements_and_threshold(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_pool(chain, "chunkval.poolv1.near")
    v = result.validator
    seat = next(s for s in sandbox.run_on_loop(lambda: validators_view(sandbox.chain, sandbox.chain.head_height))[
        "current_validators"] if s["account_id"] == "chunkval.poolv1.near")
    produced, expected = seat["num_produced_endorsements"], seat["num_expected_endorsements"]
    assert (v.role, v.expected_blocks, v.expected_chunks) == ("chunk_validator", 0, 0)
    assert (v.produced_endorsements, v.expected_endorsements) == (produced, expected)
    assert v.uptime_percent == produced * 10_000 // expected / 100 and 95 < v.uptime_percent < 96
    assert v.kickout_threshold_percent == 70 and not v.low_uptime
    text = render_text(result)
    assert "this epoch: chunk validator (endorses chunks only" in text
    assert f"endorsements: {produced:,} of {expected:,} expected ({v.uptime_percent:g}%), kicked out below 70%" in text


@pytest.mark.parametrize("not_a_pool", ["nocontract.near", "token.sandbox.near"])
async def test_pool_refuses_accounts_that_are_not_pools(chain: Chain, not_a_pool: str) -> None:
    with pytest.raises(NotAStakingPool):
        await get_pool(chain, not_a_pool)


@pytest.mark.parametrize("account", ["alice.near", "bob.near", "carol.near", "dave.near", "erin.near"])
async def test_status_lists_every_delegation_exactly(chain: Chain, sandbox: ThreadedSandbox, truth: View, account: str) -> None:
    result = await get_status(chain, account)
    expected_account = sandbox.run_on_loop(lambda: sandbox.chain.view_account(account))
    assert result.amount_yocto == int(expected_account["amount"])
    assert result.locked_yocto == int(expected_account["locked"])
    expected = {}
    for pool_id in SCENARIO.pools.values():
        row = truth(pool_id.pool_id, "get_account", {"account_id": account})
        if row["staked_balance"] != "0" or row["unstaked_balance"] != "0":
            expected[pool_id.pool_id] = (int(row["staked_balance"]), int(row["unstaked_balance"]), row["can_withdraw"])
    got = {d.pool_id: (d.staked_yocto, d.unstaked_yocto, d.can_withdraw) for d in result.delegations}
    assert got == expected
    assert result.delegations_complete


async def test_status_with_the_index_down_says_it_may_be_partial(chain: Chain, sandbox: ThreadedSandbox) -> None:
    sandbox.set_faults(0, [{"kind": "status", "status": 503, "method": "api"}])
    result = await get_status(chain, "bob.near")
    assert not result.delegations_complete
    assert result.delegations == []
    assert any("may be partial" in note for note in result.notes)
    named = await get_status(chain, "bob.near", ["alpha.poolv1.near"])
    assert [d.pool_id for d in named.delegations] == ["alpha.poolv1.near"]
    assert named.delegations[0].can_withdraw


async def test_status_of_unknown_account_and_bad_ids(chain: Chain) -> None:
    with pytest.raises(errors.AccountNotFound):
        await get_status(chain, "ghost.near")
    with pytest.raises(errors.InvalidInput, match="lowercase"):
        await get_status(chain, "Alice.near")


async def test_status_reports_a_named_non_pool_as_a_problem_not_a_crash(chain: Chain) -> None:
    result = await get_status(chain, "alice.near", ["token.sandbox.near"])
    assert [p.pool_id for p in result.pool_problems] == ["token.sandbox.near"]
    assert len(result.delegations) == 3


async def test_unbonding_reads_the_exact_epoch_from_pool_storage(chain: Chain) -> None:
    result = await get_unbonding(chain, "alice.near")
    entries = {e.pool_id: e for e in result.entries}
    assert result.current_epoch == E
    for pool_role in ("bravo", "mega"):
        pool_id = SCENARIO.pool_id(pool_role)
        entry = entries[pool_id]
        assert entry.available_epoch == SCENARIO.delegation("alice.near", pool_id).available_epoch
        assert entry.available_epoch_source == "state"
        assert not entry.can_withdraw
        assert entry.estimated_available_unix is not None
        assert entry.estimate_earliest_unix < entry.estimated_available_unix < entry.estimate_latest_unix


async def test_unbonding_staking_farm_layout(chain: Chain) -> None:
    result = await get_unbonding(chain, "carol.near")
    (entry,) = [e for e in result.entries if e.pool_id == "charlie.pool.near"]
    assert (entry.available_epoch, entry.available_epoch_source, entry.epochs_left) == (E + 1, "state", 1)


async def test_unbonding_becomes_withdrawable_after_time_travel(chain: Chain, sandbox: ThreadedSandbox) -> None:
    before = (await get_unbonding(chain, "carol.near")).entries[0]
    assert not before.can_withdraw
    sandbox.advance(epochs=1)
    after = (await get_unbonding(chain, "carol.near", ["charlie.pool.near"])).entries[0]
    assert after.can_withdraw
    assert after.epochs_left == 0
    assert after.available_epoch == E + 1


async def test_a_new_unstake_restarts_the_wait(chain: Chain, sandbox: ThreadedSandbox) -> None:
    outcome = sandbox.call("bob.near", "alpha.poolv1.near", "unstake", {"amount": str(10**24)})
    assert outcome["ok"], outcome
    (entry,) = [e for e in (await get_unbonding(chain, "bob.near")).entries if e.pool_id == "alpha.poolv1.near"]
    assert not entry.can_withdraw
    assert entry.available_epoch == E + 4


async def test_unbonding_falls_back_honestly_when_the_node_refuses_large_state() -> None:
    with ThreadedSandbox(node_options={"paginated_view_state": False}) as sandbox:
        chain = Chain("mainnet", NearRpcClient([sandbox.url], FAST_POLICY), IndexerClient(sandbox.url, policy=FAST_POLICY))
        try:
            result = await get_unbonding(chain, "alice.near")
        finally:
            await chain.aclose()
    entries = {e.pool_id: e for e in result.entries}
    mega = entries["mega.poolv1.near"]
    assert mega.available_epoch is None and mega.available_epoch_source == "unknown"
    assert mega.estimated_available_unix is None
    assert mega.latest_possible_epoch == E + 4
    assert "too large" in (mega.source_note or "")
    assert entries["bravo.poolv1.near"].available_epoch == E + 4  # small pools still read exactly


async def test_status_includes_lockup_and_liquid_staking(chain: Chain, sandbox: ThreadedSandbox, truth: View) -> None:
    import json

    from bot.near.account_id import lockup_account_id

    def at_final_block(account_id: str, method: str) -> int:  # the bot reads lockups at the final block
        height = sandbox.chain.final_height()
        raw = sandbox.run_on_loop(lambda: sandbox.chain.view_call(account_id, method, b"{}", block_height=height))
        return int(json.loads(raw))

    sam = await get_status(chain, "sam.near")
    assert sam.lockup is not None
    assert sam.lockup.lockup_id == lockup_account_id("sam.near")
    assert sam.lockup.locked_yocto == at_final_block(sam.lockup.lockup_id, "get_locked_amount")
    assert sam.lockup.liquid_owners_balance_yocto == at_final_block(sam.lockup.lockup_id, "get_liquid_owners_balance")
    assert sam.lockup.staking_pool_id == "bravo.poolv1.near"
    alice = await get_status(chain, "alice.near")
    assert alice.lockup is None
    holdings = {h.contract_id: h for h in alice.liquid}
    assert set(holdings) == {"meta-pool.near", "linear-protocol.near"}
    meta = holdings["meta-pool.near"]
    assert meta.token_balance == int(truth("meta-pool.near", "ft_balance_of", {"account_id": "alice.near"}))


async def test_unbonding_includes_liquid_staking_unstakes(chain: Chain, sandbox: ThreadedSandbox) -> None:
    result = await get_unbonding(chain, "bob.near")
    meta = next(e for e in result.entries if e.pool_id == "meta-pool.near")
    assert (meta.available_epoch, meta.available_epoch_source, meta.can_withdraw) == (E + 2, "contract", False)
    assert meta.estimated_available_unix is not None
    sandbox.advance(epochs=2)
    meta = next(e for e in (await get_unbonding(chain, "bob.near")).entries if e.pool_id == "meta-pool.near")
    assert meta.can_withdraw
    named = await get_unbonding(chain, "bob.near", ["alpha.poolv1.near"])
    assert [e.pool_id for e in named.entries] == ["alpha.poolv1.near"]
