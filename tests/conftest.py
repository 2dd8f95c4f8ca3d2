"""Shared fixtures: a fresh sandbox chain on 127.0.0.1 and a Chain (RPC + indexer clients) pointed at it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.sandbox import SandboxChain, ThreadedSandbox, Timeline
from bot.sandbox.timeline import NOMINAL_BLOCK_NS
from bot.services.chain import Chain
from bot.services.results import Result
from bot.storage import Storage, open_storage
from tests.postgres_cluster import PostgresCluster, PostgresUnavailable

T = TypeVar("T")

# Short timeouts so fault tests finish quickly; the logic is the same as production's.
FAST_POLICY = RpcPolicy(
    connect_timeout=0.5,
    read_timeout=1.0,
    deadline=5.0,
    backoff_base=0.05,
    backoff_max=0.2,
    max_retry_after=2.0,
    cache_ttl=0.0,
    immutable_cache_ttl=0.0,
    unhealthy_cooldown=0.5,
)


def sandbox_answers(lines: Sequence[str]) -> list[Result]:
    """Each command line's answer (as `ask` gives it) from one fresh default sandbox: real answers for module-scoped
    renderer tests."""
    from bot.commands import run_line

    async def collect(url: str) -> list[Result]:
        chain = Chain(network="mainnet", rpc=NearRpcClient([url], FAST_POLICY), indexer=IndexerClient(url))
        try:
            return [(await run_line(chain, line))[0] for line in lines]
        finally:
            await chain.aclose()

    with ThreadedSandbox() as running:
        return asyncio.run(collect(running.url))


@pytest.fixture
def sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox() as running:
        yield running


@pytest.fixture
def two_node_sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(nodes=2) as running:
        yield running


@pytest.fixture
async def chain(sandbox: ThreadedSandbox) -> AsyncIterator[Chain]:
    built = Chain(network="mainnet", rpc=NearRpcClient([sandbox.url], FAST_POLICY), indexer=IndexerClient(sandbox.url, policy=FAST_POLICY))
    yield built
    await built.aclose()


@pytest.fixture
def truth(sandbox: ThreadedSandbox) -> Callable[[str, str, dict[str, Any] | None], Any]:
    """Ask the sandbox's own contracts directly (no HTTP, no bot code): the expected answers."""

    def view(account_id: str, method: str, args: dict[str, Any] | None = None) -> Any:
        raw = sandbox.run_on_loop(lambda: sandbox.chain.view_call(account_id, method, json.dumps(args or {}).encode()))
        return json.loads(raw)

    return view


def chain_made_now(chain_id: str = "mainnet") -> SandboxChain:
    """An empty sandbox chain whose head block was produced just now, reporting `chain_id` in `status`: what a
    live node of that network looks like. (The default scenario's head sits in January 2026, for its lockups.)"""
    blocks = 3 * 43_200 + 1_000
    timeline = Timeline(chain_id=chain_id, genesis_timestamp_ns=time.time_ns() - blocks * NOMINAL_BLOCK_NS)
    return SandboxChain(timeline, head_height=timeline.genesis_height + blocks)


@pytest.fixture
def live_mainnet() -> Iterator[ThreadedSandbox]:
    """Two nodes of a chain that says it is mainnet and whose head is fresh (fault one to make it lag)."""
    with ThreadedSandbox(nodes=2, chain=chain_made_now("mainnet")) as running:
        yield running


# -- PostgreSQL: one throwaway server per test session (started only when a test asks for it) ------------------


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):  # CI installs PostgreSQL (.ci/run): missing there is a failure, not a skip
            raise
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards."""
    url = run_in_thread(postgres_cluster.create_database())
    yield url
    run_in_thread(postgres_cluster.drop_database(url))


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    """An open storage on each backend in turn (see database_url)."""
    async with opened_storage(database_url) as store:
        yield store


@asynccontextmanager
async def opened_storage(url: str) -> AsyncIterator[Storage]:
    store = open_storage(url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against both backends: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


def run_in_thread(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous fixture code (on its own loop, in its own thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
