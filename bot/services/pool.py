"""A staking pool's facts and its validator standing this epoch and next."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.near.account_id import validate_account_id
from bot.near.contracts import account_contract_kind
from bot.near.errors import InvalidInput
from bot.near.models import ValidatorsResponse
from bot.near.pools import get_pool_facts
from bot.services.chain import Chain
from bot.services.results import PoolResult, ValidatorInfo


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


def validator_info(pool_id: str, validators: ValidatorsResponse) -> ValidatorInfo:
    current = next((v for v in validators.current_validators if v.account_id == pool_id), None)
    in_next = any(v.account_id == pool_id for v in validators.next_validators)
    kickout = next((k for k in validators.prev_epoch_kickout if k.account_id == pool_id), None)
    proposal = next((p for p in validators.current_proposals if p.account_id == pool_id), None)
    kickout_reason = describe_kickout(kickout.reason) if kickout else None
    if current is not None:
        expected = current.num_expected_blocks + current.num_expected_chunks
        produced = current.num_produced_blocks + current.num_produced_chunks
        # Zero-duty validators expect nothing: no uptime to report (near-rpc.md §2.3).
        uptime = round(100 * produced / expected, 2) if expected > 0 else None
        return ValidatorInfo(
            status="active",
            in_next_epoch=in_next,
            kickout_reason=kickout_reason,
            stake_yocto=current.stake,
            produced_blocks=current.num_produced_blocks,
            expected_blocks=current.num_expected_blocks,
            produced_chunks=current.num_produced_chunks,
            expected_chunks=current.num_expected_chunks,
            uptime_percent=uptime,
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
    facts, validators = await asyncio.gather(get_pool_facts(chain.rpc, pool_id), chain.rpc.validators())
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
