"""The default sandbox world: realistic pools and delegators in every state a client must handle.

Built by *running* pool operations at past epochs and time-travelling through every epoch
boundary (rewards + ping), so share prices (~1.04–1.10) and rounding are realistic.
Current epoch ``E`` = 3300; the head sits ~45 % into it. Refer to roles via :data:`SCENARIO`.

Pools (all owners also delegate; fee = reward_fee_fraction):

| role     | pool id                | contract      | fee    | validator status                        |
|----------|------------------------|---------------|--------|-----------------------------------------|
| alpha    | alpha.poolv1.near      | poolv1        | 10/100 | active                                  |
| bravo    | bravo.poolv1.near      | poolv1        | 5/100  | active                                  |
| charlie  | charlie.pool.near      | staking-farm  | 7/100  | active                                  |
| mega     | mega.poolv1.near       | poolv1        | 9/100  | active; ~270 delegators, state > 50 kB  |
| paused   | paused.poolv1.near     | poolv1        | 10/100 | paused since E-400, not a validator     |
| kicked   | kicked.poolv1.near     | poolv1        | 6/100  | prev_epoch_kickout (NotEnoughBlocks)    |
| proposal | proposal.poolv1.near   | poolv1        | 4/100  | current_proposals + next_validators only|
| chunkval | chunkval.poolv1.near   | poolv1        | 3/100  | active, chunk validator only: endorses, no blocks or chunks (95.94 % of endorsements) |

Delegations (``available`` = unstaked_available_epoch_height):

| account     | pool     | state        | how it got there                                   | available |
|-------------|----------|--------------|----------------------------------------------------|-----------|
| alice.near  | alpha    | staked       | deposit_and_stake 1,250 NEAR at E-300              | 0         |
| alice.near  | bravo    | unbonding    | stake 800 at E-500, unstake 300 in epoch E         | E+4       |
| alice.near  | mega     | unbonding    | stake 500 at E-200, unstake_all at E-1             | E+3       |
| bob.near    | alpha    | withdrawable | stake 2,000 at E-700, unstake 500 at E-40          | E-36      |
| bob.near    | charlie  | staked       | deposit_and_stake 3,000 NEAR at E-100              | 0         |
| carol.near  | charlie  | unbonding    | stake 400 at E-250, unstake_all at E-3             | E+1       |
| dave.near   | alpha    | unbonding    | stake 100 at E-50, unstake 40 at E-2               | E+2       |
| dave.near   | bravo    | dust         | deposit_and_stake ~250 NEAR at E-20 leaves 1–2 yocto| 0         |
| frank.near  | alpha    | staked       | deposit_and_stake 150 NEAR at E-60                 | 0         |
| frank.near  | chunkval | unbonding *  | stake 3,000 at E-70, unstake 1,000 at E-1          | E+3       |
| frank.near  | kicked   | staked *     | deposit_and_stake 500 NEAR at E-100                | 0         |
| grace.near  | bravo    | staked *     | deposit_and_stake 2,000 NEAR at E-90               | 0         |

``*`` = the staking index (FastNEAR API) omits this delegation, as when it lags or misses a block: only checking
the pool (a named pool, or a scan of the validator set) finds it. The index lists nothing at all for grace.near.

Other accounts: ``erin.near`` (plain, no delegations), ``nocontract.near`` (no code),
``token.sandbox.near`` (fungible token: pool methods → MethodNotFound), ``ghost.near`` (does not
exist → UNKNOWN_ACCOUNT), ``mallory.near`` and ``phish.pool.near`` (hostile text: see hostile.py). Mega delegators ``delegator-000.near`` … ``delegator-299.near``: every
10th (i % 10 == 3) fully exited (swap_remove reordered the map), i % 10 == 7 hold a withdrawable part.
FastNEAR reports ``last_update_block_height: null`` for updates before epoch E-400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .chain import DEFAULT_EPOCH, DEFAULT_HEAD_OFFSET, SandboxChain, Seat, ValidatorRole
from .contracts import Env
from .fungible_token import FungibleToken
from .hashing import digest
from .hostile import install_hostile
from .liquid import install_liquid_staking
from .lockups import install_lockup_whitelist, install_lockups
from .pool import StakingFarmPool, StakingPool, poolv1
from .timeline import Timeline
from .venear import install_new_lockups

NEAR = 10**24
E = DEFAULT_EPOCH


@dataclass(frozen=True)
class PoolInfo:
    pool_id: str
    contract: str  # "poolv1" | "staking-farm"
    owner_id: str
    fee: tuple[int, int]
    validator: str  # "active" | "paused" | "kicked" | "proposal" | "chunk_validator"


@dataclass(frozen=True)
class Delegation:
    account_id: str
    pool_id: str
    state: str  # "staked" | "unbonding" | "withdrawable" | "dust"
    available_epoch: int  # unstaked_available_epoch_height stored by the pool (0 = never unstaked)


@dataclass(frozen=True)
class Scenario:
    epoch_height: int
    epoch_length: int
    pools: dict[str, PoolInfo]
    accounts: dict[str, str]
    delegations: tuple[Delegation, ...]
    mega_delegators: tuple[str, ...] = field(repr=False)
    fastnear_index_start_epoch: int

    def pool_id(self, role: str) -> str:
        return self.pools[role].pool_id

    def delegation(self, account_id: str, pool_id: str) -> Delegation:
        for item in self.delegations:
            if item.account_id == account_id and item.pool_id == pool_id:
                return item
        raise KeyError((account_id, pool_id))

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["mega_delegators"] = {"count": len(self.mega_delegators), "pattern": "delegator-NNN.near"}
        return body


POOLS = {
    "alpha": PoolInfo("alpha.poolv1.near", "poolv1", "alpha-ops.near", (10, 100), "active"),
    "bravo": PoolInfo("bravo.poolv1.near", "poolv1", "bravo-ops.near", (5, 100), "active"),
    "charlie": PoolInfo("charlie.pool.near", "staking-farm", "charlie-ops.near", (7, 100), "active"),
    "mega": PoolInfo("mega.poolv1.near", "poolv1", "mega-ops.near", (9, 100), "active"),
    "paused": PoolInfo("paused.poolv1.near", "poolv1", "paused-ops.near", (10, 100), "paused"),
    "kicked": PoolInfo("kicked.poolv1.near", "poolv1", "kicked-ops.near", (6, 100), "kicked"),
    "proposal": PoolInfo("proposal.poolv1.near", "poolv1", "proposal-ops.near", (4, 100), "proposal"),
    "chunkval": PoolInfo("chunkval.poolv1.near", "poolv1", "chunkval-ops.near", (3, 100), "chunk_validator"),
}
ACCOUNTS = {
    "alice": "alice.near",
    "bob": "bob.near",
    "carol": "carol.near",
    "dave": "dave.near",
    "erin": "erin.near",
    "frank": "frank.near",
    "grace": "grace.near",
    "no_contract": "nocontract.near",
    "token": "token.sandbox.near",
    "missing": "ghost.near",
}
MEGA_DELEGATORS = tuple(f"delegator-{i:03d}.near" for i in range(300))
KICKOUT_REASON = {"NotEnoughBlocks": {"expected": 412, "produced": 97}}
# A real mainnet chunk-validator-only seat's endorsements this epoch (issue 20): 29,610 of 30,863 expected.
CHUNK_VALIDATOR_ONLINE = (29_610, 30_863)

_alpha, _bravo, _charlie, _mega = (POOLS[k].pool_id for k in ("alpha", "bravo", "charlie", "mega"))
SCENARIO = Scenario(
    epoch_height=E,
    epoch_length=43_200,
    pools=POOLS,
    accounts=ACCOUNTS,
    delegations=(
        Delegation("alice.near", _alpha, "staked", 0),
        Delegation("alice.near", _bravo, "unbonding", E + 4),
        Delegation("alice.near", _mega, "unbonding", E + 3),
        Delegation("bob.near", _alpha, "withdrawable", E - 36),
        Delegation("bob.near", _charlie, "staked", 0),
        Delegation("carol.near", _charlie, "unbonding", E + 1),
        Delegation("dave.near", _alpha, "unbonding", E + 2),
        Delegation("dave.near", _bravo, "dust", 0),
        Delegation("frank.near", _alpha, "staked", 0),
        Delegation("frank.near", "chunkval.poolv1.near", "unbonding", E + 3),
        Delegation("frank.near", "kicked.poolv1.near", "staked", 0),
        Delegation("grace.near", _bravo, "staked", 0),
    ),
    mega_delegators=MEGA_DELEGATORS,
    fastnear_index_start_epoch=E - 400,
)

# (pool role, creation epoch, owner's own stake in NEAR)
_POOL_HISTORY = [
    ("alpha", E - 2000, 8_200_000),
    ("mega", E - 1500, 5_000_000),
    ("bravo", E - 1800, 3_450_000),
    ("paused", E - 1200, 61_000),
    ("charlie", E - 900, 1_910_000),
    ("kicked", E - 600, 340_000),
    ("proposal", E - 30, 910_000),
    ("chunkval", E - 80, 42_000),
]
# (delegator, pool role) pairs the staking index omits.
INDEX_OMISSIONS = [("frank.near", "chunkval"), ("frank.near", "kicked"), ("grace.near", "bravo")]
_PLAIN_BALANCES = {
    "alice.near": 5_000 * NEAR + 123_456_789,
    "bob.near": 8_000 * NEAR,
    "carol.near": 1_000 * NEAR,
    "dave.near": 700 * NEAR + 1,
    "erin.near": 42 * NEAR + 500_000_000_000_000_000_000,
    "frank.near": 4_000 * NEAR,
    "grace.near": 2_500 * NEAR,
    "nocontract.near": 12_500_000_000_000_000_000_000_000,
}


class _Builder:
    """Collects (epoch, offset, action) events and replays them in time order."""

    def __init__(self, chain: SandboxChain) -> None:
        self.chain = chain
        self.events: list[tuple[int, int, int, Callable[[], None]]] = []

    def at(self, epoch: int, offset: int, action: Callable[[], None]) -> None:
        self.events.append((epoch, offset, len(self.events), action))

    def call(self, epoch: int, offset: int, signer: str, pool: str, method: str,
             args: dict[str, Any] | None = None, deposit: int = 0) -> None:
        def action() -> None:
            outcome = self.chain.call(signer, pool, method, args or {}, deposit)
            if not outcome.ok:
                raise RuntimeError(f"scenario step failed: {signer} {method} {pool}: {outcome.panic or outcome.error}")

        self.at(epoch, offset, action)

    def run(self) -> None:
        timeline = self.chain.timeline
        for epoch, offset, _, action in sorted(self.events, key=lambda e: e[:3]):
            target = timeline.epoch_start(epoch) + offset
            if target > self.chain.head_height:
                self.chain.advance_to(target)
            action()


def _create_pool(chain: SandboxChain, role: str) -> StakingPool:
    info = POOLS[role]
    key = digest("stake-key", info.pool_id)
    if info.contract == "staking-farm":
        pool: StakingPool = StakingFarmPool(info.owner_id, key, info.fee)
    else:
        pool = poolv1(info.owner_id, key, info.fee)
    chain.create_account(info.pool_id, 30 * NEAR)  # the factory funds new pools with ~30 NEAR
    chain.deploy(info.pool_id, pool)
    pool.initialize(Env(chain, info.pool_id, predecessor_account_id=info.owner_id))
    if info.validator == "chunk_validator":
        chain.set_validator(info.pool_id, ValidatorRole.ACTIVE, seat=Seat.CHUNK_VALIDATOR, online=CHUNK_VALIDATOR_ONLINE)
    else:
        chain.set_validator(info.pool_id, ValidatorRole.PROPOSAL if role == "proposal" else ValidatorRole.ACTIVE)
    return pool


def _mega_amount(index: int) -> int:
    seed = int.from_bytes(digest("mega-amount", index)[:16], "big")
    return (1 + seed % 4_000) * NEAR + (seed >> 20) % NEAR


def build_default_scenario() -> SandboxChain:
    """A fresh, deterministic chain holding the world described in this module's docstring."""
    first_epoch = min(epoch for _, epoch, _ in _POOL_HISTORY)
    chain = SandboxChain(head_height=Timeline().epoch_start(first_epoch) + 10)
    chain.fastnear_index_start_height = chain.timeline.epoch_start(SCENARIO.fastnear_index_start_epoch)
    for account_id, amount in _PLAIN_BALANCES.items():
        chain.create_account(account_id, amount)
    chain.create_account(ACCOUNTS["token"], 5 * NEAR)
    chain.deploy(ACCOUNTS["token"], FungibleToken("SBX", 18, {"alice.near": 1_000 * 10**18, "bob.near": 25 * 10**18}))
    for name in MEGA_DELEGATORS:
        chain.create_account(name, 5_000 * NEAR)

    build = _Builder(chain)
    for role, epoch, own_stake in _POOL_HISTORY:
        owner = POOLS[role].owner_id
        build.at(epoch, 50, lambda r=role, o=owner, s=own_stake: (
            chain.create_account(o, (s + 100) * NEAR), _create_pool(chain, r)))
        build.call(epoch, 60, owner, POOLS[role].pool_id, "deposit_and_stake", deposit=own_stake * NEAR)

    # Mega: hundreds of delegators so its state exceeds the 50,000-byte view_state cap (§3.3).
    for i, name in enumerate(MEGA_DELEGATORS):
        build.call(E - 1499 + i * 3, 2_000 + i, name, _mega, "deposit_and_stake", deposit=_mega_amount(i))
        if i % 10 == 3:  # full exit: unstake, wait, withdraw -> removed from the map (swap_remove)
            build.call(E - 500 + i, 100, name, _mega, "unstake_all")
            build.call(E - 495 + i, 100, name, _mega, "withdraw_all")
        elif i % 10 == 7:  # part left unstaked and withdrawable
            build.call(E - 150 + i // 10, 100, name, _mega, "unstake", {"amount": str(_mega_amount(i) // 4)})

    alice, bob, carol, dave = (ACCOUNTS[k] for k in ("alice", "bob", "carol", "dave"))
    build.call(E - 700, 5_000, bob, _alpha, "deposit_and_stake", deposit=2_000 * NEAR)
    build.call(E - 500, 7_000, alice, _bravo, "deposit_and_stake", deposit=800 * NEAR)
    build.at(E - 400, 1_000, lambda: _pause(chain, "paused"))
    build.call(E - 300, 3_000, alice, _alpha, "deposit_and_stake", deposit=1_250 * NEAR)
    build.call(E - 250, 8_000, carol, POOLS["charlie"].pool_id, "deposit_and_stake", deposit=400 * NEAR)
    build.call(E - 200, 9_000, alice, _mega, "deposit_and_stake", deposit=500 * NEAR)
    build.call(E - 100, 4_000, bob, POOLS["charlie"].pool_id, "deposit_and_stake", deposit=3_000 * NEAR)
    build.call(E - 50, 6_000, dave, _alpha, "deposit_and_stake", deposit=100 * NEAR)
    frank, grace, chunkval = ACCOUNTS["frank"], ACCOUNTS["grace"], POOLS["chunkval"].pool_id
    build.call(E - 100, 9_000, frank, POOLS["kicked"].pool_id, "deposit_and_stake", deposit=500 * NEAR)
    build.call(E - 90, 9_000, grace, _bravo, "deposit_and_stake", deposit=2_000 * NEAR)
    build.call(E - 70, 9_000, frank, chunkval, "deposit_and_stake", deposit=3_000 * NEAR)
    build.call(E - 60, 9_000, frank, _alpha, "deposit_and_stake", deposit=150 * NEAR)
    build.call(E - 1, 21_000, frank, chunkval, "unstake", {"amount": str(1_000 * NEAR)})
    build.call(E - 40, 12_000, bob, _alpha, "unstake", {"amount": str(500 * NEAR)})
    build.at(E - 20, 2_000, lambda: _stake_until_dust(chain, dave, _bravo))
    build.call(E - 3, 30_000, carol, POOLS["charlie"].pool_id, "unstake_all")
    build.call(E - 2, 15_000, dave, _alpha, "unstake", {"amount": str(40 * NEAR)})
    build.call(E - 1, 20_000, alice, _mega, "unstake_all")
    build.at(E - 1, 43_000, lambda: chain.set_validator(
        POOLS["kicked"].pool_id, ValidatorRole.KICKED, KICKOUT_REASON))
    build.call(E, 4_000, alice, _bravo, "unstake", {"amount": str(300 * NEAR)})
    install_lockups(chain, build.at)  # lockup owners and accounts (bot/sandbox/lockups.py)
    install_new_lockups(chain, build.at)  # House of Stake and global-contract lockups (bot/sandbox/venear.py)
    build.run()

    chain.advance_to(chain.timeline.epoch_start(E) + DEFAULT_HEAD_OFFSET)
    chain.index_omissions.update((account_id, POOLS[role].pool_id) for account_id, role in INDEX_OMISSIONS)
    chain.roles = SCENARIO.to_json()
    install_liquid_staking(chain)  # Meta Pool, LiNEAR, Rhea and their holders (bot/sandbox/liquid.py)
    install_lockup_whitelist(chain)  # lockup-whitelist.near listing the *.poolv1.near pools (bot/sandbox/whitelist.py)
    install_hostile(chain)  # phish.pool.near (owner text = a markdown link), mallory.near's bogus index (hostile.py)
    return chain


def _pause(chain: SandboxChain, role: str) -> None:
    info = POOLS[role]
    outcome = chain.call(info.owner_id, info.pool_id, "pause_staking")
    assert outcome.ok, outcome
    chain.set_validator(info.pool_id, ValidatorRole.NONE)


def _stake_until_dust(chain: SandboxChain, account_id: str, pool_id: str) -> None:
    """deposit_and_stake leaves 0–2 yocto unstaked (§2.5); repeat small stakes until some is left."""
    pool = chain.contracts[pool_id]
    assert isinstance(pool, StakingPool)
    for attempt in range(50):
        outcome = chain.call(account_id, pool_id, "deposit_and_stake", {}, 250 * NEAR + 7_919 * attempt)
        assert outcome.ok, outcome
        record = pool.accounts.get(account_id)
        if record is not None and record.unstaked > 0:
            return
    raise RuntimeError("no rounding dust produced")
