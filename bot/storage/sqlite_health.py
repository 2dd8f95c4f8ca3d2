"""Is an SQLite database usable? Answered without changing it: no file created, no migration, a write rolled back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import aiosqlite

from bot.storage.migrations import LATEST_VERSION
from bot.storage.models import StorageHealth


async def sqlite_health(path: str, busy_timeout_ms: int = 5000) -> StorageHealth:
    if path == ":memory:":
        return StorageHealth(backend="sqlite", location=path, exists=True, persistent=False, readable=True,
                             writable=True, schema_version=None, latest_version=LATEST_VERSION)
    file = Path(path)
    if not file.exists():
        return _not_created_yet(file)
    # mode=rw: never create the file; SQLite falls back to read-only when the OS refuses writing.
    uri = f"file:{quote(str(file.resolve()))}?mode=rw"
    try:
        db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return _unusable(file, f"cannot open it ({exc})", _denied(exc))
    try:
        await db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        try:
            version = await _schema_version(db)
        except sqlite3.Error as exc:
            return _unusable(file, f"cannot read it ({exc})", _denied(exc))
        problem = await _write_problem(db)
    finally:
        await db.close()
    return StorageHealth(backend="sqlite", location=str(file), exists=True, persistent=True, readable=True,
                         writable=problem is None, schema_version=version, latest_version=LATEST_VERSION,
                         problem=problem, denied=problem is not None)


def _denied(error: sqlite3.Error) -> bool:
    # SQLITE_READONLY, SQLITE_CANTOPEN and SQLITE_PERM are about access; "file is not a database" is not.
    return isinstance(error, sqlite3.OperationalError) and any(
        word in str(error) for word in ("readonly", "unable to open", "permission", "access")
    )


async def _schema_version(db: aiosqlite.Connection) -> int:
    async with db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") as cur:
        if await cur.fetchone() is None:
            return 0
    async with db.execute("SELECT MAX(version) FROM schema_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def _write_problem(db: aiosqlite.Connection) -> str | None:
    """Take the write lock and create a table, then roll back: what a migration or an alert would need."""
    try:
        await db.execute("BEGIN IMMEDIATE")
        try:
            await db.execute("CREATE TABLE doctor_write_probe (x INTEGER)")
        finally:
            await db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        return f"cannot write it ({exc})"
    return None


def _not_created_yet(file: Path) -> StorageHealth:
    folder = file.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    writable = folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    return StorageHealth(backend="sqlite", location=str(file), exists=False, persistent=True, readable=writable,
                         writable=writable, schema_version=None, latest_version=LATEST_VERSION,
                         problem=None if writable else f"cannot create it: {folder} is not writable",
                         denied=not writable)


def _unusable(file: Path, problem: str, denied: bool) -> StorageHealth:
    return StorageHealth(backend="sqlite", location=str(file), exists=True, persistent=True, readable=False,
                         writable=False, schema_version=None, latest_version=LATEST_VERSION, problem=problem,
                         denied=denied)
