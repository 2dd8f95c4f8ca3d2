"""`lockup-whitelist.near`: the staking-pool whitelist a lockup's `select_staking_pool` consults.

Written from near-staking.md §4.1 (core-contracts `whitelist/src/lib.rs`): views
`is_whitelisted({"staking_pool_account_id"}) -> bool` and `is_factory_whitelisted({"factory_account_id"}) -> bool`;
`add_staking_pool({"staking_pool_account_id"}) -> bool` (true when newly added), callable by the foundation account
or a whitelisted factory only ("Can only be called by NEAR Foundation"). House of Stake lockups consult this same
whitelist (house-of-stake-contracts mainnet deployment notes: `STAKING_POOL_WHITELIST_ACCOUNT_ID=lockup-whitelist.near`,
"global whitelist managed by NF"), and its README lists stNEAR and LiNEAR as whitelisted "staking pools"
(mainnet-2026.md §3): tests add a liquid-staking contract the way the foundation would.
In the default scenario it lists the `*.poolv1.near` pools (core staking-pool code) and the `poolv1.near` factory;
the staking-farm pool `charlie.pool.near` is not listed, so tests see both answers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import borsh
from .chain import SandboxChain
from .contracts import ContractPanic, Env, JsonContract, arg_account_id
from .hashing import hash_b58

WHITELIST_ACCOUNT_ID = "lockup-whitelist.near"
WHITELIST_OWNER = "foundation.near"


class WhitelistContract(JsonContract):
    kind: ClassVar[str] = "whitelist"
    VIEW_METHODS: ClassVar[dict[str, str]] = {
        "is_whitelisted": "view_is_whitelisted",
        "is_factory_whitelisted": "view_is_factory_whitelisted",
    }
    CHANGE_METHODS: ClassVar[dict[str, str]] = {"add_staking_pool": "call_add_staking_pool"}

    def __init__(self, pools: set[str], factories: set[str]) -> None:
        self.code_hash = hash_b58("sandbox-lockup-whitelist-wasm")
        self.code_len = 118_410  # plausible size only; affects storage_usage alone
        self.pools = set(pools)
        self.factories = set(factories)

    def view_is_whitelisted(self, args: dict[str, Any], env: Env) -> bool:
        return arg_account_id(args, "staking_pool_account_id") in self.pools

    def view_is_factory_whitelisted(self, args: dict[str, Any], env: Env) -> bool:
        return arg_account_id(args, "factory_account_id") in self.factories

    def call_add_staking_pool(self, args: dict[str, Any], env: Env) -> bool:
        pool_id = arg_account_id(args, "staking_pool_account_id")
        if env.predecessor_account_id not in self.factories and env.predecessor_account_id != WHITELIST_OWNER:
            raise ContractPanic("Can only be called by NEAR Foundation")
        added = pool_id not in self.pools
        self.pools.add(pool_id)
        return added

    def state_items(self) -> list[tuple[bytes, bytes]]:
        items = [(b"STATE", borsh.string(WHITELIST_OWNER))]
        items += [(b"s" + borsh.string(pool), b"") for pool in sorted(self.pools)]
        items += [(b"f" + borsh.string(factory), b"") for factory in sorted(self.factories)]
        return items


def install_lockup_whitelist(chain: SandboxChain) -> WhitelistContract:
    """Deploy the whitelist listing every core staking-pool contract (`*.poolv1.near`) on the chain."""
    pools = {account_id for account_id in chain.contracts if account_id.endswith(".poolv1.near")}
    contract = WhitelistContract(pools, {"poolv1.near"})
    chain.create_account(WHITELIST_ACCOUNT_ID, 10 * 10**24)
    chain.deploy(WHITELIST_ACCOUNT_ID, contract)
    return contract
