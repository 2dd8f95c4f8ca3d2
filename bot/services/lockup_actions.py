"""Keyless actions on lockup-owned funds: stake, unstake and withdraw through the lockup's one staking pool. The owner
signs; every call goes to the lockup account. What these share with `transfer` and veNEAR (the lockup's context, its
checks, the owner's transactions) is in bot/services/planning/lockups.py.

Facts: near-staking.md §4.4 (owner methods: all non-payable, the amount in the args; gas; deposits need
account balance − storage minimum ≥ amount; Busy while a pool call's callback is pending), §4.1 (the whitelist
contract, `is_whitelisted({"staking_pool_account_id"})`), wallet-links.md §6.2 (the order of the calls; one call at a
time per lockup, so each is its own transaction and a multi-transaction MyNearWallet link, signed in order, fits).
"""

from __future__ import annotations

from bot.near import errors
from bot.near.account_id import is_lockup_account_id
from bot.near.contracts import ContractKind
from bot.near.staking_calls import (
    lockup_deposit_and_stake,
    lockup_refresh_staking_pool_balance,
    lockup_select_staking_pool,
    lockup_unselect_staking_pool,
    lockup_unstake,
    lockup_withdraw,
)
from bot.near.transactions import FunctionCall
from bot.near.units import format_near
from bot.near.wallet_links import mynearwallet_staking_url
from bot.services.chain import Chain, prefetch
from bot.services.delegations import DUST_YOCTO, parse_account
from bot.services.lockup.reading import NoLockup
from bot.services.planning import (
    NUM_EPOCHS_TO_UNLOCK,
    ActionRefused,
    LockupContext,
    PoolChecks,
    build_action,
    gas_warning,
    liquid_provider,
    lockup_context,
    owner_transactions,
    parse_amount,
    parse_amount_or_all,
    pool_balance,
    pool_warnings,
    require_idle,
    require_no_termination,
    selected_pool,
    share_price_check,
    storage_text,
    unstake_checks,
    whitelist_status,
    withdraw_checks,
)
from bot.services.results import ActionResult

# --- offering --from-lockup ---------------------------------------------------------------------------------------


async def lockup_offer(chain: Chain, account_id: str, pool_id: str | None, amount: int | None) -> str:
    """" … add --from-lockup." when the account's lockup could do what the plain action cannot ("" otherwise)."""
    if is_lockup_account_id(account_id, chain.network):
        return ""
    try:
        ctx = await lockup_context(chain, account_id)
    except (NoLockup, ActionRefused):
        return ""
    except errors.NearError:
        return ""
    if pool_id is None:
        stakeable = ctx.stakeable
        if amount is not None and 0 < amount <= stakeable:
            return (
                f" Your lockup {ctx.lockup_id} can stake up to {format_near(stakeable)}: add --from-lockup to stake "
                "from it (you sign as the owner)."
            )
        return ""
    if ctx.staking_pool_id != pool_id:
        return ""
    balance = await pool_balance(ctx, chain, pool_id)
    if balance.total_yocto == 0:
        return ""
    return (
        f" The delegation in {pool_id} belongs to your lockup {ctx.lockup_id} ({format_near(balance.staked_yocto)} "
        f"staked, {format_near(balance.unstaked_yocto)} unstaked): add --from-lockup."
    )


# --- stake ------------------------------------------------------------------------------------------------------


async def plan_lockup_stake(
    chain: Chain, account_text: str, pool_id: str, amount_text: str, lockup_text: str | None = None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    amount = parse_amount(amount_text)
    chain = chain.at_final()
    liquid = liquid_provider(chain, pool_id)
    # What the pool's checks read needs only the names typed: it goes out with the lockup's reads (one round trip),
    # and the checks still run in their order. So does the owner's balance (for the gas check), when the owner typed
    # their own id.
    pool_checks = None if liquid is not None else PoolChecks.start(chain, pool_id)
    prefetch(chain.rpc.view_account(parse_account(account_text)))
    ctx = await lockup_context(chain, account_text, lockup_text)
    if liquid is not None and not ctx.is_venear:
        raise ActionRefused(
            f"The bot stakes lockup funds only with staking pools: {pool_id} is a liquid-staking contract, and "
            "Meta Pool, for one, handles lockup accounts through its own methods and refuses them for withdrawals."
        )
    # A House of Stake lockup may stake with stNEAR / LiNEAR as if they were pools, when whitelisted (mainnet-2026 §3).
    kind = None if pool_checks is None else await pool_checks.kind
    require_no_termination(ctx, "staking calls")
    require_idle(ctx)
    if amount > ctx.stakeable:
        raise ActionRefused(
            f"The lockup {ctx.lockup_id} can stake at most {format_near(ctx.stakeable)}: its balance "
            f"{format_near(ctx.read.account.amount)} minus {storage_text(ctx)}. Try a smaller amount."
        )
    warnings = await _whitelist_warnings(chain, ctx, pool_id)
    calls = await _pool_switch(chain, ctx, pool_id, warnings)
    calls.append(lockup_deposit_and_stake(amount, ctx.deposit))
    warnings += await _destination_warnings(chain, pool_id, amount, kind, pool_checks)
    warnings += await gas_warning(chain, ctx.owner, calls)
    warnings += _locked_stake_notes(ctx)
    methods = " → ".join(call.method_name for call in calls)
    summary = (
        f"Stake {format_near(amount)} from the lockup {ctx.lockup_id} with {pool_id} ({methods}), signed by "
        f"{ctx.owner}."
    )
    return build_action(
        chain, "stake", ctx.owner, pool_id, amount, summary, owner_transactions(ctx, calls), warnings,
        mynearwallet_staking_url(pool_id, chain.network, "stake"), via="lockup", lockup_id=ctx.lockup_id,
    )


async def _whitelist_warnings(chain: Chain, ctx: LockupContext, pool_id: str) -> list[str]:
    """Refuse a pool the lockup's whitelist rejects. Only select_staking_pool asks the whitelist: a pool already
    selected takes deposits as it is."""
    whitelist = ctx.whitelist_id
    whitelisted = True if ctx.staking_pool_id == pool_id else await whitelist_status(chain, whitelist, pool_id)
    if whitelisted is False:
        raise ActionRefused(
            f"{pool_id} is not on the lockup whitelist ({whitelist}.is_whitelisted answered false): the lockup's "
            "select_staking_pool would refuse it. Pick a whitelisted pool."
        )
    if whitelisted is None:
        return [
            f"Whether {pool_id} is whitelisted could not be verified ({whitelist} did not answer is_whitelisted); "
            "select_staking_pool fails if it is not."
        ]
    return []


async def _pool_switch(chain: Chain, ctx: LockupContext, pool_id: str, warnings: list[str]) -> list[FunctionCall]:
    """The calls before the deposit: unselect the current pool (refused while it holds a deposit: one pool at a
    time), then select `pool_id`."""
    calls: list[FunctionCall] = []
    current = ctx.staking_pool_id
    if current is not None and current != pool_id:
        try:
            held = (await pool_balance(ctx, chain, current)).total_yocto
        except errors.NearError:
            held = None
        recorded = ctx.known_deposited
        if recorded > 0 or (held or 0) > DUST_YOCTO:
            in_pool = f"{format_near(held)} in the pool" if held is not None else "an unreadable amount in the pool"
            raise ActionRefused(
                f"A lockup delegates to one pool at a time, and {current} still holds a deposit of {ctx.lockup_id} "
                f"({in_pool}; the lockup records {format_near(recorded)}). First unstake all of it (`unstake "
                f"{ctx.owner} {current} all --from-lockup{ctx.flag}`), wait {NUM_EPOCHS_TO_UNLOCK} epochs, "
                f"withdraw it (`withdraw {ctx.owner} {current} all --from-lockup{ctx.flag}`), then stake with "
                f"{pool_id}."
            )
        calls.append(lockup_unselect_staking_pool(ctx.deposit))
        warnings.append(f"{current} is selected with nothing deposited: it is unselected first (unselect_staking_pool).")
    if current != pool_id:
        calls.append(lockup_select_staking_pool(pool_id, ctx.deposit))
    return calls


async def _destination_warnings(
    chain: Chain, pool_id: str, amount: int, kind: ContractKind | None, pool_checks: PoolChecks | None
) -> list[str]:
    """A pool's checks (the share price refuses; its standing warns), or what staking with a liquid-staking
    contract means."""
    if kind is None or pool_checks is None:
        return [
            f"{pool_id} is liquid staking: the lockup receives its tokens, and unstaking from it follows that "
            "contract's own delay."
        ]
    too_small = await share_price_check(chain, pool_id, kind, amount, pool_checks.state)
    if too_small:
        raise ActionRefused(too_small)
    return await pool_warnings(chain, pool_id, kind, pool_checks.standing)


def _locked_stake_notes(ctx: LockupContext) -> list[str]:
    if ctx.locked_total == 0:
        return []
    if ctx.is_venear:
        return [
            "NEAR locked for veNEAR can be staked too: it stays locked for veNEAR while it earns rewards, and the "
            "lockup counts the deposit as its own balance."
        ]
    return [
        "Locked tokens can be staked; they stay locked, and so does what comes back when you unstake and withdraw "
        "(until the lockup releases it). Rewards are yours once counted (refresh_staking_pool_balance)."
    ]


# --- unstake ----------------------------------------------------------------------------------------------------


async def plan_lockup_unstake(
    chain: Chain, account_text: str, pool_id: str, amount_text: str, lockup_text: str | None = None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    amount = parse_amount_or_all(amount_text)
    chain = chain.at_final()
    ctx = await lockup_context(chain, account_text, lockup_text)
    require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    require_no_termination(ctx, "unstaking")
    balance = await selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    warnings = unstake_checks(
        f"The lockup {lockup_id}", pool_id, amount,
        staked=balance.staked_yocto, unstaked=balance.unstaked_yocto, can_withdraw=balance.can_withdraw,
        withdraw_first=f"withdraw first (`withdraw {ctx.owner} {pool_id} all --from-lockup{ctx.flag}`).",
    )
    # A liquid-staking contract as the pool: its own rule for the wait (bot/near/liquid_readiness.py), read with it.
    wait = (f"{NUM_EPOCHS_TO_UNLOCK} epochs" if balance.unstake_wait_epochs is None
            else f"{balance.unstake_wait_epochs} epochs (by {pool_id}'s own rule)")
    warnings.append(
        f"Unstaked NEAR stops earning rewards. After {wait} withdraw it to the lockup with "
        f"`withdraw {ctx.owner} {pool_id} all --from-lockup{ctx.flag}`."
        + (f" {balance.unstake_wait_note}" if balance.unstake_wait_note else "")
    )
    call = lockup_unstake(amount, ctx.deposit)
    shown = balance.staked_yocto if amount is None else amount
    summary = (
        f"Unstake {format_near(shown)} of the lockup {lockup_id} from {pool_id} ({call.method_name}), signed by "
        f"{ctx.owner}."
    )
    warnings += await gas_warning(chain, ctx.owner, [call])
    return build_action(
        chain, "unstake", ctx.owner, pool_id, shown, summary, owner_transactions(ctx, [call]), warnings,
        mynearwallet_staking_url(pool_id, chain.network, "unstake"), via="lockup", lockup_id=lockup_id,
    )


# --- withdraw ---------------------------------------------------------------------------------------------------


async def plan_lockup_withdraw(
    chain: Chain, account_text: str, pool_id: str, amount_text: str | None, lockup_text: str | None = None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    amount = parse_amount_or_all(amount_text)
    chain = chain.at_final()
    ctx = await lockup_context(chain, account_text, lockup_text)
    require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    require_no_termination(ctx, "withdrawals")
    balance = await selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    if balance.unstaked_yocto and not balance.can_withdraw and balance.waiting_for not in (None, "epoch"):
        # A liquid-staking contract past the unlock epoch that would still refuse: its own reason (reading.py).
        raise ActionRefused(balance.waiting_note or f"{pool_id} would refuse the withdrawal now.")
    warnings = await withdraw_checks(
        chain, lockup_id, pool_id, amount, unstaked=balance.unstaked_yocto, can_withdraw=balance.can_withdraw,
        holder=f"The lockup {lockup_id}", of_lockup=True,
        unstake_how=f" (`unstake {ctx.owner} {pool_id} all --from-lockup{ctx.flag}`)",
    )
    calls = [lockup_withdraw(amount, ctx.deposit), lockup_refresh_staking_pool_balance(ctx.deposit)]
    shown = balance.unstaked_yocto if amount is None else amount
    warnings += [
        "The NEAR comes back to the lockup account, not to your own: refresh_staking_pool_balance then brings the "
        f"lockup's record in line with the pool (rewards included). Move what is unlocked with `transfer {ctx.owner} "
        f"<amount>{ctx.flag}`."
    ]
    warnings += await gas_warning(chain, ctx.owner, calls)
    summary = (
        f"Withdraw {format_near(shown)} from {pool_id} back to the lockup {lockup_id} ({calls[0].method_name} → "
        f"refresh_staking_pool_balance), signed by {ctx.owner}."
    )
    return build_action(
        chain, "withdraw", ctx.owner, pool_id, shown, summary, owner_transactions(ctx, calls), warnings,
        mynearwallet_staking_url(pool_id, chain.network, None), via="lockup", lockup_id=lockup_id,
    )
