"""Is a PostgreSQL database usable? Answered without changing it: no migration, a write rolled back."""

from __future__ import annotations

import asyncpg

from bot.storage.migrations import LATEST_VERSION
from bot.storage.models import StorageHealth

ACCESS_ERRORS = (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError,
                 asyncpg.InsufficientPrivilegeError)


class _RollBack(Exception):
    pass


async def postgres_health(dsn: str, location: str) -> StorageHealth:
    def health(*, readable: bool, problem: str | None = None, denied: bool = False,
               version: int | None = None) -> StorageHealth:
        # `exists` stays True: the bot never creates a PostgreSQL database, so "not created yet" is not a state.
        return StorageHealth(backend="postgresql", location=location, exists=True, persistent=True,
                             readable=readable, writable=readable and problem is None, schema_version=version,
                             latest_version=LATEST_VERSION, problem=problem, denied=denied)

    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except asyncpg.InvalidCatalogNameError as exc:
        return health(readable=False, problem=f"the database does not exist ({exc}); create it first")
    except ACCESS_ERRORS as exc:
        return health(readable=False, problem=f"access refused ({exc})", denied=True)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return health(readable=False, problem=f"cannot connect ({exc})")
    try:
        try:
            version = 0
            if await conn.fetchval("SELECT to_regclass('schema_version')") is not None:
                version = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        except asyncpg.PostgresError as exc:
            return health(readable=False, problem=f"cannot read it ({exc})", denied=isinstance(exc, ACCESS_ERRORS))
        try:
            async with conn.transaction():  # what a migration or an alert would need, then rolled back
                await conn.execute("CREATE TABLE doctor_write_probe (x BIGINT)")
                raise _RollBack
        except _RollBack:
            pass
        except asyncpg.PostgresError as exc:
            return health(readable=True, problem=f"cannot write it ({exc})", denied=True, version=version)
    finally:
        await conn.close()
    return health(readable=True, version=version)
