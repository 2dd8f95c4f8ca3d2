"""Lockup contract versions by code hash (near-staking.md §4.2): the storage minimum and the release-start bug
each version has, and the constants the lockup math uses."""

from __future__ import annotations

from dataclasses import dataclass

from bot.near.units import YOCTO_PER_NEAR

# near-staking.md §4.6: CC `lockup-factory/src/lib.rs` `const TRANSFERS_STARTED` (13 October 2020 18:38:58.293 UTC).
TRANSFERS_STARTED = 1602614338293769340


# near-staking.md §4.2 / seed-errata C8: `MIN_BALANCE_FOR_STORAGE` in CC `lockup/src/lib.rs` history.
MIN_BALANCE_FOR_STORAGE_OLD = 35 * YOCTO_PER_NEAR  # v2.0.0 .. v3.0.1


MIN_BALANCE_FOR_STORAGE_V3_1 = 35 * YOCTO_PER_NEAR // 10  # v3.1.0 (commit 4f7b250 "35 -> 3.5 NEAR")


# mainnet-2026.md §2: `near contract deploy <id> use-global-hash CAvU5M…` (docs.near.org, primitives/lockup).
GLOBAL_LOCKUP_CODE_HASH = "CAvU5MYQ4xk1SjFvbnQDQUj6qehuW5YhU3FXA6GMddCx"


@dataclass(frozen=True, slots=True)
class LockupVersion:
    """What a lockup `code_hash` means for the math.

    `known` is False for a hash not in the table; such a version uses the current (v3.1.0) rules and callers should
    warn that the balances are computed on an assumption.
    """

    code_hash: str | None
    label: str
    min_balance_for_storage: int
    has_release_start_bug: bool
    known: bool = True
    note: str = ""


LOCKUP_VERSIONS: dict[str, LockupVersion] = {
    str(version.code_hash): version
    for version in (
        # Hashes are base58(sha256(wasm)) of CC `lockup/res/lockup_contract.wasm` at each commit (re-checked).
        LockupVersion(
            "3kVY9qcVRoW3B5498SMX6R3rtSLiCdmBzKs7zcnzDJ7Q",
            "v2.0.0",
            MIN_BALANCE_FOR_STORAGE_OLD,
            True,
            note="core-contracts 2691bd6 (2020-09-17)",
        ),
        LockupVersion(
            "DiC9bKCqUHqoYqUXovAnqugiuntHWnM3cAc7KrgaHTu",
            "v2.0.0-april-2021",
            MIN_BALANCE_FOR_STORAGE_OLD,
            True,
            note="not in core-contracts history; treated as buggy per explorer indexer `is_bug_inside_contract`; "
            "35 NEAR storage minimum unverified",
        ),
        LockupVersion(
            "Cw7bnyp4B6ypwvgZuMmJtY6rHsxP2D4PC8deqeJ3HP7D",
            "v3.0.0",
            MIN_BALANCE_FOR_STORAGE_OLD,
            False,
            note="core-contracts 39e0296 (2021-04-07)",
        ),
        LockupVersion(
            "3kSoLAJpMjyHtG1s45YBbAM4vXwgGj5vFAJ4AQWcwCN9",
            "v3.0.1",
            MIN_BALANCE_FOR_STORAGE_OLD,
            False,
            note="core-contracts c330436 (2021-06-22)",
        ),
        LockupVersion(
            "4Pfw2RU6e35dUsHQQoFYfwX8KFFvSRNwMSNLXuSFHXrC",
            "v3.1.0",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="core-contracts 43f9166 (2021-07-14)",
        ),
        LockupVersion(
            "6C5zC3XXFR7L6uguiZtwomaGhznadEXMsxB4oSJJPzMz",
            "v3.1.0-rebuild",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="core-contracts 60fc493 (2021-12-09) rebuild, same as HEAD; deployment unverified",
        ),
        # The global lockup contract new lockups are deployed from (docs.near.org "Lockup Contracts":
        # `use-global-hash CAvU5M…`, source link core-contracts master). Its wasm is not among core-contracts'
        # committed blobs, so v3.1.0 rules are an assumption the answers cross-check with the contract's views
        # (mainnet-2026.md §2).
        LockupVersion(
            GLOBAL_LOCKUP_CODE_HASH,
            "global-v3.1.0",
            MIN_BALANCE_FOR_STORAGE_V3_1,
            False,
            note="global lockup contract from docs.near.org; source assumed core-contracts v3.1.0 (unverified by "
            "hash), cross-checked with the contract's own views",
        ),
    )
}


# The rules of the contract at core-contracts HEAD (v3.1.0): 3.5 NEAR, release starts at the lockup start.
CURRENT_LOCKUP_VERSION = LockupVersion(
    None, "current", MIN_BALANCE_FOR_STORAGE_V3_1, False, known=True, note="core-contracts HEAD rules"
)


def lockup_version(code_hash: str | None) -> LockupVersion:
    """The version for a lockup account's `code_hash`; unknown hashes get current rules with `known=False`."""
    if code_hash in LOCKUP_VERSIONS:
        return LOCKUP_VERSIONS[code_hash]
    return LockupVersion(
        code_hash,
        "unknown",
        MIN_BALANCE_FOR_STORAGE_V3_1,
        False,
        known=False,
        note="unrecognised lockup code hash: computed with the current contract's rules (3.5 NEAR, no release bug)",
    )


def as_lockup_version(version: LockupVersion | str | None) -> LockupVersion:
    if isinstance(version, LockupVersion):
        return version
    if version is None or isinstance(version, str):
        return lockup_version(version)
    raise TypeError(f"version must be a LockupVersion or a code hash, got {type(version).__name__}")
