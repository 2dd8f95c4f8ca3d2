"""The HTTP layer under the RPC and staking-index clients: aiohttp, one keep-alive session per client.

Why aiohttp rather than httpx: under concurrency httpx/httpcore cost about 2.3 ms of CPU per request on loopback
(its connection pool rescans every waiting request, and httpcore retried a failing `import sniffio` on every request),
aiohttp about 0.2 ms; a `status` makes ~15 requests and a burst hundreds (README, Benchmarks). aiohttp is already
installed for discord.py.

Requests queue on the callers' own per-endpoint semaphores, never inside the connection pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

# Called when a request starts (url, body); the callable it returns is called when the answer has been read.
# Benchmarks count requests and round trips with it.
RequestObserver = Callable[[str, bytes], Callable[[], None]]


@dataclass(frozen=True)
class HttpReply:
    status: int
    content: bytes
    retry_after: str | None  # the Retry-After header, as sent


class HttpTimeout(Exception):
    """Connecting or reading took longer than the client's timeouts."""


class HttpUnreachable(Exception):
    """The connection failed or broke before a whole answer arrived."""


def _why(exc: BaseException) -> str:
    """What went wrong, in words (the library's class names mean nothing to the person reading `doctor`)."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "its name does not resolve"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connection refused or no route to it"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "it closed the connection without an answer"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "its answer was cut short"
    return f"a connection error ({type(exc).__name__})"


class HttpClient:
    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int,
        headers: dict[str, str],
        observer: RequestObserver | None = None,
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout)
        self._max_connections = max_connections
        self._headers = headers
        self._observer = observer
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop (aiohttp binds a session to its loop).
        if self._closed:
            raise HttpUnreachable("the HTTP client is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                headers=self._headers,
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                # No .netrc or proxy lookup from the environment: aiohttp would do both in a thread on every request
                # (like discord.py's own session, which does not read them either).
                trust_env=False,
            )
        return self._session

    async def request(self, method: str, url: str, body: bytes | None = None) -> HttpReply:
        done = self._observer(url, body or b"") if self._observer is not None else None
        try:
            async with self._open().request(method, url, data=body) as response:
                content = await response.read()
                return HttpReply(response.status, content, response.headers.get("Retry-After"))
        except TimeoutError as exc:
            raise HttpTimeout("no connection in time" if isinstance(exc, aiohttp.ConnectionTimeoutError)
                              else "no answer in time") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise HttpUnreachable(_why(exc)) from exc
        finally:
            if done is not None:
                done()

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None
        await asyncio.sleep(0)  # let the connector's transports finish closing
