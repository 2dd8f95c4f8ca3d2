"""Chain-wide answers: the epoch, and a pool with its validator's duties this epoch."""

from __future__ import annotations

from typing import Literal

from bot.services.results.base import Result, Yocto


class EpochResult(Result):
    kind: Literal["epoch"] = "epoch"
    epoch_height: int
    epoch_start_height: int
    epoch_length: int
    head_height: int
    blocks_into_epoch: int
    blocks_left: int
    progress: float
    avg_block_seconds: float
    head_unix: int
    estimated_end_unix: int
    sample_blocks: int


ValidatorRole = Literal["block_producer", "chunk_producer", "chunk_validator"]


DutyName = Literal["blocks", "chunks", "endorsements"]


class Duty(Result):
    """One duty of a validator this epoch, counted against what was expected of it."""

    duty: DutyName
    produced: int
    expected: int
    percent: float | None  # floored to 2 decimals (never rounded up past a threshold); None when nothing expected
    # nearcore's kickout threshold for this duty in this role, or None when the duty does not decide a kickout
    # for the role (endorsements of block and chunk producers).
    kickout_threshold_percent: int | None
    below_kickout: bool  # produced × 100 < threshold × expected, nearcore's own comparison
    low: bool  # below the threshold plus the bot's warning margin (the low-uptime alert's rule)


class ValidatorInfo(Result):
    status: Literal["active", "proposal", "kicked_out", "inactive"]
    in_next_epoch: bool
    kickout_reason: str | None = None
    stake_yocto: Yocto | None = None
    produced_blocks: int | None = None
    expected_blocks: int | None = None
    produced_chunks: int | None = None
    expected_chunks: int | None = None
    # The lowest percentage among the duties that decide a kickout for this role (None: no duties yet).
    uptime_percent: float | None = None
    produced_endorsements: int | None = None
    expected_endorsements: int | None = None
    # "chunk_validator" = a seat that only endorses chunks (no blocks or chunks expected), judged on endorsements.
    role: ValidatorRole | None = None
    duties: list[Duty] = []
    kickout_threshold_percent: int | None = None  # the threshold of the duty `uptime_percent` comes from
    below_kickout: bool = False
    low_uptime: bool = False


class PoolResult(Result):
    kind: Literal["pool"] = "pool"
    pool_id: str
    owner_id: str
    fee_numerator: int
    fee_denominator: int
    fee_percent: float
    total_staked_yocto: Yocto
    paused: bool
    contract_kind: str
    code_hash: str
    # How the code is deployed (mainnet-2026.md §1): "local", "global_hash" or "global_account".
    deployment: str = "local"
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None
    validator_status: Literal["active", "proposal", "kicked_out", "inactive"]
    validator: ValidatorInfo
    delegator_count: int | None
    epoch_height: int
