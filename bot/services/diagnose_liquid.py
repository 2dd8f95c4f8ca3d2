"""The liquid-staking part of `diagnose`: a delayed unstake at Meta Pool, LiNEAR or Rhea, pending, unlocked but not
paid yet (the provider's own readiness rule, bot/near/liquid_readiness.py), or ready to withdraw (near-staking.md §5).
Each case keeps the contract's words in `text` and says the same to a holder in `advice`."""

from __future__ import annotations

from bot.near.units import format_near
from bot.services.diagnose_lockups import CaseSink
from bot.services.offers import withdraw_offer
from bot.services.results import UnbondingEntry


def epochs_text(count: int) -> str:
    return f"{count} epoch" if count == 1 else f"{count} epochs"


def liquid_entry_cases(
    cases: CaseSink, entry: UnbondingEntry, account_id: str, current_epoch: int, names: dict[str, tuple[str, str]]
) -> None:
    contract, amount = entry.pool_id, entry.unstaked_yocto
    name, method = names.get(contract, (contract, "withdraw_all"))
    if entry.can_withdraw:
        cases.add(
            kind="liquid_withdrawable", severity="action", pool_id=contract, amount_yocto=amount,
            title=f"{format_near(amount)} ready to withdraw from {name}",
            text=f"Your delayed unstake at {name} ({contract}) is over and the contract would pay it now, but the "
            f"NEAR stays there until you call {method} on it: withdraw is a separate step.",
            advice=f"Your delayed unstake at {name} ({contract}) is over and {name} would pay it now, but the NEAR "
            "stays there until you withdraw it: a separate step.",
            next_command=f"/withdraw {account_id} {contract}",
            action=withdraw_offer(account_id, contract, amount, name),
        )
        return
    if entry.waiting_for not in (None, "epoch"):
        # The unlock epoch has come but the contract would still refuse (settlement, retrieval, reserve).
        cases.add(
            kind="liquid_settling", severity="wait", pool_id=contract, amount_yocto=amount,
            available_epoch=entry.available_epoch,
            title=f"{format_near(amount)} unlocked at {name}, not payable yet",
            text=f"{entry.waiting_note} Then call {method} (a separate step).",
            advice=_settling_advice(name, entry.waiting_for),
            next_command=f"/liquid {account_id}",
        )
        return
    if entry.available_epoch is not None:
        left = entry.available_epoch - current_epoch
        text = (
            f"Delayed unstake at {name}: withdrawable from epoch {entry.available_epoch}, {epochs_text(left)} from now "
            f"(the current epoch is {current_epoch}). The tokens were burned at unstake, so the NEAR amount is fixed; "
            f"then call {method} (a separate step)."
        )
        advice = text.replace(f"call {method}", "withdraw it")
    else:
        text = (
            f"Delayed unstake at {name}: not withdrawable yet, and {name} does not say from which epoch "
            f"({entry.source_note or 'no view for it'}). Liquid-staking waits are 4 or 8 epochs (LiNEAR sometimes "
            f"one more); then call {method}."
        )
        advice = (f"Delayed unstake at {name}: not withdrawable yet, and {name} does not say from which epoch. "
                  "Liquid-staking waits are 4 or 8 epochs (LiNEAR sometimes one more); then withdraw it.")
    cases.add(
        kind="liquid_unbonding", severity="wait", pool_id=contract, amount_yocto=amount,
        available_epoch=entry.available_epoch, estimated_available_unix=entry.estimated_available_unix,
        title=f"{format_near(amount)} unstaking at {name}", text=text, advice=advice,
        next_command=f"/liquid {account_id}",
    )


_SETTLING = {
    "retrieval": "The unlock epoch has passed, but {name} has not yet brought this NEAR back from its validators, so "
    "it cannot pay it yet.",
    "settlement": "The unlock epoch has come, but {name} has not yet run its settlement for it, so it cannot pay it yet.",
    "contract_balance": "The unlock epoch has passed, but {name} holds too little free NEAR to pay it right now; that "
    "refills as NEAR comes back from its validators.",
}


def _settling_advice(name: str, waiting_for: str | None) -> str:
    """A liquid-staking unlock the contract does not pay yet, without its contract's method or view names."""
    why = _SETTLING.get(waiting_for or "", "The unlock epoch has passed, but whether {name} pays right now could "
                        "not be confirmed.").format(name=name)
    return f"{why} Nothing is lost; try again later, then withdraw it (a separate step)."
