"""Delivering outbox notifications through Discord: `dm:<user_id>` or `channel:<channel_id>`, over REST only, so
any process can deliver whichever shard holds the server.

Every message carries the outbox nonce with `enforce_nonce` (discord.py sets it whenever a nonce is given), so a
resend inside Discord's de-duplication window is answered with the message it already has, and a marker in its
footer, so after that window the deliverer can find it in the channel's history (`find_marker`). Failures are
classified for the deliverer (bot/alerts/notify.py): understood refusals, other 4xx (permanent), 429 (temporary,
not posted), 5xx and network errors (temporary, maybe posted).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord

from bot.alerts.notify import DeliveryRefused, PermanentFailure, TemporaryFailure
from bot.discord.details import DetailsStore
from bot.render.discord_limits import Link, SafeEmbed, fit_embed, rows_view
from bot.render.ready import ReadyRow, button_rows, ready_line
from bot.render.safe import checked_url, esc, md, plain, prose
from bot.services.results import PreparedAction

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # Cannot send messages to this user (DMs closed, bot blocked, no shared server)
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013

COLOURS = {
    "unbonding_ready": discord.Colour(0x2ECC71),
    "unbonding_restarted": discord.Colour(0xF1C40F),
    "pool": discord.Colour(0xE67E22),
    "epoch": discord.Colour(0x3498DB),
}
FOOTERS = {
    "epoch": "Posted here by a server admin's /announce setting.",
}
DEFAULT_FOOTER = "You asked for this alert. See yours with /alert list, stop one with /alert remove."


HISTORY_LIMIT = 200  # messages read after the first try when looking for a marker (two requests)


def notification_message(
    payload: dict[str, Any], marker: str = "", details: DetailsStore | None = None
) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed (title, text, footer ending with the marker) and its buttons for one outbox payload: the step ready
    to sign with its Details (kept in `details` by the process that sends it; read back from the links by any other,
    or once they are gone), and the staking page. The payload's texts hold account and pool ids and read-back chain
    text: escaped here; a link is shown only if it re-checks."""
    kind = str(payload.get("kind", ""))
    description = prose(payload.get("text") or "", limit=4000)
    ready: list[ReadyRow] = []
    if payload.get("action"):
        line, row = ready_line(PreparedAction.model_validate(payload["action"]))
        description = md("{}\n\n{}", description, line)
        ready = [row] if row is not None else []
    embed = SafeEmbed(
        title=esc(payload.get("title") or "NEAR staking alert", limit=256),
        description=description,
        colour=COLOURS.get(kind, discord.Colour(0x95A5A6)),
    )
    footer = FOOTERS.get(kind, DEFAULT_FOOTER)
    embed.set_footer(text=plain("{} · {}", footer, marker) if marker else plain("{}", footer))
    link = checked_url(payload.get("link"))
    token = details.put({"0": ready[0].plan}) if ready and details is not None else None
    rows = button_rows(ready, [Link("Open staking page", link)] if link else [], token, details=False)
    return fit_embed(embed), rows_view(rows)


class DiscordNotifier:
    """The scheduler's Notifier for a running bot (a `discord.Client` that is logged in)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send(self, destination: str, payload: dict[str, Any], nonce: str, marker: str) -> int | None:
        kind, target = self._target(destination)
        try:
            embed, view = notification_message(payload, marker, getattr(self.client, "details", None))
        except (ValueError, TypeError, KeyError) as exc:  # a bug in building the message: retrying cannot help
            raise PermanentFailure(f"the message could not be built ({type(exc).__name__}: {exc})") from exc
        message: dict[str, Any] = {"embed": embed, "nonce": nonce}
        if view is not None:
            message["view"] = view
        try:
            channel = await self._channel(kind, target)
            sent = await channel.send(**message)
        except discord.HTTPException as exc:
            raise self._classify(kind, exc) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TemporaryFailure(f"network: {type(exc).__name__}: {exc}", maybe_posted=True) from exc
        log.info("delivered %s notification to %s", payload.get("kind", "?"), kind)
        return sent.id

    async def find_marker(self, destination: str, marker: str, since_ms: int) -> int | None:
        kind, target = self._target(destination)
        me = self.client.user
        try:
            channel = await self._channel(kind, target)
            after = discord.Object(id=discord.utils.time_snowflake(_utc(since_ms)))
            async for message in channel.history(limit=HISTORY_LIMIT, after=after):
                if me is not None and message.author.id == me.id and any(
                    marker in (embed.footer.text or "") for embed in message.embeds
                ):
                    return message.id
        except discord.HTTPException as exc:
            raise TemporaryFailure(f"could not read the channel's history ({exc.status} {exc.code})",
                                   maybe_posted=True) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TemporaryFailure(f"could not read the channel's history ({exc})", maybe_posted=True) from exc
        return None

    @staticmethod
    def _target(destination: str) -> tuple[str, int]:
        kind, _, raw_id = destination.partition(":")
        if kind not in ("dm", "channel") or not raw_id.isdigit():
            raise DeliveryRefused(f"unknown destination {destination!r}", channel_unusable=True)
        return kind, int(raw_id)

    async def _channel(self, kind: str, target: int) -> discord.abc.Messageable:
        if kind == "dm":
            return await self.client.create_dm(discord.Object(id=target))
        return self.client.get_partial_messageable(target)

    @staticmethod
    def _classify(kind: str, exc: discord.HTTPException) -> Exception:
        what = f"{exc.status} {exc.text} ({exc.code})"
        if exc.status == 403 and kind == "dm" and exc.code in (CANNOT_DM, MISSING_ACCESS):
            return DeliveryRefused(what, dm_closed=True)
        if exc.status == 403 and exc.code in (CANNOT_DM, MISSING_ACCESS, MISSING_PERMISSIONS):
            return DeliveryRefused(what, channel_unusable=True)
        if exc.status == 404 and kind == "dm" and exc.code == UNKNOWN_USER:
            return DeliveryRefused(what, dm_closed=True)
        if exc.status == 404 and exc.code == UNKNOWN_CHANNEL:
            return DeliveryRefused(what, channel_unusable=True)
        if exc.status == 429:
            return TemporaryFailure(f"rate limited: {what}", maybe_posted=False)
        if exc.status >= 500:
            return TemporaryFailure(f"Discord error: {what}", maybe_posted=True)
        return PermanentFailure(what)


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
