"""Pure functions of height: epochs, block timestamps, hashes and skipped heights.

Everything here is deterministic so tests can predict any block without a server.
Epoch ``k`` starts at ``genesis_height + k * epoch_length`` and its epoch height is ``k``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .hashing import digest, hash_b58

NOMINAL_BLOCK_NS = 600_000_000  # ~0.6 s blocks since nearcore 2.6 (near-staking.md §6.1)
MAX_JITTER_NS = 50_000_000  # ±0.05 s keeps timestamps strictly increasing (gap >= 0.5 s)
SKIP_PERIOD = 997  # one height in 997 has no block (prime, so it drifts across epochs)


@dataclass(frozen=True)
class Timeline:
    chain_id: str = "sandbox"
    genesis_height: int = 9_820_210
    epoch_length: int = 43_200
    # Chosen so the default scenario's head lands around 2026-01-15 12:00 UTC.
    genesis_timestamp_ns: int = 1_682_930_707_800_000_000

    # -- epochs -------------------------------------------------------------
    def epoch_of(self, height: int) -> int:
        return (height - self.genesis_height) // self.epoch_length

    def epoch_start(self, epoch: int) -> int:
        return self.genesis_height + epoch * self.epoch_length

    def epoch_last_block(self, epoch: int) -> int:
        """The last block of ``epoch`` (the height before the next epoch's start, or below it when skipped)."""
        return self.latest_block_at_or_below(self.epoch_start(epoch + 1) - 1)

    def is_epoch_start(self, height: int) -> bool:
        return (height - self.genesis_height) % self.epoch_length == 0

    def epoch_id(self, epoch: int) -> str:
        # A base58 hash, never a number (near-rpc.md §2.1).
        return hash_b58(self.chain_id, "epoch", epoch)

    def epoch_of_id(self, epoch_id: str, near_epoch: int, window: int = 8) -> int | None:
        """Reverse ``epoch_id`` for epochs close to ``near_epoch`` (ids are hashes)."""
        for epoch in range(max(0, near_epoch - window), near_epoch + window + 1):
            if self.epoch_id(epoch) == epoch_id:
                return epoch
        return None

    # -- blocks -------------------------------------------------------------
    def is_skipped(self, height: int) -> bool:
        """Heights with no block. Never genesis or an epoch start (the head is bumped by the chain)."""
        return (
            height > self.genesis_height
            and height % SKIP_PERIOD == 0
            and not self.is_epoch_start(height)
        )

    def block_exists(self, height: int, head: int) -> bool:
        return self.genesis_height <= height <= head and not self.is_skipped(height)

    def latest_block_at_or_below(self, height: int) -> int:
        while self.is_skipped(height):
            height -= 1
        return height

    def prev_height(self, height: int) -> int:
        if height <= self.genesis_height:
            return height
        return self.latest_block_at_or_below(height - 1)

    def timestamp_ns(self, height: int) -> int:
        jitter_source = int.from_bytes(digest(self.chain_id, "jitter", height)[:8], "big")
        jitter = jitter_source % (2 * MAX_JITTER_NS + 1) - MAX_JITTER_NS
        offset = (height - self.genesis_height) * NOMINAL_BLOCK_NS
        return self.genesis_timestamp_ns + offset + (jitter if height != self.genesis_height else 0)

    def block_hash(self, height: int) -> str:
        return hash_b58(self.chain_id, "block", height)

    def skipped_heights(self, low: int, high: int) -> list[int]:
        """Skipped heights in ``[low, high]``."""
        first = -(-max(low, self.genesis_height + 1) // SKIP_PERIOD) * SKIP_PERIOD
        return [h for h in range(first, high + 1, SKIP_PERIOD) if self.is_skipped(h)]

    def block_ordinal(self, height: int) -> int:
        """1-based count of blocks (not heights) from genesis up to ``height``."""
        heights = height - self.genesis_height + 1
        multiples = height // SKIP_PERIOD - self.genesis_height // SKIP_PERIOD
        return heights - multiples + _epoch_starts_on_skip_period(self, self.epoch_of(height))


@functools.lru_cache(maxsize=64)
def _epoch_starts_on_skip_period(timeline: Timeline, last_epoch: int) -> int:
    """Epoch starts in (genesis, epoch_start(last_epoch)] that are multiples of SKIP_PERIOD (kept, not skipped)."""
    return sum(
        1 for k in range(1, last_epoch + 1) if timeline.epoch_start(k) % SKIP_PERIOD == 0
    )
