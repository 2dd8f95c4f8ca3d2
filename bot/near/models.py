"""Pydantic models of the NEAR JSON-RPC responses the bot reads (shapes: near-rpc.md §2).

Unknown keys are ignored (nodes add fields over time); u128 amounts must arrive as decimal strings and become
Python ints, never floats.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

NO_CONTRACT_CODE_HASH = "11111111111111111111111111111111"


def _u128(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a u128 decimal string")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise ValueError("expected a u128 decimal string")
    if not 0 <= number < 2**128:
        raise ValueError("u128 out of range")
    return number


def _u64(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a u64 integer")
    number = value if isinstance(value, int) else _u128(value)
    if not 0 <= number < 2**64:
        raise ValueError("u64 out of range")
    return number


U128 = Annotated[int, BeforeValidator(_u128)]
U64 = Annotated[int, BeforeValidator(_u64)]


class RpcModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AccessKeyView(RpcModel):
    """`query` view_access_key: `permission` is "FullAccess" or {"FunctionCall": {allowance, receiver_id,
    method_names}} (nearcore core/primitives/src/views.rs `AccessKeyPermissionView`)."""

    nonce: U64
    permission: str | dict[str, Any]
    block_height: U64
    block_hash: str

    @property
    def full_access(self) -> bool:
        return self.permission == "FullAccess"


class AccountView(RpcModel):
    amount: U128
    locked: U128
    code_hash: str
    storage_usage: U64
    block_height: U64
    block_hash: str
    # Global contracts (nearcore core/primitives/src/views.rs `AccountView`, mainnet-2026.md §1): the account runs
    # the code named here while `code_hash` stays the default (no-code) hash.
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None

    @property
    def deployment(self) -> str:
        """How the account's code is deployed: "local", "global_hash", "global_account" or "none"."""
        if self.global_contract_hash:
            return "global_hash"
        if self.global_contract_account_id:
            return "global_account"
        return "none" if self.code_hash == NO_CONTRACT_CODE_HASH else "local"

    @property
    def effective_code_hash(self) -> str | None:
        """The hash of the code that runs: the local code hash or the global one; None when there is no code or the
        global code is named by account (its hash is not in the view)."""
        deployment = self.deployment
        if deployment == "local":
            return self.code_hash
        if deployment == "global_hash":
            return self.global_contract_hash
        return None

    @property
    def has_contract(self) -> bool:
        return self.deployment != "none"


class CallResult(RpcModel):
    result: list[Annotated[int, Field(ge=0, le=255)]]
    logs: list[str] = []
    block_height: U64
    block_hash: str

    def decoded(self) -> Any:
        """The return value decoded as UTF-8 JSON (never Latin-1, see near-rpc.md §5.3)."""
        return json.loads(bytes(self.result).decode("utf-8"))


class StateItem(RpcModel):
    key: str
    value: str

    @property
    def key_bytes(self) -> bytes:
        return base64.b64decode(self.key)

    @property
    def value_bytes(self) -> bytes:
        return base64.b64decode(self.value)


class ViewStateResult(RpcModel):
    values: list[StateItem]
    block_height: U64
    block_hash: str
    # Present on paginated responses while more entries remain (nearcore 2.13+, near-rpc.md §2.7).
    last_key: str | None = None


class BlockHeader(RpcModel):
    height: U64
    hash: str
    prev_height: U64 | None = None
    epoch_id: str
    next_epoch_id: str | None = None
    timestamp: U64
    gas_price: U128 | None = None


class Block(RpcModel):
    author: str | None = None
    header: BlockHeader


class CurrentValidator(RpcModel):
    account_id: str
    is_slashed: bool = False
    stake: U128
    num_expected_blocks: U64 = 0
    num_produced_blocks: U64 = 0
    # Chunk counters may be absent (near-rpc.md §2.3).
    num_expected_chunks: U64 = 0
    num_produced_chunks: U64 = 0
    num_expected_endorsements: U64 = 0
    num_produced_endorsements: U64 = 0


class NextValidator(RpcModel):
    account_id: str
    stake: U128


class Proposal(RpcModel):
    account_id: str
    stake: U128


class Kickout(RpcModel):
    account_id: str
    # A string ("Unstaked", "DidNotGetASeat") or a one-key object ({"NotEnoughBlocks": {...}}).
    reason: str | dict[str, Any]


class ValidatorsResponse(RpcModel):
    current_validators: list[CurrentValidator]
    next_validators: list[NextValidator] = []
    current_proposals: list[Proposal] = []
    prev_epoch_kickout: list[Kickout] = []
    epoch_height: U64
    epoch_start_height: U64


class ProtocolConfig(RpcModel):
    epoch_length: U64
    chain_id: str | None = None
    protocol_version: U64 | None = None


class SyncInfo(RpcModel):
    latest_block_height: U64
    latest_block_hash: str
    epoch_start_height: U64 | None = None
    latest_block_time: datetime | None = None  # RFC 3339 with nanoseconds (near-rpc.md §2.1)
    syncing: bool = False


class NodeStatus(RpcModel):
    chain_id: str
    sync_info: SyncInfo
    protocol_version: U64 | None = None
