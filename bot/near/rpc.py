"""Async NEAR JSON-RPC client (HTTP through aiohttp, bot/near/http.py).

Why not py-near's JsonProvider: it has a 600 s default timeout, no retries, asks every endpoint again on a
legitimate error and collapses non-200 answers into one exception (near-rpc.md §5.2-5.3).

This client gives: endpoint failover, retries with exponential backoff and full jitter on timeouts,
connection errors, 408/429/5xx (honouring Retry-After), an overall deadline per call, a limit of requests in flight
per endpoint, one request per distinct read in flight (bot/near/shared_reads.py), a short TTL cache for `final` reads
and a long one for reads at a named block (values and definitive errors; transient errors are never kept), and
one block per answer at no extra round trip (`at_final`, `BlockPin`).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from bot.near import errors
from bot.near.block_pin import BlockPin, LastFinal
from bot.near.http import HttpClient, HttpReply, HttpTimeout, HttpUnreachable, RequestObserver
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
from bot.near.rpc_errors import Failure, Retry, decode_reply
from bot.near.rpc_policy import RpcPolicy as RpcPolicy  # re-exported: `from bot.near.rpc import RpcPolicy`
from bot.near.rpc_policy import RpcStats, backoff_delay
from bot.near.shared_reads import SharedReads
from bot.near.slots import FairSlots

log = logging.getLogger(__name__)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _is_answer(error: BaseException) -> bool:
    """An error that is a node's answer about a block (kept like a value), not a failure to get one."""
    return isinstance(error, errors.NearError) and error.block_height is not None


def _unwrap(answer: Any) -> Any:
    if isinstance(answer, BaseException):
        raise answer
    return answer


def _read_key(method: str, params: Any, parse: Callable[[Any], Any]) -> str:
    # Params are flat JSON objects (or `[null]`) of strings and numbers: their sorted repr identifies a read.
    shown = sorted(params.items()) if isinstance(params, dict) else params
    return repr((method, shown, getattr(parse, "__qualname__", "")))


class NearRpcClient:
    def __init__(
        self,
        urls: Sequence[str],
        policy: RpcPolicy | None = None,
        *,
        observer: RequestObserver | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not urls:
            raise ValueError("at least one RPC url is required")
        self.urls = list(dict.fromkeys(u.rstrip("/") or u for u in urls))
        self.policy = policy or RpcPolicy()
        self.stats = RpcStats()
        self._http = HttpClient(
            connect_timeout=self.policy.connect_timeout,
            read_timeout=self.policy.read_timeout,
            max_connections=self.policy.per_endpoint_concurrency * len(self.urls),
            headers={"Content-Type": "application/json", "User-Agent": "near-staking-assistant"},
            observer=observer,
        )
        # Requests queue on these, oldest question first, never inside the connection pool.
        self._slots = {url: FairSlots(self.policy.per_endpoint_concurrency) for url in self.urls}
        self._unhealthy_until: dict[str, float] = {}
        self._reads = SharedReads(self.stats, max_entries=self.policy.cache_max_entries)
        self._rng = rng or random.Random()
        self._request_id = 0
        # Set on a copy made by `at_block` / `at_final`: every read of that copy describes one block.
        self._pin: BlockPin | None = None
        self._per_epoch: dict[str, tuple[str, Any]] = {}  # name -> (epoch id, value), see `per_epoch`
        self._last_final = LastFinal()

    async def aclose(self) -> None:
        # Shared reads outlive the callers that gave up on them: stop them before the HTTP client goes.
        await self._reads.aclose()
        await self._http.aclose()

    async def __aenter__(self) -> NearRpcClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def clear_cache(self) -> None:
        """Forget every kept answer, the last final block seen and the per-epoch facts."""
        self._reads.clear()
        self._per_epoch.clear()
        self._last_final.height, self._last_final.seen = -1, float("-inf")

    def at_block(self, block: Block) -> NearRpcClient:
        """This client pinned to `block`: `query` reads, `protocol_config` and `block()` itself describe that block
        (one block per answer). The copy shares connections, limits, caches and counters; close the original."""
        pinned = copy.copy(self)
        pinned._pin = BlockPin(block)
        return pinned

    def at_final(self) -> NearRpcClient:
        """This client at one block: the latest final block when its first answer arrives (BlockPin). A client that
        is already pinned is returned as it is, so every part of an answer can ask for it."""
        if self._pin is not None:
            return self
        pinned = copy.copy(self)
        pinned._pin = BlockPin(height=self._last_final.fresh(self.policy.cache_ttl))
        return pinned

    @property
    def asked_at(self) -> float:
        """When the answer this client reads for was asked for (now, for reads outside an answer)."""
        return self._pin.asked_at if self._pin is not None else time.monotonic()

    @property
    def pinned_height(self) -> int | None:
        """The answer's block height once it is fixed (None: not pinned, or no answer yet)."""
        return self._pin.height if self._pin is not None else None

    async def per_epoch(self, name: str, read: Callable[[], Awaitable[T]]) -> T:
        """`read()` once per epoch, kept under the epoch of the answer's block: for a fact that changes at most once an
        epoch or whose staleness within one cannot change an answer (a pool's code hash where it only picks the storage
        layout to read, whatever is read being checked against the pool's own view). Failures are not kept."""
        pin = self._pin
        if pin is not None and pin.block is not None:
            kept = self._per_epoch.get(name)
            if kept is not None and kept[0] == pin.block.header.epoch_id:
                return kept[1]  # type: ignore[no-any-return]
        block, value = await asyncio.gather(self.block(), read())
        if len(self._per_epoch) >= 4096:
            self._per_epoch.clear()
        self._per_epoch[name] = (block.header.epoch_id, value)
        return value

    # ----------------------------------------------------------------- typed methods

    async def status(self) -> NodeStatus:
        return await self.call("status", [], NodeStatus.model_validate, cacheable=False)

    async def block(self, *, block_id: int | str | None = None, finality: str = "final") -> Block:
        pin = self._pin
        if block_id is not None or finality != "final" or pin is None:
            params: dict[str, Any] = {"block_id": block_id} if block_id is not None else {"finality": finality}
            return await self.call("block", params, Block.model_validate)
        if pin.block is None:
            if pin.height is not None:
                pin.block = await self.call("block", {"block_id": pin.height}, Block.model_validate)
            else:
                block = await self.call("block", {"finality": "final"}, Block.model_validate)
                self._reads.keep(_read_key("block", {"block_id": block.header.height}, Block.model_validate),
                                 self.policy.immutable_cache_ttl, block)
                if not pin.settle(block.header.height):
                    self.stats.rereads += 1
                    return await self.block()
                pin.block = pin.block or block
        return pin.block

    async def validators(self, *, epoch_id: str | None = None) -> ValidatorsResponse:
        params: Any = {"epoch_id": epoch_id} if epoch_id else [None]
        # `[null]` means "current epoch": cache it like a final read.
        return await self.call("validators", params, ValidatorsResponse.model_validate, cacheable=True)

    async def protocol_config(self) -> ProtocolConfig:
        # Read once an epoch: epoch_length only changes with a protocol upgrade, at an epoch's start.
        async def read() -> ProtocolConfig:
            height = self.pinned_height
            params = {"finality": "final"} if height is None else {"block_id": height}
            return await self.call("EXPERIMENTAL_protocol_config", params, ProtocolConfig.model_validate)

        return await self.per_epoch("protocol_config", read)

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

    async def query(self, request: dict[str, Any], model: type[M], block_id: int | None = None) -> M:
        parse = model.model_validate
        pin = self._pin
        if block_id is None and pin is not None:
            block_id = pin.height
        if block_id is not None:  # the answers below are kept untyped (Any); `parse` made them an M
            return cast(M, _unwrap(await self._query_at(request, parse, block_id)))
        answer = await self._final_answer(request, parse)
        if pin is not None and not pin.settle(answer.block_height):
            self.stats.rereads += 1  # from another block than the answer's: read it again there
            assert pin.height is not None  # settle() has fixed it
            answer = await self._query_at(request, parse, pin.height)
        return cast(M, _unwrap(answer))

    async def _final_answer(self, request: dict[str, Any], parse: Callable[[Any], Any]) -> Any:
        """The answer at the latest final block: a value, or the NearError a node answered about that block
        (returned, not raised). Other failures are raised."""
        try:
            answer = await self.call("query", {**request, "finality": "final"}, parse)
        except errors.NearError as exc:
            if exc.block_height is None:
                raise  # no answer about a block: nothing to pin or read again
            answer = exc
        if self._pin is not None:
            # The final block's answer is also the answer at that height: a read of an answer pinned there finds it.
            self._reads.keep(_read_key("query", {**request, "block_id": answer.block_height}, parse),
                             self.policy.immutable_cache_ttl, answer, is_error=isinstance(answer, BaseException))
        return answer

    async def _query_at(self, request: dict[str, Any], parse: Callable[[Any], Any], height: int) -> Any:
        """The answer at block `height` (a value, or a NearError answered about that block, returned)."""
        params = {**request, "block_id": height}
        pinned = _read_key("query", params, parse)
        final = None if self._reads.has(pinned) else self._reads.in_flight(
            _read_key("query", {**request, "finality": "final"}, parse))
        if final is not None:
            # The same read is on its way at the final block, almost always this very block (answers that started
            # before their block was known and answers that started after, in a burst): wait for it rather than send
            # it twice, and send it pinned only if it came from another block.
            try:
                answer = await asyncio.shield(final)
            except errors.NearError as exc:
                answer = exc
            if getattr(answer, "block_height", None) == height:
                return answer
        try:
            return await self.call("query", params, parse, key=pinned)
        except errors.NearError as exc:
            if exc.block_height is None:
                raise
            return exc

    # ----------------------------------------------------------------- core

    async def call(
        self, method: str, params: Any, parse: Callable[[Any], T], *, cacheable: bool | None = None,
        key: str | None = None,
    ) -> T:
        """One logical RPC call: kept answers, one request per distinct read in flight, then the retry loop."""
        self.stats.calls += 1
        ttl = self._ttl_for(params) if cacheable is None else (self.policy.cache_ttl if cacheable else 0.0)
        asked_at = self.asked_at
        return await self._reads.read(
            key or _read_key(method, params, parse), ttl, lambda: self._call_with_retries(method, params, parse, asked_at),
            _is_answer,
        )

    def _ttl_for(self, params: Any) -> float:
        if isinstance(params, dict):
            if params.get("finality") == "final":
                return self.policy.cache_ttl
            if "block_id" in params:
                return self.policy.immutable_cache_ttl
        return 0.0

    async def _call_with_retries(self, method: str, params: Any, parse: Callable[[Any], T], asked_at: float) -> T:
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
                    return await asyncio.wait_for(self._attempt(url, method, params, parse, asked_at), timeout=remaining)
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

    async def _attempt(self, url: str, method: str, params: Any, parse: Callable[[Any], T], asked_at: float) -> T:
        self._request_id += 1
        body = {"jsonrpc": "2.0", "id": str(self._request_id), "method": method, "params": params}
        async with self._slots[url].hold(asked_at):
            self.stats.http_requests += 1
            self.stats.by_method[method if method != "query" else f"query/{params.get('request_type')}"] += 1
            try:
                reply = await self._http.request("POST", url, json.dumps(body).encode())
            except HttpTimeout as exc:
                raise Failure(errors.RpcUnavailable(f"{url} timed out ({exc})."), Retry.BACKOFF) from exc
            except HttpUnreachable as exc:
                raise Failure(errors.RpcUnavailable(f"{url} could not be reached ({exc})."), Retry.BACKOFF) from exc
        value = self.interpret(url, reply, method, params, parse)
        self._unhealthy_until.pop(url, None)
        if isinstance(params, dict) and params.get("finality") == "final":
            height = value.header.height if isinstance(value, Block) else getattr(value, "block_height", None)
            if isinstance(height, int):
                self._last_final.saw(height)
        return value

    def interpret(self, url: str, reply: HttpReply, method: str, params: Any, parse: Callable[[Any], T]) -> T:
        """An HTTP answer → the typed value, or a Failure saying what it was and whether to retry."""
        result = decode_reply(url, reply.status, reply.content, reply.retry_after, method, params)
        try:
            return parse(result)
        except (ValidationError, ValueError, TypeError) as exc:
            raise Failure(
                errors.MalformedResponse(f"{url} sent a {method} answer in an unexpected shape."), Retry.BACKOFF
            ) from exc
