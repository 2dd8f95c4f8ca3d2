"""Typed results, one per question. Renderers turn them into console text, JSON or Discord embeds.

JSON is a public interface (README "JSON output"): amounts are exact yocto decimal strings, times Unix seconds,
epochs integers. One module per topic; every name is re-exported here, so `from bot.services.results import X`
is the one import path.
"""

from bot.services.results.actions import (
    ActionCall,
    ActionKind,
    ActionResult,
    ActionTransaction,
    PreparedAction,
)
from bot.services.results.base import (
    BOT_BUILT,
    BotBuilt,
    ErrorResult,
    FoundBy,
    PoolProblem,
    Result,
    Yocto,
)
from bot.services.results.chain import (
    Duty,
    DutyName,
    EpochResult,
    PoolResult,
    ValidatorInfo,
    ValidatorRole,
)
from bot.services.results.liquid import (
    LiquidPosition,
    LiquidResult,
)
from bot.services.results.lockup import (
    LockupAction,
    LockupBalancesView,
    LockupMilestone,
    LockupPoolBalance,
    LockupResult,
    LockupSchedulePoint,
    VenearView,
)
from bot.services.results.status import (
    AnyResult,
    DelegationEntry,
    LiquidHolding,
    LockupSummary,
    StatusResult,
)
from bot.services.results.support import (
    DiagnoseCase,
    DiagnoseResult,
    ExplainLive,
    ExplainResult,
)
from bot.services.results.unbonding import (
    TimedUnlock,
    UnbondingEntry,
    UnbondingResult,
)

__all__ = [
    "ActionCall",
    "ActionKind",
    "ActionResult",
    "ActionTransaction",
    "AnyResult",
    "BOT_BUILT",
    "BotBuilt",
    "DelegationEntry",
    "DiagnoseCase",
    "DiagnoseResult",
    "Duty",
    "DutyName",
    "EpochResult",
    "ErrorResult",
    "ExplainLive",
    "ExplainResult",
    "FoundBy",
    "LiquidHolding",
    "LiquidPosition",
    "LiquidResult",
    "LockupAction",
    "LockupBalancesView",
    "LockupMilestone",
    "LockupPoolBalance",
    "LockupResult",
    "LockupSchedulePoint",
    "LockupSummary",
    "PoolProblem",
    "PoolResult",
    "PreparedAction",
    "Result",
    "StatusResult",
    "TimedUnlock",
    "UnbondingEntry",
    "UnbondingResult",
    "ValidatorInfo",
    "ValidatorRole",
    "VenearView",
    "Yocto",
]
