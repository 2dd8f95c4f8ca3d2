"""Keep server roles true: give a rule's role to members whose verified accounts meet it, take it back from those
who no longer do. Runs once per epoch (the alert scheduler, in the one process that holds its lock) and for one
member when they verify or unlink an account.

Only members who asked for roles in a server (/account verify or /roles check there) are looked at, and the bot
only ever takes back a role it gave. A member whose accounts could not be read keeps what they have until the
next pass: a failing RPC never strips a role.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.near import errors
from bot.roles.holdings import read_all
from bot.roles.rules import Holdings, qualifies
from bot.services.chain import Chain
from bot.storage import RoleRule, Storage

log = logging.getLogger(__name__)
Outcome = Literal["ok", "member_gone", "role_gone", "forbidden"]


class RoleGateway(Protocol):
    """Discord's member-role endpoints (bot/discord/roles.py)."""

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> Outcome: ...
    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> Outcome: ...


@dataclass
class MemberCheck:
    """One member's standing in one server: each rule met or not, from one block."""

    guild_id: int
    user_id: int
    accounts: list[str]
    block_height: int | None
    holdings: Holdings | None  # None: not read (no verified account, or the read failed)
    met: list[tuple[RoleRule, bool]] = field(default_factory=list)
    problem: str | None = None


@dataclass
class PassReport:
    granted: int = 0
    removed: int = 0
    unread_members: int = 0
    accounts_read: int = 0


class RoleKeeper:
    def __init__(self, storage: Storage, chain: Chain, gateway: RoleGateway) -> None:
        self.storage = storage
        self.chain = chain
        self.gateway = gateway

    async def check(self, members: Sequence[tuple[int, int]]) -> list[MemberCheck]:
        """Each member's standing against their server's rules (no role is changed)."""
        rules = await self.storage.role_rules()
        by_guild: dict[int, list[RoleRule]] = defaultdict(list)
        for rule in rules:
            by_guild[rule.guild_id].append(rule)
        members = [(g, u) for g, u in members if by_guild.get(g)]
        verified = await self.storage.verified_by_user(sorted({u for _, u in members}))
        accounts = {a for u in verified for a in verified[u]}
        height, holdings = await read_all(self.chain, accounts, rules) if accounts else (None, {})
        checks = []
        for guild_id, user_id in members:
            mine = verified.get(user_id, [])
            check = MemberCheck(guild_id, user_id, mine, height, None)
            failed = [h for a in mine if isinstance(h := holdings.get(a), errors.NearError)]
            if failed:
                check.problem = failed[0].message
            elif mine:
                read = [h for a in mine if isinstance(h := holdings[a], Holdings)]  # none failed: all of them
                check.holdings = sum(read, Holdings())
                check.met = [(rule, qualifies(rule, check.holdings)) for rule in by_guild[guild_id]]
            checks.append(check)
        return checks

    async def keep(self, *, user_ids: Sequence[int] | None = None, guild_id: int | None = None) -> PassReport:
        """Re-evaluate every member who asked for roles (or only `user_ids`, or one server) and fix their roles."""
        if user_ids is None:
            members = await self.storage.role_members(guild_id=guild_id)
        else:
            members = [m for u in sorted(set(user_ids)) for m in await self.storage.role_members(user_id=u)]
        report = PassReport()
        checks = await self.check(members)
        report.accounts_read = len({a for c in checks for a in c.accounts})
        for check in checks:
            if check.problem is not None:
                report.unread_members += 1
                log.info("roles of %s in %s not checked this time: %s", check.user_id, check.guild_id, check.problem)
                continue
            await self._apply(check, report)
        return report

    async def _apply(self, check: MemberCheck, report: PassReport) -> None:
        wanted: dict[int, bool] = {}
        for rule, met in check.met:
            wanted[rule.role_id] = wanted.get(rule.role_id, False) or met
        if not check.met:  # no verified account left: every rule's role goes
            wanted = {rule.role_id: False for rule in await self.storage.role_rules(check.guild_id)}
        grants = await self.storage.role_grants(check.guild_id)
        for role_id, want in sorted(wanted.items()):
            had = (role_id, check.user_id) in grants
            if want == had:
                continue
            change = self.gateway.add_role if want else self.gateway.remove_role
            reason = "meets a verified-holdings rule" if want else "no longer meets its verified-holdings rules"
            outcome = await change(check.guild_id, check.user_id, role_id, reason)
            if outcome == "member_gone":
                await self.storage.remove_role_member(check.guild_id, check.user_id)
                return
            if outcome == "ok" or (outcome == "role_gone" and not want):
                await self.storage.record_grant(check.guild_id, role_id, check.user_id, want)
                report.granted += want
                report.removed += not want
            else:
                log.warning("role %s in %s could not be %s for %s: %s", role_id, check.guild_id,
                            "given" if want else "removed", check.user_id, outcome)
