"""Verified accounts (NEP-413 proofs) and server role rules: the storage half, shared by both backends.

A verification link is stored only as the SHA-256 of its token (whoever reads the database cannot use a link),
with the nonce the wallet must sign. Completing it is one transaction that checks the session is unused, unexpired
and holds that nonce, marks it used and records the account: a replay finds it used. One NEAR account is verified
for one Discord user at a time; a newer proof by someone else moves it (they hold a full-access key now).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from bot.storage.connection import Tx
from bot.storage.models import RoleRule, StorageError, VerifiedAccount, VerifySession

MAX_OPEN_SESSIONS = 5  # per user; older open links are dropped when a new one is made
MAX_FAILED_ATTEMPTS = 5  # a link refused this often is dead: ask for a new one
MAX_RULES_PER_GUILD = 25
RULE_KINDS = ("pool_stake", "total_stake", "locked", "liquid")


class VerificationRefused(Exception):
    """The session cannot complete; the text says why, for a person."""


@dataclass(frozen=True)
class Completed:
    account: VerifiedAccount
    previous_user_id: int | None  # someone else had verified this account before: they lost it now
    guild_id: int | None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _rule(r: Sequence[Any]) -> RoleRule:
    return RoleRule(id=r[0], guild_id=r[1], role_id=r[2], kind=r[3], target_id=r[4], min_yocto=int(r[5]))


RULE_COLUMNS = "id, guild_id, role_id, kind, target_id, min_yocto"


class VerificationStore:
    """Mixed into `SqlStorage`, which supplies `transaction()`, `fetch()` and `for_update`."""

    for_update = ""

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        raise NotImplementedError

    # ------------------------------------------------------------------ one-time links

    async def create_verify_session(self, token_hash: str, user_id: int, *, guild_id: int | None,
                                    account_id: str | None, nonce: bytes, message: str, ttl_ms: int) -> None:
        now = _now_ms()
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            await tx.execute("DELETE FROM verify_sessions WHERE user_id = ? AND (expires_ms <= ? OR used_ms IS NOT NULL)",
                             user_id, now)
            open_rows = await tx.fetch(
                "SELECT token_hash, created_ms FROM verify_sessions WHERE user_id = ? ORDER BY created_ms DESC",
                user_id)
            for stale, _ in open_rows[MAX_OPEN_SESSIONS - 1:]:
                await tx.execute("DELETE FROM verify_sessions WHERE token_hash = ?", stale)
            # Strictly after the user's newest link (under the user's lock), so two links made within one millisecond
            # keep their order and the older one is the one dropped.
            created = max(now, int(open_rows[0][1]) + 1) if open_rows else now
            await tx.execute(
                "INSERT INTO verify_sessions (token_hash, user_id, guild_id, account_id, nonce, message, expires_ms, "
                "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                token_hash, user_id, guild_id, account_id, nonce.hex(), message, now + ttl_ms, created,
            )

    async def verify_session(self, token_hash: str) -> VerifySession | None:
        rows = await self.fetch(
            "SELECT user_id, guild_id, account_id, nonce, message, expires_ms, used_ms, attempts FROM verify_sessions "
            "WHERE token_hash = ?", token_hash)
        if not rows:
            return None
        r = rows[0]
        return VerifySession(user_id=r[0], guild_id=r[1], account_id=r[2], nonce=bytes.fromhex(r[3]), message=r[4],
                             expires_ms=r[5], used=r[6] is not None, attempts=r[7])

    async def refuse_attempt(self, token_hash: str) -> None:
        async with self.transaction() as tx:
            await tx.execute("UPDATE verify_sessions SET attempts = attempts + 1 WHERE token_hash = ?", token_hash)

    async def complete_verification(self, token_hash: str, nonce: bytes, account_id: str, public_key: str,
                                    block_height: int, *, max_linked: int) -> Completed:
        """Mark the session used and the account verified for its user, in one transaction (a replay, a second
        tab, another process: only one of them completes)."""
        now = _now_ms()
        async with self.transaction() as tx:
            rows = await tx.fetch(
                f"SELECT user_id, guild_id, nonce, expires_ms, used_ms, attempts FROM verify_sessions "  # noqa: S608
                f"WHERE token_hash = ?{self.for_update}", token_hash)
            if not rows:
                raise VerificationRefused("This verification link is not valid. Ask for a new one with /account verify.")
            user_id, guild_id, stored_nonce, expires_ms, used_ms, attempts = rows[0]
            if used_ms is not None:
                raise VerificationRefused("This link was used already: each link works once. Ask for a new one.")
            if expires_ms <= now or attempts >= MAX_FAILED_ATTEMPTS:
                raise VerificationRefused("This link has expired. Ask for a new one with /account verify.")
            if stored_nonce != nonce.hex():
                raise VerificationRefused("The signed nonce is not the one this link issued.")
            await tx.execute("UPDATE verify_sessions SET used_ms = ? WHERE token_hash = ?", now, token_hash)
            await tx.lock(f"verified:{account_id}")
            previous = await tx.fetch(f"SELECT user_id FROM verified_accounts WHERE account_id = ?{self.for_update}",
                                      account_id)
            await tx.execute(
                "INSERT INTO verified_accounts (account_id, user_id, public_key, block_height, verified_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET user_id = excluded.user_id, "
                "public_key = excluded.public_key, block_height = excluded.block_height, "
                "verified_at = excluded.verified_at",
                account_id, user_id, public_key, block_height, now // 1000,
            )
            await self._link_verified(tx, user_id, account_id, max_linked, now // 1000)
            if guild_id is not None:
                await self._add_member(tx, guild_id, user_id)
        previous_user = previous[0][0] if previous and previous[0][0] != user_id else None
        account = VerifiedAccount(account_id, user_id, public_key, block_height, now // 1000)
        return Completed(account=account, previous_user_id=previous_user, guild_id=guild_id)

    async def _link_verified(self, tx: Any, user_id: int, account_id: str, max_linked: int, now: int) -> None:
        """A verified account is linked too (when there is room), so commands can use it by default."""
        await tx.lock(f"user:{user_id}")
        linked = [r[0] for r in await tx.fetch("SELECT account_id FROM linked_accounts WHERE user_id = ?", user_id)]
        if account_id in linked or len(linked) >= max_linked:
            return
        await tx.execute(
            "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (?, ?, NULL, ?, ?)",
            user_id, account_id, 0 if linked else 1, now,
        )

    async def verified_accounts(self, user_id: int) -> list[VerifiedAccount]:
        rows = await self.fetch(
            "SELECT account_id, user_id, public_key, block_height, verified_at FROM verified_accounts "
            "WHERE user_id = ? ORDER BY verified_at, account_id", user_id)
        return [VerifiedAccount(*r) for r in rows]

    async def unverify(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as tx:
            return await tx.execute(
                "DELETE FROM verified_accounts WHERE user_id = ? AND account_id = ?", user_id, account_id) > 0

    async def purge_verify_sessions(self) -> int:
        async with self.transaction() as tx:
            return await tx.execute("DELETE FROM verify_sessions WHERE expires_ms <= ?", _now_ms() - 86_400_000)

    async def roles_kept_epoch(self) -> int | None:
        rows = await self.fetch("SELECT value FROM scheduler_state WHERE name = 'roles_epoch'")
        return int(rows[0][0]) if rows else None

    async def mark_roles_kept(self, epoch: int) -> None:
        async with self.transaction() as tx:
            await tx.execute("INSERT INTO scheduler_state (name, value) VALUES ('roles_epoch', ?) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value", epoch)

    # ------------------------------------------------------------------ role rules

    async def add_role_rule(self, guild_id: int, role_id: int, kind: str, target_id: str | None, min_yocto: int,
                            created_by: int) -> RoleRule:
        if kind not in RULE_KINDS:
            raise ValueError(f"unknown rule kind {kind!r}")
        async with self.transaction() as tx:
            await tx.lock(f"guild:{guild_id}")
            count = (await tx.fetch("SELECT COUNT(*) FROM role_rules WHERE guild_id = ?", guild_id))[0][0]
            if count >= MAX_RULES_PER_GUILD:
                raise StorageError(f"This server already has {MAX_RULES_PER_GUILD} role rules. Remove one first.")
            rows = await tx.fetch(
                "INSERT INTO role_rules (guild_id, role_id, kind, target_id, min_yocto, created_by, created_at) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {RULE_COLUMNS}",
                guild_id, role_id, kind, target_id, str(min_yocto), created_by, int(time.time()),
            )
            tx.notify("alerts")  # the scheduler now has roles to keep at each epoch
        return _rule(rows[0])

    async def role_rules(self, guild_id: int | None = None) -> list[RoleRule]:
        where, args = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        rows = await self.fetch(f"SELECT {RULE_COLUMNS} FROM role_rules {where} ORDER BY guild_id, id", *args)  # noqa: S608
        return [_rule(r) for r in rows]

    async def remove_role_rule(self, guild_id: int, rule_id: int) -> RoleRule | None:
        async with self.transaction() as tx:
            rows = await tx.fetch(
                f"DELETE FROM role_rules WHERE guild_id = ? AND id = ? RETURNING {RULE_COLUMNS}", guild_id, rule_id)
        return _rule(rows[0]) if rows else None

    # ------------------------------------------------------------------ who asked for roles where; what was granted

    async def add_role_member(self, guild_id: int, user_id: int) -> None:
        async with self.transaction() as tx:
            await self._add_member(tx, guild_id, user_id)

    async def _add_member(self, tx: Any, guild_id: int, user_id: int) -> None:
        await tx.execute("INSERT INTO role_members (guild_id, user_id, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (guild_id, user_id) DO NOTHING", guild_id, user_id, int(time.time()))

    async def remove_role_member(self, guild_id: int, user_id: int) -> None:
        async with self.transaction() as tx:
            await tx.execute("DELETE FROM role_members WHERE guild_id = ? AND user_id = ?", guild_id, user_id)
            await tx.execute("DELETE FROM role_grants WHERE guild_id = ? AND user_id = ?", guild_id, user_id)

    async def role_members(self, guild_id: int | None = None, user_id: int | None = None) -> list[tuple[int, int]]:
        """(guild_id, user_id) pairs of members who asked for roles, in servers that have rules."""
        sql = ("SELECT m.guild_id, m.user_id FROM role_members m WHERE EXISTS "
               "(SELECT 1 FROM role_rules r WHERE r.guild_id = m.guild_id)")
        args: list[int] = []
        for column, value in (("guild_id", guild_id), ("user_id", user_id)):
            if value is not None:
                sql += f" AND m.{column} = ?"
                args.append(value)
        return [(r[0], r[1]) for r in await self.fetch(sql + " ORDER BY m.guild_id, m.user_id", *args)]

    async def verified_by_user(self, user_ids: Sequence[int]) -> dict[int, list[str]]:
        if not user_ids:
            return {}
        marks = ", ".join("?" * len(user_ids))
        rows = await self.fetch(
            f"SELECT user_id, account_id FROM verified_accounts WHERE user_id IN ({marks}) "  # noqa: S608
            "ORDER BY user_id, account_id", *user_ids)
        found: dict[int, list[str]] = {}
        for user_id, account_id in rows:
            found.setdefault(user_id, []).append(account_id)
        return found

    async def role_grants(self, guild_id: int) -> set[tuple[int, int]]:
        """(role_id, user_id) pairs the bot gave in this server (it only ever takes back what it gave)."""
        rows = await self.fetch("SELECT role_id, user_id FROM role_grants WHERE guild_id = ?", guild_id)
        return {(r[0], r[1]) for r in rows}

    async def record_grant(self, guild_id: int, role_id: int, user_id: int, granted: bool) -> None:
        async with self.transaction() as tx:
            if granted:
                await tx.execute("INSERT INTO role_grants (guild_id, role_id, user_id, granted_at) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT (guild_id, role_id, user_id) DO NOTHING",
                                 guild_id, role_id, user_id, int(time.time()))
            else:
                await tx.execute("DELETE FROM role_grants WHERE guild_id = ? AND role_id = ? AND user_id = ?",
                                 guild_id, role_id, user_id)
