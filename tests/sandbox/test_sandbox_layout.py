"""Storage layout, borsh and timeline facts that clients decode (near-staking.md §3, §6)."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox import borsh
from bot.sandbox.chain import NO_CODE_HASH
from bot.sandbox.hashing import b58decode, b58encode
from bot.sandbox.scenario import SCENARIO
from bot.sandbox.state_layout import (
    POOLV1_MAP_PREFIX,
    STAKING_FARM_MAP_PREFIX,
    index_key,
    key_vector_key,
    value_vector_key,
)
from bot.sandbox.timeline import MAX_JITTER_NS, NOMINAL_BLOCK_NS, Timeline

from .sandbox_testlib import b64


def test_key_vectors_from_the_reference():
    assert b64(index_key(POOLV1_MAP_PREFIX, "alice.near")) == "dWkKAAAAYWxpY2UubmVhcg=="
    assert b64(value_vector_key(POOLV1_MAP_PREFIX, 5)) == "dXYFAAAAAAAAAA=="
    assert b64(value_vector_key(POOLV1_MAP_PREFIX, 0)) == "dXYAAAAAAAAAAA=="
    assert b64(value_vector_key(POOLV1_MAP_PREFIX, 1234)) == "dXbSBAAAAAAAAA=="
    assert b64(key_vector_key(POOLV1_MAP_PREFIX, 5)) == "dWsFAAAAAAAAAA=="
    assert b64(index_key(STAKING_FARM_MAP_PREFIX, "alice.near")) == "AGkKAAAAYWxpY2UubmVhcg=="
    assert b64(value_vector_key(STAKING_FARM_MAP_PREFIX, 5)) == "AHYFAAAAAAAAAA=="


def test_borsh_encoders():
    assert borsh.string("alice.near").hex() == "0a000000616c6963652e6e656172"
    assert borsh.u64(5) == b"\x05" + b"\x00" * 7
    assert borsh.u128(1) == b"\x01" + b"\x00" * 15
    assert borsh.option(None, borsh.u64) == b"\x00"
    assert borsh.option(7, borsh.u8) == b"\x01\x07"
    assert borsh.boolean(True) == b"\x01"


def test_no_code_hash_is_base58_of_zeros():
    assert b58encode(bytes(32)) == NO_CODE_HASH


@given(st.binary(max_size=40))
def test_base58_round_trip(data):
    assert b58decode(b58encode(data)) == data


def test_timestamps_are_deterministic_and_strictly_increasing():
    timeline = Timeline()
    start = timeline.epoch_start(SCENARIO.epoch_height)
    stamps = [timeline.timestamp_ns(h) for h in range(start - 2000, start + 2000)]
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert min(gaps) >= NOMINAL_BLOCK_NS - 2 * MAX_JITTER_NS
    assert max(gaps) <= NOMINAL_BLOCK_NS + 2 * MAX_JITTER_NS
    assert len(set(gaps)) > 100  # jitter is real
    assert Timeline().timestamp_ns(start) == timeline.timestamp_ns(start)


def test_skipped_heights_are_rare_and_never_epoch_starts():
    timeline = Timeline()
    start = timeline.epoch_start(SCENARIO.epoch_height)
    skipped = timeline.skipped_heights(start - 43_200 * 3, start + 43_200 * 3)
    assert 200 < len(skipped) < 400
    assert all(not timeline.is_epoch_start(h) for h in skipped)
    for epoch in range(0, 4000, 7):  # no epoch start is ever skipped
        assert not timeline.is_skipped(timeline.epoch_start(epoch))
    # block_ordinal counts blocks, not heights.
    height = skipped[-1] + 1
    assert timeline.block_ordinal(height) - timeline.block_ordinal(skipped[0] - 1) == (
        height - skipped[0] + 1 - len(skipped)
    )


def test_epoch_ids_are_base58_hashes():
    timeline = Timeline()
    epoch_id = timeline.epoch_id(SCENARIO.epoch_height)
    assert len(b58decode(epoch_id)) == 32
    assert timeline.epoch_of_id(epoch_id, SCENARIO.epoch_height - 2) == SCENARIO.epoch_height


def test_farm_account_value_layout(shared_sandbox, rpc):
    """charlie (staking-farm): 0x00-prefixed keys, 40-byte account + two empty HashMaps."""
    pool = SCENARIO.pool_id("charlie")
    params = {"request_type": "view_state", "finality": "final", "account_id": pool,
              "prefix_base64": b64(index_key(STAKING_FARM_MAP_PREFIX, "bob.near"))}
    values = rpc.result(shared_sandbox.url, "query", params)["values"]
    assert len(values) == 1
    index = int.from_bytes(base64.b64decode(values[0]["value"]), "little")
    params["prefix_base64"] = b64(value_vector_key(STAKING_FARM_MAP_PREFIX, index))
    value = base64.b64decode(rpc.result(shared_sandbox.url, "query", params)["values"][0]["value"])
    assert len(value) == 48 and value[40:] == bytes(8)
    staked = rpc.view(shared_sandbox.url, pool, "get_account", {"account_id": "bob.near"})
    assert int.from_bytes(value[0:16], "little") == int(staked["unstaked_balance"])
