"""Classify a NEAR JSON-RPC failure: which typed error it is and whether trying again can help.

nearcore reports errors in two places (near-rpc.md §3.1): a top-level `error` object, and, for `query`, a legacy
HTTP-200 `result.error` string. Both are handled here so the client itself stays about transport.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.near import errors


class Retry(Enum):
    NEVER = "never"  # the answer is the answer (account missing, contract panicked)
    OTHER_ENDPOINT = "other_endpoint"  # this node cannot answer; another may (lagging node, unsupported method)
    BACKOFF = "backoff"  # transient: timeouts, 5xx, 429, malformed bodies


@dataclass
class Failure(Exception):
    error: errors.NearError
    retry: Retry
    retry_after: float | None = None
    rate_limited: bool = False

    def __str__(self) -> str:
        return self.error.message


_TRANSIENT_CAUSES = {
    "TIMEOUT_ERROR",
    "NO_SYNCED_BLOCKS",
    "NOT_SYNCED_YET",
    "UNAVAILABLE_SHARD",
    "INTERNAL_ERROR",
    "VALIDATOR_INFO_UNAVAILABLE",
}
_PANIC_PATTERNS = (
    re.compile(r'panic_msg: "((?:[^"\\]|\\.)*)"'),
    re.compile(r"Smart contract panicked: (.*?)(?:\"\)\)|\"\)|$)", re.DOTALL),
)


def describe_request(method: str, params: Any) -> tuple[str, str]:
    """(account_id, method_name) of a query, for error messages."""
    if isinstance(params, dict):
        return str(params.get("account_id", "?")), str(params.get("method_name", params.get("request_type", method)))
    return "?", method


def from_vm_error(vm_error: Any, account_id: str, method_name: str) -> errors.NearError:
    """Map a contract execution error to a typed error: the legacy text ("wasm execution failed with error: …") or
    the object newer nodes send (`{"ExecutionError": …}`, `{"MethodResolveError": "MethodNotFound"}`, …)."""
    if not isinstance(vm_error, str) or vm_error in _VM_ERROR_TEXT:  # a unit variant arrives as a bare name
        return _from_vm_object(vm_error, account_id, method_name)
    text = vm_error
    if "MethodNotFound" in text or "MethodResolveError" in text:
        return errors.MethodNotFound(account_id, method_name)
    if "CodeDoesNotExist" in text:
        return errors.NoContractCode(account_id)
    for pattern in _PANIC_PATTERNS:
        match = pattern.search(text)
        if match:
            message = match.group(1).replace('\\"', '"').strip()
            return errors.ContractPanic(account_id, method_name, message)
    detail = text.removeprefix("wasm execution failed with error: ")
    return errors.ContractExecutionError(account_id, method_name, detail[:300])


# What a person can make of nearcore's FunctionCallError variants (core/primitives/src/errors.rs) and of the RPC
# mirror with a parsed panic payload (chain/jsonrpc-primitives/src/types/call_function.rs `RpcFunctionCallError`).
_VM_ERROR_TEXT = {
    "CompilationError": "its contract code could not be compiled",
    "LinkError": "its contract code could not be linked",
    "MethodResolveError": "the method could not be called",
    "WasmTrap": "the contract stopped with a WebAssembly trap",
    "WasmUnknownError": "the contract failed with an unknown WebAssembly error",
    "HostError": "the contract did something the chain refused",
}
PANIC_PREFIX = "Smart contract panicked: "


def _variant(value: Any) -> tuple[str, Any]:
    """A serde enum value: "Unit" or {"Name": detail} → (name, detail)."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and len(value) == 1:
        ((name, detail),) = value.items()
        return str(name), detail
    return "", value


def _from_vm_object(vm_error: Any, account_id: str, method_name: str) -> errors.NearError:
    name, detail = _variant(vm_error)
    inner, inner_detail = _variant(detail)
    if name == "ExecutionError":
        if isinstance(detail, str):
            if detail.startswith(PANIC_PREFIX):
                return errors.ContractPanic(account_id, method_name, detail.removeprefix(PANIC_PREFIX).strip())
            return errors.ContractExecutionError(account_id, method_name, detail[:300])
        # A panic whose message was JSON arrives parsed: show it as the contract wrote it.
        panic = json.dumps(detail, separators=(",", ":"), ensure_ascii=False)
        return errors.ContractPanic(account_id, method_name, panic[:300])
    if name == "MethodResolveError" and inner == "MethodNotFound":
        return errors.MethodNotFound(account_id, method_name)
    if name == "CompilationError" and inner == "CodeDoesNotExist":
        owner = inner_detail.get("account_id") if isinstance(inner_detail, dict) else None
        return errors.NoContractCode(owner if isinstance(owner, str) else account_id)
    if name == "HostError" and inner == "GuestPanic" and isinstance(inner_detail, dict):
        return errors.ContractPanic(account_id, method_name, str(inner_detail.get("panic_msg", "")).strip())
    if name == "LinkError" and isinstance(detail, dict) and isinstance(detail.get("msg"), str):
        inner = detail["msg"][:120]
    reason = _VM_ERROR_TEXT.get(name, "the contract failed")
    named = inner if name in _VM_ERROR_TEXT else name  # a known variant is named by its inner case
    return errors.ContractExecutionError(account_id, method_name, f"{reason} ({named[:120]})" if named else reason)


def _at_block(error: errors.NearError, height: Any) -> errors.NearError:
    """Mark a definitive answer with the block it describes (query errors carry `block_height`, near-rpc.md §3.2)."""
    if isinstance(height, int) and not isinstance(height, bool) and height >= 0:
        error.block_height = height
    return error


def from_legacy_result_error(text: str, account_id: str, method_name: str, block_height: Any = None) -> Failure:
    """HTTP-200 `result.error` string (near-rpc.md §3.1, item 2), with the result's `block_height`."""
    if text.startswith("wasm execution failed with error:"):
        error = from_vm_error(text, account_id, method_name)
    elif "does not exist while viewing" in text and "access key" not in text:
        error = errors.AccountNotFound(account_id)
    elif text.startswith("access key ") and "does not exist while viewing" in text:  # nearcore process_query_response
        error = errors.UnknownAccessKey(account_id, text.split(" ")[2])
    else:
        error = errors.ContractExecutionError(account_id, method_name, text[:300])
    return Failure(_at_block(error, block_height), Retry.NEVER)


def from_error_object(error: Any, method: str, params: Any) -> Failure:
    """Top-level JSON-RPC `error` object, structured (name/cause) or legacy (code/message/data). A definitive
    answer about a block keeps that block's height (`cause.info.block_height`)."""
    failure = _from_error_object(error, method, params)
    if failure.retry is Retry.NEVER and isinstance(error, dict) and isinstance(error.get("cause"), dict):
        info = error["cause"].get("info")
        if isinstance(info, dict):
            _at_block(failure.error, info.get("block_height"))
    return failure


def _from_error_object(error: Any, method: str, params: Any) -> Failure:
    account_id, method_name = describe_request(method, params)
    if not isinstance(error, dict):
        return Failure(errors.MalformedResponse(f"The RPC node sent an unreadable error: {str(error)[:200]}"), Retry.BACKOFF)
    name = error.get("name") if isinstance(error.get("name"), str) else None
    raw_cause = error.get("cause")
    cause: dict[str, Any] = raw_cause if isinstance(raw_cause, dict) else {}
    cause_name = cause.get("name") if isinstance(cause.get("name"), str) else None
    raw_info = cause.get("info")
    info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    data = str(error.get("data") or error.get("message") or "")

    if cause_name == "UNKNOWN_ACCOUNT":
        return Failure(errors.AccountNotFound(str(info.get("requested_account_id", account_id))), Retry.NEVER)
    if cause_name == "UNKNOWN_ACCESS_KEY":
        key = params.get("public_key", "?") if isinstance(params, dict) else "?"
        return Failure(errors.UnknownAccessKey(account_id, str(info.get("public_key", key))), Retry.NEVER)
    if cause_name == "INVALID_ACCOUNT":
        return Failure(errors.InvalidAccount(str(info.get("requested_account_id", account_id))), Retry.NEVER)
    if cause_name == "NO_CONTRACT_CODE":
        return Failure(errors.NoContractCode(str(info.get("contract_account_id", account_id))), Retry.NEVER)
    if cause_name == "TOO_LARGE_CONTRACT_STATE":
        return Failure(errors.StateTooLarge(account_id), Retry.NEVER)
    if cause_name == "CONTRACT_EXECUTION_ERROR":
        # `vm_error` is text on `query` (plus an `error` object on newer nodes) and an object on the newer methods.
        vm_error = info.get("vm_error", data)
        if isinstance(vm_error, str) and info.get("error") is not None:
            vm_error = info["error"]
        return Failure(from_vm_error(vm_error, account_id, method_name), Retry.NEVER)
    if cause_name in ("UNKNOWN_BLOCK", "GARBAGE_COLLECTED_BLOCK"):
        return Failure(errors.BlockNotFound(data[:200] or cause_name), Retry.OTHER_ENDPOINT)
    if cause_name == "UNKNOWN_EPOCH":
        return Failure(errors.UnknownEpoch("The RPC node does not know that epoch."), Retry.OTHER_ENDPOINT)
    if cause_name in _TRANSIENT_CAUSES or name == "INTERNAL_ERROR":
        return Failure(errors.RpcUnavailable(f"The RPC node had a temporary problem ({cause_name or name})."), Retry.BACKOFF)
    if name == "REQUEST_VALIDATION_ERROR" or cause_name in ("METHOD_NOT_FOUND", "PARSE_ERROR"):
        return Failure(
            errors.RpcRequestRejected(f"The RPC node rejected the {method} request ({cause_name or name}): {data[:200]}"),
            Retry.OTHER_ENDPOINT,
        )
    # Legacy error objects without `name` (older nodes): only `data` text says what happened.
    if "does not exist while viewing" in data and "access key" not in data:
        return Failure(errors.AccountNotFound(account_id), Retry.NEVER)
    if "wasm execution failed" in data or "CodeDoesNotExist" in data:
        return Failure(from_vm_error(data, account_id, method_name), Retry.NEVER)
    if "too large to be viewed" in data:
        return Failure(errors.StateTooLarge(account_id), Retry.NEVER)
    if error.get("code") == -32601:
        return Failure(errors.RpcRequestRejected(f"The RPC node does not support {method}."), Retry.OTHER_ENDPOINT)
    return Failure(
        errors.RpcUnavailable(f"The RPC node returned an error: {data[:200] or name or 'with no description'}"),
        Retry.BACKOFF,
    )


def from_http_status(status: int, body: bytes, retry_after: float | None) -> Failure:
    """A non-200 answer whose body is not a JSON-RPC error (429 text, 502 HTML, ...)."""
    if status == 429:
        return Failure(
            errors.RateLimited("The RPC provider is rate limiting the bot.", retry_after=retry_after),
            Retry.BACKOFF,
            retry_after=retry_after,
            rate_limited=True,
        )
    snippet = body[:120].decode("utf-8", "replace").strip()
    return Failure(
        errors.RpcUnavailable(f"The RPC node answered HTTP {status} ({snippet or 'no body'})."),
        Retry.BACKOFF,
        retry_after=retry_after,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def decode_reply(
    url: str, status: int, content: bytes, retry_after_header: str | None, method: str, params: Any
) -> Any:
    """A JSON-RPC answer's `result`, or the Failure it says: an error object, a non-200 status, a legacy
    `result.error` string (with the block it describes), a body that is not a JSON-RPC answer."""
    retry_after = parse_retry_after(retry_after_header)
    try:
        payload = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict) and "error" in payload and payload["error"] is not None:
        failure = from_error_object(payload["error"], method, params)
        if status == 429:
            failure.rate_limited = True
        if failure.retry_after is None:
            failure.retry_after = retry_after
        raise failure
    if status != 200:
        raise from_http_status(status, content, retry_after)
    if not isinstance(payload, dict) or "result" not in payload:
        raise Failure(errors.MalformedResponse(f"{url} sent a body that is not a JSON-RPC answer."), Retry.BACKOFF)
    result = payload["result"]
    if method == "query" and isinstance(result, dict) and isinstance(result.get("error"), str):
        account_id, method_name = describe_request(method, params)
        raise from_legacy_result_error(result["error"], account_id, method_name, result.get("block_height"))
    return result
