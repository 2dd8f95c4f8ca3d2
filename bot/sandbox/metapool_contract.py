"""Simulated Meta Pool (`meta-pool.near`, stNEAR): near-staking.md §5; MP = Meta-Pool/liquid-staking-contract.

Its delayed unstake has two gates, as in the contract: the account's unlock epoch (`can_withdraw` in
`get_account_info`) and the contract's `retrieved_for_unstake_claims` (get_contract_state), the NEAR its operator has
already brought back from the validators (MP account.rs `in_memory_try_finish_unstaking`: "Funds are not yet
available"). Sandbox simplification: claims wait per unlock epoch; at each epoch boundary the "heartbeat" retrieves
every claim whose unlock epoch has come (`auto_retrieve`), or a test switches that off and calls
`retrieve_funds_from_a_pool` itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .contracts import ContractPanic, Env, arg_account_id, arg_u128
from .liquid_contracts import NEAR, ONE_MILLI_NEAR, LiquidStakingToken, LstAccount

METAPOOL_STORAGE_COST = 1_250_000_000_000_000_000_000  # STORAGE_COST_YOCTOS, kept from a new account's first deposit


def _is_close(requested: int, total: int) -> bool:
    """Meta Pool treats an amount within 0.001 NEAR of the total as 'all of it' (MP utils.rs `is_close`)."""
    return max(0, total - ONE_MILLI_NEAR) <= requested <= total + ONE_MILLI_NEAR


class MetaPoolContract(LiquidStakingToken):
    """`meta-pool.near`: stNEAR (near-staking.md §5; MP `lib.rs`, `owner.rs`, `internal.rs`)."""

    name: ClassVar[str] = "Meta Pool"
    symbol: ClassVar[str] = "stNEAR"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        **LiquidStakingToken.TOKEN_VIEWS,
        "get_st_near_price": "view_st_near_price",
        "get_account_info": "view_account_info",
        "get_account": "view_account",
        "get_near_amount_sell_stnear": "view_near_amount_sell_stnear",
        "nslp_get_discount_basis_points": "view_discount_basis_points",
        "compute_current_unstaking_delay": "view_unstaking_delay",
        "get_contract_state": "view_contract_state",
        **LiquidStakingToken.STORAGE_VIEWS,
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {
        "deposit": "call_refused",
        "stake": "call_refused",
        "stake_all": "call_refused",
        "deposit_and_stake": "call_deposit_and_stake",
        "unstake": "call_unstake",
        "unstake_all": "call_unstake_all",
        "withdraw": "call_withdraw",
        "withdraw_all": "call_withdraw_all",
        "withdraw_unstaked": "call_withdraw_all",
        "liquid_unstake": "call_liquid_unstake",
        "ping": "call_ping",
        "retrieve_funds_from_a_pool": "call_retrieve",  # the operator's step (MP distribute.rs)
    }
    PAYABLE: ClassVar[frozenset[str]] = frozenset({"deposit", "deposit_and_stake"})
    storage_cost: ClassVar[int] = METAPOOL_STORAGE_COST

    def __init__(self, owner_id: str, *, total_staked: int, total_shares: int, nslp_near: int,
                 nslp_target: int = 150_000 * NEAR, min_discount_bp: int = 25, max_discount_bp: int = 180,
                 min_deposit: int = 10 * NEAR, reward_rate: tuple[int, int] = (1, 15_000)) -> None:
        super().__init__(owner_id, total_staked=total_staked, total_shares=total_shares, reward_rate=reward_rate)
        self.nslp_near = nslp_near
        self.nslp_shares = 0  # stNEAR the liquidity pool bought through liquid_unstake
        self.nslp_target = nslp_target
        self.min_discount_bp = min_discount_bp
        self.max_discount_bp = max_discount_bp
        self.min_deposit = min_deposit
        self.retrieved_for_unstake_claims = 0  # NEAR back from the validators, reserved for withdrawals
        self.waiting_claims: dict[int, int] = {}  # unlock epoch -> NEAR still unstaking at the validators
        self.auto_retrieve = True  # the heartbeat retrieves at each epoch start; tests switch it off

    # -- unstake claims: with the validators until retrieved --------------------------------------------
    def _seed_claim(self, amount: int, unlock_epoch: int, epoch: int) -> None:
        if unlock_epoch <= epoch:
            self.retrieved_for_unstake_claims += amount
        else:
            self.waiting_claims[unlock_epoch] = self.waiting_claims.get(unlock_epoch, 0) + amount

    def retrieve(self, epoch: int) -> int:
        """Bring back every claim whose unlock epoch has come; the amount retrieved."""
        ready = [unlock for unlock in self.waiting_claims if unlock <= epoch]
        amount = sum(self.waiting_claims.pop(unlock) for unlock in ready)
        self.retrieved_for_unstake_claims += amount
        return amount

    def on_epoch_start(self, env: Env) -> None:
        super().on_epoch_start(env)
        if self.auto_retrieve:
            self.retrieve(env.epoch_height)

    # -- NSLP fee curve: linear from max (empty) to min (at or above target) --------------------------
    def discount_bp(self, nears_requested: int) -> int:
        available = self.nslp_near
        if available <= nears_requested:
            return self.max_discount_bp
        after = available - nears_requested
        if after >= self.nslp_target:
            return self.min_discount_bp
        span = self.max_discount_bp - self.min_discount_bp
        return self.max_discount_bp - span * after // self.nslp_target

    def sell_quote(self, shares: int) -> tuple[int, int]:
        """(NEAR received, fee in NEAR) for selling `shares` stNEAR through `liquid_unstake`."""
        nears_out = self.amount_from_shares(shares)
        fee = self.discount_bp(nears_out) * nears_out // 10_000
        return nears_out - fee, fee

    # -- views ------------------------------------------------------------------------------------------
    def view_st_near_price(self, args: dict[str, Any], env: Env) -> str:
        return str(self.price())

    def view_account_info(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        account_id = arg_account_id(args)
        record = self.account(account_id)
        valued = self.amount_from_shares(record.shares)
        return {
            "account_id": account_id,
            "available": "0",
            "st_near": str(record.shares),
            "valued_st_near": str(valued),
            "meta": "0",
            "realized_meta": "0",
            "unstaked": str(record.unstaked),
            "unstaked_requested_unlock_epoch": str(record.unlock_epoch),  # U64: a string
            "unstake_full_epochs_wait_left": max(0, record.unlock_epoch - env.epoch_height),  # u16: a number
            "can_withdraw": env.epoch_height >= record.unlock_epoch,
            "total": str(valued + record.unstaked),
            "trip_start": "0",
            "trip_start_stnear": "0",
            "trip_accum_stakes": "0",
            "trip_accum_unstakes": "0",
            "trip_rewards": "0",
            "nslp_shares": "0",
            "nslp_share_value": "0",
            "nslp_share_bp": 0,
        }

    def view_account(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        account_id = arg_account_id(args)
        record = self.account(account_id)
        return {
            "account_id": account_id,
            "unstaked_balance": str(record.unstaked),
            "staked_balance": str(self.amount_from_shares(record.shares)),
            "can_withdraw": env.epoch_height >= record.unlock_epoch,
        }

    def view_near_amount_sell_stnear(self, args: dict[str, Any], env: Env) -> str:
        return str(self.sell_quote(arg_u128(args, "stnear_to_sell"))[0])

    def view_discount_basis_points(self, args: dict[str, Any], env: Env) -> int:
        return self.discount_bp(self.amount_from_shares(arg_u128(args, "stnear_to_sell")))

    def view_unstaking_delay(self, args: dict[str, Any], env: Env) -> int:
        arg_u128(args)
        return self.unstake_delay_epochs

    def view_contract_state(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        # The fields a client reads (near-staking.md §5 "summary"); the real result has many more.
        return {
            "env_epoch_height": str(env.epoch_height),
            "total_for_staking": str(self.total_staked),
            "total_stake_shares": str(self.total_shares),
            "st_near_price": str(self.price()),
            "nslp_liquidity": str(self.nslp_near),
            "nslp_target": str(self.nslp_target),
            "nslp_current_discount_basis_points": self.discount_bp(10 * NEAR),
            "nslp_min_discount_basis_points": self.min_discount_bp,
            "nslp_max_discount_basis_points": self.max_discount_bp,
            "accounts_count": str(len(self.accounts)),
            "min_deposit_amount": str(self.min_deposit),
            "total_unstake_claims": str(sum(r.unstaked for r in self.accounts.values())),
            "retrieved_for_unstake_claims": str(self.retrieved_for_unstake_claims),
            "reserve_for_unstake_claims": str(self.retrieved_for_unstake_claims),  # MP's old name, kept
        }

    # -- change methods -----------------------------------------------------------------------------------
    def call_refused(self, args: dict[str, Any], env: Env) -> None:
        raise ContractPanic("please use deposit_and_stake")

    def call_ping(self, args: dict[str, Any], env: Env) -> None:
        return None  # moot in Meta Pool

    def call_retrieve(self, args: dict[str, Any], env: Env) -> str:
        return str(self.retrieve(env.epoch_height))

    def _registered(self, account_id: str) -> LstAccount:
        if account_id not in self.registered:
            raise ContractPanic(f"account {account_id} is not registered")
        return self.account(account_id)

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> str:
        account_id = env.predecessor_account_id
        deposit = env.attached_deposit
        if deposit < self.min_deposit:
            raise ContractPanic(f"minimum deposit amount is {self.min_deposit}")
        amount = deposit - self._storage_charge(account_id)  # MP internal.rs: STORAGE_COST_YOCTOS for a new one
        shares = self.shares_from_amount(amount)
        if shares <= 0:
            raise ContractPanic("assertion failed: num_shares > 0")
        record = self.account(account_id)
        record.shares += shares
        self.total_shares += shares
        self.total_staked += amount
        self._save(account_id, record, env)
        env.log(f"{amount} deposited into @{account_id}'s account, {shares} stNEAR minted")
        return str(shares)

    def _unstake_shares(self, env: Env, account_id: str, record: LstAccount, shares: int) -> None:
        if not 0 < shares <= record.shares:
            raise ContractPanic(
                "assertion failed: stake_shares_to_burn > 0 && stake_shares_to_burn <= acc.stake_shares"
            )
        amount = self.amount_from_shares(shares)
        record.shares -= shares
        record.unstaked += amount
        # Every delayed unstake moves the unlock epoch for the whole pending amount.
        record.unlock_epoch = self._unlock(env)
        self.waiting_claims[record.unlock_epoch] = self.waiting_claims.get(record.unlock_epoch, 0) + amount
        self.total_shares -= shares
        self.total_staked -= amount
        self._save(account_id, record, env)
        env.log(
            f"@{account_id} unstaked {amount}. Has now {record.unstaked} unstaked and {record.shares} stNEAR. "
            f"Epoch:{env.epoch_height}"
        )

    def call_unstake(self, args: dict[str, Any], env: Env) -> None:
        requested = arg_u128(args)
        account_id = env.predecessor_account_id
        record = self._registered(account_id)
        shares = self.shares_from_amount(requested)
        if _is_close(shares, record.shares):
            shares = record.shares  # burn all: no dust left behind
        self._unstake_shares(env, account_id, record, shares)

    def call_unstake_all(self, args: dict[str, Any], env: Env) -> None:
        account_id = env.predecessor_account_id
        record = self._registered(account_id)
        self._unstake_shares(env, account_id, record, record.shares)

    def _withdraw(self, env: Env, amount: int) -> str:
        account_id = env.predecessor_account_id
        if account_id.endswith(".lockup.near"):
            raise ContractPanic("a .lockup.near account can not be used here")
        record = self._registered(account_id)
        if amount > record.unstaked:
            raise ContractPanic(f"Not enough unstaked balance {record.unstaked}")
        if env.epoch_height < record.unlock_epoch:
            raise ContractPanic(
                "The unstaked balance is not yet available due to unstaking delay. "
                f"You need to wait at least {record.unlock_epoch - env.epoch_height} epochs"
            )
        if self.retrieved_for_unstake_claims < amount:
            raise ContractPanic(f"Funds are not yet available due to unstaking delay. Epoch:{env.epoch_height}")
        self.retrieved_for_unstake_claims -= amount
        record.unstaked -= amount
        self._save(account_id, record, env)
        self._pay(env, account_id, amount)
        return str(amount)

    def call_withdraw(self, args: dict[str, Any], env: Env) -> str:
        return self._withdraw(env, arg_u128(args))

    def call_withdraw_all(self, args: dict[str, Any], env: Env) -> str:
        return self._withdraw(env, self._registered(env.predecessor_account_id).unstaked)

    def call_liquid_unstake(self, args: dict[str, Any], env: Env) -> dict[str, str]:
        to_burn = arg_u128(args, "st_near_to_burn")
        min_expected = arg_u128(args, "min_expected_near")
        account_id = env.predecessor_account_id
        record = self._registered(account_id)
        shares = record.shares if _is_close(to_burn, record.shares) else to_burn
        if record.shares < shares:
            raise ContractPanic(f"Not enough stNEAR. You own {record.shares}")
        receive, fee = self.sell_quote(shares)
        if receive < min_expected:
            raise ContractPanic(f"Price changed, your min amount {min_expected} is not satisfied {receive}. Try again")
        if self.nslp_near < receive:
            raise ContractPanic("Not enough liquidity in the liquidity pool")
        # The liquidity pool buys the stNEAR: shares change hands, the price is unchanged.
        self.nslp_near -= receive
        self.nslp_shares += shares
        record.shares -= shares
        self._save(account_id, record, env)
        self._pay(env, account_id, receive)
        env.log(f"@{account_id} liquid-unstaked {shares} stNEAR, got {receive} NEAR")
        return {"near": str(receive), "fee": str(self.shares_from_amount(fee)), "meta": "0"}
