"""The lockup part of `diagnose`: what each of an owner's lockups needs, in plain words.

Foundation-family lockups (near-staking.md §4.4–4.6): the transfers vote, uncounted pool rewards, what the schedule
still locks, a termination. House of Stake lockups (mainnet-2026.md §3, houseofstake lockup-contract venear.rs):
NEAR locked for veNEAR, an unlock in its cooldown, an unlock finished but not completed (end_unlock_near). For both:
the lockup's stake unbonding or withdrawable in its pool (the unbonding answer's `held_by` entries), and what can be
transferred now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from bot.near.units import format_near
from bot.services.delegations import DUST_YOCTO
from bot.services.offers import end_unlock_offer, lockup_withdraw_offer, transfer_offer, transfer_option
from bot.services.results import LockupResult, UnbondingEntry

NAME_YOUR_LOCKUP = (
    "A lockup deployed from the global lockup contract can live at any account id, and nothing on chain leads from "
    "its owner to it. If you have one, add it: `diagnose {account} --lockup <lockup-account>`, or link it with "
    "/account link."
)


class CaseSink(Protocol):
    def add(self, **fields: Any) -> None: ...


def _utc(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _utc_seconds(unix: int) -> str:
    """An unlock moment to the second: end_unlock_near fails one second too early ("Invalid unlock time")."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def lockup_command(lockup_id: str, account_id: str, primary: str | None) -> str:
    """`/lockup <account>` shows the account's first lockup; any other is asked for by its own id."""
    return f"/lockup {account_id}" if lockup_id == primary else f"/lockup {lockup_id}"


def foundation_cases(cases: CaseSink, lockup: LockupResult, command: str, network: str) -> None:
    for action in lockup.actions:
        if action.action == "check_transfers_vote":
            cases.add(kind="lockup_transfers_vote", severity="action", pool_id=lockup.lockup_id,
                      title="Lockup transfers are still disabled", text=action.text, advice=action.advice,
                      next_command=command, action=action.prepared)
        elif action.action == "refresh_staking_pool_balance":
            # Counting rewards lets more move only when the owner's balance, not the NEAR on the lockup account
            # itself, is what limits the transferable amount (near-staking.md §4.5: min(owners, balance − storage)).
            spendable_here = max(0, lockup.account_balance_yocto - lockup.min_balance_for_storage_yocto)
            helps_now = lockup.owners_balance_yocto < spendable_here
            cases.add(kind="lockup_refresh", severity="action" if helps_now else "info", pool_id=lockup.lockup_id,
                      title="The lockup has not counted its staking rewards yet", text=action.text,
                      advice=action.advice, next_command=command)
        elif action.action == "termination_in_progress":
            cases.add(kind="lockup_termination", severity="info", pool_id=lockup.lockup_id,
                      title="The lockup's vesting was terminated", text=action.text, advice=action.advice,
                      next_command=command)
    if lockup.locked_yocto > 0:
        after = lockup.after_transfers_vote
        if not lockup.transfers_enabled and after is not None:
            why = (
                "The contract counts all of it as locked only because transfers are still disabled (see above); "
                f"after check_transfers_vote, {format_near(after.locked_yocto)} would remain locked."
            )
            plain_why = (
                "The lockup counts all of it as locked only because transfers are still disabled (see above); once "
                f"that is fixed, {format_near(after.locked_yocto)} would remain locked."
            )
        else:
            why = plain_why = "Locked by the lockup's release or vesting schedule, not stuck: nothing unlocks it sooner."
        if lockup.fully_unlocked_unix is None:
            until = " No full-unlock date can be given (see /lockup)."
        elif lockup.fully_unlocked_unix > lockup.at_unix:
            until = f" Fully unlocked by its schedule on {_utc(lockup.fully_unlocked_unix)}."
        else:
            until = ""
        cases.add(
            kind="lockup_locked", severity="info", pool_id=lockup.lockup_id, amount_yocto=lockup.locked_yocto,
            title=f"{format_near(lockup.locked_yocto)} still locked in {lockup.lockup_id}",
            text=f"{why}{until} Transferable now: {format_near(lockup.liquid_owners_balance_yocto)}.",
            advice=f"{plain_why}{until} Transferable now: {format_near(lockup.liquid_owners_balance_yocto)}.",
            next_command=command,
        )
    _transferable(cases, lockup, network)


def venear_cases(cases: CaseSink, lockup: LockupResult, command: str, network: str) -> None:
    venear = lockup.venear
    assert venear is not None
    lockup_id, owner = lockup.lockup_id, lockup.owner_id
    days = venear.unlock_duration_seconds // 86_400
    if venear.pending_yocto and venear.unlock_ready:
        cases.add(
            kind="venear_unlock_ready", severity="action", pool_id=lockup_id, amount_yocto=venear.pending_yocto,
            estimated_available_unix=venear.unlock_unix,
            title=f"{format_near(venear.pending_yocto)} unlocked from veNEAR, waiting for you to finish",
            text=f"The veNEAR unlock cooldown of {lockup_id} ended on {_utc_seconds(venear.unlock_unix or 0)}, but the NEAR "
            f"stays pending until {owner} calls end_unlock_near on the lockup. Then it can be transferred out.",
            advice=f"The veNEAR unlock cooldown of {lockup_id} ended on {_utc_seconds(venear.unlock_unix or 0)}, but "
            "the NEAR stays pending in the lockup until you finish the unlock. Then it can be moved out or locked again.",
            next_command=f"venear end-unlock {owner}",
            action=end_unlock_offer(owner, lockup_id, venear.pending_yocto),
        )
    elif venear.pending_yocto:
        cases.add(
            kind="venear_unlocking", severity="wait", pool_id=lockup_id, amount_yocto=venear.pending_yocto,
            estimated_available_unix=venear.unlock_unix,
            title=f"{format_near(venear.pending_yocto)} in the veNEAR unlock cooldown",
            text=f"Unlocking from House of Stake takes {days} days; this unlock ends on "
            f"{_utc_seconds(venear.unlock_unix or 0)}. Nothing is wrong and nothing can speed it up. Starting another "
            "unlock before then (begin_unlock_near) restarts the timer for the whole pending amount. When it ends, "
            "finish it with end_unlock_near.",
            advice=f"Unlocking from House of Stake takes {days} days; this unlock ends on "
            f"{_utc_seconds(venear.unlock_unix or 0)}. Nothing is wrong and nothing can speed it up. Starting another "
            "unlock before then restarts the timer for the whole pending amount. When it ends, finish the unlock.",
            next_command=command,
        )
    if venear.locked_yocto:
        cases.add(
            kind="venear_locked", severity="info", pool_id=lockup_id, amount_yocto=venear.locked_yocto,
            title=f"{format_near(venear.locked_yocto)} locked for veNEAR in {lockup_id}",
            text=f"Locked for House of Stake voting power, not stuck. To get it back, start an unlock (`venear unlock "
            f"{owner}`) and wait the {days}-day cooldown. Transferable now: "
            f"{format_near(lockup.liquid_owners_balance_yocto)}.",
            next_command=command,
        )
    _transferable(cases, lockup, network)


def _transferable(cases: CaseSink, lockup: LockupResult, network: str) -> None:
    amount = lockup.liquid_owners_balance_yocto
    blocked = any(a.action in ("check_transfers_vote", "termination_in_progress", "staking_busy",
                               "wait_for_staking_call") for a in lockup.actions)
    if amount <= DUST_YOCTO or blocked:
        return
    cases.add(
        kind="lockup_transferable", severity="info", pool_id=lockup.lockup_id, amount_yocto=amount,
        title=f"{format_near(amount)} can be moved out of {lockup.lockup_id} now",
        text=f"Unlocked NEAR stays in the lockup until {lockup.owner_id} transfers it out; nothing moves by itself.",
        advice="Unlocked NEAR stays in the lockup until you move it out; nothing moves by itself.",
        next_command=f"transfer {lockup.owner_id} all{transfer_option(lockup.owner_id, lockup.lockup_id, network)}",
        action=transfer_offer(lockup.owner_id, lockup.lockup_id, amount, network),
    )


def held_entry_cases(
    cases: CaseSink, entry: UnbondingEntry, command: str, current_epoch: int, owner: str, network: str
) -> None:
    """A lockup's own stake unbonding or withdrawable in its pool (an unbonding entry with `held_by`), `owner`'s."""
    pool, amount, lockup_id = entry.pool_id, entry.unstaked_yocto, entry.held_by
    assert lockup_id is not None  # only entries held by a lockup come here
    if amount <= DUST_YOCTO:
        return
    if entry.can_withdraw:
        cases.add(
            kind="lockup_withdrawable", severity="action", pool_id=pool, amount_yocto=amount,
            title=f"{format_near(amount)} of the lockup ready to withdraw from {pool}",
            text=f"The lockup's unstaking wait is over, but the NEAR stays in {pool} until the lockup's owner calls "
            f"withdraw_all_from_staking_pool on {lockup_id} (175 TGas). Then it counts towards the transferable "
            "balance.",
            advice=f"The lockup's unstaking wait is over, but the NEAR stays in {pool} until you bring it back to the "
            f"lockup {lockup_id}: a separate step. Then it counts towards what you can move out.",
            next_command=command,
            action=lockup_withdraw_offer(owner, pool, lockup_id, amount, network),
        )
        return
    epoch = entry.available_epoch or entry.latest_possible_epoch
    when = "" if epoch is None else f" from epoch {epoch}, {epoch - current_epoch} epoch(s) from now"
    exact = "" if entry.available_epoch is not None else " (at the latest; the exact epoch could not be read)"
    cases.add(
        kind="lockup_unbonding", severity="wait", pool_id=pool, amount_yocto=amount, available_epoch=epoch,
        estimated_available_unix=entry.estimated_available_unix or entry.estimate_latest_unix,
        title=f"{format_near(amount)} of the lockup unbonding in {pool}",
        text=f"Unbonding for {lockup_id}: withdrawable{when}{exact} (the current epoch is {current_epoch}). Nothing "
        "is wrong; then the owner withdraws it to the lockup (withdraw_all_from_staking_pool, a separate step).",
        advice=f"Unbonding for {lockup_id}: withdrawable{when}{exact} (the current epoch is {current_epoch}). "
        "Nothing is wrong; then bring it back to the lockup (a separate step).",
        next_command=command,
    )
