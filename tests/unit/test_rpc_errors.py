"""nearcore's error shapes (near-rpc.md §3.4) become typed errors with the right retry decision."""

from __future__ import annotations

import json

from bot.near import errors
from bot.near.rpc_errors import (
    Retry,
    from_error_object,
    from_http_status,
    from_legacy_result_error,
    parse_retry_after,
)

QUERY = {"request_type": "call_function", "account_id": "alpha.poolv1.near", "method_name": "get_account"}


def test_unknown_account_is_final() -> None:
    error = {
        "name": "HANDLER_ERROR",
        "cause": {"name": "UNKNOWN_ACCOUNT", "info": {"requested_account_id": "nope.testnet", "block_height": 1}},
        "code": -32000,
        "message": "Server error",
        "data": "account nope.testnet does not exist while viewing",
    }
    failure = from_error_object(error, "query", {"request_type": "view_account", "account_id": "nope.testnet"})
    assert isinstance(failure.error, errors.AccountNotFound)
    assert failure.retry is Retry.NEVER
    assert "nope.testnet" in failure.error.message


def test_legacy_method_not_found() -> None:
    failure = from_legacy_result_error(
        "wasm execution failed with error: MethodResolveError(MethodNotFound)", "token.near", "get_account"
    )
    assert isinstance(failure.error, errors.MethodNotFound)


def test_legacy_code_does_not_exist() -> None:
    text = 'wasm execution failed with error: CompilationError(CodeDoesNotExist { account_id: "test.near" })'
    assert isinstance(from_legacy_result_error(text, "test.near", "get_account").error, errors.NoContractCode)


def test_panic_messages_in_both_known_forms() -> None:
    guest = (
        'wasm execution failed with error: FunctionCallError(HostError(GuestPanic { panic_msg: '
        '"The unstaked balance is not yet available due to unstaking delay" }))'
    )
    failure = from_legacy_result_error(guest, "alpha.poolv1.near", "withdraw")
    assert isinstance(failure.error, errors.ContractPanic)
    assert failure.error.panic_message == "The unstaked balance is not yet available due to unstaking delay"
    execution = 'wasm execution failed with error: FunctionCallError(ExecutionError("Smart contract panicked: boom"))'
    assert from_legacy_result_error(execution, "x.near", "m").error.panic_message == "boom"  # type: ignore[attr-defined]


def test_structured_contract_execution_error() -> None:
    error = {
        "name": "HANDLER_ERROR",
        "cause": {"name": "CONTRACT_EXECUTION_ERROR", "info": {"vm_error": {"ExecutionError": "Smart contract panicked: no"}}},
        "code": -32000,
    }
    failure = from_error_object(error, "query", QUERY)
    assert isinstance(failure.error, errors.ContractPanic)
    assert failure.retry is Retry.NEVER


def _contract_error(info: dict) -> dict:
    return {"name": "HANDLER_ERROR", "cause": {"name": "CONTRACT_EXECUTION_ERROR", "info": info}, "code": -32000,
            "message": "Server error", "data": "Function call returned an error: …"}


def test_object_vm_errors_read_as_plain_words() -> None:
    # Shapes of nearcore's RpcFunctionCallError (chain/jsonrpc-primitives/src/types/call_function.rs).
    panic = from_error_object(_contract_error({"vm_error": {"ExecutionError": "Smart contract panicked: no"}}),
                              "query", QUERY).error
    assert isinstance(panic, errors.ContractPanic)
    assert panic.panic_message == "no" and panic.message == "alpha.poolv1.near.get_account failed: no"
    json_panic = from_error_object(_contract_error({"vm_error": {"ExecutionError": {"code": 7, "why": "é"}}}),
                                   "query", QUERY).error
    assert isinstance(json_panic, errors.ContractPanic) and json_panic.panic_message == '{"code":7,"why":"é"}'
    cases = {
        '{"MethodResolveError": "MethodNotFound"}': errors.MethodNotFound,
        '{"CompilationError": {"CodeDoesNotExist": {"account_id": "alpha.poolv1.near"}}}': errors.NoContractCode,
        '{"HostError": {"GuestPanic": {"panic_msg": "stop"}}}': errors.ContractPanic,
    }
    for shape, kind in cases.items():
        assert isinstance(from_error_object(_contract_error({"vm_error": json.loads(shape)}), "query", QUERY).error,
                          kind), shape
    words = {
        '{"WasmTrap": "Unreachable"}': "the contract stopped with a WebAssembly trap (Unreachable)",
        '"WasmUnknownError"': "the contract failed with an unknown WebAssembly error",
        '{"LinkError": {"msg": "bad import"}}': "its contract code could not be linked (bad import)",
        '{"HostError": {"ProhibitedInView": {"method_name": "attached_deposit"}}}':
            "the contract did something the chain refused (ProhibitedInView)",
        '{"MethodResolveError": "MethodInvalidSignature"}': "the method could not be called (MethodInvalidSignature)",
        '{"SomethingNew": {"a": 1}}': "the contract failed (SomethingNew)",
    }
    for shape, text in words.items():
        error = from_error_object(_contract_error({"vm_error": json.loads(shape)}), "query", QUERY).error
        assert isinstance(error, errors.ContractExecutionError)
        assert error.message == f"alpha.poolv1.near.get_account could not run: {text}"
        assert "{" not in error.message and '"' not in error.message


def test_query_style_text_with_an_error_object_uses_the_object() -> None:
    info = {"vm_error": "wasm execution failed with error: …", "error": {"ExecutionError": "Smart contract panicked: x"}}
    error = from_error_object(_contract_error(info), "query", QUERY).error
    assert isinstance(error, errors.ContractPanic) and error.panic_message == "x"


def test_invalid_account_is_not_a_missing_account() -> None:
    error = {"name": "HANDLER_ERROR", "cause": {"name": "INVALID_ACCOUNT", "info": {
        "requested_account_id": "Bad..id", "block_height": 1, "block_hash": "x"}}, "code": -32000,
        "data": "Account ID Bad..id is invalid"}
    failure = from_error_object(error, "query", {"request_type": "view_account", "account_id": "Bad..id"})
    assert isinstance(failure.error, errors.InvalidAccount) and failure.retry is Retry.NEVER
    assert failure.error.message.startswith('"Bad..id" is not a valid account id')
    assert failure.error.bad_input


def test_method_not_found_tries_other_endpoints() -> None:
    error = {
        "name": "REQUEST_VALIDATION_ERROR",
        "cause": {"name": "METHOD_NOT_FOUND", "info": {"method_name": "validatorz"}},
        "code": -32601,
        "message": "Method not found",
        "data": "validatorz",
    }
    failure = from_error_object(error, "validatorz", [None])
    assert failure.retry is Retry.OTHER_ENDPOINT
    assert isinstance(failure.error, errors.RpcRequestRejected)


def test_transient_errors_back_off() -> None:
    timeout = {"name": "HANDLER_ERROR", "cause": {"name": "TIMEOUT_ERROR"}, "code": -32000, "data": "Timeout"}
    internal = {"name": "INTERNAL_ERROR", "cause": {"name": "INTERNAL_ERROR", "info": {"error_message": "x"}}}
    assert from_error_object(timeout, "block", {}).retry is Retry.BACKOFF
    assert from_error_object(internal, "block", {}).retry is Retry.BACKOFF


def test_too_large_state_and_unknown_block() -> None:
    large = {"name": "HANDLER_ERROR", "cause": {"name": "TOO_LARGE_CONTRACT_STATE", "info": {}}}
    assert isinstance(from_error_object(large, "query", QUERY).error, errors.StateTooLarge)
    block = {"name": "HANDLER_ERROR", "cause": {"name": "UNKNOWN_BLOCK", "info": {"block_reference": {"block_id": 5}}}}
    failure = from_error_object(block, "block", {"block_id": 5})
    assert isinstance(failure.error, errors.BlockNotFound)
    assert failure.retry is Retry.OTHER_ENDPOINT


def test_legacy_error_object_without_name() -> None:
    legacy = {"code": -32000, "message": "Server error", "data": "account ghost.near does not exist while viewing"}
    failure = from_error_object(legacy, "query", {"account_id": "ghost.near", "request_type": "view_account"})
    assert isinstance(failure.error, errors.AccountNotFound)


def test_http_429_is_rate_limited_with_retry_after() -> None:
    failure = from_http_status(429, b"Too Many Requests", parse_retry_after("2"))
    assert failure.rate_limited and failure.retry_after == 2.0
    assert isinstance(failure.error, errors.RateLimited)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after("-1") is None


def test_error_objects_with_odd_types_are_still_classified() -> None:
    # Found by fuzzing: a list where a name string belongs must not raise TypeError (unhashable).
    failure = from_error_object({"name": ["x"], "cause": {"name": ["y"]}}, "query", {})
    assert failure.retry is Retry.BACKOFF
    assert "with no description" in failure.error.message


def test_an_answer_about_a_block_says_which_block_and_a_failure_to_answer_does_not() -> None:
    # Both places nearcore puts a query error carry the block it describes (near-rpc.md §3.1, §3.2).
    missing = {"name": "HANDLER_ERROR", "cause": {"name": "UNKNOWN_ACCOUNT", "info": {
        "requested_account_id": "nope.near", "block_height": 187440904, "block_hash": "56xE"}}}
    assert from_error_object(missing, "query", {"account_id": "nope.near"}).error.block_height == 187440904
    legacy = from_legacy_result_error(
        "wasm execution failed with error: MethodResolveError(MethodNotFound)", "token.near", "get_account", 170835830
    )
    assert legacy.error.block_height == 170835830
    assert from_legacy_result_error("wasm execution failed with error: x", "a.near", "m", "1").error.block_height is None
    timeout = {"name": "HANDLER_ERROR", "cause": {"name": "TIMEOUT_ERROR", "info": {"block_height": 5}}}
    assert from_error_object(timeout, "query", QUERY).error.block_height is None  # transient: no fact about a block
