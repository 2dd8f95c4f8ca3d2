"""The `liquid` answer: liquid-staking positions, their prices, pending unstakes and exits."""

from __future__ import annotations

from typing import Literal

from bot.services.results.actions import PreparedAction
from bot.services.results.base import PoolProblem, Result, Yocto
from bot.services.results.unbonding import UnbondingEntry


class LiquidPosition(Result):
    """One liquid-staking provider's position in the `liquid` command (amounts in yocto; tokens have 24 decimals)."""

    contract_id: str
    provider: str
    symbol: str
    token_balance: Yocto
    price_yocto: Yocto  # NEAR yocto per 10^24 token units, as the contract reports it
    near_value_yocto: Yocto  # token_balance × price // 10^24 (floored)
    pending_unstake_yocto: Yocto | None  # None: the provider has no view to read it
    can_withdraw: bool | None
    unbonding: UnbondingEntry | None  # the pending unstake's unlock epoch and estimate
    instant_exit: Literal["liquid_unstake", "dex_swap"]
    instant_receive_yocto: Yocto | None = None  # live quote for the whole balance (Meta Pool)
    instant_fee_yocto: Yocto | None = None
    wait_epochs: int  # a delayed unstake started now waits this many epochs (live for Meta Pool)
    wait_estimated_unix: int | None = None
    block_height: int
    notes: list[str] = []
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class LiquidResult(Result):
    kind: Literal["liquid"] = "liquid"
    account_id: str
    current_epoch: int
    head_unix: int
    positions: list[LiquidPosition]
    provider_problems: list[PoolProblem] = []
    notes: list[str] = []
