"""What the alert checks share: checking every due alert, where an alert's message goes, and its step ready to sign
(for a DM only)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.near import errors
from bot.services.chain import Chain
from bot.services.ready import plan_offer
from bot.services.results import PreparedAction
from bot.storage.models import Subscription

# Due alerts are checked concurrently (each is one RPC read); identical reads coalesce in the RPC client.
CHECK_CONCURRENCY = 32

log = logging.getLogger(__name__)


async def check_each(due: Sequence[Subscription], check: Callable[[Subscription], Awaitable[None]], what: str) -> None:
    """`check` every due alert, CHECK_CONCURRENCY at a time. One alert's problem never stops the others: it is looked
    at again next pass (a chain error is expected now and then; anything else is logged with its traceback)."""
    limit = asyncio.Semaphore(CHECK_CONCURRENCY)

    async def one(subscription: Subscription) -> None:
        async with limit:
            try:
                await check(subscription)
            except errors.NearError as exc:
                log.info("%s alert %s not checked yet: %s", what, subscription.id, exc.message)
            except Exception:
                log.exception("%s alert %s could not be checked", what, subscription.id)

    await asyncio.gather(*(one(s) for s in due))


def destination(sub: Subscription) -> str:
    return f"channel:{sub.channel_id}" if sub.channel_id else f"dm:{sub.user_id}"


async def dm_step(chain: Chain, sub: Subscription, step: PreparedAction) -> PreparedAction | None:
    """The alert's step prepared by its action command's own planner, for an alert sent by DM only (buttons that
    act on the user's money never go to a channel)."""
    if sub.channel_id:
        return None
    return await plan_offer(chain, step.model_copy(update={"rank": 1}))
