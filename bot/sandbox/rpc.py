"""JSON-RPC dispatch for one sandbox node: params parsing, block references and ``query``.

Handlers return ``(http_status, response_object)``. Errors follow near-rpc.md §3.
Sandbox simplification: a ``query`` at an older ``block_id`` answers with the *current*
state, labelled with that block's height and hash (views see that block's timestamp).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from . import rpc_errors as errors
from .access_keys import UnknownAccessKey
from .account_id import is_valid_account_id
from .chain import NoContractCode, SandboxChain, UnknownAccount
from .contracts import ContractError
from .rpc_errors import RpcFailure
from .views import GAS_PRICE, block_view, protocol_config_view, status_view, validators_view

KEPT_EPOCHS = 4  # finished epochs a non-archival node still describes (≈5 epochs of blocks kept)
VIEW_STATE_SIZE_LIMIT = 50_000  # nearcore default trie_viewer_state_size_limit (near-staking.md §3.3)
ERROR_STYLES = ("legacy", "structured")
ACCOUNT_ID_CHECKS = ("parse", "runtime")


@dataclass(frozen=True)
class NodeOptions:
    """Per-node behaviour; several nodes with different options may share one chain."""

    # "legacy": contract failures of `query` come as HTTP-200 `result.error` strings (today's nearcore);
    # "structured": top-level CONTRACT_EXECUTION_ERROR / NO_CONTRACT_CODE (near-rpc.md §3.1/§3.4).
    error_style: str = "legacy"
    # False models a node older than nearcore 2.13: `limit`/`after_key_base64` ignored, cap applied.
    paginated_view_state: bool = True
    # "parse": an invalid account id fails while parsing the params (PARSE_ERROR, today's nearcore, where ids are a
    # validated type); "runtime": the runtime's own check answers INVALID_ACCOUNT (nearcore runtime/runtime/src/
    # state_viewer/mod.rs `view_account`, reached by nodes that took ids as plain strings).
    account_id_check: str = "parse"

    def __post_init__(self) -> None:
        if self.error_style not in ERROR_STYLES:
            raise ValueError(f"error_style must be one of {ERROR_STYLES}")
        if self.account_id_check not in ACCOUNT_ID_CHECKS:
            raise ValueError(f"account_id_check must be one of {ACCOUNT_ID_CHECKS}")

    @property
    def version(self) -> str:
        return "2.13.0" if self.paginated_view_state else "2.12.2"


def envelope(request_id: Any, *, result: Any = None, error: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0"}
    if error is not None:
        body["error"] = error
    else:
        body["result"] = result
    body["id"] = request_id
    return body


def parse_body(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.parse_error(f"Invalid JSON: {exc}") from None


class RpcHandler:
    def __init__(self, chain: SandboxChain, options: NodeOptions, rpc_addr: str = "127.0.0.1:3030") -> None:
        self.chain = chain
        self.options = options
        self.rpc_addr = rpc_addr
        self._methods = {
            "status": self._status,
            "block": self._block,
            "validators": self._validators,
            "EXPERIMENTAL_protocol_config": self._protocol_config,
            "gas_price": self._gas_price,
            "query": self._query,
        }

    def handle(self, payload: Any, *, lag: int = 0) -> tuple[int, dict[str, Any]]:
        """Answer one parsed request; ``lag`` makes the node see a head that many blocks behind."""
        request_id = payload.get("id") if isinstance(payload, dict) else None
        try:
            if not isinstance(payload, dict) or not isinstance(payload.get("method"), str):
                raise errors.parse_error("Invalid request: expected an object with a `method` string")
            handler = self._methods.get(payload["method"])
            if handler is None:
                raise errors.method_not_found(payload["method"])
            result = handler(payload.get("params"), self.chain.lagged_head(lag))
            return 200, envelope(request_id, result=result)
        except RpcFailure as failure:
            return failure.status, envelope(request_id, error=failure.error)
        except Exception as exc:  # a sandbox bug must still look like a node's 500
            return 500, envelope(request_id, error=errors.internal_error_object(f"{type(exc).__name__}: {exc}"))

    # -- block references -------------------------------------------------------
    def _block_by_id(self, block_id: Any, head: int) -> int:
        if isinstance(block_id, bool) or not isinstance(block_id, (int, str)):
            raise errors.parse_error("Failed parsing args: block_id must be a height or a base58 hash")
        if isinstance(block_id, int):
            if not self.chain.block_exists(block_id, head):
                raise errors.unknown_block({"block_id": block_id})
            return block_id
        height = self.chain.find_height_by_hash(block_id, head)
        if height is None:
            raise errors.unknown_block({"block_id": block_id})
        return height

    def _resolve_block(self, params: dict[str, Any], head: int) -> int:
        if "block_id" in params:
            return self._block_by_id(params["block_id"], head)
        if "finality" in params:
            finality = params["finality"]
            if finality == "final":
                return self.chain.final_height(head)
            if finality == "near-final":
                return self.chain.timeline.latest_block_at_or_below(head - 1)
            if finality == "optimistic":
                return head
            raise errors.parse_error(
                f"Failed parsing args: unknown variant `{finality}`, "
                "expected one of `optimistic`, `near-final`, `final`"
            )
        if params.get("sync_checkpoint") == "genesis":
            return self.chain.timeline.genesis_height
        if params.get("sync_checkpoint") == "earliest_available":
            epoch = self.chain.timeline.epoch_of(head)
            return self.chain.timeline.epoch_start(max(0, epoch - 4))
        raise errors.parse_error("Failed parsing args: missing field `finality` or `block_id`")

    @staticmethod
    def _object_params(params: Any) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise errors.parse_error("Failed parsing args: expected an object")
        return params

    # -- methods ---------------------------------------------------------------------
    def _status(self, params: Any, head: int) -> dict[str, Any]:
        # Accepts [], {}, null and py-near's {"finality": "final"} (near-rpc.md §2.1).
        return status_view(self.chain, head, version=self.options.version, rpc_addr=self.rpc_addr)

    def _block(self, params: Any, head: int) -> dict[str, Any]:
        if isinstance(params, list) and len(params) == 1:  # legacy positional [height|hash]
            return block_view(self.chain, self._block_by_id(params[0], head))
        return block_view(self.chain, self._resolve_block(self._object_params(params), head))

    def _validators(self, params: Any, head: int) -> dict[str, Any]:
        """nearcore `GetValidatorInfo` (chain/client/src/view_client_actor.rs): latest = the head's epoch; an
        `epoch_id` = that epoch (the current one, or a finished one still kept); a block = its epoch only when it is
        the epoch's last block, else VALIDATOR_INFO_UNAVAILABLE."""
        timeline = self.chain.timeline
        current = timeline.epoch_of(head)
        if params is None or params == [] or params == [None] or params == {"latest": None}:
            epoch: int | None = current
        elif isinstance(params, list) and len(params) == 1:
            epoch = self._epoch_ended_by(params[0], head)
        elif isinstance(params, dict) and "epoch_id" in params:
            epoch = timeline.epoch_of_id(str(params["epoch_id"]), current)
        elif isinstance(params, dict) and "block_id" in params:
            epoch = self._epoch_ended_by(params["block_id"], head)
        else:
            raise errors.parse_error("Failed parsing args: expected [null], [block_hash], {epoch_id} or {block_id}")
        # Finished epochs are kept as long as their blocks (~5 epochs, near-rpc.md §2.3: older → UNKNOWN_EPOCH).
        if epoch is None or epoch > current or epoch < current - KEPT_EPOCHS:
            raise errors.unknown_epoch()
        # A finished epoch is described as at its last block (its validator sets are today's: a sandbox shortcut).
        return validators_view(self.chain, head if epoch == current else timeline.epoch_last_block(epoch))

    def _epoch_ended_by(self, block_id: Any, head: int) -> int:
        height = self._block_by_id(block_id, head)
        timeline = self.chain.timeline
        # nearcore also needs the next block to see that the epoch ended there.
        if height != timeline.epoch_last_block(timeline.epoch_of(height)) or height >= head:
            raise errors.validator_info_unavailable()
        return timeline.epoch_of(height)

    def _protocol_config(self, params: Any, head: int) -> dict[str, Any]:
        self._resolve_block(self._object_params(params), head)
        return protocol_config_view(self.chain)

    def _gas_price(self, params: Any, head: int) -> dict[str, Any]:
        if isinstance(params, list) and len(params) == 1 and params[0] is not None:
            self._block_by_id(params[0], head)
        elif isinstance(params, dict) and params.get("block_id") is not None:
            self._block_by_id(params["block_id"], head)
        return {"gas_price": GAS_PRICE}

    # -- query ------------------------------------------------------------------------
    def _query(self, params: Any, head: int) -> dict[str, Any]:
        params = self._object_params(params)
        request_type = params.get("request_type")
        handlers = {
            "view_account": self._view_account,
            "call_function": self._call_function,
            "view_state": self._view_state,
            "view_access_key": self._view_access_key,
        }
        if request_type not in handlers:
            raise errors.parse_error(
                f"Failed parsing args: unknown variant `{request_type}`, expected one of "
                "`view_account`, `call_function`, `view_state`, `view_access_key`"
            )
        height = self._resolve_block(params, head)
        account_id = params.get("account_id")
        block_hash = self.chain.remember_hash(height)
        if not is_valid_account_id(account_id):
            if self.options.account_id_check == "runtime" and isinstance(account_id, str):
                raise errors.invalid_account(account_id, height, block_hash)
            raise errors.parse_error(f"Failed parsing args: invalid account id {account_id!r}")
        try:
            result = handlers[request_type](params, account_id, height, block_hash)
        except UnknownAccount:
            raise errors.unknown_account(account_id, height, block_hash) from None
        result["block_height"] = height
        result["block_hash"] = block_hash
        return result

    def _view_account(self, params: dict[str, Any], account_id: str, height: int, block_hash: str) -> dict[str, Any]:
        return self.chain.view_account(account_id)

    def _view_access_key(self, params: dict[str, Any], account_id: str, height: int, block_hash: str) -> dict[str, Any]:
        public_key = params.get("public_key")
        if not isinstance(public_key, str):
            raise errors.parse_error("Failed parsing args: missing field `public_key`")
        if account_id not in self.chain.accounts:
            raise UnknownAccount(account_id)
        try:
            return self.chain.access_keys.view(account_id, public_key)
        except UnknownAccessKey:
            if self.options.error_style == "structured":
                raise errors.unknown_access_key(public_key, height, block_hash) from None
            # `query` keeps the HTTP-200 text for it (nearcore process_query_response, near-rpc.md §3.1).
            return {"error": f"access key {public_key} does not exist while viewing", "logs": []}

    def _call_function(self, params: dict[str, Any], account_id: str, height: int, block_hash: str) -> dict[str, Any]:
        method = params.get("method_name")
        if not isinstance(method, str):
            raise errors.parse_error("Failed parsing args: missing field `method_name`")
        args = _b64_param(params, "args_base64", required=True)
        try:
            output = self.chain.view_call(account_id, method, args, block_height=height)
        except NoContractCode:
            if self.options.error_style == "structured":
                raise errors.no_contract_code(account_id, height, block_hash) from None
            return {"error": errors.legacy_vm_error_text(None, account_id), "logs": []}
        except ContractError as exc:
            if self.options.error_style == "structured":
                raise errors.contract_execution_error(exc, height, block_hash) from None
            return {"error": errors.legacy_vm_error_text(exc, account_id), "logs": []}
        return {"result": list(output), "logs": []}

    def _view_state(self, params: dict[str, Any], account_id: str, height: int, block_hash: str) -> dict[str, Any]:
        prefix = _b64_param(params, "prefix_base64", required=True)
        paginated = self.options.paginated_view_state and "limit" in params
        limit = params.get("limit")
        if paginated and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise errors.parse_error("Failed parsing args: `limit` must be an integer >= 1")
        after_key = _b64_param(params, "after_key_base64") if self.options.paginated_view_state else None
        if account_id not in self.chain.accounts:
            raise UnknownAccount(account_id)
        # The cap applies to the whole account, whatever the prefix; paginated callers opt out (§3.3).
        if not paginated and self.chain.state_size(account_id) > VIEW_STATE_SIZE_LIMIT:
            raise errors.too_large_contract_state(account_id, height, block_hash)
        items = [(k, v) for k, v in self.chain.state_items(account_id) if k.startswith(prefix)]
        if after_key is not None:
            items = [(k, v) for k, v in items if k > after_key]
        result: dict[str, Any] = {}
        if paginated and len(items) > limit:
            items = items[:limit]
            result["last_key"] = _b64(items[-1][0])
        result["values"] = [{"key": _b64(k), "value": _b64(v)} for k, v in items]
        if params.get("include_proof"):
            result["proof"] = []
        return result


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64_param(params: dict[str, Any], name: str, *, required: bool = False) -> bytes | None:
    value = params.get(name)
    if value is None:
        if required:
            raise errors.parse_error(f"Failed parsing args: missing field `{name}`")
        return None
    if not isinstance(value, str):
        raise errors.parse_error(f"Failed parsing args: `{name}` must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise errors.parse_error(f"Failed parsing args: `{name}` is not valid base64") from None
