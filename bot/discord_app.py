"""The Discord bot: a factory that takes settings, so tests and the main command build it the same way."""

from __future__ import annotations

import logging
import pkgutil

import discord
from discord.ext import commands

import cogs
from bot.services.chain import Chain
from bot.settings import Settings

log = logging.getLogger(__name__)


class StakingBot(commands.AutoShardedBot):
    def __init__(self, settings: Settings) -> None:
        # Slash commands only: no privileged intents (discord.md §2.3).
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
        self.settings = settings
        self.chain: Chain | None = None

    async def setup_hook(self) -> None:
        self.chain = Chain.from_settings(self.settings)
        for module in pkgutil.iter_modules(cogs.__path__):
            await self.load_extension(f"cogs.{module.name}")
        if self.settings.dev_guild_id:
            # Development guild: instant sync. Global sync is an explicit step, never on every start.
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def close(self) -> None:
        if self.chain is not None:
            await self.chain.aclose()
        await super().close()


def create_bot(settings: Settings) -> StakingBot:
    return StakingBot(settings)


def run_bot(settings: Settings) -> int:
    token = settings.token
    assert token is not None
    create_bot(settings).run(token, log_handler=None)
    return 0


