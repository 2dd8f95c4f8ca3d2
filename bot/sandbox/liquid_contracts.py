"""Simulated liquid-staking contracts: the shared share accounting, LiNEAR-like and Rhea-like (rNEAR); Meta Pool
is in metapool_contract.py.

Views and JSON types follow near-staking.md §5 and the public sources (MP = Meta-Pool/liquid-staking-contract,
LN = linear-protocol/LiNEAR, RN = ref-finance/rnear-contract): amounts are U128 decimal strings, Meta Pool's unlock
epoch is a U64 *string*, LiNEAR's and Rhea's a JSON *number* (Rhea names it `last_unstake_request_epoch_height`).
Each is also the NEP-141 token of its shares (`ft_balance_of`, `ft_metadata` with 24 decimals).

Settlement (LN/RN `epoch_cleanup`): once per epoch the contract settles the epoch's stake and unstake requests and
sets `last_settlement_epoch`; an unstake after that unlocks one epoch later (LN/RN internal.rs), and Rhea pays a
withdrawal only once its unlock epoch ≤ `last_settlement_epoch` (RN account.rs). `last_settlement_epoch` is the last
field of the STATE value (RN: followed by `last_settlement_initiated_epoch`), as in the contracts' structs.

Sandbox simplifications: staked NEAR stays in the contract account (no validator pools behind it); every epoch
boundary adds rewards (price grows a little) and, with `auto_settle`, runs the settlement at once (tests switch it
off and call `epoch_unstake`); the 8-epoch case is a settable attribute (`unstake_delay_epochs`).
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
ONE_MILLI_NEAR = NEAR // 1_000
LINEAR_WITHDRAW_RESERVE = NEAR  # LiNEAR/Rhea keep 1 NEAR free when paying withdrawals (assert_can_withdraw)
# What the sandbox's Rhea keeps from a new account's first deposit for its storage (a sandbox value).
RHEA_STORAGE_COST = 2_500_000_000_000_000_000_000


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
    # NEP-145 views of the providers that charge a new account's storage (Meta Pool, Rhea).
    STORAGE_VIEWS: ClassVar[dict[str, str]] = {
        "storage_balance_of": "view_storage_balance_of",
        "storage_balance_bounds": "view_storage_balance_bounds",
    }
    storage_cost: ClassVar[int] = 0  # kept from a new account's first deposit_and_stake

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
        self.registered: set[str] = set()  # storage paid (an emptied account stays registered)

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
             height: int = 0, epoch: int = 0) -> None:
        """Give `account_id` tokens bought at the current price and/or a pending unstake claim (`epoch`: now)."""
        self.registered.add(account_id)
        record = self.account(account_id)
        if shares:
            # Back the new shares with NEAR rounded up, so the price never drops.
            self.total_staked += -(-shares * self.total_staked // self.total_shares)
            self.total_shares += shares
            record.shares += shares
        if unstaked:
            record.unstaked += unstaked
            record.unlock_epoch = unlock_epoch
            self._seed_claim(unstaked, unlock_epoch, epoch)
        record.last_update = height
        self._save(account_id, record, None)

    def _seed_claim(self, amount: int, unlock_epoch: int, epoch: int) -> None:
        """Contract-level bookkeeping of a seeded pending claim (Meta Pool: retrieved or still waiting)."""

    def _storage_charge(self, account_id: str) -> int:
        """Register `account_id`; what its first deposit keeps for storage (0 when already registered)."""
        if account_id in self.registered:
            return 0
        self.registered.add(account_id)
        return self.storage_cost

    # -- NEP-145 storage views ------------------------------------------------------------------------
    def view_storage_balance_of(self, args: dict[str, Any], env: Env) -> dict[str, str] | None:
        if arg_account_id(args) not in self.registered:
            return None
        return {"total": str(self.storage_cost), "available": "0"}

    def view_storage_balance_bounds(self, args: dict[str, Any], env: Env) -> dict[str, str | None]:
        return {"min": str(self.storage_cost), "max": str(self.storage_cost)}

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

    def state_value(self) -> bytes:
        """The STATE value; the contracts that keep settlement epochs end it with them, as their structs do."""
        return borsh.string(self.owner_id) + borsh.u128(self.total_staked) + borsh.u128(self.total_shares)

    def state_items(self) -> list[tuple[bytes, bytes]]:
        items = [(b"STATE", self.state_value())]
        for account_id, record in sorted(self.accounts.items()):
            value = borsh.u128(record.shares) + borsh.u128(record.unstaked) + borsh.u64(record.unlock_epoch)
            items.append((b"a" + borsh.string(account_id), value))
        return items


class LinearContract(LiquidStakingToken):
    """`linear-protocol.near`: LiNEAR (near-staking.md §5; LN `view.rs`, `stake.rs`, `internal.rs`)."""

    name: ClassVar[str] = "LiNEAR"
    symbol: ClassVar[str] = "LiNEAR"
    UNLOCK_FIELD: ClassVar[str] = "unstaked_available_epoch_height"  # LN view.rs AccountDetailsView
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        **LiquidStakingToken.TOKEN_VIEWS,
        "ft_price": "view_ft_price",
        "get_account_details": "view_account_details",
        "get_account": "view_account",
        "get_summary": "view_summary",
        "get_total_staked_balance": "view_total_staked",
        "is_paused": "view_is_paused",
        "can_account_withdraw": "view_can_account_withdraw",
        # LN's poolv1 interface ("this contract could be taken by users as a regular validator poolv1 contract"):
        # what a lockup's withdraw_all_from_staking_pool and refresh_staking_pool_balance read.
        "get_account_staked_balance": "view_account_staked_balance",
        "get_account_unstaked_balance": "view_account_unstaked_balance",
        "get_account_total_balance": "view_account_total_balance",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {
        "deposit_and_stake": "call_deposit_and_stake",
        "unstake": "call_unstake",
        "unstake_all": "call_unstake_all",
        "withdraw": "call_withdraw",
        "withdraw_all": "call_withdraw_all",
        "ping": "call_ping",
        # Anyone may call the epoch actions; each first runs epoch_cleanup (LN/RN epoch_actions.rs).
        "epoch_stake": "call_epoch_cleanup",
        "epoch_unstake": "call_epoch_cleanup",
    }
    PAYABLE: ClassVar[frozenset[str]] = frozenset({"deposit_and_stake"})

    def __init__(self, owner_id: str, *, total_staked: int, total_shares: int,
                 reward_rate: tuple[int, int] = (1, 15_000)) -> None:
        super().__init__(owner_id, total_staked=total_staked, total_shares=total_shares, reward_rate=reward_rate)
        self.last_settlement_epoch = 0
        self.auto_settle = True  # the operators' epoch_stake/epoch_unstake run right at each epoch start

    # -- settlement (epoch_cleanup) ---------------------------------------------------------------------
    def settled_epochs(self) -> tuple[int, ...]:
        """Epochs whose settlement has started: an unstake in one of them unlocks one epoch later."""
        return (self.last_settlement_epoch,)

    def epoch_cleanup(self, epoch: int) -> None:
        self.last_settlement_epoch = epoch

    def on_epoch_start(self, env: Env) -> None:
        super().on_epoch_start(env)
        if self.auto_settle:
            self.epoch_cleanup(env.epoch_height)

    def state_value(self) -> bytes:
        # LN lib.rs: last_settlement_epoch is the struct's last field.
        return super().state_value() + borsh.boolean(False) + borsh.u64(self.last_settlement_epoch)

    def _unlock(self, env: Env) -> int:
        extra = 1 if env.epoch_height in self.settled_epochs() else 0  # LN/RN internal.rs internal_unstake
        return super()._unlock(env) + extra

    def _unlocked_for_withdraw(self, record: LstAccount, env: Env) -> bool:
        return record.unlock_epoch <= env.epoch_height

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
            self.UNLOCK_FIELD: record.unlock_epoch,  # EpochHeight (u64): a JSON number
            # The view compares with the current epoch, also at Rhea (RN view.rs), whose withdraw does not.
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

    def view_account_staked_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self.amount_from_shares(self.account(arg_account_id(args)).shares))

    def view_account_unstaked_balance(self, args: dict[str, Any], env: Env) -> str:
        return str(self.account(arg_account_id(args)).unstaked)

    def view_account_total_balance(self, args: dict[str, Any], env: Env) -> str:
        record = self.account(arg_account_id(args))
        return str(self.amount_from_shares(record.shares) + record.unstaked)

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
        """LN/RN `view.rs`: runs `assert_can_withdraw` and panics when a withdrawal would be refused (§5)."""
        record = self.account(arg_account_id(args))
        self._assert_can_withdraw(record, arg_u128(args), env)

    def _assert_can_withdraw(self, record: LstAccount, amount: int, env: Env) -> None:
        if amount <= 0:
            raise ContractPanic("Withdrawal amount should be positive")
        if record.unstaked < amount:
            raise ContractPanic("Not enough unstaked balance to withdraw")
        if not self._unlocked_for_withdraw(record, env):
            raise ContractPanic("The unstaked balance is not yet available due to unstaking delay")
        if env.account_balance() < amount + LINEAR_WITHDRAW_RESERVE:
            raise ContractPanic("No enough balance in contract to perform withdraw")

    # -- change methods -----------------------------------------------------------------------------------
    def call_ping(self, args: dict[str, Any], env: Env) -> None:
        return None  # a no-op in LiNEAR

    def call_epoch_cleanup(self, args: dict[str, Any], env: Env) -> bool:
        if self.last_settlement_epoch != env.epoch_height:
            self.epoch_cleanup(env.epoch_height)
        return False  # nothing to stake or unstake on validators in the sandbox

    def call_deposit_and_stake(self, args: dict[str, Any], env: Env) -> str:
        account_id = env.predecessor_account_id
        amount = env.attached_deposit - self._storage_charge(account_id)
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
        return str(shares)

    def _unstaked_for(self, amount: int, shares: int) -> int:
        """NEAR credited for burning `shares` to unstake `amount` (LN: rounded up, like the core pool)."""
        return self.amount_rounded_up(shares)

    def _unstake(self, env: Env, amount: int) -> None:
        if amount <= 0:
            raise ContractPanic("Unstaking amount should be positive")
        account_id = env.predecessor_account_id
        record = self.account(account_id)
        shares = self.shares_rounded_up(amount)
        if record.shares < shares:
            raise ContractPanic("Not enough staked balance to unstake")
        receive = self._unstaked_for(amount, shares)
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
        account_id = env.predecessor_account_id
        record = self.account(account_id)
        self._assert_can_withdraw(record, amount, env)
        record.unstaked -= amount
        self._save(account_id, record, env)
        self._pay(env, account_id, amount)

    def call_withdraw(self, args: dict[str, Any], env: Env) -> None:
        self._withdraw(env, arg_u128(args))

    def call_withdraw_all(self, args: dict[str, Any], env: Env) -> None:
        self._withdraw(env, self.account(env.predecessor_account_id).unstaked)


class RheaContract(LinearContract):
    """`lst.rhealab.near`: rNEAR (RN = ref-finance/rnear-contract, LiNEAR-derived). Differences from LiNEAR that
    matter here: the account view names the unlock epoch `last_unstake_request_epoch_height`; withdraw needs that
    epoch ≤ `last_settlement_epoch` (RN account.rs `assert_can_withdraw`), so the view's `can_withdraw` (unlock ≤
    current epoch) can be true before the settlement has run; an unstake also waits one more epoch when the
    settlement was only initiated this epoch; a new account's first deposit pays its storage; `unstake` credits
    exactly the requested amount (RN internal.rs)."""

    name: ClassVar[str] = "Rhea"
    symbol: ClassVar[str] = "rNEAR"
    UNLOCK_FIELD: ClassVar[str] = "last_unstake_request_epoch_height"
    VIEW_METHODS: ClassVar[dict[str, str]] = {**LinearContract.VIEW_METHODS, **LiquidStakingToken.STORAGE_VIEWS}
    storage_cost: ClassVar[int] = RHEA_STORAGE_COST

    def __init__(self, owner_id: str, *, total_staked: int, total_shares: int,
                 reward_rate: tuple[int, int] = (1, 15_000)) -> None:
        super().__init__(owner_id, total_staked=total_staked, total_shares=total_shares, reward_rate=reward_rate)
        self.last_settlement_initiated_epoch = 0

    def settled_epochs(self) -> tuple[int, ...]:
        return (self.last_settlement_epoch, self.last_settlement_initiated_epoch)

    def state_value(self) -> bytes:
        # RN lib.rs: Contract { data: VersionedContractData::Current(ContractData) }, whose last two fields are
        # last_settlement_epoch and last_settlement_initiated_epoch.
        return (
            borsh.u8(0) + LiquidStakingToken.state_value(self)
            + borsh.u64(self.last_settlement_epoch) + borsh.u64(self.last_settlement_initiated_epoch)
        )

    def _unlocked_for_withdraw(self, record: LstAccount, env: Env) -> bool:
        return record.unlock_epoch <= self.last_settlement_epoch

    def _unstaked_for(self, amount: int, shares: int) -> int:
        return amount


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
