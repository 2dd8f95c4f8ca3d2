"""The pieces every action planner shares — pool (services/actions.py), liquid staking (liquid_actions.py), lockup
(lockup_actions.py, lockup_transfer.py, venear_actions.py): the refusal and the result built from unsigned
transactions, amounts, the pool checks, the unstake and withdraw checks, and the lockup's context and checks.
Planners import them from here; nothing here imports a planner."""

from bot.services.planning.amounts import (
    GAS_RESERVE_YOCTO,
    is_all,
    parse_amount,
    parse_amount_or_all,
    spendable_of,
)
from bot.services.planning.balances import NUM_EPOCHS_TO_UNLOCK, not_yet_text, unstake_checks, withdraw_checks
from bot.services.planning.building import ActionRefused, build_action, single_call, utc_text
from bot.services.planning.lockups import (
    LockupContext,
    contract_liquid,
    gas_warning,
    lockup_context,
    owner_transactions,
    pool_balance,
    require_idle,
    require_no_termination,
    selected_pool,
    storage_text,
    whitelist_status,
)
from bot.services.planning.pools import (
    PoolChecks,
    liquid_provider,
    pool_warnings,
    share_price_check,
    verify_pool,
)

__all__ = [
    "GAS_RESERVE_YOCTO",
    "NUM_EPOCHS_TO_UNLOCK",
    "ActionRefused",
    "LockupContext",
    "PoolChecks",
    "build_action",
    "contract_liquid",
    "gas_warning",
    "is_all",
    "liquid_provider",
    "lockup_context",
    "not_yet_text",
    "owner_transactions",
    "parse_amount",
    "parse_amount_or_all",
    "pool_balance",
    "pool_warnings",
    "require_idle",
    "require_no_termination",
    "selected_pool",
    "share_price_check",
    "single_call",
    "spendable_of",
    "storage_text",
    "unstake_checks",
    "utc_text",
    "verify_pool",
    "whitelist_status",
    "withdraw_checks",
]
