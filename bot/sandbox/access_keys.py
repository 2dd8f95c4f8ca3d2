"""Access keys per account, as nearcore keeps them: a public key maps to a nonce and a permission, either
"FullAccess" or {"FunctionCall": {"allowance", "receiver_id", "method_names"}} (nearcore core/primitives/src/views.rs
`AccessKeyView`, `AccessKeyPermissionView`; an allowance of null means unlimited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .account_id import is_valid_account_id
from .hashing import b58decode


class UnknownAccessKey(Exception):
    pass


def check_public_key(public_key: Any) -> str:
    """Only ed25519 keys in nearcore's text form ("ed25519:" + base58 of 32 bytes)."""
    if not isinstance(public_key, str) or not public_key.startswith("ed25519:"):
        raise ValueError("public_key must be ed25519:<base58>")
    if len(b58decode(public_key.removeprefix("ed25519:"))) != 32:
        raise ValueError("an ed25519 public key is 32 bytes")
    return public_key


def check_permission(permission: Any) -> str | dict[str, Any]:
    if permission == "FullAccess":
        return permission
    call = permission.get("FunctionCall") if isinstance(permission, dict) else None
    if not isinstance(call, dict) or not is_valid_account_id(call.get("receiver_id")):
        raise ValueError('permission must be "FullAccess" or {"FunctionCall": {"receiver_id", ...}}')
    allowance = call.get("allowance")
    names = call.get("method_names", [])
    if allowance is not None and not (isinstance(allowance, str) and allowance.isdigit()):
        raise ValueError("allowance must be null or a decimal string of yoctoNEAR")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("method_names must be a list of strings")
    return {"FunctionCall": {"allowance": allowance, "receiver_id": call["receiver_id"], "method_names": names}}


@dataclass
class AccessKeys:
    keys: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # account -> public key -> view

    def add(self, account_id: str, public_key: str, permission: Any) -> None:
        self.keys.setdefault(account_id, {})[check_public_key(public_key)] = {
            "nonce": 0, "permission": check_permission(permission),
        }

    def delete(self, account_id: str, public_key: str) -> bool:
        return self.keys.get(account_id, {}).pop(public_key, None) is not None

    def view(self, account_id: str, public_key: str) -> dict[str, Any]:
        key = self.keys.get(account_id, {}).get(public_key)
        if key is None:
            raise UnknownAccessKey(public_key)
        return dict(key)
