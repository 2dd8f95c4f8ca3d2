"""Delivering outbox notifications through Discord: `dm:<user_id>` or `channel:<channel_id>`.

Every message carries the outbox nonce with `enforce_nonce` (discord.py sets it whenever a nonce is given), so a
resend after a crash between "sent" and "marked sent" is answered by Discord with the message it already has:
the reader sees it once. Permanent refusals become `DeliveryRefused`; anything else propagates and is retried.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.alerts.notify import DeliveryRefused
from bot.render.discord_limits import Link, SafeEmbed, fit_embed, link_view
from bot.render.safe import checked_url, esc, plain, prose

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


def notification_message(payload: dict[str, Any]) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed (title, text) and an optional link button for one outbox payload. The payload's texts hold
    account and pool ids and read-back chain text: escaped here; the link is shown only if it re-checks."""
    kind = str(payload.get("kind", ""))
    embed = SafeEmbed(
        title=esc(payload.get("title") or "NEAR staking alert", limit=256),
        description=prose(payload.get("text") or "", limit=4000),
        colour=COLOURS.get(kind, discord.Colour(0x95A5A6)),
    )
    embed.set_footer(text=plain("{}", FOOTERS.get(kind, DEFAULT_FOOTER)))
    link = checked_url(payload.get("link"))
    view = link_view([Link("Open staking page", link)]) if link else None
    return fit_embed(embed), view


class DiscordNotifier:
    """The scheduler's Notifier for a running bot (a `discord.Client` that is logged in)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send(self, destination: str, payload: dict[str, Any], nonce: str) -> None:
        kind, _, raw_id = destination.partition(":")
        if kind not in ("dm", "channel") or not raw_id.isdigit():
            raise DeliveryRefused(f"unknown destination {destination!r}", channel_unusable=True)
        target = int(raw_id)
        embed, view = notification_message(payload)
        message: dict[str, Any] = {"embed": embed, "nonce": nonce}
        if view is not None:
            message["view"] = view
        try:
            if kind == "dm":
                channel: discord.abc.Messageable = await self.client.create_dm(discord.Object(id=target))
            else:
                channel = self.client.get_partial_messageable(target)
            await channel.send(**message)
        except discord.Forbidden as exc:
            if kind == "dm" and exc.code in (CANNOT_DM, MISSING_ACCESS):
                raise DeliveryRefused(f"403 {exc.text} ({exc.code})", dm_closed=True) from exc
            if exc.code in (CANNOT_DM, MISSING_ACCESS, MISSING_PERMISSIONS):
                raise DeliveryRefused(f"403 {exc.text} ({exc.code})", channel_unusable=True) from exc
            raise
        except discord.NotFound as exc:
            if kind == "dm" and exc.code == UNKNOWN_USER:
                raise DeliveryRefused(f"404 {exc.text} ({exc.code})", dm_closed=True) from exc
            if exc.code == UNKNOWN_CHANNEL:
                raise DeliveryRefused(f"404 {exc.text} ({exc.code})", channel_unusable=True) from exc
            raise
        log.info("delivered %s notification to %s", payload.get("kind", "?"), kind)
