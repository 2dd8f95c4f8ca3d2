"""The chain context every service reads through: one RPC client and one indexer client per network."""

from __future__ import annotations

from dataclasses import dataclass

from bot.near.indexer import IndexerClient
from bot.near.rpc import NearRpcClient, RpcPolicy
from bot.settings import Settings


@dataclass
class Chain:
    network: str
    rpc: NearRpcClient
    indexer: IndexerClient

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: RpcPolicy | None = None) -> Chain:
        policy = policy or RpcPolicy(deadline=settings.rpc_deadline_seconds)
        return cls(
            network=settings.near_network,
            rpc=NearRpcClient(settings.near_rpc_urls, policy),
            indexer=IndexerClient(settings.near_indexer_api),
        )

    async def aclose(self) -> None:
        await self.rpc.aclose()
        await self.indexer.aclose()
