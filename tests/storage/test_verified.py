"""Verification links and role rules in storage, on both backends: single use under concurrency, expiry, the
nonce, one Discord user per NEAR account, limits, and what the role pass reads."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.storage import Storage, StorageError, VerificationRefused
from bot.storage.verified import MAX_FAILED_ATTEMPTS, MAX_RULES_PER_GUILD

U1, U2 = 1_500_000_000_000_000_001, 1_500_000_000_000_000_002
GUILD = 900_000_000_000_000_001
NEAR = 10**24


async def _session(storage: Storage, token: str, user_id: int = U1, *, ttl_ms: int = 600_000,
                   guild_id: int | None = GUILD) -> bytes:
    nonce = os.urandom(32)
    await storage.create_verify_session(token, user_id, guild_id=guild_id, account_id=None, nonce=nonce,
                                        message="m", ttl_ms=ttl_ms)
    return nonce


async def test_a_link_completes_once_even_when_raced(storage: Storage) -> None:
    nonce = await _session(storage, "t1")
    results = await asyncio.gather(*(
        storage.complete_verification("t1", nonce, "alice.near", "ed25519:K", 100, max_linked=10) for _ in range(5)
    ), return_exceptions=True)
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, VerificationRefused)]
    assert len(done) == 1 and len(refused) == 4 and "used already" in str(refused[0])
    assert [v.account_id for v in await storage.verified_accounts(U1)] == ["alice.near"]
    assert [a.account_id for a in await storage.linked_accounts(U1)] == ["alice.near"]  # linked as well
    assert await storage.role_members(user_id=U1) == []  # no rules in that server yet
    await storage.add_role_rule(GUILD, 77, "total_stake", None, 100 * NEAR, U2)
    assert await storage.role_members(user_id=U1) == [(GUILD, U1)]


async def test_wrong_nonce_expired_and_unknown_links_are_refused(storage: Storage) -> None:
    await _session(storage, "t1")
    with pytest.raises(VerificationRefused, match="nonce"):
        await storage.complete_verification("t1", os.urandom(32), "alice.near", "ed25519:K", 1, max_linked=10)
    nonce = await _session(storage, "t2", ttl_ms=-1)
    with pytest.raises(VerificationRefused, match="expired"):
        await storage.complete_verification("t2", nonce, "alice.near", "ed25519:K", 1, max_linked=10)
    with pytest.raises(VerificationRefused, match="not valid"):
        await storage.complete_verification("nope", nonce, "alice.near", "ed25519:K", 1, max_linked=10)
    nonce = await _session(storage, "t3")
    for _ in range(MAX_FAILED_ATTEMPTS):
        await storage.refuse_attempt("t3")
    with pytest.raises(VerificationRefused, match="expired"):
        await storage.complete_verification("t3", nonce, "alice.near", "ed25519:K", 1, max_linked=10)
    assert await storage.verified_accounts(U1) == []


async def test_a_newer_proof_by_someone_else_moves_the_account(storage: Storage) -> None:
    first = await storage.complete_verification("a", await _session(storage, "a", U1), "alice.near", "ed25519:K1", 1,
                                                max_linked=10)
    assert first.previous_user_id is None
    second = await storage.complete_verification("b", await _session(storage, "b", U2), "alice.near", "ed25519:K2",
                                                 2, max_linked=10)
    assert second.previous_user_id == U1
    assert await storage.verified_accounts(U1) == []
    assert [(v.account_id, v.public_key) for v in await storage.verified_accounts(U2)] == [("alice.near", "ed25519:K2")]
    assert await storage.verified_by_user([U1, U2]) == {U2: ["alice.near"]}
    assert await storage.unverify(U2, "alice.near") and not await storage.unverify(U2, "alice.near")


async def test_only_a_few_open_links_per_user(storage: Storage) -> None:
    for i in range(8):
        await _session(storage, f"t{i}")
    kept = [i for i in range(8) if await storage.verify_session(f"t{i}") is not None]
    assert kept == [3, 4, 5, 6, 7]


async def test_rules_members_and_grants(storage: Storage) -> None:
    rule = await storage.add_role_rule(GUILD, 77, "pool_stake", "alpha.poolv1.near", 10**33, U1)
    assert rule.min_yocto == 10**33  # beyond 64 bits: stored exactly
    assert [r.id for r in await storage.role_rules(GUILD)] == [rule.id]
    for _ in range(MAX_RULES_PER_GUILD - 1):
        await storage.add_role_rule(GUILD, 78, "locked", None, NEAR, U1)
    with pytest.raises(StorageError, match="already has"):
        await storage.add_role_rule(GUILD, 79, "liquid", None, NEAR, U1)
    assert await storage.remove_role_rule(GUILD + 1, rule.id) is None  # another server's rule id: not removed
    assert (await storage.remove_role_rule(GUILD, rule.id)) == rule
    await storage.add_role_member(GUILD, U2)
    await storage.record_grant(GUILD, 78, U2, True)
    await storage.record_grant(GUILD, 78, U2, True)
    assert await storage.role_grants(GUILD) == {(78, U2)}
    await storage.remove_role_member(GUILD, U2)
    assert await storage.role_members(GUILD) == [] and await storage.role_grants(GUILD) == set()
