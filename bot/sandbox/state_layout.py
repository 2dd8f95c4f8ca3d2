"""Contract storage of the pool contracts as raw key/value bytes, for ``view_state``.

Layouts follow near-staking.md §3.1 (poolv1, near-sdk 1.0 ``UnorderedMap`` with prefix ``u``)
and §3.2 (staking-farm, prefix byte ``0x00``). Keys of one map:
``prefix+'i'+borsh(account_id)`` -> u64 index, ``prefix+'k'+u64(i)`` -> borsh(account_id),
``prefix+'v'+u64(i)`` -> borsh(Account).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from . import borsh

STATE_KEY = b"STATE"
POOLV1_MAP_PREFIX = b"u"
STAKING_FARM_MAP_PREFIX = b"\x00"


class DelegatorRecord(Protocol):
    unstaked: int
    stake_shares: int
    unstaked_available_epoch_height: int


def index_key(prefix: bytes, account_id: str) -> bytes:
    return prefix + b"i" + borsh.string(account_id)


def key_vector_key(prefix: bytes, index: int) -> bytes:
    return prefix + b"k" + borsh.u64(index)


def value_vector_key(prefix: bytes, index: int) -> bytes:
    return prefix + b"v" + borsh.u64(index)


def account_bytes(record: DelegatorRecord) -> bytes:
    """The 40-byte core ``Account``: unstaked u128, stake_shares u128, available epoch u64 (§3.1)."""
    return (
        borsh.u128(record.unstaked)
        + borsh.u128(record.stake_shares)
        + borsh.u64(record.unstaked_available_epoch_height)
    )


def farm_account_bytes(record: DelegatorRecord) -> bytes:
    # staking-farm Account = the same 40 bytes + two empty HashMaps
    # (last_farm_reward_per_share, amounts) (near-staking.md §2.7).
    return account_bytes(record) + borsh.empty_hash_map() + borsh.empty_hash_map()


def unordered_map_header(prefix: bytes, length: int) -> bytes:
    """Borsh of the ``UnorderedMap`` struct itself (as embedded in STATE)."""
    return (
        borsh.byte_vec(prefix + b"i")
        + borsh.u64(length) + borsh.byte_vec(prefix + b"k")
        + borsh.u64(length) + borsh.byte_vec(prefix + b"v")
    )


def unordered_map_items(
    prefix: bytes,
    entries: Iterable[tuple[str, DelegatorRecord]],
    encode_value=account_bytes,
) -> list[tuple[bytes, bytes]]:
    items: list[tuple[bytes, bytes]] = []
    for index, (account_id, record) in enumerate(entries):
        items.append((index_key(prefix, account_id), borsh.u64(index)))
        items.append((key_vector_key(prefix, index), borsh.string(account_id)))
        items.append((value_vector_key(prefix, index), encode_value(record)))
    return items


def entry_storage_bytes(key: bytes, value: bytes) -> int:
    # nearcore charges 40 bytes of overhead per trie record on top of key and value.
    return len(key) + len(value) + 40
