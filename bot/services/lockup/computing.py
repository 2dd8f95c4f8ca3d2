"""A foundation-family lockup's figures from its read (bot/near/lockup.py does the contract's math): the balances at a
moment, what `transfer` accepts, the cross-check with the contract's own views, the milestones ahead and the release
schedule for the chart."""

from __future__ import annotations

import logging

from bot.near.lockup import (
    LockupBalances,
    LockupMathError,
    LockupState,
    LockupVersion,
    Terminating,
    VestingHash,
    VestingSchedule,
    milestones,
    with_transfers_enabled,
)
from bot.near.lockup import compute_lockup as _contract_math
from bot.services.lockup.reading import LockupRead, LockupStateUnreadable
from bot.services.lockup_input import NS_PER_SECOND
from bot.services.results import (
    LockupBalancesView,
    LockupMilestone,
    LockupSchedulePoint,
    LockupSummary,
)

log = logging.getLogger(__name__)
SCHEDULE_POINTS = 60
TWO_YEARS_NS = 2 * 365 * 86_400 * NS_PER_SECOND


def compute_foundation(read: LockupRead, state: LockupState, at_ns: int) -> LockupBalances:
    """The balances of `state` (the read's, or a what-if of it) at `at_ns`; a state the math refuses is unreadable."""
    try:
        return _contract_math(state, read.version, read.account.amount, at_ns)
    except LockupMathError as exc:
        raise LockupStateUnreadable(read.lockup_id, str(exc)) from exc


def ceil_seconds(ns: int) -> int:
    return -(-ns // NS_PER_SECOND)


def vesting_kind(state: LockupState) -> str:
    vesting = state.vesting_information
    if isinstance(vesting, VestingSchedule):
        return "schedule"
    if isinstance(vesting, VestingHash):
        return "hash"
    if isinstance(vesting, Terminating):
        return "terminated"
    return "none"


def balances_view(balances: LockupBalances) -> LockupBalancesView:
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


def cross_check(read: LockupRead, balances: LockupBalances) -> tuple[LockupBalancesView | None, str | None]:
    """(the contract's own views, the disagreement with the computed balances or None); (None, None) unread."""
    if read.views is None:
        return None, None
    views = LockupBalancesView(
        locked_yocto=read.views["locked"],
        owners_balance_yocto=read.views["owners"],
        liquid_owners_balance_yocto=read.views["liquid"],
    )
    mine = {"locked": balances.locked, "owners": balances.owners_balance, "liquid": balances.liquid_owners_balance}
    differing = [name for name in mine if mine[name] != read.views[name]]
    if not differing:
        return views, None
    labels = {"locked": "locked", "owners": "owner's balance", "liquid": "transferable"}
    parts = ", ".join(f"{labels[name]} {mine[name]} (computed) vs {read.views[name]} (contract)" for name in differing)
    disagreement = (
        f"The contract's own views disagree with the computed balances at block {read.block_height}: "
        f"{parts} (yoctoNEAR). The contract enforces its own numbers; the computed ones assume code "
        f"{read.version.label}. Both are shown."
    )
    log.warning("lockup %s: %s", read.lockup_id, disagreement)
    return views, disagreement


def upcoming_milestones(state: LockupState, version: LockupVersion, when_ns: int) -> list[LockupMilestone]:
    return [
        LockupMilestone(
            name=m.name.value,
            unix=ceil_seconds(m.timestamp_ns),
            locked_after_yocto=m.locked_after,
            assumes_transfers_vote=m.assumes_transfers_vote,
        )
        for m in milestones(state, version)
        if m.timestamp_ns > when_ns
    ]


def schedule(read: LockupRead, when_ns: int, unlocked_at_ns: int | None) -> tuple[list[LockupSchedulePoint], bool]:
    """Locked and transferable balances over time (no new transactions assumed), for the release chart.

    While transfers are disabled nothing is released, so the schedule shown is the one after check_transfers_vote.
    """
    state = read.state
    assumes_vote = not state.transfers_enabled
    if assumes_vote:
        state = with_transfers_enabled(state)
    start_ns = compute_foundation(read, state, when_ns).lockup_start_ns
    points = []
    for moment in _schedule_moments(read, state, when_ns, start_ns, unlocked_at_ns):
        balances = compute_foundation(read, state, moment)
        points.append(
            LockupSchedulePoint(
                unix=moment // NS_PER_SECOND,
                locked_yocto=balances.locked,
                liquid_owners_balance_yocto=balances.liquid_owners_balance,
            )
        )
    return points, assumes_vote


def _schedule_moments(
    read: LockupRead, state: LockupState, when_ns: int, start_ns: int | None, unlocked_at_ns: int | None
) -> list[int]:
    """Evenly spaced moments from the lockup's start (or now) to its full unlock (or two years on), now, and both
    sides of every milestone, so a cliff is drawn as a step."""
    begin = min(when_ns, start_ns) if start_ns is not None else when_ns
    end = max(when_ns, unlocked_at_ns or 0) if unlocked_at_ns else when_ns + TWO_YEARS_NS
    end = max(end, begin + 1)
    moments = {begin + (end - begin) * i // SCHEDULE_POINTS for i in range(SCHEDULE_POINTS + 1)}
    moments.add(when_ns)
    for milestone in milestones(state, read.version):
        if begin < milestone.timestamp_ns <= end:
            moments.update((milestone.timestamp_ns - 1, milestone.timestamp_ns))
    return sorted(moments)


def foundation_summary(read: LockupRead) -> LockupSummary:
    balances = compute_foundation(read, read.state, read.now_ns)
    return LockupSummary(
        lockup_id=read.lockup_id,
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=transferable_now(balances),
        transfers_enabled=balances.transfers_enabled,
        staking_pool_id=read.state.staking_pool_account_id,
        owner_id=read.owner_id,
    )
