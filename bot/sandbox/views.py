"""JSON bodies of ``status``, ``block``, ``validators`` and ``EXPERIMENTAL_protocol_config``.

Shapes follow near-rpc.md §2.1–§2.4. Numbers that a real node measures (block/chunk
production counters, uptime) are deterministic functions of the chain state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .chain import SandboxChain, Seat, ValidatorRole, ValidatorStatus
from .hashing import digest, hash_b58

GAS_PRICE = "100000000"  # mainnet minimum gas price, yocto per gas


def iso_time(timestamp_ns: int) -> str:
    """RFC 3339 with nanoseconds, as nearcore prints ``latest_block_time``."""
    seconds, nanos = divmod(timestamp_ns, 1_000_000_000)
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def status_view(chain: SandboxChain, head: int, *, version: str, rpc_addr: str) -> dict[str, Any]:
    timeline = chain.timeline
    epoch = timeline.epoch_of(head)
    earliest = timeline.epoch_start(max(0, epoch - 4))  # non-archival: ~5 epochs kept (near-staking.md §6.1)
    return {
        "chain_id": timeline.chain_id,
        "genesis_hash": chain.remember_hash(timeline.genesis_height),
        "latest_protocol_version": chain.protocol_version,
        "node_key": None,
        "node_public_key": "ed25519:" + hash_b58(timeline.chain_id, "node-key", rpc_addr),
        "protocol_version": chain.protocol_version,
        "rpc_addr": rpc_addr,
        "sync_info": {
            "earliest_block_hash": chain.remember_hash(earliest),
            "earliest_block_height": earliest,
            "earliest_block_time": iso_time(timeline.timestamp_ns(earliest)),
            "epoch_id": timeline.epoch_id(epoch),  # a hash, not the epoch height (near-rpc.md §2.1)
            "epoch_start_height": timeline.epoch_start(epoch),
            "latest_block_hash": chain.remember_hash(head),
            "latest_block_height": head,
            "latest_block_time": iso_time(timeline.timestamp_ns(head)),
            "latest_state_root": hash_b58(timeline.chain_id, "state-root", head),
            "syncing": False,
        },
        "uptime_sec": (head - earliest) * 6 // 10,
        "validator_account_id": None,
        "validator_public_key": None,
        "validators": [
            {"account_id": v["account_id"], "is_slashed": False} for v in _current_validators(chain, head)
        ],
        "version": {"build": version, "commit": "5a4e1b0c", "rustc_version": "1.86.0", "version": version},
    }


def block_view(chain: SandboxChain, height: int) -> dict[str, Any]:
    timeline = chain.timeline
    epoch = timeline.epoch_of(height)
    prev = timeline.prev_height(height)
    block_hash = chain.remember_hash(height)
    producers = [v["account_id"] for v in _current_validators(chain, height) if v["shards"]] or ["sandbox-node"]
    author = producers[int.from_bytes(digest("author", height)[:4], "big") % len(producers)]
    timestamp = timeline.timestamp_ns(height)
    chunk = {
        "chunk_hash": hash_b58(timeline.chain_id, "chunk", height),
        "prev_block_hash": chain.remember_hash(prev),
        "height_created": height,
        "height_included": height,
        "shard_id": 0,
        "gas_used": 0,
        "gas_limit": 1_000_000_000_000_000,
        "balance_burnt": "0",
        "encoded_length": 8,
        "outgoing_receipts_root": hash_b58(timeline.chain_id, "receipts", height),
        "prev_state_root": hash_b58(timeline.chain_id, "state-root", prev),
        "tx_root": "11111111111111111111111111111111",
        "validator_proposals": [],
        "validator_reward": "0",
        "signature": "ed25519:" + hash_b58("chunk-sig", height) + hash_b58("chunk-sig2", height),
    }
    header = {
        "height": height,
        "prev_height": prev,
        "hash": block_hash,
        "prev_hash": chain.remember_hash(prev),
        "epoch_id": timeline.epoch_id(epoch),
        "next_epoch_id": timeline.epoch_id(epoch + 1),
        "timestamp": timestamp,
        "timestamp_nanosec": str(timestamp),
        "gas_price": GAS_PRICE,
        "latest_protocol_version": chain.protocol_version,
        "chunks_included": 1,
        "chunk_mask": [True],
        "validator_proposals": [],
        "validator_reward": "0",
        "block_ordinal": timeline.block_ordinal(height),
        "total_supply": str(chain.total_supply),
        "last_final_block": chain.remember_hash(chain.final_height(height)),
        "last_ds_final_block": chain.remember_hash(prev),
        "next_bp_hash": hash_b58(timeline.chain_id, "next-bp", epoch + 1),
        "block_merkle_root": hash_b58(timeline.chain_id, "merkle", height),
        "prev_state_root": hash_b58(timeline.chain_id, "state-root", prev),
        "chunk_receipts_root": hash_b58(timeline.chain_id, "chunk-receipts", height),
        "chunk_headers_root": hash_b58(timeline.chain_id, "chunk-headers", height),
        "chunk_tx_root": hash_b58(timeline.chain_id, "chunk-tx", height),
        "outcome_root": hash_b58(timeline.chain_id, "outcome", height),
        "challenges_root": "11111111111111111111111111111111",
        "challenges_result": [],
        "random_value": hash_b58(timeline.chain_id, "random", height),
        "rent_paid": "0",
        "epoch_sync_data_hash": None,
        "block_body_hash": hash_b58(timeline.chain_id, "body", height),
        "approvals": [],
        "signature": "ed25519:" + hash_b58("block-sig", height) + hash_b58("block-sig2", height),
    }
    return {"author": author, "chunks": [chunk], "header": header}


def _public_key(chain: SandboxChain, account_id: str) -> str:
    contract = chain.contracts.get(account_id)
    key = getattr(contract, "public_key_text", None)
    return key or "ed25519:" + hash_b58("validator-key", account_id)


def _done(expected: int, status: ValidatorStatus, salt: str, account_id: str, head: int, slack: int) -> int:
    """How many of `expected` duties were done: the status's `online` share, else all but a few (deterministic)."""
    if status.online is not None:
        numerator, denominator = status.online
        return expected * numerator // denominator
    return expected - int.from_bytes(digest(salt, account_id, head)[:4], "big") % (expected // slack + 1)


def _current_validators(chain: SandboxChain, head: int) -> list[dict[str, Any]]:
    """Producers share the blocks and chunks by stake; chunk-validator-only seats (stateless validation) produce
    none and only endorse: `shards` empty, blocks and chunks expected 0, like mainnet's smaller seats."""
    timeline = chain.timeline
    active = [
        (account_id, chain.accounts[account_id].locked, status)
        for account_id, status in chain.validators.items()
        if status.role is ValidatorRole.ACTIVE and account_id in chain.accounts
    ]
    active.sort(key=lambda item: (-item[1], item[0]))
    producer_stake = sum(stake for _, stake, status in active if status.seat is Seat.PRODUCER) or 1
    blocks_so_far = head - timeline.epoch_start(timeline.epoch_of(head)) + 1
    result = []
    for account_id, stake, status in active:
        producer = status.seat is Seat.PRODUCER
        expected = blocks_so_far * stake // producer_stake if producer else 0
        produced = _done(expected, status, "missed", account_id, head, 100)
        chunks = _done(expected, status, "missed-chunks", account_id, head, 80)
        endorsed = _done(blocks_so_far, status, "missed", account_id, head, 100)
        shards = [0] if producer else []
        result.append({
            "account_id": account_id,
            "is_slashed": False,
            "num_expected_blocks": expected,
            "num_produced_blocks": produced,
            "num_expected_chunks": expected,
            "num_produced_chunks": chunks,
            "num_expected_chunks_per_shard": [expected] if producer else [],
            "num_produced_chunks_per_shard": [chunks] if producer else [],
            "num_expected_endorsements": blocks_so_far,
            "num_produced_endorsements": endorsed,
            "num_expected_endorsements_per_shard": [blocks_so_far],
            "num_produced_endorsements_per_shard": [endorsed],
            "public_key": _public_key(chain, account_id),
            "shards": shards,
            "stake": str(stake),
        })
    return result


def validators_view(chain: SandboxChain, head: int) -> dict[str, Any]:
    timeline = chain.timeline
    epoch = timeline.epoch_of(head)
    by_role: dict[ValidatorRole, list[str]] = {role: [] for role in ValidatorRole}
    for account_id, status in chain.validators.items():
        if account_id in chain.accounts:
            by_role[status.role].append(account_id)

    def stake(account_id: str) -> str:
        return str(chain.accounts[account_id].locked)

    next_ids = sorted(
        by_role[ValidatorRole.ACTIVE] + by_role[ValidatorRole.PROPOSAL],
        key=lambda a: (-chain.accounts[a].locked, a),
    )
    return {
        "current_fishermen": [],
        "current_proposals": [
            {
                "account_id": account_id,
                "public_key": _public_key(chain, account_id),
                "stake": stake(account_id),
                "validator_stake_struct_version": "V1",
            }
            for account_id in sorted(by_role[ValidatorRole.PROPOSAL])
        ],
        "current_validators": _current_validators(chain, head),
        "epoch_height": epoch,
        "epoch_start_height": timeline.epoch_start(epoch),
        "next_fishermen": [],
        "next_validators": [
            {"account_id": a, "public_key": _public_key(chain, a), "shards": [0], "stake": stake(a)}
            for a in next_ids
        ],
        "prev_epoch_kickout": [
            {"account_id": account_id, "reason": chain.validators[account_id].kickout_reason or "Unstaked"}
            for account_id in sorted(by_role[ValidatorRole.KICKED])
        ],
    }


def protocol_config_view(chain: SandboxChain) -> dict[str, Any]:
    timeline = chain.timeline
    return {
        "protocol_version": chain.protocol_version,
        "genesis_time": iso_time(timeline.timestamp_ns(timeline.genesis_height)),
        "chain_id": timeline.chain_id,
        "genesis_height": timeline.genesis_height,
        "num_block_producer_seats": 100,
        "num_block_producer_seats_per_shard": [100],
        "avg_hidden_validator_seats_per_shard": [0],
        "dynamic_resharding": False,
        "protocol_upgrade_stake_threshold": [4, 5],
        "epoch_length": timeline.epoch_length,
        "gas_limit": 1_000_000_000_000_000,
        "min_gas_price": GAS_PRICE,
        "max_gas_price": "10000000000000000000000",
        "block_producer_kickout_threshold": 80,
        "chunk_producer_kickout_threshold": 80,
        "online_min_threshold": [90, 100],
        "online_max_threshold": [99, 100],
        "gas_price_adjustment_rate": [1, 100],
        "protocol_reward_rate": [1, 10],
        "max_inflation_rate": [1, 40],  # mainnet today (near-staking.md §6.1)
        "num_blocks_per_year": 31_536_000,  # legacy 1 s value; not a timing source (near-rpc.md §2.4)
        "minimum_stake_divisor": 10,
        "minimum_stake_ratio": [1, 6250],
        "minimum_validators_per_shard": 1,
        "max_kickout_stake_perc": 30,
        "fishermen_threshold": "340282366920938463463374607431768211455",
        "transaction_validity_period": 86_400,
        "shard_layout": {"V0": {"num_shards": 1, "version": 0}},
        "runtime_config": {
            "storage_amount_per_byte": "10000000000000000000",
            "account_creation_config": {"min_allowed_top_level_account_length": 65,
                                        "registrar_account_id": "registrar"},
        },
    }
