"""One block per answer, at no round trip of its own (README, *How it reads the chain*).

`BlockPin` is the block an answer reads at: given, or fixed by the first answer that arrives. `LastFinal` is the newest
final block a node named, so answers that start within the final cache's lifetime of it share that block.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.near.models import Block


class BlockPin:
    """The one block every read of an answer describes (one block per answer).

    Given (`at_block`), or fixed by the first answer (`at_final`): until an answer arrives, reads go out at `finality:
    final`; the block the first answer reports becomes the answer's block, later reads name it (`block_id`), and an
    answer that came from another block (the final block moved while the first reads were in flight, or a node
    lags) is read again at it. Pinning so costs no round trip of its own: nothing waits for a `block` read first.
    """

    def __init__(self, block: Block | None = None, height: int | None = None) -> None:
        self.block = block
        self.height: int | None = block.header.height if block is not None else height
        self.asked_at = time.monotonic()  # the answer's requests wait in this order (FairSlots)

    def settle(self, height: int) -> bool:
        """Make `height` the answer's block if none is fixed yet; True when `height` is the answer's block."""
        if self.height is None:
            self.height = height
        return self.height == height


@dataclass
class LastFinal:
    """The newest final block a node named in an answer, and when: an answer starting within the final-read cache's
    time-to-live of it is read at that block (what the cache of final reads gave before), so answers that start
    together share one block and every read they repeat."""

    height: int = -1
    seen: float = float("-inf")

    def saw(self, height: int) -> None:
        now = time.monotonic()
        if height >= self.height or now - self.seen > 1.0:  # a lagging node never moves it back for long
            self.height, self.seen = height, now

    def fresh(self, ttl: float) -> int | None:
        return self.height if ttl > 0 and time.monotonic() - self.seen < ttl else None
