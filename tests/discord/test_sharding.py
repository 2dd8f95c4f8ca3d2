"""Shards split over bots: SHARD_COUNT=2 with SHARD_IDS=0 in one bot and 1 in the other. Each identifies its own
shard (the fake enforces Discord's identify rate limit and routes every event by the sharding formula), holds the
guilds of that shard, and commands in either guild, in DMs and from user installs are answered."""

from __future__ import annotations

import asyncio

from bot.sandbox import ThreadedSandbox

from .conftest import StartBot, make_settings
from .fake_discord import GUILD_ID, OTHER_GUILD_ID, FakeDiscord, shard_for


async def test_two_bots_each_with_one_shard_answer_everywhere(
    fake: FakeDiscord, sandbox: ThreadedSandbox, start_bot: StartBot
) -> None:
    fake.add_guild()
    assert (shard_for(GUILD_ID, 2), shard_for(OTHER_GUILD_ID, 2)) == (1, 0)
    bots = []
    for shard in ("0", "1"):
        settings = make_settings(sandbox, shard_count=2, shard_ids=shard, dev_guild_id=None)
        bots.append(await start_bot(settings_=settings))
    # Both identify at once: Discord allows one identify per 5 s (max_concurrency 1), so one waits its turn.
    await asyncio.wait_for(asyncio.gather(*(bot.wait_until_ready() for bot in bots)), 30)
    shard0, shard1 = bots
    assert sorted(shard0.shards) == [0] and sorted(shard1.shards) == [1]
    assert [g.id for g in shard0.guilds] == [OTHER_GUILD_ID] and [g.id for g in shard1.guilds] == [GUILD_ID]
    assert sorted(p["shard"] for p in fake.identify_payloads if "shard" in p) >= [[0, 2], [1, 2]]

    await shard0.sync_globally()  # `python -m bot sync`: the commands everywhere
    for guild_id in (GUILD_ID, OTHER_GUILD_ID):
        record = await fake.slash("epoch", guild_id=guild_id)
        assert record.embed["title"].startswith("Epoch"), record.text()
    dm = await fake.slash("epoch", guild=False)  # DMs come to shard 0
    assert dm.embed["title"].startswith("Epoch")
    installed = await fake.slash("status", {"account": "alice.near"}, where="user_install_guild")
    assert installed.ephemeral and "alice.near" in installed.text()
