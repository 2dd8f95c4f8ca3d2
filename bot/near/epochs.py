"""Epoch position and timing from live chain data (near-staking.md §6.2).

Every figure describes one block: the latest final block (the one `query` reads by default, which cannot be
reverted; it trails the head by ~2 blocks), or the block the RPC client is pinned to.

The epoch number is `validators.epoch_height` (not `epoch_id`, which is a hash: seed-errata A8). Block time is
measured from block timestamps, never assumed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.near import errors
from bot.near.models import Block, ValidatorsResponse
from bot.near.rpc import NearRpcClient

NS_PER_SECOND = 1_000_000_000
# Below this many blocks into an epoch the sample is too short; measure over a window reaching back instead.
MIN_SAMPLE_BLOCKS = 100
FALLBACK_SAMPLE_BLOCKS = 2_000


@dataclass(frozen=True)
class EpochClock:
    epoch_height: int
    epoch_start_height: int
    epoch_length: int
    head_height: int
    head_timestamp_ns: int
    sample_from_height: int
    sample_from_timestamp_ns: int

    @property
    def avg_block_ns(self) -> int:
        blocks = self.head_height - self.sample_from_height
        return (self.head_timestamp_ns - self.sample_from_timestamp_ns) // blocks if blocks > 0 else 0

    @property
    def blocks_into_epoch(self) -> int:
        return max(0, self.head_height - self.epoch_start_height)

    @property
    def blocks_left(self) -> int:
        return max(0, self.epoch_start_height + self.epoch_length - self.head_height)

    @property
    def progress(self) -> float:
        return min(1.0, self.blocks_into_epoch / self.epoch_length) if self.epoch_length else 0.0

    @property
    def estimated_end_ns(self) -> int:
        return self.head_timestamp_ns + self.blocks_left * self.avg_block_ns

    def estimated_epoch_start_ns(self, epoch_height: int) -> int:
        """Estimated time the first block of `epoch_height` is produced (for a future epoch)."""
        if epoch_height <= self.epoch_height:
            return self.head_timestamp_ns
        blocks = self.blocks_left + (epoch_height - self.epoch_height - 1) * self.epoch_length
        return self.head_timestamp_ns + blocks * self.avg_block_ns


async def _block_near(rpc: NearRpcClient, height: int, *, tries: int = 5) -> Block:
    """The block at `height`, or the next produced one when that height was skipped."""
    last: errors.NearError | None = None
    for offset in range(tries):
        try:
            return await rpc.block(block_id=height + offset)
        except errors.BlockNotFound as exc:
            last = exc
    assert last is not None
    raise last


@dataclass(frozen=True)
class EpochAt:
    """One block and the validator info of the epoch that block is in: what every epoch figure is taken from."""

    block: Block
    validators: ValidatorsResponse
    epoch_length: int


def _epoch_contains(validators: ValidatorsResponse, epoch_length: int, height: int) -> bool:
    # An epoch ends at the block whose last final height + 3 reaches start + epoch_length, and a block's last final
    # height is at least 2 below its own, so the next epoch starts at start + epoch_length or later: heights in
    # [start, start + epoch_length) are in the epoch that starts at `start` (nearcore chain/epoch-manager/src/lib.rs
    # `is_next_block_in_next_epoch`).
    start = validators.epoch_start_height
    return start <= height < start + epoch_length


async def read_epoch_at(rpc: NearRpcClient) -> EpochAt:
    """The answer's block (the latest *final* block, or the block `rpc` is pinned to) with its own epoch.

    `validators [null]` describes the node's head, which runs ~2 blocks ahead of the final block: in the first
    blocks of an epoch the head is already in the new epoch while the final block is still in the previous one.
    Then that block's epoch is read by its `epoch_id` (nearcore keeps finished epochs' info), so the epoch number,
    start and every derived figure describe the same block.
    """
    block, validators, config = await asyncio.gather(rpc.block(), rpc.validators(), rpc.protocol_config())
    height = block.header.height
    if not _epoch_contains(validators, config.epoch_length, height):
        validators = await rpc.validators(epoch_id=block.header.epoch_id)
        if validators.epoch_start_height > height:
            raise errors.MalformedResponse("The RPC node described an epoch that starts after the block asked about.")
    return EpochAt(block, validators, config.epoch_length)


async def read_epoch_clock(rpc: NearRpcClient) -> EpochClock:
    return await epoch_clock_from(rpc, await read_epoch_at(rpc))


async def epoch_clock_from(rpc: NearRpcClient, at: EpochAt) -> EpochClock:
    head_height = at.block.header.height
    start = at.validators.epoch_start_height
    sample = await _sample_block(rpc, head_height, start)
    return EpochClock(
        epoch_height=at.validators.epoch_height,
        epoch_start_height=start,
        epoch_length=at.epoch_length,
        head_height=head_height,
        head_timestamp_ns=at.block.header.timestamp,
        sample_from_height=sample.header.height,
        sample_from_timestamp_ns=sample.header.timestamp,
    )


async def _sample_block(rpc: NearRpcClient, head_height: int, start: int) -> Block:
    """An earlier block to measure the block time against: the epoch's first block when the epoch is long enough
    under way, else one further back. A node may lack old blocks (garbage collected after 5 epochs, or a young
    chain), so fall back to nearer ones rather than fail."""
    candidates = []
    if head_height - start >= MIN_SAMPLE_BLOCKS:
        candidates.append(start)
    candidates += [head_height - FALLBACK_SAMPLE_BLOCKS, start, head_height - MIN_SAMPLE_BLOCKS, head_height - 10]
    last: errors.NearError | None = None
    for height in dict.fromkeys(h for h in candidates if 0 <= h < head_height):
        try:
            sample = await _block_near(rpc, height)
        except errors.BlockNotFound as exc:
            last = exc
            continue
        if sample.header.height < head_height:
            return sample
    raise last or errors.MalformedResponse("The RPC node has no earlier block to measure the block time against.")
