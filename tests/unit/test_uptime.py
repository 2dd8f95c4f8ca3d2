"""Uptime per role: blocks, chunks and endorsements each against what was expected, judged by nearcore's kickout
threshold for the seat's role (epoch config mainnet/85.json: 80 / 80 / 70)."""

from __future__ import annotations

from bot.near.models import ValidatorsResponse
from bot.render.text import duty_lines, role_text
from bot.services.pool import validator_info


def _validators(**counters: int) -> ValidatorsResponse:
    seat = {"account_id": "seat.poolv1.near", "is_slashed": False, "public_key": "ed25519:x", "shards": [],
            "stake": "471541204349192086717416391804", **counters}
    return ValidatorsResponse.model_validate({
        "current_validators": [seat], "next_validators": [], "current_proposals": [], "prev_epoch_kickout": [],
        "epoch_height": 3358, "epoch_start_height": 187443633,
    })


def test_a_mainnet_chunk_validator_is_judged_on_its_endorsements() -> None:
    # The counters of a real mainnet chunk-validator-only seat (issue 20): no blocks, no chunks.
    info = validator_info("seat.poolv1.near", _validators(
        num_expected_blocks=0, num_produced_blocks=0, num_expected_chunks=0, num_produced_chunks=0,
        num_expected_endorsements=30_863, num_produced_endorsements=29_610))
    assert info.role == "chunk_validator"
    assert info.uptime_percent == 95.94  # floored, never rounded up
    assert info.kickout_threshold_percent == 70
    assert (info.below_kickout, info.low_uptime) == (False, False)
    (duty,) = info.duties
    assert (duty.duty, duty.produced, duty.expected, duty.kickout_threshold_percent) == ("endorsements", 29_610, 30_863, 70)
    assert duty_lines(info) == ["endorsements: 29,610 of 30,863 expected (95.94%), kicked out below 70%"]
    assert role_text(info).startswith("chunk validator")


def test_a_block_producer_is_judged_on_blocks_and_chunks_not_endorsements() -> None:
    info = validator_info("seat.poolv1.near", _validators(
        num_expected_blocks=2_622, num_produced_blocks=2_622, num_expected_chunks=9_298, num_produced_chunks=7_400,
        num_expected_endorsements=79_788, num_produced_endorsements=10))
    assert info.role == "block_producer"
    assert [(d.duty, d.kickout_threshold_percent) for d in info.duties] == [
        ("blocks", 80), ("chunks", 80), ("endorsements", None)]
    assert info.uptime_percent == 79.58 and info.kickout_threshold_percent == 80  # chunks: 7,400 / 9,298
    assert info.below_kickout and info.low_uptime
    assert "not a kickout rule for a block producer" in duty_lines(info)[2]
    assert "below its kickout threshold" in role_text(info)


def test_thresholds_compare_exactly_like_nearcore() -> None:
    def seat(produced: int) -> tuple[bool, bool]:
        info = validator_info("seat.poolv1.near", _validators(
            num_expected_endorsements=1_000, num_produced_endorsements=produced))
        return info.below_kickout, info.low_uptime

    assert seat(700) == (False, True)  # exactly 70 % is not below 70 % (produced × 100 < 70 × expected)
    assert seat(699) == (True, True)
    assert seat(799) == (False, True)  # the warning margin: 10 points above the threshold
    assert seat(800) == (False, False)


def test_nothing_expected_yet_is_no_uptime_at_all() -> None:
    info = validator_info("seat.poolv1.near", _validators(num_expected_blocks=0, num_produced_blocks=0))
    assert (info.role, info.uptime_percent, info.duties, info.low_uptime) == (None, None, [], False)
    assert role_text(info) == "no duties yet"
