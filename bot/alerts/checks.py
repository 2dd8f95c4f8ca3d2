"""What the alert checks share: where an alert's message goes, and its step ready to sign (for a DM only)."""

from __future__ import annotations

from bot.services.chain import Chain
from bot.services.ready import plan_offer
from bot.services.results import PreparedAction
from bot.storage.models import Subscription

# Due alerts are checked concurrently (each is one RPC read); identical reads coalesce in the RPC client.
CHECK_CONCURRENCY = 32


def destination(sub: Subscription) -> str:
    return f"channel:{sub.channel_id}" if sub.channel_id else f"dm:{sub.user_id}"


async def dm_step(chain: Chain, sub: Subscription, step: PreparedAction) -> PreparedAction | None:
    """The alert's step prepared by its action command's own planner, for an alert sent by DM only (buttons that
    act on the user's money never go to a channel)."""
    if sub.channel_id:
        return None
    return await plan_offer(chain, step.model_copy(update={"rank": 1}))
