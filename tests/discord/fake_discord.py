"""A loopback fake Discord (REST + gateway) for end-to-end tests of the unmodified discord.py client.

It implements the surface of discord.md §4.4 and ENFORCES Discord's interaction rules, so a bot that breaks
them fails its test:

- the initial response must arrive within 3 s (later: 404 code 10062 "Unknown interaction");
- exactly one initial response (a second: 400 code 40060 "already acknowledged");
- a type-5 defer may carry only the EPHEMERAL flag (64);
- followups and @original edits need an acknowledged interaction and a live token (else 404 code 10015);
- messages are checked against Discord's limits (content 2000, 10 embeds, title 256, description 4096,
  25 fields, field name 256 / value 1024, footer 2048, 6000 in total, ≤ 5 action rows of ≤ 5 buttons, link
  buttons with a URL ≤ 512 and no custom_id, labels ≤ 80, autocomplete ≤ 25 choices): 400 code 50035;
- commands must be synced before they can be used, and used only where their contexts allow;
- IDENTIFY with a privileged intent closes the gateway with 4014, like an app without those intents enabled
  (and the application's `flags` say which ones are enabled, as the Developer Portal sets them);
- guild routes answer only for the guild the bot is in (others: 403 code 50001 "Missing Access"), and every
  REST route needs the bot token (else 401, as for a revoked token);
- who a message pings follows Discord's rules: mentions in its content, filtered by its `allowed_mentions` (absent =
  every mention pings); embeds never ping (`Message.pings`);
- sharding: IDENTIFY's `shard` must be [id, count] with 0 ≤ id < count (else 4010); more than `max_concurrency`
  identifies per bucket (shard_id % max_concurrency) within 5 s get Invalid Session (op 9); each session gets
  the guilds of its shard, (guild_id >> 22) % count, and every event goes to the session of its guild's shard
  (events without a guild, such as DMs, to shard 0).

Users can post messages with attachments (served for download on 127.0.0.1, like Discord's CDN) and edit messages
the bot may never have seen (`edit_message`: MESSAGE_UPDATE with the full message, as Discord sends it).

Every rule broken is also appended to `violations` (tests assert it stays empty). The four gotchas are
honoured: JSON answers carry exactly `application/json`, 429s carry `Via` and a JSON body, `with_response=1`
callbacks get 200 + JSON, READY carries `shard`.

Harness: `await fake.slash("status", {"account": "alice.near"}, guild=True)` sends INTERACTION_CREATE and
returns the `InteractionRecord` once the bot has answered (acknowledgement, original message, followups);
`await fake.autocomplete("pool", {"pool": "al"})` returns the choices; `await fake.click(message, "Details")` presses
a button (only a non-link button, and on an ephemeral message only by the user who saw it). See `FakeDiscord`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.discord.fake_roles import FakeRoles

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000

APP_ID = 1_100_000_000_000_000_001
BOT_USER_ID = APP_ID
GUILD_ID = 1_200_000_000_000_000_002  # shard 1 of 2: (id >> 22) % 2
CHANNEL_ID = 1_300_000_000_000_000_003
OTHER_GUILD_ID = 1_210_000_000_000_000_008  # shard 0 of 2 (see add_guild)
OTHER_CHANNEL_ID = 1_310_000_000_000_000_009
GUILD_CHANNELS = {GUILD_ID: CHANNEL_ID, OTHER_GUILD_ID: OTHER_CHANNEL_ID}
IDENTIFY_WINDOW = 5.0  # max_concurrency identifies per 5 seconds per bucket (DAD events/gateway.mdx)
OWNER_ID = 1_400_000_000_000_000_004
USER_ID = 1_500_000_000_000_000_005
GROUP_DM_ID = 1_600_000_000_000_000_006

EPHEMERAL = 1 << 6
LOADING = 1 << 7
ALLOWED_MESSAGE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | (1 << 15)
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
MESSAGE_CONTENT = 1 << 15
MANAGE_MESSAGES = 1 << 13
BOT_ROLE_ID = 1_700_000_000_000_000_007  # the bot's own role (see bot_role_permissions)
MEMBER_PERMISSIONS = 2248473465835073  # what @everyone may do in the fake guild (no Manage Server)
ALL_PERMISSIONS = (1 << 50) - 1  # Discord computes every permission for the guild owner
SEND_MESSAGES = 1 << 11
# View Channel, Send Messages, Embed Links, Read Message History
BOT_INVITE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)
# Privileged intent -> the application flag the Developer Portal toggle sets for an app in under 100 servers
# (discord-api-docs resources/application.mdx "Application Flags": *_LIMITED = 1 << 13, 1 << 15, 1 << 19).
INTENT_APP_FLAGS = {1 << 8: 1 << 13, 1 << 1: 1 << 15, 1 << 15: 1 << 19}
# enforce_nonce: a repeated nonce within "the past few minutes" is the same message (DAD resources/message.mdx);
# Discord does not say how many, so the fake uses five and tests may shorten it (`nonce_window`).
NONCE_WINDOW = 300.0
READ_MESSAGE_HISTORY = 1 << 16

# Interaction type -> initial response types Discord accepts (receiving-and-responding.mdx).
ALLOWED_RESPONSES = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
CONTEXTS = {"guild": 0, "dm": 1, "group_dm": 2, "user_install_guild": 0}
OPTION_TYPES = {3: str, 4: int, 5: bool, 10: float}
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
MENTION = re.compile(r"@(everyone|here)|<@!?(\d+)>|<@&(\d+)>")

_counter = itertools.count()


def snowflake() -> int:
    """A real-looking id whose timestamp is now (discord.py derives `created_at`, and cooldowns, from it)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) % (1 << 22))


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def user_object(user_id: int, name: str | None = None, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name or f"user{user_id % 10_000}",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def validate_message(data: dict[str, Any], *, partial: bool = False) -> list[str]:
    """Discord's checks on a message body (content, embeds, components); the problems found."""
    problems: list[str] = []
    content = data.get("content") or ""
    embeds = data.get("embeds") or []
    components = data.get("components") or []
    if len(content) > 2000:
        problems.append("content: must be 2000 or fewer in length")
    if not partial and not content and not embeds and not components and not data.get("attachments"):
        problems.append("Cannot send an empty message")
    flags = data.get("flags") or 0
    if flags & ~ALLOWED_MESSAGE_FLAGS:
        problems.append(f"flags: {flags} has bits a message cannot set")
    if len(embeds) > 10:
        problems.append("embeds: at most 10")
    total = 0
    for i, embed in enumerate(embeds):
        title, description = embed.get("title") or "", embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        fields = embed.get("fields") or []
        for label, text, limit in (("title", title, 256), ("description", description, 4096),
                                   ("footer.text", footer, 2048), ("author.name", author, 256)):
            if len(text) > limit:
                problems.append(f"embeds.{i}.{label}: must be {limit} or fewer in length")
        if len(fields) > 25:
            problems.append(f"embeds.{i}.fields: at most 25")
        for j, f in enumerate(fields):
            name, value = f.get("name") or "", f.get("value") or ""
            if not 1 <= len(name) <= 256:
                problems.append(f"embeds.{i}.fields.{j}.name: must be 1-256 in length")
            if not 1 <= len(value) <= 1024:
                problems.append(f"embeds.{i}.fields.{j}.value: must be 1-1024 in length")
            total += len(name) + len(value)
        total += len(title) + len(description) + len(footer) + len(author)
    if total > 6000:
        problems.append(f"embeds: {total} characters in total, more than 6000")
    if len(components) > 5:
        problems.append("components: at most 5 action rows")
    for i, row in enumerate(components):
        if row.get("type") != 1:
            problems.append(f"components.{i}: top-level components must be action rows")
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            problems.append(f"components.{i}: an action row holds 1-5 components")
        for j, child in enumerate(children):
            where = f"components.{i}.components.{j}"
            if child.get("type") != 2:
                continue
            if len(child.get("label") or "") > 80:
                problems.append(f"{where}.label: must be 80 or fewer in length")
            if child.get("style") == 5:
                url = child.get("url") or ""
                if not url or len(url) > 512 or not url.startswith(("https://", "http://", "discord://")):
                    problems.append(f"{where}.url: a link button needs a URL of at most 512 characters")
                if "custom_id" in child:
                    problems.append(f"{where}: a link button cannot have a custom_id")
            elif not 1 <= len(child.get("custom_id") or "") <= 100:
                problems.append(f"{where}.custom_id: required, 1-100 characters")
    return problems


class FakeDiscordError(AssertionError):
    """The test asked for something Discord would not allow (e.g. a command that was never synced)."""


# -- what the bot sent ------------------------------------------------------------------------------------------


@dataclass
class Message:
    id: int
    channel_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    message_reference: dict[str, Any] | None = None
    uploads: list[dict[str, Any]] = field(default_factory=list)  # {"filename", "data"} of attached files
    allowed_mentions: dict[str, Any] | None = None  # as sent; None = not sent (Discord then pings every mention)

    def pings(self) -> set[str]:
        """Who this message notifies: "@everyone", "@here", "user:<id>", "role:<id>" (embeds never ping)."""
        allowed = self.allowed_mentions
        parse = set(allowed.get("parse") or []) if allowed is not None else {"everyone", "users", "roles"}
        users = {str(u) for u in (allowed or {}).get("users") or []}
        roles = {str(r) for r in (allowed or {}).get("roles") or []}
        found: set[str] = set()
        for match in MENTION.finditer(self.content):
            everyone, user, role = match.groups()
            if everyone and "everyone" in parse:
                found.add("@" + everyone)
            elif user and ("users" in parse or user in users):
                found.add(f"user:{user}")
            elif role and ("roles" in parse or role in roles):
                found.add(f"role:{role}")
        return found

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for row in self.components for c in row.get("components", []) if c.get("type") == 2]

    @property
    def urls(self) -> list[str]:
        return [b["url"] for b in self.buttons if "url" in b]

    def text(self) -> str:
        """Everything a reader sees, as one string (content, titles, descriptions, fields, footers)."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for f in embed.get("fields", []):
                parts += [f.get("name", ""), f.get("value", "")]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def update(self, body: dict[str, Any]) -> None:
        for key in ("content", "embeds", "components"):
            if key in body:
                setattr(self, key, body[key] or ([] if key != "content" else ""))
        if "allowed_mentions" in body:
            self.allowed_mentions = body["allowed_mentions"]
        if "_uploads" in body:
            self.uploads = body["_uploads"]

    def to_json(self, *, author: dict[str, Any], webhook_id: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0,
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "flags": self.flags,
            "author": author,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": iso_now(),
            "edited_timestamp": None,
        }
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
            data["application_id"] = str(APP_ID)
        if self.message_reference:
            data["message_reference"] = self.message_reference
        return data


@dataclass
class InteractionRecord:
    """One interaction as the user experiences it."""

    id: int
    token: str
    type: int
    name: str
    where: str
    user_id: int
    channel_id: int
    payload: dict[str, Any]
    sent_at: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    response_flags: int = 0
    response_at: float | None = None
    original: Message | None = None
    original_filled: bool = False
    followups: list[Message] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def deferred(self) -> bool:
        return self.response_type == 5

    @property
    def ephemeral(self) -> bool:
        """Visibility is fixed by the initial response (defer or message)."""
        return bool(self.response_flags & EPHEMERAL)

    @property
    def ack_seconds(self) -> float | None:
        return None if self.response_at is None else self.response_at - self.sent_at

    @property
    def messages(self) -> list[Message]:
        shown = [self.original] if self.original is not None and self.original_filled else []
        return shown + self.followups

    @property
    def message(self) -> Message:
        if not self.messages:
            raise AssertionError(f"/{self.name} has no message yet")
        return self.messages[0]

    @property
    def embed(self) -> dict[str, Any]:
        return self.message.embeds[0]

    def text(self) -> str:
        return "\n".join(m.text() for m in self.messages)

    def summary(self) -> str:
        return (
            f"/{self.name} in {self.where}: response={self.response_type} flags={self.response_flags} "
            f"filled={self.original_filled} followups={len(self.followups)}"
        )


# -- the server -----------------------------------------------------------------------------------------------


def shard_for(guild_id: int, shard_count: int) -> int:
    # The sharding formula (DAD events/gateway.mdx); events without a guild go to shard 0.
    return (guild_id >> 22) % shard_count


class GatewaySession:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.seq = 0
        self.session_id = secrets.token_hex(16)
        self.identified = False
        self.intents = 0
        self.shard: list[int] = [0, 1]

    async def send(self, op: int, d: Any, t: str | None = None) -> None:
        body: dict[str, Any] = {"op": op, "d": d, "s": None, "t": t}
        if op == 0:
            self.seq += 1
            body["s"] = self.seq
        await self.ws.send_str(json.dumps(body))


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Gotcha 1: exactly "application/json" (discord.py compares with ==; aiohttp would add "; charset=utf-8").
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


def discord_error(status: int, code: int, message: str, problems: list[str] | None = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if problems:
        body["errors"] = {"_form": {"_errors": [{"code": "INVALID", "message": p} for p in problems]}}
    return json_response(body, status)


class FakeDiscord(FakeRoles):
    """Start with `await fake.start()`, point discord.py at it with `restore = fake.point_client()`."""

    def __init__(self, *, token: str = "fake-bot-token-for-tests", response_deadline: float = 3.0,
                 token_lifetime: float = 15 * 60) -> None:
        self.token = token
        self.response_deadline = response_deadline
        self.token_lifetime = token_lifetime
        self.bot_user = user_object(BOT_USER_ID, "Staking Assistant", bot=True)
        self.owner = user_object(OWNER_ID, "owner")
        # State the tests read.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # None = global
        self.sync_calls: list[tuple[int | None, list[dict[str, Any]]]] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.requests: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.rate_limited = 0
        self.resumes = 0
        # Knobs.
        self.refuse_dms_from: set[int] = set()
        self.dm_failures: dict[int, tuple[int, int]] = {}  # user id -> (HTTP status, Discord code) of every DM
        self.files: dict[int, bytes] = {}  # attachment id -> bytes users uploaded (see `attachment`)
        self.downloads: list[int] = []  # attachment ids the bot downloaded
        # Privileged intents switched on for the app in the Developer Portal (IDENTIFY may ask only for these).
        self.allowed_privileged_intents = 0
        self.bot_role_permissions = 0  # extra guild permissions of the bot's role (set before the bot connects)
        self.deny_message_deletes = False  # DELETE of a user's message answers 403 50013 (missing permission)
        self.user_messages: dict[int, dict[str, Any]] = {}  # what users posted (message id -> MESSAGE_CREATE data)
        self.deleted_messages: list[tuple[int, int]] = []  # (channel id, message id) the bot deleted
        self.request_bodies: list[tuple[str, str, bytes]] = []  # every REST body the bot sent (not multipart)
        self.member_permissions: dict[int, int] = {OWNER_ID: ALL_PERMISSIONS}  # user id -> guild permissions
        self.extra_channels: dict[int, dict[str, Any]] = {}  # see add_channel
        self.channel_message_delay = 0.0  # see delay_channel_messages
        # The application as the Developer Portal configured it (GET /applications/@me): install contexts with
        # their default install settings (resources/application.mdx example), and no interactions endpoint URL.
        self.integration_types_config: dict[str, Any] = {
            "0": {"oauth2_install_params": {"scopes": ["applications.commands", "bot"],
                                            "permissions": str(BOT_INVITE_PERMISSIONS)}},
            "1": {"oauth2_install_params": {"scopes": ["applications.commands"], "permissions": "0"}},
        }
        self.interactions_endpoint_url: str | None = None
        self.bot_in_guild = True  # False: the bot was removed from (or never added to) the fake guild
        self.nonce_window = NONCE_WINDOW
        self.nonce_repeats = 0  # sends answered with the message an earlier send of the same nonce created
        self.guild_ids = [GUILD_ID]  # guilds the bot is in (add_guild adds a second one, on the other shard)
        self.max_concurrency = 1  # identifies allowed per 5 s per bucket (shard_id % max_concurrency)
        self.recommended_shards = 1  # what GET /gateway/bot says
        self._identify_times: dict[int, float] = {}
        self._session_shards: dict[str, list[int]] = {}  # a resumed session keeps its shard
        self._channel_failures: list[tuple[int, int, str, bool]] = []  # see fail_channel_messages
        self._release_messages = asyncio.Event()
        self._nonces: dict[tuple[int, str], tuple[float, Message]] = {}
        self._followup_429: list[tuple[float, bool]] = []
        self._command_ids: dict[tuple[int | None, str], int] = {}
        self._sessions: list[GatewaySession] = []
        self._identified = asyncio.Event()
        self._resumed = asyncio.Event()
        self._message_posted = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._init_roles()  # roles and member roles (tests/discord/fake_roles.py)

    # -- lifecycle --------------------------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._log_requests])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get(API_PREFIX + "/users/@me", self._bot_route(self._me))
        r.add_get(API_PREFIX + "/users/{user_id:\\d+}", self._bot_route(self._get_user))
        r.add_get(API_PREFIX + "/oauth2/applications/@me", self._bot_route(self._app_info))
        r.add_get(API_PREFIX + "/applications/@me", self._bot_route(self._app_info))
        r.add_get(API_PREFIX + "/users/@me/guilds", self._bot_route(self._my_guilds))
        r.add_get(API_PREFIX + "/guilds/{guild:\\d+}", self._bot_route(self._get_guild))
        r.add_get(API_PREFIX + "/guilds/{guild:\\d+}/channels", self._bot_route(self._get_guild_channels))
        r.add_get(API_PREFIX + "/guilds/{guild:\\d+}/members/{user_id:\\d+}", self._bot_route(self._get_member))
        r.add_get(API_PREFIX + "/gateway/bot", self._bot_route(self._gateway_bot))
        r.add_get(API_PREFIX + "/gateway", self._gateway_plain)
        for path in ("/applications/{app}/commands", "/applications/{app}/guilds/{guild}/commands"):
            r.add_put(API_PREFIX + path, self._bot_route(self._put_commands))
            r.add_get(API_PREFIX + path, self._bot_route(self._get_commands))
        r.add_post(API_PREFIX + "/interactions/{iid}/{token}/callback", self._callback)
        r.add_post(API_PREFIX + "/webhooks/{app}/{token}", self._followup)
        r.add_route("*", API_PREFIX + "/webhooks/{app}/{token}/messages/{mid}", self._webhook_message)
        r.add_post(API_PREFIX + "/users/@me/channels", self._bot_route(self._create_dm))
        r.add_post(API_PREFIX + "/channels/{cid}/messages", self._bot_route(self._channel_message))
        r.add_get(API_PREFIX + "/channels/{cid}/messages", self._bot_route(self._channel_history))
        r.add_delete(API_PREFIX + "/channels/{cid}/messages/{mid}", self._bot_route(self._delete_message))
        self.add_role_routes(r, API_PREFIX)
        r.add_get("/attachments/{cid}/{aid}/{filename}", self._download)
        r.add_route("*", "/{tail:.*}", self._unhandled)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for session in list(self._sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def point_client(self) -> Callable[[], None]:
        """Point the unmodified discord.py at this server; returns a function that restores the defaults."""
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def restore() -> None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved

        return restore

    # -- knobs ------------------------------------------------------------------------------------------------
    def fail_next_followups(self, count: int, *, retry_after: float = 0.2, is_global: bool = False) -> None:
        """Answer the next `count` followup/@original requests with 429 (Retry-After, Via, JSON retry_after)."""
        self._followup_429 += [(retry_after, is_global)] * count

    def refuse_dms(self, user_id: int) -> None:
        """DMs to this user fail with 403 code 50007, like a user who closed DMs or blocked the bot."""
        self.refuse_dms_from.add(user_id)

    def fail_dms(self, user_id: int, status: int, code: int = 0) -> None:
        """Every DM to this user fails with `status` and Discord `code` (e.g. 403 50001, or 500 0)."""
        self.dm_failures[user_id] = (status, code)

    def attachment(self, filename: str, data: bytes, content_type: str | None = "text/plain; charset=utf-8",
                   channel_id: int = CHANNEL_ID) -> dict[str, Any]:
        """A file a user uploads, as Discord lists it in a message (served at its `url` on 127.0.0.1)."""
        attachment_id = snowflake()
        self.files[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}/attachments/{channel_id}/{attachment_id}/{filename}"
        item: dict[str, Any] = {"id": str(attachment_id), "filename": filename, "size": len(data), "url": url,
                                "proxy_url": url}
        if content_type:
            item["content_type"] = content_type
        return item

    def add_guild(self) -> int:
        """Put the bot in a second guild (OTHER_GUILD_ID, with channel OTHER_CHANNEL_ID), on shard 0 of 2 while
        GUILD_ID is on shard 1 of 2. Call before the bot connects."""
        if OTHER_GUILD_ID not in self.guild_ids:
            self.guild_ids.append(OTHER_GUILD_ID)
        return OTHER_GUILD_ID

    def add_channel(self, name: str, *, members_can_post: bool = True, bot_can_post: bool = True,
                    bot_can_read_history: bool = True) -> int:
        """Another text channel in the guild (call before the bot connects: it is part of GUILD_CREATE)."""
        channel_id = snowflake()
        overwrites = []
        if not members_can_post:
            overwrites.append({"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)})
        # One overwrite per member, as Discord keeps them: what the bot may and may not do here.
        bot_allow = SEND_MESSAGES if bot_can_post and not members_can_post else 0
        bot_deny = (0 if bot_can_post else SEND_MESSAGES) | (0 if bot_can_read_history else READ_MESSAGE_HISTORY)
        if bot_allow or bot_deny:
            overwrites.append({"id": str(BOT_USER_ID), "type": 1, "allow": str(bot_allow), "deny": str(bot_deny)})
        self.extra_channels[channel_id] = {"name": name, "members_can_post": members_can_post,
                                           "bot_can_post": bot_can_post, "bot_can_read_history": bot_can_read_history,
                                           "overwrites": overwrites}
        return channel_id

    def delay_channel_messages(self, seconds: float) -> None:
        """Record each channel/DM message at once but answer the POST only after `seconds` (a slow Discord);
        `delay_channel_messages(0)` answers the waiting ones now."""
        self._release_messages.set()
        self._release_messages = asyncio.Event()
        self.channel_message_delay = seconds

    def fail_channel_messages(self, status: int, code: int, message: str, *, count: int = 1,
                              after_posting: bool = False) -> None:
        """Answer the next `count` channel/DM message POSTs with `status` (e.g. 400 50035, or 503); with
        `after_posting` the message is posted first (the reader sees it) and the error comes after."""
        self._channel_failures += [(status, code, message, after_posting)] * count

    # -- harness ----------------------------------------------------------------------------------------------
    async def wait_identified(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._identified.wait(), timeout)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the session whose shard holds its guild (no guild: shard 0)."""
        guild_id = data.get("guild_id")
        session = self._live_session(int(guild_id) if guild_id else None)
        await session.send(0, data, event)

    def _live_session(self, guild_id: int | None = None) -> GatewaySession:
        for session in reversed(self._sessions):
            shard_id, count = session.shard
            wanted = 0 if guild_id is None else shard_for(guild_id, count)
            if session.identified and not session.ws.closed and shard_id == wanted:
                return session
        raise FakeDiscordError(f"no bot session is connected for the shard of guild {guild_id}")

    def shard_connected(self, guild_id: int | None) -> bool:
        try:
            self._live_session(guild_id)
        except FakeDiscordError:
            return False
        return True

    def command(self, name: str, where: str = "guild", guild_id: int = GUILD_ID) -> dict[str, Any]:
        """The synced command a user in `where` would pick, as Discord would resolve it."""
        candidates = []
        if where == "guild":
            candidates += self.commands.get(guild_id, [])
        candidates += self.commands.get(None, [])
        for cmd in candidates:
            if cmd["name"] != name:
                continue
            is_global = cmd.get("guild_id") is None
            if is_global:
                contexts = cmd.get("contexts")
                installs = cmd.get("integration_types") or [0]
                if contexts is not None and CONTEXTS[where] not in contexts:
                    continue
                if where in ("group_dm", "user_install_guild") and 1 not in installs:
                    continue
            return cmd
        scope = "the dev guild or globally" if where == "guild" else "globally (guild commands exist only there)"
        raise FakeDiscordError(f"/{name} is not synced {scope} for use in {where}")

    def _options(self, command: dict[str, Any], values: dict[str, Any], focused: str | None) -> list[dict[str, Any]]:
        defs = {o["name"]: o for o in command.get("options") or []}
        out = []
        for name, value in values.items():
            if name not in defs:
                raise FakeDiscordError(f"/{command['name']} has no option {name!r} (has {sorted(defs)})")
            definition = defs[name]
            kind = definition["type"]
            if name != focused:
                expected = OPTION_TYPES.get(kind)
                if expected is not None and not isinstance(value, expected):
                    raise FakeDiscordError(f"option {name} takes {expected.__name__}")
                if kind == 3:
                    if len(value) < definition.get("min_length", 0) or len(value) > definition.get("max_length", 6000):
                        raise FakeDiscordError(f"Discord's picker would refuse {value!r} for {name} (length)")
            if kind in (6, 7, 8, 9, 11):
                value = str(value)  # users, channels, roles…: a snowflake string, resolved in data.resolved
            option = {"name": name, "type": kind, "value": value}
            if name == focused:
                option["focused"] = True
            out.append(option)
        if focused is None:
            missing = [n for n, d in defs.items() if d.get("required") and n not in values]
            if missing:
                raise FakeDiscordError(f"/{command['name']} needs {missing}")
        return out

    def _payload(self, itype: int, command: dict[str, Any], options: list[dict[str, Any]], where: str,
                 user_id: int, guild_id: int = GUILD_ID) -> tuple[dict[str, Any], int]:
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._envelope(itype, data, where, user_id, guild_id)

    def _envelope(self, itype: int, data: dict[str, Any], where: str, user_id: int,
                  guild_id: int = GUILD_ID) -> tuple[dict[str, Any], int]:
        """An INTERACTION_CREATE payload around `data`, from `user_id` in `where` (a guild: `guild_id`)."""
        user = self.owner if user_id == OWNER_ID else user_object(user_id)
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(APP_ID),
            "type": itype,
            "data": data,
            "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(60),
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": "2248473465835073",
            "context": CONTEXTS[where],
        }
        if where in ("guild", "user_install_guild"):
            channel_id = GUILD_CHANNELS[guild_id]
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(channel_id),
                channel={"id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": "general",
                         "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None},
                member={"user": user, "roles": [], "joined_at": iso_now(), "deaf": False, "mute": False, "flags": 0,
                        "pending": False, "permissions": str(self.member_permissions.get(user_id, MEMBER_PERMISSIONS)),
                        "nick": None, "avatar": None,
                        "premium_since": None, "communication_disabled_until": None},
            )
            owner_key = {"0": str(guild_id)} if where == "guild" else {"1": str(user_id)}
        else:
            channel_id = self.dm_channels.setdefault(user_id, snowflake()) if where == "dm" else GROUP_DM_ID
            channel: dict[str, Any] = {"id": str(channel_id), "type": 1 if where == "dm" else 3, "flags": 0,
                                       "recipients": [user], "last_message_id": None}
            if where == "group_dm":
                channel.update(name="friends", icon=None, owner_id=str(user_id))
            payload.update(user=user, channel_id=str(channel_id), channel=channel)
            owner_key = {"1": str(user_id)} if where != "dm" else {"0": "0", "1": str(user_id)}
        payload["authorizing_integration_owners"] = owner_key
        return payload, channel_id

    async def send_interaction(self, name: str, options: dict[str, Any] | None = None, *, itype: int = 2,
                               where: str = "guild", user_id: int = USER_ID,
                               focused: str | None = None, guild_id: int = GUILD_ID) -> InteractionRecord:
        """Send INTERACTION_CREATE without waiting for the answer."""
        if where not in CONTEXTS:
            raise ValueError(f"where must be one of {sorted(CONTEXTS)}")
        top, _, sub = name.partition(" ")  # "alert remove": a subcommand of the /alert group
        command = self.command(top, where, guild_id)
        group, _, leaf = sub.partition(" ")  # "roles rule add": subcommand `add` of the group `rule`
        if leaf:
            groupdef = next((o for o in command.get("options") or [] if o.get("type") == 2 and o["name"] == group), {})
            subdef = next((o for o in groupdef.get("options") or [] if o["name"] == leaf), None)
            if subdef is None:
                raise FakeDiscordError(f"/{top} has no subcommand {sub!r}")
            inner = self._options({**subdef, "name": name}, options or {}, focused)
            built = [{"name": group, "type": 2, "options": [{"name": leaf, "type": 1, "options": inner}]}]
        elif sub:
            subdef = next((o for o in command.get("options") or [] if o.get("type") == 1 and o["name"] == sub), None)
            if subdef is None:
                raise FakeDiscordError(f"/{top} has no subcommand {sub!r}")
            inner = self._options({**subdef, "name": name}, options or {}, focused)
            built = [{"name": sub, "type": 1, "options": inner}]
        else:
            inner = built = self._options(command, options or {}, focused)
        payload, channel_id = self._payload(itype, command, built, where, user_id, guild_id)
        picked = [int(o["value"]) for o in inner if o["type"] == 7 and not o.get("focused")]
        if picked:
            payload["data"]["resolved"] = {"channels": {str(c): self._resolved_channel(c, user_id) for c in picked}}
        roles = [int(o["value"]) for o in inner if o["type"] == 8 and not o.get("focused")]
        if roles:
            payload["data"].setdefault("resolved", {})["roles"] = self.resolved_roles(roles)
        record = InteractionRecord(id=int(payload["id"]), token=payload["token"], type=itype, name=name,
                                   where=where, user_id=user_id, channel_id=channel_id, payload=payload)
        self.interactions[record.id] = record
        record.sent_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def slash(self, name: str, options: dict[str, Any] | None = None, *, guild: bool = True,
                    where: str | None = None, user_id: int = USER_ID, timeout: float = 15.0,
                    guild_id: int = GUILD_ID) -> InteractionRecord:
        """Run a slash command as a user would; returns once the bot's answer is visible.

        `guild=True` is a server where the bot is installed, `guild=False` the bot DM; `where` can also be
        "group_dm" or "user_install_guild" (a server where only the user installed the app).
        """
        record = await self.send_interaction(name, options, where=where or ("guild" if guild else "dm"),
                                             user_id=user_id, guild_id=guild_id)
        try:
            await asyncio.wait_for(record.answered.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"no answer within {timeout} s: {record.summary()}") from None
        return record

    async def autocomplete(self, name: str, options: dict[str, Any], *, focused: str | None = None,
                           guild: bool = True, user_id: int = USER_ID, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Type into an option; returns the choices the bot offered. `focused` defaults to the last option."""
        focused = focused or list(options)[-1]
        record = await self.send_interaction(name, options, itype=4, where="guild" if guild else "dm",
                                             user_id=user_id, focused=focused)
        await asyncio.wait_for(record.answered.wait(), timeout)
        assert record.choices is not None
        return record.choices

    async def message(self, content: str, *, author_id: int = OWNER_ID, timeout: float = 10.0,
                      channel_id: int = CHANNEL_ID, attachments: list[dict[str, Any]] | None = None,
                      forwards: str | None = None) -> list[Message]:
        """A user posts `content` (and `attachments`, see `attachment`) in a guild channel, or forwards a message
        whose text is `forwards`; returns the bot's replies in that channel.

        Like Discord, the bot sees the text only with the Message Content intent, or when the message mentions it.
        """
        before = len(self.channel_messages.get(channel_id, []))
        original = self.user_message(forwards, user_object(author_id + 1), GROUP_DM_ID) if forwards is not None else None
        data = self.guild_message(content, author_id=author_id, channel_id=channel_id, attachments=attachments)
        if original is not None:  # a forward: empty content, the original in a snapshot (message_reference type 1)
            data["message_reference"] = {"type": 1, "message_id": original["id"], "channel_id": str(GROUP_DM_ID)}
            data["message_snapshots"] = [{"message": {k: original[k] for k in (
                "content", "attachments", "embeds", "timestamp", "edited_timestamp", "type", "flags", "mentions",
                "mention_roles")}}]
        await self.dispatch("MESSAGE_CREATE", self._as_seen(data))
        return await self._replies(channel_id, before, timeout)

    def guild_message(self, content: str, *, author_id: int = OWNER_ID, channel_id: int = CHANNEL_ID,
                      attachments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A message a user posted in a guild channel, without dispatching it (the bot never saw it)."""
        author = self.owner if author_id == OWNER_ID else user_object(author_id)
        mentions = [self.bot_user] if f"<@{BOT_USER_ID}>" in content else []
        data = self.user_message(content, author, channel_id, mentions=mentions)
        data.update(guild_id=str(GUILD_ID), attachments=attachments or [],
                    member={"roles": [], "joined_at": iso_now(), "deaf": False, "mute": False, "flags": 0})
        return data

    def _as_seen(self, data: dict[str, Any]) -> dict[str, Any]:
        """Without Message Content, Discord sends no text or files of a message that does not mention the bot."""
        if data["mentions"] or self._live_session(GUILD_ID).intents & MESSAGE_CONTENT:
            return data
        return {**data, "content": "", "attachments": [], "embeds": [], "message_snapshots": []}

    async def edit_message(self, message_id: int, content: str, *, attachments: list[dict[str, Any]] | None = None,
                           timeout: float = 10.0) -> list[Message]:
        """The author edits one of their guild messages (cached by the bot or not); returns the bot's replies."""
        data = dict(self.user_messages[message_id])
        channel_id = int(data["channel_id"])
        before = len(self.channel_messages.get(channel_id, []))
        data.update(content=content, edited_timestamp=iso_now())
        if attachments is not None:
            data["attachments"] = attachments
        data["mentions"] = [self.bot_user] if f"<@{BOT_USER_ID}>" in content else []
        self.user_messages[message_id] = data
        await self.dispatch("MESSAGE_UPDATE", self._as_seen(data))
        return await self._replies(channel_id, before, timeout)

    async def dm_message(self, content: str, *, author_id: int = USER_ID, timeout: float = 10.0) -> list[Message]:
        """A user writes to the bot in their DM with it (content always visible); returns the bot's replies there."""
        channel_id = self.dm_channels.setdefault(author_id, snowflake())
        before = len(self.channel_messages.get(channel_id, []))
        author = self.owner if author_id == OWNER_ID else user_object(author_id)
        await self.dispatch("MESSAGE_CREATE", self.user_message(content, author, channel_id))
        return await self._replies(channel_id, before, timeout)

    def user_message(self, content: str, author: dict[str, Any], channel_id: int = CHANNEL_ID, *,
                     mentions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A message a user posted (MESSAGE_CREATE data, without dispatching it), e.g. a context-menu target."""
        data = {
            "id": str(snowflake()), "channel_id": str(channel_id), "author": author,
            "content": content, "timestamp": iso_now(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": mentions or [], "mention_roles": [], "attachments": [],
            "embeds": [], "pinned": False, "type": 0, "flags": 0,
        }
        self.user_messages[int(data["id"])] = data
        return data

    async def _replies(self, channel_id: int, before: int, timeout: float) -> list[Message]:
        def replied() -> bool:
            return len(self.channel_messages.get(channel_id, [])) > before

        async with self._message_posted:
            await asyncio.wait_for(self._message_posted.wait_for(replied), timeout)
        return self.channel_messages[channel_id][before:]

    async def wait_messages(self, channel_id: int, count: int, timeout: float = 10.0) -> list[Message]:
        """Wait until `channel_id` (a channel or a user's DM channel) holds at least `count` bot messages."""
        async with self._message_posted:
            await asyncio.wait_for(
                self._message_posted.wait_for(lambda: len(self.channel_messages.get(channel_id, [])) >= count),
                timeout,
            )
        return self.channel_messages[channel_id]

    async def context_menu(self, name: str, target: dict[str, Any], *, where: str = "guild", user_id: int = USER_ID,
                           timeout: float = 15.0) -> InteractionRecord:
        """Right-click a message (`target`: MESSAGE_CREATE-like data) → Apps → `name`; returns once answered."""
        command = self.command(name, where)
        if command.get("type") != 3:
            raise FakeDiscordError(f"{name!r} is not a message command")
        payload, channel_id = self._payload(2, command, [], where, user_id)
        data = payload["data"]
        data.pop("options", None)
        data.update(type=3, target_id=target["id"], resolved={"messages": {target["id"]: target}})
        record = InteractionRecord(id=int(payload["id"]), token=payload["token"], type=2, name=name,
                                   where=where, user_id=user_id, channel_id=channel_id, payload=payload)
        return await self._answered(record, timeout)

    async def _answered(self, record: InteractionRecord, timeout: float) -> InteractionRecord:
        """Send the interaction's INTERACTION_CREATE and wait until the bot has answered it."""
        self.interactions[record.id] = record
        record.sent_at = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", record.payload)
        try:
            await asyncio.wait_for(record.answered.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"no answer within {timeout} s: {record.summary()}") from None
        return record

    async def click(self, message: Message, label: str, *, user_id: int = USER_ID, where: str | None = None,
                    timeout: float = 15.0) -> InteractionRecord:
        """Press the button labelled `label` on a message the bot sent; returns the interaction once answered.

        Like Discord: a link button opens the browser and sends nothing (FakeDiscordError); only the user an
        ephemeral message was shown to can press its buttons; the bot gets a MESSAGE_COMPONENT interaction (type 3)
        with the button's custom_id and the message.
        """
        button = next((b for b in message.buttons if b.get("label") == label), None)
        if button is None:
            raise FakeDiscordError(f"no button {label!r} on the message (has {[b.get('label') for b in message.buttons]})")
        if button.get("style") == 5 or "custom_id" not in button:
            raise FakeDiscordError(f"{label!r} is a link button: Discord opens its URL and tells the bot nothing")
        owner = next((r for r in self.interactions.values() if any(m is message for m in r.messages)), None)
        if message.ephemeral and (owner is None or owner.user_id != user_id):
            raise FakeDiscordError("only the user an ephemeral message was shown to can press its buttons")
        dm_user = next((u for u, c in self.dm_channels.items() if c == message.channel_id), None)
        where = where or (owner.where if owner is not None else "dm" if dm_user is not None else "guild")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        guild_id = next((g for g, c in GUILD_CHANNELS.items() if c == message.channel_id), GUILD_ID)
        payload, channel_id = self._envelope(3, data, where, user_id, guild_id)
        from_webhook = owner is not None  # an interaction's answer comes from the application's webhook
        payload["message"] = message.to_json(author=self.bot_user, webhook_id=APP_ID if from_webhook else None)
        record = InteractionRecord(id=int(payload["id"]), token=payload["token"], type=3, name=f"[{label}]",
                                   where=where, user_id=user_id, channel_id=channel_id, payload=payload)
        return await self._answered(record, timeout)

    async def request_reconnect(self, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT; returns once the client has resumed its session."""
        self._resumed.clear()
        await self._live_session(GUILD_ID).send(7, None)
        await asyncio.wait_for(self._resumed.wait(), timeout)

    # -- REST: plumbing ---------------------------------------------------------------------------------------
    @web.middleware
    async def _log_requests(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if request.body_exists and request.content_type != "multipart/form-data":
            self.request_bodies.append((request.method, request.path, await request.read()))  # read() is cached
        return await handler(request)

    def _bot_route(self, handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if request.headers.get("Authorization") != f"Bot {self.token}":
                self.violations.append(f"{request.method} {request.path} without the bot token")
                return discord_error(401, 0, "401: Unauthorized")
            return await handler(request)

        return guarded

    async def _unhandled(self, request: web.Request) -> web.Response:
        self.violations.append(f"unhandled route {request.method} {request.path}")
        return discord_error(404, 0, "404: Not Found")

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            raw = form.get("payload_json")
            body = json.loads(str(raw)) if raw is not None else {}
            # Uploaded files (charts, QR codes): keep name, size and bytes so tests can check what users get.
            uploads = [
                {"filename": field.filename, "data": field.file.read()}
                for name, field in form.items()
                if name.startswith("files[") and hasattr(field, "file")
            ]
            if uploads:
                body["_uploads"] = uploads
            return body
        if not request.body_exists:
            return {}
        return json.loads(await request.text() or "{}")  # text() reuses the bytes _log_requests read

    # -- REST: login, gateway, commands -----------------------------------------------------------------------
    async def _me(self, request: web.Request) -> web.Response:
        return json_response({**self.bot_user, "verified": True, "mfa_enabled": False})

    async def _get_user(self, request: web.Request) -> web.Response:
        user_id = int(request.match_info["user_id"])
        return json_response(self.owner if user_id == OWNER_ID else user_object(user_id))

    @property
    def app_flags(self) -> int:
        flags = 0
        for intent, flag in INTENT_APP_FLAGS.items():
            if self.allowed_privileged_intents & intent:
                flags |= flag
        return flags

    async def _app_info(self, request: web.Request) -> web.Response:
        # The application object (resources/application.mdx); both routes return it.
        body: dict[str, Any] = {
            "id": str(APP_ID), "name": "Staking Assistant", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": self.owner, "verify_key": "00" * 32, "flags": self.app_flags,
            "team": None, "summary": "", "rpc_origins": [], "bot": self.bot_user,
            "interactions_endpoint_url": self.interactions_endpoint_url,
            "integration_types_config": self.integration_types_config,
            "approximate_guild_count": 1 if self.bot_in_guild else 0,
        }
        if "0" in self.integration_types_config:
            body["install_params"] = self.integration_types_config["0"].get("oauth2_install_params")
        return json_response(body)

    # -- REST: guilds the bot is in -----------------------------------------------------------------------------
    def _member_guild(self, request: web.Request) -> web.Response | None:
        """None when the bot may read this guild, else Discord's answer for a guild it is not in."""
        if int(request.match_info["guild"]) == GUILD_ID and self.bot_in_guild:
            return None
        return discord_error(403, 50001, "Missing Access")

    async def _my_guilds(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 200))
        if not 1 <= limit <= 200:
            return discord_error(400, 50035, "Invalid Form Body", ["limit: must be between 1 and 200"])
        after = int(request.query.get("after", 0))
        guilds = []
        if self.bot_in_guild and GUILD_ID > after:
            guilds.append({"id": str(GUILD_ID), "name": "NEAR Stakers", "icon": None, "banner": None, "owner": False,
                           "permissions": str(self._bot_guild_permissions()), "features": []})
        return json_response(guilds[:limit])

    def _bot_guild_permissions(self) -> int:
        return int(self._guild_create()["roles"][0]["permissions"]) | self.bot_role_permissions

    async def _get_guild(self, request: web.Request) -> web.Response:
        refused = self._member_guild(request)
        if refused is not None:
            return refused
        guild = self._guild_create()
        for live_only in ("members", "channels", "threads", "voice_states", "presences", "stage_instances",
                          "guild_scheduled_events", "soundboard_sounds", "joined_at", "large", "unavailable",
                          "member_count"):
            guild.pop(live_only)  # GUILD_CREATE extras that the REST guild object does not carry
        return json_response(guild)

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        refused = self._member_guild(request)
        if refused is not None:
            return refused
        return json_response([{**c, "guild_id": str(GUILD_ID)} for c in self._guild_create()["channels"]])

    async def _get_member(self, request: web.Request) -> web.Response:
        refused = self._member_guild(request)
        if refused is not None:
            return refused
        if int(request.match_info["user_id"]) != BOT_USER_ID:
            return discord_error(404, 10007, "Unknown Member")
        [member] = self._guild_create()["members"]
        return json_response(member)

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return json_response({
            "url": self.gateway_url, "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                    "max_concurrency": self.max_concurrency},
        })

    async def _gateway_plain(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    def _check_command(self, cmd: dict[str, Any]) -> list[str]:
        problems = []
        name = cmd.get("name", "")
        if cmd.get("type", 1) == 1 and (not COMMAND_NAME.match(name) or name != name.lower()):
            problems.append(f"command name {name!r} is invalid")
        elif not 1 <= len(name) <= 32:  # user and message commands: 1-32 characters, spaces and capitals allowed
            problems.append(f"command name {name!r} is invalid")
        if cmd.get("type", 1) == 1 and not 1 <= len(cmd.get("description", "")) <= 100:
            problems.append(f"/{name}: description must be 1-100 characters")
        options = cmd.get("options") or []
        if len(options) > 25:
            problems.append(f"/{name}: more than 25 options")
        seen_optional = False
        for option in options:
            if not COMMAND_NAME.match(option.get("name", "")):
                problems.append(f"/{name}: option name {option.get('name')!r} is invalid")
            if not 1 <= len(option.get("description", "")) <= 100:
                problems.append(f"/{name} {option.get('name')}: description must be 1-100 characters")
            if option.get("required"):
                if seen_optional:
                    problems.append(f"/{name}: required options must come before optional ones")
            else:
                seen_optional = True
            choices = option.get("choices") or []
            if len(choices) > 25:
                problems.append(f"/{name} {option['name']}: more than 25 choices")
            if choices and option.get("autocomplete"):
                problems.append(f"/{name} {option['name']}: autocomplete cannot be combined with choices")
        if not set(cmd.get("integration_types") or []) <= {0, 1}:
            problems.append(f"/{name}: integration_types must be 0 (guild) or 1 (user)")
        if not set(cmd.get("contexts") or []) <= {0, 1, 2}:
            problems.append(f"/{name}: contexts must be 0, 1 or 2")
        return problems

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        if int(request.match_info["app"]) != APP_ID or (guild and self._member_guild(request) is not None):
            return discord_error(403, 50001, "Missing Access")
        body = await self._body(request)
        if not isinstance(body, list) or len(body) > 100:
            return discord_error(400, 50035, "Invalid Form Body", ["expected a list of at most 100 commands"])
        problems = [p for cmd in body for p in self._check_command(cmd)]
        if problems:
            self.violations += problems
            return discord_error(400, 50035, "Invalid Form Body", problems)
        stored = []
        for cmd in body:
            key = (guild_id, cmd["name"])
            cmd_id = self._command_ids.setdefault(key, snowflake())
            stored.append({
                **cmd, "id": str(cmd_id), "application_id": str(APP_ID), "version": str(snowflake()),
                "guild_id": str(guild_id) if guild_id else None, "type": cmd.get("type", 1),
                "description": cmd.get("description", ""),  # Discord answers "" for user and message commands
                "default_member_permissions": cmd.get("default_member_permissions"),
                "nsfw": cmd.get("nsfw", False),
            })
        self.commands[guild_id] = stored
        self.sync_calls.append((guild_id, stored))
        return json_response(stored)

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        if int(request.match_info["app"]) != APP_ID or (guild and self._member_guild(request) is not None):
            return discord_error(403, 50001, "Missing Access")
        return json_response(self.commands.get(int(guild) if guild else None, []))

    # -- REST: interactions -----------------------------------------------------------------------------------
    def _record_by_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    def _rate_limit(self) -> web.Response | None:
        if not self._followup_429:
            return None
        retry_after, is_global = self._followup_429.pop(0)
        self.rate_limited += 1
        # Gotcha 2: a `Via` header and a JSON body, or discord.py treats it as a Cloudflare ban.
        return json_response(
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global},
            429,
            {"Via": "1.1 google", "Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Scope": "user",
             **({"X-RateLimit-Global": "true"} if is_global else {})},
        )

    def _webhook_record(self, request: web.Request) -> tuple[InteractionRecord | None, web.Response | None]:
        record = self._record_by_token(request.match_info["token"])
        if record is None or int(request.match_info["app"]) != APP_ID:
            self.violations.append(f"{request.method} webhook with an unknown token")
            return None, discord_error(404, 10015, "Unknown Webhook")
        if not record.acknowledged:
            self.violations.append(f"/{record.name}: {request.method} webhook before the initial response")
            return None, discord_error(404, 10015, "Unknown Webhook")
        if time.monotonic() - record.sent_at > self.token_lifetime:
            self.violations.append(f"/{record.name}: webhook after the 15 min token lifetime")
            return None, discord_error(401, 50027, "Invalid Webhook Token")
        return record, None

    async def _callback(self, request: web.Request) -> web.Response:
        record = self.interactions.get(int(request.match_info["iid"]))
        if record is None or record.token != request.match_info["token"]:
            self.violations.append("callback for an unknown interaction")
            return discord_error(404, 10062, "Unknown interaction")
        now = time.monotonic()
        if now - record.sent_at > self.response_deadline:
            self.violations.append(f"/{record.name}: initial response after {now - record.sent_at:.2f} s (> 3 s)")
            return discord_error(404, 10062, "Unknown interaction")
        if record.acknowledged:
            self.violations.append(f"/{record.name}: second initial response")
            return discord_error(400, 40060, "Interaction has already been acknowledged.")
        body = await self._body(request)
        rtype, data = body.get("type"), body.get("data") or {}
        problems: list[str] = []
        if rtype not in ALLOWED_RESPONSES.get(record.type, set()):
            problems.append(f"type: response type {rtype} is invalid for interaction type {record.type}")
        elif rtype == 5:
            extra = set(data) - {"flags"}
            if extra or (data.get("flags") or 0) & ~EPHEMERAL:
                problems.append(f"data: a deferred response may only carry the EPHEMERAL flag (got {data})")
        elif rtype == 4:
            problems += validate_message(data)
        elif rtype == 8:
            choices = data.get("choices")
            if not isinstance(choices, list) or len(choices) > 25:
                problems.append("data.choices: a list of at most 25 choices")
            else:
                for i, choice in enumerate(choices):
                    if not 1 <= len(str(choice.get("name", ""))) <= 100:
                        problems.append(f"data.choices.{i}.name: must be 1-100 characters")
                    if isinstance(choice.get("value"), str) and len(choice["value"]) > 100:
                        problems.append(f"data.choices.{i}.value: must be 100 or fewer characters")
        if problems:
            self.violations += [f"/{record.name}: {p}" for p in problems]
            return discord_error(400, 50035, "Invalid Form Body", problems)
        flags = data.get("flags") or 0
        record.response_type, record.response_flags, record.response_at = rtype, flags, now
        message: Message | None = None
        if rtype in (4, 5):
            message = Message(id=snowflake(), channel_id=record.channel_id, flags=flags | (LOADING if rtype == 5 else 0))
            if rtype == 4:
                message.update(data)
                record.original_filled = True
                record.answered.set()
            record.original = message
        elif rtype == 8:
            record.choices = data["choices"]
            record.answered.set()
        if request.query.get("with_response") in ("1", "true", "True"):
            # Gotcha 3: with_response=1 wants 200 + JSON (without it Discord answers 204).
            resource: dict[str, Any] = {"type": rtype}
            if message is not None:
                resource["message"] = message.to_json(author=self.bot_user, webhook_id=APP_ID)
            return json_response({
                "interaction": {
                    "id": str(record.id), "type": record.type, "activity_instance_id": None,
                    "response_message_id": str(message.id) if message else None,
                    "response_message_loading": rtype == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                },
                "resource": resource,
            })
        return web.Response(status=204)

    async def _followup(self, request: web.Request) -> web.StreamResponse:
        record, error = self._webhook_record(request)
        if record is None:
            assert error is not None
            return error
        limited = self._rate_limit()
        if limited is not None:
            return limited
        body = await self._body(request)
        problems = validate_message(body)
        if problems:
            self.violations += [f"/{record.name} followup: {p}" for p in problems]
            return discord_error(400, 50035, "Invalid Form Body", problems)
        if record.deferred and not record.original_filled and record.original is not None:
            # Discord: the first followup after a defer replaces the loading message, keeping its visibility.
            message = record.original
            message.update(body)
            message.flags = record.response_flags
            record.original_filled = True
        else:
            message = Message(id=snowflake(), channel_id=record.channel_id, flags=body.get("flags") or 0)
            message.update(body)
            record.followups.append(message)
        record.answered.set()
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message.to_json(author=self.bot_user, webhook_id=APP_ID))
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        record, error = self._webhook_record(request)
        if record is None:
            assert error is not None
            return error
        mid = request.match_info["mid"]
        if mid == "@original":
            message = record.original
        else:
            message = next((m for m in record.followups if str(m.id) == mid), None)
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        if request.method == "GET":
            return json_response(message.to_json(author=self.bot_user, webhook_id=APP_ID))
        if request.method == "DELETE":
            if message is record.original:
                record.original, record.original_filled = None, False
            else:
                record.followups.remove(message)
            return web.Response(status=204)
        if request.method != "PATCH":
            return discord_error(405, 0, "405: Method Not Allowed")
        limited = self._rate_limit()
        if limited is not None:
            return limited
        body = await self._body(request)
        problems = validate_message(body, partial=True)
        if problems:
            self.violations += [f"/{record.name} edit: {p}" for p in problems]
            return discord_error(400, 50035, "Invalid Form Body", problems)
        message.update(body)
        if message is record.original:
            message.flags &= ~LOADING
            record.original_filled = True
        record.answered.set()
        return json_response(message.to_json(author=self.bot_user, webhook_id=APP_ID))

    # -- REST: DMs and channel messages -----------------------------------------------------------------------
    async def _create_dm(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user_id = int(body["recipient_id"])
        channel_id = self.dm_channels.setdefault(user_id, snowflake())
        return json_response({"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0,
                              "recipients": [user_object(user_id)]})

    async def _channel_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["cid"])
        recipient = next((u for u, c in self.dm_channels.items() if c == channel_id), None)
        extra = self.extra_channels.get(channel_id)
        if channel_id not in self._guild_channels() and recipient is None and extra is None:
            return discord_error(404, 10003, "Unknown Channel")
        if extra is not None and not extra["bot_can_post"]:
            return discord_error(403, 50013, "Missing Permissions")
        if recipient is not None and recipient in self.refuse_dms_from:
            return discord_error(403, 50007, "Cannot send messages to this user")
        if recipient is not None and recipient in self.dm_failures:
            status, code = self.dm_failures[recipient]
            return discord_error(status, code, "DM refused by the test")
        body = await self._body(request)
        problems = validate_message(body)
        if (body.get("flags") or 0) & EPHEMERAL:
            problems.append("flags: only interaction responses can be ephemeral")
        if problems:
            self.violations += [f"channel message: {p}" for p in problems]
            return discord_error(400, 50035, "Invalid Form Body", problems)
        nonce = body.get("nonce")
        earlier = self._nonces.get((channel_id, str(nonce))) if body.get("enforce_nonce") and nonce else None
        if earlier is not None and time.monotonic() - earlier[0] < self.nonce_window:
            # enforce_nonce: Discord answers with the message it already created; nobody sees a second one.
            self.nonce_repeats += 1
            return json_response(earlier[1].to_json(author=self.bot_user))
        failure = self._channel_failures.pop(0) if self._channel_failures else None
        if failure is not None and not failure[3]:
            return discord_error(failure[0], failure[1], failure[2])
        message = Message(id=snowflake(), channel_id=channel_id, flags=body.get("flags") or 0,
                          message_reference=body.get("message_reference"))
        message.update(body)
        if nonce:
            self._nonces[(channel_id, str(nonce))] = (time.monotonic(), message)
        async with self._message_posted:
            self.channel_messages.setdefault(channel_id, []).append(message)
            self._message_posted.notify_all()
        if failure is not None:  # posted, and yet the sender is told it failed
            return discord_error(failure[0], failure[1], failure[2])
        if self.channel_message_delay:  # delivered, but the sender hears back late
            try:
                await asyncio.wait_for(self._release_messages.wait(), self.channel_message_delay)
            except TimeoutError:
                pass
        return json_response(message.to_json(author=self.bot_user))

    async def _download(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["aid"])
        if attachment_id not in self.files:
            return web.Response(status=404)
        self.downloads.append(attachment_id)
        return web.Response(body=self.files[attachment_id], content_type="application/octet-stream")

    async def _channel_history(self, request: web.Request) -> web.Response:
        """GET channel messages: newest first; `before`/`after`/`around` exclusive; nothing without the
        READ_MESSAGE_HISTORY permission (DAD resources/message.mdx, Get Channel Messages)."""
        channel_id = int(request.match_info["cid"])
        recipient = next((u for u, c in self.dm_channels.items() if c == channel_id), None)
        extra = self.extra_channels.get(channel_id)
        if channel_id not in self._guild_channels() and recipient is None and extra is None:
            return discord_error(404, 10003, "Unknown Channel")
        anchors = [k for k in ("before", "after", "around") if k in request.query]
        limit = int(request.query.get("limit", "50"))
        if len(anchors) > 1 or not 1 <= limit <= 100:
            self.violations.append(f"GET messages with {anchors} limit={limit}")
            return discord_error(400, 50035, "Invalid Form Body")
        if extra is not None and not extra["bot_can_read_history"]:
            return json_response([])
        posted = sorted(self.channel_messages.get(channel_id, []), key=lambda m: m.id)
        if "after" in request.query:
            after = int(request.query["after"])
            chosen = [m for m in posted if m.id > after][:limit]  # the `limit` right after the anchor …
        elif "before" in request.query:
            before = int(request.query["before"])
            chosen = [m for m in posted if m.id < before][-limit:]
        else:
            chosen = posted[-limit:]
        # … returned newest first, like every page
        return json_response([m.to_json(author=self.bot_user) for m in reversed(chosen)])

    def _guild_channels(self) -> set[int]:
        return {GUILD_CHANNELS[g] for g in self.guild_ids}

    def _resolved_channel(self, channel_id: int, user_id: int) -> dict[str, Any]:
        """A channel option as Discord resolves it: with the invoking member's permissions in that channel."""
        extra = self.extra_channels.get(channel_id)
        if extra is None and channel_id != CHANNEL_ID:
            raise FakeDiscordError(f"no channel {channel_id} in the guild")
        permissions = self.member_permissions.get(user_id, MEMBER_PERMISSIONS)
        if extra is not None and not extra["members_can_post"] and not permissions & (1 << 3):
            permissions &= ~SEND_MESSAGES
        return {"id": str(channel_id), "type": 0, "name": extra["name"] if extra else "general",
                "permissions": str(permissions), "parent_id": None, "position": 0, "nsfw": False, "flags": 0}

    async def _delete_message(self, request: web.Request) -> web.Response:
        channel_id, message_id = int(request.match_info["cid"]), int(request.match_info["mid"])
        posted = self.user_messages.get(message_id)
        if posted is None or int(posted["channel_id"]) != channel_id or (channel_id, message_id) in self.deleted_messages:
            return discord_error(404, 10008, "Unknown Message")
        if self.deny_message_deletes:
            return discord_error(403, 50013, "Missing Permissions")
        self.deleted_messages.append((channel_id, message_id))
        return web.Response(status=204)

    def _bot_role(self) -> list[dict[str, Any]]:
        if not self.bot_role_permissions:
            return []
        return [{"id": str(BOT_ROLE_ID), "name": "Staking Assistant", "permissions": str(self.bot_role_permissions),
                 "position": self.bot_role_position, "color": 0, "hoist": False, "managed": True, "mentionable": False, "flags": 0}]

    # -- gateway ----------------------------------------------------------------------------------------------
    def _guild_create(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": "2248473465835073", "position": 0,
                    "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        extra = self.extra_channels.items() if guild_id == GUILD_ID else []
        return {
            "id": str(guild_id), "name": "NEAR Stakers" if guild_id == GUILD_ID else "NEAR Validators", "icon": None,
            "owner_id": str(OWNER_ID),
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": [everyone, *self._bot_role(), *(self._extra_roles() if guild_id == GUILD_ID else [])], "emojis": [], "stickers": [], "features": [],
            "mfa_level": 0, "system_channel_flags": 0, "premium_tier": 0, "preferred_locale": "en-US",
            "nsfw_level": 0, "premium_progress_bar_enabled": False, "joined_at": iso_now(), "large": False,
            "unavailable": False, "member_count": 2, "voice_states": [], "threads": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "members": [{"user": self.bot_user, "roles": [str(BOT_ROLE_ID)] if self.bot_role_permissions else [],
                         "joined_at": iso_now(), "deaf": False, "mute": False, "flags": 0}],
            "channels": [{"id": str(GUILD_CHANNELS[guild_id]), "type": 0, "name": "general", "position": 0,
                          "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None}]
            + [{"id": str(cid), "type": 0, "name": c["name"], "position": 1, "permission_overwrites": c["overwrites"],
                "nsfw": False, "parent_id": None, "topic": None} for cid, c in extra],
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = GatewaySession(ws)
        self._sessions.append(session)
        await session.send(10, {"heartbeat_interval": 41_250})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, d = frame.get("op"), frame.get("d")
            if op == 1:
                await session.send(11, None)
            elif op == 2:
                await self._identify(session, d)
            elif op == 6:
                await self._resume(session, d)
        self._sessions.remove(session)
        return ws

    async def _identify(self, session: GatewaySession, d: dict[str, Any]) -> None:
        self.identify_payloads.append({k: v for k, v in d.items() if k != "token"})
        if d.get("token") != self.token and d.get("token") != f"Bot {self.token}":
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        if d.get("intents", 0) & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            self.violations.append("IDENTIFY asked for privileged intents")
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        if not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            self.violations.append(f"IDENTIFY with an invalid shard {shard}")
            await session.ws.close(code=4010, message=b"Invalid shard.")
            return
        bucket, now = shard[0] % self.max_concurrency, time.monotonic()
        if now - self._identify_times.get(bucket, -IDENTIFY_WINDOW) < IDENTIFY_WINDOW:
            await session.send(9, False)  # over max_concurrency: Invalid Session, identify again later
            return
        self._identify_times[bucket] = now
        session.shard = list(shard)
        self._session_shards[session.session_id] = session.shard
        session.intents = int(d.get("intents", 0))
        session.identified = True
        guilds = [g for g in self.guild_ids if shard_for(g, shard[1]) == shard[0]]
        await session.send(0, {
            "v": 10, "user": self.bot_user, "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "session_id": session.session_id, "resume_gateway_url": self.gateway_url,
            "shard": session.shard,  # gotcha 4: AutoShardedBot reads it
            "application": {"id": str(APP_ID), "flags": self.app_flags},
        }, "READY")
        for guild_id in guilds:
            await session.send(0, self._guild_create(guild_id), "GUILD_CREATE")
        self._identified.set()

    async def _resume(self, session: GatewaySession, d: dict[str, Any]) -> None:
        previous = next((s for s in self._sessions if s.session_id == d.get("session_id")), None)
        if d.get("token") not in (self.token, f"Bot {self.token}") or d.get("session_id") is None:
            await session.send(9, False)
            return
        session.session_id = d["session_id"]
        session.shard = self._session_shards.get(session.session_id, session.shard)
        session.seq = int(d.get("seq") or (previous.seq if previous else 0))
        session.identified = True
        self.resumes += 1
        await session.send(0, {}, "RESUMED")
        self._resumed.set()
