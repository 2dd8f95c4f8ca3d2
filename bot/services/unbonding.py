""""When can I withdraw?": for every pool holding unstaked NEAR, the exact epoch and an estimated time.

Facts (near-staking.md §2.4): unstake in epoch E sets `unstaked_available_epoch_height = E + 4`; withdraw works
once the current epoch ≥ that; one field per delegator, so every new unstake restarts the wait for the whole
unstaked balance; nothing is paid out automatically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field

from bot.near import errors
from bot.near.contracts import ContractKind, account_contract_kind
from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.near.liquid import LiquidPosition, providers_for
from bot.near.pool_state import StateRead, StateSource, likely_layout, read_index, read_pool_account
from bot.near.pools import Delegation, get_delegation
from bot.services.chain import Chain, prefetch
from bot.services.delegations import find_pools, index_pools, parse_account, read_delegations
from bot.services.estimates import estimate_entry
from bot.services.liquid import liquid_positions, liquid_unbonding_entries
from bot.services.lockup.finding import find_lockups
from bot.services.lockup.reading import VenearRead
from bot.services.results import TimedUnlock, UnbondingEntry, UnbondingResult

NUM_EPOCHS_TO_UNLOCK = 4  # core-contracts staking-pool/src/lib.rs (near-staking.md §2.1)

VENEAR_RULE = (
    "A veNEAR unlock ends at a time, not an epoch; then the owner finishes it (one call: `venear end-unlock`). "
    "Starting another unlock before then restarts the timer for the whole pending amount."
)
RULES = [
    "Unstaked NEAR earns no rewards while it waits.",
    "Withdraw is a separate step: nothing returns to your wallet by itself once the wait is over.",
    "A new unstake in the same pool restarts the wait for the whole unstaked balance there; withdraw first.",
]


async def _pool_kind(chain: Chain, pool_id: str) -> ContractKind:
    async def read() -> ContractKind:
        try:
            return account_contract_kind(await chain.rpc.view_account(pool_id))
        except errors.NearError:
            return ContractKind.UNKNOWN

    # The kind only picks the storage layout, and the record read from it is checked against get_account at the
    # answer's block, so it is read once an epoch.
    return await chain.rpc.per_epoch(f"kind:{pool_id}", read)


@dataclass
class _Probe:
    """The reads that can go out together with a pool's `get_account`: its code hash (kind) and the delegator's
    index entry in the likely layout. The record itself is read only where something is unstaked."""

    kind: asyncio.Future[ContractKind]
    guess: ContractKind
    index: asyncio.Future[bytes | None]


def _probe(chain: Chain, pool_id: str, holder: str) -> _Probe:
    guess = likely_layout(pool_id)
    return _Probe(prefetch(_pool_kind(chain, pool_id)), guess, prefetch(read_index(chain.rpc, pool_id, holder, guess)))


async def _read_layout(
    chain: Chain, delegation: Delegation, layout: ContractKind, index_read: Awaitable[bytes | None] | None
) -> StateRead:
    read = await read_pool_account(chain.rpc, delegation.pool_id, delegation.account_id, layout, index_read=index_read)
    if read.record is not None and read.record.unstaked != delegation.unstaked:
        # Storage and get_account disagree at the same block: this is not the pool's layout.
        return StateRead(None, StateSource.UNKNOWN, "the pool's storage does not match its get_account view")
    return read


async def _read_epoch(chain: Chain, delegation: Delegation, probe: _Probe | None) -> StateRead:
    probe = probe or _probe(chain, delegation.pool_id, delegation.account_id)
    kind = await probe.kind
    layouts: list[ContractKind]
    if kind in (ContractKind.POOLV1, ContractKind.STAKING_FARM):
        layouts = [kind]
    else:  # unknown code: try the likely layout, then the other
        other = ContractKind.POOLV1 if probe.guess is ContractKind.STAKING_FARM else ContractKind.STAKING_FARM
        layouts = [probe.guess, other]
    for layout in layouts:
        read = await _read_layout(chain, delegation, layout, probe.index if layout is probe.guess else None)
        if read.record is not None or layout is kind:
            return read
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


@dataclass
class _LockupPart:
    delegations: list[Delegation] = field(default_factory=list)
    probes: dict[tuple[str, str], _Probe] = field(default_factory=dict)  # (pool, lockup) -> state reads under way
    lst_positions: list[LiquidPosition] = field(default_factory=list)  # a House of Stake lockup staked via stNEAR…
    timed: list[TimedUnlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def _lockup_part(
    chain: Chain, owner_id: str, named: Sequence[str], lockups: Sequence[str], linked: Sequence[str]
) -> _LockupPart:
    """The owner's lockups (derived, House of Stake, named): the unstaked stake in each one's pool (the pool lists it
    under the lockup account, not the owner) and pending veNEAR unlocks."""
    part = _LockupPart()
    try:
        found = await find_lockups(chain, owner_id, lockups, linked=linked)
    except errors.NearError as exc:
        part.notes.append(f"The lockups could not be read: {exc.message}")
        return part  # the lockup has its own command; this list must not fail because of it
    part.notes.extend(found.notes)
    liquid = {p.contract_id for p in providers_for(chain.network)}
    reads = [r for r in found.reads if not named or r.staking_pool_id in named]
    # A veNEAR unlock is not in any pool: left out when the question names pools.
    owned = [found.itself, *found.reads] if not named else []
    part.timed = [t for r in owned if isinstance(r, VenearRead) if (t := _timed_unlock(r)) is not None]
    pools = [(pool_id, r) for r in reads if (pool_id := r.staking_pool_id) and pool_id not in liquid]
    lsts = [r for r in reads if r.staking_pool_id in liquid]
    part.probes = {(pool_id, r.lockup_id): _probe(chain, pool_id, r.lockup_id) for pool_id, r in pools}
    delegations, positions = await asyncio.gather(
        asyncio.gather(*(get_delegation(chain.rpc, pool_id, r.lockup_id) for pool_id, r in pools),
                       return_exceptions=True),
        asyncio.gather(*(liquid_positions(chain, r.lockup_id) for r in lsts), return_exceptions=True),
    )
    for (pool_id, read), delegation in zip(pools, delegations, strict=True):
        if isinstance(delegation, errors.NearError):
            part.notes.append(f"The pool {pool_id} of {read.lockup_id} could not be read: {delegation.message}")
        elif isinstance(delegation, BaseException):
            raise delegation
        elif delegation.unstaked > 0:
            part.delegations.append(delegation)
    for read, held in zip(lsts, positions, strict=True):
        if isinstance(held, BaseException):
            continue
        part.lst_positions += [p for p in held if p.provider.contract_id == read.staking_pool_id]
    return part


def _timed_unlock(read: VenearRead) -> TimedUnlock | None:
    """A House of Stake lockup's pending veNEAR unlock (end_unlock_near works from `unlock_unix` on)."""
    state = read.state
    if state.pending == 0:
        return None
    return TimedUnlock(
        lockup_id=read.lockup_id,
        pending_yocto=state.pending,
        unlock_unix=-(-state.unlock_timestamp_ns // NS_PER_SECOND),
        unlock_ready=read.now_ns >= state.unlock_timestamp_ns,  # venear.rs end_unlock_near's time check
        owner_id=read.owner_id,
    )


async def get_unbonding(
    chain: Chain, account_id: str, pools: Sequence[str] = (), *, lockups: Sequence[str] = (),
    linked: Sequence[str] = (), scan: bool = False, also: Sequence[str] = (),
) -> UnbondingResult:
    """`lockups` / `linked`: lockup accounts the user named or linked, included when they belong to this account.
    `pools` limits the answer to those pools; `also` adds pools to check next to the index; `scan` adds every pool of
    the validator set. Every figure describes one block: the latest final block when the command starts."""
    account_id = parse_account(account_id)
    named = [parse_account(p) for p in pools]
    extra = [parse_account(p) for p in also]
    named_lockups = [parse_account(x) for x in lockups]
    # One block: the first answer fixes it (Chain.at_final), so nothing waits for a block read first.
    chain = chain.at_final()
    clock_task = asyncio.ensure_future(read_epoch_clock(chain.rpc))
    liquid_task = asyncio.ensure_future(liquid_positions(chain, account_id))
    linked = [x for x in linked if x != account_id]
    lockup_task = asyncio.ensure_future(_lockup_part(chain, account_id, named, named_lockups, linked))
    try:
        # A pool filter already says where to look: scanning the validator set is for finding unknown pools.
        index = index_pools(chain, account_id) if not named else None
        found = await find_pools(chain, account_id, [*named, *extra], index=index, scan=scan and not named)
        # The state reads that need only the pool and the account go out with the pools' get_account.
        probes = {(p, account_id): _probe(chain, p, account_id) for p, how in found.pools.items() if how != "scan"}
        delegated = await read_delegations(chain, account_id, found)
        lockup_part = await lockup_task
        probes.update(lockup_part.probes)
        unbonding = [d for d in delegated.delegations if d.unstaked > 0] + lockup_part.delegations
        reads = await asyncio.gather(*(_read_epoch(chain, d, probes.get((d.pool_id, d.account_id))) for d in unbonding))
    finally:
        clock, positions, _ = await asyncio.gather(clock_task, liquid_task, lockup_task, return_exceptions=True)
    for outcome in (clock, positions):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(clock, EpochClock) and isinstance(positions, list)
    entries = [
        _entry(d, r, clock).model_copy(update={
            "held_by": d.account_id if d.account_id != account_id else None,
            "found_by": delegated.found_by.get(d.pool_id) if d.account_id == account_id else None,
        })
        for d, r in zip(unbonding, reads, strict=True)
    ]
    # Liquid-staking delayed unstakes join the list (only the named contracts when pools were named).
    entries += [e for e in liquid_unbonding_entries(positions, clock) if not named or e.pool_id in named]
    entries += [
        e.model_copy(update={"held_by": p.account_id})
        for p in lockup_part.lst_positions
        for e in liquid_unbonding_entries([p], clock)
    ]
    notes = list(delegated.notes) + lockup_part.notes
    if entries:
        notes.extend(RULES)
    if lockup_part.timed:
        notes.append(VENEAR_RULE)
    return UnbondingResult(
        account_id=account_id,
        current_epoch=clock.epoch_height,
        block_height=clock.head_height,
        epoch_length=clock.epoch_length,
        head_unix=clock.head_timestamp_ns // NS_PER_SECOND,
        avg_block_seconds=round(clock.avg_block_ns / NS_PER_SECOND, 6),
        entries=entries,
        pools_complete=delegated.complete,
        pools_checked=delegated.checked,
        scanned_pools=delegated.scanned_pools,
        pool_problems=delegated.problems,
        notes=notes,
        timed_unlocks=lockup_part.timed,
    )
