"""``SandboxChain``: accounts, contracts, validators and the head of a simulated NEAR chain.

One chain may be served by several nodes (ports); all mutation happens here. Heights,
timestamps and hashes come from :class:`~bot.sandbox.timeline.Timeline` (pure functions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .access_keys import AccessKeys
from .contracts import Contract, ContractPanic, Env, MethodNotFound, ProhibitedInView
from .state_layout import entry_storage_bytes
from .timeline import Timeline

NO_CODE_HASH = "11111111111111111111111111111111"  # base58 of 32 zero bytes (near-rpc.md §2.5)
PLAIN_ACCOUNT_STORAGE_BYTES = 182  # an account with one full-access key
ACCOUNT_RECORD_BYTES = 100  # storage charged for the account record itself
DEFAULT_EPOCH = 3300
DEFAULT_HEAD_OFFSET = 19_487  # ~45 % into the epoch
HASH_SCAN_DEPTH = 5_000  # heights below the head searched for an unknown block hash


class ValidatorRole(StrEnum):
    ACTIVE = "active"  # in current and next validators; earns rewards
    PROPOSAL = "proposal"  # only in current_proposals / next_validators
    KICKED = "kicked"  # in prev_epoch_kickout; not a validator
    NONE = "none"  # not a validator (e.g. paused pools)


class Seat(StrEnum):
    PRODUCER = "producer"  # produces blocks and chunks (and endorses)
    CHUNK_VALIDATOR = "chunk_validator"  # only endorses chunks: no blocks or chunks expected (stateless validation)


@dataclass
class ValidatorStatus:
    role: ValidatorRole
    kickout_reason: Any = None
    seat: Seat = Seat.PRODUCER
    # Share of expected duties done this epoch, (numerator, denominator); None: a near-perfect record.
    online: tuple[int, int] | None = None


@dataclass
class Account:
    amount: int
    locked: int = 0


@dataclass
class CallOutcome:
    """Result of a change call via the control API (a transaction, abstracted)."""

    ok: bool
    panic: str | None = None  # contract panic message
    error: str | None = None  # other failures (no account, no code, method not found, balance)
    logs: list[str] = field(default_factory=list)
    result: bytes = b""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": self.ok, "logs": self.logs}
        if self.panic is not None:
            body["panic"] = self.panic
        if self.error is not None:
            body["error"] = self.error
        if self.ok and self.result:
            body["result"] = _decode_result(self.result)
        return body


class UnknownAccount(Exception):
    pass


class NoContractCode(Exception):
    pass


class SandboxChain:
    def __init__(
        self,
        timeline: Timeline | None = None,
        *,
        head_height: int | None = None,
        final_lag: int = 2,
        reward_rate: tuple[int, int] = (1, 20_000),
        protocol_version: int = 85,
    ) -> None:
        self.timeline = timeline or Timeline()
        start = head_height if head_height is not None else (
            self.timeline.epoch_start(DEFAULT_EPOCH) + DEFAULT_HEAD_OFFSET
        )
        self._head = self._bump_past_skipped(start)
        self.final_lag = final_lag  # the final block trails the optimistic head
        self.reward_rate = reward_rate  # per-epoch protocol reward on a validator's locked stake
        self.protocol_version = protocol_version
        self.total_supply = 1_212_000_000 * 10**24
        self.accounts: dict[str, Account] = {}
        self.contracts: dict[str, Contract] = {}
        # Accounts running a global contract: account -> ("hash", global code hash) or ("account", publisher id).
        self.global_deployments: dict[str, tuple[str, str]] = {}
        self.validators: dict[str, ValidatorStatus] = {}
        # FastNEAR-style index: delegator -> {pool_id: last height it touched the pool}.
        self.staking_index: dict[str, dict[str, int]] = {}
        # (delegator, pool) pairs the index misses (lag, an indexing gap): the chain has them, the API does not.
        self.index_omissions: set[tuple[str, str]] = set()
        # Updates older than this are reported as null by the FastNEAR API (near-staking.md §6.4).
        self.fastnear_index_start_height = self.timeline.genesis_height
        self.roles: dict[str, Any] = {}  # filled by the scenario, shown by /sandbox/info
        self.access_keys = AccessKeys()  # public keys per account (control API: POST /sandbox/access_key)
        self._hash_cache: dict[str, int] = {}

    # -- head and epochs ------------------------------------------------------
    @property
    def head_height(self) -> int:
        return self._head

    @property
    def epoch_length(self) -> int:
        return self.timeline.epoch_length

    @property
    def epoch_height(self) -> int:
        return self.timeline.epoch_of(self._head)

    @property
    def epoch_start_height(self) -> int:
        return self.timeline.epoch_start(self.epoch_height)

    def lagged_head(self, lag: int = 0) -> int:
        """The latest block at least ``lag`` heights behind the head (used by the ``stale`` fault)."""
        return self.timeline.latest_block_at_or_below(max(self.timeline.genesis_height, self._head - lag))

    def final_height(self, head: int | None = None) -> int:
        head = self._head if head is None else head
        return self.timeline.latest_block_at_or_below(max(self.timeline.genesis_height, head - self.final_lag))

    def block_exists(self, height: int, head: int | None = None) -> bool:
        return self.timeline.block_exists(height, self._head if head is None else head)

    def find_height_by_hash(self, block_hash: str, head: int | None = None) -> int | None:
        """Reverse a block hash. Hashes are one-way, so look in a cache, then scan recent heights."""
        head = self._head if head is None else head
        height = self._hash_cache.get(block_hash)
        if height is None:
            low = max(self.timeline.genesis_height, head - HASH_SCAN_DEPTH)
            for candidate in range(head, low - 1, -1):
                if self.timeline.block_hash(candidate) == block_hash:
                    height = candidate
                    break
        if height is None or not self.block_exists(height, head):
            return None
        self._hash_cache[block_hash] = height
        return height

    def remember_hash(self, height: int) -> str:
        """Block hash of ``height``, remembered so any hash the server hands out can be resolved."""
        block_hash = self.timeline.block_hash(height)
        if len(self._hash_cache) > 100_000:
            self._hash_cache.clear()
        self._hash_cache[block_hash] = height
        return block_hash

    def _bump_past_skipped(self, height: int) -> int:
        # The head is never a skipped height.
        while self.timeline.is_skipped(height):
            height += 1
        return height

    def advance(self, *, blocks: int = 0, epochs: int = 0) -> int:
        """Time travel: move the head forward; every epoch boundary crossed pays rewards and pings."""
        if blocks < 0 or epochs < 0:
            raise ValueError("can only move forward")
        target = self._bump_past_skipped(self._head + blocks + epochs * self.epoch_length)
        for epoch in range(self.epoch_height + 1, self.timeline.epoch_of(target) + 1):
            self._head = self.timeline.epoch_start(epoch)
            self._on_epoch_start()
        self._head = target
        return self._head

    def advance_to_epoch_edge(self, edge: str, offset: int = 0) -> int:
        """Move the head to an epoch's edge, where the head and the final block can be in different epochs:
        ``"first"``: the next epoch's first block plus ``offset`` blocks; ``"last"``: ``offset`` blocks before the
        last block of the current epoch (of the next one when the head is already past that)."""
        if offset < 0 or edge not in ("first", "last"):
            raise ValueError('edge must be "first" or "last" and offset >= 0')
        timeline = self.timeline
        if edge == "first":
            return self.advance_to(timeline.epoch_start(self.epoch_height + 1) + offset)
        target = timeline.latest_block_at_or_below(timeline.epoch_last_block(self.epoch_height) - offset)
        if target < self._head:
            target = timeline.latest_block_at_or_below(timeline.epoch_last_block(self.epoch_height + 1) - offset)
        return self.advance_to(target)

    def advance_to(self, height: int) -> int:
        if height < self._head:
            raise ValueError("can only move forward")
        return self.advance(blocks=height - self._head)

    def _on_epoch_start(self) -> None:
        numerator, denominator = self.reward_rate
        for account_id, status in self.validators.items():
            account = self.accounts.get(account_id)
            if status.role is ValidatorRole.ACTIVE and account and account.locked > 0:
                reward = account.locked * numerator // denominator
                account.locked += reward
                self.total_supply += reward
        for account_id, contract in list(self.contracts.items()):
            env = Env(self, account_id, predecessor_account_id=account_id)
            try:
                contract.on_epoch_start(env)
            except (ContractPanic, ProhibitedInView, MethodNotFound):
                pass  # a failed ping is a no-op, as on chain

    # -- accounts and contracts -------------------------------------------------
    def create_account(self, account_id: str, amount: int = 0) -> Account:
        if account_id in self.accounts:
            raise ValueError(f"account {account_id} already exists")
        account = self.accounts[account_id] = Account(amount)
        return account

    def credit(self, account_id: str, amount: int) -> None:
        account = self.accounts.get(account_id)
        if account is None:
            account = self.create_account(account_id)
        account.amount += amount

    def deploy(
        self, account_id: str, contract: Contract, *, global_hash: str | None = None, global_account: str | None = None
    ) -> Contract:
        """Deploy ``contract``; with ``global_hash`` / ``global_account`` it runs as a global contract used by
        hash or by account (mainnet-2026.md §1: ``code_hash`` stays the default hash and the view names the code)."""
        if account_id not in self.accounts:
            raise ValueError(f"account {account_id} does not exist")
        if global_hash and global_account:
            raise ValueError("a global contract is used either by hash or by account")
        self.contracts[account_id] = contract
        self.global_deployments.pop(account_id, None)
        if global_hash:
            self.global_deployments[account_id] = ("hash", global_hash)
        elif global_account:
            self.global_deployments[account_id] = ("account", global_account)
        return contract

    def set_validator(
        self,
        account_id: str,
        role: ValidatorRole,
        kickout_reason: Any = None,
        *,
        seat: Seat = Seat.PRODUCER,
        online: tuple[int, int] | None = None,
    ) -> None:
        self.validators[account_id] = ValidatorStatus(ValidatorRole(role), kickout_reason, Seat(seat), online)

    def code_hash(self, account_id: str) -> str:
        contract = self.contracts.get(account_id)
        if contract is None or account_id in self.global_deployments:
            return NO_CODE_HASH
        return contract.code_hash

    def state_items(self, account_id: str) -> list[tuple[bytes, bytes]]:
        """Contract storage sorted by key bytes, like the trie."""
        contract = self.contracts.get(account_id)
        return sorted(contract.state_items()) if contract else []

    def storage_usage(self, account_id: str) -> int:
        contract = self.contracts.get(account_id)
        if contract is None:
            return PLAIN_ACCOUNT_STORAGE_BYTES
        data = sum(entry_storage_bytes(k, v) for k, v in contract.state_items())
        return self._code_storage(account_id, contract) + data + ACCOUNT_RECORD_BYTES

    def _code_storage(self, account_id: str, contract: Contract) -> int:
        # A global contract's user pays for the identifier only: 32 bytes of hash, or the publisher's id.
        deployment = self.global_deployments.get(account_id)
        if deployment is None:
            return contract.code_len
        return 32 if deployment[0] == "hash" else len(deployment[1])

    def state_size(self, account_id: str) -> int:
        """What nearcore compares with the 50,000-byte view_state cap: storage_usage − code_len (§3.3)."""
        contract = self.contracts.get(account_id)
        code_len = self._code_storage(account_id, contract) if contract else 0
        return self.storage_usage(account_id) - code_len

    def view_account(self, account_id: str) -> dict[str, Any]:
        account = self.accounts.get(account_id)
        if account is None:
            raise UnknownAccount(account_id)
        view = {
            "amount": str(account.amount),
            "locked": str(account.locked),
            "code_hash": self.code_hash(account_id),
            "storage_paid_at": 0,
            "storage_usage": self.storage_usage(account_id),
        }
        deployment = self.global_deployments.get(account_id)
        if deployment is not None:
            view["global_contract_hash" if deployment[0] == "hash" else "global_contract_account_id"] = deployment[1]
        return view

    def view_call(self, account_id: str, method: str, args: bytes, *, block_height: int | None = None) -> bytes:
        """Run a view method (at ``block_height``'s timestamp, default the head). Raises UnknownAccount,
        NoContractCode or a ContractError."""
        if account_id not in self.accounts:
            raise UnknownAccount(account_id)
        contract = self.contracts.get(account_id)
        if contract is None:
            raise NoContractCode(account_id)
        return contract.call_view(method, args, Env(self, account_id, is_view=True, block_height=block_height))

    def call(
        self,
        signer_id: str,
        receiver_id: str,
        method_name: str,
        args: dict[str, Any] | bytes | None = None,
        deposit: int = 0,
    ) -> CallOutcome:
        """Execute a function call as ``signer_id``; all effects are reverted on failure."""
        if isinstance(args, bytes):
            raw_args = args
        else:
            raw_args = json.dumps(args or {}, separators=(",", ":")).encode()
        signer = self.accounts.get(signer_id)
        if signer is None:
            return CallOutcome(False, error=f"Signer account {signer_id} does not exist")
        if receiver_id not in self.accounts:
            return CallOutcome(False, error=f"Receiver account {receiver_id} does not exist")
        contract = self.contracts.get(receiver_id)
        if contract is None:
            return CallOutcome(False, error=f'CompilationError(CodeDoesNotExist {{ account_id: "{receiver_id}" }})')
        if deposit < 0 or deposit > signer.amount:
            return CallOutcome(False, error=f"NotEnoughBalance: {signer_id} cannot attach {deposit}")

        accounts_before = {k: Account(a.amount, a.locked) for k, a in self.accounts.items()}
        contract_before = contract.snapshot()
        signer.amount -= deposit
        self.accounts[receiver_id].amount += deposit
        env = Env(self, receiver_id, predecessor_account_id=signer_id, attached_deposit=deposit)
        try:
            result = contract.call_change(method_name, raw_args, env)
        except (ContractPanic, MethodNotFound, ProhibitedInView) as exc:
            self.accounts = accounts_before
            contract.restore(contract_before)
            if isinstance(exc, ContractPanic):
                return CallOutcome(False, panic=exc.message, logs=env.logs)
            if isinstance(exc, MethodNotFound):
                return CallOutcome(False, error="MethodResolveError(MethodNotFound)", logs=env.logs)
            return CallOutcome(False, error=f"HostError(ProhibitedInView {{ method_name: \"{exc.host_function}\" }})")
        if method_name in contract.indexed_methods:
            self.staking_index.setdefault(signer_id, {})[receiver_id] = self._head
        return CallOutcome(True, logs=env.logs, result=result)

    def delegated_pools(self, account_id: str) -> list[tuple[str, int | None]]:
        """Pools the account ever touched, with the last update height (None = before the index)."""
        pools = self.staking_index.get(account_id, {})
        return [
            (pool_id, height if height >= self.fastnear_index_start_height else None)
            for pool_id, height in pools.items()
            if (account_id, pool_id) not in self.index_omissions
        ]


def _decode_result(result: bytes) -> Any:
    try:
        return json.loads(result.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return list(result)
