"""JSON-RPC wire format: result shapes, error shapes and HTTP status codes (near-rpc.md §2, §3)."""

from __future__ import annotations

import base64
import json

import pytest

from bot.sandbox import ThreadedSandbox
from bot.sandbox.contracts import ContractPanic
from bot.sandbox.hashing import b58decode
from bot.sandbox.rpc_errors import contract_execution_error
from bot.sandbox.scenario import SCENARIO

from .sandbox_testlib import b64, call_function_params

POOL_CODE_HASHES = {"poolv1": "J1arLz48fgXcGyCPVckFwLnewNH6j1uw79thsvwqGYTY",
                    "staking-farm": "AjD4YJaXgpiRdiArqnzyDi7Bkr1gJms9Z2w7Ev5esTKB"}


def assert_top_level_error(body, name, cause, code=-32000):
    error = body["error"]
    assert "result" not in body
    assert error["name"] == name and error["cause"]["name"] == cause and error["code"] == code
    assert set(error) == {"name", "cause", "code", "message", "data"}
    return error


@pytest.mark.parametrize("params", [[], {}, None, {"finality": "final"}])
def test_status(shared_sandbox, rpc, params):
    result = rpc.result(shared_sandbox.url, "status", params)
    sync = result["sync_info"]
    chain = shared_sandbox.chain
    assert sync["latest_block_height"] == chain.head_height
    assert sync["epoch_start_height"] == chain.epoch_start_height
    assert len(b58decode(sync["epoch_id"])) == 32  # a hash, not a number
    assert sync["syncing"] is False and sync["latest_block_time"].endswith("Z")
    assert result["version"]["commit"] and result["chain_id"] == "sandbox"
    assert {"account_id": SCENARIO.pool_id("alpha"), "is_slashed": False} in result["validators"]


def test_block_final_and_optimistic(shared_sandbox, rpc):
    chain = shared_sandbox.chain
    final = rpc.result(shared_sandbox.url, "block", {"finality": "final"})["header"]
    optimistic = rpc.result(shared_sandbox.url, "block", {"finality": "optimistic"})["header"]
    assert optimistic["height"] == chain.head_height
    assert final["height"] == chain.final_height() < chain.head_height
    for field in ("height", "hash", "prev_height", "prev_hash", "epoch_id", "next_epoch_id", "timestamp",
                  "timestamp_nanosec", "gas_price", "latest_protocol_version", "chunks_included",
                  "validator_proposals", "validator_reward", "block_ordinal", "total_supply", "last_final_block"):
        assert field in final, field
    assert final["timestamp_nanosec"] == str(final["timestamp"])
    assert final["epoch_id"] == rpc.result(shared_sandbox.url, "status", [])["sync_info"]["epoch_id"]
    assert final["timestamp"] == chain.timeline.timestamp_ns(final["height"])


def test_block_by_height_and_hash(shared_sandbox, rpc):
    chain = shared_sandbox.chain
    start = chain.epoch_start_height
    by_height = rpc.result(shared_sandbox.url, "block", {"block_id": start})
    by_hash = rpc.result(shared_sandbox.url, "block", {"block_id": by_height["header"]["hash"]})
    assert by_hash == by_height
    # prev_height jumps over a skipped height
    skipped = chain.timeline.skipped_heights(start, chain.head_height)[0]
    after = rpc.result(shared_sandbox.url, "block", {"block_id": skipped + 1})["header"]
    assert after["prev_height"] == skipped - 1


def test_http_status_and_positional_block(shared_sandbox, rpc, http):
    status = http.get(shared_sandbox.url + "/status").json()
    assert status["sync_info"]["latest_block_height"] == shared_sandbox.chain.head_height
    height = shared_sandbox.chain.epoch_start_height
    assert rpc.result(shared_sandbox.url, "block", [height])["header"]["height"] == height


def test_skipped_and_future_blocks_are_422_unknown_block(shared_sandbox, rpc):
    chain = shared_sandbox.chain
    skipped = chain.timeline.skipped_heights(chain.epoch_start_height, chain.head_height)[0]
    for block_id in (skipped, chain.head_height + 10):
        status, body = rpc.call(shared_sandbox.url, "block", {"block_id": block_id})
        assert status == 422
        error = assert_top_level_error(body, "HANDLER_ERROR", "UNKNOWN_BLOCK")
        assert error["cause"]["info"] == {"block_reference": {"block_id": block_id}}
    status, body = rpc.call(shared_sandbox.url, "query", {
        "request_type": "view_account", "block_id": skipped, "account_id": "alice.near"})
    assert status == 422 and body["error"]["cause"]["name"] == "UNKNOWN_BLOCK"


def test_validators(shared_sandbox, rpc):
    url = shared_sandbox.url
    current = rpc.result(url, "validators", [None])
    chain = shared_sandbox.chain
    assert current["epoch_height"] == SCENARIO.epoch_height == chain.epoch_height
    assert current["epoch_start_height"] == chain.epoch_start_height
    ids = {v["account_id"] for v in current["current_validators"]}
    assert ids == {SCENARIO.pool_id(r) for r in ("alpha", "bravo", "charlie", "mega", "chunkval")}
    next_ids = {v["account_id"] for v in current["next_validators"]}
    assert next_ids == ids | {SCENARIO.pool_id("proposal")}
    assert [p["account_id"] for p in current["current_proposals"]] == [SCENARIO.pool_id("proposal")]
    assert current["prev_epoch_kickout"] == [{"account_id": SCENARIO.pool_id("kicked"),
                                              "reason": {"NotEnoughBlocks": {"expected": 412, "produced": 97}}}]
    for v in current["current_validators"]:
        assert v["num_produced_blocks"] <= v["num_expected_blocks"] and int(v["stake"]) > 0
        assert v["public_key"].startswith("ed25519:")
    # A chunk-validator-only seat: no blocks, no chunks, no shard; only endorsements (stateless validation).
    (seat,) = [v for v in current["current_validators"] if v["account_id"] == SCENARIO.pool_id("chunkval")]
    assert (seat["num_expected_blocks"], seat["num_expected_chunks"], seat["shards"]) == (0, 0, [])
    expected = seat["num_expected_endorsements"]
    assert expected > 0 and seat["num_produced_endorsements"] == expected * 29_610 // 30_863
    epoch_id = rpc.result(url, "status", [])["sync_info"]["epoch_id"]
    assert rpc.result(url, "validators", {"epoch_id": epoch_id}) == current
    # A block names an epoch only when it is that epoch's last block (nearcore view_client_actor.rs).
    last_of_previous = chain.timeline.epoch_last_block(chain.epoch_height - 1)
    previous = rpc.result(url, "validators", {"block_id": last_of_previous})
    assert (previous["epoch_height"], previous["epoch_start_height"]) == (
        chain.epoch_height - 1, chain.timeline.epoch_start(chain.epoch_height - 1))
    assert rpc.result(url, "validators", [chain.timeline.block_hash(last_of_previous)]) == previous
    assert rpc.result(url, "validators", {"epoch_id": chain.timeline.epoch_id(chain.epoch_height - 1)}) == previous
    for params in ({"block_id": chain.head_height}, {"block_id": chain.epoch_start_height}):
        status, body = rpc.call(url, "validators", params)
        assert status == 200
        assert_top_level_error(body, "HANDLER_ERROR", "VALIDATOR_INFO_UNAVAILABLE")
    # epochs older than the blocks a node keeps are not described
    status, body = rpc.call(url, "validators", {"epoch_id": chain.timeline.epoch_id(chain.epoch_height - 6)})
    assert status == 200
    assert_top_level_error(body, "HANDLER_ERROR", "UNKNOWN_EPOCH")


def test_protocol_config_and_gas_price(shared_sandbox, rpc):
    config = rpc.result(shared_sandbox.url, "EXPERIMENTAL_protocol_config", {"finality": "final"})
    assert config["epoch_length"] == 43_200 and config["max_inflation_rate"] == [1, 40]
    assert config["genesis_height"] == shared_sandbox.chain.timeline.genesis_height
    assert rpc.result(shared_sandbox.url, "gas_price", [None]) == {"gas_price": "100000000"}


def test_view_account_shapes(shared_sandbox, rpc):
    url = shared_sandbox.url
    for role in ("alpha", "charlie"):
        info = SCENARIO.pools[role]
        result = rpc.result(url, "query", {"request_type": "view_account", "finality": "final",
                                           "account_id": info.pool_id})
        assert result["code_hash"] == POOL_CODE_HASHES[info.contract]
        assert int(result["locked"]) > 0 and isinstance(result["amount"], str)
        assert 200_000 < result["storage_usage"] < 400_000
        assert result["block_height"] == shared_sandbox.chain.final_height()
    plain = rpc.result(url, "query", {"request_type": "view_account", "finality": "optimistic",
                                      "account_id": "nocontract.near"})
    assert plain["code_hash"] == "11111111111111111111111111111111" and plain["locked"] == "0"
    token = rpc.result(url, "query", {"request_type": "view_account", "finality": "final",
                                      "account_id": "token.sandbox.near"})
    assert token["code_hash"] not in POOL_CODE_HASHES.values()


def test_unknown_account_is_handler_error(shared_sandbox, rpc):
    for params in (
        {"request_type": "view_account", "finality": "final", "account_id": "ghost.near"},
        call_function_params("ghost.near", "get_account", {"account_id": "alice.near"}),
        {"request_type": "view_state", "finality": "final", "account_id": "ghost.near", "prefix_base64": ""},
    ):
        status, body = rpc.call(shared_sandbox.url, "query", params)
        assert status == 200
        error = assert_top_level_error(body, "HANDLER_ERROR", "UNKNOWN_ACCOUNT")
        assert error["cause"]["info"]["requested_account_id"] == "ghost.near"
        assert error["data"] == "account ghost.near does not exist while viewing"


def test_call_function_results(shared_sandbox, rpc):
    url = shared_sandbox.url
    pool = SCENARIO.pool_id("alpha")
    result = rpc.result(url, "query", call_function_params(pool, "get_reward_fee_fraction"))
    assert isinstance(result["result"], list) and result["logs"] == []
    assert json.loads(bytes(result["result"])) == {"numerator": 10, "denominator": 100}
    assert rpc.view(url, pool, "get_owner_id") == "alpha-ops.near"
    assert rpc.view(url, pool, "is_staking_paused") is False
    assert rpc.view(url, SCENARIO.pool_id("paused"), "is_staking_paused") is True
    assert rpc.view(url, pool, "get_staking_key").startswith("ed25519:")
    count = rpc.view(url, pool, "get_number_of_accounts")
    assert isinstance(count, int)
    accounts = rpc.view(url, pool, "get_accounts", {"from_index": 0, "limit": 100})
    assert len(accounts) == count
    assert set(accounts[0]) == {"account_id", "unstaked_balance", "staked_balance", "can_withdraw"}
    total = rpc.view(url, pool, "get_account_total_balance", {"account_id": "bob.near"})
    staked = rpc.view(url, pool, "get_account_staked_balance", {"account_id": "bob.near"})
    unstaked = rpc.view(url, pool, "get_account_unstaked_balance", {"account_id": "bob.near"})
    assert int(total) == int(staked) + int(unstaked)
    assert rpc.view(url, SCENARIO.pool_id("charlie"), "get_version")


@pytest.mark.parametrize(
    ("account_id", "method", "args", "text"),
    [
        ("token.sandbox.near", "get_account", {"account_id": "alice.near"},
         "wasm execution failed with error: MethodResolveError(MethodNotFound)"),
        ("alpha.poolv1.near", "no_such_method", {},
         "wasm execution failed with error: MethodResolveError(MethodNotFound)"),
        ("nocontract.near", "get_account", {"account_id": "alice.near"},
         'wasm execution failed with error: CompilationError(CodeDoesNotExist { account_id: "nocontract.near" })'),
        ("alpha.poolv1.near", "get_account", {},
         'wasm execution failed with error: FunctionCallError(HostError(GuestPanic { panic_msg: '
         '"Failed to deserialize input from JSON." }))'),
        ("alpha.poolv1.near", "unstake_all", {},
         'wasm execution failed with error: FunctionCallError(HostError(ProhibitedInView { method_name: '
         '"attached_deposit" }))'),
    ],
)
def test_legacy_result_error(shared_sandbox, rpc, account_id, method, args, text):
    status, body = rpc.call(shared_sandbox.url, "query", call_function_params(account_id, method, args))
    assert status == 200
    result = body["result"]
    assert result["error"] == text
    assert result["logs"] == [] and isinstance(result["block_height"], int) and result["block_hash"]
    assert "result" not in result


def test_structured_error_style(rpc):
    with ThreadedSandbox(node_options={"error_style": "structured"}) as sandbox:
        url = sandbox.url
        status, body = rpc.call(url, "query", call_function_params("token.sandbox.near", "get_account"))
        error = assert_top_level_error(body, "HANDLER_ERROR", "CONTRACT_EXECUTION_ERROR")
        assert status == 200
        assert error["cause"]["info"]["vm_error"] == {"MethodResolveError": "MethodNotFound"}
        assert {"block_height", "block_hash"} <= set(error["cause"]["info"])
        _, body = rpc.call(url, "query", call_function_params("alpha.poolv1.near", "get_account"))
        assert body["error"]["cause"]["info"]["vm_error"] == {
            "ExecutionError": "Smart contract panicked: Failed to deserialize input from JSON."}
        _, body = rpc.call(url, "query", call_function_params("nocontract.near", "get_account"))
        assert_top_level_error(body, "HANDLER_ERROR", "NO_CONTRACT_CODE")
        # successes are unchanged
        assert rpc.view(url, "alpha.poolv1.near", "get_owner_id") == "alpha-ops.near"


def test_structured_panic_with_a_json_message_is_sent_parsed():
    info = contract_execution_error(ContractPanic('{"error":"too early"}'), 7, "h").error["cause"]["info"]
    assert info["vm_error"] == {"ExecutionError": {"error": "too early"}}
    info = contract_execution_error(ContractPanic("plain words"), 7, "h").error["cause"]["info"]
    assert info["vm_error"] == {"ExecutionError": "Smart contract panicked: plain words"}


def test_runtime_account_id_check_answers_invalid_account(rpc):
    with ThreadedSandbox(node_options={"account_id_check": "runtime"}) as sandbox:
        status, body = rpc.call(sandbox.url, "query",
                                {"request_type": "view_account", "finality": "final", "account_id": "Not Valid"})
        assert status == 200
        error = assert_top_level_error(body, "HANDLER_ERROR", "INVALID_ACCOUNT")
        assert error["cause"]["info"]["requested_account_id"] == "Not Valid"
        assert error["data"] == "Account ID Not Valid is invalid"


def test_request_validation_errors(shared_sandbox, rpc, http):
    url = shared_sandbox.url
    status, body = rpc.call(url, "validatorz", [None])
    assert status == 400
    error = assert_top_level_error(body, "REQUEST_VALIDATION_ERROR", "METHOD_NOT_FOUND", code=-32601)
    assert error["data"] == "validatorz" and error["cause"]["info"] == {"method_name": "validatorz"}
    response = http.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert_top_level_error(response.json(), "REQUEST_VALIDATION_ERROR", "PARSE_ERROR", code=-32700)
    for params in (
        {"request_type": "view_account", "account_id": "alice.near"},  # no finality / block_id
        {"request_type": "view_everything", "finality": "final", "account_id": "alice.near"},
        {"request_type": "view_account", "finality": "final", "account_id": "Not Valid"},
        {"request_type": "call_function", "finality": "final", "account_id": "alice.near", "method_name": "x"},
    ):
        status, body = rpc.call(url, "query", params)
        assert status == 400 and body["error"]["cause"]["name"] == "PARSE_ERROR", params
    assert rpc.raw(url, "status", [], request_id=42).json()["id"] == 42


def test_query_at_older_block_id(shared_sandbox, rpc):
    chain = shared_sandbox.chain
    height = chain.epoch_start_height
    result = rpc.result(shared_sandbox.url, "query", {"request_type": "view_account", "block_id": height,
                                                      "account_id": "alice.near"})
    assert result["block_height"] == height and result["block_hash"] == chain.timeline.block_hash(height)


def test_view_state_small_pool_and_no_code(shared_sandbox, rpc):
    url = shared_sandbox.url
    result = rpc.result(url, "query", {"request_type": "view_state", "finality": "final",
                                       "account_id": "alpha.poolv1.near", "prefix_base64": ""})
    keys = [base64.b64decode(v["key"]) for v in result["values"]]
    assert keys == sorted(keys) and b"STATE" in keys and "last_key" not in result
    count = rpc.view(url, "alpha.poolv1.near", "get_number_of_accounts")
    assert len(keys) == 1 + 3 * count
    state = base64.b64decode(result["values"][keys.index(b"STATE")]["value"])
    assert state[:4] == len("alpha-ops.near").to_bytes(4, "little")
    assert state[18:22] == (33).to_bytes(4, "little") and state[22] == 0  # Vec<u8> key: curve byte 0
    empty = rpc.result(url, "query", {"request_type": "view_state", "finality": "final",
                                      "account_id": "nocontract.near", "prefix_base64": ""})
    assert empty["values"] == []


def test_alice_unlock_epoch_via_view_state(shared_sandbox, rpc):
    url = shared_sandbox.url
    params = {"request_type": "view_state", "finality": "final", "account_id": "bravo.poolv1.near",
              "prefix_base64": "dWkKAAAAYWxpY2UubmVhcg==", "limit": 1}
    first = rpc.result(url, "query", params)
    assert [v["key"] for v in first["values"]] == ["dWkKAAAAYWxpY2UubmVhcg=="]
    index = int.from_bytes(base64.b64decode(first["values"][0]["value"]), "little")
    params.update(prefix_base64=b64(b"uv" + index.to_bytes(8, "little")), block_id=first["block_height"])
    del params["finality"]
    value = base64.b64decode(rpc.result(url, "query", params)["values"][0]["value"])
    assert len(value) == 40
    expected = SCENARIO.delegation("alice.near", "bravo.poolv1.near").available_epoch
    assert int.from_bytes(value[32:40], "little") == expected == SCENARIO.epoch_height + 4


def test_mega_view_state_cap_and_pagination(shared_sandbox, rpc):
    url = shared_sandbox.url
    chain = shared_sandbox.chain
    assert chain.state_size("mega.poolv1.near") > 50_000
    status, body = rpc.call(url, "query", {"request_type": "view_state", "finality": "final",
                                           "account_id": "mega.poolv1.near", "prefix_base64": "U1RBVEU="})
    assert status == 200
    error = assert_top_level_error(body, "HANDLER_ERROR", "TOO_LARGE_CONTRACT_STATE")
    assert error["cause"]["info"]["contract_account_id"] == "mega.poolv1.near"

    collected, after = [], None
    pages = 0
    while True:
        params = {"request_type": "view_state", "finality": "final", "account_id": "mega.poolv1.near",
                  "prefix_base64": "", "limit": 250, "include_proof": False}
        if after:
            params["after_key_base64"] = after
        page = rpc.result(url, "query", params)
        collected += page["values"]
        pages += 1
        after = page.get("last_key")
        if after is None:
            break
        assert after == page["values"][-1]["key"] and len(page["values"]) == 250
    accounts = rpc.view(url, "mega.poolv1.near", "get_number_of_accounts")
    assert len(collected) == 1 + 3 * accounts and pages == -(-len(collected) // 250)
    keys = [base64.b64decode(v["key"]) for v in collected]
    assert keys == sorted(set(keys))
    proof = rpc.result(url, "query", {"request_type": "view_state", "finality": "final", "limit": 1,
                                      "account_id": "mega.poolv1.near", "prefix_base64": "", "include_proof": True})
    assert proof["proof"] == [] and "last_key" in proof


def test_old_node_ignores_pagination(rpc):
    with ThreadedSandbox(node_options={"paginated_view_state": False}) as sandbox:
        url = sandbox.url
        status, body = rpc.call(url, "query", {"request_type": "view_state", "finality": "final", "limit": 1,
                                               "account_id": "mega.poolv1.near", "prefix_base64": "dWk="})
        assert body["error"]["cause"]["name"] == "TOO_LARGE_CONTRACT_STATE"
        small = rpc.result(url, "query", {"request_type": "view_state", "finality": "final", "limit": 1,
                                          "account_id": "alpha.poolv1.near", "prefix_base64": "dWk="})
        assert len(small["values"]) > 1 and "last_key" not in small
        assert rpc.result(url, "status", [])["version"]["version"] < "2.13"
