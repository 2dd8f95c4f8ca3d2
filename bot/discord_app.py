"""The Discord bot: a factory that takes settings, so tests, `python -m bot` and `python -m bot sync` build it
the same way.

Commands are synced to `DEV_GUILD_ID` at start (instant, for development). Global sync is an explicit step:
`python -m bot sync`, or the owner's `@bot sync` text command; never on every start (discord.md §2.4).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
from collections.abc import Coroutine
from typing import Any, TypeVar

import discord
from discord.ext import commands

import cogs
from bot.alerts.discord_notifier import DiscordNotifier
from bot.alerts.service import AlertService
from bot.discord.details import DetailsStore
from bot.discord.options import PoolDirectory
from bot.discord.redact import install_redaction
from bot.discord.roles import DiscordRoles
from bot.discord.tree import StakingTree
from bot.gc_tuning import tune_for_many_answers
from bot.roles.keeper import RoleKeeper
from bot.services.chain import Chain
from bot.settings import Settings
from bot.storage import Completed, Storage, open_storage
from bot.verify.service import VerificationService
from bot.verify.web import VerifyServer, verify_app

log = logging.getLogger(__name__)
T = TypeVar("T")


def cog_extensions() -> list[str]:
    """Every module in `cogs/` (names starting with "_" are helpers, not cogs)."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


def bot_intents(settings: Settings) -> discord.Intents:
    """Default intents; the privileged Message Content intent only when GUARD_MESSAGE_CONTENT asks for it (the
    support-channel guard reads messages in the channels an admin chose; without it, only DMs and mentions)."""
    intents = discord.Intents.default()
    intents.message_content = settings.guard_message_content
    return intents


class StakingBot(commands.AutoShardedBot):
    tree: StakingTree

    def __init__(self, settings: Settings, *, chain: Chain | None = None, **options: Any) -> None:
        # Slash commands need no privileged intents (discord.md §2.3); Message Content only if the guard asks for it.
        # Mentions of the bot and DMs to it carry their text anyway: enough for `@bot sync` and the DM guard.
        options.setdefault("intents", bot_intents(settings))
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        if settings.shard_count is not None:  # shards split over processes (SHARD_COUNT, SHARD_IDS)
            options.setdefault("shard_count", settings.shard_count)
            options.setdefault("shard_ids", settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned, tree_cls=StakingTree, help_command=None, **options
        )
        self.settings = settings
        self._chain = chain
        self._owns_chain = chain is None
        self.sync_dev_guild = True  # `python -m bot sync` turns this off: it syncs what it is asked to
        self._pool_directory: PoolDirectory | None = None
        self.sync_only = False  # `python -m bot sync`: no database and no alerts, only the command list
        self._storage: Storage | None = None
        self.alerts: AlertService | None = None
        self.roles: RoleKeeper | None = None
        self.verification: VerificationService | None = None  # None: PUBLIC_BASE_URL is not set
        self._web: VerifyServer | None = None
        self._alerts_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.details = DetailsStore()  # what the Details buttons of recent answers show (cogs/details.py)

    async def setup_hook(self) -> None:
        if self._chain is None:
            self._chain = Chain.from_settings(self.settings)
        self._pool_directory = PoolDirectory(self.chain)
        if not self.sync_only:
            # Linked accounts, alerts, server settings: opened (and migrated) before the cogs that use them.
            self._storage = open_storage(self.settings.storage_url)
            await self._storage.open()
            log.info("storage: %s", self.storage.describe())
            self.roles = RoleKeeper(self.storage, self.chain, DiscordRoles(self))
            self.alerts = AlertService(self.storage, self.chain, DiscordNotifier(self), roles=self.roles,
                                       retention_seconds=int(self.settings.outbox_retention_hours * 3600))
            await self._start_verification()
            self._alerts_task = asyncio.create_task(self._run_alerts(), name="alerts")
        for extension in cog_extensions():
            await self.load_extension(extension)
        if self.settings.dev_guild_id and self.sync_dev_guild:
            synced = await self.sync_to_guild(self.settings.dev_guild_id)
            log.info("synced %d commands to the development guild %s", len(synced), self.settings.dev_guild_id)

    async def _start_verification(self) -> None:
        """The verification page's web server, in this process, when PUBLIC_BASE_URL says where users reach it."""
        base, recipient = self.settings.public_base_url, self.settings.recipient
        if not base or not recipient:
            return
        self.verification = VerificationService(self.storage, self.chain, base_url=base, recipient=recipient,
                                                on_verified=self._verified)
        app = verify_app(self.verification, network=self.chain.network, wallet_url=self.settings.mynearwallet_url)
        web = VerifyServer(app, self.settings.web_host, self.settings.web_port)
        try:
            port = await web.start()
        except OSError as exc:  # e.g. a second process on this host: links live in the database, either serves them
            await web.stop()
            log.warning("verification page not served by this process (%s:%d: %s); links still work wherever it is "
                        "served", self.settings.web_host, self.settings.web_port, exc.strerror or exc)
            return
        self._web = web
        log.info("verification page served on %s:%d for %s", self.settings.web_host, port, base)

    async def _verified(self, completed: Completed) -> None:
        """Right after a proof: the roles of its user (and of whoever had verified the account before)."""
        if self.roles is not None:
            users = [completed.account.user_id, *filter(None, [completed.previous_user_id])]
            self.background(self.roles.keep(user_ids=users))

    @property
    def pool_directory(self) -> PoolDirectory:
        assert self._pool_directory is not None, "setup_hook has not run"
        return self._pool_directory

    @property
    def chain(self) -> Chain:
        """The NEAR clients; setup_hook opens them before any interaction or event arrives."""
        if self._chain is None:
            raise RuntimeError("the bot has not started: setup_hook opens the chain")
        return self._chain

    @property
    def network(self) -> str:
        return self.chain.network

    @property
    def storage(self) -> Storage:
        """The open storage; setup_hook opens it before any interaction or event arrives (never in `sync`)."""
        if self._storage is None:
            raise RuntimeError("storage is not open: the bot has not started, or only syncs its commands")
        return self._storage

    @property
    def has_storage(self) -> bool:
        return self._storage is not None

    async def linked_accounts(self, user_id: int) -> list[str]:
        """Accounts the user linked to their Discord id, the default first (a convenience, not ownership)."""
        if self._storage is None:
            return []
        return [linked.account_id for linked in await self._storage.linked_accounts(user_id)]

    async def default_account(self, user_id: int) -> str | None:
        return await self._storage.default_account(user_id) if self._storage is not None else None

    def background(self, coroutine: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `coroutine` as a task the bot keeps a reference to and cancels when it closes."""
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def poke_alerts(self) -> None:
        """Re-plan the alert checks and deliver now (storage changes do this by themselves, in every process)."""
        if self.alerts is not None:
            self.alerts.poke()

    async def _run_alerts(self) -> None:
        await self.wait_until_ready()  # delivery needs the connection; storage and chain are open already
        assert self.alerts is not None
        await self.alerts.run()

    async def sync_to_guild(self, guild_id: int) -> list[discord.app_commands.AppCommand]:
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        return await self.tree.sync(guild=guild)

    async def sync_globally(self) -> list[discord.app_commands.AppCommand]:
        return await self.tree.sync()

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected as %s (%s) in %d servers, shards %s of %d", user, user.id if user else "?",
                 len(self.guilds), sorted(self.shards), self.shard_count or 1)

    async def on_command_error(self, context: commands.Context[Any], exception: commands.CommandError) -> None:
        # Text commands are only the owner's `@bot sync`; other mentions of the bot are not errors.
        if isinstance(exception, (commands.CommandNotFound, commands.CheckFailure)):
            return
        await super().on_command_error(context, exception)

    async def close(self) -> None:
        try:
            for task in [self._alerts_task, *self._background]:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            if self._web is not None:
                await self._web.stop()
            await super().close()
        finally:
            if self._storage is not None:
                await self._storage.close()
            if self._chain is not None and self._owns_chain:
                await self._chain.aclose()


def create_bot(settings: Settings, *, chain: Chain | None = None, **options: Any) -> StakingBot:
    """The bot, ready to `start`. `chain` lets tests share clients; by default setup_hook opens them from
    settings. `options` go to discord.py (e.g. `shard_count`)."""
    return StakingBot(settings, chain=chain, **options)


def use_test_discord(settings: Settings) -> None:
    """Point discord.py at a loopback fake Discord when the test-only settings say so (never by default)."""
    if settings.discord_api_base:
        from discord.http import Route

        Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        import yarl
        from discord.gateway import DiscordWebSocket

        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def run_bot(settings: Settings) -> int:
    token = settings.token
    assert token is not None
    install_redaction([token])
    use_test_discord(settings)
    bot = create_bot(settings)
    tune_for_many_answers()  # this process serves answers from now on, possibly many at once
    bot.run(token, log_handler=None)
    return 0


async def sync_commands(settings: Settings, *, guild_id: int | None = None) -> list[str]:
    """Log in, publish the slash commands (globally, or to one guild), and return their names. No gateway."""
    token = settings.token
    assert token is not None
    install_redaction([token])
    use_test_discord(settings)
    bot = create_bot(settings)
    bot.sync_dev_guild = False
    bot.sync_only = True
    async with bot:
        await bot.login(token)
        synced = await (bot.sync_to_guild(guild_id) if guild_id else bot.sync_globally())
    return [command.name for command in synced]
