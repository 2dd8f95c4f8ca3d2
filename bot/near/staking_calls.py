"""Which method, args, deposit and gas each staking action needs. Values: wallet-links.md §6.1 (MyNearWallet's
budgets, matching core-contracts `lockup/src/gas.rs`) and near-staking.md §2.2 (which methods are payable)."""

from __future__ import annotations

from bot.near.transactions import TGAS, FunctionCall
from bot.near.venear import ONE_YOCTO, VENEAR_UPDATE_GAS_TGAS

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


# --- Liquid staking (near-staking.md §5, wallet-links.md §6.1) ---------------------------------------------------
# Meta Pool: MNW's budgets (src/redux/actions/liquidStaking.ts, METAPOOL_STAKING_GAS): 50 TGas for deposit_and_stake,
# liquid_unstake and the withdraw, 125 TGas for unstake. unstake_all has no wallet value: it gets unstake's 125.
METAPOOL_STAKE_GAS = 50 * TGAS
METAPOOL_UNSTAKE_GAS = 125 * TGAS
METAPOOL_LIQUID_UNSTAKE_GAS = 50 * TGAS
METAPOOL_WITHDRAW_GAS = 50 * TGAS
# LiNEAR (and Rhea, LiNEAR-like): no gas is given in linear-protocol/LiNEAR and docs.near.org's 30 TGas is
# unverified (wallet-links.md §6.1), so the wallet values of the staking-pool interface are used: 125 TGas, 175 for
# withdraw_all. Over-attaching costs nothing (unused gas is refunded, NEP-536 penalty 0); under-attaching fails.
LST_POOL_GAS = 125 * TGAS
LST_WITHDRAW_ALL_GAS = 175 * TGAS


def lst_deposit_and_stake(amount: int, gas: int = LST_POOL_GAS) -> FunctionCall:
    """Payable for every provider (near-staking.md §5 "stake")."""
    return FunctionCall("deposit_and_stake", {}, gas, deposit=amount)


def lst_unstake(near_amount: int, gas: int = LST_POOL_GAS) -> FunctionCall:
    """Meta Pool, LiNEAR and Rhea take the amount in NEAR yocto ("Unstakes the given amount (in NEAR)", MP `lib.rs`,
    LN `stake.rs`; RN `internal.rs` `internal_unstake`), not in tokens; the contract converts it to shares at its
    current price."""
    return FunctionCall("unstake", {"amount": str(near_amount)}, gas)


def lst_unstake_all(gas: int = LST_POOL_GAS) -> FunctionCall:
    return FunctionCall("unstake_all", {}, gas)


def lst_withdraw(method: str, amount: int | None, gas: int) -> FunctionCall:
    """`withdraw {"amount"}` when an amount is given, else the provider's withdraw-everything method."""
    if amount is None:
        return FunctionCall(method, {}, gas)
    return FunctionCall("withdraw", {"amount": str(amount)}, gas)


def metapool_liquid_unstake(st_near_to_burn: int, min_expected_near: int) -> FunctionCall:
    """Meta Pool's instant exit: burns stNEAR, pays NEAR from its liquidity pool minus a fee (near-staking.md §5)."""
    return FunctionCall(
        "liquid_unstake",
        {"st_near_to_burn": str(st_near_to_burn), "min_expected_near": str(min_expected_near)},
        METAPOOL_LIQUID_UNSTAKE_GAS,
    )


# --- Lockup owner methods (near-staking.md §4.4, wallet-links.md §6.1) ---------------------------------------------
# All non-payable: the amount goes in the args, the deposit is 0. Signer = the owner, receiver = the lockup account.
LOCKUP_GAS = {
    "select_staking_pool": 75 * TGAS,
    "unselect_staking_pool": 25 * TGAS,
    "deposit_and_stake": 125 * TGAS,
    "unstake": 125 * TGAS,
    "unstake_all": 125 * TGAS,
    "withdraw_from_staking_pool": 125 * TGAS,
    "withdraw_all_from_staking_pool": 175 * TGAS,
    "refresh_staking_pool_balance": 75 * TGAS,
    "check_transfers_vote": 75 * TGAS,
    "transfer": 50 * TGAS,
}


def lockup_call(method: str, args: dict[str, str] | None = None, deposit: int = 0) -> FunctionCall:
    """`deposit` is 0 for the core-contracts lockup (non-payable owner methods) and 1 yocto for a House of Stake
    lockup (every owner method asserts exactly one yocto: houseofstake lockup-contract owner.rs, venear.rs)."""
    return FunctionCall(method, dict(args or {}), LOCKUP_GAS[method], deposit=deposit)


def lockup_select_staking_pool(pool_id: str, deposit: int = 0) -> FunctionCall:
    return lockup_call("select_staking_pool", {"staking_pool_account_id": pool_id}, deposit)


def lockup_unselect_staking_pool(deposit: int = 0) -> FunctionCall:
    return lockup_call("unselect_staking_pool", None, deposit)


def lockup_deposit_and_stake(amount: int, deposit: int = 0) -> FunctionCall:
    return lockup_call("deposit_and_stake", {"amount": str(amount)}, deposit)


def lockup_unstake(amount: int | None, deposit: int = 0) -> FunctionCall:
    if amount is None:
        return lockup_call("unstake_all", None, deposit)
    return lockup_call("unstake", {"amount": str(amount)}, deposit)


def lockup_withdraw(amount: int | None, deposit: int = 0) -> FunctionCall:
    if amount is None:
        return lockup_call("withdraw_all_from_staking_pool", None, deposit)
    return lockup_call("withdraw_from_staking_pool", {"amount": str(amount)}, deposit)


def lockup_refresh_staking_pool_balance(deposit: int = 0) -> FunctionCall:
    return lockup_call("refresh_staking_pool_balance", None, deposit)


def lockup_check_transfers_vote() -> FunctionCall:
    return lockup_call("check_transfers_vote")


def lockup_transfer(amount: int, receiver_id: str, deposit: int = 0) -> FunctionCall:
    return lockup_call("transfer", {"amount": str(amount), "receiver_id": receiver_id}, deposit)


# --- House of Stake veNEAR methods (houseofstake lockup-contract venear.rs): 1 yocto each; `amount` is an
# Option<NearToken>: left out, the contract takes everything it can (all free, all locked or all pending NEAR).
VENEAR_METHODS = ("lock_near", "begin_unlock_near", "end_unlock_near", "lock_pending_near")


def venear_call(method: str, amount: int | None) -> FunctionCall:
    if method not in VENEAR_METHODS:
        raise ValueError(f"not a veNEAR lockup method: {method}")
    args = {} if amount is None else {"amount": str(amount)}
    return FunctionCall(method, args, VENEAR_UPDATE_GAS_TGAS * TGAS, deposit=ONE_YOCTO)
