"""What the "Details" buttons of recent answers show: kept in memory under a random token that is part of each
button's custom_id (cogs/details.py answers the click). Bounded in size and age; after a restart, or for an old
alert, a step's Details are read back from the message's own wallet links instead (bot/render/details.py)."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict

from bot.services.results import Result

MAX_ANSWERS = 2000  # a few kB each
MAX_AGE_SECONDS = 24 * 3600


class DetailsStore:
    def __init__(self, *, size: int = MAX_ANSWERS, max_age: float = MAX_AGE_SECONDS) -> None:
        self.size, self.max_age = size, max_age
        self._items: OrderedDict[str, tuple[float, dict[str, Result]]] = OrderedDict()

    def put(self, items: dict[str, Result]) -> str:
        """Keep `items` (button key → what it shows) and return their token (16 hex characters)."""
        token = secrets.token_hex(8)
        self._items[token] = (time.monotonic() + self.max_age, items)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return token

    def get(self, token: str, key: str) -> Result | None:
        entry = self._items.get(token)
        if entry is None or entry[0] < time.monotonic():
            self._items.pop(token, None)
            return None
        return entry[1].get(key)
