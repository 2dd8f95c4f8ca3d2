"""Time estimates for a withdrawable-at epoch, shared by pools and liquid-staking contracts."""

from __future__ import annotations

from typing import Literal

from bot.near.epochs import NS_PER_SECOND, EpochClock
from bot.services.results import UnbondingEntry

# The time estimate assumes the measured block rate holds; show ±5% of the remaining time as its margin.
ESTIMATE_MARGIN_PERCENT = 5


def estimate_entry(
    clock: EpochClock,
    *,
    pool_id: str,
    unstaked: int,
    staked: int,
    can_withdraw: bool,
    available_epoch: int | None,
    source: Literal["state", "contract", "unknown"],
    latest_possible_epoch: int | None = None,
    source_note: str | None = None,
) -> UnbondingEntry:
    """An UnbondingEntry with its time estimate (shared by pools and liquid-staking contracts)."""
    current = clock.epoch_height
    epoch = available_epoch
    target = epoch if epoch is not None else latest_possible_epoch
    estimate = earliest = latest = epochs_left = None
    if can_withdraw:
        epochs_left = 0
    elif target is not None and target > current:
        epochs_left = target - current
        eta_ns = clock.estimated_epoch_start_ns(target)
        margin_ns = (eta_ns - clock.head_timestamp_ns) * ESTIMATE_MARGIN_PERCENT // 100
        if epoch is not None:
            estimate = eta_ns // NS_PER_SECOND
            earliest = (eta_ns - margin_ns) // NS_PER_SECOND
        latest = (eta_ns + margin_ns) // NS_PER_SECOND
    return UnbondingEntry(
        pool_id=pool_id,
        unstaked_yocto=unstaked,
        staked_yocto=staked,
        can_withdraw=can_withdraw,
        available_epoch=epoch,
        available_epoch_source=source,
        estimated_available_unix=estimate,
        estimate_earliest_unix=earliest,
        estimate_latest_unix=latest,
        latest_possible_epoch=latest_possible_epoch,
        epochs_left=epochs_left,
        source_note=source_note,
    )
