"""Keyless actions on lockup-owned funds: stake, unstake and withdraw through the lockup's one staking pool, and
`transfer` out of the lockup. The owner signs; every call goes to the lockup account.

Facts: near-staking.md §4.4 (owner methods: all non-payable, the amount in the args; gas; deposits need
account balance − storage minimum ≥ amount; Busy while a pool call's callback is pending), §4.1 (the whitelist
contract, `is_whitelisted({"staking_pool_account_id"})`), §4.6 (transfers disabled until `check_transfers_vote`),
wallet-links.md §6.2 (the order of the calls; one call at a time per lockup, so each is its own transaction and a
multi-transaction MyNearWallet link, signed in order, fits).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.near import errors
from bot.near.account_id import AccountKind, account_kind, is_lockup_account_id
from bot.near.lockup import LockupBalances, LockupState, compute_lockup, with_transfers_enabled
from bot.near.staking_calls import (
    lockup_check_transfers_vote,
    lockup_deposit_and_stake,
    lockup_refresh_staking_pool_balance,
    lockup_select_staking_pool,
    lockup_transfer,
    lockup_unselect_staking_pool,
    lockup_unstake,
    lockup_withdraw,
)
from bot.near.transactions import FunctionCall, UnsignedTransaction
from bot.near.units import format_near
from bot.near.wallet_links import mynearwallet_staking_url
from bot.services.actions import (
    ActionRefused,
    _liquid_provider,
    _not_yet_text,
    _share_price_check,
    build_action,
    parse_amount,
    pool_warnings,
    spendable_of,
    unstake_checks,
    verify_pool,
)
from bot.services.chain import Chain
from bot.services.delegations import DUST_YOCTO, parse_account
from bot.services.lockup import read_pool
from bot.services.lockup_read import LockupRead, NoLockup, read_lockup
from bot.services.results import ActionResult, LockupPoolBalance

MIN_GAS_PRICE = 10**8  # yocto per gas: the protocol's minimum gas price (a 125 TGas call reserves ~0.0125 NEAR)
NUM_EPOCHS_TO_UNLOCK = 4
_CONTRACT_READ_ERRORS = (
    errors.AccountNotFound,
    errors.NoContractCode,
    errors.MethodNotFound,
    errors.ContractPanic,
    errors.ContractExecutionError,
    errors.MalformedResponse,
)


@dataclass(frozen=True)
class LockupContext:
    read: LockupRead
    owner: str
    balances: LockupBalances

    @property
    def lockup_id(self) -> str:
        return self.read.lockup_id

    @property
    def state(self) -> LockupState:
        return self.read.state


async def _context(chain: Chain, account_text: str) -> LockupContext:
    read = (await read_lockup(chain, account_text, with_views=False)).read
    if not isinstance(read, LockupRead):
        raise ActionRefused(f"{read.lockup_id} is a House of Stake lockup: use its own commands (`venear`).")
    owner = read.state.owner_account_id
    if read.owner_given is not None and read.owner_given != owner:
        raise ActionRefused(
            f"The lockup {read.lockup_id} belongs to {owner}, not {read.owner_given}: only {owner} can sign its calls."
        )
    balances = compute_lockup(read.state, read.version, read.account.amount, read.now_ns)
    return LockupContext(read, owner, balances)


def _require_idle(ctx: LockupContext) -> None:
    if ctx.balances.staking_busy:
        raise ActionRefused(
            f"A staking-pool call of {ctx.lockup_id} is still in progress (status Busy): the lockup refuses any other "
            "call until it finishes. Try again in a minute."
        )


def _require_no_termination(ctx: LockupContext, what: str) -> None:
    status = ctx.balances.termination_status
    if status is not None:
        raise ActionRefused(
            f"The foundation terminated this lockup's vesting (status {status.name}): the lockup refuses {what} while "
            "the termination is in progress."
        )


async def whitelist_status(chain: Chain, whitelist_id: str, pool_id: str) -> bool | None:
    """`is_whitelisted` of the lockup's whitelist contract; None when it cannot be read (no such contract here)."""
    try:
        value = await chain.rpc.view_function(whitelist_id, "is_whitelisted", {"staking_pool_account_id": pool_id})
    except _CONTRACT_READ_ERRORS:
        return None
    return value if isinstance(value, bool) else None


async def _pool_balance(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    return await read_pool(chain, pool_id, ctx.lockup_id, ctx.read.block_height)


async def _selected_pool(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    selected = ctx.state.staking_pool_account_id
    if selected is None:
        raise ActionRefused(f"The lockup {ctx.lockup_id} has no staking pool selected, so nothing is staked from it.")
    if selected != pool_id:
        raise ActionRefused(
            f"The lockup {ctx.lockup_id} delegates to {selected}, not {pool_id} (a lockup uses one pool at a time). "
            f"Name {selected} instead."
        )
    return await _pool_balance(ctx, chain, pool_id)


async def _gas_warning(chain: Chain, owner: str, calls: list[FunctionCall]) -> list[str]:
    """The owner pays the gas of every step from their own account."""
    needed = sum(call.gas for call in calls) * MIN_GAS_PRICE
    account = await chain.rpc.view_account(owner)
    if spendable_of(account) + 5 * 10**22 < needed:  # spendable_of keeps 0.05 NEAR back; gas may use it
        return [
            f"{owner} pays the gas ({len(calls)} transaction(s), up to {format_near(needed)} at the minimum gas price) "
            f"from its own balance, which is only {format_near(account.amount)}: top it up first."
        ]
    return []


def _txs(ctx: LockupContext, calls: list[FunctionCall]) -> list[UnsignedTransaction]:
    return [UnsignedTransaction(ctx.owner, ctx.lockup_id, (call,)) for call in calls]


async def _contract_liquid(chain: Chain, ctx: LockupContext) -> int | None:
    try:
        raw = await chain.rpc.view_function(ctx.lockup_id, "get_liquid_owners_balance", {}, block_id=ctx.read.block_height)
    except errors.NearError:
        return None
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None


def _stakeable(ctx: LockupContext) -> int:
    return max(0, ctx.read.account.amount - ctx.read.version.min_balance_for_storage)


def _storage_text(ctx: LockupContext) -> str:
    version = ctx.read.version
    return (
        f"the {format_near(version.min_balance_for_storage)} storage minimum of its {version.label} code (35 NEAR "
        "before v3.1.0, 3.5 NEAR from v3.1.0)"
    )


# --- offering --from-lockup ---------------------------------------------------------------------------------------


async def lockup_offer(chain: Chain, account_id: str, pool_id: str | None, amount: int | None) -> str:
    """" … add --from-lockup." when the account's lockup could do what the plain action cannot ("" otherwise)."""
    if is_lockup_account_id(account_id, chain.network):
        return ""
    try:
        ctx = await _context(chain, account_id)
    except (NoLockup, ActionRefused):
        return ""
    except errors.NearError:
        return ""
    if pool_id is None:
        stakeable = _stakeable(ctx)
        if amount is not None and 0 < amount <= stakeable:
            return (
                f" Your lockup {ctx.lockup_id} can stake up to {format_near(stakeable)}: add --from-lockup to stake "
                "from it (you sign as the owner)."
            )
        return ""
    if ctx.state.staking_pool_account_id != pool_id:
        return ""
    balance = await _pool_balance(ctx, chain, pool_id)
    if balance.total_yocto == 0:
        return ""
    return (
        f" The delegation in {pool_id} belongs to your lockup {ctx.lockup_id} ({format_near(balance.staked_yocto)} "
        f"staked, {format_near(balance.unstaked_yocto)} unstaked): add --from-lockup."
    )


# --- stake ------------------------------------------------------------------------------------------------------


async def plan_lockup_stake(chain: Chain, account_text: str, pool_id: str, amount_text: str) -> ActionResult:
    pool_id = parse_account(pool_id)
    amount = parse_amount(amount_text)
    if _liquid_provider(chain, pool_id) is not None:
        raise ActionRefused(
            f"The bot stakes lockup funds only with staking pools: {pool_id} is a liquid-staking contract, and "
            "Meta Pool, for one, handles lockup accounts through its own methods and refuses them for withdrawals."
        )
    ctx = await _context(chain, account_text)
    kind = await verify_pool(chain, pool_id)
    _require_no_termination(ctx, "staking calls")
    _require_idle(ctx)
    state, lockup_id = ctx.state, ctx.lockup_id
    stakeable = _stakeable(ctx)
    if amount > stakeable:
        raise ActionRefused(
            f"The lockup {lockup_id} can stake at most {format_near(stakeable)}: its balance "
            f"{format_near(ctx.read.account.amount)} minus {_storage_text(ctx)}. Try a smaller amount."
        )
    whitelist = state.staking_pool_whitelist_account_id
    whitelisted = await whitelist_status(chain, whitelist, pool_id)
    if whitelisted is False:
        raise ActionRefused(
            f"{pool_id} is not on the lockup whitelist ({whitelist}.is_whitelisted answered false): the lockup's "
            "select_staking_pool would refuse it. Pick a whitelisted pool."
        )
    warnings: list[str] = []
    if whitelisted is None:
        warnings.append(
            f"Whether {pool_id} is whitelisted could not be verified ({whitelist} did not answer is_whitelisted); "
            "select_staking_pool fails if it is not."
        )
    calls: list[FunctionCall] = []
    current = state.staking_pool_account_id
    if current is not None and current != pool_id:
        try:
            held = (await _pool_balance(ctx, chain, current)).total_yocto
        except errors.NearError:
            held = None
        recorded = state.known_deposited_balance
        if recorded > 0 or (held or 0) > DUST_YOCTO:
            in_pool = f"{format_near(held)} in the pool" if held is not None else "an unreadable amount in the pool"
            raise ActionRefused(
                f"A lockup delegates to one pool at a time, and {current} still holds a deposit of {lockup_id} "
                f"({in_pool}; the lockup records {format_near(recorded)}). First unstake all of it (`unstake "
                f"{ctx.owner} {current} all --from-lockup`), wait {NUM_EPOCHS_TO_UNLOCK} epochs, withdraw it "
                f"(`withdraw {ctx.owner} {current} all --from-lockup`), then stake with {pool_id}."
            )
        calls.append(lockup_unselect_staking_pool())
        warnings.append(f"{current} is selected with nothing deposited: it is unselected first (unselect_staking_pool).")
    if current != pool_id:
        calls.append(lockup_select_staking_pool(pool_id))
    calls.append(lockup_deposit_and_stake(amount))
    too_small = await _share_price_check(chain, pool_id, kind, amount)
    if too_small:
        raise ActionRefused(too_small)
    warnings += await pool_warnings(chain, pool_id, kind)
    warnings += await _gas_warning(chain, ctx.owner, calls)
    if ctx.balances.locked > 0:
        warnings.append(
            "Locked tokens can be staked; they stay locked, and so does what comes back when you unstake and withdraw "
            "(until the lockup releases it). Rewards are yours once counted (refresh_staking_pool_balance)."
        )
    methods = " → ".join(call.method_name for call in calls)
    summary = (
        f"Stake {format_near(amount)} from the lockup {lockup_id} with {pool_id} ({methods}), signed by {ctx.owner}."
    )
    return build_action(
        chain, "stake", ctx.owner, pool_id, amount, summary, _txs(ctx, calls), warnings,
        mynearwallet_staking_url(pool_id, chain.network, "stake"), via="lockup", lockup_id=lockup_id,
    )


# --- unstake ----------------------------------------------------------------------------------------------------


async def plan_lockup_unstake(chain: Chain, account_text: str, pool_id: str, amount_text: str) -> ActionResult:
    pool_id = parse_account(pool_id)
    unstake_all = amount_text.strip().lower() == "all"
    amount = None if unstake_all else parse_amount(amount_text)
    ctx = await _context(chain, account_text)
    _require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    _require_no_termination(ctx, "unstaking")
    balance = await _selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    if balance.staked_yocto == 0:
        raise ActionRefused(f"The lockup {lockup_id} has nothing staked in {pool_id}, so there is nothing to unstake.")
    warnings = unstake_checks(
        f"The lockup {lockup_id}", pool_id, amount,
        staked=balance.staked_yocto, unstaked=balance.unstaked_yocto, can_withdraw=balance.can_withdraw,
        withdraw_first=f"withdraw first (`withdraw {ctx.owner} {pool_id} all --from-lockup`).",
    )
    warnings.append(
        f"Unstaked NEAR stops earning rewards. After {NUM_EPOCHS_TO_UNLOCK} epochs withdraw it to the lockup with "
        f"`withdraw {ctx.owner} {pool_id} all --from-lockup`."
    )
    call = lockup_unstake(amount)
    shown = balance.staked_yocto if amount is None else amount
    summary = (
        f"Unstake {format_near(shown)} of the lockup {lockup_id} from {pool_id} ({call.method_name}), signed by "
        f"{ctx.owner}."
    )
    warnings += await _gas_warning(chain, ctx.owner, [call])
    return build_action(
        chain, "unstake", ctx.owner, pool_id, shown, summary, _txs(ctx, [call]), warnings,
        mynearwallet_staking_url(pool_id, chain.network, "unstake"), via="lockup", lockup_id=lockup_id,
    )


# --- withdraw ---------------------------------------------------------------------------------------------------


async def plan_lockup_withdraw(
    chain: Chain, account_text: str, pool_id: str, amount_text: str | None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    withdraw_all = amount_text is None or amount_text.strip().lower() == "all"
    amount = None if withdraw_all else parse_amount(amount_text)  # type: ignore[arg-type]
    ctx = await _context(chain, account_text)
    _require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    _require_no_termination(ctx, "withdrawals")
    balance = await _selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    if balance.unstaked_yocto == 0:
        raise ActionRefused(
            f"The lockup {lockup_id} has no unstaked balance in {pool_id}; unstake first "
            f"(`unstake {ctx.owner} {pool_id} all --from-lockup`), then wait {NUM_EPOCHS_TO_UNLOCK} epochs."
        )
    if not balance.can_withdraw:
        raise ActionRefused(await _not_yet_text(chain, lockup_id, pool_id))
    if amount is not None and amount > balance.unstaked_yocto:
        raise ActionRefused(
            f"Only {format_near(balance.unstaked_yocto, 24)} is unstaked in {pool_id} for the lockup. Use \"all\" to "
            "withdraw it exactly."
        )
    calls = [lockup_withdraw(amount), lockup_refresh_staking_pool_balance()]
    shown = balance.unstaked_yocto if amount is None else amount
    warnings = [] if balance.unstaked_yocto > DUST_YOCTO else [
        f"Only {balance.unstaked_yocto} yoctoNEAR is there: share-rounding dust worth far less than the fee to "
        "withdraw it."
    ]
    warnings += [
        "The NEAR comes back to the lockup account, not to your own: refresh_staking_pool_balance then brings the "
        f"lockup's record in line with the pool (rewards included). Move what is unlocked with `transfer {ctx.owner} "
        "<amount>`."
    ]
    warnings += await _gas_warning(chain, ctx.owner, calls)
    summary = (
        f"Withdraw {format_near(shown)} from {pool_id} back to the lockup {lockup_id} ({calls[0].method_name} → "
        f"refresh_staking_pool_balance), signed by {ctx.owner}."
    )
    return build_action(
        chain, "withdraw", ctx.owner, pool_id, shown, summary, _txs(ctx, calls), warnings,
        mynearwallet_staking_url(pool_id, chain.network, None), via="lockup", lockup_id=lockup_id,
    )


# --- transfer out of the lockup -----------------------------------------------------------------------------------


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
    chain: Chain, account_text: str, amount_text: str, receiver_text: str | None = None
) -> ActionResult:
    """`transfer` unlocked NEAR out of the lockup, preceded by `check_transfers_vote` when transfers are still
    disabled and by `refresh_staking_pool_balance` when pool rewards are not counted yet."""
    transfer_all = amount_text.strip().lower() == "all"
    amount = None if transfer_all else parse_amount(amount_text)
    ctx = await _context(chain, account_text)
    receiver = parse_account(receiver_text) if receiver_text else ctx.owner
    _require_no_termination(ctx, "transfers")
    _require_idle(ctx)
    await _check_receiver(chain, receiver)
    read, lockup_id = ctx.read, ctx.lockup_id
    state = read.state
    calls: list[FunctionCall] = []
    warnings: list[str] = []
    if not state.transfers_enabled:
        calls.append(lockup_check_transfers_vote())
        state = with_transfers_enabled(state)
        warnings.append(
            "Transfers are still disabled in this lockup (it never recorded the transfers vote), so the contract "
            "counts everything as locked. The first transaction, check_transfers_vote, records the vote that passed "
            "on 2020-10-13; the transfer follows it."
        )
    pool: LockupPoolBalance | None = None
    pool_id = state.staking_pool_account_id
    if pool_id is not None:
        try:
            pool = await _pool_balance(ctx, chain, pool_id)
        except errors.NearError as exc:
            warnings.append(f"The pool {pool_id} could not be read for this lockup ({exc.message}).")
        if pool is not None and pool.total_yocto > state.known_deposited_balance:
            # Uncounted rewards: a refresh raises the owner's balance; it is a step only when that lets more move
            # (the transferable amount is also capped by what sits on the lockup account itself).
            refreshed = _with_known_deposit(state, pool.total_yocto)
            before = compute_lockup(state, read.version, read.account.amount, read.now_ns).liquid_owners_balance
            after_refresh = compute_lockup(refreshed, read.version, read.account.amount, read.now_ns)
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
    after = compute_lockup(state, read.version, read.account.amount, read.now_ns)
    liquid = after.liquid_owners_balance
    if not calls:
        # Nothing runs before the transfer: the contract checks its own get_liquid_owners_balance, so never offer
        # more than it says (an unknown code version could keep a larger storage minimum than assumed).
        contract_liquid = await _contract_liquid(chain, ctx)
        if contract_liquid is not None and contract_liquid < liquid:
            warnings.append(
                f"The lockup's own view allows {format_near(contract_liquid)}, less than computed "
                f"({format_near(liquid)}); the contract's number is used."
            )
            liquid = contract_liquid
    why = (
        f"The lockup can move at most {format_near(liquid)} now: only unlocked NEAR ({format_near(after.locked)} is "
        f"still locked, owner's balance {format_near(after.owners_balance)}) that sits on the lockup account itself "
        f"(balance {format_near(read.account.amount)}), minus {_storage_text(ctx)}."
    )
    if pool is not None and pool.total_yocto > 0:
        why += (
            f" {format_near(pool.total_yocto)} is delegated to {pool_id}: unstake and withdraw it (--from-lockup) to "
            "make it transferable."
        )
    if liquid == 0:
        raise ActionRefused(why)
    if amount is None:
        amount = liquid
    elif amount > liquid:
        raise ActionRefused(f"{format_near(amount)} is more than the liquid owner's balance. {why}")
    calls.append(lockup_transfer(amount, receiver))
    warnings += await _gas_warning(chain, ctx.owner, calls)
    methods = " → ".join(call.method_name for call in calls)
    summary = (
        f"Transfer {format_near(amount)} from the lockup {lockup_id} to {receiver} ({methods}), signed by {ctx.owner}."
    )
    return build_action(
        chain, "transfer", ctx.owner, lockup_id, amount, summary, _txs(ctx, calls), warnings, None,
        via="lockup", lockup_id=lockup_id, receiver_id=receiver,
    )


__all__ = [
    "lockup_offer",
    "plan_lockup_stake",
    "plan_lockup_transfer",
    "plan_lockup_unstake",
    "plan_lockup_withdraw",
    "whitelist_status",
]
