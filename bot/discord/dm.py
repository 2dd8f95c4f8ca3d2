"""Direct messages to users who asked for them (reminders come later). Blocked DMs are normal, not errors."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # "Cannot send messages to this user" (DMs closed, bot blocked, no shared server)


async def send_dm(client: discord.Client, user_id: int, **message: Any) -> bool:
    """Send a DM; False (and a log line) when Discord refuses it, so callers can stop retrying that user."""
    try:
        user = client.get_user(user_id) or await client.fetch_user(user_id)
        await user.send(**message)
    except discord.Forbidden as exc:
        if exc.code != CANNOT_DM:
            raise
        log.info("user %s does not accept DMs from the bot", user_id)
        return False
    return True
