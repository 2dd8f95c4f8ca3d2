"""Minimal borsh encoders (little-endian integers, u32-length-prefixed strings/vectors).

Only what the sandbox needs to lay out contract storage for ``view_state``
(near-staking.md §3.1). Decoding is left to clients under test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def _uint(value: int, size: int) -> bytes:
    if value < 0 or value >= 1 << (8 * size):
        raise ValueError(f"{value} does not fit in u{8 * size}")
    return value.to_bytes(size, "little")


def u8(value: int) -> bytes:
    return _uint(value, 1)


def u32(value: int) -> bytes:
    return _uint(value, 4)


def u64(value: int) -> bytes:
    return _uint(value, 8)


def u128(value: int) -> bytes:
    return _uint(value, 16)


def boolean(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def byte_vec(data: bytes) -> bytes:
    """``Vec<u8>``: u32 LE length, then the bytes."""
    return u32(len(data)) + bytes(data)


def string(text: str) -> bytes:
    """``String``: u32 LE byte length, then UTF-8."""
    return byte_vec(text.encode("utf-8"))


def option(value: T | None, encode: Callable[[T], bytes]) -> bytes:
    return b"\x00" if value is None else b"\x01" + encode(value)


def empty_hash_map() -> bytes:
    """``HashMap`` with no entries: just its u32 length 0."""
    return u32(0)
