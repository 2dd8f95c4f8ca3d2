"""Fuzzing: no text a user types and no body an RPC node sends can crash the bot; each gives a clear error."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import parse_line
from bot.near import errors
from bot.near.http import HttpReply
from bot.near.models import AccountView, Block, CallResult, ValidatorsResponse, ViewStateResult
from bot.near.rpc import NearRpcClient
from bot.near.rpc_errors import Failure
from bot.services.lockup import parse_at_time

# Shapes from near-rpc.md §2 (trimmed).
SAMPLES: list[tuple[str, Any, Any, Any]] = [
    ("query", {"request_type": "view_account", "account_id": "a.near"}, AccountView.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"amount": "999788200694421800000000", "locked": "0",
      "code_hash": "11111111111111111111111111111111", "storage_usage": 410, "storage_paid_at": 0,
      "block_height": 187440904, "block_hash": "56xEo2LorUFVNbkFhCncFSWNiobdp1kzm14nZ47b5JVW"}}),
    ("query", {"request_type": "call_function", "account_id": "p.near", "method_name": "get_account"},
     CallResult.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"result": list(b'"ok"'), "logs": [], "block_height": 1, "block_hash": "x"}}),
    ("query", {"request_type": "view_state", "account_id": "p.near"}, ViewStateResult.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"values": [{"key": "U1RBVEU=", "value": "AQ=="}], "block_height": 1,
      "block_hash": "x"}}),
    ("block", {"finality": "final"}, Block.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"author": "n", "chunks": [], "header": {"height": 5, "hash": "h",
      "prev_height": 4, "epoch_id": "e", "next_epoch_id": "f", "timestamp": 1739254177539033760}}}),
    ("validators", [None], ValidatorsResponse.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"current_validators": [{"account_id": "v.near", "is_slashed": False,
      "num_expected_blocks": 0, "num_produced_blocks": 0, "public_key": "ed25519:x", "shards": [], "stake": "1"}],
      "next_validators": [], "current_proposals": [], "prev_epoch_kickout": [{"account_id": "k.near",
      "reason": {"NotEnoughBlocks": {"expected": 2, "produced": 1}}}], "epoch_height": 3358,
      "epoch_start_height": 187443633}}),
    ("query", {"request_type": "call_function", "account_id": "p.near", "method_name": "m"}, CallResult.model_validate,
     {"jsonrpc": "2.0", "id": "1", "result": {"error": "wasm execution failed with error: "
      "MethodResolveError(MethodNotFound)", "logs": [], "block_height": 1, "block_hash": "x"}}),
    ("query", {"request_type": "view_account", "account_id": "n.near"}, AccountView.model_validate,
     {"jsonrpc": "2.0", "id": "1", "error": {"name": "HANDLER_ERROR", "cause": {"name": "UNKNOWN_ACCOUNT", "info": {
      "requested_account_id": "n.near"}}, "code": -32000, "message": "Server error", "data": "x"}}),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def mutate(body: Any, data: st.DataObject) -> Any:
    """Replace, delete or retype one value somewhere in the body."""
    body = copy.deepcopy(body)
    node = body
    for _ in range(data.draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if isinstance(node[key], dict | list) and node[key]:
                node = node[key]
                continue
            break
        if isinstance(node, list) and node:
            index = data.draw(st.integers(0, len(node) - 1))
            if isinstance(node[index], dict | list) and node[index]:
                node = node[index]
                continue
            break
    if isinstance(node, dict) and node:
        key = data.draw(st.sampled_from(sorted(node, key=str)))
        if data.draw(st.booleans()):
            del node[key]
        else:
            node[key] = data.draw(json_values)
    elif isinstance(node, list) and node:
        node[data.draw(st.integers(0, len(node) - 1))] = data.draw(json_values)
    return body


def interpret(status: int, content: bytes, sample: tuple[str, Any, Any, Any]) -> None:
    method, params, parse, _ = sample
    client = NearRpcClient.__new__(NearRpcClient)  # only the pure decoding step is exercised here
    try:
        client.interpret("http://node", HttpReply(status, content, None), method, params, parse)
    except Failure as failure:
        assert isinstance(failure.error, errors.NearError) and failure.error.message


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_rpc_bodies_never_crash(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(SAMPLES))
    body = mutate(sample[3], data)
    interpret(data.draw(st.sampled_from([200, 200, 200, 400, 422, 429, 500, 503])), json.dumps(body).encode(), sample)


@settings(max_examples=200)
@given(st.sampled_from(SAMPLES), st.binary(max_size=64), st.integers(0, 400))
def test_truncated_and_garbage_bodies_never_crash(sample: tuple[str, Any, Any, Any], junk: bytes, cut: int) -> None:
    raw = json.dumps(sample[3]).encode()
    interpret(200, raw[:cut] + junk, sample)


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_any_command_line_parses_or_says_what_to_type(line: str) -> None:
    try:
        command, args = parse_line(line)
    except errors.InvalidInput as exc:
        assert exc.message
    else:
        assert command.name and isinstance(args, list)


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_any_time_text_parses_or_says_what_to_type(text: str) -> None:
    try:
        parse_at_time(text)
    except errors.InvalidInput as exc:
        assert "2027" in exc.message or exc.message
