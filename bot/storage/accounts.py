"""Linked NEAR accounts (a convenience, never proof of ownership) and the notices a user is shown the next
time they use a command."""

from __future__ import annotations

import time

from bot.storage.connection import SqlConnection, Tx, fetchone
from bot.storage.models import LinkedAccount, StorageError

MAX_LINKED_ACCOUNTS = 10



class AccountStore(SqlConnection):
    """Up to MAX_LINKED_ACCOUNTS accounts per Discord user, one of them the default."""

    async def link_account(self, user_id: int, account_id: str, label: str | None = None) -> LinkedAccount:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            existing = await self._linked(tx, user_id)
            if account_id not in {a.account_id for a in existing} and len(existing) >= MAX_LINKED_ACCOUNTS:
                raise StorageError(f"You can link at most {MAX_LINKED_ACCOUNTS} accounts. Unlink one first.")
            await tx.execute(
                "INSERT INTO linked_accounts (user_id, account_id, label, is_default, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, account_id) DO UPDATE SET label = excluded.label",
                user_id, account_id, label, 0 if existing else 1, int(time.time()),
            )
            linked = await self._linked(tx, user_id)
        return next(a for a in linked if a.account_id == account_id)

    async def unlink_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            row = await fetchone(
                tx, "DELETE FROM linked_accounts WHERE user_id = ? AND account_id = ? RETURNING is_default",
                user_id, account_id,
            )
            if row is None:
                return False
            if row[0]:  # promote the oldest remaining account so there is always a default
                await tx.execute(
                    "UPDATE linked_accounts SET is_default = 1 WHERE user_id = ? AND account_id = (SELECT account_id "
                    "FROM linked_accounts WHERE user_id = ? ORDER BY created_at, account_id LIMIT 1)",
                    user_id, user_id,
                )
        return True

    async def set_default_account(self, user_id: int, account_id: str) -> bool:
        async with self.transaction() as tx:
            await tx.lock(f"user:{user_id}")
            if account_id not in {a.account_id for a in await self._linked(tx, user_id)}:
                return False
            await tx.execute("UPDATE linked_accounts SET is_default = 0 WHERE user_id = ?", user_id)
            await tx.execute(
                "UPDATE linked_accounts SET is_default = 1 WHERE user_id = ? AND account_id = ?", user_id, account_id
            )
        return True

    async def linked_accounts(self, user_id: int) -> list[LinkedAccount]:
        return await self._linked(self, user_id)

    async def default_account(self, user_id: int) -> str | None:
        return next((a.account_id for a in await self.linked_accounts(user_id) if a.is_default), None)

    async def _linked(self, tx: Tx | SqlConnection, user_id: int) -> list[LinkedAccount]:
        rows = await tx.fetch(
            "SELECT account_id, label, is_default FROM linked_accounts WHERE user_id = ? "
            "ORDER BY is_default DESC, created_at, account_id",
            user_id,
        )
        return [LinkedAccount(account_id=r[0], label=r[1], is_default=bool(r[2])) for r in rows]

    async def add_notice(self, user_id: int, notice: str) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO user_notices (user_id, notice, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                user_id, notice, int(time.time()),
            )

    async def pop_notices(self, user_id: int) -> list[str]:
        async with self.transaction() as tx:
            rows = await tx.fetch("DELETE FROM user_notices WHERE user_id = ? RETURNING notice, created_at", user_id)
        return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[0]))]
