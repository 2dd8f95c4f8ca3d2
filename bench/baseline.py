"""The bot's `status` written the straightforward way with py-near's `JsonProvider`, for a like-for-like ratio.

The same reads as the bot's `status` (bot/services/status.py): the account; the staking index; the veNEAR contract's
`get_lockup_account_id`; the final block (a lockup's balances are computed at its timestamp); `view_account` and the
`STATE` entry of every lockup candidate (the derived `.lockup.near` id, the derived House of Stake id, the answer of the
veNEAR contract, the account itself); each liquid-staking contract's balance, price and pending unstake, and its
withdraw check when an unlock has come; `get_account` in every pool the index lists. One call after another, each at
`finality: final`, the way the py-near documentation reads the chain. Ids are derived with the bot's own pure helpers
(computation, not reads).
"""

from __future__ import annotations

import base64
import json
import statistics
import time
from typing import Any

import aiohttp
from py_near.providers import JsonProvider

from bench.timing import RequestLog
from bot.near.account_id import lockup_account_id
from bot.near.liquid import LiquidProvider, providers_for
from bot.near.venear import venear_contract_id, venear_lockup_account_id

NETWORK = "mainnet"


class LoggedProvider(JsonProvider):
    """py-near's provider, with every request recorded like the bot's (bench/timing.py)."""

    def __init__(self, url: str, log: RequestLog) -> None:
        super().__init__(url, timeout=30)
        self._url, self._log = url, log

    async def call_rpc_request(self, method: str, params: Any, broadcast: bool = False, threshold: int = 0) -> Any:
        done = self._log.observe(self._url, json.dumps({"method": method, "params": params}).encode())
        try:
            return await super().call_rpc_request(method, params, broadcast=broadcast, threshold=threshold)
        finally:
            done()


async def _view(provider: JsonProvider, contract: str, method: str, args: dict[str, Any]) -> Any:
    try:
        raw = await provider.view_call(contract, method, json.dumps(args).encode(), finality="final")
    except Exception:  # py-near raises its own error per cause; "no answer" is all the baseline needs
        return None
    return json.loads(bytes(raw["result"]).decode())


async def _lockup_candidate(provider: JsonProvider, account_id: str) -> None:
    try:
        await provider.get_account(account_id, finality="final")
        await provider.json_rpc("query", {
            "request_type": "view_state", "account_id": account_id,
            "prefix_base64": base64.b64encode(b"STATE").decode(), "finality": "final",
        })
    except Exception:  # most candidates do not exist
        return


async def _liquid(provider: JsonProvider, liquid: LiquidProvider, account_id: str) -> None:
    contract = liquid.contract_id
    await _view(provider, contract, "ft_balance_of", {"account_id": account_id})
    await _view(provider, contract, liquid.price_method, {})
    pending = await _view(provider, contract, liquid.account_views[0], {"account_id": account_id})
    if isinstance(pending, dict) and pending.get("can_withdraw") and str(pending.get(liquid.amount_field, "0")) != "0":
        if liquid.key == "metapool":
            await _view(provider, contract, "get_contract_state", {})
        else:
            amount = str(pending[liquid.amount_field])
            await _view(provider, contract, "can_account_withdraw", {"account_id": account_id, "amount": amount})


async def straightforward_status(provider: JsonProvider, http: aiohttp.ClientSession, url: str, log: RequestLog,
                                 account_id: str) -> int:
    """Every read of the bot's status, one after another; returns the number of pools holding a delegation."""
    await provider.get_account(account_id, finality="final")
    done = log.observe(f"{url}/v1/account/{account_id}/staking", b"")
    async with http.get(f"{url}/v1/account/{account_id}/staking") as response:
        pools = [p["pool_id"] for p in (await response.json())["pools"]]
    done()
    venear = venear_contract_id(NETWORK)
    answer = await _view(provider, venear, "get_lockup_account_id", {"account_id": account_id}) if venear else None
    await provider.json_rpc("block", {"finality": "final"})
    candidates = [lockup_account_id(account_id, NETWORK), account_id]
    if venear:
        candidates.insert(1, venear_lockup_account_id(account_id, venear))
    if isinstance(answer, str) and answer not in candidates:
        candidates.append(answer)
    for candidate in candidates:
        await _lockup_candidate(provider, candidate)
    liquid = providers_for(NETWORK)
    for contract in liquid:
        await _liquid(provider, contract, account_id)
    held = 0
    for pool_id in pools:
        if pool_id in {p.contract_id for p in liquid}:
            continue
        delegation = await _view(provider, pool_id, "get_account", {"account_id": account_id})
        held += isinstance(delegation, dict) and (delegation.get("staked_balance"), delegation.get("unstaked_balance")) != ("0", "0")
    return held


async def run(url: str, account_id: str, repeats: int) -> dict[str, Any]:
    timings: list[float] = []
    round_trips: list[int] = []
    requests: list[int] = []
    for _ in range(repeats):
        log = RequestLog()
        provider = LoggedProvider(url, log)
        async with aiohttp.ClientSession() as http:
            try:
                started = time.perf_counter()
                await straightforward_status(provider, http, url, log, account_id)
                timings.append((time.perf_counter() - started) * 1000)
            finally:
                await provider.shutdown()
        round_trips.append(log.sequential_round_trips())
        requests.append(log.total)
    return {
        "command": f"status {account_id} (py-near JsonProvider, one read after another)",
        "p50_ms": round(statistics.median(timings), 1),
        "round_trips": max(round_trips),
        "requests": max(requests),
    }
