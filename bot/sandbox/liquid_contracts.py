"""Simulated liquid-staking contracts: Meta Pool-like (stNEAR), LiNEAR-like and Rhea-like (rNEAR).

Views and JSON types follow near-staking.md §5 and the public sources (Meta-Pool/liquid-staking-contract,
linear-protocol/LiNEAR): amounts are U128 decimal strings, Meta Pool's unlock epoch is a U64 *string*, LiNEAR's a
JSON *number*. Each is also the NEP-141 token of its shares (`ft_balance_of`, `ft_metadata` with 24 decimals).

Sandbox simplifications: staked NEAR stays in the contract account (no validator pools behind it); every epoch
boundary adds rewards (price grows a little); Meta Pool's liquidity pool (NSLP) is just a NEAR amount with the
contract's linear fee curve; the 8-epoch / +1 delay cases are a settable attribute (`unstake_delay_epochs`).
Rhea has no public source: it gets LiNEAR's views minus `get_account_details` (so clients meet a missing view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from . import borsh
from .contracts import ContractPanic, Env, JsonContract, arg_account_id, arg_u128
from .hashing import hash_b58

if TYPE_CHECKING:  # pragma: no cover
    from .chain import SandboxChain

NEAR = 10**24
TOKEN_UNIT = 10**24  # 24 decimals; prices are NEAR yocto per 10^24 token units
NUM_EPOCHS_TO_UNLOCK = 4  # MP types.rs; LN validator_pool.rs (4, or 8 when validators are busy)
METAPOOL_STORAGE_COST = 1_250_000_000_000_000_000_000  # 0.00125 NEAR taken from a new account's first deposit
ONE_MILLI_NEAR = NEAR // 1_000
LINEAR_WITHDRAW_RESERVE = NEAR  # LiNEAR keeps 1 NEAR free when paying withdrawals (assert_can_withdraw)


@dataclass
class LstAccount:
    shares: int = 0
    unstaked: int = 0
    unlock_epoch: int = 0
    last_update: int = 0  # block height of the last change (for the FastNEAR /ft index)


class LiquidStakingToken(JsonContract):
    """Share accounting shared by the three providers: price = total_staked / total_shares (floored reads)."""

    kind: ClassVar[str] = "liquid_staking"
    name: ClassVar[str] = "liquid staking"
    symbol: ClassVar[str] = "LST"
    TOKEN_VIEWS: ClassVar[dict[str, str]] = {
        "ft_balance_of": "view_ft_balance_of",
        "ft_total_supply": "view_ft_total_supply",
        "ft_metadata": "view_ft_metadata",
    }

    def __init__(
        self,
        owner_id: str,
        *,
        total_staked: int,
        total_shares: int,
        reward_rate: tuple[int, int] = (1, 15_000),
    ) -> None:
        if total_staked <= 0 or total_shares <= 0:
            raise ValueError("a liquid-staking contract starts with some stake")
        self.code_hash = hash_b58("sandbox-liquid-wasm", self.name)
        self.code_len = 412_000
        self.owner_id = owner_id
        self.total_staked = total_staked
        self.total_shares = total_shares
        self.reward_rate = reward_rate
        self.unstake_delay_epochs = NUM_EPOCHS_TO_UNLOCK
        self.accounts: dict[str, LstAccount] = {}

    # -- share math (floors, as the contracts' U256 `proportional`) ----------------------------------
    def amount_from_shares(self, shares: int) -> int:
        return shares * self.total_staked // self.total_shares if self.total_shares else 0

    def shares_from_amount(self, amount: int) -> int:
        return amount * self.total_shares // self.total_staked if self.total_staked else amount

    def price(self) -> int:
        return self.amount_from_shares(TOKEN_UNIT)

    def account(self, account_id: str) -> LstAccount:
        return self.accounts.get(account_id) or LstAccount()

    def _save(self, account_id: str, record: LstAccount, env: Env | None) -> None:
        if env is not None:
            record.last_update = env.block_height
        if record.shares or record.unstaked:
            self.accounts[account_id] = record
        else:
            self.accounts.pop(account_id, None)

    def token_balance(self, account_id: str) -> int:
        return self.account(account_id).shares

    # -- scenario set-up: positions that existed before the sandbox's history starts ------------------
    def seed(self, account_id: str, *, shares: int = 0, unstaked: int = 0, unlock_epoch: int = 0,
             height: int = 0) -> None:
        """Give `account_id` tokens bought at the current price and/or a pending unstake claim."""
        record = self.account(account_id)
        if shares:
            # Back the new shares with NEAR rounded up, so the price never drops.
            self.total_staked += -(-shares * self.total_staked // self.total_shares)
            self.total_shares += shares
            record.shares += shares
        if unstaked:
            record.unstaked += unstaked
            record.unlock_epoch = unlock_epoch
        record.last_update = height
        self._save(account_id, record, None)

    # -- NEP-141 views ------------------------------------------------------------------------------
    def view_ft_balance_of(self, args: dict[str, Any], env: Env) -> str:
        return str(self.token_balance(arg_account_id(args)))

    def view_ft_total_supply(self, args: dict[str, Any], env: Env) -> str:
        return str(self.total_shares)

    def view_ft_metadata(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        return {
            "spec": "ft-1.0.0",
            "name": f"{self.name} staked NEAR (sandbox)",
            "symbol": self.symbol,
            "icon": None,
            "reference": None,
            "reference_hash": None,
            "decimals": 24,
        }

    # -- shared change-method pieces ------------------------------------------------------------------
    def _unlock(self, env: Env) -> int:
        return env.epoch_height + self.unstake_delay_epochs

    def _pay(self, env: Env, account_id: str, amount: int) -> None:
        env.transfer(account_id, amount)

    def on_epoch_start(self, env: Env) -> None:
        # Rewards of the validators behind the pool: the price grows a little every epoch.
        numerator, denominator = self.reward_rate
        reward = self.total_staked * numerator // denominator
        self.total_staked += reward
        env.chain.credit(env.current_account_id, reward)
        env.chain.total_supply += reward

    def state_items(self) -> list[tuple[bytes, bytes]]:
        state = borsh.string(self.owner_id) + borsh.u128(self.total_staked) + borsh.u128(self.total_shares)
        items = [(b"STATE", state)]
        for account_id, record in sorted(self.accounts.items()):
            value = borsh.u128(record.shares) + borsh.u128(record.unstaked) + borsh.u64(record.unlock_epoch)
            items.append((b"a" + borsh.string(account_id), value))
        return items


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
    }
    PAYABLE: ClassVar[frozenset[str]] = frozenset({"deposit", "deposit_and_stake"})

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
        }

    # -- change methods -----------------------------------------------------------------------------------
    def call_refused(self, args: dict[str, Any], env: Env) -> None:
        raise ContractPanic("please use deposit_and_stake")

    def call_ping(self, args: dict[str, Any], env: Env) -> None:
        return None  # moot in Meta Pool

    def _registered(self, account_id: str) -> LstAccount:
        if account_id not in self.accounts:
            raise ContractPanic(f"account {account_id} is not registered")
        return self.account(account_id)

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> str:
        account_id = env.predecessor_account_id
        deposit = env.attached_deposit
        if deposit < self.min_deposit:
            raise ContractPanic(f"minimum deposit amount is {self.min_deposit}")
        amount = deposit
        if account_id not in self.accounts:
            amount -= METAPOOL_STORAGE_COST
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


class LinearContract(LiquidStakingToken):
    """`linear-protocol.near`: LiNEAR (near-staking.md §5; LN `view.rs`, `stake.rs`, `internal.rs`)."""

    name: ClassVar[str] = "LiNEAR"
    symbol: ClassVar[str] = "LiNEAR"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        **LiquidStakingToken.TOKEN_VIEWS,
        "ft_price": "view_ft_price",
        "get_account_details": "view_account_details",
        "get_account": "view_account",
        "get_summary": "view_summary",
        "get_total_staked_balance": "view_total_staked",
        "is_paused": "view_is_paused",
        "can_account_withdraw": "view_can_account_withdraw",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {
        "deposit_and_stake": "call_deposit_and_stake",
        "unstake": "call_unstake",
        "unstake_all": "call_unstake_all",
        "withdraw": "call_withdraw",
        "withdraw_all": "call_withdraw_all",
        "ping": "call_ping",
    }
    PAYABLE: ClassVar[frozenset[str]] = frozenset({"deposit_and_stake"})

    # -- rounding as the core staking pool (shares rounded up on unstake) -----------------------------
    def shares_rounded_up(self, amount: int) -> int:
        return -(-amount * self.total_shares // self.total_staked)

    def amount_rounded_up(self, shares: int) -> int:
        return -(-shares * self.total_staked // self.total_shares)

    # -- views ------------------------------------------------------------------------------------------
    def view_ft_price(self, args: dict[str, Any], env: Env) -> str:
        return str(self.price())

    def view_account_details(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        account_id = arg_account_id(args)
        record = self.account(account_id)
        return {
            "account_id": account_id,
            "unstaked_balance": str(record.unstaked),
            "staked_balance": str(self.amount_from_shares(record.shares)),
            "unstaked_available_epoch_height": record.unlock_epoch,  # EpochHeight (u64): a JSON number
            "can_withdraw": record.unlock_epoch <= env.epoch_height,
        }

    def view_account(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        account_id = arg_account_id(args)
        record = self.account(account_id)
        return {
            "account_id": account_id,
            "unstaked_balance": str(record.unstaked),
            "staked_balance": str(self.amount_from_shares(record.shares)),
            "can_withdraw": record.unlock_epoch <= env.epoch_height,
        }

    def view_summary(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        return {
            "total_share_amount": str(self.total_shares),
            "total_staked_near_amount": str(self.total_staked),
            "ft_price": str(self.price()),
            "validators_num": 0,
        }

    def view_total_staked(self, args: dict[str, Any], env: Env) -> str:
        return str(self.total_staked)

    def view_is_paused(self, args: dict[str, Any], env: Env) -> bool:
        return False

    def view_can_account_withdraw(self, args: dict[str, Any], env: Env) -> None:
        """LN `view.rs`: runs `assert_can_withdraw` and panics when a withdrawal would be refused (§5)."""
        record = self.account(arg_account_id(args))
        self._assert_can_withdraw(record, arg_u128(args), env)

    def _assert_can_withdraw(self, record: LstAccount, amount: int, env: Env) -> None:
        if record.unstaked < amount:
            raise ContractPanic("Not enough unstaked balance to withdraw")
        if record.unlock_epoch > env.epoch_height:
            raise ContractPanic("The unstaked balance is not yet available due to unstaking delay")
        if env.account_balance() < amount + LINEAR_WITHDRAW_RESERVE:
            raise ContractPanic("No enough balance in contract to perform withdraw")

    # -- change methods -----------------------------------------------------------------------------------
    def call_ping(self, args: dict[str, Any], env: Env) -> None:
        return None  # a no-op in LiNEAR

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> None:
        account_id = env.predecessor_account_id
        amount = env.attached_deposit
        if amount <= 0:
            raise ContractPanic("Staking amount should be positive")
        shares = self.shares_from_amount(amount)
        if shares <= 0:
            raise ContractPanic('The calculated number of "stake" shares received for staking should be positive')
        charge = self.amount_from_shares(shares)
        record = self.account(account_id)
        record.shares += shares
        record.unstaked += amount - charge  # rounding remainder stays unstaked, as in the core pool
        self.total_shares += shares
        self.total_staked += charge
        self._save(account_id, record, env)
        env.log(f"@{account_id} staking {charge}. Received {shares} new staking shares.")

    def _unstake(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Unstaking amount should be positive")
        account_id = env.predecessor_account_id
        record = self.account(account_id)
        shares = self.shares_rounded_up(amount)
        if record.shares < shares:
            raise ContractPanic("Not enough staked balance to unstake")
        receive = self.amount_rounded_up(shares)
        self.total_staked -= min(self.total_staked, receive)
        self.total_shares -= shares
        record.shares -= shares
        record.unstaked += receive
        record.unlock_epoch = self._unlock(env)
        self._save(account_id, record, env)
        env.log(f"@{account_id} unstaking {receive}. Spent {shares} staking shares.")

    def call_unstake(self, args: dict[str, Any], env: Env) -> None:
        self._unstake(env, arg_u128(args))

    def call_unstake_all(self, args: dict[str, Any], env: Env) -> None:
        self._unstake(env, self.amount_from_shares(self.account(env.predecessor_account_id).shares))

    def _withdraw(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Withdrawal amount should be positive")
        account_id = env.predecessor_account_id
        record = self.account(account_id)
        if record.unstaked < amount:
            raise ContractPanic("Not enough unstaked balance to withdraw")
        if record.unlock_epoch > env.epoch_height:
            raise ContractPanic("The unstaked balance is not yet available due to unstaking delay")
        if env.account_balance() < amount + LINEAR_WITHDRAW_RESERVE:
            raise ContractPanic("No enough balance in contract to perform withdraw")
        record.unstaked -= amount
        self._save(account_id, record, env)
        self._pay(env, account_id, amount)

    def call_withdraw(self, args: dict[str, Any], env: Env) -> None:
        self._withdraw(env, arg_u128(args))

    def call_withdraw_all(self, args: dict[str, Any], env: Env) -> None:
        self._withdraw(env, self.account(env.predecessor_account_id).unstaked)


class RheaContract(LinearContract):
    """`lst.rhealab.near`: rNEAR. No public source: LiNEAR-like, but `get_account_details` is missing."""

    name: ClassVar[str] = "Rhea"
    symbol: ClassVar[str] = "rNEAR"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        k: v for k, v in LinearContract.VIEW_METHODS.items() if k not in ("get_account_details", "can_account_withdraw")
    }


def ft_index(chain: SandboxChain, account_id: str) -> list[dict[str, Any]]:
    """FastNEAR `/v1/account/{id}/ft` tokens: the account's liquid-staking tokens with a positive balance."""
    tokens = []
    for contract_id, contract in chain.contracts.items():
        if not isinstance(contract, LiquidStakingToken):
            continue
        balance = contract.token_balance(account_id)
        if balance <= 0:
            continue
        height = contract.account(account_id).last_update
        tokens.append({
            "contract_id": contract_id,
            "balance": str(balance),
            "last_update_block_height": height if height >= chain.fastnear_index_start_height else None,
        })
    return tokens
