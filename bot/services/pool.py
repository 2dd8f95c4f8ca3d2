"""A staking pool's facts and its validator standing this epoch and next."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.near.account_id import validate_account_id
from bot.near.contracts import account_contract_kind
from bot.near.epochs import read_epoch_at
from bot.near.errors import InvalidInput
from bot.near.models import CurrentValidator, ValidatorsResponse
from bot.near.pools import get_pool_facts
from bot.services.chain import Chain
from bot.services.results import Duty, DutyName, PoolResult, ValidatorInfo, ValidatorRole

# nearcore kickout thresholds, mainnet and testnet epoch configs 81 and 85 (core/primitives/res/epoch_configs/
# mainnet/85.json): `block_producer_kickout_threshold` 80, `chunk_producer_kickout_threshold` 80,
# `chunk_validator_only_kickout_threshold` 70. Endorsements decide a kickout only for a seat with no blocks and no
# chunks expected (chain/epoch-manager/src/lib.rs `compute_validators_to_reward_and_kickout`).
BLOCK_KICKOUT_PERCENT = 80
CHUNK_KICKOUT_PERCENT = 80
CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT = 70
# The bot's warning margin above a kickout threshold for "low uptime" (a policy, not a protocol value).
LOW_UPTIME_MARGIN_POINTS = 10
ROLE_NAMES = {"block_producer": "block producer", "chunk_producer": "chunk producer", "chunk_validator": "chunk validator"}


def describe_kickout(reason: str | dict[str, Any]) -> str:
    """Readable text for `prev_epoch_kickout[].reason` (near-rpc.md §2.3)."""
    if isinstance(reason, str):
        return {
            "Unstaked": "the validator unstaked",
            "DidNotGetASeat": "its stake was below the seat price",
            "_UnusedSlashed": "slashed",
        }.get(reason, reason)
    if len(reason) != 1:
        return str(reason)
    (name, detail), = reason.items()
    detail = detail if isinstance(detail, dict) else {}
    if name in ("NotEnoughBlocks", "NotEnoughChunks", "NotEnoughChunkEndorsements"):
        what = {"NotEnoughBlocks": "blocks", "NotEnoughChunks": "chunks", "NotEnoughChunkEndorsements": "chunk endorsements"}[name]
        return f"produced too few {what} ({detail.get('produced', '?')} of {detail.get('expected', '?')} expected)"
    if name == "NotEnoughStake":
        return "its stake was below the threshold"
    if name == "ProtocolVersionTooOld":
        return f"it ran an old protocol version ({detail.get('version', '?')} < {detail.get('network_version', '?')})"
    return name


def validator_role(v: CurrentValidator) -> ValidatorRole | None:
    """The seat's role by what is expected of it this epoch so far (nearcore's own test for "chunk validator
    only": no blocks and no chunks expected). None: nothing expected yet."""
    if v.num_expected_blocks > 0:
        return "block_producer"
    if v.num_expected_chunks > 0:
        return "chunk_producer"
    if v.num_expected_endorsements > 0:
        return "chunk_validator"
    return None


def _duty(name: DutyName, produced: int, expected: int, threshold: int | None) -> Duty:
    def under(percent: int) -> bool:
        return expected > 0 and produced * 100 < percent * expected  # nearcore ValidatorStats::less_than

    return Duty(
        duty=name,
        produced=produced,
        expected=expected,
        percent=produced * 10_000 // expected / 100 if expected > 0 else None,
        kickout_threshold_percent=threshold,
        below_kickout=threshold is not None and under(threshold),
        low=threshold is not None and under(threshold + LOW_UPTIME_MARGIN_POINTS),
    )


def validator_duties(v: CurrentValidator) -> list[Duty]:
    """Blocks, chunks and endorsements, each against what was expected, with the role's kickout threshold."""
    role = validator_role(v)
    duties = []
    if v.num_expected_blocks > 0:
        duties.append(_duty("blocks", v.num_produced_blocks, v.num_expected_blocks, BLOCK_KICKOUT_PERCENT))
    if v.num_expected_chunks > 0:
        duties.append(_duty("chunks", v.num_produced_chunks, v.num_expected_chunks, CHUNK_KICKOUT_PERCENT))
    if v.num_expected_endorsements > 0:
        threshold = CHUNK_VALIDATOR_ONLY_KICKOUT_PERCENT if role == "chunk_validator" else None
        duties.append(_duty("endorsements", v.num_produced_endorsements, v.num_expected_endorsements, threshold))
    return duties


def weakest_duty(duties: list[Duty]) -> Duty | None:
    """The duty that decides a kickout and is furthest down (None: nothing judged yet)."""
    judged = [d for d in duties if d.kickout_threshold_percent is not None and d.percent is not None]
    return min(judged, key=lambda d: (d.percent or 0.0) - (d.kickout_threshold_percent or 0), default=None)


def uptime_summary(info: ValidatorInfo) -> str:
    """One sentence for alerts and diagnose: the role, its weakest duty against expected, and the threshold."""
    duty = weakest_duty(info.duties)
    if duty is None or info.role is None:
        return "no duties yet this epoch"
    role = ROLE_NAMES[info.role]
    return (
        f"as a {role} it produced {duty.produced:,} of {duty.expected:,} expected {duty.duty} this epoch "
        f"({duty.percent:g}%); nearcore removes a {role} below {duty.kickout_threshold_percent}%"
    )


def validator_info(pool_id: str, validators: ValidatorsResponse) -> ValidatorInfo:
    current = next((v for v in validators.current_validators if v.account_id == pool_id), None)
    in_next = any(v.account_id == pool_id for v in validators.next_validators)
    kickout = next((k for k in validators.prev_epoch_kickout if k.account_id == pool_id), None)
    proposal = next((p for p in validators.current_proposals if p.account_id == pool_id), None)
    kickout_reason = describe_kickout(kickout.reason) if kickout else None
    if current is not None:
        duties = validator_duties(current)
        # Zero-duty validators expect nothing: no uptime to report (near-rpc.md §2.3).
        worst = weakest_duty(duties)
        return ValidatorInfo(
            status="active",
            in_next_epoch=in_next,
            kickout_reason=kickout_reason,
            stake_yocto=current.stake,
            produced_blocks=current.num_produced_blocks,
            expected_blocks=current.num_expected_blocks,
            produced_chunks=current.num_produced_chunks,
            expected_chunks=current.num_expected_chunks,
            uptime_percent=worst.percent if worst else None,
            produced_endorsements=current.num_produced_endorsements,
            expected_endorsements=current.num_expected_endorsements,
            role=validator_role(current),
            duties=duties,
            kickout_threshold_percent=worst.kickout_threshold_percent if worst else None,
            below_kickout=any(d.below_kickout for d in duties),
            low_uptime=any(d.low for d in duties),
        )
    if kickout is not None:
        return ValidatorInfo(status="kicked_out", in_next_epoch=in_next, kickout_reason=kickout_reason)
    if proposal is not None:
        return ValidatorInfo(status="proposal", in_next_epoch=in_next, stake_yocto=proposal.stake)
    return ValidatorInfo(status="inactive", in_next_epoch=in_next)


async def get_pool(chain: Chain, pool_id: str) -> PoolResult:
    try:
        pool_id = validate_account_id(pool_id)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    # One block: the latest final block with its own epoch's validator info; the pool's views are read there too,
    # in the same round trip.
    chain = chain.at_final()
    at, facts = await asyncio.gather(read_epoch_at(chain.rpc), get_pool_facts(chain.rpc, pool_id))
    validators = at.validators
    info = validator_info(pool_id, validators)
    return PoolResult(
        pool_id=pool_id,
        owner_id=facts.owner_id,
        fee_numerator=facts.fee_numerator,
        fee_denominator=facts.fee_denominator,
        fee_percent=round(100 * facts.fee_numerator / facts.fee_denominator, 4),
        total_staked_yocto=facts.total_staked,
        paused=facts.paused,
        contract_kind=account_contract_kind(facts.account).value,
        code_hash=facts.account.code_hash,
        deployment=facts.account.deployment,
        global_contract_hash=facts.account.global_contract_hash,
        global_contract_account_id=facts.account.global_contract_account_id,
        validator_status=info.status,
        validator=info,
        delegator_count=facts.delegator_count,
        epoch_height=validators.epoch_height,
    )
