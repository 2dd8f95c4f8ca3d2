"""The action commands' services: a typed action request → its planner (an unsigned transaction for the user's own
wallet). Registered in bot/registry.py; the prepared steps of other answers (bot/services/ready.py) come here too,
through the registry, so they are byte for byte what the command gives."""

from __future__ import annotations

from bot.requests import StakeRequest, TransferRequest, UnstakeRequest, VenearRequest, WithdrawRequest
from bot.services.actions import plan_stake, plan_unstake, plan_withdraw
from bot.services.chain import Chain
from bot.services.lockup_transfer import plan_lockup_transfer
from bot.services.results import ActionResult
from bot.services.venear_actions import plan_venear


async def run_stake(chain: Chain, request: StakeRequest) -> ActionResult:
    return await plan_stake(
        chain, request.account, request.pool, request.amount, from_lockup=request.from_lockup,
        lockup_id=request.lockup,
    )


async def run_unstake(chain: Chain, request: UnstakeRequest) -> ActionResult:
    return await plan_unstake(
        chain, request.account, request.pool, request.amount, from_lockup=request.from_lockup,
        instant=request.instant, lockup_id=request.lockup,
    )


async def run_withdraw(chain: Chain, request: WithdrawRequest) -> ActionResult:
    return await plan_withdraw(
        chain, request.account, request.pool, request.amount, from_lockup=request.from_lockup,
        lockup_id=request.lockup,
    )


async def run_transfer(chain: Chain, request: TransferRequest) -> ActionResult:
    return await plan_lockup_transfer(chain, request.account, request.amount, request.to, request.lockup)


async def run_venear(chain: Chain, request: VenearRequest) -> ActionResult:
    return await plan_venear(chain, request.action, request.account, request.amount, request.lockup)
