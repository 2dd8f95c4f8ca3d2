"""nearcore JSON-RPC error objects and HTTP statuses (near-rpc.md §3).

Top-level errors carry ``name``, ``cause{name, info}`` and the legacy ``code``/``message``/``data``.
Contract failures of ``query`` are, by default, the legacy HTTP-200 ``result.error`` string (§3.1).
"""

from __future__ import annotations

import json
from typing import Any

from .contracts import ContractError, ContractPanic, MethodNotFound, ProhibitedInView

SERVER_ERROR_CODE = -32_000


class RpcFailure(Exception):
    """Raised by handlers; becomes ``{"error": ...}`` with the given HTTP status."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("data"))
        self.status = status
        self.error = error


def _error(name: str, cause: str, info: dict[str, Any] | None, code: int, message: str, data: Any) -> dict[str, Any]:
    cause_obj: dict[str, Any] = {"name": cause}
    if info is not None:  # unit causes (TIMEOUT_ERROR, UNKNOWN_EPOCH) have no info
        cause_obj["info"] = info
    return {"name": name, "cause": cause_obj, "code": code, "message": message, "data": data}


def handler_error(cause: str, info: dict[str, Any] | None, data: Any, status: int = 200) -> RpcFailure:
    return RpcFailure(status, _error("HANDLER_ERROR", cause, info, SERVER_ERROR_CODE, "Server error", data))


def parse_error(message: str) -> RpcFailure:
    # 400 since jsonrpc 2.3.0 (near-rpc.md §3.3).
    return RpcFailure(
        400,
        _error(
            "REQUEST_VALIDATION_ERROR", "PARSE_ERROR", {"error_message": message}, -32_700, "Parse error", message
        ),
    )


def method_not_found(method: str) -> RpcFailure:
    return RpcFailure(
        400,
        _error(
            "REQUEST_VALIDATION_ERROR", "METHOD_NOT_FOUND", {"method_name": method}, -32_601, "Method not found", method
        ),
    )


def internal_error_object(message: str) -> dict[str, Any]:
    info = {"error_message": message}
    return _error("INTERNAL_ERROR", "INTERNAL_ERROR", info, SERVER_ERROR_CODE, "Server error", message)


def internal_error(message: str) -> RpcFailure:
    return RpcFailure(500, internal_error_object(message))


def timeout_error_object() -> dict[str, Any]:
    # near-rpc.md §3.4 (composed; exact info/data unverified).
    return _error("HANDLER_ERROR", "TIMEOUT_ERROR", None, SERVER_ERROR_CODE, "Server error", "Timeout")


def unknown_block(block_reference: dict[str, Any]) -> RpcFailure:
    """422 for a missing or future block (near-rpc.md §3.3/§3.4)."""
    block_id = block_reference.get("block_id")
    what = f"BLOCK HEIGHT: {block_id}" if isinstance(block_id, int) else f"BLOCK: {block_id}"
    return handler_error(
        "UNKNOWN_BLOCK",
        {"block_reference": block_reference},
        f"DB Not Found Error: {what} \n Cause: Unknown",
        status=422,
    )


def unknown_epoch() -> RpcFailure:
    return handler_error("UNKNOWN_EPOCH", None, "Unknown Epoch")


def validator_info_unavailable() -> RpcFailure:
    # nearcore chain/jsonrpc-primitives/src/types/validator.rs `ValidatorInfoUnavailable` (a unit cause; data composed).
    return handler_error("VALIDATOR_INFO_UNAVAILABLE", None, "Validator info unavailable")


def unknown_account(account_id: str, height: int, block_hash: str) -> RpcFailure:
    return handler_error(
        "UNKNOWN_ACCOUNT",
        {"requested_account_id": account_id, "block_height": height, "block_hash": block_hash},
        f"account {account_id} does not exist while viewing",
    )


def unknown_access_key(public_key: str, height: int, block_hash: str) -> RpcFailure:
    # nearcore chain/jsonrpc-primitives/src/types/query.rs `UnknownAccessKey` (near-rpc.md §3.2).
    return handler_error(
        "UNKNOWN_ACCESS_KEY", {"public_key": public_key, "block_height": height, "block_hash": block_hash},
        f"access key {public_key} does not exist while viewing",
    )


def invalid_account(account_id: str, height: int, block_hash: str) -> RpcFailure:
    # nearcore chain/jsonrpc-primitives/src/types/query.rs `InvalidAccount` ("Account ID {id} is invalid").
    return handler_error(
        "INVALID_ACCOUNT",
        {"requested_account_id": account_id, "block_height": height, "block_hash": block_hash},
        f"Account ID {account_id} is invalid",
    )


def too_large_contract_state(account_id: str, height: int, block_hash: str) -> RpcFailure:
    # Text per nearcore issue #4343 (near-staking.md §3.3).
    return handler_error(
        "TOO_LARGE_CONTRACT_STATE",
        {"contract_account_id": account_id, "block_height": height, "block_hash": block_hash},
        f"State of contract {account_id} is too large to be viewed",
    )


def no_contract_code(account_id: str, height: int, block_hash: str) -> RpcFailure:
    return handler_error(
        "NO_CONTRACT_CODE",
        {"contract_account_id": account_id, "block_height": height, "block_hash": block_hash},
        f"Contract code for contract ID #{account_id} has never been observed on the node",
    )


def _rust_debug_str(text: str) -> str:
    # Rust's {:?} on a str escapes backslashes and double quotes.
    return text.replace("\\", "\\\\").replace('"', '\\"')


def legacy_vm_error_text(error: ContractError | None, account_id: str) -> str:
    """The HTTP-200 ``result.error`` text; ``None`` means the account has no code."""
    prefix = "wasm execution failed with error: "
    if error is None:
        return prefix + f'CompilationError(CodeDoesNotExist {{ account_id: "{_rust_debug_str(account_id)}" }})'
    if isinstance(error, MethodNotFound):
        return prefix + "MethodResolveError(MethodNotFound)"
    if isinstance(error, ProhibitedInView):
        return prefix + f'FunctionCallError(HostError(ProhibitedInView {{ method_name: "{error.host_function}" }}))'
    assert isinstance(error, ContractPanic)
    return prefix + f'FunctionCallError(HostError(GuestPanic {{ panic_msg: "{_rust_debug_str(error.message)}" }}))'


def _panic_payload(message: str, text: str) -> Any:
    """A panic message that is JSON is sent parsed, any other as the full text (nearcore
    chain/jsonrpc-primitives/src/types/call_function.rs `RpcFunctionCallError::ExecutionError`)."""
    try:
        return json.loads(message)
    except ValueError:
        return text


def contract_execution_error(error: ContractError, height: int, block_hash: str) -> RpcFailure:
    """Structured style (nearcore PR #14644 methods): HANDLER_ERROR CONTRACT_EXECUTION_ERROR, near-rpc.md §3.4."""
    if isinstance(error, MethodNotFound):
        vm_error: Any = {"MethodResolveError": "MethodNotFound"}
        debug = "MethodResolveError(MethodNotFound)"
    elif isinstance(error, ProhibitedInView):
        vm_error = {"HostError": {"ProhibitedInView": {"method_name": error.host_function}}}
        debug = f'HostError(ProhibitedInView {{ method_name: "{error.host_function}" }})'
    else:
        assert isinstance(error, ContractPanic)
        text = f"Smart contract panicked: {error.message}"
        vm_error = {"ExecutionError": _panic_payload(error.message, text)}
        debug = f'ExecutionError("{_rust_debug_str(text)}")'
    return handler_error(
        "CONTRACT_EXECUTION_ERROR",
        {"vm_error": vm_error, "block_height": height, "block_hash": block_hash},
        f"Function call returned an error: {debug}",
    )
