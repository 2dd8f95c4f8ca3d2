"""Restart safety with a real process kill: `python -m bot` in a subprocess against the fake Discord and the
sandbox chain, SIGKILLed while Discord has the notifications but has not yet answered the sends; a second
process over the same database delivers what was pending, and every user sees each notification once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO

from .conftest import TOKEN
from .fake_discord import CHANNEL_ID, GUILD_ID, OWNER_ID, USER_ID, FakeDiscord, Message

ROOT = Path(__file__).resolve().parents[2]
E = SCENARIO.epoch_height
CHARLIE = SCENARIO.pool_id("charlie")
WATCHER = USER_ID + 1  # a second user following the same public account (linking is not identity)
POSTER = USER_ID + 2  # wants the alert in the server channel
READY = "alert scheduler started"  # logged once the bot is connected and ready


async def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


def outbox(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT dedupe_key, state FROM outbox ORDER BY dedupe_key").fetchall()


class BotProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        process.stop()


async def test_sigkill_between_send_and_mark_then_restart_delivers_each_once(
    fake: FakeDiscord, sandbox: ThreadedSandbox, tmp_path: Path, processes: list[BotProcess]
) -> None:
    epochs_channel = fake.add_channel("epochs", members_can_post=False)
    db = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEAR_", "DISCORD_", "RPC_", "DEV_", "DATABASE_"))}
    env.update({
        "DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DEV_GUILD_ID": str(GUILD_ID), "NEAR_NETWORK": "mainnet", "NEAR_RPC_URLS": sandbox.url,
        "NEAR_INDEXER_API": sandbox.url, "DATABASE_PATH": str(db), "RPC_DEADLINE_SECONDS": "5", "LOG_LEVEL": "INFO",
    })
    log = tmp_path / "bot.log"

    async def start() -> BotProcess:
        before = log.read_text().count(READY) if log.exists() else 0
        process = BotProcess(env, log)
        processes.append(process)
        await eventually(lambda: log.read_text().count(READY) > before or not process.alive(), 30, "the bot ready")
        assert process.alive(), log.read_text()
        return process

    first = await start()
    for user in (USER_ID, WATCHER):
        record = await fake.slash("alert unbonding", {"account": "carol.near", "pool": CHARLIE}, user_id=user)
        assert record.embed["title"] == "Alert set", record.text()
    record = await fake.slash("alert unbonding", {"account": "carol.near", "pool": CHARLIE, "channel": CHANNEL_ID},
                              user_id=POSTER)
    assert record.embed["title"] == "Alert set", record.text()

    # Past the boundary into epoch E+1: three unbonding alerts are due, and a new epoch to announce.
    chain = sandbox.chain
    sandbox.advance(blocks=chain.epoch_start_height + chain.epoch_length + 50 - chain.head_height)
    await asyncio.sleep(2)  # longer than the bot's 1.5 s cache of `final` RPC reads: it sees the new head
    fake.delay_channel_messages(120)  # Discord keeps what it gets but answers late
    record = await fake.slash("announce channel", {"channel": epochs_channel}, user_id=OWNER_ID)  # pokes
    assert record.embed["title"] == "Epoch announcements on", record.text()

    def seen() -> dict[str, list[Message]]:
        return {
            "user": fake.channel_messages.get(fake.dm_channels.get(USER_ID, -1), []),
            "watcher": fake.channel_messages.get(fake.dm_channels.get(WATCHER, -1), []),
            "channel": fake.channel_messages.get(CHANNEL_ID, []),
            "epochs": fake.channel_messages.get(epochs_channel, []),
        }

    await eventually(lambda: all(seen().values()), 30, "the first process to send all four notifications")
    pending = outbox(db)
    assert len(pending) == 4 and {state for _, state in pending} == {"pending"}, pending  # sent, never marked
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL
    fake.delay_channel_messages(0)

    await start()  # same database: the scheduler's first pass delivers what is pending
    await eventually(lambda: {state for _, state in outbox(db)} == {"sent"}, 30, "the outbox to be marked sent")
    await asyncio.sleep(0.5)
    counts = {name: len(messages) for name, messages in seen().items()}
    assert counts == {"user": 1, "watcher": 1, "channel": 1, "epochs": 1}, counts
    assert seen()["user"][0].embeds[0]["title"] == "Your unstaked NEAR is withdrawable"
    assert seen()["epochs"][0].embeds[0]["title"] == f"New epoch {E + 1}"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT DISTINCT state FROM subscriptions").fetchall() == [("done",)]
    assert fake.violations == []
