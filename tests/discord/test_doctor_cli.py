"""`python -m bot doctor` as an admin runs it: a real process, its output and exit code. The read-only database is
planted for real: the file and its folder lose their write bits, and a doctor running as root first gives up the
capabilities that let root ignore file modes (as a container's root can), so the modes bind."""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import stat
import sys
from pathlib import Path

from bot.discord_app import sync_commands
from bot.sandbox import ThreadedSandbox
from bot.storage import SqliteStorage

from .conftest import TOKEN, make_settings
from .fake_discord import GUILD_ID, FakeDiscord

KEEP_ENV = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "SYSTEMROOT")
PR_CAPBSET_DROP = 24  # linux/prctl.h
FILE_MODE_OVERRIDES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER (linux/capability.h)


def obey_file_modes() -> None:
    """In the child before exec: drop root's file-mode overrides from the bounding set (gone after exec)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in FILE_MODE_OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


async def doctor_process(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the doctor from a folder without .env, with only the settings given, bound by file modes."""
    base = {k: v for k, v in os.environ.items() if k in KEEP_ENV}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "doctor", *args, cwd=cwd, env={**base, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=obey_file_modes if os.geteuid() == 0 else None,
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_read_only_database_is_the_one_failure(fake: FakeDiscord, live_mainnet: ThreadedSandbox,
                                                       tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    settings = make_settings(live_mainnet, database_path=database, dev_guild_id=None)
    storage = SqliteStorage(database)
    await storage.open()
    await storage.update_guild(GUILD_ID, announcement_channel_id=fake.add_channel("announcements"))
    await storage.close()
    await sync_commands(settings)
    database.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    database.parent.chmod(0o555)
    env = {"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": fake.api_base, "NEAR_RPC_URLS": live_mainnet.url,
           "NEAR_INDEXER_API": live_mainnet.url, "DATABASE_PATH": str(database), "HOME": str(tmp_path)}
    try:
        code, out, err = await doctor_process("--json", cwd=tmp_path, env=env)
    finally:
        database.parent.chmod(0o755)
    report = json.loads(out)
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert [c["id"] for c in failed] == ["database"], out
    assert code == 1 and report["ok"] is False
    assert failed[0]["summary"].startswith("not usable by this user: ")
    assert "read and write DATABASE_PATH and its folder" in failed[0]["fix"]
    assert failed[0]["details"]["writable"] is False
    [server] = [c for c in report["checks"] if c["id"] == "discord_server"]
    assert server["status"] == "ok" and "channels not checked (the database could not be read)" in server["summary"]
    assert err == ""  # no log file can be written there: only errors would reach stderr
    assert report["counts"]["fail"] == 1 and report["invite_url"].startswith("https://discord.com/oauth2/authorize")
    assert not fake.violations


async def test_without_a_token_discord_is_skipped_not_failed(live_mainnet: ThreadedSandbox, tmp_path: Path) -> None:
    env = {"NEAR_RPC_URLS": live_mainnet.url, "NEAR_INDEXER_API": live_mainnet.url,
           "DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    code, out, err = await doctor_process(cwd=tmp_path, env=env)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Doctor (mainnet)"
    assert any(line.startswith(f"✓ RPC {live_mainnet.url}: mainnet, head ") for line in lines)
    assert "✓ Database" in out and "not created yet" in out
    assert "– Discord token: DISCORD_TOKEN is not set" in out
    assert "    fix: To run the Discord bot, create an application and its token" in out
    assert lines[-1] == "Everything needed works. (7 not checked)"
    assert "✗" not in out and err == ""
    assert not (tmp_path / "bot.sqlite3").exists()  # the doctor only looks


async def test_bad_settings_are_the_first_line(tmp_path: Path) -> None:
    code, out, _ = await doctor_process("--json", cwd=tmp_path, env={"NEAR_NETWORK": "devnet"})
    report = json.loads(out)
    assert code == 1
    first, *rest = report["checks"]
    assert (first["id"], first["status"]) == ("settings", "fail") and "NEAR_NETWORK" in first["summary"]
    assert {c["status"] for c in rest} == {"skip"}
