"""The sandbox chain in its own process, so its CPU time is not charged to the bot being measured."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SandboxProcess:
    def __init__(self, latency_ms: int) -> None:
        self.latency_ms = latency_ms
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SandboxProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(self.port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/sandbox/info", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("the sandbox process did not start") from None
                time.sleep(0.1)
        self.control("POST", "/sandbox/faults", [{"kind": "latency", "ms": self.latency_ms}])
        return self

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)


def _serve_built_chain(build: Callable[..., Any], args: tuple[Any, ...], latency_ms: int, urls: Any) -> None:
    from bot.sandbox.faults import parse_rules
    from bot.sandbox.server import SandboxServer

    chain = build(*args)

    async def main() -> None:
        server = SandboxServer(chain)
        url = await server.start()
        server.faults.replace(parse_rules([{"kind": "latency", "ms": latency_ms}]))
        urls.put(url)
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def chain_server(build: Callable[..., Any], args: tuple[Any, ...], latency_ms: int) -> Iterator[str]:
    """A chain made by `build(*args)` (a module-level function) served from a child process with latency L."""
    context = multiprocessing.get_context("spawn")
    urls = context.Queue()
    child = context.Process(target=_serve_built_chain, args=(build, args, latency_ms, urls), daemon=True)
    child.start()
    try:
        yield urls.get(timeout=600)
    finally:
        child.terminate()
        child.join(10)
