"""What a notifier (Discord, or a test's stand-in) promises the deliverer, and how its failures are classified.

- `DeliveryRefused`: permanent and understood (DMs closed, channel gone, permission missing): the alert is
  switched off and its owner told.
- `PermanentFailure`: permanent otherwise (a 4xx other than 429, e.g. 400 Invalid Form Body, or a bug in building
  the message): given up at once, never retried, the owner (or the operator's log) told once.
- `TemporaryFailure`: network errors, 5xx, 429: retried with backoff. `maybe_posted` says whether Discord may
  have posted the message anyway (a timeout or a 5xx after the request went out), so a retry must not show it twice.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol


class DeliveryRefused(Exception):
    """Permanent: the DM is closed (403 50007), the channel is gone, or permissions are missing."""

    def __init__(self, reason: str, *, dm_closed: bool = False, channel_unusable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.dm_closed = dm_closed
        self.channel_unusable = channel_unusable


class PermanentFailure(Exception):
    """Discord refused this message for good (4xx other than 429), or it could not be built."""


class TemporaryFailure(Exception):
    def __init__(self, reason: str, *, maybe_posted: bool) -> None:
        super().__init__(reason)
        self.maybe_posted = maybe_posted


class Notifier(Protocol):
    async def send(self, destination: str, payload: dict[str, Any], nonce: str, marker: str) -> int | None:
        """Deliver one notification carrying `marker` where a reader of the channel can find it again; returns
        the message id. Raises DeliveryRefused, PermanentFailure or TemporaryFailure (anything else counts as
        temporary, outcome unknown)."""

    async def find_marker(self, destination: str, marker: str, since_ms: int) -> int | None:
        """The id of a message the bot posted at `destination` since `since_ms` that carries `marker`, or None.
        Raises TemporaryFailure when the channel cannot be read now."""


def nonce_for(dedupe_key: str) -> str:
    # Discord nonces are at most 25 characters (DAD resources/message.mdx, Create Message).
    return hashlib.sha256(dedupe_key.encode()).hexdigest()[:25]


def marker_for(dedupe_key: str) -> str:
    """A short reference printed in the message (its footer), found again by reading the channel's history."""
    return "ref " + nonce_for(dedupe_key)[:12]
