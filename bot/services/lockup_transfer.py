"""Moving NEAR out of a lockup of either kind with `transfer`, after the steps that let more move.

Core-contracts lockups (near-staking.md §4.4–4.6): `check_transfers_vote` while transfers are disabled,
`refresh_staking_pool_balance` when uncounted rewards would raise the owner's balance; never more than the
contract's own `get_liquid_owners_balance`. House of Stake lockups (houseofstake lockup-contract owner.rs): the
smaller of `get_liquid_owners_balance` and the veNEAR-liquid balance, 1 yocto attached.
"""

from __future__ import annotations

import dataclasses

from bot.near import errors
from bot.near.account_id import AccountKind, account_kind
from bot.near.lockup import (
    LockupState,
    with_transfers_enabled,
)
from bot.near.staking_calls import (
    lockup_check_transfers_vote,
    lockup_refresh_staking_pool_balance,
    lockup_transfer,
    venear_call,
)
from bot.near.transactions import FunctionCall
from bot.near.units import format_near
from bot.near.venear import VenearBalances
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.lockup.computing import compute_foundation
from bot.services.lockup.reading import LockupRead, VenearRead
from bot.services.planning import (
    ActionRefused,
    LockupContext,
    build_action,
    contract_liquid,
    gas_warning,
    lockup_context,
    owner_transactions,
    parse_amount_or_all,
    pool_balance,
    require_idle,
    require_no_termination,
    storage_text,
)
from bot.services.results import ActionResult, LockupPoolBalance


def _with_known_deposit(state: LockupState, amount: int) -> LockupState:
    """The state after refresh_staking_pool_balance: the known deposit set to the pool's total (§4.4)."""
    assert state.staking_information is not None
    info = dataclasses.replace(state.staking_information, deposit_amount=amount)
    return dataclasses.replace(state, staking_information=info)


async def _check_receiver(chain: Chain, receiver: str) -> None:
    if account_kind(receiver) is not AccountKind.NAMED:
        return  # an implicit account comes into existence with a transfer
    try:
        await chain.rpc.view_account(receiver)
    except errors.AccountNotFound as exc:
        raise ActionRefused(
            f"{receiver} does not exist on {chain.network}: a transfer to a named account that does not exist fails. "
            "Check the spelling."
        ) from exc


async def plan_lockup_transfer(
    chain: Chain, account_text: str, amount_text: str, receiver_text: str | None = None,
    lockup_text: str | None = None,
) -> ActionResult:
    """`transfer` unlocked NEAR out of the lockup, preceded by `check_transfers_vote` when transfers are still
    disabled and by `refresh_staking_pool_balance` when pool rewards are not counted yet."""
    amount = parse_amount_or_all(amount_text)
    chain = chain.at_final()  # the lockup, the receiver and the owner's gas balance: one block (BlockPin)
    ctx = await lockup_context(chain, account_text, lockup_text)
    receiver = parse_account(receiver_text) if receiver_text else ctx.owner
    require_no_termination(ctx, "transfers")
    require_idle(ctx)
    await _check_receiver(chain, receiver)
    calls: list[FunctionCall] = []
    warnings: list[str] = []
    if ctx.is_venear:
        liquid, why = await _venear_limit(ctx, chain, calls, warnings, amount)
    else:
        liquid, why = await _foundation_limit(ctx, chain, calls, warnings)
    if liquid == 0:
        raise ActionRefused(why)
    if amount is None:
        amount = liquid
    elif amount > liquid:
        raise ActionRefused(f"{format_near(amount)} is more than the liquid owner's balance. {why}")
    calls.append(lockup_transfer(amount, receiver, ctx.deposit))
    warnings += await gas_warning(chain, ctx.owner, calls)
    methods = " → ".join(call.method_name for call in calls)
    lockup_id = ctx.lockup_id
    summary = (
        f"Transfer {format_near(amount)} from the lockup {lockup_id} to {receiver} ({methods}), signed by {ctx.owner}."
    )
    return build_action(
        chain, "transfer", ctx.owner, lockup_id, amount, summary, owner_transactions(ctx, calls), warnings, None,
        via="lockup", lockup_id=lockup_id, receiver_id=receiver,
    )


async def _pool_or_warning(ctx: LockupContext, chain: Chain, warnings: list[str]) -> LockupPoolBalance | None:
    pool_id = ctx.staking_pool_id
    if pool_id is None:
        return None
    try:
        return await pool_balance(ctx, chain, pool_id)
    except errors.NearError as exc:
        warnings.append(f"The pool {pool_id} could not be read for this lockup ({exc.message}).")
        return None


async def _foundation_limit(
    ctx: LockupContext, chain: Chain, calls: list[FunctionCall], warnings: list[str]
) -> tuple[int, str]:
    """What a core-contracts lockup's `transfer` accepts after the steps added to `calls`, and why."""
    read = ctx.read
    assert isinstance(read, LockupRead)
    state = read.state
    if not state.transfers_enabled:
        calls.append(lockup_check_transfers_vote())
        state = with_transfers_enabled(state)
        warnings.append(
            "Transfers are still disabled in this lockup (it never recorded the transfers vote), so the contract "
            "counts everything as locked. The first transaction, check_transfers_vote, records the vote that passed "
            "on 2020-10-13; the transfer follows it."
        )
    pool_id = state.staking_pool_account_id
    pool = await _pool_or_warning(ctx, chain, warnings)
    if pool is not None:
        if pool.total_yocto > state.known_deposited_balance:
            # Uncounted rewards: a refresh raises the owner's balance; it is a step only when that lets more move
            # (the transferable amount is also capped by what sits on the lockup account itself).
            refreshed = _with_known_deposit(state, pool.total_yocto)
            before = compute_foundation(read, state, read.now_ns).liquid_owners_balance
            after_refresh = compute_foundation(read, refreshed, read.now_ns)
            rewards = format_near(pool.total_yocto - state.known_deposited_balance)
            if after_refresh.liquid_owners_balance > before:
                calls.append(lockup_refresh_staking_pool_balance())
                warnings.append(
                    f"{pool_id} holds {rewards} of rewards the lockup does not count yet: refresh_staking_pool_balance "
                    "runs before the transfer and adds them to the owner's balance."
                )
                state = refreshed
            else:
                warnings.append(
                    f"{pool_id} holds {rewards} of rewards the lockup does not count yet; counting them "
                    "(refresh_staking_pool_balance) would not let more move now, so it is left out."
                )
    after = compute_foundation(read, state, read.now_ns)
    liquid = after.liquid_owners_balance
    if not calls:
        # Nothing runs before the transfer: the contract checks its own get_liquid_owners_balance, so never offer
        # more than it says (an unknown code version could keep a larger storage minimum than assumed).
        contract_says = await contract_liquid(chain, ctx)
        if contract_says is not None and contract_says < liquid:
            warnings.append(
                f"The lockup's own view allows {format_near(contract_says)}, less than computed "
                f"({format_near(liquid)}); the contract's number is used."
            )
            liquid = contract_says
    why = (
        f"The lockup can move at most {format_near(liquid)} now: only unlocked NEAR ({format_near(after.locked)} is "
        f"still locked, owner's balance {format_near(after.owners_balance)}) that sits on the lockup account itself "
        f"(balance {format_near(read.account.amount)}), minus {storage_text(ctx)}."
    )
    if pool is not None and pool.total_yocto > 0:
        why += (
            f" {format_near(pool.total_yocto)} is delegated to {pool_id}: unstake and withdraw it (--from-lockup"
            f"{ctx.flag}) to make it transferable."
        )
    return liquid, why


async def _venear_limit(
    ctx: LockupContext, chain: Chain, calls: list[FunctionCall], warnings: list[str], wanted: int | None
) -> tuple[int, str]:
    """What a House of Stake lockup's `transfer` accepts: amount ≤ get_liquid_owners_balance (NEAR on the account
    above its storage deposit) and ≤ the veNEAR-liquid balance (neither locked nor pending), houseofstake
    lockup-contract owner.rs. Counting uncounted pool rewards (refresh) raises only the second limit."""
    read = ctx.read
    assert isinstance(read, VenearRead)
    b = ctx.balances
    assert isinstance(b, VenearBalances)
    venear_liquid = b.venear_liquid
    pool_id = read.staking_pool_id
    pool = await _pool_or_warning(ctx, chain, warnings)
    if pool is not None and pool.total_yocto > b.known_deposited:
        rewards = format_near(pool.total_yocto - b.known_deposited)
        refreshed = venear_liquid + pool.total_yocto - b.known_deposited
        if min(b.liquid_owners_balance, refreshed) > b.transferable:
            calls.append(lockup_refresh_staking_pool_balance(ctx.deposit))
            venear_liquid = refreshed
            warnings.append(
                f"{pool_id} holds {rewards} of rewards the lockup does not count yet: refresh_staking_pool_balance "
                "runs first, so they count as free NEAR."
            )
    limit_now = min(b.liquid_owners_balance, venear_liquid)
    frees_more = min(b.liquid_owners_balance, venear_liquid + b.pending) > limit_now
    if b.pending and b.unlock_ready and frees_more and (wanted is None or wanted > limit_now):
        # The cooldown is over: finishing the unlock (end_unlock_near, all pending) frees it for this transfer.
        calls.insert(0, venear_call("end_unlock_near", None))
        venear_liquid += b.pending
        warnings.append(
            f"The unlock of {format_near(b.pending)} is over but not finished: end_unlock_near runs first and makes it "
            "free NEAR of the lockup."
        )
    liquid = min(b.liquid_owners_balance, venear_liquid)
    why = (
        f"A House of Stake lockup moves at most {format_near(liquid)} now: NEAR neither locked nor pending for veNEAR "
        f"({format_near(b.locked)} locked, {format_near(b.pending)} pending), and only what sits on the lockup account "
        f"itself (balance {format_near(b.account_balance)}), minus {storage_text(ctx)}."
    )
    if b.known_deposited:
        why += (
            f" {format_near(b.known_deposited)} is staked in {pool_id}: unstake and withdraw it (--from-lockup"
            f"{ctx.flag}) to make it transferable."
        )
    if b.pending and not b.unlock_ready:
        why += " NEAR pending unlock becomes free once its cooldown ends and end_unlock_near is called."
    elif b.pending and not any(call.method_name == "end_unlock_near" for call in calls):
        why += f" {format_near(b.pending)} finished its unlock: call end_unlock_near first (`venear end-unlock {ctx.owner}`)."
    return liquid, why
