"""When a liquid-staking withdrawal would really succeed, and how long a delayed unstake sent now waits.

One readiness function per provider. `read_position` (bot/near/liquid.py) runs it at the position's block, so
`liquid`, `unbonding`, `diagnose`, the withdraw pre-flight and the alerts share one answer and cannot disagree.

Facts (near-staking.md §5; MP = Meta-Pool/liquid-staking-contract, LN = linear-protocol/LiNEAR 1.6.3,
RN = ref-finance/rnear-contract, LiNEAR-derived):
- The account views' `can_withdraw` only says the unlock epoch has come. `withdraw` asks more:
  - Meta Pool: `retrieved_for_unstake_claims` (get_contract_state) ≥ amount, i.e. the NEAR is back from its
    validators, else "Funds are not yet available" (MP account.rs `in_memory_try_finish_unstaking`).
  - LiNEAR: contract balance − 1 NEAR reserve ≥ amount (LN internal.rs `assert_can_withdraw`).
  - Rhea: unlock epoch ≤ the contract's `last_settlement_epoch` and the same reserve (RN account.rs
    `assert_can_withdraw`).
  LiNEAR's and Rhea's `can_account_withdraw({"account_id","amount"})` run `assert_can_withdraw` and panic with
  its message when it fails (LN view.rs, RN view.rs).
- A LiNEAR/Rhea unstake made after this epoch's settlement (`epoch_cleanup`) unlocks one epoch later (LN
  internal.rs `internal_unstake`; RN also when `last_settlement_initiated_epoch` is this epoch). No view shows
  `last_settlement_epoch`: it is the last field of the contract's STATE (LN lib.rs `LiquidStakingContract`; RN
  lib.rs `ContractData`, followed by `last_settlement_initiated_epoch`), read with `view_state`.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.near import errors
from bot.near.pool_state import exact_state_value
from bot.near.rpc import NearRpcClient
from bot.near.units import format_near

if TYPE_CHECKING:  # pragma: no cover
    from bot.near.liquid import LiquidProvider, PendingUnstake

# What a pending withdrawal still waits for: the unlock epoch; Rhea's settlement; Meta Pool's retrieval from its
# validators; LiNEAR's/Rhea's free balance; or "check": the contract's own check could not be read.
WaitingFor = Literal["epoch", "settlement", "retrieval", "contract_balance", "check"]

# assert_can_withdraw messages (LN and RN errors.rs).
NOT_YET_AVAILABLE = "not yet available due to unstaking delay"
NO_CONTRACT_BALANCE = "No enough balance in contract"
STATE_KEY = b"STATE"
# How many u64 epochs end the STATE value: LN last_settlement_epoch; RN also last_settlement_initiated_epoch.
SETTLEMENT_FIELDS = {"linear": 1, "rhea": 2}


@dataclass(frozen=True)
class Readiness:
    """Whether the contract would pay the pending unstake now; if not, what it waits for and, in words, what
    happens next."""

    withdrawable: bool
    waiting_for: WaitingFor | None = None
    reason: str | None = None


NOTHING = Readiness(False)  # nothing pending
READY = Readiness(True)
UNLOCK_EPOCH = Readiness(False, "epoch")  # the unlock epoch has not come (the epoch itself says when)

NO_LOSS = "Nothing is lost and no new wait starts"


def _unchecked(provider: LiquidProvider, view: str, exc: errors.NearError) -> Readiness:
    return Readiness(
        False, "check",
        f"The unlock epoch has passed, but {provider.name}'s own withdraw check ({view}) could not be read "
        f"({exc.kind}), so whether the contract pays right now is not confirmed.",
    )


def _short_of_balance(provider: LiquidProvider, amount: int) -> Readiness:
    return Readiness(
        False, "contract_balance",
        f"The unlock epoch has passed, but {provider.name} holds too little free NEAR to pay "
        f"{format_near(amount)} right now: it keeps 1 NEAR in reserve and pays from what has come back from its "
        f"validators, which refills as it withdraws unstaked NEAR from them. {NO_LOSS}; try again later, or "
        "withdraw a smaller amount.",
    )


async def metapool_readiness(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str, pending: PendingUnstake, amount: int, block_id: int
) -> Readiness:
    if not pending.unlock_reached:
        return UNLOCK_EPOCH
    try:
        state = await rpc.view_function(provider.contract_id, "get_contract_state", {}, block_id=block_id)
        fields = state if isinstance(state, dict) else {}
        # "reserve_for_unstake_claims" is the field's older name, still sent for backward compatibility (MP owner.rs).
        raw = fields.get("retrieved_for_unstake_claims", fields.get("reserve_for_unstake_claims"))
        if not (isinstance(raw, str) and raw.isascii() and raw.isdigit()):
            raise errors.MalformedResponse("get_contract_state has no retrieved_for_unstake_claims")
    except errors.NearError as exc:
        return _unchecked(provider, "get_contract_state", exc)
    if int(raw) >= amount:
        return READY
    return Readiness(
        False, "retrieval",
        f"The unlock epoch has passed, but Meta Pool has not yet brought this NEAR back from its validators (it "
        f"holds {format_near(int(raw))} ready for withdrawals, less than {format_near(amount)}), so withdraw "
        f"fails with \"Funds are not yet available\". Meta Pool's operator retrieves it from the pools "
        f"(retrieve_funds_from_a_pool); then withdraw works. {NO_LOSS}.",
    )


async def _assert_can_withdraw(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str, pending: PendingUnstake, amount: int, block_id: int
) -> Readiness | str:
    """LiNEAR's and Rhea's shared check: a Readiness, or the contract's refusal text for the caller to interpret."""
    if not pending.unlock_reached:
        return UNLOCK_EPOCH
    try:
        await rpc.call_function(
            provider.contract_id, "can_account_withdraw", {"account_id": account_id, "amount": str(amount)},
            block_id=block_id,
        )
    except errors.ContractPanic as exc:
        if NO_CONTRACT_BALANCE in exc.panic_message:
            return _short_of_balance(provider, amount)
        return exc.panic_message
    except errors.NearError as exc:
        return _unchecked(provider, "can_account_withdraw", exc)
    return READY


async def linear_readiness(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str, pending: PendingUnstake, amount: int, block_id: int
) -> Readiness:
    outcome = await _assert_can_withdraw(rpc, provider, account_id, pending, amount, block_id)
    if isinstance(outcome, Readiness):
        return outcome
    return Readiness(False, "check", f"{provider.name} refuses the withdrawal now: {outcome}")


async def rhea_readiness(
    rpc: NearRpcClient, provider: LiquidProvider, account_id: str, pending: PendingUnstake, amount: int, block_id: int
) -> Readiness:
    outcome = await _assert_can_withdraw(rpc, provider, account_id, pending, amount, block_id)
    if isinstance(outcome, Readiness):
        return outcome
    if NOT_YET_AVAILABLE in outcome:
        # The view's can_withdraw compares with the current epoch, withdraw with the last settlement (RN).
        epoch = f" {pending.unlock_epoch}" if pending.unlock_epoch is not None else ""
        return Readiness(
            False, "settlement",
            f"The unlock epoch{epoch} has come, but Rhea has not yet run its settlement for it (epoch_cleanup, "
            "done by the epoch_stake/epoch_unstake calls expected once per epoch), and until then withdraw is "
            f"refused. {NO_LOSS}; it becomes withdrawable as soon as that settlement runs.",
        )
    return Readiness(False, "check", f"Rhea refuses the withdrawal now: {outcome}")


ReadinessRule = Callable[
    [NearRpcClient, "LiquidProvider", str, "PendingUnstake", int, int], Awaitable[Readiness]
]
READINESS: dict[str, ReadinessRule] = {
    "metapool": metapool_readiness,
    "linear": linear_readiness,
    "rhea": rhea_readiness,
}


async def read_readiness(
    rpc: NearRpcClient,
    provider: LiquidProvider,
    account_id: str,
    pending: PendingUnstake | None,
    block_id: int,
    amount: int | None = None,
) -> Readiness:
    """The provider's own readiness rule for withdrawing `amount` (default: everything pending) at `block_id`."""
    wanted = pending.amount if amount is None and pending is not None else amount
    if pending is None or pending.amount == 0 or not wanted:
        return NOTHING
    return await READINESS[provider.key](rpc, provider, account_id, pending, wanted, block_id)


# --- a delayed unstake sent now -----------------------------------------------------------------------------------


async def read_settlement_epochs(rpc: NearRpcClient, provider: LiquidProvider) -> tuple[int, ...] | None:
    """LiNEAR's (last_settlement_epoch,) or Rhea's (last_settlement_epoch, last_settlement_initiated_epoch) from
    the end of the contract's STATE (at `rpc`'s block); None when unreadable or not applicable (Meta Pool has no
    settlement +1)."""
    count = SETTLEMENT_FIELDS.get(provider.key)
    if count is None:
        return None
    try:
        raw = await exact_state_value(rpc, provider.contract_id, STATE_KEY)
    except errors.NearError:
        return None  # a node refusing view_state (too large, old node) only makes the +1 unknown
    if raw is None or len(raw) < 8 * count:
        return None
    return struct.unpack(f"<{count}Q", raw[-8 * count:])


@dataclass(frozen=True)
class UnstakeWait:
    """Epochs from now to the unlock epoch of a delayed unstake sent now, and what could change it."""

    epochs: int
    note: str | None = None


def new_unstake_wait(
    provider: LiquidProvider, current_epoch: int, *, live_delay: int | None, settlements: tuple[int, ...] | None
) -> UnstakeWait:
    if provider.key == "metapool":
        if live_delay:  # compute_current_unstaking_delay: the contract's own 4 or 8 (MP owner.rs)
            return UnstakeWait(live_delay)
        return UnstakeWait(
            provider.delay_epochs,
            "Meta Pool's live delay could not be read: 4 epochs, or 8 when too much of its stake is already unstaking.",
        )
    base, name = provider.delay_epochs, provider.name
    # LN/RN validator_pool.rs get_num_epoch_to_unstake: 4, or 8 when the validators with enough stake are all
    # still releasing an earlier unstake.
    busy = "if all its validators with enough stake are still releasing an earlier unstake"
    plausible = settlements is not None and all(s <= current_epoch for s in settlements)
    if not plausible:
        return UnstakeWait(
            base,
            f"{name} waits {base} epochs, {base + 1} if its settlement for epoch {current_epoch} has already run "
            f"(that could not be read); {2 * base} or {2 * base + 1} {busy}.",
        )
    assert settlements is not None
    if current_epoch in settlements:
        return UnstakeWait(
            base + 1,
            f"{name} has already run its settlement for epoch {current_epoch}, so an unstake sent now waits one "
            f"epoch more: {base + 1} epochs ({2 * base + 1} {busy}).",
        )
    return UnstakeWait(
        base,
        f"{name} has not yet run its settlement for epoch {current_epoch}: {base} epochs if your unstake lands "
        f"before it, {base + 1} after it ({2 * base} or {2 * base + 1} {busy}).",
    )
