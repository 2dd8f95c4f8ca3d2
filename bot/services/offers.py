"""Recommended steps as offers (unplanned PreparedActions): the action command that does it and words for a holder.

Services that give advice (diagnose, lockup) make their offers where they write the advice; `with_offers` adds the
offers that follow from an answer's figures alone (status, unbonding, liquid: what is withdrawable or movable now).
`bot.services.ready` prepares them. Light on imports: the lockup services use it.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from pydantic import BaseModel

from bot.near.account_id import is_lockup_account_id, lockup_account_id
from bot.near.liquid import providers_for
from bot.near.units import format_near
from bot.near.venear import is_venear_lockup_id
from bot.services.delegations import DUST_YOCTO
from bot.services.results import (
    ActionTransaction,
    DelegationEntry,
    LiquidHolding,
    LiquidPosition,
    LiquidResult,
    LockupSummary,
    PreparedAction,
    Result,
    StatusResult,
    TimedUnlock,
    UnbondingEntry,
    UnbondingResult,
)

# Usefulness classes (lower first): NEAR sitting idle and ready, then NEAR to bring back into a lockup, then NEAR
# to move out of a lockup, then an unlock to finish. Within a class, the larger amount first.
WITHDRAW, LOCKUP_WITHDRAW, TRANSFER, END_UNLOCK = 1, 2, 3, 4


# What each contract call does to the holder's NEAR, for "2 steps in your wallet: …" (no method names in advice).
STEP_WORDS = {
    "check_transfers_vote": "record the transfers vote",
    "refresh_staking_pool_balance": "count your staking rewards",
    "end_unlock_near": "finish the veNEAR unlock",
    "transfer": "move the NEAR",
    "withdraw_all_from_staking_pool": "bring the NEAR back from the pool",
    "withdraw_from_staking_pool": "bring the NEAR back from the pool",
    "unselect_staking_pool": "release the old pool",
    "select_staking_pool": "choose the pool",
    "deposit_and_stake": "stake",
    "unstake": "unstake",
    "unstake_all": "unstake",
    "liquid_unstake": "swap for NEAR now",
    "withdraw": "withdraw",
    "withdraw_all": "withdraw",
    "withdraw_unstaked": "withdraw",
    "lock_near": "lock for veNEAR",
    "begin_unlock_near": "start the unlock",
    "lock_pending_near": "lock the pending NEAR again",
}


def step_words(transactions: list[ActionTransaction]) -> list[str]:
    """What each call of a prepared action does to the NEAR, in signing order."""
    return [STEP_WORDS.get(call.method_name, "sign") for tx in transactions for call in tx.actions]


def offer(command: str, label: str, text: str, usefulness: int, amount: int | None = None) -> PreparedAction:
    """A recommendation not prepared yet: `command` is the action command line (console form)."""
    return PreparedAction(command=command, label=label, text=text, rank=usefulness, planned=False,
                          amount_yocto=amount)


def lockup_option(owner_id: str, lockup_id: str, network: str) -> str:
    """The words that pick a lockup in `withdraw`/`stake`/`unstake`: `--from-lockup` for the owner's derived
    `.lockup.near` (the one the commands find first), `--lockup <id>` for any other."""
    try:
        derived = lockup_account_id(owner_id, network) == lockup_id
    except ValueError:
        derived = False
    return "--from-lockup" if derived else f"--lockup {lockup_id}"


def transfer_option(owner_id: str, lockup_id: str, network: str) -> str:
    """` --lockup <id>` for `transfer`/`venear` unless it is the owner's derived `.lockup.near`."""
    option = lockup_option(owner_id, lockup_id, network)
    return "" if option == "--from-lockup" else f" {option}"


def withdraw_offer(account_id: str, pool_id: str, amount: int, name: str | None = None) -> PreparedAction:
    where = name or pool_id
    return offer(f"withdraw {account_id} {pool_id}", f"Withdraw {format_near(amount)}",
                 f"Withdraw {format_near(amount)} from {where} to {account_id} — it is ready.", WITHDRAW, amount)


def lockup_withdraw_offer(owner_id: str, pool_id: str, lockup_id: str, amount: int, network: str) -> PreparedAction:
    return offer(
        f"withdraw {owner_id} {pool_id} {lockup_option(owner_id, lockup_id, network)}",
        f"Bring {format_near(amount)} back to your lockup",
        f"Withdraw {format_near(amount)} from {pool_id} back to your lockup {lockup_id} — it is ready.",
        LOCKUP_WITHDRAW, amount,
    )


def transfer_offer(owner_id: str, lockup_id: str, amount: int, network: str) -> PreparedAction:
    return offer(
        f"transfer {owner_id} all{transfer_option(owner_id, lockup_id, network)}",
        f"Move {format_near(amount)} to your wallet",
        f"Move the {format_near(amount)} you can move out of your lockup {lockup_id} to your wallet ({owner_id}).",
        TRANSFER, amount,
    )


def end_unlock_offer(owner_id: str, lockup_id: str, amount: int) -> PreparedAction:
    return offer(
        f"venear end-unlock {owner_id} --lockup {lockup_id}", f"Finish the unlock of {format_near(amount)}",
        f"Finish the veNEAR unlock of {format_near(amount)}: it becomes free NEAR in your lockup {lockup_id}.",
        END_UNLOCK, amount,
    )


def _is_lockup(account_id: str, network: str) -> bool:
    return is_lockup_account_id(account_id, network) or is_venear_lockup_id(account_id, network)


def _names(network: str) -> dict[str, str]:
    return {p.contract_id: p.name for p in providers_for(network)}


def _collect(value: Any, found: list[PreparedAction]) -> None:
    if isinstance(value, PreparedAction):
        if all(value is not seen for seen in found):  # one object may sit in two places (status `lockup`)
            found.append(value)
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def prepared_actions(result: Result) -> list[PreparedAction]:
    """Every recommended step of an answer (offered or prepared), most useful first once ranked."""
    found: list[PreparedAction] = []
    _collect(result, found)
    return sorted(found, key=lambda p: p.rank)


@singledispatch
def with_offers(result: Result, network: str) -> Result:
    """`result` with an offer on every figure that is ready to act on (answers without such figures: unchanged)."""
    return result


def _delegation(d: DelegationEntry, result: StatusResult, network: str) -> DelegationEntry:
    if d.unstaked_yocto <= DUST_YOCTO or not d.can_withdraw:
        return d
    account = result.account_id
    if result.lockup_of is not None:  # the account is a lockup: its owner withdraws through it
        ready = offer(f"withdraw {account} {d.pool_id} --from-lockup", f"Bring {format_near(d.unstaked_yocto)} back",
                      f"Withdraw {format_near(d.unstaked_yocto)} from {d.pool_id} back to the lockup {account} — it "
                      "is ready.", LOCKUP_WITHDRAW, d.unstaked_yocto)
    else:
        ready = withdraw_offer(account, d.pool_id, d.unstaked_yocto)
    return d.model_copy(update={"action": ready})


def _holding(h: LiquidHolding, account_id: str, network: str) -> LiquidHolding:
    if not h.can_withdraw or h.pending_unstake_yocto <= DUST_YOCTO:
        return h
    return h.model_copy(update={"action": withdraw_offer(account_id, h.contract_id, h.pending_unstake_yocto,
                                                         _names(network).get(h.contract_id))})


def _summary(s: LockupSummary, network: str) -> LockupSummary:
    owner, venear = s.owner_id, s.venear
    if owner is None:
        return s
    finishing = venear is not None and venear.pending_yocto > 0 and venear.unlock_ready
    if s.transfers_enabled and (s.liquid_owners_balance_yocto > DUST_YOCTO or finishing):
        # The transfer planner finishes a veNEAR unlock that is over first (one more step), so one offer covers both.
        movable = s.liquid_owners_balance_yocto + (venear.pending_yocto if finishing and venear else 0)
        return s.model_copy(update={"action": transfer_offer(owner, s.lockup_id, movable, network)})
    return s


@with_offers.register
def _(result: StatusResult, network: str) -> Result:
    lockups = [_summary(s, network) for s in result.lockups]
    first = lockups[0] if lockups else (_summary(result.lockup, network) if result.lockup is not None else None)
    return result.model_copy(update={
        "delegations": [_delegation(d, result, network) for d in result.delegations],
        "liquid": [_holding(h, result.account_id, network) for h in result.liquid],
        "lockups": lockups,
        "lockup": first,  # the first of `lockups` (the same object, so it is prepared once)
    })


def _entry(e: UnbondingEntry, account_id: str, network: str) -> UnbondingEntry:
    if not e.can_withdraw or e.unstaked_yocto <= DUST_YOCTO:
        return e
    names = _names(network)
    if e.held_by is not None:
        ready = lockup_withdraw_offer(account_id, e.pool_id, e.held_by, e.unstaked_yocto, network)
    elif _is_lockup(account_id, network):
        ready = offer(f"withdraw {account_id} {e.pool_id} --from-lockup", f"Bring {format_near(e.unstaked_yocto)} back",
                      f"Withdraw {format_near(e.unstaked_yocto)} from {e.pool_id} back to the lockup {account_id} — "
                      "it is ready.", LOCKUP_WITHDRAW, e.unstaked_yocto)
    else:
        ready = withdraw_offer(account_id, e.pool_id, e.unstaked_yocto, names.get(e.pool_id))
    return e.model_copy(update={"action": ready})


def _unlock(u: TimedUnlock, account_id: str) -> TimedUnlock:
    if not u.unlock_ready:
        return u
    owner = u.owner_id or account_id
    return u.model_copy(update={"action": end_unlock_offer(owner, u.lockup_id, u.pending_yocto)})


@with_offers.register
def _(result: UnbondingResult, network: str) -> Result:
    return result.model_copy(update={
        "entries": [_entry(e, result.account_id, network) for e in result.entries],
        "timed_unlocks": [_unlock(u, result.account_id) for u in result.timed_unlocks],
    })


def _position(p: LiquidPosition, account_id: str) -> LiquidPosition:
    if not p.can_withdraw or not p.pending_unstake_yocto or p.pending_unstake_yocto <= DUST_YOCTO:
        return p
    return p.model_copy(update={"action": withdraw_offer(account_id, p.contract_id, p.pending_unstake_yocto,
                                                         p.provider)})


@with_offers.register
def _(result: LiquidResult, network: str) -> Result:
    return result.model_copy(update={"positions": [_position(p, result.account_id) for p in result.positions]})
