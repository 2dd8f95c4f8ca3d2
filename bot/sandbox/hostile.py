"""Hostile text in the default sandbox world: what a scammer can put in front of the bot without any permission.

- `phish.pool.near`: a real staking pool contract (poolv1 code) whose owner text is a markdown link with a mention,
  as anyone can deploy: `get_owner_id` returns exactly `PHISH_OWNER`. Not a validator.
- `mallory.near`: delegates 25 NEAR to `phish.pool.near`, and the staking index (FastNEAR API) lists, besides that
  pool, entries no honest index would: a 200-character id, a markdown link, `@everyone`, a role mention and a
  right-to-left override. A client must ignore them (they are not account ids), never show them raw, and never put
  them into a URL or an autocomplete choice.

`HOSTILE` below holds the roles (also in the control API's `roles`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .chain import SandboxChain
from .contracts import Env
from .hashing import digest
from .pool import poolv1

NEAR = 10**24

PHISH_POOL = "phish.pool.near"
PHISH_OWNER = "[Claim your NEAR](https://evil.example/claim) @everyone <@&1234567890123>"
MALLORY = "mallory.near"
LONG_POOL_ID = "x" * 195 + ".near"  # 200 characters: longer than any account id and any Discord choice value
BOGUS_INDEX_IDS = (
    LONG_POOL_ID,
    "[Free NEAR](https://evil.example/free)",
    "@everyone",
    "<@&1234567890123>",
    "evil\u202ekaen.near",  # a right-to-left override: reads "evil" + "near.kae" reversed
)


@dataclass(frozen=True)
class HostileScenario:
    phish_pool: str
    phish_owner: str
    mallory: str
    mallory_stake: int
    bogus_index_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["mallory_stake"] = str(self.mallory_stake)
        return body


HOSTILE = HostileScenario(
    phish_pool=PHISH_POOL,
    phish_owner=PHISH_OWNER,
    mallory=MALLORY,
    mallory_stake=25 * NEAR,
    bogus_index_ids=BOGUS_INDEX_IDS,
)


def install_hostile(chain: SandboxChain) -> None:
    """Deploy the phishing pool, give mallory.near a delegation there and add the bogus index entries."""
    chain.create_account(MALLORY, 500 * NEAR)
    chain.create_account(PHISH_POOL, 30 * NEAR)
    pool = poolv1(PHISH_OWNER, digest("stake-key", PHISH_POOL)[:32], (1, 100))
    chain.deploy(PHISH_POOL, pool)
    pool.initialize(Env(chain, PHISH_POOL, predecessor_account_id=MALLORY))
    outcome = chain.call(MALLORY, PHISH_POOL, "deposit_and_stake", {}, HOSTILE.mallory_stake)
    if not outcome.ok:
        raise RuntimeError(f"hostile scenario: deposit_and_stake failed: {outcome.panic or outcome.error}")
    height = chain.head_height
    index = chain.staking_index.setdefault(MALLORY, {})
    for bogus in BOGUS_INDEX_IDS:
        index[bogus] = height  # what a careless or hostile index can return
    if isinstance(chain.roles, dict):
        chain.roles["hostile"] = HOSTILE.to_json()
