"""What-ifs on a lockup state: the state after the transfers vote, when it is fully unlocked, and the next
milestones where its locked amount changes course."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from bot.near.lockup_math import get_locked_amount, lockup_start, release_end
from bot.near.lockup_state import LockupState, Terminating, TransfersEnabled, VestingHash, VestingSchedule
from bot.near.lockup_versions import TRANSFERS_STARTED, LockupVersion, as_lockup_version


def with_transfers_enabled(state: LockupState, transfers_timestamp: int = TRANSFERS_STARTED) -> LockupState:
    """The state after a successful `check_transfers_vote`: TransfersEnabled{the poll's timestamp}.

    `on_get_result_from_transfer_poll` stores the poll result as transfers_timestamp (CC `lockup/src/
    owner_callbacks.rs`); on mainnet that is TRANSFERS_STARTED (near-staking.md §4.6). States whose transfers are
    already enabled are returned unchanged.
    """
    if state.transfers_enabled:
        return state
    info = dataclasses.replace(
        state.lockup_information, transfers_information=TransfersEnabled(transfers_timestamp)
    )
    return dataclasses.replace(state, lockup_information=info)


@dataclass(frozen=True, slots=True)
class UnlockForecast:
    """When `get_locked_amount` reaches 0 for good, assuming no further transactions.

    `unlocked_at_ns` is None when it cannot be known (`reason` says why). `assumes_transfers_vote` is True when the
    stored state still has transfers disabled, so the time is for `with_transfers_enabled(state)`: the contract
    keeps everything locked until the owner calls `check_transfers_vote` (near-staking.md §4.6).
    `vesting_hidden` is True for a VestingHash: the contract ignores it, but a foundation termination could still
    change the outcome.
    """

    unlocked_at_ns: int | None
    assumes_transfers_vote: bool
    vesting_hidden: bool
    reason: str = ""


def _earliest_release_zero(state: LockupState, version: LockupVersion, start: int) -> int:
    # Earliest t >= start with unreleased(t) − termination_withdrawn <= 0 (saturating), exact under floor division:
    # floor(L·(end−t)/R) <= W  ⇔  end − t <= floor(((W+1)·R − 1) / L).
    info = state.lockup_information
    duration = info.release_duration
    if duration is None or duration == 0 or info.lockup_amount == 0:
        return start
    end = release_end(state, version)
    assert end is not None
    slack = ((info.termination_withdrawn_tokens + 1) * duration - 1) // info.lockup_amount
    return max(start, end - slack)


def unlock_forecast(state: LockupState, version: LockupVersion | str | None) -> UnlockForecast:
    """See `UnlockForecast`. The time is exact: the first ns from which `get_locked_amount` stays 0."""
    version = as_lockup_version(version)
    assumes_vote = not state.transfers_enabled
    effective = with_transfers_enabled(state)
    hidden = isinstance(state.vesting_information, VestingHash)
    start = lockup_start(effective)
    assert start is not None
    info = effective.lockup_information
    amount = info.lockup_amount
    vesting = effective.vesting_information
    t_vest = 0
    if isinstance(vesting, Terminating) and vesting.unvested_amount > 0:
        return UnlockForecast(
            None,
            assumes_vote,
            hidden,
            "vesting was terminated: the unvested amount stays locked until withdrawn",
        )
    if isinstance(vesting, VestingSchedule) and amount > 0:
        if not vesting.is_valid:
            return UnlockForecast(None, assumes_vote, hidden, "the stored vesting schedule is invalid")
        total = vesting.end_timestamp - vesting.start_timestamp
        # floor(L·(end−t)/D) == 0  ⇔  end − t <= floor((D − 1) / L); never before the cliff.
        t_vest = max(vesting.cliff_timestamp, vesting.end_timestamp - (total - 1) // amount)
    after_start = max(start, _earliest_release_zero(effective, version, start), t_vest)
    if after_start == start and amount <= info.termination_withdrawn_tokens:
        after_start = 0  # locked is 0 before the start too, so it has always been 0
    return UnlockForecast(after_start, assumes_vote, hidden)


def fully_unlocked_at(state: LockupState, version: LockupVersion | str | None) -> int | None:
    """Earliest ns from which the lockup's locked amount is 0 for good, or None if that cannot be computed.

    With transfers still disabled this is computed for `with_transfers_enabled(state)` (use `unlock_forecast` for
    that flag and the reason when None).
    """
    return unlock_forecast(state, version).unlocked_at_ns


class MilestoneKind(StrEnum):
    LOCKUP_START = "lockup_start"
    VESTING_CLIFF = "vesting_cliff"
    RELEASE_END = "release_end"
    VESTING_END = "vesting_end"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A moment where the locked amount changes course; `locked_after` = `get_locked_amount` at `timestamp_ns`."""

    name: MilestoneKind
    timestamp_ns: int
    locked_after: int
    assumes_transfers_vote: bool = False


def milestones(state: LockupState, version: LockupVersion | str | None) -> list[Milestone]:
    """Lockup start, vesting cliff, end of release and end of vesting (those that apply), in time order.

    With transfers disabled they are computed for `with_transfers_enabled(state)` and flagged
    `assumes_transfers_vote`. A release end before the lockup start (possible with the v2.0.0 bug) is shown at the
    lockup start, where the contract releases everything at once. A VestingHash has no public dates.
    """
    version = as_lockup_version(version)
    assumes_vote = not state.transfers_enabled
    effective = with_transfers_enabled(state)
    start = lockup_start(effective)
    assert start is not None
    points: list[tuple[MilestoneKind, int]] = [(MilestoneKind.LOCKUP_START, start)]
    duration = effective.lockup_information.release_duration
    if duration:
        end = release_end(effective, version)
        assert end is not None
        points.append((MilestoneKind.RELEASE_END, max(end, start)))
    vesting = effective.vesting_information
    if isinstance(vesting, VestingSchedule):
        if vesting.cliff_timestamp > vesting.start_timestamp:
            points.append((MilestoneKind.VESTING_CLIFF, vesting.cliff_timestamp))
        points.append((MilestoneKind.VESTING_END, vesting.end_timestamp))
    order = list(MilestoneKind)
    points.sort(key=lambda point: (point[1], order.index(point[0])))
    return [
        Milestone(kind, timestamp, get_locked_amount(effective, version, timestamp), assumes_vote)
        for kind, timestamp in points
    ]
