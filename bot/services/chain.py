"""The chain context every service reads through: one RPC client and one indexer client per network."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import TypeVar

from bot.near.indexer import IndexerClient
from bot.near.models import Block
from bot.near.rpc import NearRpcClient
from bot.near.rpc_policy import RpcPolicy
from bot.settings import Settings

T = TypeVar("T")


@dataclass
class Chain:
    network: str
    rpc: NearRpcClient
    indexer: IndexerClient

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: RpcPolicy | None = None) -> Chain:
        policy = policy or RpcPolicy(
            deadline=settings.rpc_deadline_seconds, per_endpoint_concurrency=settings.rpc_in_flight_per_endpoint
        )
        return cls(
            network=settings.near_network,
            rpc=NearRpcClient(settings.near_rpc_urls, policy),
            indexer=IndexerClient(settings.near_indexer_api, policy=policy),  # same retries, same deadline
        )

    def at(self, block: Block) -> Chain:
        """The same chain read at one block: every figure of an answer built on it describes `block`."""
        return replace(self, rpc=self.rpc.at_block(block))

    def at_final(self) -> Chain:
        """The same chain read at one block, the latest final block when the first answer arrives (BlockPin): every
        figure of an answer built on it describes that block, at no round trip of its own. Already pinned: itself."""
        rpc = self.rpc.at_final()
        return self if rpc is self.rpc else replace(self, rpc=rpc)

    async def aclose(self) -> None:
        await self.rpc.aclose()
        await self.indexer.aclose()


def prefetch(read: Awaitable[T]) -> asyncio.Future[T]:
    """Start `read` now, to await later (or not at all when the answer turns out not to need it): reads that do not
    depend on each other go out in the same round trip. An unawaited failure is not logged as never retrieved."""
    task = asyncio.ensure_future(read)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task
