"""NEAR account ids: nearcore's validation rules with a reason for every rejection, and lockup ids.

Rules: near-staking.md §7 (near/near-account-id-rs v2.6.0 `validation.rs`). Lockup derivation: §4.1
(core-contracts `lockup-factory/src/lib.rs` `create`).
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

MIN_LEN = 2
MAX_LEN = 64
_SEPARATORS = "-_."
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")

# Lockup factories per network. Mainnet: near-staking.md §4.1. Testnet suffix is unverified there
# (near-wallet's testnet config uses `locktest.testnet`).
LOCKUP_FACTORY = {"mainnet": "lockup.near", "testnet": "locktest.testnet"}


class AccountIdError(ValueError):
    """An account id is not valid. The message explains why and what a valid id looks like."""


class AccountKind(StrEnum):
    ETH_IMPLICIT = "eth-implicit"
    NEAR_IMPLICIT = "near-implicit"
    NEAR_DETERMINISTIC = "near-deterministic"
    NAMED = "named"


def validate_account_id(text: str) -> str:
    """Return the account id if it is valid, else raise AccountIdError with the reason."""
    if not isinstance(text, str):
        raise AccountIdError("An account id must be text, like alice.near.")
    account_id = text.strip()
    if not account_id:
        raise AccountIdError("The account id is empty. Type one like alice.near.")
    shown = account_id if len(account_id) <= 80 else account_id[:77] + "..."
    if len(account_id.encode("utf-8", "replace")) < MIN_LEN:
        raise AccountIdError(f'"{shown}" is too short: account ids have at least 2 characters.')
    if len(account_id.encode("utf-8", "replace")) > MAX_LEN:
        raise AccountIdError(f'"{shown}" is too long: account ids have at most 64 characters.')
    if any("A" <= char <= "Z" for char in account_id):
        lower = account_id.lower()
        try:
            validate_account_id(lower)
        except AccountIdError as exc:  # never suggest an id that is itself invalid
            raise AccountIdError(
                f'"{shown}" has capital letters (NEAR account ids are lowercase), and in lowercase it is still not '
                f"valid: {exc}"
            ) from None
        raise AccountIdError(f'"{shown}" has capital letters; NEAR account ids are lowercase. Did you mean "{lower}"?')
    for position, char in enumerate(account_id):
        if not (char.isascii() and (char.islower() or char.isdigit() or char in _SEPARATORS)):
            what = "a space" if char.isspace() else f'"{char}"'
            raise AccountIdError(
                f'"{shown}" contains {what} at position {position + 1}; account ids use only a-z, 0-9, '
                '"-", "_" and ".".'
            )
    if account_id[0] in _SEPARATORS:
        raise AccountIdError(f'"{shown}" starts with "{account_id[0]}"; an id must start with a letter or digit.')
    if account_id[-1] in _SEPARATORS:
        raise AccountIdError(f'"{shown}" ends with "{account_id[-1]}"; an id must end with a letter or digit.')
    for first, second in zip(account_id, account_id[1:], strict=False):
        if first in _SEPARATORS and second in _SEPARATORS:
            raise AccountIdError(
                f'"{shown}" has "{first}{second}": two separators may not stand next to each other.'
            )
    return account_id


def is_valid_account_id(text: str) -> bool:
    try:
        validate_account_id(text)
    except AccountIdError:
        return False
    return True


def account_kind(account_id: str) -> AccountKind:
    """Classify a valid id in nearcore's order (near-staking.md §7)."""
    if len(account_id) == 42 and account_id.startswith("0x") and _HEX40.fullmatch(account_id[2:]):
        return AccountKind.ETH_IMPLICIT
    if len(account_id) == 64 and _HEX64.fullmatch(account_id):
        return AccountKind.NEAR_IMPLICIT
    if len(account_id) == 42 and account_id.startswith("0s") and _HEX40.fullmatch(account_id[2:]):
        return AccountKind.NEAR_DETERMINISTIC
    return AccountKind.NAMED


def is_top_level(account_id: str) -> bool:
    return "." not in account_id


def is_sub_account_of(account_id: str, parent: str) -> bool:
    """True when `account_id` is exactly one label below `parent` (e.g. alice.near under near)."""
    suffix = "." + parent
    return account_id.endswith(suffix) and "." not in account_id[: -len(suffix)] and len(account_id) > len(suffix)


def lockup_account_id(owner_id: str, network: str = "mainnet") -> str:
    """Derive the lockup account of `owner_id`: hex(sha256(owner)[:20]) + "." + factory."""
    owner = validate_account_id(owner_id)
    try:
        factory = LOCKUP_FACTORY[network]
    except KeyError:
        raise AccountIdError(f'No lockup factory is known for network "{network}".') from None
    digest = hashlib.sha256(owner.encode("utf-8")).digest()[:20]
    return f"{digest.hex()}.{factory}"


def is_lockup_account_id(account_id: str, network: str = "mainnet") -> bool:
    factory = LOCKUP_FACTORY.get(network)
    if factory is None or not account_id.endswith("." + factory):
        return False
    return bool(_HEX40.fullmatch(account_id[: -len(factory) - 1]))
