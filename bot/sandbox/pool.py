"""Simulated staking pools: core ``poolv1`` and ``staking-farm`` (``*.pool.near``).

Share math, asserts and panic texts follow near-staking.md §2.2–§2.5 (core-contracts
``staking-pool/src/internal.rs``); Python ints replace the contract's U256 intermediates.
The farm flavour only differs where it matters to a delegator-facing client: map prefix,
storage value layout, deposit-rejection text and a few extra views (§2.7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from . import borsh
from .contracts import (
    ContractPanic,
    Env,
    JsonContract,
    arg_account_id,
    arg_u64_number,
    arg_u128,
)
from .hashing import b58encode
from .state_layout import (
    POOLV1_MAP_PREFIX,
    STAKING_FARM_MAP_PREFIX,
    STATE_KEY,
    account_bytes,
    farm_account_bytes,
    unordered_map_header,
    unordered_map_items,
)

NUM_EPOCHS_TO_UNLOCK = 4  # near-staking.md §2.1
STAKE_SHARE_PRICE_GUARANTEE_FUND = 1_000_000_000_000  # yocto held back at `new` (§2.1)

POOLV1_CODE_HASH = "J1arLz48fgXcGyCPVckFwLnewNH6j1uw79thsvwqGYTY"  # near-staking.md §1
STAKING_FARM_CODE_HASH = "AjD4YJaXgpiRdiArqnzyDi7Bkr1gJms9Z2w7Ev5esTKB"
_SHARE_PRICE_INVARIANT = (
    'Invariant violation. Calculated staked amount must be positive, because "stake" share price should be at least 1'
)


@dataclass
class DelegatorAccount:
    unstaked: int = 0
    stake_shares: int = 0
    unstaked_available_epoch_height: int = 0


class AccountsMap:
    """near-sdk ``UnorderedMap``: insertion-ordered vector with swap_remove on deletion (§3.1)."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._values: list[DelegatorAccount] = []
        self._index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, account_id: str) -> DelegatorAccount | None:
        index = self._index.get(account_id)
        return None if index is None else self._values[index]

    def index_of(self, account_id: str) -> int | None:
        return self._index.get(account_id)

    def insert(self, account_id: str, account: DelegatorAccount) -> None:
        index = self._index.get(account_id)
        if index is None:
            self._index[account_id] = len(self._keys)
            self._keys.append(account_id)
            self._values.append(account)
        else:
            self._values[index] = account

    def remove(self, account_id: str) -> None:
        index = self._index.pop(account_id, None)
        if index is None:
            return
        last = len(self._keys) - 1
        if index != last:  # swap_remove: the last entry takes the freed index
            self._keys[index] = self._keys[last]
            self._values[index] = self._values[last]
            self._index[self._keys[index]] = index
        self._keys.pop()
        self._values.pop()

    def items(self) -> list[tuple[str, DelegatorAccount]]:
        return list(zip(self._keys, self._values, strict=True))

    def copy(self) -> AccountsMap:
        clone = AccountsMap()
        clone._keys = list(self._keys)
        clone._values = [DelegatorAccount(**vars(v)) for v in self._values]
        clone._index = dict(self._index)
        return clone


@dataclass(frozen=True)
class PoolFlavor:
    name: str
    code_hash: str
    code_len: int  # bytes of wasm; real builds are a few hundred KB
    map_prefix: bytes
    sdk4_deposit_text: bool  # near-sdk 4 names the method in the deposit rejection (§2.2)


POOLV1 = PoolFlavor("poolv1", POOLV1_CODE_HASH, 231_418, POOLV1_MAP_PREFIX, False)
STAKING_FARM = PoolFlavor("staking-farm", STAKING_FARM_CODE_HASH, 287_013, STAKING_FARM_MAP_PREFIX, True)


class StakingPool(JsonContract):
    kind: ClassVar[str] = "staking_pool"
    indexed_methods: ClassVar[frozenset[str]] = frozenset(
        {"deposit", "deposit_and_stake", "stake", "stake_all", "unstake", "unstake_all", "withdraw", "withdraw_all"}
    )
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "get_account": "view_get_account",
        "get_account_staked_balance": "view_staked_balance",
        "get_account_unstaked_balance": "view_unstaked_balance",
        "get_account_total_balance": "view_total_balance",
        "is_account_unstaked_balance_available": "view_unstaked_available",
        "get_total_staked_balance": "view_total_staked",
        "get_owner_id": "view_owner_id",
        "get_reward_fee_fraction": "view_reward_fee_fraction",
        "get_staking_key": "view_staking_key",
        "is_staking_paused": "view_is_paused",
        "get_number_of_accounts": "view_number_of_accounts",
        "get_accounts": "view_get_accounts",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {
        "ping": "call_ping",
        "deposit": "call_deposit",
        "deposit_and_stake": "call_deposit_and_stake",
        "withdraw": "call_withdraw",
        "withdraw_all": "call_withdraw_all",
        "stake": "call_stake",
        "stake_all": "call_stake_all",
        "unstake": "call_unstake",
        "unstake_all": "call_unstake_all",
        "pause_staking": "call_pause_staking",
        "resume_staking": "call_resume_staking",
        "update_reward_fee_fraction": "call_update_reward_fee_fraction",
    }
    PAYABLE: ClassVar[frozenset[str]] = frozenset({"deposit", "deposit_and_stake"})

    def __init__(
        self,
        flavor: PoolFlavor,
        owner_id: str,
        stake_public_key: bytes,
        reward_fee_fraction: tuple[int, int],
    ) -> None:
        if len(stake_public_key) != 32:
            raise ValueError("stake_public_key must be 32 ed25519 bytes")
        numerator, denominator = reward_fee_fraction
        if denominator == 0 or numerator > denominator:
            raise ValueError("invalid reward fee fraction")
        self.flavor = flavor
        self.code_hash = flavor.code_hash
        self.code_len = flavor.code_len
        self.owner_id = owner_id
        self.stake_public_key = stake_public_key
        self.reward_fee_fraction = (numerator, denominator)
        self.last_epoch_height = 0
        self.last_total_balance = 0
        self.total_stake_shares = 0
        self.total_staked_balance = 0
        self.accounts = AccountsMap()
        self.paused = False

    # -- init ---------------------------------------------------------------
    def initialize(self, env: Env) -> None:
        """``new``: the whole balance minus the guarantee fund becomes unowned stake (share price 1)."""
        if env.account_locked_balance() != 0:
            raise ContractPanic("The staking pool shouldn't be staking at the initialization")
        balance = env.account_balance()
        self.last_epoch_height = env.epoch_height
        self.last_total_balance = balance
        self.total_staked_balance = balance - STAKE_SHARE_PRICE_GUARANTEE_FUND
        self.total_stake_shares = self.total_staked_balance
        self._restake(env)

    def snapshot(self) -> Any:
        # Cheaper than deepcopy: the scenario runs thousands of calls on big pools.
        fields = {k: v for k, v in vars(self).items() if k != "accounts"}
        return fields, self.accounts.copy()

    def restore(self, snapshot: Any) -> None:
        fields, accounts = snapshot
        vars(self).update(fields)
        self.accounts = accounts

    @property
    def public_key_text(self) -> str:
        return "ed25519:" + b58encode(self.stake_public_key)

    def deposit_rejection(self, method: str) -> str:
        if self.flavor.sdk4_deposit_text:
            return f"Method {method} doesn't accept deposit"
        return super().deposit_rejection(method)

    # -- share math (near-staking.md §2.5) ----------------------------------
    def shares_rounded_down(self, amount: int) -> int:
        if self.total_staked_balance <= 0:
            raise ContractPanic("The total staked balance can't be 0")
        return self.total_stake_shares * amount // self.total_staked_balance

    def shares_rounded_up(self, amount: int) -> int:
        if self.total_staked_balance <= 0:
            raise ContractPanic("The total staked balance can't be 0")
        return -(-self.total_stake_shares * amount // self.total_staked_balance)

    def amount_rounded_down(self, shares: int) -> int:
        if self.total_stake_shares <= 0:
            raise ContractPanic("The total number of stake shares can't be 0")
        return self.total_staked_balance * shares // self.total_stake_shares

    def amount_rounded_up(self, shares: int) -> int:
        if self.total_stake_shares <= 0:
            raise ContractPanic("The total number of stake shares can't be 0")
        return -(-self.total_staked_balance * shares // self.total_stake_shares)

    # -- internals ------------------------------------------------------------
    def _get(self, account_id: str) -> DelegatorAccount:
        found = self.accounts.get(account_id)
        return DelegatorAccount() if found is None else DelegatorAccount(**vars(found))

    def _save(self, account_id: str, account: DelegatorAccount) -> None:
        # Accounts with nothing left are deleted (swap_remove), near-staking.md §3.1.
        if account.unstaked > 0 or account.stake_shares > 0:
            self.accounts.insert(account_id, account)
        else:
            self.accounts.remove(account_id)

    def _ping(self, env: Env) -> bool:
        """``internal_ping``: distribute rewards once per new epoch (§2.5 "Rewards")."""
        epoch = env.epoch_height
        if self.last_epoch_height == epoch:
            return False
        self.last_epoch_height = epoch
        total_balance = env.account_locked_balance() + env.account_balance() - env.attached_deposit
        if total_balance < self.last_total_balance:
            raise ContractPanic("The new total balance should not be less than the old total balance")
        total_reward = total_balance - self.last_total_balance
        if total_reward > 0:
            numerator, denominator = self.reward_fee_fraction
            owners_fee = numerator * total_reward // denominator
            # Delegators' part first, then the owner buys shares at the new price.
            self.total_staked_balance += total_reward - owners_fee
            num_shares = self.shares_rounded_down(owners_fee)
            if num_shares > 0:
                owner = self._get(self.owner_id)
                owner.stake_shares += num_shares
                self._save(self.owner_id, owner)
                self.total_stake_shares += num_shares
            self.total_staked_balance += owners_fee
            env.log(
                f"Epoch {epoch}: Contract received total rewards of {total_reward} tokens. "
                f"New total staked balance is {self.total_staked_balance}. "
                f"Total number of shares {self.total_stake_shares}"
            )
            if num_shares > 0:
                env.log(f"Total rewards fee is {num_shares} stake shares.")
        self.last_total_balance = total_balance
        return True

    def _restake(self, env: Env) -> None:
        if not self.paused:
            env.stake(self.total_staked_balance)

    def _deposit(self, env: Env) -> int:
        amount = env.attached_deposit
        account_id = env.predecessor_account_id
        account = self._get(account_id)
        account.unstaked += amount
        self._save(account_id, account)
        self.last_total_balance += amount
        env.log(f"@{account_id} deposited {amount}. New unstaked balance is {account.unstaked}")
        return amount

    def _withdraw(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Withdrawal amount should be positive")
        account_id = env.predecessor_account_id
        account = self._get(account_id)
        if account.unstaked < amount:
            raise ContractPanic("Not enough unstaked balance to withdraw")
        if account.unstaked_available_epoch_height > env.epoch_height:
            raise ContractPanic("The unstaked balance is not yet available due to unstaking delay")
        account.unstaked -= amount
        self._save(account_id, account)
        env.log(f"@{account_id} withdrawing {amount}. New unstaked balance is {account.unstaked}")
        env.transfer(account_id, amount)
        self.last_total_balance -= amount

    def _stake(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Staking amount should be positive")
        account_id = env.predecessor_account_id
        account = self._get(account_id)
        num_shares = self.shares_rounded_down(amount)
        if num_shares <= 0:
            raise ContractPanic(
                'The calculated number of "stake" shares received for staking should be positive'
            )
        charge_amount = self.amount_rounded_down(num_shares)
        if charge_amount <= 0:
            raise ContractPanic(_SHARE_PRICE_INVARIANT)
        if account.unstaked < charge_amount:
            raise ContractPanic("Not enough unstaked balance to stake")
        account.unstaked -= charge_amount
        account.stake_shares += num_shares
        self._save(account_id, account)
        # The pool adds the rounded-up value; the guarantee fund covers the 1 yocto gap.
        self.total_staked_balance += self.amount_rounded_up(num_shares)
        self.total_stake_shares += num_shares
        env.log(
            f"@{account_id} staking {charge_amount}. Received {num_shares} new staking shares. "
            f"Total {account.unstaked} unstaked balance and {account.stake_shares} staking shares"
        )
        self._log_totals(env)

    def _unstake(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Unstaking amount should be positive")
        account_id = env.predecessor_account_id
        account = self._get(account_id)
        if self.total_staked_balance <= 0:
            raise ContractPanic("The contract doesn't have staked balance")
        num_shares = self.shares_rounded_up(amount)
        if num_shares <= 0:
            raise ContractPanic(
                'Invariant violation. The calculated number of "stake" shares for unstaking should be positive'
            )
        if account.stake_shares < num_shares:
            raise ContractPanic("Not enough staked balance to unstake")
        receive_amount = self.amount_rounded_up(num_shares)
        if receive_amount <= 0:
            raise ContractPanic(_SHARE_PRICE_INVARIANT)
        account.stake_shares -= num_shares
        account.unstaked += receive_amount
        # Every unstake resets the timer for the whole unstaked balance (§2.4).
        account.unstaked_available_epoch_height = env.epoch_height + NUM_EPOCHS_TO_UNLOCK
        self._save(account_id, account)
        self.total_staked_balance -= self.amount_rounded_down(num_shares)
        self.total_stake_shares -= num_shares
        env.log(
            f"@{account_id} unstaking {receive_amount}. Spent {num_shares} staking shares. "
            f"Total {account.unstaked} unstaked balance and {account.stake_shares} staking shares"
        )
        self._log_totals(env)

    def _log_totals(self, env: Env) -> None:
        env.log(
            f"Contract total staked balance is {self.total_staked_balance}. "
            f"Total number of shares {self.total_stake_shares}"
        )

    def _assert_owner(self, env: Env) -> None:
        if env.predecessor_account_id != self.owner_id:
            raise ContractPanic("Can only be called by the owner")

    # -- change methods -----------------------------------------------------
    def call_ping(self, args: dict[str, Any], env: Env) -> None:
        if self._ping(env):
            self._restake(env)

    def call_deposit(self, args: dict[str, Any], env: Env) -> None:
        need_restake = self._ping(env)
        self._deposit(env)
        if need_restake:
            self._restake(env)

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> None:
        self._ping(env)
        amount = self._deposit(env)
        self._stake(env, amount)
        self._restake(env)

    def call_withdraw(self, args: dict[str, Any], env: Env) -> None:
        amount = arg_u128(args)
        need_restake = self._ping(env)
        self._withdraw(env, amount)
        if need_restake:
            self._restake(env)

    def call_withdraw_all(self, args: dict[str, Any], env: Env) -> None:
        need_restake = self._ping(env)
        self._withdraw(env, self._get(env.predecessor_account_id).unstaked)
        if need_restake:
            self._restake(env)

    def call_stake(self, args: dict[str, Any], env: Env) -> None:
        amount = arg_u128(args)
        self._ping(env)
        self._stake(env, amount)
        self._restake(env)

    def call_stake_all(self, args: dict[str, Any], env: Env) -> None:
        self._ping(env)
        self._stake(env, self._get(env.predecessor_account_id).unstaked)
        self._restake(env)

    def call_unstake(self, args: dict[str, Any], env: Env) -> None:
        amount = arg_u128(args)
        self._ping(env)
        self._unstake(env, amount)
        self._restake(env)

    def call_unstake_all(self, args: dict[str, Any], env: Env) -> None:
        self._ping(env)
        shares = self._get(env.predecessor_account_id).stake_shares
        self._unstake(env, self.amount_rounded_down(shares))
        self._restake(env)

    def call_pause_staking(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        if self.paused:
            raise ContractPanic("The staking is already paused")
        self._ping(env)
        self.paused = True
        env.stake(0)

    def call_resume_staking(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        if not self.paused:
            raise ContractPanic("The staking is not paused")
        self._ping(env)
        self.paused = False
        self._restake(env)

    def call_update_reward_fee_fraction(self, args: dict[str, Any], env: Env) -> None:
        self._assert_owner(env)
        fraction = args.get("reward_fee_fraction")
        if not isinstance(fraction, dict):
            raise ContractPanic("Failed to deserialize input from JSON.")
        numerator = arg_u64_number(fraction, "numerator")
        denominator = arg_u64_number(fraction, "denominator")
        if denominator == 0:
            raise ContractPanic("Denominator must be a positive number")
        if numerator > denominator:
            raise ContractPanic("The reward fee must be less or equal to 1")
        if self._ping(env):
            self._restake(env)
        self.reward_fee_fraction = (numerator, denominator)

    # -- views (exact JSON of near-staking.md §2.3) ---------------------------
    def human_readable(self, account_id: str, env: Env) -> dict[str, Any]:
        account = self._get(account_id)  # unknown -> zeros, epoch 0 -> can_withdraw true
        return {
            "account_id": account_id,
            "unstaked_balance": str(account.unstaked),
            "staked_balance": str(self.amount_rounded_down(account.stake_shares)),
            "can_withdraw": account.unstaked_available_epoch_height <= env.epoch_height,
        }

    def view_get_account(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        return self.human_readable(arg_account_id(args), env)

    def view_staked_balance(self, args: dict[str, Any], env: Env) -> str:
        return self.human_readable(arg_account_id(args), env)["staked_balance"]

    def view_unstaked_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self._get(arg_account_id(args)).unstaked)

    def view_total_balance(self, args: dict[str, Any], env: Env) -> str:
        account = self._get(arg_account_id(args))
        return str(account.unstaked + self.amount_rounded_down(account.stake_shares))

    def view_unstaked_available(self, args: dict[str, Any], env: Env) -> bool:
        return self._get(arg_account_id(args)).unstaked_available_epoch_height <= env.epoch_height

    def view_total_staked(self, args: dict[str, Any], env: Env) -> str:
        return str(self.total_staked_balance)

    def view_owner_id(self, args: dict[str, Any], env: Env) -> str:
        return self.owner_id

    def view_reward_fee_fraction(self, args: dict[str, Any], env: Env) -> dict[str, int]:
        numerator, denominator = self.reward_fee_fraction
        return {"numerator": numerator, "denominator": denominator}

    def view_staking_key(self, args: dict[str, Any], env: Env) -> str:
        return self.public_key_text

    def view_is_paused(self, args: dict[str, Any], env: Env) -> bool:
        return self.paused

    def view_number_of_accounts(self, args: dict[str, Any], env: Env) -> int:
        return len(self.accounts)

    def view_get_accounts(self, args: dict[str, Any], env: Env) -> list[dict[str, Any]]:
        from_index = arg_u64_number(args, "from_index")
        limit = arg_u64_number(args, "limit")
        keys = [account_id for account_id, _ in self.accounts.items()]
        return [self.human_readable(account_id, env) for account_id in keys[from_index:from_index + limit]]

    # -- storage ----------------------------------------------------------------
    def state_items(self) -> list[tuple[bytes, bytes]]:
        prefix = self.flavor.map_prefix
        encode = farm_account_bytes if self.flavor == STAKING_FARM else account_bytes
        items = [(STATE_KEY, self.state_bytes())]
        items.extend(unordered_map_items(prefix, self.accounts.items(), encode))
        return items

    def state_bytes(self) -> bytes:
        """Borsh of the contract struct in field order (near-staking.md §3.1)."""
        numerator, denominator = self.reward_fee_fraction
        data = (
            borsh.string(self.owner_id)
            + borsh.byte_vec(b"\x00" + self.stake_public_key)  # curve 0 = ed25519, then 32 bytes
            + borsh.u64(self.last_epoch_height)
            + borsh.u128(self.last_total_balance)
            + borsh.u128(self.total_stake_shares)
            + borsh.u128(self.total_staked_balance)
            + borsh.u32(numerator)
            + borsh.u32(denominator)
            + unordered_map_header(self.flavor.map_prefix, len(self.accounts))
            + borsh.boolean(self.paused)
        )
        if self.flavor == STAKING_FARM:
            # Plausible farm tail only (farms vector, active farms, factory id); not read by clients.
            data += borsh.u64(0) + borsh.byte_vec(b"\x01") + borsh.u32(0) + borsh.string("pool.near")
        return data

    def on_epoch_start(self, env: Env) -> None:
        # Pools are pinged every epoch on mainnet by ping bots; simulate that.
        self.call_ping({}, env)


class StakingFarmPool(StakingPool):
    """``*.pool.near`` staking-farm 1.1.0: same delegator interface plus a few views (§2.7)."""

    VIEW_METHODS: ClassVar[dict[str, str]] = {
        **StakingPool.VIEW_METHODS,
        "get_version": "view_version",
        "get_factory_id": "view_factory_id",
        "get_farms": "view_farms",
        "get_pool_summary": "view_pool_summary",
    }

    def __init__(self, owner_id: str, stake_public_key: bytes, reward_fee_fraction: tuple[int, int]) -> None:
        super().__init__(STAKING_FARM, owner_id, stake_public_key, reward_fee_fraction)

    def view_version(self, args: dict[str, Any], env: Env) -> str:
        return "staking-farm:1.1.0"  # exact upstream text unverified; keep minimal

    def view_factory_id(self, args: dict[str, Any], env: Env) -> str:
        return "pool.near"

    def view_farms(self, args: dict[str, Any], env: Env) -> list[Any]:
        return []

    def view_pool_summary(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        # Minimal, shape unverified: enough for a client to notice a farm pool.
        return {
            "owner": self.owner_id,
            "total_staked_balance": str(self.total_staked_balance),
            "reward_fee_fraction": self.view_reward_fee_fraction(args, env),
            "next_reward_fee_fraction": self.view_reward_fee_fraction(args, env),
            "burn_fee_fraction": {"numerator": 0, "denominator": 1},
            "farms": [],
        }


def poolv1(owner_id: str, stake_public_key: bytes, reward_fee_fraction: tuple[int, int]) -> StakingPool:
    return StakingPool(POOLV1, owner_id, stake_public_key, reward_fee_fraction)
