"""The Discord bot: a factory that takes settings, so tests, `python -m bot` and `python -m bot sync` build it
the same way.

Commands are synced to `DEV_GUILD_ID` at start (instant, for development). Global sync is an explicit step:
`python -m bot sync`, or the owner's `@bot sync` text command; never on every start (discord.md §2.4).
"""

from __future__ import annotations

import logging
import pkgutil
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.discord.options import PoolDirectory
from bot.discord.redact import install_redaction
from bot.discord.tree import StakingTree
from bot.services.chain import Chain
from bot.settings import Settings

log = logging.getLogger(__name__)


def cog_extensions() -> list[str]:
    """Every module in `cogs/` (names starting with "_" are helpers, not cogs)."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


class StakingBot(commands.AutoShardedBot):
    tree: StakingTree

    def __init__(self, settings: Settings, *, chain: Chain | None = None, **options: Any) -> None:
        # Slash commands only: no privileged intents (discord.md §2.3). Mentions of the bot still carry their
        # text, which is all the owner's `@bot sync` needs.
        options.setdefault("intents", discord.Intents.default())
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(
            command_prefix=commands.when_mentioned, tree_cls=StakingTree, help_command=None, **options
        )
        self.settings = settings
        self.chain = chain
        self._owns_chain = chain is None
        self.sync_dev_guild = True  # `python -m bot sync` turns this off: it syncs what it is asked to
        self._pool_directory: PoolDirectory | None = None

    async def setup_hook(self) -> None:
        if self.chain is None:
            self.chain = Chain.from_settings(self.settings)
        self._pool_directory = PoolDirectory(self.chain)
        # Storage (linked accounts, reminders) opens here in a later issue, before the cogs that use it.
        for extension in cog_extensions():
            await self.load_extension(extension)
        if self.settings.dev_guild_id and self.sync_dev_guild:
            synced = await self.sync_to_guild(self.settings.dev_guild_id)
            log.info("synced %d commands to the development guild %s", len(synced), self.settings.dev_guild_id)

    @property
    def pool_directory(self) -> PoolDirectory:
        assert self._pool_directory is not None, "setup_hook has not run"
        return self._pool_directory

    async def linked_accounts(self, user_id: int) -> list[str]:
        """Accounts the user linked to their Discord id (storage comes in a later issue: none yet)."""
        return []

    async def sync_to_guild(self, guild_id: int) -> list[discord.app_commands.AppCommand]:
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        return await self.tree.sync(guild=guild)

    async def sync_globally(self) -> list[discord.app_commands.AppCommand]:
        return await self.tree.sync()

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected as %s (%s) in %d servers, %d shards", user, user.id if user else "?",
                 len(self.guilds), self.shard_count or 1)

    async def on_command_error(self, context: commands.Context[Any], exception: commands.CommandError) -> None:
        # Text commands are only the owner's `@bot sync`; other mentions of the bot are not errors.
        if isinstance(exception, (commands.CommandNotFound, commands.CheckFailure)):
            return
        await super().on_command_error(context, exception)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self.chain is not None and self._owns_chain:
                await self.chain.aclose()


def create_bot(settings: Settings, *, chain: Chain | None = None, **options: Any) -> StakingBot:
    """The bot, ready to `start`. `chain` lets tests share clients; by default setup_hook opens them from
    settings. `options` go to discord.py (e.g. `shard_count`)."""
    return StakingBot(settings, chain=chain, **options)


def run_bot(settings: Settings) -> int:
    token = settings.token
    assert token is not None
    install_redaction([token])
    create_bot(settings).run(token, log_handler=None)
    return 0


async def sync_commands(settings: Settings, *, guild_id: int | None = None) -> list[str]:
    """Log in, publish the slash commands (globally, or to one guild), and return their names. No gateway."""
    token = settings.token
    assert token is not None
    install_redaction([token])
    bot = create_bot(settings)
    bot.sync_dev_guild = False
    async with bot:
        await bot.login(token)
        synced = await (bot.sync_to_guild(guild_id) if guild_id else bot.sync_globally())
    return [command.name for command in synced]
