"""Which method, args, deposit and gas each staking action needs. Values: wallet-links.md §6.1 (MyNearWallet's
budgets, matching core-contracts `lockup/src/gas.rs`) and near-staking.md §2.2 (which methods are payable)."""

from __future__ import annotations

from bot.near.transactions import TGAS, FunctionCall

# Plain staking pools (MNW src/redux/actions/staking.js). Only deposit_and_stake is payable: every other pool
# method panics "Method doesn't accept deposit" with even 1 yocto attached (near-staking.md §2.2).
POOL_DEPOSIT_AND_STAKE_GAS = 125 * TGAS
POOL_UNSTAKE_GAS = 125 * TGAS
POOL_WITHDRAW_GAS = 125 * TGAS
POOL_WITHDRAW_ALL_GAS = 175 * TGAS


def pool_deposit_and_stake(amount: int) -> FunctionCall:
    return FunctionCall("deposit_and_stake", {}, POOL_DEPOSIT_AND_STAKE_GAS, deposit=amount)


def pool_unstake(amount: int) -> FunctionCall:
    return FunctionCall("unstake", {"amount": str(amount)}, POOL_UNSTAKE_GAS)


def pool_unstake_all() -> FunctionCall:
    return FunctionCall("unstake_all", {}, POOL_UNSTAKE_GAS)


def pool_withdraw(amount: int) -> FunctionCall:
    return FunctionCall("withdraw", {"amount": str(amount)}, POOL_WITHDRAW_GAS)


def pool_withdraw_all() -> FunctionCall:
    return FunctionCall("withdraw_all", {}, POOL_WITHDRAW_ALL_GAS)
