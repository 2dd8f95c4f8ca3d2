"""Console text of `unbonding`: each pool's unstaked NEAR and when it can be withdrawn, and timed unlocks."""

from __future__ import annotations

from bot.near.units import format_near
from bot.render.action_text import ready_lines
from bot.render.text.base import SCAN_FOUND, problem_and_note_lines, render_text, when, when_exact
from bot.services.results import UnbondingEntry, UnbondingResult


def unbonding_verdict(entry: UnbondingEntry, current_epoch: int) -> str:
    if entry.can_withdraw:
        return "withdrawable now (withdraw is a separate step)"
    if entry.waiting_for not in (None, "epoch"):
        return f"unlock epoch {entry.available_epoch} reached, not withdrawable yet: {entry.waiting_note}"
    if entry.available_epoch is not None and entry.estimated_available_unix is not None:
        span = ""
        if entry.estimate_earliest_unix is not None and entry.estimate_latest_unix is not None:
            span = f", between {when(entry.estimate_earliest_unix)} and {when(entry.estimate_latest_unix)}"
        return (
            f"withdrawable from epoch {entry.available_epoch} (in {entry.epochs_left} epoch(s)), "
            f"≈ {when(entry.estimated_available_unix)}{span}"
        )
    if entry.latest_possible_epoch is not None:
        latest = f" (≈ {when(entry.estimate_latest_unix)})" if entry.estimate_latest_unix else ""
        return (
            f"still unbonding; the exact epoch could not be read ({entry.source_note}), but it is epoch "
            f"{entry.latest_possible_epoch} at the latest{latest}"
        )
    return "still unbonding"


@render_text.register
def _(result: UnbondingResult) -> str:
    at_block = f", block {result.block_height:,}" if result.block_height is not None else ""
    lines = [f"Unbonding for {result.account_id} (current epoch {result.current_epoch}{at_block})"]
    if not result.entries and not result.timed_unlocks:
        lines.append("  nothing is unbonding: no pool checked holds unstaked NEAR for this account")
    for entry in result.entries:
        held = f" by your lockup {entry.held_by} (withdraw with --from-lockup --lockup {entry.held_by})" if entry.held_by else ""
        if entry.found_by == "scan":
            held += f" ({SCAN_FOUND})"
        lines.append(
            f"  {entry.pool_id}: {format_near(entry.unstaked_yocto)} unstaked{held} — "
            f"{unbonding_verdict(entry, result.current_epoch)}"
        )
    for unlock in result.timed_unlocks:
        state = (
            f"unlocked since {when(unlock.unlock_unix)}: finish it with end_unlock_near (`venear end-unlock "
            f"{unlock.owner_id or result.account_id}`)" if unlock.unlock_ready
            else f"usable from {when_exact(unlock.unlock_unix)}"
        )
        lines.append(f"  veNEAR unlock in {unlock.lockup_id}: {format_near(unlock.pending_yocto)} — {state}")
    lines.append(f"  pools checked: {result.pools_checked}" + ("" if result.pools_complete else " (some could not be read)"))
    lines += problem_and_note_lines(result.pool_problems, result.notes)
    return "\n".join(lines + ready_lines(result))
