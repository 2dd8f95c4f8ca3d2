"""Async NEAR JSON-RPC client over httpx.

Why not py-near's JsonProvider: it has a 600 s default timeout, no retries, asks every endpoint again on a
legitimate error and collapses non-200 answers into one exception (near-rpc.md §5.2-5.3).

This client gives: endpoint failover, retries with exponential backoff and full jitter on timeouts,
connection errors, 408/429/5xx (honouring Retry-After), an overall deadline per call, a concurrency limit per
endpoint, coalescing of identical in-flight requests, and a short TTL cache for `final` reads (errors are
never cached).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from bot.near import errors
from bot.near.models import (
    AccessKeyView,
    AccountView,
    Block,
    CallResult,
    NodeStatus,
    ProtocolConfig,
    ValidatorsResponse,
    ViewStateResult,
)
from bot.near.rpc_errors import (
    Failure,
    Retry,
    describe_request,
    from_error_object,
    from_http_status,
    from_legacy_result_error,
    parse_retry_after,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RpcPolicy:
    """Timeouts and retry budget. Defaults keep a Discord answer inside its 15 min followup window and
    a console answer snappy; the deadline bounds everything."""

    connect_timeout: float = 3.0
    read_timeout: float = 8.0
    deadline: float = 12.0
    max_attempts: int = 6
    backoff_base: float = 0.2
    backoff_max: float = 3.0
    max_retry_after: float = 10.0
    per_endpoint_concurrency: int = 16
    cache_ttl: float = 1.5
    immutable_cache_ttl: float = 300.0
    cache_max_entries: int = 4096  # the cache's size is capped, whatever the request rate
    unhealthy_cooldown: float = 15.0


@dataclass
class RpcStats:
    """Counters for benchmarks and tests: what actually went over the wire."""

    http_requests: int = 0
    calls: int = 0
    cache_hits: int = 0
    coalesced: int = 0
    by_method: Counter[str] = field(default_factory=Counter)


def backoff_delay(policy: RpcPolicy, rng: random.Random, round_number: int, retry_after: Sequence[float]) -> float | None:
    """Seconds to wait before the next round: the shortest Retry-After asked for (plus jitter), else exponential
    backoff with jitter; None when a provider asks for longer than the policy allows (give up and say so)."""
    if retry_after:
        wait = min(retry_after)
        if wait > policy.max_retry_after:
            return None
        return wait + rng.uniform(0, policy.backoff_base)
    cap = min(policy.backoff_max, policy.backoff_base * (2**round_number))
    return rng.uniform(cap / 2, cap)


class NearRpcClient:
    def __init__(
        self,
        urls: Sequence[str],
        policy: RpcPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one RPC url is required")
        self.urls = list(dict.fromkeys(u.rstrip("/") or u for u in urls))
        self.policy = policy or RpcPolicy()
        self.stats = RpcStats()
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=self.policy.deadline,
            ),
            transport=transport,
            headers={"Content-Type": "application/json", "User-Agent": "near-staking-assistant"},
            # Requests queue on our per-endpoint semaphores, never inside httpcore's pool (its queue is quadratic).
            limits=httpx.Limits(
                max_connections=self.policy.per_endpoint_concurrency * len(self.urls),
                max_keepalive_connections=self.policy.per_endpoint_concurrency * len(self.urls),
            ),
        )
        self._semaphores = {url: asyncio.Semaphore(self.policy.per_endpoint_concurrency) for url in self.urls}
        self._unhealthy_until: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._cache: dict[str, tuple[float, Any]] = {}
        self._rng = rng or random.Random()
        self._request_id = 0
        # Set on a copy made by `at_block`: every read of that copy describes this one block.
        self.pinned_block: Block | None = None

    async def aclose(self) -> None:
        # Shared reads outlive the callers that gave up on them: stop them before the HTTP client goes.
        pending = list(self._inflight.values())
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self._http.aclose()

    async def __aenter__(self) -> NearRpcClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def clear_cache(self) -> None:
        self._cache.clear()

    def at_block(self, block: Block) -> NearRpcClient:
        """This client pinned to `block`: `query` reads, `protocol_config` and `block()` itself describe that block
        (one block per answer). The copy shares connections, limits, caches and counters; close the original."""
        pinned = copy.copy(self)
        pinned.pinned_block = block
        return pinned

    # ----------------------------------------------------------------- typed methods

    async def status(self) -> NodeStatus:
        return await self.call("status", [], NodeStatus.model_validate, cacheable=False)

    async def block(self, *, block_id: int | str | None = None, finality: str = "final") -> Block:
        if block_id is None and finality == "final" and self.pinned_block is not None:
            return self.pinned_block
        params: dict[str, Any] = {"block_id": block_id} if block_id is not None else {"finality": finality}
        return await self.call("block", params, Block.model_validate)

    async def validators(self, *, epoch_id: str | None = None) -> ValidatorsResponse:
        params: Any = {"epoch_id": epoch_id} if epoch_id else [None]
        # `[null]` means "current epoch": cache it like a final read.
        return await self.call("validators", params, ValidatorsResponse.model_validate, cacheable=True)

    async def protocol_config(self) -> ProtocolConfig:
        params = {"finality": "final"} if self.pinned_block is None else {"block_id": self.pinned_block.header.height}
        return await self.call("EXPERIMENTAL_protocol_config", params, ProtocolConfig.model_validate)

    async def view_account(self, account_id: str, *, block_id: int | None = None) -> AccountView:
        return await self.query({"request_type": "view_account", "account_id": account_id}, AccountView, block_id)

    async def view_access_key(self, account_id: str, public_key: str, *, block_id: int | None = None) -> AccessKeyView:
        request = {"request_type": "view_access_key", "account_id": account_id, "public_key": public_key}
        return await self.query(request, AccessKeyView, block_id)

    async def call_function(
        self, account_id: str, method_name: str, args: dict[str, Any] | None = None, *, block_id: int | None = None
    ) -> CallResult:
        args_b64 = base64.b64encode(json.dumps(args or {}, separators=(",", ":")).encode()).decode()
        request = {
            "request_type": "call_function",
            "account_id": account_id,
            "method_name": method_name,
            "args_base64": args_b64,
        }
        return await self.query(request, CallResult, block_id)

    async def view_function(
        self, account_id: str, method_name: str, args: dict[str, Any] | None = None, *, block_id: int | None = None
    ) -> Any:
        """Call a view method and return its decoded JSON value."""
        result = await self.call_function(account_id, method_name, args, block_id=block_id)
        try:
            return result.decoded()
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise errors.MalformedResponse(f"{account_id}.{method_name} returned something that is not JSON.") from exc

    async def view_state(
        self,
        account_id: str,
        prefix: bytes,
        *,
        limit: int | None = None,
        after_key: bytes | None = None,
        block_id: int | None = None,
    ) -> ViewStateResult:
        request: dict[str, Any] = {
            "request_type": "view_state",
            "account_id": account_id,
            "prefix_base64": base64.b64encode(prefix).decode(),
        }
        if limit is not None:
            # Paginated view_state (nearcore 2.13+) is not subject to the 50 kB cap (near-staking.md §3.3).
            request["limit"] = limit
        if after_key is not None:
            request["after_key_base64"] = base64.b64encode(after_key).decode()
        return await self.query(request, ViewStateResult, block_id)

    async def query(self, request: dict[str, Any], model: type[T], block_id: int | None = None) -> T:
        params = dict(request)
        if block_id is None and self.pinned_block is not None:
            block_id = self.pinned_block.header.height
        if block_id is not None:
            params["block_id"] = block_id
        else:
            params["finality"] = "final"
        return await self.call("query", params, model.model_validate)  # type: ignore[attr-defined]

    # ----------------------------------------------------------------- core

    async def call(
        self, method: str, params: Any, parse: Callable[[Any], T], *, cacheable: bool | None = None
    ) -> T:
        """One logical RPC call: cache, coalescing, then the retry loop."""
        self.stats.calls += 1
        key = json.dumps([method, params, getattr(parse, "__qualname__", "")], sort_keys=True, default=str)
        ttl = self._ttl_for(params) if cacheable is None else (self.policy.cache_ttl if cacheable else 0.0)
        if ttl > 0:
            hit = self._cache.get(key)
            if hit and hit[0] > time.monotonic():
                self.stats.cache_hits += 1
                return hit[1]
        task = self._inflight.get(key)
        if task is not None:
            self.stats.coalesced += 1
        else:
            # One shared task per distinct request: a caller that gives up (cancelled interaction) does not
            # cancel the read for the others waiting on it.
            task = asyncio.ensure_future(self._call_with_retries(method, params, parse))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finish(key, ttl, done))
        return await asyncio.shield(task)

    def _finish(self, key: str, ttl: float, task: asyncio.Future[Any]) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return  # errors are never cached
        if ttl > 0:
            self._cache.pop(key, None)  # re-inserted at the end: the dict's order is the age order
            self._cache[key] = (time.monotonic() + ttl, task.result())
            if len(self._cache) > self.policy.cache_max_entries:
                self._evict()

    def _ttl_for(self, params: Any) -> float:
        if isinstance(params, dict):
            if params.get("finality") == "final":
                return self.policy.cache_ttl
            if "block_id" in params:
                return self.policy.immutable_cache_ttl
        return 0.0

    def _evict(self) -> None:
        """Expired entries first; then the oldest, down to three quarters of the cap (so this runs rarely)."""
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._cache.items() if expires <= now]:
            del self._cache[key]
        excess = len(self._cache) - self.policy.cache_max_entries * 3 // 4
        for key in list(itertools.islice(self._cache, max(0, excess))):
            del self._cache[key]

    async def _call_with_retries(self, method: str, params: Any, parse: Callable[[Any], T]) -> T:
        policy = self.policy
        started = time.monotonic()
        deadline = started + policy.deadline
        attempts: list[str] = []
        last: Failure | None = None
        endpoint_errors: dict[str, Failure] = {}
        round_number = 0
        attempt = 0
        while attempt < policy.max_attempts:
            for url in self._endpoint_order():
                if attempt >= policy.max_attempts:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                attempt += 1
                try:
                    return await asyncio.wait_for(self._attempt(url, method, params, parse), timeout=remaining)
                except Failure as failure:
                    last = failure
                except TimeoutError:
                    last = Failure(errors.RpcUnavailable(f"{url} did not answer in time."), Retry.BACKOFF)
                attempts.append(f"{url}: {last.error.message}")
                # Failover is routine: each attempt is DEBUG; only giving up is worth a line at INFO.
                log.debug("rpc %s via %s failed (%s): %s", method, url, last.retry.value, last.error.message)
                if last.retry is Retry.NEVER:
                    raise last.error
                endpoint_errors[url] = last
                self._mark_unhealthy(url, last)
            if last is not None and last.retry is Retry.OTHER_ENDPOINT and all(
                f.retry is Retry.OTHER_ENDPOINT for f in endpoint_errors.values()
            ) and len(endpoint_errors) >= len(self.urls):
                # Every node gave a definite "cannot answer this" (unknown block, unsupported method).
                raise last.error
            remaining = deadline - time.monotonic()
            if remaining <= 0 or attempt >= policy.max_attempts:
                break
            delay = self._backoff_delay(round_number, endpoint_errors)
            if delay is None or delay >= remaining:
                break
            round_number += 1
            await asyncio.sleep(delay)
        raise self._give_up(method, last, attempts)

    def _backoff_delay(self, round_number: int, endpoint_errors: dict[str, Failure]) -> float | None:
        hints = [f.retry_after for f in endpoint_errors.values() if f.retry_after is not None]
        return backoff_delay(self.policy, self._rng, round_number, hints)

    def _give_up(self, method: str, last: Failure | None, attempts: list[str]) -> errors.NearError:
        log.info("rpc %s gave up after %d attempt(s): %s", method, len(attempts), attempts[-1] if attempts else "-")
        if last is not None and last.rate_limited:
            return errors.RateLimited(
                "The NEAR RPC providers are rate limiting the bot right now. Please try again in a minute.",
                retry_after=last.retry_after,
                attempts=attempts,
            )
        if last is not None and last.retry is Retry.OTHER_ENDPOINT:
            return last.error
        detail = f" Last error: {last.error.message}" if last else ""
        return errors.RpcUnavailable(
            f"Could not reach a NEAR RPC node for {method} ({len(attempts)} attempts over {len(self.urls)} "
            f"endpoint(s)).{detail} Try again shortly.",
            attempts=attempts,
        )

    def _endpoint_order(self) -> list[str]:
        now = time.monotonic()
        healthy = [u for u in self.urls if self._unhealthy_until.get(u, 0.0) <= now]
        cooling = sorted((u for u in self.urls if u not in healthy), key=lambda u: self._unhealthy_until[u])
        return healthy + cooling

    def _mark_unhealthy(self, url: str, failure: Failure) -> None:
        if failure.retry is Retry.BACKOFF:
            cooldown = failure.retry_after if failure.retry_after is not None else self.policy.unhealthy_cooldown
            self._unhealthy_until[url] = time.monotonic() + cooldown

    async def _attempt(self, url: str, method: str, params: Any, parse: Callable[[Any], T]) -> T:
        self._request_id += 1
        body = {"jsonrpc": "2.0", "id": str(self._request_id), "method": method, "params": params}
        async with self._semaphores[url]:
            self.stats.http_requests += 1
            self.stats.by_method[method if method != "query" else f"query/{params.get('request_type')}"] += 1
            try:
                response = await self._http.post(url, content=json.dumps(body).encode())
            except httpx.TimeoutException as exc:
                raise Failure(errors.RpcUnavailable(f"{url} timed out ({type(exc).__name__})."), Retry.BACKOFF) from exc
            except httpx.HTTPError as exc:
                raise Failure(errors.RpcUnavailable(f"{url} could not be reached ({type(exc).__name__})."), Retry.BACKOFF) from exc
        value = self.interpret(url, response, method, params, parse)
        self._unhealthy_until.pop(url, None)
        return value

    def interpret(self, url: str, response: httpx.Response, method: str, params: Any, parse: Callable[[Any], T]) -> T:
        """An HTTP answer → the typed value, or a Failure saying what it was and whether to retry."""
        result = self._decode(url, response, method, params)
        try:
            return parse(result)
        except (ValidationError, ValueError, TypeError) as exc:
            raise Failure(
                errors.MalformedResponse(f"{url} sent a {method} answer in an unexpected shape."), Retry.BACKOFF
            ) from exc

    def _decode(self, url: str, response: httpx.Response, method: str, params: Any) -> Any:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if isinstance(payload, dict) and "error" in payload and payload["error"] is not None:
            failure = from_error_object(payload["error"], method, params)
            if response.status_code == 429:
                failure.rate_limited = True
            if failure.retry_after is None:
                failure.retry_after = retry_after
            raise failure
        if response.status_code != 200:
            raise from_http_status(response.status_code, response.content, retry_after)
        if not isinstance(payload, dict) or "result" not in payload:
            raise Failure(errors.MalformedResponse(f"{url} sent a body that is not a JSON-RPC answer."), Retry.BACKOFF)
        result = payload["result"]
        if method == "query" and isinstance(result, dict) and isinstance(result.get("error"), str):
            account_id, method_name = describe_request(method, params)
            raise from_legacy_result_error(result["error"], account_id, method_name)
        return result
