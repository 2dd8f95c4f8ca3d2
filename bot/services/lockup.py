""""How much of my lockup can I actually move?": a lockup's locked, owner's and transferable balances, and what the
owner must do to move more.

Reads, all pinned to one final block (near-staking.md §4, bot/services/lockup_read.py): round trip 1 the block (its
timestamp is "now"), the lockup candidates' `view_account`, `view_state` of key `STATE` and, for answers about now,
the contract's own balance views; round trip 2 the selected pool's `get_account` for the lockup. The
balances are computed with `bot.near.lockup` (foundation family, §4.5) or `bot.near.venear` (House of Stake) and
compared with the contract's own views: a disagreement is reported, never hidden.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.near import errors
from bot.near.lockup import (
    U64_MAX,
    LockupBalances,
    LockupMathError,
    LockupState,
    Terminating,
    VestingHash,
    VestingSchedule,
    compute_lockup,
    milestones,
    unlock_forecast,
    with_transfers_enabled,
)
from bot.services.chain import Chain
from bot.services.lockup_advice import GAS_TGAS, foundation_actions, foundation_notes
from bot.services.lockup_input import AT_FORMAT_HELP, NS_PER_SECOND, USAGE, parse_at_time, parse_lockup_args
from bot.services.lockup_read import (
    AnyLockupRead,
    LockupRead,
    LockupStateUnreadable,
    NoLockup,
    NotALockup,
    VenearRead,
    find_lockups,
    read_lockup,
    resolve_lockup_ids,
)
from bot.services.results import (
    LockupBalancesView,
    LockupMilestone,
    LockupPoolBalance,
    LockupResult,
    LockupSchedulePoint,
    LockupSummary,
)

log = logging.getLogger(__name__)

__all__ = [
    "AT_FORMAT_HELP",
    "GAS_TGAS",
    "USAGE",
    "LockupStateUnreadable",
    "NoLockup",
    "NotALockup",
    "get_lockup",
    "lockup_summaries",
    "lockup_summary",
    "parse_at_time",
    "parse_lockup_args",
    "read_pool",
    "resolve_lockup_ids",
]
NUM_EPOCHS_TO_UNLOCK = 4  # staking-pool unstake delay (near-staking.md §2.4)


async def read_pool(chain: Chain, pool_id: str, lockup_id: str, height: int) -> LockupPoolBalance:
    data: Any = await chain.rpc.view_function(pool_id, "get_account", {"account_id": lockup_id}, block_id=height)
    if not isinstance(data, dict) or not isinstance(data.get("can_withdraw"), bool):
        raise errors.MalformedResponse(f"{pool_id}.get_account returned an unexpected shape.")
    amounts = []
    for name in ("staked_balance", "unstaked_balance"):
        value = data.get(name)
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise errors.MalformedResponse(f"{pool_id}.get_account returned {name} in an unexpected form.")
        amounts.append(int(value))
    staked, unstaked = amounts
    return LockupPoolBalance(
        pool_id=pool_id,
        staked_yocto=staked,
        unstaked_yocto=unstaked,
        total_yocto=staked + unstaked,
        can_withdraw=data["can_withdraw"],
    )


# --- the answer -------------------------------------------------------------------------------------------------


def _compute(read: LockupRead, state: LockupState, at_ns: int) -> LockupBalances:
    try:
        return compute_lockup(state, read.version, read.account.amount, at_ns)
    except LockupMathError as exc:
        raise LockupStateUnreadable(read.lockup_id, str(exc)) from exc


def _ceil_seconds(ns: int) -> int:
    return -(-ns // NS_PER_SECOND)


def _vesting_kind(state: LockupState) -> str:
    vesting = state.vesting_information
    if isinstance(vesting, VestingSchedule):
        return "schedule"
    if isinstance(vesting, VestingHash):
        return "hash"
    if isinstance(vesting, Terminating):
        return "terminated"
    return "none"


def _view_model(balances: LockupBalances) -> LockupBalancesView:
    return LockupBalancesView(
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=balances.liquid_owners_balance,
    )


def transferable_now(balances: LockupBalances) -> int:
    """What the core-contracts `transfer` accepts now: the liquid owner's balance, and nothing while transfers are
    disabled, a vesting termination is in progress or a staking call is pending (lockup/src/owner.rs `transfer`:
    assert_transfers_enabled, assert_no_staking_or_idle, assert_no_termination)."""
    blocked = not balances.transfers_enabled or balances.termination_status is not None or balances.staking_busy
    return 0 if blocked else balances.liquid_owners_balance


def deployment_fields(read: AnyLockupRead) -> dict[str, Any]:
    account = read.account
    return {
        "deployment": account.deployment,
        "global_contract_hash": account.global_contract_hash,
        "global_contract_account_id": account.global_contract_account_id,
    }


async def pool_of(chain: Chain, read: AnyLockupRead, notes: list[str]) -> LockupPoolBalance | None:
    pool_id = read.staking_pool_id
    if pool_id is None:
        return None
    try:
        return await read_pool(chain, pool_id, read.lockup_id, read.block_height)
    except errors.NearError as exc:
        notes.append(f"The pool {pool_id} could not be read for this lockup ({exc.message}).")
        return None


async def get_lockup(
    chain: Chain, account_id: str, at_unix: int | None = None, *, at_ns: int | None = None
) -> LockupResult:
    """The lockup of `account_id` (an owner id, or a lockup account of any kind and id), now or projected to
    `at_unix` (Unix seconds; `at_ns` for nanosecond precision) assuming no new transactions."""
    if at_unix is not None and at_ns is not None:
        raise ValueError("give at_unix or at_ns, not both")
    if at_unix is not None:
        at_ns = at_unix * NS_PER_SECOND
    projected = at_ns is not None
    if at_ns is not None and not 0 <= at_ns <= U64_MAX:
        raise errors.InvalidInput(f"That time is outside the range a lockup can express. {AT_FORMAT_HELP}")
    lookup = await read_lockup(chain, account_id, with_views=not projected)
    if isinstance(lookup.read, VenearRead):
        from bot.services.venear_lockup import venear_result

        return await venear_result(chain, lookup, at_ns)
    read = lookup.read
    assert isinstance(read, LockupRead)
    state, version = read.state, read.version
    owner = state.owner_account_id
    when_ns = read.now_ns if at_ns is None else at_ns
    balances = _compute(read, state, when_ns)
    what_if = None
    if not state.transfers_enabled:
        what_if = _compute(read, with_transfers_enabled(state), when_ns)

    notes = [*lookup.notes, *foundation_notes(read, balances, when_ns, projected, chain.network)]
    pool_id = state.staking_pool_account_id
    pool = await pool_of(chain, read, notes)

    contract_views: LockupBalancesView | None = None
    disagreement: str | None = None
    if read.views is not None:
        contract_views = LockupBalancesView(
            locked_yocto=read.views["locked"],
            owners_balance_yocto=read.views["owners"],
            liquid_owners_balance_yocto=read.views["liquid"],
        )
        mine = {"locked": balances.locked, "owners": balances.owners_balance, "liquid": balances.liquid_owners_balance}
        differing = [name for name in mine if mine[name] != read.views[name]]
        if differing:
            labels = {"locked": "locked", "owners": "owner's balance", "liquid": "transferable"}
            parts = ", ".join(
                f"{labels[name]} {mine[name]} (computed) vs {read.views[name]} (contract)" for name in differing
            )
            disagreement = (
                f"The contract's own views disagree with the computed balances at block {read.block_height}: "
                f"{parts} (yoctoNEAR). The contract enforces its own numbers; the computed ones assume code "
                f"{version.label}. Both are shown."
            )
            log.warning("lockup %s: %s", read.lockup_id, disagreement)
    elif read.views_error is not None and not projected:
        notes.append(f"The contract's own balance views could not be read ({read.views_error}).")
    elif projected:
        notes.append("The contract's own views answer only for now, so a projection is not cross-checked.")

    forecast = unlock_forecast(state, version)
    if forecast.unlocked_at_ns is None and forecast.reason:
        notes.append(f"No full-unlock date: {forecast.reason}.")
    upcoming = [
        LockupMilestone(
            name=m.name.value,
            unix=_ceil_seconds(m.timestamp_ns),
            locked_after_yocto=m.locked_after,
            assumes_transfers_vote=m.assumes_transfers_vote,
        )
        for m in milestones(state, version)
        if m.timestamp_ns > when_ns
    ]
    terminated = state.vesting_information
    schedule, schedule_assumes_vote = _schedule(read, when_ns, forecast.unlocked_at_ns)
    return LockupResult(
        owner_id=owner,
        lockup_id=read.lockup_id,
        code_hash=read.account.code_hash,
        version=version.label,
        version_known=version.known,
        at_unix=when_ns // NS_PER_SECOND,
        projected=projected,
        block_height=read.block_height,
        lockup_amount_yocto=balances.lockup_amount,
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=transferable_now(balances),
        account_balance_yocto=balances.account_balance,
        staking_pool_id=pool_id,
        known_deposited_yocto=balances.known_deposited,
        transfers_enabled=balances.transfers_enabled,
        fully_unlocked_unix=None if forecast.unlocked_at_ns is None else _ceil_seconds(forecast.unlocked_at_ns),
        unlock_assumes_transfers_vote=forecast.assumes_transfers_vote,
        unreleased_yocto=balances.unreleased,
        unvested_yocto=balances.unvested,
        termination_withdrawn_yocto=balances.termination_withdrawn_tokens,
        termination_status=terminated.status.name if isinstance(terminated, Terminating) else None,
        terminated_unvested_yocto=balances.terminated_unvested_balance,
        vesting=_vesting_kind(state),
        min_balance_for_storage_yocto=balances.min_balance_for_storage,
        release_start_bug=version.has_release_start_bug,
        lockup_start_unix=None if balances.lockup_start_ns is None else _ceil_seconds(balances.lockup_start_ns),
        release_end_unix=None if balances.release_end_ns is None else _ceil_seconds(balances.release_end_ns),
        pool=pool,
        after_transfers_vote=None if what_if is None else _view_model(what_if),
        milestones=upcoming,
        actions=foundation_actions(read, owner, balances, what_if, pool, projected, chain.network),
        contract_views=contract_views,
        disagreement=disagreement,
        notes=notes,
        schedule=schedule,
        schedule_assumes_transfers_vote=schedule_assumes_vote,
        other_lockups=lookup.others,
        **deployment_fields(read),
    )


SCHEDULE_POINTS = 60
TWO_YEARS_NS = 2 * 365 * 86_400 * NS_PER_SECOND


def _schedule(read: LockupRead, when_ns: int, unlocked_at_ns: int | None) -> tuple[list[LockupSchedulePoint], bool]:
    """Locked and transferable balances over time (no new transactions assumed), for the release chart.

    While transfers are disabled nothing is released, so the schedule shown is the one after check_transfers_vote.
    """
    state = read.state
    assumes_vote = not state.transfers_enabled
    if assumes_vote:
        state = with_transfers_enabled(state)
    try:
        start_ns = _compute(read, state, when_ns).lockup_start_ns
    except LockupMathError:
        return [], assumes_vote
    begin = min(when_ns, start_ns) if start_ns is not None else when_ns
    end = max(when_ns, unlocked_at_ns or 0) if unlocked_at_ns else when_ns + TWO_YEARS_NS
    end = max(end, begin + 1)
    moments = {begin + (end - begin) * i // SCHEDULE_POINTS for i in range(SCHEDULE_POINTS + 1)}
    moments.add(when_ns)
    for milestone in milestones(state, read.version):
        if begin < milestone.timestamp_ns <= end:  # both sides of a milestone, so a cliff is drawn as a step
            moments.update((milestone.timestamp_ns - 1, milestone.timestamp_ns))
    points = []
    for moment in sorted(moments):
        try:
            balances = _compute(read, state, moment)
        except LockupMathError:
            return [], assumes_vote
        points.append(
            LockupSchedulePoint(
                unix=moment // NS_PER_SECOND,
                locked_yocto=balances.locked,
                liquid_owners_balance_yocto=balances.liquid_owners_balance,
            )
        )
    return points, assumes_vote


def foundation_summary(read: LockupRead) -> LockupSummary:
    balances = _compute(read, read.state, read.now_ns)
    return LockupSummary(
        lockup_id=read.lockup_id,
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=transferable_now(balances),
        transfers_enabled=balances.transfers_enabled,
        staking_pool_id=read.state.staking_pool_account_id,
        owner_id=read.owner_id,
    )


def summarize(read: AnyLockupRead) -> LockupSummary:
    if isinstance(read, VenearRead):
        from bot.services.venear_lockup import venear_summary

        return venear_summary(read)
    return foundation_summary(read)


async def lockup_summaries(
    chain: Chain, owner_id: str, named: Sequence[str] = (), *, linked: Sequence[str] = (),
) -> tuple[list[LockupSummary], LockupSummary | None, list[str]]:
    """(the owner's lockups, the account itself when it is a lockup, notes) for `status`, at the answer's block.

    Failures to read the chain propagate as typed errors; a lockup whose state cannot be computed becomes a note.
    """
    found = await find_lockups(chain, owner_id, named, linked=linked)
    notes = list(found.notes)
    summaries = []
    for read in found.reads:
        try:
            summaries.append(summarize(read))
        except LockupStateUnreadable as exc:
            notes.append(exc.message)
    itself = None
    if found.itself is not None:
        try:
            itself = summarize(found.itself)
        except LockupStateUnreadable as exc:
            notes.append(exc.message)
    return summaries, itself, notes


async def lockup_summary(chain: Chain, owner_id: str) -> LockupSummary | None:
    """The first lockup of `owner_id` (or the account itself when it is a lockup); None when there is none."""
    summaries, itself, _ = await lockup_summaries(chain, owner_id)
    return itself or (summaries[0] if summaries else None)
