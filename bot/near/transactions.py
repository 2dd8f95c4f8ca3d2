"""Unsigned transactions for the user's wallet to sign. The bot never has a key: public key, nonce and block hash
are placeholders that MyNearWallet replaces with its own (wallet-links.md §2.3)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.near.account_id import validate_account_id

TGAS = 10**12
MAX_GAS = 300 * TGAS  # sanity bound: the largest staking budget used is 175 TGas (wallet-links.md §6.1)
_PLACEHOLDER_KEY = bytes(32)
_PLACEHOLDER_BLOCK_HASH = bytes(32)


@dataclass(frozen=True)
class FunctionCall:
    method_name: str
    args: dict[str, Any]
    gas: int
    deposit: int = 0

    def args_bytes(self) -> bytes:
        # Compact JSON, the form wallets and CLIs send (amounts are yocto *strings* inside args).
        return json.dumps(self.args, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class UnsignedTransaction:
    signer_id: str
    receiver_id: str
    actions: tuple[FunctionCall, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # py-near-primitives panics (uncatchable PanicException) on an invalid id: validate first (near-rpc.md §5.4).
        validate_account_id(self.signer_id)
        validate_account_id(self.receiver_id)
        for action in self.actions:
            if not 0 < action.gas <= MAX_GAS:
                raise ValueError(f"gas for {action.method_name} must be between 1 and 300 TGas")
            if not 0 <= action.deposit < 2**128:
                raise ValueError("deposit out of range")

    @property
    def total_deposit(self) -> int:
        return sum(a.deposit for a in self.actions)


def serialize(tx: UnsignedTransaction, nonce: int = 1) -> bytes:
    """Borsh bytes of the unsigned V0 Transaction (wallet-links.md §3), via py-near-primitives."""
    from py_near_primitives import FunctionCallAction, Transaction  # Rust extension; imported on use

    actions = [FunctionCallAction(a.method_name, a.args_bytes(), a.gas, a.deposit) for a in tx.actions]
    native = Transaction(tx.signer_id, _PLACEHOLDER_KEY, nonce, tx.receiver_id, _PLACEHOLDER_BLOCK_HASH, actions)
    return bytes(native.serialize())


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.offset + size > len(self.data):
            raise ValueError("the transaction ends too early")
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk

    def integer(self, size: int) -> int:
        return int.from_bytes(self.take(size), "little")

    def string(self) -> str:
        return self.take(self.integer(4)).decode("utf-8")


def deserialize(data: bytes) -> tuple[UnsignedTransaction, int]:
    """(transaction, nonce) from the borsh bytes `serialize` writes (wallet-links.md §3): function calls only, an
    ed25519 key. Used to show what a wallet link asks for; anything else raises ValueError."""
    reader = _Reader(data)
    signer = reader.string()
    if reader.integer(1) != 0:
        raise ValueError("only ed25519 public keys are expected")
    reader.take(32)
    nonce = reader.integer(8)
    receiver = reader.string()
    reader.take(32)
    calls = []
    for _ in range(reader.integer(4)):
        if reader.integer(1) != 2:
            raise ValueError("only function calls are expected")
        method = reader.string()
        args = json.loads(reader.take(reader.integer(4)).decode("utf-8"))
        if not isinstance(args, dict):
            raise ValueError("function call arguments are a JSON object")
        calls.append(FunctionCall(method, args, reader.integer(8), reader.integer(16)))
    if reader.offset != len(data):
        raise ValueError("bytes left after the transaction")
    return UnsignedTransaction(signer, receiver, tuple(calls)), nonce
