"""Doctor checks of the settings and the NEAR side: each RPC endpoint on its own, and the staking index."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot.doctor.model import Check, shown_url
from bot.near import errors
from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient
from bot.near.rpc_policy import RpcPolicy
from bot.settings import Settings
from bot.storage import open_storage

# A healthy node's head is about a second old (~0.6 s blocks, near-staking.md §6.1); a minute means it stalled.
STALE_AFTER_SECONDS = 60.0
# One plain attempt per endpoint: the doctor wants to see each endpoint as it is, not the failover hiding it.
PROBE_POLICY = RpcPolicy(connect_timeout=3.0, read_timeout=5.0, deadline=6.0, max_attempts=1, cache_ttl=0.0,
                         immutable_cache_ttl=0.0)
# An account whose staking list the index can always answer about (the network's root account).
INDEX_PROBE_ACCOUNT = {"mainnet": "near", "testnet": "testnet"}
Clock = Callable[[], float]


def check_settings(settings: Settings) -> Check:
    token = "set" if settings.token else "not set (console only)"
    return Check(
        id="settings",
        status="ok",
        title="Settings",
        summary=f"valid: {settings.near_network}, {len(settings.near_rpc_urls)} RPC endpoint(s), database "
        f"{open_storage(settings.storage_url).describe()}, DISCORD_TOKEN {token}",
    )


def settings_failed(message: str) -> Check:
    return Check(id="settings", status="fail", title="Settings", summary=message,
                 fix="Correct the named setting in .env (see .env.example) or in the environment.")


async def check_rpc_endpoints(settings: Settings, clock: Clock = time.time) -> list[Check]:
    return list(await asyncio.gather(
        *(check_rpc_endpoint(url, settings.near_network, clock) for url in settings.near_rpc_urls)
    ))


async def check_rpc_endpoint(url: str, network: str, clock: Clock = time.time) -> Check:
    """Reachable, on `network` (the `status` RPC's chain_id), head not older than a minute, and how fast."""
    title = f"RPC {shown_url(url)}"
    client = NearRpcClient([url], PROBE_POLICY)
    started = time.monotonic()
    try:
        status = await client.status()
    except errors.RateLimited:
        return _rpc_fail(url, title, "rate limited: it refuses the bot's requests right now",
                         "Use a provider with a higher limit (or an API key) in NEAR_RPC_URLS, or remove this one.")
    except errors.NearError as exc:
        return _rpc_fail(url, title, f"not answering: {_reason(exc, client.urls[0])}",
                         "Check the URL and this machine's connection, or remove the endpoint from NEAR_RPC_URLS.")
    finally:
        await client.aclose()
    latency_ms = round((time.monotonic() - started) * 1000)
    details = {"url": shown_url(url), "chain_id": status.chain_id, "latency_ms": latency_ms,
               "head_height": status.sync_info.latest_block_height, "head_age_seconds": None}
    if status.chain_id != network:
        return _rpc_fail(url, title, f"wrong network: it serves {status.chain_id!r}, NEAR_NETWORK is {network!r}",
                         f"Use a {network} endpoint in NEAR_RPC_URLS, or set NEAR_NETWORK={status.chain_id} if "
                         "that is the network you meant.", details)
    head_time = status.sync_info.latest_block_time
    age = None if head_time is None else clock() - head_time.timestamp()
    details["head_age_seconds"] = None if age is None else round(age, 1)
    if status.sync_info.syncing or (age is not None and age > STALE_AFTER_SECONDS):
        behind = "still syncing" if status.sync_info.syncing else f"its newest block is {_duration(age or 0)} old"
        return _rpc_fail(url, title, f"lagging: {behind}",
                         "Use an endpoint that keeps up with the chain, or remove this one from NEAR_RPC_URLS.",
                         details)
    if age is not None and age < -STALE_AFTER_SECONDS:
        return Check(id="rpc", status="warn", title=title, target=shown_url(url), details=details,
                     summary=f"its newest block is {_duration(-age)} in the future: this machine's clock is off",
                     fix="Set this machine's clock (NTP); time estimates are measured from block times.")
    head = "head age unknown" if age is None else f"head {max(age, 0):.1f} s old"
    return Check(id="rpc", status="ok", title=title, target=shown_url(url), details=details,
                 summary=f"{status.chain_id}, {head}, {latency_ms} ms")


def _rpc_fail(url: str, title: str, summary: str, fix: str, details: dict[str, Any] | None = None) -> Check:
    return Check(id="rpc", status="fail", title=title, target=shown_url(url), summary=summary, fix=fix,
                 details=details or {"url": shown_url(url)})


def _reason(error: errors.NearError, url: str) -> str:
    """What went wrong on the one attempt, without the URL (it may hold a key; the line already says where)."""
    attempts = getattr(error, "attempts", None)
    last = attempts[-1] if attempts else error.message
    return last.removeprefix(f"{url}: ").replace(url, "").strip().rstrip(".")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


async def check_staking_index(settings: Settings) -> Check:
    """The FastNEAR-compatible index `status` uses to find an account's pools answers, in the expected shape."""
    base = settings.near_indexer_api or ""
    title = f"Staking index {shown_url(base)}"
    indexer = IndexerClient(base, policy=PROBE_POLICY)  # one attempt: a probe reports, it does not retry
    started = time.monotonic()
    try:
        await indexer.staking_pools(INDEX_PROBE_ACCOUNT[settings.near_network])
    except errors.NearError as exc:
        reason = exc.message.removeprefix("The staking index API ").removeprefix("The staking index ").rstrip(".")
        return Check(id="index", status="fail", title=title, target=shown_url(base), summary=f"not answering: {reason}",
                     fix="Check NEAR_INDEXER_API (a FastNEAR-compatible API); without it `status` may miss pools.")
    finally:
        await indexer.aclose()
    latency_ms = round((time.monotonic() - started) * 1000)
    return Check(id="index", status="ok", title=title, target=shown_url(base), summary=f"answering, {latency_ms} ms",
                 details={"url": shown_url(base), "latency_ms": latency_ms})
