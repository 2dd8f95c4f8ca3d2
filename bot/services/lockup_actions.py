"""Keyless actions on lockup-owned funds: stake, unstake and withdraw through the lockup's one staking pool, and
`transfer` out of the lockup. The owner signs; every call goes to the lockup account.

Facts: near-staking.md §4.4 (owner methods: all non-payable, the amount in the args; gas; deposits need
account balance − storage minimum ≥ amount; Busy while a pool call's callback is pending), §4.1 (the whitelist
contract, `is_whitelisted({"staking_pool_account_id"})`), §4.6 (transfers disabled until `check_transfers_vote`),
wallet-links.md §6.2 (the order of the calls; one call at a time per lockup, so each is its own transaction and a
multi-transaction MyNearWallet link, signed in order, fits).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.near import errors
from bot.near.account_id import is_lockup_account_id
from bot.near.lockup import LockupBalances, LockupMathError, LockupState, compute_lockup
from bot.near.staking_calls import (
    lockup_deposit_and_stake,
    lockup_refresh_staking_pool_balance,
    lockup_select_staking_pool,
    lockup_unselect_staking_pool,
    lockup_unstake,
    lockup_withdraw,
)
from bot.near.transactions import FunctionCall, UnsignedTransaction
from bot.near.units import format_near
from bot.near.venear import ONE_YOCTO, VenearBalances
from bot.near.wallet_links import mynearwallet_staking_url
from bot.services.actions import (
    ActionRefused,
    _liquid_provider,
    _not_yet_text,
    build_action,
    parse_amount,
    spendable_of,
    unstake_checks,
)
from bot.services.chain import Chain, prefetch
from bot.services.delegations import DUST_YOCTO, parse_account
from bot.services.lockup import read_pool
from bot.services.lockup_read import (
    AnyLockupRead,
    LockupRead,
    LockupStateUnreadable,
    NoLockup,
    VenearRead,
    read_lockup,
    read_named_lockup,
)
from bot.services.pool_checks import PoolChecks, pool_warnings, share_price_check
from bot.services.results import ActionResult, LockupPoolBalance
from bot.services.venear_lockup import venear_balances

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
    """A lockup of either kind at one block, with what the planners need to know of it."""

    read: AnyLockupRead
    owner: str
    balances: LockupBalances | VenearBalances

    @property
    def lockup_id(self) -> str:
        return self.read.lockup_id

    @property
    def state(self) -> LockupState:
        assert isinstance(self.read, LockupRead)
        return self.read.state

    @property
    def is_venear(self) -> bool:
        return isinstance(self.read, VenearRead)

    @property
    def deposit(self) -> int:
        # houseofstake lockup-contract: every owner method asserts exactly 1 yocto; core-contracts: non-payable.
        return ONE_YOCTO if self.is_venear else 0

    @property
    def staking_pool_id(self) -> str | None:
        return self.read.staking_pool_id

    @property
    def known_deposited(self) -> int:
        read = self.read
        return read.state.known_deposited if isinstance(read, VenearRead) else read.state.known_deposited_balance

    @property
    def whitelist_id(self) -> str:
        return self.read.state.staking_pool_whitelist_account_id

    @property
    def min_storage(self) -> int:
        read = self.read
        return read.state.min_lockup_deposit if isinstance(read, VenearRead) else read.version.min_balance_for_storage

    @property
    def termination_status(self) -> object | None:
        balances = self.balances
        return balances.termination_status if isinstance(balances, LockupBalances) else None

    @property
    def locked_total(self) -> int:
        b = self.balances
        return b.locked + b.pending if isinstance(b, VenearBalances) else b.locked


async def lockup_context(chain: Chain, account_text: str, lockup_text: str | None = None) -> LockupContext:
    """The lockup `account_text` names (or its owner's), or `lockup_text` when the user named one: then it must
    belong to `account_text` (or be it)."""
    if lockup_text is not None:
        read = await read_named_lockup(chain, lockup_text)
    else:
        read = (await read_lockup(chain, account_text, with_views=False)).read
    owner = read.owner_id
    given = parse_account(account_text)
    claimed = read.owner_given if lockup_text is None else (None if given == read.lockup_id else given)
    if claimed is not None and claimed != owner:
        raise ActionRefused(
            f"The lockup {read.lockup_id} belongs to {owner}, not {claimed}: only {owner} can sign its calls."
        )
    if isinstance(read, VenearRead):
        return LockupContext(read, owner, venear_balances(read))
    try:
        balances = compute_lockup(read.state, read.version, read.account.amount, read.now_ns)
    except LockupMathError as exc:
        raise LockupStateUnreadable(read.lockup_id, str(exc)) from exc
    return LockupContext(read, owner, balances)


def require_idle(ctx: LockupContext) -> None:
    if ctx.balances.staking_busy:
        raise ActionRefused(
            f"A staking-pool call of {ctx.lockup_id} is still in progress (status Busy): the lockup refuses any other "
            "call until it finishes. Try again in a minute."
        )


def require_no_termination(ctx: LockupContext, what: str) -> None:
    status = ctx.termination_status
    if status is not None:
        raise ActionRefused(
            f"The foundation terminated this lockup's vesting (status {status.name}): the lockup refuses {what} while "  # type: ignore[attr-defined]
            "the termination is in progress."
        )


async def whitelist_status(chain: Chain, whitelist_id: str, pool_id: str) -> bool | None:
    """`is_whitelisted` of the lockup's whitelist contract; None when it cannot be read (no such contract here)."""
    try:
        value = await chain.rpc.view_function(whitelist_id, "is_whitelisted", {"staking_pool_account_id": pool_id})
    except _CONTRACT_READ_ERRORS:
        return None
    return value if isinstance(value, bool) else None


async def pool_balance(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    return await read_pool(chain, pool_id, ctx.lockup_id, ctx.read.block_height)


async def _selected_pool(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    selected = ctx.staking_pool_id
    if selected is None:
        raise ActionRefused(f"The lockup {ctx.lockup_id} has no staking pool selected, so nothing is staked from it.")
    if selected != pool_id:
        raise ActionRefused(
            f"The lockup {ctx.lockup_id} delegates to {selected}, not {pool_id} (a lockup uses one pool at a time). "
            f"Name {selected} instead."
        )
    return await pool_balance(ctx, chain, pool_id)


async def gas_warning(chain: Chain, owner: str, calls: list[FunctionCall]) -> list[str]:
    """The owner pays the gas of every step from their own account."""
    needed = sum(call.gas for call in calls) * MIN_GAS_PRICE
    account = await chain.rpc.view_account(owner)
    if spendable_of(account) + 5 * 10**22 < needed:  # spendable_of keeps 0.05 NEAR back; gas may use it
        return [
            f"{owner} pays the gas ({len(calls)} transaction(s), up to {format_near(needed)} at the minimum gas price) "
            f"from its own balance, which is only {format_near(account.amount)}: top it up first."
        ]
    return []


def owner_transactions(ctx: LockupContext, calls: list[FunctionCall]) -> list[UnsignedTransaction]:
    return [UnsignedTransaction(ctx.owner, ctx.lockup_id, (call,)) for call in calls]


async def contract_liquid(chain: Chain, ctx: LockupContext) -> int | None:
    try:
        raw = await chain.rpc.view_function(ctx.lockup_id, "get_liquid_owners_balance", {}, block_id=ctx.read.block_height)
    except errors.NearError:
        return None
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None


def _stakeable(ctx: LockupContext) -> int:
    return max(0, ctx.read.account.amount - ctx.min_storage)


def storage_text(ctx: LockupContext) -> str:
    if isinstance(ctx.read, VenearRead):
        return f"the {format_near(ctx.min_storage)} storage deposit it keeps (its min_lockup_deposit)"
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
        ctx = await lockup_context(chain, account_id)
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


def lockup_flag(ctx: LockupContext) -> str:
    """The `--lockup <id>` a follow-up command needs (none for the owner's derived `.lockup.near`)."""
    return "" if is_lockup_account_id(ctx.lockup_id) and not ctx.is_venear else f" --lockup {ctx.lockup_id}"


async def plan_lockup_stake(
    chain: Chain, account_text: str, pool_id: str, amount_text: str, lockup_text: str | None = None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    amount = parse_amount(amount_text)
    chain = chain.at_final()
    liquid = _liquid_provider(chain, pool_id)
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
    lockup_id = ctx.lockup_id
    stakeable = _stakeable(ctx)
    if amount > stakeable:
        raise ActionRefused(
            f"The lockup {lockup_id} can stake at most {format_near(stakeable)}: its balance "
            f"{format_near(ctx.read.account.amount)} minus {storage_text(ctx)}. Try a smaller amount."
        )
    whitelist = ctx.whitelist_id
    # Only select_staking_pool asks the whitelist: a pool already selected takes deposits as it is.
    whitelisted = True if ctx.staking_pool_id == pool_id else await whitelist_status(chain, whitelist, pool_id)
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
                f"A lockup delegates to one pool at a time, and {current} still holds a deposit of {lockup_id} "
                f"({in_pool}; the lockup records {format_near(recorded)}). First unstake all of it (`unstake "
                f"{ctx.owner} {current} all --from-lockup{lockup_flag(ctx)}`), wait {NUM_EPOCHS_TO_UNLOCK} epochs, "
                f"withdraw it (`withdraw {ctx.owner} {current} all --from-lockup{lockup_flag(ctx)}`), then stake with "
                f"{pool_id}."
            )
        calls.append(lockup_unselect_staking_pool(ctx.deposit))
        warnings.append(f"{current} is selected with nothing deposited: it is unselected first (unselect_staking_pool).")
    if current != pool_id:
        calls.append(lockup_select_staking_pool(pool_id, ctx.deposit))
    calls.append(lockup_deposit_and_stake(amount, ctx.deposit))
    if kind is not None and pool_checks is not None:
        too_small = await share_price_check(chain, pool_id, kind, amount, pool_checks.state)
        if too_small:
            raise ActionRefused(too_small)
        warnings += await pool_warnings(chain, pool_id, kind, pool_checks.standing)
    else:
        warnings.append(
            f"{pool_id} is liquid staking: the lockup receives its tokens, and unstaking from it follows that "
            "contract's own delay."
        )
    warnings += await gas_warning(chain, ctx.owner, calls)
    if ctx.is_venear and ctx.locked_total > 0:
        warnings.append(
            "NEAR locked for veNEAR can be staked too: it stays locked for veNEAR while it earns rewards, and the "
            "lockup counts the deposit as its own balance."
        )
    elif ctx.locked_total > 0:
        warnings.append(
            "Locked tokens can be staked; they stay locked, and so does what comes back when you unstake and withdraw "
            "(until the lockup releases it). Rewards are yours once counted (refresh_staking_pool_balance)."
        )
    methods = " → ".join(call.method_name for call in calls)
    summary = (
        f"Stake {format_near(amount)} from the lockup {lockup_id} with {pool_id} ({methods}), signed by {ctx.owner}."
    )
    return build_action(
        chain, "stake", ctx.owner, pool_id, amount, summary, owner_transactions(ctx, calls), warnings,
        mynearwallet_staking_url(pool_id, chain.network, "stake"), via="lockup", lockup_id=lockup_id,
    )


# --- unstake ----------------------------------------------------------------------------------------------------


async def plan_lockup_unstake(
    chain: Chain, account_text: str, pool_id: str, amount_text: str, lockup_text: str | None = None
) -> ActionResult:
    pool_id = parse_account(pool_id)
    unstake_all = amount_text.strip().lower() == "all"
    amount = None if unstake_all else parse_amount(amount_text)
    chain = chain.at_final()
    ctx = await lockup_context(chain, account_text, lockup_text)
    require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    require_no_termination(ctx, "unstaking")
    balance = await _selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    if balance.staked_yocto == 0:
        raise ActionRefused(f"The lockup {lockup_id} has nothing staked in {pool_id}, so there is nothing to unstake.")
    warnings = unstake_checks(
        f"The lockup {lockup_id}", pool_id, amount,
        staked=balance.staked_yocto, unstaked=balance.unstaked_yocto, can_withdraw=balance.can_withdraw,
        withdraw_first=f"withdraw first (`withdraw {ctx.owner} {pool_id} all --from-lockup{lockup_flag(ctx)}`).",
    )
    warnings.append(
        f"Unstaked NEAR stops earning rewards. After {NUM_EPOCHS_TO_UNLOCK} epochs withdraw it to the lockup with "
        f"`withdraw {ctx.owner} {pool_id} all --from-lockup{lockup_flag(ctx)}`."
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
    withdraw_all = amount_text is None or amount_text.strip().lower() == "all"
    amount = None if withdraw_all else parse_amount(amount_text)  # type: ignore[arg-type]
    chain = chain.at_final()
    ctx = await lockup_context(chain, account_text, lockup_text)
    require_idle(ctx)
    # core-contracts lockup/src/owner.rs: unstake, unstake_all and the withdraws assert no termination.
    require_no_termination(ctx, "withdrawals")
    balance = await _selected_pool(ctx, chain, pool_id)
    lockup_id = ctx.lockup_id
    if balance.unstaked_yocto == 0:
        raise ActionRefused(
            f"The lockup {lockup_id} has no unstaked balance in {pool_id}; unstake first "
            f"(`unstake {ctx.owner} {pool_id} all --from-lockup{lockup_flag(ctx)}`), then wait {NUM_EPOCHS_TO_UNLOCK} epochs."
        )
    if not balance.can_withdraw:
        raise ActionRefused(await _not_yet_text(chain, lockup_id, pool_id))
    if amount is not None and amount > balance.unstaked_yocto:
        raise ActionRefused(
            f"Only {format_near(balance.unstaked_yocto, 24)} is unstaked in {pool_id} for the lockup. Use \"all\" to "
            "withdraw it exactly."
        )
    calls = [lockup_withdraw(amount, ctx.deposit), lockup_refresh_staking_pool_balance(ctx.deposit)]
    shown = balance.unstaked_yocto if amount is None else amount
    warnings = [] if balance.unstaked_yocto > DUST_YOCTO else [
        f"Only {balance.unstaked_yocto} yoctoNEAR is there: share-rounding dust worth far less than the fee to "
        "withdraw it."
    ]
    warnings += [
        "The NEAR comes back to the lockup account, not to your own: refresh_staking_pool_balance then brings the "
        f"lockup's record in line with the pool (rewards included). Move what is unlocked with `transfer {ctx.owner} "
        f"<amount>{lockup_flag(ctx)}`."
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


__all__ = [
    "lockup_offer",
    "plan_lockup_stake",
    "plan_lockup_unstake",
    "plan_lockup_withdraw",
    "whitelist_status",
]
