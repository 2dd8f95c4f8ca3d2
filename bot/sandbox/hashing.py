"""Deterministic hashes and base58, so every run of the sandbox yields the same ids."""

from __future__ import annotations

import hashlib

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_ALPHABET[rem])
    # Leading zero bytes are encoded as '1' each (so 32 zero bytes -> 32 ones).
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"invalid base58 character {char!r}")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def digest(*parts: object) -> bytes:
    """sha256 over the parts joined with ':' (str() of each)."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def hash_b58(*parts: object) -> str:
    """A 32-byte base58 id such as a block hash or epoch id."""
    return b58encode(digest(*parts))
