"""Console text of `status`: the wallet, delegations, lockups and liquid-staking holdings."""

from __future__ import annotations

from bot.near.units import format_near
from bot.render.action_text import ready_lines
from bot.render.text.base import SCAN_FOUND, problem_and_note_lines, render_text, when
from bot.services.delegations import DUST_YOCTO
from bot.services.results import LockupSummary, StatusResult


@render_text.register
def _(result: StatusResult) -> str:
    lines = [
        f"Account {result.account_id}",
        f"  balance: {format_near(result.amount_yocto)} (available to spend {format_near(result.available_yocto)})",
    ]
    if result.locked_yocto:
        lines.append(f"  locked as validator stake: {format_near(result.locked_yocto)}")
    lines.append(
        f"  storage: {result.storage_usage_bytes:,} bytes reserve {format_near(result.storage_cost_yocto)}"
    )
    if result.delegations:
        lines.append(
            f"  delegations ({len(result.delegations)}): staked {format_near(result.total_staked_yocto)}, "
            f"unstaked {format_near(result.total_unstaked_yocto)}"
        )
        for d in result.delegations:
            if d.unstaked_yocto == 0:
                state = ""
            elif d.unstaked_yocto <= DUST_YOCTO:
                state = " — rounding dust, nothing to do"
            elif d.can_withdraw:
                state = " — withdrawable now (withdraw is a separate step)"
            else:
                state = " — unbonding, not yet withdrawable"
            missed = f" ({SCAN_FOUND})" if d.found_by == "scan" else ""
            lines.append(
                f"    {d.pool_id}: staked {format_near(d.staked_yocto)}, unstaked {format_near(d.unstaked_yocto)}"
                f"{state}{missed}"
            )
    else:
        lines.append("  delegations: none found")
    lines.append(f"  pools checked: {result.delegations_checked}"
                 + ("" if result.delegations_complete else " (some could not be read)"))
    if result.deployment.startswith("global"):
        lines.append(f"  contract: {deployment_text(result.deployment, result.global_contract_hash, result.global_contract_account_id)}")
    for lockup in result.lockups or ([result.lockup] if result.lockup else []):
        lines.append(lockup_summary_line(lockup))
    for holding in result.liquid:
        pending = f", {format_near(holding.pending_unstake_yocto)} unstaking" if holding.pending_unstake_yocto else ""
        lines.append(
            f"  {holding.provider} ({holding.contract_id}): {format_near(holding.token_balance, unit=False)} "
            f"{holding.symbol} ≈ {format_near(holding.near_value_yocto)}{pending}"
        )
    lines += problem_and_note_lines(result.pool_problems, result.notes)
    return "\n".join(lines + ready_lines(result))


def deployment_text(deployment: str, global_hash: str | None, global_account: str | None) -> str:
    if deployment == "global_hash":
        return f"global contract (code hash {global_hash})"
    if deployment == "global_account":
        return f"global contract published by {global_account}"
    return deployment


def lockup_summary_line(lockup: LockupSummary) -> str:
    if lockup.venear is not None:
        v = lockup.venear
        pending = ""
        if v.pending_yocto:
            state = "ready: finish with `venear end-unlock`" if v.unlock_ready else f"until {when(v.unlock_unix or 0)}"
            pending = f", {format_near(v.pending_yocto)} unlocking ({state})"
        return (
            f"  House of Stake lockup {lockup.lockup_id}: {format_near(v.locked_yocto)} locked for veNEAR{pending}, "
            f"transferable now {format_near(lockup.liquid_owners_balance_yocto)}"
        )
    return (
        f"  lockup {lockup.lockup_id}: locked {format_near(lockup.locked_yocto)}, owner's "
        f"{format_near(lockup.owners_balance_yocto)}, transferable now {format_near(lockup.liquid_owners_balance_yocto)}"
        + ("" if lockup.transfers_enabled else " (transfers still disabled: see `lockup`)")
    )
