"""The small connection interface every store is written against (portable SQL with `?` placeholders):
one open transaction (`Tx`), reads outside one, and the dialect's row-locking clauses. `SqliteStorage` and
`PostgresStorage` supply it; the stores (accounts, guilds, subscriptions, outbox, verified) only use it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Sequence[Any]


class Tx(Protocol):
    """One open transaction (or, outside `transaction()`, one autocommit statement at a time)."""

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...
    async def execute(self, sql: str, *args: Any) -> int: ...  # rows changed
    async def lock(self, name: str) -> None: ...  # held until the transaction ends
    def notify(self, topic: str) -> None: ...  # listeners everywhere hear it after the commit


def now_ms() -> int:
    return int(time.time() * 1000)


async def fetchone(tx: Tx, sql: str, *args: Any) -> Row | None:
    rows = await tx.fetch(sql, *args)
    return rows[0] if rows else None


class SqlConnection:
    """What a backend supplies to the stores mixed into `SqlStorage`."""

    dialect = ""
    for_update = ""  # PostgreSQL: " FOR UPDATE" (SQLite's write transaction already excludes other writers)
    skip_locked = ""  # PostgreSQL: " FOR UPDATE SKIP LOCKED"

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """A read outside any transaction."""
        raise NotImplementedError

    async def _one(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None
