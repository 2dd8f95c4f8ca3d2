"""Console text of `lockup`: a core-contracts lockup's balances and milestones, or a House of Stake lockup's
veNEAR side, then the checks and what the owner can do."""

from __future__ import annotations

from bot.near.units import format_near
from bot.render.action_text import ready_lines
from bot.render.text.base import duration, render_text, when, when_exact
from bot.render.text.status import deployment_text
from bot.services.results import LockupResult

_LOCKUP_MILESTONES = {
    "lockup_start": "release starts",
    "vesting_cliff": "vesting cliff",
    "release_end": "release ends",
    "vesting_end": "vesting ends",
}


def _venear_lines(result: LockupResult) -> list[str]:
    v = result.venear
    assert v is not None
    moment = f"projected for {when(result.at_unix)}" if result.projected else f"now ({when(result.at_unix)})"
    lines = [
        f"House of Stake lockup {result.lockup_id} of {result.owner_id} ({result.version}), {moment}",
        f"  in the lockup: {format_near(result.owners_balance_yocto)} (on the account "
        f"{format_near(result.account_balance_yocto)}, keeps {format_near(result.min_balance_for_storage_yocto)} for "
        "storage)",
        f"  locked for veNEAR: {format_near(v.locked_yocto)}",
    ]
    if v.pending_yocto:
        state = "the cooldown is over: finish it with end_unlock_near" if v.unlock_ready else "not yet"
        lines.append(f"  pending unlock: {format_near(v.pending_yocto)}, usable from {when_exact(v.unlock_unix or 0)} ({state})")
    lines += [
        f"  free to lock: {format_near(v.free_to_lock_yocto)}",
        f"  transferable {'then' if result.projected else 'now'}: {format_near(result.liquid_owners_balance_yocto)}",
        f"  unlock cooldown: {duration(v.unlock_duration_seconds)} (set in the lockup by {v.venear_contract_id})",
    ]
    return lines


@render_text.register
def _(result: LockupResult) -> str:
    if result.venear is not None:
        lines = _venear_lines(result)
        if result.staking_pool_id is not None:
            pool = f"  staking: {result.staking_pool_id}, deposit known to the lockup {format_near(result.known_deposited_yocto)}"
            if result.pool is not None:
                pool += f"; the pool reports {format_near(result.pool.total_yocto)}"
            lines.append(pool)
        return "\n".join(lines + _lockup_tail(result))
    moment = f"projected for {when(result.at_unix)}" if result.projected else f"now ({when(result.at_unix)})"
    shown_hash = result.global_contract_hash or result.code_hash
    version = result.version if result.version_known else f"unknown code {shown_hash}"
    if result.deployment.startswith("global"):
        version += ", " + deployment_text(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    lines = [
        f"Lockup {result.lockup_id} of {result.owner_id} ({version}), {moment}",
        f"  lockup amount: {format_near(result.lockup_amount_yocto)}",
        f"  locked: {format_near(result.locked_yocto)}",
        f"  owner's balance: {format_near(result.owners_balance_yocto)} (unlocked, including any pool deposit)",
        f"  transferable {'then' if result.projected else 'now'}: {format_near(result.liquid_owners_balance_yocto)}",
        f"  on the lockup account: {format_near(result.account_balance_yocto)} "
        f"(keeps {format_near(result.min_balance_for_storage_yocto)} for storage)",
    ]
    if result.staking_pool_id is not None:
        pool = f"  staking pool: {result.staking_pool_id}, deposit known to the lockup {format_near(result.known_deposited_yocto)}"
        if result.pool is not None:
            pool += f"; the pool reports {format_near(result.pool.total_yocto)}"
        lines.append(pool)
    if not result.transfers_enabled:
        lines.append("  transfers: DISABLED until the owner calls check_transfers_vote")
        if result.after_transfers_vote is not None:
            after = result.after_transfers_vote
            lines.append(
                f"    after check_transfers_vote: locked {format_near(after.locked_yocto)}, transferable "
                f"{format_near(after.liquid_owners_balance_yocto)}"
            )
    if result.termination_status is not None:
        lines.append(
            f"  vesting terminated ({result.termination_status}): {format_near(result.terminated_unvested_yocto)} "
            "unvested"
        )
    if result.fully_unlocked_unix is None:
        lines.append("  fully unlocked: no date can be given")
    elif result.locked_yocto == 0 and result.transfers_enabled:
        lines.append("  fully unlocked: yes")
    else:
        vote = " (once check_transfers_vote is called)" if result.unlock_assumes_transfers_vote else ""
        lines.append(f"  fully unlocked from: {when(result.fully_unlocked_unix)}{vote}")
    for milestone in result.milestones:
        name = _LOCKUP_MILESTONES.get(milestone.name, milestone.name)
        lines.append(
            f"  next: {name} {when(milestone.unix)}, then {format_near(milestone.locked_after_yocto)} locked"
        )
    return "\n".join(lines + _lockup_tail(result))


def _lockup_tail(result: LockupResult) -> list[str]:
    lines: list[str] = []
    if result.contract_views is not None and result.disagreement is None:
        lines.append("  checked: the contract's own views give the same numbers")
    if result.disagreement is not None:
        views = result.contract_views
        lines.append(f"  ! {result.disagreement}")
        if views is not None:
            lines.append(
                f"    contract says: locked {format_near(views.locked_yocto)}, owner's balance "
                f"{format_near(views.owners_balance_yocto)}, transferable {format_near(views.liquid_owners_balance_yocto)}"
            )
    if result.actions:
        lines.append("  what the owner can do:")
        for action in result.actions:
            lines.append(f"  - {action.text}")
    if result.other_lockups:
        lines.append(f"  also: {', '.join(result.other_lockups)} (ask `lockup <id>` for each)")
    for note in result.notes:
        lines.append(f"  note: {note}")
    return lines + ready_lines(result)
