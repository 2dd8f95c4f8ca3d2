"""Console text of an error and of the chain-wide answers: the epoch and a pool."""

from __future__ import annotations

from bot.near.units import format_near
from bot.render.text.base import duration, duty_lines, progress_bar, render_text, role_text, when
from bot.services.results import EpochResult, ErrorResult, PoolResult


@render_text.register
def _(result: ErrorResult) -> str:
    suffix = f" (incident {result.incident_id})" if result.incident_id else ""
    return f"Error: {result.message}{suffix}"


@render_text.register
def _(result: EpochResult) -> str:
    left_seconds = result.estimated_end_unix - result.head_unix
    return "\n".join(
        [
            f"Epoch {result.epoch_height}  {progress_bar(result.progress)} {result.progress * 100:.1f}%",
            f"  blocks: {result.blocks_into_epoch:,} of {result.epoch_length:,} done, {result.blocks_left:,} left "
            f"(head {result.head_height:,}, started at {result.epoch_start_height:,})",
            f"  block time: {result.avg_block_seconds:.3f} s on average over the last {result.sample_blocks:,} blocks",
            f"  ends ≈ {when(result.estimated_end_unix)} (in about {duration(left_seconds)}; an estimate)",
        ]
    )


@render_text.register
def _(result: PoolResult) -> str:
    v = result.validator
    status = {
        "active": "active validator this epoch",
        "proposal": "proposed (not validating this epoch)",
        "kicked_out": f"kicked out of the validator set ({v.kickout_reason})",
        "inactive": "not validating this epoch",
    }[result.validator_status]
    lines = [
        f"Pool {result.pool_id}",
        f"  owner: {result.owner_id}",
        f"  fee: {result.fee_percent:g}% ({result.fee_numerator}/{result.fee_denominator})",
        f"  total staked: {format_near(result.total_staked_yocto, 2)}",
        f"  status: {status}; next epoch: {'in the set' if v.in_next_epoch else 'NOT in the set'}",
        f"  staking paused: {'yes - new stake earns nothing' if result.paused else 'no'}",
        f"  contract: {result.contract_kind} (code hash {result.code_hash})",
    ]
    if v.expected_blocks is not None:
        lines.append(f"  this epoch: {role_text(v)}")
        lines.extend(f"    {line}" for line in duty_lines(v))
    if result.delegator_count is not None:
        lines.append(f"  delegators: {result.delegator_count:,}")
    return "\n".join(lines)
