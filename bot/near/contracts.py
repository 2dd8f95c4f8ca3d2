"""Which contract an account runs, recognised by its code hash, local or global (near-staking.md §1 and §4.2,
mainnet-2026.md §1)."""

from __future__ import annotations

from enum import StrEnum

from bot.near.models import AccountView


class ContractKind(StrEnum):
    POOLV1 = "poolv1"
    STAKING_FARM = "staking-farm"
    LOCKUP = "lockup"
    NONE = "none"
    UNKNOWN = "unknown"


# Hashes computed from the committed wasm files (near-staking.md §1).
POOL_CODE_HASHES: dict[str, ContractKind] = {
    "J1arLz48fgXcGyCPVckFwLnewNH6j1uw79thsvwqGYTY": ContractKind.POOLV1,  # core-contracts 1cacc9d, *.poolv1.near
    "AjD4YJaXgpiRdiArqnzyDi7Bkr1gJms9Z2w7Ev5esTKB": ContractKind.STAKING_FARM,  # staking-farm 1.1.0, *.pool.near
    "GGfKUF9TuAFN4AzbecPonNGuRTuVqx8UPXmViogN8pRm": ContractKind.STAKING_FARM,  # staking-farm 1.0.0
}

NO_CODE_HASH = "11111111111111111111111111111111"


def contract_kind(code_hash: str) -> ContractKind:
    if code_hash == NO_CODE_HASH:
        return ContractKind.NONE
    return POOL_CODE_HASHES.get(code_hash, ContractKind.UNKNOWN)


def account_contract_kind(account: AccountView) -> ContractKind:
    """The kind of the code an account runs, however it is deployed (a global contract is a contract)."""
    if not account.has_contract:
        return ContractKind.NONE
    code_hash = account.effective_code_hash
    return ContractKind.UNKNOWN if code_hash is None else contract_kind(code_hash)
