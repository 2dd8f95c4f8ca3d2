"""Contract extension point: the interface every simulated contract implements.

The chain keeps a registry ``{account_id: Contract}``; the RPC server only ever calls
``call_view``, ``state_items`` and the account numbers, so new kinds (lockup, liquid
staking, ...) plug in by subclassing :class:`Contract` and ``chain.deploy(...)``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from .chain import SandboxChain


class ContractError(Exception):
    """A failure of the contract execution (reported via ``result.error`` / CONTRACT_EXECUTION_ERROR)."""


class ContractPanic(ContractError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MethodNotFound(ContractError):
    pass


class ProhibitedInView(ContractError):
    """A change method called through a view: the first prohibited host function fails."""

    def __init__(self, host_function: str = "attached_deposit") -> None:
        super().__init__(host_function)
        self.host_function = host_function


class Env:
    """What a contract sees of the chain during one call (mirrors near-sdk ``env::``)."""

    def __init__(
        self,
        chain: SandboxChain,
        current_account_id: str,
        *,
        predecessor_account_id: str | None = None,
        attached_deposit: int = 0,
        is_view: bool = False,
        block_height: int | None = None,
    ) -> None:
        self.chain = chain
        # A view at an older block_id sees that block's height and timestamp (state is still the current one).
        self._block_height = block_height
        self.current_account_id = current_account_id
        self._predecessor = predecessor_account_id
        self._attached_deposit = attached_deposit
        self.is_view = is_view
        self.logs: list[str] = []

    @property
    def epoch_height(self) -> int:
        # A view pinned to an older block sees that block's epoch, as on a real node.
        return self.chain.epoch_height if self._block_height is None else self.chain.timeline.epoch_of(self._block_height)

    @property
    def block_height(self) -> int:
        return self.chain.head_height if self._block_height is None else self._block_height

    @property
    def block_timestamp(self) -> int:
        return self.chain.timeline.timestamp_ns(self.block_height)

    @property
    def predecessor_account_id(self) -> str:
        if self.is_view or self._predecessor is None:
            raise ProhibitedInView("predecessor_account_id")
        return self._predecessor

    @property
    def attached_deposit(self) -> int:
        if self.is_view:
            raise ProhibitedInView("attached_deposit")
        return self._attached_deposit

    def account_balance(self) -> int:
        return self.chain.accounts[self.current_account_id].amount

    def account_locked_balance(self) -> int:
        return self.chain.accounts[self.current_account_id].locked

    def log(self, message: str) -> None:
        self.logs.append(message)

    def stake(self, amount: int) -> None:
        """Stake action: set this account's locked balance (instant in the sandbox)."""
        self._require_change("promise_batch_action_stake")
        account = self.chain.accounts[self.current_account_id]
        total = account.amount + account.locked
        if amount > total:
            raise ContractPanic("Not enough balance to stake")
        account.locked, account.amount = amount, total - amount

    def transfer(self, receiver_id: str, amount: int) -> None:
        self._require_change("promise_batch_action_transfer")
        self.chain.accounts[self.current_account_id].amount -= amount
        self.chain.credit(receiver_id, amount)

    def _require_change(self, host_function: str) -> None:
        if self.is_view:
            raise ProhibitedInView(host_function)


def parse_json_args(args: bytes) -> dict[str, Any]:
    """near-sdk decodes args as a JSON object; anything else panics with this text."""
    try:
        value = json.loads(args.decode("utf-8")) if args else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise ContractPanic("Failed to deserialize input from JSON.")
    return value


class Contract:
    """Base class for simulated contracts. Override what the kind supports."""

    kind: ClassVar[str] = "contract"
    code_hash: str
    code_len: int
    # Change methods whose successful calls list the contract on the caller's FastNEAR staking page.
    indexed_methods: ClassVar[frozenset[str]] = frozenset()

    def call_view(self, method: str, args: bytes, env: Env) -> bytes:
        raise MethodNotFound(method)

    def call_change(self, method: str, args: bytes, env: Env) -> bytes:
        raise MethodNotFound(method)

    def state_items(self) -> list[tuple[bytes, bytes]]:
        """Raw storage as (key, value) pairs, for ``view_state`` and ``storage_usage``."""
        return []

    def on_epoch_start(self, env: Env) -> None:
        """Called once per epoch boundary crossed by time travel (after protocol rewards)."""

    def snapshot(self) -> Any:
        """State to restore if a call fails (calls are atomic)."""
        return copy.deepcopy(self.__dict__)

    def restore(self, snapshot: Any) -> None:
        self.__dict__.clear()
        self.__dict__.update(snapshot)


JsonMethod = Callable[[dict[str, Any], Env], Any]


class JsonContract(Contract):
    """A contract whose methods take and return JSON, like near-sdk contracts.

    Subclasses fill ``VIEW_METHODS`` / ``CHANGE_METHODS`` with method names mapped to
    attribute names, and ``PAYABLE`` with the change methods that accept a deposit.
    """

    VIEW_METHODS: ClassVar[dict[str, str]] = {}
    CHANGE_METHODS: ClassVar[dict[str, str]] = {}
    PAYABLE: ClassVar[frozenset[str]] = frozenset()

    def deposit_rejection(self, method: str) -> str:
        # near-sdk 1.x/2.x text (near-staking.md §2.2); sdk 4 contracts override it.
        return "Method doesn't accept deposit"

    def call_view(self, method: str, args: bytes, env: Env) -> bytes:
        if method in self.VIEW_METHODS:
            handler = getattr(self, self.VIEW_METHODS[method])
            return _encode(handler(parse_json_args(args), env))
        if method in self.CHANGE_METHODS:
            # A change method run as a view trips over the first prohibited host call.
            raise ProhibitedInView("attached_deposit")
        raise MethodNotFound(method)

    def call_change(self, method: str, args: bytes, env: Env) -> bytes:
        if method in self.CHANGE_METHODS:
            if method not in self.PAYABLE and env.attached_deposit != 0:
                raise ContractPanic(self.deposit_rejection(method))
            handler = getattr(self, self.CHANGE_METHODS[method])
            return _encode(handler(parse_json_args(args), env), unit_if_none=True)
        if method in self.VIEW_METHODS:
            handler = getattr(self, self.VIEW_METHODS[method])
            return _encode(handler(parse_json_args(args), env))
        raise MethodNotFound(method)


def _encode(value: Any, *, unit_if_none: bool = False) -> bytes:
    # Change methods returning () produce no bytes; views return compact JSON like serde_json
    # (a view returning Option::None gives ``null``).
    if value is None and unit_if_none:
        return b""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def arg_account_id(args: dict[str, Any], name: str = "account_id") -> str:
    value = args.get(name)
    if not isinstance(value, str):
        raise ContractPanic("Failed to deserialize input from JSON.")
    return value


def arg_u128(args: dict[str, Any], name: str = "amount") -> int:
    """U128 JSON wrapper: a decimal string only (a JSON number fails to deserialize)."""
    value = args.get(name)
    if not isinstance(value, str) or not value.isdigit() or int(value) >= 1 << 128:
        raise ContractPanic("Failed to deserialize input from JSON.")
    return int(value)


def arg_u64_number(args: dict[str, Any], name: str) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 64:
        raise ContractPanic("Failed to deserialize input from JSON.")
    return value
