"""The unstake and withdraw checks of a delegation, the same for an account's own and a lockup's: refuse what the pool
would refuse (near-staking.md §2.5: never round a balance up; the unstaking delay) and warn where the action would
hurt (§2.4: one unlock epoch per delegator; rounding dust)."""

from __future__ import annotations

from bot.near.units import format_near
from bot.services.chain import Chain
from bot.services.delegations import DUST_YOCTO
from bot.services.planning.building import ActionRefused, utc_text
from bot.services.unbonding import get_unbonding

NUM_EPOCHS_TO_UNLOCK = 4  # staking-pool unstake delay (near-staking.md §2.4)


def unstake_checks(
    holder: str, pool_id: str, amount: int | None, *, staked: int, unstaked: int, can_withdraw: bool,
    withdraw_first: str, hint: str = "",
) -> list[str]:
    """Refuse an unstake of nothing or above the staked balance, and warn when an earlier unstaked balance would have
    its wait restarted. `holder`: who delegates, as the sentence names it; `hint`: a sentence added to "nothing
    staked"."""
    if staked == 0:
        raise ActionRefused(f"{holder} has nothing staked in {pool_id}, so there is nothing to unstake.{hint}")
    if amount is not None and amount > staked:
        raise ActionRefused(
            f"{holder} has {format_near(staked, 24)} staked in {pool_id}; you asked to unstake "
            f"{format_near(amount, 24)}. Use \"all\" to unstake everything exactly."
        )
    warnings: list[str] = []
    if unstaked > DUST_YOCTO:
        if can_withdraw:
            warnings.append(
                f"{format_near(unstaked)} already unstaked in {pool_id} is withdrawable now. Unstaking "
                f"again restarts the 4-epoch wait for all of it: {withdraw_first}"
            )
        else:
            warnings.append(
                f"{format_near(unstaked)} is already unbonding in {pool_id}. A new unstake restarts the "
                "4-epoch wait for the whole unstaked balance, including that amount."
            )
    return warnings


async def withdraw_checks(
    chain: Chain, delegator_id: str, pool_id: str, amount: int | None, *, unstaked: int, can_withdraw: bool,
    holder: str, unstake_how: str = "", of_lockup: bool = False, hint: str = "",
) -> list[str]:
    """Refuse a withdrawal of nothing, of what is still in its unstaking delay or above the unstaked balance, and
    warn about dust. `delegator_id`: the account in the pool (its unbonding says when the wait ends); `holder`: it as
    the sentence names it; `unstake_how`: how to unstake, added to "unstake first"; `hint`: a sentence added to
    "nothing unstaked"."""
    if unstaked == 0:
        raise ActionRefused(
            f"{holder} has no unstaked balance in {pool_id}; unstake first{unstake_how}, then wait "
            f"{NUM_EPOCHS_TO_UNLOCK} epochs.{hint}"
        )
    if not can_withdraw:
        raise ActionRefused(await not_yet_text(chain, delegator_id, pool_id))
    if amount is not None and amount > unstaked:
        whose = " for the lockup" if of_lockup else ""
        raise ActionRefused(
            f"Only {format_near(unstaked, 24)} is unstaked in {pool_id}{whose}. Use \"all\" to withdraw it exactly."
        )
    if unstaked > DUST_YOCTO:
        return []
    return [
        f"Only {unstaked} yoctoNEAR is there: share-rounding dust worth far less than the fee to withdraw it."
    ]


async def not_yet_text(chain: Chain, delegator_id: str, pool_id: str) -> str:
    """Why the unstaked balance cannot be withdrawn yet, and from which epoch (about when) it can."""
    unbonding = await get_unbonding(chain, delegator_id, [pool_id])
    entry = next((e for e in unbonding.entries if e.pool_id == pool_id), None)
    base = f"The unstaked balance in {pool_id} is not withdrawable yet (the pool would refuse: unstaking delay)."
    if entry and entry.available_epoch is not None:
        when = f" (about {utc_text(entry.estimated_available_unix)})" if entry.estimated_available_unix else ""
        return f"{base} It becomes withdrawable at epoch {entry.available_epoch}{when}; current epoch {unbonding.current_epoch}."
    if entry and entry.latest_possible_epoch is not None:
        return f"{base} It becomes withdrawable by epoch {entry.latest_possible_epoch} at the latest."
    return base
