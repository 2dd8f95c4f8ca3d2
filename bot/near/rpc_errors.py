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
    """Map a contract execution error (legacy text or structured object) to a typed error."""
    text = vm_error if isinstance(vm_error, str) else json.dumps(vm_error)
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


def from_legacy_result_error(text: str, account_id: str, method_name: str) -> Failure:
    """HTTP-200 `result.error` string (near-rpc.md §3.1, item 2)."""
    if text.startswith("wasm execution failed with error:"):
        return Failure(from_vm_error(text, account_id, method_name), Retry.NEVER)
    if "does not exist while viewing" in text and "access key" not in text:
        return Failure(errors.AccountNotFound(account_id), Retry.NEVER)
    return Failure(errors.ContractExecutionError(account_id, method_name, text[:300]), Retry.NEVER)


def from_error_object(error: Any, method: str, params: Any) -> Failure:
    """Top-level JSON-RPC `error` object, structured (name/cause) or legacy (code/message/data)."""
    account_id, method_name = describe_request(method, params)
    if not isinstance(error, dict):
        return Failure(errors.MalformedResponse(f"The RPC node sent an unreadable error: {str(error)[:200]}"), Retry.BACKOFF)
    name = error.get("name") if isinstance(error.get("name"), str) else None
    cause = error.get("cause") if isinstance(error.get("cause"), dict) else {}
    cause_name = cause.get("name") if isinstance(cause.get("name"), str) else None
    info = cause.get("info") if isinstance(cause.get("info"), dict) else {}
    data = str(error.get("data") or error.get("message") or "")

    if cause_name in ("UNKNOWN_ACCOUNT", "INVALID_ACCOUNT"):
        return Failure(errors.AccountNotFound(str(info.get("requested_account_id", account_id))), Retry.NEVER)
    if cause_name == "NO_CONTRACT_CODE":
        return Failure(errors.NoContractCode(str(info.get("contract_account_id", account_id))), Retry.NEVER)
    if cause_name == "TOO_LARGE_CONTRACT_STATE":
        return Failure(errors.StateTooLarge(account_id), Retry.NEVER)
    if cause_name == "CONTRACT_EXECUTION_ERROR":
        return Failure(from_vm_error(info.get("vm_error", data), account_id, method_name), Retry.NEVER)
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
