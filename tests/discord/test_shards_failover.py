"""Two real bot processes (`python -m bot`, SHARD_COUNT=2, SHARD_IDS=0 and 1) on a real PostgreSQL, the loopback
Discord and the sandbox chain: 1,000 unbonding alerts fall due at one epoch boundary; the process running the
alert scheduler is SIGKILLed in the middle of delivery; the other takes over the scheduler and the dead one's
claimed rows; the dead one is restarted (as Docker's restart policy does) and resumes its shard. Every user sees
each notification exactly once, and commands are answered on both shards throughout (on the killed shard, before
the kill and after the restart: Discord cannot deliver that shard's interactions while no process holds it).

This is the topology of docker-compose.yml, run with real processes (no container engine here)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.storage import Storage
from tests.conftest import opened_storage

from .conftest import TOKEN, eventually
from .fake_discord import GUILD_ID, OTHER_GUILD_ID, OWNER_ID, USER_ID, FakeDiscord, shard_for

ROOT = Path(__file__).resolve().parents[2]
E = SCENARIO.epoch_height
CHARLIE = SCENARIO.pool_id("charlie")
USERS = [USER_ID + 10 + i for i in range(1000)]
READY = "alert scheduler started"
LEADING = "this process runs the alert scheduler"


class BotProcess:
    def __init__(self, shard: int, env: dict[str, str], log: Path) -> None:
        self.shard, self.log = shard, log
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bot"], cwd=ROOT, env={**env, "SHARD_IDS": str(shard)},
            stdout=subprocess.DEVNULL, stderr=log.open("ab"),
        )

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Commander:
    """People typing /epoch in both servers, one after the other, all along."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.answered: dict[int, list[float]] = {GUILD_ID: [], OTHER_GUILD_ID: []}
        self.unanswered: list[tuple[int, float, str]] = []  # (guild, when it was sent, what went wrong)
        self.shard_down: dict[int, int] = {GUILD_ID: 0, OTHER_GUILD_ID: 0}
        self.sent = 0

    async def run(self) -> None:
        while True:
            for guild_id in (GUILD_ID, OTHER_GUILD_ID):
                if not self.fake.shard_connected(guild_id):
                    self.shard_down[guild_id] += 1  # no process holds this shard right now
                    continue
                self.sent += 1  # a different user each time: the per-user cooldown is not what is tested
                sent_at = time.monotonic()
                try:
                    record = await self.fake.slash("epoch", guild_id=guild_id, user_id=OWNER_ID + 100 + self.sent,
                                                   timeout=10)
                    assert record.embed["title"].startswith("Epoch")
                    self.answered[guild_id].append(time.monotonic())
                except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
                    self.unanswered.append((guild_id, sent_at, repr(exc)))
                await asyncio.sleep(0.2)


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[Storage]:
    async with opened_storage(postgres_url) as storage:
        yield storage


async def test_two_processes_one_killed_mid_delivery_every_user_sees_each_alert_once(
    fake: FakeDiscord, sandbox: ThreadedSandbox, tmp_path: Path, postgres_url: str, pg: Storage
) -> None:
    fake.add_guild()
    epochs_channel = fake.add_channel("epochs", members_can_post=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEAR_", "DISCORD_", "RPC_", "DEV_", "DATABASE_",
                                                                     "SHARD_"))}
    env.update({
        "DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
        "NEAR_NETWORK": "mainnet", "NEAR_RPC_URLS": sandbox.url, "NEAR_INDEXER_API": sandbox.url,
        "DATABASE_URL": postgres_url, "SHARD_COUNT": "2", "RPC_DEADLINE_SECONDS": "5", "LOG_LEVEL": "INFO",
    })
    sync = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "sync", cwd=ROOT, env=env,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, errors = await asyncio.wait_for(sync.communicate(), 60)  # the fake answers on this loop: never block it
    assert sync.returncode == 0, errors.decode()  # global commands, as in production

    processes = [BotProcess(shard, env, tmp_path / f"bot-{shard}.log") for shard in (0, 1)]
    commander_task: asyncio.Task[None] | None = None
    try:
        # Both start at once: one identify waits its turn (Discord's max_concurrency), and both come up.
        await eventually(lambda: all(READY in p.text() for p in processes), 60, "both processes ready")
        await eventually(lambda: fake.shard_connected(GUILD_ID) and fake.shard_connected(OTHER_GUILD_ID), 30,
                         "both shards connected")
        leader = await eventually(lambda: next((p for p in processes if LEADING in p.text()), None), 15,
                                  "one process to run the scheduler")
        assert sum(LEADING in p.text() for p in processes) == 1  # exactly one scheduler
        survivor = next(p for p in processes if p is not leader)
        commander = Commander(fake)
        commander_task = asyncio.create_task(commander.run())

        for user in USERS:  # 1,000 people waiting for the same unbonding to end
            await pg.add_subscription("unbonding", user, account_id="carol.near", pool_id=CHARLIE, due_epoch=E + 1)
        chain = sandbox.chain
        sandbox.advance(blocks=chain.epoch_start_height + chain.epoch_length + 50 - chain.head_height)
        await asyncio.sleep(2)  # longer than the bots' 1.5 s cache of `final` reads
        fake.delay_channel_messages(0.2)  # a slow Discord: posted at once, answered 200 ms later
        record = await fake.slash("announce channel", {"channel": epochs_channel}, user_id=OWNER_ID)
        assert record.embed["title"] == "Epoch announcements on", record.text()  # also wakes the scheduler

        def delivered() -> int:
            return sum(1 for u in USERS if fake.channel_messages.get(fake.dm_channels.get(u, -1)))

        await eventually(lambda: delivered() >= 150, 60, "deliveries to be under way")
        before_kill = delivered()
        leader.proc.send_signal(signal.SIGKILL)  # in the middle of delivery
        leader.proc.wait(10)
        killed_guild = GUILD_ID if shard_for(GUILD_ID, 2) == leader.shard else OTHER_GUILD_ID
        alive_guild = OTHER_GUILD_ID if killed_guild == GUILD_ID else GUILD_ID
        killed_at = time.monotonic()
        assert delivered() < len(USERS), "delivery finished before the kill: nothing was tested"

        await eventually(lambda: LEADING in survivor.text(), 15, "the other process to take over the scheduler")
        restarted = BotProcess(leader.shard, env, tmp_path / f"bot-{leader.shard}-restarted.log")
        processes.append(restarted)
        await eventually(lambda: READY in restarted.text() and fake.shard_connected(killed_guild), 60,
                         "the killed shard back")
        back_at = time.monotonic()

        async def all_sent() -> bool:
            rows = await pg.fetch("SELECT state, COUNT(*) FROM outbox GROUP BY state")  # type: ignore[attr-defined]
            return {r[0]: r[1] for r in rows} == {"sent": len(USERS) + 1}

        await eventually(all_sent, 120, "every notification marked sent")
        await asyncio.sleep(1)
        after = time.monotonic()
        await eventually(lambda: any(t > after for t in commander.answered[killed_guild]), 20,
                         "a command answered on the restarted shard")
    finally:
        if commander_task is not None:
            commander_task.cancel()
            await asyncio.gather(commander_task, return_exceptions=True)
        for process in processes:
            process.stop()

    counts = {u: len(fake.channel_messages.get(fake.dm_channels.get(u, -1), [])) for u in USERS}
    assert set(counts.values()) == {1}, {n: sum(1 for c in counts.values() if c == n) for n in set(counts.values())}
    # The killed process had sends in flight (posted, answer pending): they were sent again, and Discord's nonce
    # check answered with the message it had, instead of showing a second one.
    print(f"resent with a known nonce: {fake.nonce_repeats}; delivered before the kill: {before_kill}")
    assert fake.nonce_repeats >= 1
    dm = fake.channel_messages[fake.dm_channels[USERS[0]]][0]
    assert dm.embeds[0]["title"] == "Your unstaked NEAR is withdrawable"
    assert [m.embeds[0]["title"] for m in fake.channel_messages[epochs_channel]] == [f"New epoch {E + 1}"]
    states = await pg.fetch("SELECT DISTINCT state FROM subscriptions")  # type: ignore[attr-defined]
    assert [r[0] for r in states] == ["done"]
    # Commands: the surviving shard answered all along, the killed one before the kill and after its restart.
    # Only commands sent to the killed shard while its process was dying or dead went unanswered.
    lost = [(guild, round(sent - killed_at, 1), why) for guild, sent, why in commander.unanswered
            if guild != killed_guild or not killed_at - 10 <= sent <= back_at]
    assert lost == []
    assert any(killed_at < t for t in commander.answered[alive_guild])
    assert any(t < killed_at for t in commander.answered[killed_guild])
    assert commander.shard_down[alive_guild] == 0
    assert fake.violations == []
