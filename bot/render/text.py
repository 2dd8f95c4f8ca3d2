"""Results as plain text for the console and `ask` (one place defines each answer's wording).

`render_text` hands every renderer a cleaned copy of the result (`safe.cleaned_copy`: no control sequences, hidden
or right-to-left characters, or links in untrusted text), so a renderer registered here cannot print raw input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import singledispatch
from typing import Any

from bot.near.units import format_near
from bot.render.action_text import ready_lines, sign_lines, transaction_lines
from bot.render.safe import cleaned_copy
from bot.services.delegations import DUST_YOCTO
from bot.services.pool import ROLE_NAMES
from bot.services.results import (
    ActionResult,
    DiagnoseResult,
    EpochResult,
    ErrorResult,
    ExplainResult,
    LiquidPosition,
    LiquidResult,
    LockupResult,
    LockupSummary,
    PoolProblem,
    PoolResult,
    Result,
    StatusResult,
    UnbondingEntry,
    UnbondingResult,
    ValidatorInfo,
)

SCAN_FOUND = "found by scanning the validator set: the staking index misses it"


def when(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def when_exact(unix: int) -> str:
    """A moment to the second: an unlock that works from 09:15:08 fails at 09:15 ("Invalid unlock time")."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: int) -> str:
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 48:
        return f"{hours // 24} d {hours % 24} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = max(0, min(width, int(fraction * width)))
    return "█" * filled + "░" * (width - filled)


def role_text(v: ValidatorInfo) -> str:
    if v.role is None:
        return "no duties yet"
    role = ROLE_NAMES[v.role] + (" (endorses chunks only; produces no blocks or chunks)" if v.role == "chunk_validator"
                                 else "")
    if v.below_kickout:
        return f"{role}, below its kickout threshold: at risk of removal at the end of the epoch"
    return f"{role}, low uptime" if v.low_uptime else role


def duty_lines(v: ValidatorInfo) -> list[str]:
    """`blocks: 2,622 of 2,622 expected (100%), kicked out below 80%` for each duty, the role's threshold beside it."""
    lines = []
    for duty in v.duties:
        if duty.kickout_threshold_percent is not None:
            rule = f"kicked out below {duty.kickout_threshold_percent}%"
        else:
            rule = f"not a kickout rule for a {ROLE_NAMES[v.role]}" if v.role else "not a kickout rule"
        lines.append(f"{duty.duty}: {duty.produced:,} of {duty.expected:,} expected ({duty.percent:g}%), {rule}")
    return lines


def problem_and_note_lines(problems: list[PoolProblem], notes: list[str]) -> list[str]:
    return [f"  ! {p.pool_id}: {p.message}" for p in problems] + [f"  note: {note}" for note in notes]


@singledispatch
def _render(result: Result) -> str:
    raise TypeError(f"no text renderer for {type(result).__name__}")


class _TextRenderer:
    """`render_text(result)`: the registered renderer, always given a cleaned copy of the result."""

    def __call__(self, result: Result) -> str:
        return _render(cleaned_copy(result))

    def register(self, func: Callable[..., str]) -> Any:
        return _render.register(func)


render_text = _TextRenderer()


@render_text.register
def _(result: ErrorResult) -> str:
    suffix = f" (incident {result.incident_id})" if result.incident_id else ""
    return f"Error: {result.message}{suffix}"


@render_text.register
def _(result: EpochResult) -> str:
    left_seconds = result.estimated_end_unix - result.head_unix
    return "\n".join(
        [
            f"Epoch {result.epoch_height}  {progress_bar(result.progress)} {result.progress * 100:.1f}%",
            f"  blocks: {result.blocks_into_epoch:,} of {result.epoch_length:,} done, {result.blocks_left:,} left "
            f"(head {result.head_height:,}, started at {result.epoch_start_height:,})",
            f"  block time: {result.avg_block_seconds:.3f} s on average over the last {result.sample_blocks:,} blocks",
            f"  ends ≈ {when(result.estimated_end_unix)} (in about {duration(left_seconds)}; an estimate)",
        ]
    )


@render_text.register
def _(result: PoolResult) -> str:
    v = result.validator
    status = {
        "active": "active validator this epoch",
        "proposal": "proposed (not validating this epoch)",
        "kicked_out": f"kicked out of the validator set ({v.kickout_reason})",
        "inactive": "not validating this epoch",
    }[result.validator_status]
    lines = [
        f"Pool {result.pool_id}",
        f"  owner: {result.owner_id}",
        f"  fee: {result.fee_percent:g}% ({result.fee_numerator}/{result.fee_denominator})",
        f"  total staked: {format_near(result.total_staked_yocto, 2)}",
        f"  status: {status}; next epoch: {'in the set' if v.in_next_epoch else 'NOT in the set'}",
        f"  staking paused: {'yes - new stake earns nothing' if result.paused else 'no'}",
        f"  contract: {result.contract_kind} (code hash {result.code_hash})",
    ]
    if v.expected_blocks is not None:
        lines.append(f"  this epoch: {role_text(v)}")
        lines.extend(f"    {line}" for line in duty_lines(v))
    if result.delegator_count is not None:
        lines.append(f"  delegators: {result.delegator_count:,}")
    return "\n".join(lines)


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


@render_text.register
def _(result: ActionResult) -> str:
    lines = [result.summary, "  Transaction(s) for your wallet to sign (the bot never sees a key):"]
    lines += transaction_lines(result.transactions, "    ")
    for warning in result.warnings:
        lines.append(f"  ! {warning}")
    lines += sign_lines(result.links, len(result.transactions), "  ")
    if "mynearwallet_staking" in result.links:
        lines.append(f"  Or use the wallet's staking page: {result.links['mynearwallet_staking']}")
    lines.append("  near-cli-rs:")
    lines.extend(f"    {line}" for line in result.commands["near_cli_rs"].splitlines())
    for step in result.steps:
        lines.append(f"  - {step}")
    return "\n".join(lines)


def _tokens(amount: int, symbol: str) -> str:
    return f"{format_near(amount, unit=False)} {symbol}"  # stNEAR, LiNEAR and rNEAR have 24 decimals


def _liquid_lines(p: LiquidPosition, result: LiquidResult) -> list[str]:
    lines = [
        f"  {p.provider} ({p.contract_id}): {_tokens(p.token_balance, p.symbol)} ≈ {format_near(p.near_value_yocto)} "
        f"(1 {p.symbol} = {format_near(p.price_yocto, 6, unit=False)} NEAR)"
    ]
    if p.token_balance > 0:
        if p.instant_exit == "liquid_unstake" and p.instant_receive_yocto is not None:
            fee = p.instant_fee_yocto or 0
            percent = f", {100 * fee / p.near_value_yocto:.2f}%" if p.near_value_yocto else ""
            lines.append(
                f"    exit now: liquid_unstake pays ≈ {format_near(p.instant_receive_yocto)} "
                f"(fee {format_near(fee)}{percent}); the fee moves with the pool's liquidity"
            )
        elif p.instant_exit == "liquid_unstake":
            lines.append("    exit now: liquid_unstake (no quote could be read right now)")
        else:
            lines.append(
                f"    exit now: swap {p.symbol} for NEAR on a DEX (instant, costs a swap fee and price impact; "
                "not quoted here)"
            )
        wait = (
            f"    or wait: unstake now ({p.wait_epochs} epochs), withdraw the full value from epoch "
            f"{result.current_epoch + p.wait_epochs}"
        )
        if p.wait_estimated_unix is not None:
            wait += f" (≈ {when(p.wait_estimated_unix)}, in about {duration(p.wait_estimated_unix - result.head_unix)})"
        lines.append(wait)
    if p.pending_unstake_yocto is None:
        lines.append("    pending unstake: unknown (the contract has no view for it)")
    elif p.pending_unstake_yocto > 0 and p.unbonding is not None:
        verdict = unbonding_verdict(p.unbonding, result.current_epoch)
        if p.unbonding.available_epoch is None and not p.unbonding.can_withdraw and p.unbonding.source_note:
            verdict += f" (unlock epoch unknown: {p.unbonding.source_note})"
        lines.append(f"    pending unstake: {format_near(p.pending_unstake_yocto)} — {verdict}")
    for note in p.notes:
        lines.append(f"    note: {note}")
    return lines


@render_text.register
def _(result: LiquidResult) -> str:
    lines = [f"Liquid staking for {result.account_id} (epoch {result.current_epoch})"]
    if not result.positions:
        lines.append("  no liquid-staking tokens or pending unstakes found")
    for position in result.positions:
        lines.extend(_liquid_lines(position, result))
    for problem in result.provider_problems:
        lines.append(f"  ! {problem.pool_id}: {problem.message}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines + ready_lines(result))


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


# -- support: explain and diagnose ---------------------------------------------------------------------------------

_SEVERITY_MARK = {"action": "->", "warning": "!", "wait": "..", "info": "i", "ok": "ok"}


def plain_markdown(text: str) -> str:
    """Discord Markdown made readable in a terminal: bold and code marks dropped (single * kept: `*.pool.near`)."""
    return text.replace("**", "").replace("`", "")


@render_text.register
def _(result: ExplainResult) -> str:
    lines = [result.title, "", plain_markdown(result.text), ""]
    for note in result.notes:
        lines.append(f"note: {note}")
    lines.append(f"Your own case: {result.console_command}  (in Discord: {result.command})")
    return "\n".join(lines)


@render_text.register
def _(result: DiagnoseResult) -> str:
    lines = [f"Diagnosis for {result.account_id} (epoch {result.current_epoch})"]
    for case in result.cases:
        lines.append(f"  [{_SEVERITY_MARK[case.severity]}] {case.title}")
        text = case.text
        if case.estimated_available_unix is not None and case.severity in ("wait", "info"):
            left = duration(case.estimated_available_unix - result.head_unix)
            text += f" (≈ {when(case.estimated_available_unix)}, in about {left}; an estimate)"
        lines.append(f"      {text}")
        if case.next_command:
            lines.append(f"      next: {case.next_command.removeprefix('/')}")
    for problem in result.problems:
        lines.append(f"  ! {problem.pool_id}: {problem.message}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    lines.append(f"  pools checked: {result.checked}")
    return "\n".join(lines + ready_lines(result))
