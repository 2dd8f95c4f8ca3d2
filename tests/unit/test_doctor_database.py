"""The doctor's database line, through the storage layer: what it says for each state, and that it changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.doctor.storage_checks import check_database
from bot.storage import SqliteStorage
from bot.storage.migrations import LATEST_VERSION


async def make_database(path: Path) -> None:
    storage = SqliteStorage(path)
    await storage.open()
    await storage.close()


async def test_current_missing_behind_and_newer(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    check, health = await check_database(SqliteStorage(path))
    assert check.status == "ok" and "not created yet" in check.summary
    assert health is not None and not health.exists
    assert not path.exists() and not path.parent.exists(), "the doctor only looks"

    await make_database(path)
    check, _ = await check_database(SqliteStorage(path))
    assert (check.status, check.summary) == ("ok", f"schema {LATEST_VERSION} (current), writable")

    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM schema_version WHERE version = ?", (LATEST_VERSION,))
    check, _ = await check_database(SqliteStorage(path))
    assert check.status == "warn"
    assert check.summary == f"schema {LATEST_VERSION - 1} of {LATEST_VERSION}: 1 migration(s) pending"
    assert "./scripts/run migrate" in (check.fix or "")
    with sqlite3.connect(path) as db:  # the probe write was rolled back, and nothing was migrated
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "doctor_write_probe" not in tables
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone() == (LATEST_VERSION - 1,)
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST_VERSION + 5,))
    check, _ = await check_database(SqliteStorage(path))
    assert check.status == "fail" and "newer than this bot's" in check.summary


async def test_an_in_memory_database_is_a_warning() -> None:
    check, _ = await check_database(SqliteStorage(":memory:"))
    assert check.status == "warn" and "lost at every restart" in check.summary


async def test_a_file_that_is_not_a_database_fails(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_text("these are not the pages you are looking for " * 100)
    check, _ = await check_database(SqliteStorage(path))
    assert check.status == "fail" and check.summary == "cannot be used: cannot read it (file is not a database)"
    assert "restore it from a backup" in (check.fix or "")
