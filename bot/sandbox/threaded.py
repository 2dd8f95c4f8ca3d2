"""``ThreadedSandbox``: sandbox nodes on a private event loop in a daemon thread.

For synchronous code (pytest fixtures, subprocess CLI tests). All nodes share one chain and
the loop thread is the only one that touches it; helpers marshal calls onto that loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .chain import SandboxChain
from .faults import FaultRule, parse_rules
from .server import SandboxServer

T = TypeVar("T")


class ThreadedSandbox:
    def __init__(
        self,
        nodes: int = 1,
        *,
        chain: SandboxChain | None = None,
        node_options: Sequence[dict[str, Any]] | dict[str, Any] | None = None,
        host: str = "127.0.0.1",
        ports: Sequence[int] | None = None,
    ) -> None:
        if nodes < 1:
            raise ValueError("nodes must be >= 1")
        if isinstance(node_options, dict) or node_options is None:
            node_options = [dict(node_options or {}) for _ in range(nodes)]
        if len(node_options) != nodes:
            raise ValueError("node_options must have one entry per node")
        self._node_count = nodes
        self._node_options = list(node_options)
        self._chain = chain
        self._host = host
        self._ports = list(ports) if ports is not None else [0] * nodes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.servers: list[SandboxServer] = []

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> ThreadedSandbox:
        if self._loop is not None:
            raise RuntimeError("already started")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="near-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        self._loop = loop
        try:
            self._run(self._start_servers())
        except BaseException:
            self.stop()
            raise
        return self

    async def _start_servers(self) -> None:
        if self._chain is None:
            from .scenario import build_default_scenario

            self._chain = build_default_scenario()
        for options, port in zip(self._node_options, self._ports, strict=True):
            server = SandboxServer(self._chain, **options)
            await server.start(self._host, port)
            self.servers.append(server)

    def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return

        async def shutdown() -> None:
            await asyncio.gather(*(server.stop() for server in self.servers))

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedSandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- access ----------------------------------------------------------------------
    def _run(self, coro: Any, timeout: float = 30) -> Any:
        if self._loop is None:
            raise RuntimeError("sandbox not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=timeout)

    def run_on_loop(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on the loop thread (safe access to the shared chain)."""

        async def wrapper() -> T:
            return fn()

        return self._run(wrapper())

    @property
    def chain(self) -> SandboxChain:
        if self._chain is None:
            raise RuntimeError("sandbox not started")
        return self._chain

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    @property
    def url(self) -> str:
        return self.urls[0]

    def advance(self, *, blocks: int = 0, epochs: int = 0) -> int:
        """Time travel; returns the new head height."""
        return self.run_on_loop(lambda: self.chain.advance(blocks=blocks, epochs=epochs))

    def advance_to_epoch_edge(self, edge: str, offset: int = 0) -> int:
        """Head at the next epoch's first block (+ offset) or the current epoch's last block (− offset)."""
        return self.run_on_loop(lambda: self.chain.advance_to_epoch_edge(edge, offset))

    def set_faults(self, node_index: int, rules: Sequence[dict[str, Any] | FaultRule]) -> None:
        parsed = [r if isinstance(r, FaultRule) else parse_rules(r)[0] for r in rules]
        self.run_on_loop(lambda: self.servers[node_index].faults.replace(parsed))

    def clear_faults(self, node_index: int | None = None) -> None:
        targets = self.servers if node_index is None else [self.servers[node_index]]
        self.run_on_loop(lambda: [server.faults.clear() for server in targets])

    def call(
        self,
        signer_id: str,
        receiver_id: str,
        method_name: str,
        args: dict[str, Any] | None = None,
        deposit: int = 0,
    ) -> dict[str, Any]:
        """A change call as ``signer_id``; returns ``{"ok": true, ...}`` or ``{"ok": false, "panic"|"error": ...}``."""
        return self.run_on_loop(
            lambda: self.chain.call(signer_id, receiver_id, method_name, args or {}, deposit).to_json()
        )
