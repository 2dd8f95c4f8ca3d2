""""When can I withdraw?": for every pool holding unstaked NEAR, the exact epoch and an estimated time.

Facts (near-staking.md §2.4): unstake in epoch E sets `unstaked_available_epoch_height = E + 4`; withdraw works
once the current epoch ≥ that; one field per delegator, so every new unstake restarts the wait for the whole
unstaked balance; nothing is paid out automatically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.near import errors
from bot.near.contracts import ContractKind, account_contract_kind
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.pool_state import StateRead, StateSource, read_pool_account
from bot.near.pools import Delegation, get_delegation
from bot.services.chain import Chain
from bot.services.delegations import parse_account, scan_delegations
from bot.services.estimates import estimate_entry
from bot.services.liquid import liquid_positions, liquid_unbonding_entries
from bot.services.lockup import lockup_summary
from bot.services.results import UnbondingEntry, UnbondingResult

NUM_EPOCHS_TO_UNLOCK = 4  # core-contracts staking-pool/src/lib.rs (near-staking.md §2.1)

RULES = [
    "Unstaked NEAR earns no rewards while it waits.",
    "Withdraw is a separate step: nothing returns to your wallet by itself once the wait is over.",
    "A new unstake in the same pool restarts the wait for the whole unstaked balance there; withdraw first.",
]


async def _pool_kind(chain: Chain, pool_id: str) -> ContractKind:
    try:
        return account_contract_kind(await chain.rpc.view_account(pool_id))
    except errors.NearError:
        return ContractKind.UNKNOWN


async def _read_layout(chain: Chain, delegation: Delegation, layout: ContractKind) -> StateRead:
    read = await read_pool_account(chain.rpc, delegation.pool_id, delegation.account_id, layout, delegation.block_height)
    if read.record is not None and read.record.unstaked != delegation.unstaked:
        # Storage and get_account disagree at the same block: this is not the pool's layout.
        return StateRead(None, StateSource.UNKNOWN, "the pool's storage does not match its get_account view")
    return read


async def _read_epoch(chain: Chain, delegation: Delegation) -> StateRead:
    # The core-pool layout is by far the most common: read it while the code hash is looked up (one round trip
    # saved); a staking-farm pool then costs one more read.
    kind, core = await asyncio.gather(
        _pool_kind(chain, delegation.pool_id), _read_layout(chain, delegation, ContractKind.POOLV1)
    )
    if kind is ContractKind.POOLV1 or (kind is not ContractKind.STAKING_FARM and core.record is not None):
        return core
    farm = await _read_layout(chain, delegation, ContractKind.STAKING_FARM)
    if kind is ContractKind.STAKING_FARM or farm.record is not None:
        return farm
    return StateRead(None, StateSource.UNKNOWN, "the pool's contract is not a known staking pool")


def _entry(delegation: Delegation, read: StateRead, clock: EpochClock) -> UnbondingEntry:
    epoch = read.record.unstaked_available_epoch_height if read.record else None
    latest_possible = None
    if epoch is None and not delegation.can_withdraw:
        latest_possible = clock.epoch_height + NUM_EPOCHS_TO_UNLOCK  # the last unstake happened at or before now
    return estimate_entry(
        clock,
        pool_id=delegation.pool_id,
        unstaked=delegation.unstaked,
        staked=delegation.staked,
        can_withdraw=delegation.can_withdraw,
        available_epoch=epoch,
        source="state" if read.record else "unknown",
        latest_possible_epoch=latest_possible,
        source_note=read.reason,
    )


async def _lockup_delegations(chain: Chain, owner_id: str, named: Sequence[str]) -> list[Delegation]:
    """The owner's lockup stake in its selected pool, when part of it is unstaked (it is the lockup's, not the
    owner's own delegation, so the pool lists it under the lockup account)."""
    try:
        summary = await lockup_summary(chain, owner_id)
        if summary is None or summary.staking_pool_id is None or (named and summary.staking_pool_id not in named):
            return []
        if summary.lockup_id == owner_id:
            return []  # asked about the lockup account itself: its delegations are already its own
        delegation = await get_delegation(chain.rpc, summary.staking_pool_id, summary.lockup_id)
    except errors.NearError:
        return []  # the lockup has its own command; this list must not fail because of it
    return [delegation] if delegation.unstaked > 0 else []


async def get_unbonding(chain: Chain, account_id: str, pools: Sequence[str] = ()) -> UnbondingResult:
    account_id = parse_account(account_id)
    named = [parse_account(p) for p in pools]
    # The epoch clock, the pools and the liquid-staking positions are independent reads: start them together.
    clock_task = asyncio.ensure_future(read_epoch_clock(chain.rpc))
    liquid_task = asyncio.ensure_future(liquid_positions(chain, account_id))
    lockup_task = asyncio.ensure_future(_lockup_delegations(chain, account_id, named))
    try:
        scan = await scan_delegations(chain, account_id, named, use_index=not named)
        unbonding = [d for d in scan.delegations if d.unstaked > 0] + await lockup_task
        reads = await asyncio.gather(*(_read_epoch(chain, d) for d in unbonding))
    finally:
        clock, positions, _ = await asyncio.gather(clock_task, liquid_task, lockup_task, return_exceptions=True)
    for outcome in (clock, positions):
        if isinstance(outcome, BaseException):
            raise outcome
    entries = [_entry(d, r, clock) for d, r in zip(unbonding, reads, strict=True)]
    entries = [
        e if d.account_id == account_id else e.model_copy(update={"held_by": d.account_id})
        for e, d in zip(entries, unbonding, strict=True)
    ]
    # Liquid-staking delayed unstakes join the list (only the named contracts when pools were named).
    entries += [e for e in liquid_unbonding_entries(positions, clock) if not named or e.pool_id in named]
    notes = list(scan.notes)
    if entries:
        notes.extend(RULES)
    return UnbondingResult(
        account_id=account_id,
        current_epoch=clock.epoch_height,
        epoch_length=clock.epoch_length,
        head_unix=clock.head_timestamp_ns // NS_PER_SECOND,
        avg_block_seconds=round(clock.avg_block_ns / NS_PER_SECOND, 6),
        entries=entries,
        pools_complete=scan.complete,
        pool_problems=scan.problems,
        notes=notes,
    )
