"""A small NEP-141-like token: a non-pool contract so pool methods hit MethodNotFound."""

from __future__ import annotations

from typing import Any, ClassVar

from . import borsh
from .contracts import Env, JsonContract, arg_account_id
from .hashing import hash_b58


class FungibleToken(JsonContract):
    kind: ClassVar[str] = "fungible_token"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "ft_metadata": "view_metadata",
        "ft_total_supply": "view_total_supply",
        "ft_balance_of": "view_balance_of",
    }

    def __init__(self, symbol: str, decimals: int, balances: dict[str, int]) -> None:
        self.code_hash = hash_b58("sandbox-token-wasm", symbol)
        self.code_len = 196_331
        self.symbol = symbol
        self.decimals = decimals
        self.balances = dict(balances)

    def view_metadata(self, args: dict[str, Any], env: Env) -> dict[str, Any]:
        return {
            "spec": "ft-1.0.0",
            "name": f"Sandbox {self.symbol}",
            "symbol": self.symbol,
            "icon": None,
            "reference": None,
            "reference_hash": None,
            "decimals": self.decimals,
        }

    def view_total_supply(self, args: dict[str, Any], env: Env) -> str:
        return str(sum(self.balances.values()))

    def view_balance_of(self, args: dict[str, Any], env: Env) -> str:
        return str(self.balances.get(arg_account_id(args), 0))

    def state_items(self) -> list[tuple[bytes, bytes]]:
        state = borsh.string(self.symbol) + borsh.u8(self.decimals) + borsh.u64(len(self.balances))
        items = [(b"STATE", state)]
        for account_id, amount in sorted(self.balances.items()):
            items.append((b"a" + borsh.string(account_id), borsh.u128(amount)))
        return items
