"""Test control API under ``/sandbox/`` (never subject to faults).

- ``GET  /sandbox/info``     head/epoch numbers, urls, node options, faults, scenario roles
- ``POST /sandbox/advance``  ``{"blocks": n}`` or ``{"epochs": n}`` (pools ping/reward per boundary), or
  ``{"edge": "first"|"last", "offset": n}``: the head at the next epoch's first block (+ n) or at the current
  epoch's last block (− n), where the final block and the head are in different epochs
- ``POST /sandbox/faults``   list of rules (replaces this node's rules); ``GET``/``DELETE`` likewise
- ``POST /sandbox/call``     ``{"signer_id","receiver_id","method_name","args":{},"deposit":"<yocto>"}``
- ``POST /sandbox/account``  ``{"account_id","amount":"<yocto>"}`` creates a plain account
- ``POST /sandbox/access_key`` ``{"account_id","public_key","permission"}`` adds an access key ("FullAccess" or
  ``{"FunctionCall": {...}}``); ``DELETE`` with ``{"account_id","public_key"}`` deletes it
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .account_id import is_valid_account_id
from .faults import parse_rules
from .http_util import json_response

if TYPE_CHECKING:  # pragma: no cover
    from .server import SandboxServer


def info(node: SandboxServer) -> dict[str, Any]:
    chain = node.chain
    return {
        "chain_id": chain.timeline.chain_id,
        "genesis_height": chain.timeline.genesis_height,
        "head_height": chain.head_height,
        "final_height": chain.final_height(),
        "epoch_height": chain.epoch_height,
        "epoch_start_height": chain.epoch_start_height,
        "epoch_length": chain.epoch_length,
        "rpc_url": node.url,
        "api_url": node.url,
        "node": {
            "error_style": node.options.error_style,
            "paginated_view_state": node.options.paginated_view_state,
            "account_id_check": node.options.account_id_check,
            "version": node.options.version,
        },
        "faults": node.faults.to_json(),
        "roles": chain.roles,
    }


def _bad_request(message: str) -> web.Response:
    return json_response({"ok": False, "error": message}, status=400)


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return {}
    return json.loads(raw)


def parse_yocto(value: Any, name: str) -> int:
    """Amounts are decimal strings (u128 on the wire) or ints; never floats."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ValueError(f"{name} must be a non-negative integer or decimal string of yoctoNEAR")
    return int(value)


def add_routes(app: web.Application, node: SandboxServer) -> None:
    async def get_info(request: web.Request) -> web.Response:
        return json_response(info(node))

    async def advance(request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            if "edge" in body:
                node.chain.advance_to_epoch_edge(str(body["edge"]), int(body.get("offset", 0)))
            else:
                node.chain.advance(blocks=int(body.get("blocks", 0)), epochs=int(body.get("epochs", 0)))
        except (ValueError, TypeError, AttributeError) as exc:
            return _bad_request(
                f"expected {{\"blocks\": n}}, {{\"epochs\": n}} or {{\"edge\": \"first\"|\"last\", \"offset\": n}} "
                f"(n >= 0): {exc}"
            )
        return json_response({"ok": True, **info(node)})

    async def set_faults(request: web.Request) -> web.Response:
        try:
            rules = parse_rules(await _json_body(request))
        except ValueError as exc:
            return _bad_request(str(exc))
        node.faults.replace(rules)
        return json_response({"ok": True, "faults": node.faults.to_json()})

    async def get_faults(request: web.Request) -> web.Response:
        return json_response({"ok": True, "faults": node.faults.to_json()})

    async def clear_faults(request: web.Request) -> web.Response:
        node.faults.clear()
        return json_response({"ok": True, "faults": []})

    async def call(request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            signer_id, receiver_id, method = body["signer_id"], body["receiver_id"], body["method_name"]
            args = body.get("args", {})
            deposit = parse_yocto(body.get("deposit", "0"), "deposit")
            if not isinstance(method, str) or not isinstance(args, dict):
                raise ValueError("method_name must be a string and args an object")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _bad_request(f"bad call request: {exc}")
        outcome = node.chain.call(signer_id, receiver_id, method, args, deposit)
        return json_response(outcome.to_json())

    async def create_account(request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            account_id = body["account_id"]
            amount = parse_yocto(body.get("amount", "0"), "amount")
            if not is_valid_account_id(account_id):
                raise ValueError(f"invalid account id {account_id!r}")
            node.chain.create_account(account_id, amount)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _bad_request(str(exc))
        return json_response({"ok": True, "account_id": account_id})

    async def add_access_key(request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            if body["account_id"] not in node.chain.accounts:
                raise ValueError(f"no account {body['account_id']!r}")
            node.chain.access_keys.add(body["account_id"], body["public_key"], body.get("permission", "FullAccess"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _bad_request(f"bad access key request: {exc}")
        return json_response({"ok": True})

    async def delete_access_key(request: web.Request) -> web.Response:
        try:
            body = await _json_body(request)
            deleted = node.chain.access_keys.delete(str(body["account_id"]), str(body["public_key"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _bad_request(f"bad access key request: {exc}")
        return json_response({"ok": deleted})

    app.router.add_get("/sandbox/info", get_info)
    app.router.add_post("/sandbox/advance", advance)
    app.router.add_get("/sandbox/faults", get_faults)
    app.router.add_post("/sandbox/faults", set_faults)
    app.router.add_delete("/sandbox/faults", clear_faults)
    app.router.add_post("/sandbox/call", call)
    app.router.add_post("/sandbox/account", create_account)
    app.router.add_post("/sandbox/access_key", add_access_key)
    app.router.add_delete("/sandbox/access_key", delete_access_key)
