"""Role rules against the sandbox chain: each condition (stake in a pool, including stake through a lockup; total
stake; NEAR locked in a lockup; liquid-staking tokens), the sum over a member's verified accounts, taking roles
back, keeping them when the chain cannot be read, and an RPC cost that follows verified accounts, not rules."""

from __future__ import annotations

import os

import httpx
import pytest

from bot.roles.keeper import RoleKeeper
from bot.sandbox import ThreadedSandbox
from bot.services.chain import Chain
from bot.storage import Storage

G1, G2 = 900_000_000_000_000_001, 900_000_000_000_000_002
NEAR = 10**24
ROLE_POOL, ROLE_TOTAL, ROLE_LOCKED, ROLE_LIQUID = 11, 12, 13, 14


class RecordingGateway:
    """Stands in for Discord's member-role endpoints (the Discord side is tested end to end elsewhere)."""

    def __init__(self) -> None:
        self.roles: dict[tuple[int, int], set[int]] = {}
        self.gone: set[int] = set()

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> str:
        if user_id in self.gone:
            return "member_gone"
        self.roles.setdefault((guild_id, user_id), set()).add(role_id)
        return "ok"

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> str:
        self.roles.setdefault((guild_id, user_id), set()).discard(role_id)
        return "ok"


async def verify(storage: Storage, user_id: int, account_id: str, guild_id: int = G1) -> None:
    token = f"t-{user_id}-{account_id}"
    nonce = os.urandom(32)
    await storage.create_verify_session(token, user_id, guild_id=guild_id, account_id=None, nonce=nonce, message="m",
                                        ttl_ms=60_000)
    await storage.complete_verification(token, nonce, account_id, "ed25519:K", 1, max_linked=10)


@pytest.fixture
def gateway() -> RecordingGateway:
    return RecordingGateway()


async def test_each_condition_and_the_sum_over_accounts(storage: Storage, chain: Chain, gateway: RecordingGateway) -> None:
    await storage.add_role_rule(G1, ROLE_POOL, "pool_stake", "bravo.poolv1.near", 17_000 * NEAR, 1)
    await storage.add_role_rule(G1, ROLE_TOTAL, "total_stake", None, 1_000 * NEAR, 1)
    await storage.add_role_rule(G1, ROLE_LOCKED, "locked", None, 20_000 * NEAR, 1)
    await storage.add_role_rule(G1, ROLE_LIQUID, "liquid", None, 1_800 * NEAR, 1)
    await verify(storage, 1, "sam.near")  # 18,000 staked in bravo through his lockup
    await verify(storage, 2, "gina.near")  # 25,000 locked in a lockup with transfers disabled
    await verify(storage, 3, "alice.near")  # 1,250 staked; stNEAR 1,000 + LiNEAR 750 tokens (worth more NEAR)
    await verify(storage, 4, "bob.near")
    keeper = RoleKeeper(storage, chain, gateway)
    report = await keeper.keep()
    assert gateway.roles[(G1, 1)] == {ROLE_POOL, ROLE_TOTAL}  # about 15,000 of his lockup is still locked: < 20,000
    assert ROLE_LOCKED in gateway.roles[(G1, 2)] and ROLE_POOL not in gateway.roles[(G1, 2)]
    assert {ROLE_TOTAL, ROLE_LIQUID} <= gateway.roles[(G1, 3)]
    assert report.unread_members == 0 and report.accounts_read == 4
    [sam, alice] = await keeper.check([(G1, 1), (G1, 3)])
    assert sam.holdings is not None and 0 < sam.holdings.locked < 20_000 * NEAR
    assert alice.holdings is not None and alice.holdings.total_staked >= 1_250 * NEAR

    before = gateway.roles.get((G1, 4), set())
    await verify(storage, 4, "carol.near")  # bob's Discord user adds a second account: the figures add up
    await keeper.keep(user_ids=[4])
    [both] = await keeper.check([(G1, 4)])
    assert both.holdings is not None and sorted(both.accounts) == ["bob.near", "carol.near"]
    assert gateway.roles[(G1, 4)] >= before

    assert await storage.unverify(3, "alice.near")  # unlinking takes back what the account gave
    await keeper.keep(user_ids=[3])
    assert gateway.roles[(G1, 3)] == set()
    assert await storage.role_grants(G1) == {(r, u) for (g, u), roles in gateway.roles.items() for r in roles}


async def test_unreadable_chain_keeps_roles_and_a_departed_member_is_dropped(
        storage: Storage, sandbox: ThreadedSandbox, chain: Chain, gateway: RecordingGateway) -> None:
    await storage.add_role_rule(G1, ROLE_TOTAL, "total_stake", None, 100 * NEAR, 1)
    await verify(storage, 3, "alice.near")
    await verify(storage, 5, "bob.near")
    keeper = RoleKeeper(storage, chain, gateway)
    await keeper.keep()
    assert gateway.roles[(G1, 3)] == {ROLE_TOTAL}
    with httpx.Client() as http:  # every pool read fails now: nothing may be taken away for that
        http.post(f"{sandbox.url}/sandbox/faults", json=[{"kind": "status", "method": "query", "status": 500}]).raise_for_status()
        report = await keeper.keep()
        http.delete(f"{sandbox.url}/sandbox/faults").raise_for_status()
    assert report.unread_members == 2 and gateway.roles[(G1, 3)] == {ROLE_TOTAL}
    gateway.gone.add(5)
    await storage.record_grant(G1, ROLE_TOTAL, 5, False)
    await keeper.keep()
    assert (G1, 5) not in await storage.role_members()


async def test_rpc_cost_follows_verified_accounts_not_rules(storage: Storage, chain: Chain,
                                                          gateway: RecordingGateway) -> None:
    for guild in (G1, G2):
        await storage.add_role_rule(guild, ROLE_POOL, "pool_stake", "alpha.poolv1.near", NEAR, 1)
        await storage.add_role_rule(guild, ROLE_TOTAL, "total_stake", None, NEAR, 1)
    for user, account in [(1, "alice.near"), (2, "bob.near")]:
        await verify(storage, user, account, G1)
        await storage.add_role_member(G2, user)
    keeper = RoleKeeper(storage, chain, gateway)

    async def calls() -> int:
        start = chain.rpc.stats.calls
        await keeper.keep()
        return chain.rpc.stats.calls - start

    base = await calls()
    for guild in (G1, G2):  # three times the rules on the same pool and kinds, in two servers
        for _ in range(4):
            await storage.add_role_rule(guild, ROLE_TOTAL + 10, "total_stake", None, 2 * NEAR, 1)
    assert await calls() == base
    await verify(storage, 3, "carol.near", G1)
    assert await calls() > base
