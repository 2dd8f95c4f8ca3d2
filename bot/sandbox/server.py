"""aiohttp server for one sandbox node: JSON-RPC on ``POST /``, FastNEAR API and control API.

Several :class:`SandboxServer` instances may share one :class:`SandboxChain` (failover tests);
they must then run on the same event loop. Only loopback addresses may be bound.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import Any

from aiohttp import web

from . import control, fastnear_api
from .chain import SandboxChain
from .faults import API_METHOD, FaultRule, FaultSet
from .http_util import json_response
from .rpc import NodeOptions, RpcHandler, envelope, parse_body
from .rpc_errors import RpcFailure, internal_error_object, timeout_error_object

LAG_KEY = web.RequestKey("lag", int)  # blocks of head lag set by a `stale` fault

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def ensure_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the sandbox only binds to loopback addresses, not {host!r}")


class SandboxServer:
    def __init__(
        self,
        chain: SandboxChain | None = None,
        *,
        error_style: str = "legacy",
        paginated_view_state: bool = True,
        account_id_check: str = "parse",
    ) -> None:
        if chain is None:
            from .scenario import build_default_scenario

            chain = build_default_scenario()
        self._chain = chain
        self.options = NodeOptions(
            error_style=error_style, paginated_view_state=paginated_view_state, account_id_check=account_id_check
        )
        self.faults = FaultSet()
        self._rpc = RpcHandler(chain, self.options)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def chain(self) -> SandboxChain:
        return self._chain

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("server not started")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        ensure_loopback(host)
        if self._runner is not None:
            raise RuntimeError("server already started")
        self._stopping = asyncio.Event()
        app = web.Application(middlewares=[self._fault_middleware])
        app.router.add_post("/", self._handle_rpc)
        app.router.add_get("/status", self._handle_http_status)
        fastnear_api.add_routes(app, lambda: self._chain)
        control.add_routes(app, self)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        self._runner = runner
        shown_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown_host}:{bound_port}"
        self._rpc.rpc_addr = f"{host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        if self._runner is None:
            return
        assert self._stopping is not None
        self._stopping.set()  # releases `hang` handlers at once
        runner, self._runner, self._url = self._runner, None, None
        await runner.cleanup()

    async def __aenter__(self) -> SandboxServer:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # -- handlers ----------------------------------------------------------------
    async def _handle_rpc(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            payload = parse_body(raw)
        except RpcFailure as failure:
            return json_response(envelope(None, error=failure.error), status=failure.status)
        status, body = self._rpc.handle(payload, lag=request.get(LAG_KEY, 0))
        return json_response(body, status=status)

    async def _handle_http_status(self, request: web.Request) -> web.Response:
        # nearcore also serves the status object at GET /status.
        _, body = self._rpc.handle({"jsonrpc": "2.0", "id": "status", "method": "status"}, lag=request.get(LAG_KEY, 0))
        return json_response(body.get("result", body.get("error")))

    # -- faults ---------------------------------------------------------------------
    @staticmethod
    async def _fault_method(request: web.Request) -> str | None:
        if request.path.startswith(("/v0/", "/v1/")):
            return API_METHOD
        if request.path == "/status":
            return "status"
        if request.method == "POST" and request.path == "/":
            try:
                payload = json.loads(await request.read())
            except (ValueError, UnicodeDecodeError):
                return None
            if isinstance(payload, dict) and isinstance(payload.get("method"), str):
                return payload["method"]
        return None

    @web.middleware
    async def _fault_middleware(self, request: web.Request, handler) -> web.StreamResponse:
        if request.path.startswith("/sandbox/") or not self.faults.rules:
            return await handler(request)
        lag = 0
        for rule in self.faults.take(await self._fault_method(request)):
            if rule.kind == "latency":
                await self._sleep(rule.ms / 1000)
            elif rule.kind == "stale":
                lag += rule.blocks
            elif rule.kind == "status":
                return self._status_response(rule, request)
            elif rule.kind == "malformed":
                request[LAG_KEY] = lag
                return await self._malformed(request, handler)
            elif rule.kind == "hang":
                await self._sleep(rule.seconds)
                return self._drop(request)
            elif rule.kind == "drop":
                return self._drop(request)
        request[LAG_KEY] = lag
        return await handler(request)

    async def _sleep(self, seconds: float) -> None:
        # Sleeps end early when the server stops, so shutdown never waits on a fault.
        assert self._stopping is not None
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    @staticmethod
    def _status_response(rule: FaultRule, request: web.Request) -> web.Response:
        headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
        if rule.status == 429:  # hosted providers answer in text (near-rpc.md §3.4)
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if rule.status == 408:
            body = envelope(None, error=timeout_error_object())
            return json_response(body, status=408, headers=headers)
        if rule.status == 500:
            body = envelope(None, error=internal_error_object("sandbox fault: internal error"))
            return json_response(body, status=500, headers=headers)
        if rule.status == 502:
            return web.Response(status=502, text=_BAD_GATEWAY_HTML, content_type="text/html", headers=headers)
        if rule.status == 400:  # a proxy or API refusing the request itself: final, not worth a retry
            return web.Response(status=400, text="Bad Request", headers=headers)
        return web.Response(status=503, text="Service Unavailable", headers=headers)

    @staticmethod
    async def _malformed(request: web.Request, handler) -> web.Response:
        real = await handler(request)
        body = real.body if isinstance(real, web.Response) and isinstance(real.body, bytes) else b"{}"
        # Cut the real answer in half: valid-looking start, not JSON.
        return web.Response(status=200, body=body[: max(1, len(body) // 2)], content_type="application/json")

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        # Close the TCP connection without writing any response bytes.
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError()


def run_forever(host: str = "127.0.0.1", port: int = 3030) -> None:
    """Serve the default scenario until Ctrl-C (``python -m bot sandbox``)."""
    ensure_loopback(host)

    async def main() -> None:
        server = SandboxServer()
        url = await server.start(host, port)
        print(f"NEAR sandbox: RPC {url}/  FastNEAR API {url}/v1/account/<id>/staking  (control: {url}/sandbox/info)",
              flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
