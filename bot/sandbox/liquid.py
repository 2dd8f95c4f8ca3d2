"""Liquid staking in the default sandbox world: Meta Pool, LiNEAR and Rhea under their MAINNET ids.

`install_liquid_staking(chain)` deploys the three contracts (bot/sandbox/liquid_contracts.py, metapool_contract.py)
with realistic totals (prices ≈ 1.22, 1.31, 1.04 NEAR per token) and gives scenario accounts positions. The
positions are set as contract state ("bought before the sandbox's history"), so installing moves no NEAR out of the
accounts and the pool scenario is unchanged. Pending unstakes carry the unlock epoch their delay gave; Meta Pool has
already retrieved the claims whose unlock epoch has come; LiNEAR and Rhea have already run this epoch's settlement
(as their operators do early in each epoch), so a new unstake there waits 4 + 1 epochs:

| account    | provider  | tokens             | pending unstake               | unlock epoch              |
|------------|-----------|--------------------|-------------------------------|---------------------------|
| alice.near | Meta Pool | ~1,000.0001 stNEAR | —                             | —                         |
| alice.near | LiNEAR    | ~750.0005 LiNEAR   | —                             | —                         |
| bob.near   | Meta Pool | 0 (unstaked all)   | ~640.0002 NEAR, unstaked E-2  | E+2 (a U64 string)        |
| carol.near | LiNEAR    | ~50 LiNEAR         | ~300.0007 NEAR, unstaked E-5  | E-1: withdrawable now     |
| dave.near  | Rhea      | ~120 rNEAR         | ~30.0003 NEAR, unstaked E-1   | E+3 (`last_unstake_request_epoch_height`) |
| erin.near  | —         | —                  | —                             | —                         |

Prices grow every epoch boundary (rewards), so read them live; `LIQUID` below holds the roles.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .chain import SandboxChain
from .liquid_contracts import NEAR, LinearContract, LiquidStakingToken, RheaContract
from .metapool_contract import MetaPoolContract

PROVIDER_IDS = {
    "metapool": "meta-pool.near",
    "linear": "linear-protocol.near",
    "rhea": "lst.rhealab.near",
}


@dataclass(frozen=True)
class LiquidSeed:
    account_id: str
    provider: str  # key of PROVIDER_IDS
    shares: int  # token units (24 decimals)
    unstaked: int  # pending NEAR yocto
    unlock_offset: int | None  # unlock epoch relative to the current epoch E (None: nothing pending)


SEEDS = (
    LiquidSeed("alice.near", "metapool", 1_000 * NEAR + 123_456_789_012_345_678_901, 0, None),
    LiquidSeed("alice.near", "linear", 750 * NEAR + 500_000_000_000_000_000_017, 0, None),
    LiquidSeed("bob.near", "metapool", 0, 640 * NEAR + 212_345_678_901_234_567_891, 2),
    LiquidSeed("carol.near", "linear", 50 * NEAR + 3, 300 * NEAR + 700_000_000_000_000_000_009, -1),
    LiquidSeed("dave.near", "rhea", 120 * NEAR + 77, 30 * NEAR + 300_000_000_000_000_000_001, 3),
)


@dataclass(frozen=True)
class LiquidScenario:
    contracts: dict[str, str]
    seeds: tuple[LiquidSeed, ...]

    def seed(self, account_id: str, provider: str) -> LiquidSeed:
        for item in self.seeds:
            if item.account_id == account_id and item.provider == provider:
                return item
        raise KeyError((account_id, provider))

    def to_json(self) -> dict[str, Any]:
        return {"contracts": dict(self.contracts), "positions": [asdict(s) for s in self.seeds]}


LIQUID = LiquidScenario(contracts=PROVIDER_IDS, seeds=SEEDS)


def _contracts() -> dict[str, LiquidStakingToken]:
    return {
        "metapool": MetaPoolContract(
            "meta-pool-dao.near",
            total_staked=9_871_234 * NEAR + 567_890_123_456_789_012_345,
            total_shares=8_105_771 * NEAR + 98_765_432_109_876_543_211,
            nslp_near=48_500 * NEAR,
        ),
        "linear": LinearContract(
            "linear-owner.near",
            total_staked=4_562_345 * NEAR + 678_901_234_567_890_123_457,
            total_shares=3_495_118 * NEAR + 11_223_344_556_677_889_901,
        ),
        "rhea": RheaContract(
            "rhea-lst-owner.near",
            total_staked=812_345 * NEAR + 1_234_567,
            total_shares=779_901 * NEAR + 7_654_321,
        ),
    }


def install_liquid_staking(chain: SandboxChain) -> dict[str, LiquidStakingToken]:
    """Deploy Meta Pool, LiNEAR and Rhea under their mainnet ids and give the scenario accounts positions."""
    epoch, height = chain.epoch_height, chain.head_height
    contracts = _contracts()
    for seed in SEEDS:
        unlock = 0 if seed.unlock_offset is None else epoch + seed.unlock_offset
        contracts[seed.provider].seed(
            seed.account_id, shares=seed.shares, unstaked=seed.unstaked, unlock_epoch=unlock, height=height,
            epoch=epoch,
        )
    for key, contract in contracts.items():
        if isinstance(contract, LinearContract):
            contract.epoch_cleanup(epoch)
        contract_id = PROVIDER_IDS[key]
        pending = sum(record.unstaked for record in contract.accounts.values())
        liquidity = getattr(contract, "nslp_near", 0)
        # The contract account holds the staked NEAR, the pending claims, any liquidity pool and 50 NEAR reserve.
        chain.create_account(contract_id, contract.total_staked + pending + liquidity + 50 * NEAR)
        chain.deploy(contract_id, contract)
    if isinstance(chain.roles, dict):
        chain.roles["liquid"] = LIQUID.to_json()
    return contracts
