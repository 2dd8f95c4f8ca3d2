"""Where the chain is in the current epoch, and when it ends."""

from __future__ import annotations

from bot.near.epochs import NS_PER_SECOND, EpochClock, read_epoch_clock
from bot.services.chain import Chain
from bot.services.results import EpochResult


def epoch_result(clock: EpochClock) -> EpochResult:
    return EpochResult(
        epoch_height=clock.epoch_height,
        epoch_start_height=clock.epoch_start_height,
        epoch_length=clock.epoch_length,
        head_height=clock.head_height,
        blocks_into_epoch=clock.blocks_into_epoch,
        blocks_left=clock.blocks_left,
        progress=round(clock.progress, 6),
        avg_block_seconds=round(clock.avg_block_ns / NS_PER_SECOND, 6),
        head_unix=clock.head_timestamp_ns // NS_PER_SECOND,
        estimated_end_unix=clock.estimated_end_ns // NS_PER_SECOND,
        sample_blocks=clock.head_height - clock.sample_from_height,
    )


async def get_epoch(chain: Chain) -> EpochResult:
    return epoch_result(await read_epoch_clock(chain.rpc))
