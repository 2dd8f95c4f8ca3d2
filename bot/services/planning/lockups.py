"""What every planner of a lockup call shares (stake, unstake, withdraw, transfer, veNEAR): the lockup at one block
with its owner and balances, the checks the lockup contract makes before any call, and the owner's transactions.

Facts: near-staking.md §4.4 (owner methods: all non-payable, the amount in the args; gas; deposits need account
balance − storage minimum ≥ amount; Busy while a pool call's callback is pending), §4.1 (the whitelist contract,
`is_whitelisted({"staking_pool_account_id"})`), wallet-links.md §6.2 (one call at a time per lockup, so each is its own
transaction). House of Stake lockups: houseofstake lockup-contract owner.rs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.near import errors
from bot.near.account_id import is_lockup_account_id
from bot.near.lockup import LockupBalances, LockupState
from bot.near.lockup_state import TerminationStatus
from bot.near.transactions import FunctionCall, UnsignedTransaction
from bot.near.units import format_near
from bot.near.venear import ONE_YOCTO, VenearBalances
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.lockup.computing import compute_foundation
from bot.services.lockup.finding import read_lockup, read_named_lockup
from bot.services.lockup.reading import AnyLockupRead, LockupRead, VenearRead, read_pool
from bot.services.lockup.venear import venear_balances
from bot.services.planning.amounts import GAS_RESERVE_YOCTO, spendable_of
from bot.services.planning.building import ActionRefused
from bot.services.results import LockupPoolBalance

MIN_GAS_PRICE = 10**8  # yocto per gas: the protocol's minimum gas price (a 125 TGas call reserves ~0.0125 NEAR)
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
    def termination_status(self) -> TerminationStatus | None:
        balances = self.balances
        return balances.termination_status if isinstance(balances, LockupBalances) else None

    @property
    def locked_total(self) -> int:
        b = self.balances
        return b.locked + b.pending if isinstance(b, VenearBalances) else b.locked

    @property
    def stakeable(self) -> int:
        """What a deposit to the pool may take: the lockup's balance above its storage minimum."""
        return max(0, self.read.account.amount - self.min_storage)

    @property
    def flag(self) -> str:
        """The `--lockup <id>` a follow-up command needs (none for the owner's derived `.lockup.near`)."""
        return "" if is_lockup_account_id(self.lockup_id) and not self.is_venear else f" --lockup {self.lockup_id}"


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
    return LockupContext(read, owner, compute_foundation(read, read.state, read.now_ns))


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


async def pool_balance(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    return await read_pool(chain, pool_id, ctx.lockup_id, ctx.read.block_height)


async def selected_pool(ctx: LockupContext, chain: Chain, pool_id: str) -> LockupPoolBalance:
    """The lockup's delegation in `pool_id`, refused unless it is the lockup's selected pool."""
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
    if spendable_of(account) + GAS_RESERVE_YOCTO < needed:  # spendable_of keeps the reserve back; gas may use it
        return [
            f"{owner} pays the gas ({len(calls)} transaction(s), up to {format_near(needed)} at the minimum gas price) "
            f"from its own balance, which is only {format_near(account.amount)}: top it up first."
        ]
    return []


def owner_transactions(ctx: LockupContext, calls: list[FunctionCall]) -> list[UnsignedTransaction]:
    return [UnsignedTransaction(ctx.owner, ctx.lockup_id, (call,)) for call in calls]


async def contract_liquid(chain: Chain, ctx: LockupContext) -> int | None:
    """The lockup's own `get_liquid_owners_balance` at the answer's block; None when it cannot be read."""
    try:
        raw = await chain.rpc.view_function(ctx.lockup_id, "get_liquid_owners_balance", {}, block_id=ctx.read.block_height)
    except errors.NearError:
        return None
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None


def storage_text(ctx: LockupContext) -> str:
    if isinstance(ctx.read, VenearRead):
        return f"the {format_near(ctx.min_storage)} storage deposit it keeps (its min_lockup_deposit)"
    version = ctx.read.version
    return (
        f"the {format_near(version.min_balance_for_storage)} storage minimum of its {version.label} code (35 NEAR "
        "before v3.1.0, 3.5 NEAR from v3.1.0)"
    )
