"""Amounts a person types for an action, and what an account can attach as a deposit. Exact: yoctoNEAR ints."""

from __future__ import annotations

from bot.near import errors
from bot.near.models import AccountView
from bot.near.units import AmountError, parse_near_amount
from bot.services.status import STORAGE_YOCTO_PER_BYTE

# Kept back from a stake so the account can still pay for transactions (a 125 TGas call costs ~0.0125 NEAR at
# the minimum gas price of 10^8 yocto/gas). A policy of this bot, not a protocol rule.
GAS_RESERVE_YOCTO = 5 * 10**22  # 0.05 NEAR


def parse_amount(text: str) -> int:
    try:
        amount = parse_near_amount(text)
    except AmountError as exc:
        raise errors.InvalidInput(str(exc)) from exc
    if amount == 0:
        raise errors.InvalidInput("The amount must be more than zero.")
    return amount


def is_all(text: str | None) -> bool:
    """No amount, or "all": the whole balance, left for the contract to take exactly."""
    return text is None or text.strip().lower() == "all"


def parse_amount_or_all(text: str | None) -> int | None:
    """An amount in NEAR, or None for "all" (or no amount given)."""
    return None if text is None or is_all(text) else parse_amount(text)


def spendable_of(account: AccountView) -> int:
    """What an account can attach as a deposit: balance minus unpaid storage minus the gas reserve."""
    storage_shortfall = max(0, account.storage_usage * STORAGE_YOCTO_PER_BYTE - account.locked)
    return max(0, account.amount - storage_shortfall - GAS_RESERVE_YOCTO)
