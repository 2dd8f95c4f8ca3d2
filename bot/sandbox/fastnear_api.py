"""FastNEAR-compatible REST endpoints (near-staking.md §6.4), served on the RPC port.

Pools are listed from the chain's staking index: every pool the account ever called a
delegation method on, including pools where its balance is now zero.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .account_id import is_valid_account_id
from .chain import SandboxChain
from .http_util import json_response
from .liquid_contracts import ft_index


def _pools_v1(chain: SandboxChain, account_id: str) -> list[dict[str, Any]]:
    return [
        {"pool_id": pool_id, "last_update_block_height": height}
        for pool_id, height in chain.delegated_pools(account_id)
    ]


def staking_v1(chain: SandboxChain, account_id: str) -> dict[str, Any]:
    return {"account_id": account_id, "pools": _pools_v1(chain, account_id)}


def staking_v0(chain: SandboxChain, account_id: str) -> dict[str, Any]:
    return {"account_id": account_id, "pools": [pool_id for pool_id, _ in chain.delegated_pools(account_id)]}


def full_v1(chain: SandboxChain, account_id: str) -> dict[str, Any]:
    account = chain.accounts.get(account_id)
    state = None
    if account is not None:  # unknown accounts: state null (sandbox choice)
        state = {
            "balance": str(account.amount),
            "locked": str(account.locked),
            "storage_bytes": chain.storage_usage(account_id),
        }
    return {
        "account_id": account_id,
        "nfts": [],
        "pools": _pools_v1(chain, account_id),
        "state": state,
        "tokens": ft_index(chain, account_id),
    }


def ft_v1(chain: SandboxChain, account_id: str) -> dict[str, Any]:
    return {"account_id": account_id, "tokens": ft_index(chain, account_id)}  # liquid-staking tokens only


def add_routes(app: web.Application, get_chain) -> None:
    """Register the REST routes; ``get_chain()`` returns the node's chain."""

    def route(build):
        async def handler(request: web.Request) -> web.Response:
            account_id = request.match_info["account_id"]
            if not is_valid_account_id(account_id):
                return json_response({"error": f"Invalid account_id: {account_id}"}, status=400)
            return json_response(build(get_chain(), account_id))

        return handler

    app.router.add_get("/v1/account/{account_id}/staking", route(staking_v1))
    app.router.add_get("/v0/account/{account_id}/staking", route(staking_v0))
    app.router.add_get("/v1/account/{account_id}/full", route(full_v1))
    app.router.add_get("/v1/account/{account_id}/ft", route(ft_v1))
