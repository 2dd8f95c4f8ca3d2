"""Read a delegator's `unstaked_available_epoch_height` from a pool's storage with `view_state`.

No view method exposes it (near-staking.md §2.3), so it comes from the contract's UnorderedMap (§3.1-3.2):
index key  = prefix + "i" + borsh(account_id)  -> u64 LE index
value key  = prefix + "v" + u64_le(index)      -> Account {unstaked u128, stake_shares u128, epoch u64} (40 bytes)
with prefix b"u" for core pools (*.poolv1.near) and b"\\x00" for staking-farm (*.pool.near).
Both reads are pinned to one block so a swap_remove between them cannot mix up delegators. The index key depends only
on the layout and the account id, so its read can go out together with the pool's `get_account` (`likely_layout`
guesses the layout from the pool's factory suffix; the code hash decides).
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum

from bot.near import errors
from bot.near.contracts import ContractKind
from bot.near.rpc import NearRpcClient

ACCOUNT_RECORD_BYTES = 40


class StateSource(StrEnum):
    STATE = "state"  # read from the pool's storage
    UNKNOWN = "unknown"  # the node refused or the layout did not match


@dataclass(frozen=True)
class PoolAccountRecord:
    unstaked: int
    stake_shares: int
    unstaked_available_epoch_height: int


@dataclass(frozen=True)
class StateRead:
    record: PoolAccountRecord | None
    source: StateSource
    reason: str | None = None


def map_prefix(kind: ContractKind) -> bytes:
    # core pool: UnorderedMap::new(b"u"); staking-farm: StorageKeys::Accounts = 0x00 (near-staking.md §2.7).
    return b"\x00" if kind is ContractKind.STAKING_FARM else b"u"


def likely_layout(pool_id: str) -> ContractKind:
    """The layout to try first, before the code hash is known: staking-farm pools are deployed by the `pool.near`
    factory, core pools by `poolv1.near` (near-staking.md §2.7). Only a guess to save a round trip; a wrong one
    costs that round trip, never a wrong figure (the record is checked against `get_account`)."""
    return ContractKind.STAKING_FARM if pool_id.endswith(".pool.near") else ContractKind.POOLV1


def borsh_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<I", len(data)) + data


def index_key(prefix: bytes, account_id: str) -> bytes:
    return prefix + b"i" + borsh_string(account_id)


def value_key(prefix: bytes, index: int) -> bytes:
    return prefix + b"v" + struct.pack("<Q", index)


def decode_account_record(raw: bytes) -> PoolAccountRecord:
    # Staking-farm appends farm maps after the same 40 bytes: decode only the first 40 (§3.2).
    if len(raw) < ACCOUNT_RECORD_BYTES:
        raise ValueError("pool account record shorter than 40 bytes")
    unstaked = int.from_bytes(raw[0:16], "little")
    shares = int.from_bytes(raw[16:32], "little")
    (epoch,) = struct.unpack("<Q", raw[32:40])
    return PoolAccountRecord(unstaked, shares, epoch)


async def exact_state_value(rpc: NearRpcClient, pool_id: str, key: bytes, block_id: int | None = None) -> bytes | None:
    """The value stored under exactly `key`, asking for a paginated read first (nearcore 2.13+, §3.3)."""
    try:
        result = await rpc.view_state(pool_id, key, limit=1, block_id=block_id)
    except errors.RpcRequestRejected:
        # A node that does not know `limit`: plain prefix read (still refused above 50 kB).
        result = await rpc.view_state(pool_id, key, block_id=block_id)
    for item in result.values:
        if item.key_bytes == key:  # a prefix matches longer keys too: insist on equality
            return item.value_bytes
    return None


def read_index(rpc: NearRpcClient, pool_id: str, account_id: str, kind: ContractKind) -> Awaitable[bytes | None]:
    """The read of the delegator's index entry in `kind`'s layout (at `rpc`'s block)."""
    return exact_state_value(rpc, pool_id, index_key(map_prefix(kind), account_id))


async def read_pool_account(
    rpc: NearRpcClient, pool_id: str, account_id: str, kind: ContractKind, block_id: int | None = None,
    *, index_read: Awaitable[bytes | None] | None = None,
) -> StateRead:
    """The delegator's record from storage, or an honest 'unknown' with the reason. `index_read`: the index entry's
    read when it was started earlier (`read_index`)."""
    prefix = map_prefix(kind)
    try:
        if index_read is None:
            index_read = exact_state_value(rpc, pool_id, index_key(prefix, account_id), block_id)
        raw_index = await index_read
        if raw_index is None:
            return StateRead(None, StateSource.UNKNOWN, "the pool's storage has no record for this account")
        if len(raw_index) != 8:
            return StateRead(None, StateSource.UNKNOWN, "the pool's storage layout is not the expected one")
        (index,) = struct.unpack("<Q", raw_index)
        raw_record = await exact_state_value(rpc, pool_id, value_key(prefix, index), block_id)
    except errors.StateTooLarge:
        return StateRead(None, StateSource.UNKNOWN, "the RPC node refuses to read this pool's storage (too large)")
    except errors.BlockNotFound:
        return StateRead(None, StateSource.UNKNOWN, "the RPC node no longer has the block of the balance read")
    except errors.NearError as exc:
        # Rate limited, refused, unreachable: the rest of the answer (can_withdraw, the 4-epoch bound) still holds.
        return StateRead(None, StateSource.UNKNOWN, f"the pool's storage could not be read ({exc.kind})")
    if raw_record is None:
        return StateRead(None, StateSource.UNKNOWN, "the pool's storage index points to a missing record")
    try:
        return StateRead(decode_account_record(raw_record), StateSource.STATE)
    except ValueError as exc:
        return StateRead(None, StateSource.UNKNOWN, str(exc))
