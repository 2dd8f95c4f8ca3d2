"""Role rule conditions and how a member's holdings meet them. A member's holdings are the sum over every NEAR
account they verified (NEP-413), each read at one final block."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.near.units import format_near
from bot.storage import RoleRule

KIND_WORDS = {
    "pool_stake": "staked with a pool",
    "total_stake": "staked in any pool",
    "locked": "NEAR locked in a lockup or for veNEAR",
    "liquid": "liquid-staking tokens held (their NEAR value)",
}


@dataclass
class Holdings:
    """What one account (or a member's accounts together) holds, in yoctoNEAR."""

    staked_by_pool: Counter[str] = field(default_factory=Counter)  # the account's own and its lockups' stake
    locked: int = 0  # lockups: locked (foundation) or locked + pending for veNEAR (House of Stake)
    liquid_by_contract: Counter[str] = field(default_factory=Counter)  # NEAR value of liquid-staking tokens, floored

    @property
    def total_staked(self) -> int:
        return sum(self.staked_by_pool.values())

    def __add__(self, other: Holdings) -> Holdings:
        return Holdings(self.staked_by_pool + other.staked_by_pool, self.locked + other.locked,
                        self.liquid_by_contract + other.liquid_by_contract)


def amount_for(rule: RoleRule, holdings: Holdings) -> int:
    """The figure the rule compares with its minimum."""
    if rule.kind == "pool_stake":
        return holdings.staked_by_pool.get(rule.target_id or "", 0)
    if rule.kind == "total_stake":
        return holdings.total_staked
    if rule.kind == "locked":
        return holdings.locked
    if rule.target_id:
        return holdings.liquid_by_contract.get(rule.target_id, 0)
    return sum(holdings.liquid_by_contract.values())


def qualifies(rule: RoleRule, holdings: Holdings) -> bool:
    amount = amount_for(rule, holdings)
    return amount > 0 and amount >= rule.min_yocto


def rule_text(rule: RoleRule) -> str:
    """Plain words (untrusted ids included): escape before it reaches a message."""
    minimum = format_near(rule.min_yocto)
    if rule.kind == "pool_stake":
        return f"at least {minimum} staked with {rule.target_id}"
    if rule.kind == "total_stake":
        return f"at least {minimum} staked in all pools together"
    if rule.kind == "locked":
        return f"at least {minimum} locked in a lockup or for veNEAR"
    where = f"in {rule.target_id}" if rule.target_id else "in liquid-staking tokens"
    return f"at least {minimum} worth of NEAR {where}"
