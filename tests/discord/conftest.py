"""Fixtures: the fake Discord on 127.0.0.1 with discord.py pointed at it, settings pointing NEAR at the sandbox
chain, and a factory that starts the real bot (create_bot) and waits until it is connected."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.discord_app import StakingBot, create_bot
from bot.sandbox import ThreadedSandbox
from bot.services.chain import Chain
from bot.settings import Settings
from tests.conftest import FAST_POLICY

from .fake_discord import GUILD_ID, FakeDiscord

TOKEN = "fake-bot-token-for-tests"
StartBot = Callable[..., Awaitable[StakingBot]]


async def eventually(check: Callable[[], Any], timeout: float = 15.0, what: str = "it") -> Any:
    """Poll `check` (a function, or one returning an awaitable) until it gives something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord(token=TOKEN).start()
    restore = server.point_client()
    try:
        yield server
    finally:
        restore()
        await server.close()


def make_settings(sandbox: ThreadedSandbox, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": TOKEN,
        "near_rpc_urls": [sandbox.url],
        "near_indexer_api": sandbox.url,
        "dev_guild_id": GUILD_ID,
        "rpc_deadline_seconds": 5,
        "database_path": ":memory:",  # each bot its own empty database; restart tests pass a file
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(sandbox: ThreadedSandbox) -> Settings:
    return make_settings(sandbox)


@pytest.fixture
async def start_bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[StartBot]:
    """`await start_bot()` runs create_bot(settings) against the fake until it has identified on the gateway.

    By default the chain uses the fast test policy (no read cache, short backoff); `fast_chain=False` lets the
    bot open its own clients from settings, as in production. Every bot is closed at teardown, and the fake
    must have seen no broken Discord rule.
    """
    started: list[tuple[StakingBot, asyncio.Task[None], Chain | None]] = []

    async def start(*, settings_: Settings | None = None, fast_chain: bool = True, **options: Any) -> StakingBot:
        use = settings_ or settings
        chain = Chain.from_settings(use, policy=FAST_POLICY) if fast_chain else None
        bot = create_bot(use, chain=chain, **options)
        task = asyncio.create_task(bot.start(TOKEN), name="bot")
        started.append((bot, task, chain))
        identified = asyncio.create_task(fake.wait_identified(10))
        done, _ = await asyncio.wait({task, identified}, return_when=asyncio.FIRST_COMPLETED, timeout=10)
        if task in done:
            identified.cancel()
            task.result()  # raises what stopped the bot
            raise AssertionError("the bot stopped before connecting")
        if identified not in done:
            raise AssertionError("the bot did not identify on the gateway within 10 s")
        return bot

    yield start
    for bot, task, chain in started:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
        if chain is not None:
            await chain.aclose()
    assert fake.violations == [], fake.violations


@pytest.fixture
async def bot(start_bot: StartBot) -> StakingBot:
    return await start_bot()
