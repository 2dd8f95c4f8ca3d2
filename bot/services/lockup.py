""""How much of my lockup can I actually move?": a lockup's locked, owner's and transferable balances, and what the
owner must do to move more.

Reads, all pinned to one final block (near-staking.md §4): round trip 1 the block (its timestamp is "now");
round trip 2 `view_account` of the lockup (balance and code hash → version, §4.2), `view_state` of key `STATE`
(§4.7) and, for answers about now, the contract's own `get_locked_amount` / `get_owners_balance` /
`get_liquid_owners_balance`; round trip 3 the selected pool's `get_account` for the lockup. The balances are computed
with `bot.near.lockup` (the formulas of §4.5) and compared with the contract's own views: a disagreement is reported,
never hidden.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bot.near import errors
from bot.near.account_id import AccountIdError, is_lockup_account_id, lockup_account_id
from bot.near.lockup import (
    STATE_KEY,
    TRANSFERS_STARTED,
    U64_MAX,
    LockupBalances,
    LockupMathError,
    LockupState,
    LockupStateError,
    LockupVersion,
    Terminating,
    TransfersDisabled,
    VestingHash,
    VestingSchedule,
    compute_lockup,
    decode_lockup_state,
    lockup_version,
    milestones,
    unlock_forecast,
    with_transfers_enabled,
)
from bot.near.models import AccountView
from bot.near.units import format_near
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.results import (
    LockupAction,
    LockupBalancesView,
    LockupMilestone,
    LockupPoolBalance,
    LockupResult,
    LockupSchedulePoint,
    LockupSummary,
)

log = logging.getLogger(__name__)

NS_PER_SECOND = 1_000_000_000
USAGE = "lockup <account_id> [--at <ISO-8601 time>]"
AT_FORMAT_HELP = (
    "Type a date like 2027-01-01 (midnight UTC) or a date and time like 2027-01-01T12:00:00Z or "
    "2027-01-01T12:00:00+02:00 (times without an offset are UTC)."
)
# Gas of the owner methods (near-staking.md §4.4, CC lockup/src/gas.rs).
GAS_TGAS = {
    "check_transfers_vote": 75,
    "refresh_staking_pool_balance": 75,
    "unstake_all": 125,
    "withdraw_all_from_staking_pool": 175,
    "select_staking_pool": 75,
    "unselect_staking_pool": 25,
    "deposit_and_stake": 125,
    "transfer": 50,
    "add_full_access_key": 50,
}
NUM_EPOCHS_TO_UNLOCK = 4  # staking-pool unstake delay (near-staking.md §2.4)


class NoLockup(errors.NearError):
    """The owner has no lockup: the derived lockup account does not exist."""

    kind = "no_lockup"
    bad_input = True

    def __init__(self, account_id: str, lockup_id: str, network: str) -> None:
        if account_id == lockup_id:
            text = f"The lockup account {lockup_id} does not exist on {network}."
        else:
            text = (
                f"{account_id} has no lockup on {network}: its lockup account would be {lockup_id}, and that "
                "account does not exist."
            )
        super().__init__(text)
        self.account_id = account_id
        self.lockup_id = lockup_id


class NotALockup(errors.NearError):
    """The account exists but does not hold a lockup contract."""

    kind = "not_a_lockup"
    bad_input = True

    def __init__(self, account_id: str, why: str) -> None:
        super().__init__(f"{account_id} is not a lockup contract: {why}")
        self.account_id = account_id


class LockupStateUnreadable(errors.NearError):
    """A known lockup code whose STATE cannot be decoded, or a state the contract itself could not compute."""

    kind = "lockup_state_unreadable"

    def __init__(self, account_id: str, why: str) -> None:
        super().__init__(f"The lockup {account_id} could not be read: {why}")
        self.account_id = account_id


# --- input ------------------------------------------------------------------------------------------------------

_AT_PATTERN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?)?"
)


def parse_at_time(text: str) -> int:
    """An ISO-8601 date or date-time typed by a person → Unix seconds (floored). Naive times are UTC."""
    raw = text.strip()
    match = _AT_PATTERN.fullmatch(raw)
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    if match is None:
        raise errors.InvalidInput(f'Could not read the time "{shown}". {AT_FORMAT_HELP}')
    time_part = (match["time"] or "00:00:00").split(".")[0]  # sub-second precision is dropped
    offset = match["offset"] or "Z"
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{time_part}")
        if offset not in ("Z", "z"):
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ValueError("offset out of range")
            moment = moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
        else:
            moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise errors.InvalidInput(f'"{shown}" is not a real date or time. {AT_FORMAT_HELP}') from None
    unix = int(moment.timestamp())
    if unix < 0 or unix * NS_PER_SECOND > U64_MAX:
        raise errors.InvalidInput(
            f'"{shown}" is outside the range a lockup can express (1970-01-01 to 2554-07-21 UTC). {AT_FORMAT_HELP}'
        )
    return unix


def parse_lockup_args(args: Sequence[str]) -> tuple[str, int | None]:
    """`<account_id> [--at <time>]` (also `--at=<time>`, in any order) → (account text, at_unix or None)."""
    account: str | None = None
    at: int | None = None
    seen_at = False
    words = list(args)
    index = 0
    while index < len(words):
        word = words[index]
        value: str | None = None
        if word.lower() == "--at":
            if index + 1 >= len(words):
                raise errors.InvalidInput(f"--at needs a time after it. {AT_FORMAT_HELP} Usage: {USAGE}")
            value = words[index + 1]
            index += 2
        elif word.lower().startswith("--at="):
            value = word[5:]
            index += 1
        elif word.startswith("--"):
            raise errors.InvalidInput(f'Unknown option "{word[:40]}". Usage: {USAGE}')
        else:
            if account is not None:
                raise errors.InvalidInput(f"Name one account. Usage: {USAGE}")
            account = word
            index += 1
            continue
        if seen_at:
            raise errors.InvalidInput(f"Give --at only once. Usage: {USAGE}")
        seen_at = True
        at = parse_at_time(value)
    if account is None:
        raise errors.InvalidInput(f"Name the lockup owner or the lockup account. Usage: {USAGE}")
    return account, at


def resolve_lockup_ids(text: str, network: str) -> tuple[str | None, str]:
    """(owner id or None, lockup id): a lockup id is used as given, any other id is an owner to derive from."""
    account_id = parse_account(text)
    if is_lockup_account_id(account_id, network):
        return None, account_id
    try:
        return account_id, lockup_account_id(account_id, network)
    except AccountIdError as exc:
        raise errors.InvalidInput(str(exc)) from exc


# --- reads ------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LockupRead:
    owner_given: str | None
    lockup_id: str
    block_height: int
    now_ns: int
    account: AccountView
    state: LockupState
    version: LockupVersion
    views: dict[str, int] | None = None
    views_error: str | None = None


def _ceil_seconds(ns: int) -> int:
    return -(-ns // NS_PER_SECOND)


async def _contract_views(chain: Chain, lockup_id: str, height: int) -> dict[str, int]:
    methods = {
        "locked": "get_locked_amount",
        "owners": "get_owners_balance",
        "liquid": "get_liquid_owners_balance",
    }
    values = await asyncio.gather(
        *(chain.rpc.view_function(lockup_id, m, {}, block_id=height) for m in methods.values())
    )
    out: dict[str, int] = {}
    for (name, method), value in zip(methods.items(), values, strict=True):
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise errors.MalformedResponse(f"{lockup_id}.{method} returned {str(value)[:40]!r}, not a yocto string.")
        out[name] = int(value)
    return out


async def _read_lockup(chain: Chain, account_text: str, *, with_views: bool) -> LockupRead:
    owner_given, lockup_id = resolve_lockup_ids(account_text, chain.network)
    block = await chain.rpc.block(finality="final")
    height, now_ns = block.header.height, block.header.timestamp
    account_read, state_read, views_read = await asyncio.gather(
        chain.rpc.view_account(lockup_id, block_id=height),
        chain.rpc.view_state(lockup_id, STATE_KEY, block_id=height),
        _contract_views(chain, lockup_id, height) if with_views else _nothing(),
        return_exceptions=True,
    )
    if isinstance(account_read, errors.AccountNotFound):
        raise NoLockup(owner_given or lockup_id, lockup_id, chain.network) from account_read
    if isinstance(account_read, BaseException):
        raise account_read
    account: AccountView = account_read
    version = lockup_version(account.code_hash)
    if not account.has_contract:
        raise NotALockup(lockup_id, "it has no contract deployed.")
    if isinstance(state_read, errors.StateTooLarge):
        raise NotALockup(lockup_id, "its storage is far larger than a lockup contract's.") from state_read
    if isinstance(state_read, BaseException):
        raise state_read
    raw = next((item.value_bytes for item in state_read.values if item.key_bytes == STATE_KEY), None)
    try:
        if raw is None:
            raise LockupStateError("the contract has no STATE entry")
        state = decode_lockup_state(raw)
    except LockupStateError as exc:
        if version.known:
            raise LockupStateUnreadable(lockup_id, f"its STATE does not decode ({exc}).") from exc
        raise NotALockup(
            lockup_id, f"its code (hash {account.code_hash}) is not a known lockup version and its storage is not a "
            f"lockup's ({exc})."
        ) from exc
    views: dict[str, int] | None = None
    views_error: str | None = None
    if isinstance(views_read, errors.NearError):
        views_error = views_read.message
    elif isinstance(views_read, BaseException):
        raise views_read
    elif isinstance(views_read, dict):
        views = views_read
    return LockupRead(owner_given, lockup_id, height, now_ns, account, state, version, views, views_error)


async def _nothing() -> None:
    return None


async def _read_pool(chain: Chain, pool_id: str, lockup_id: str, height: int) -> LockupPoolBalance:
    data: Any = await chain.rpc.view_function(pool_id, "get_account", {"account_id": lockup_id}, block_id=height)
    if not isinstance(data, dict) or not isinstance(data.get("can_withdraw"), bool):
        raise errors.MalformedResponse(f"{pool_id}.get_account returned an unexpected shape.")
    amounts = []
    for name in ("staked_balance", "unstaked_balance"):
        value = data.get(name)
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise errors.MalformedResponse(f"{pool_id}.get_account returned {name} in an unexpected form.")
        amounts.append(int(value))
    staked, unstaked = amounts
    return LockupPoolBalance(
        pool_id=pool_id,
        staked_yocto=staked,
        unstaked_yocto=unstaked,
        total_yocto=staked + unstaked,
        can_withdraw=data["can_withdraw"],
    )


# --- the answer -------------------------------------------------------------------------------------------------


def _compute(read: LockupRead, state: LockupState, at_ns: int) -> LockupBalances:
    try:
        return compute_lockup(state, read.version, read.account.amount, at_ns)
    except LockupMathError as exc:
        raise LockupStateUnreadable(read.lockup_id, str(exc)) from exc


def _utc(ns: int) -> str:
    return datetime.fromtimestamp(ns // NS_PER_SECOND, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _vesting_kind(state: LockupState) -> str:
    vesting = state.vesting_information
    if isinstance(vesting, VestingSchedule):
        return "schedule"
    if isinstance(vesting, VestingHash):
        return "hash"
    if isinstance(vesting, Terminating):
        return "terminated"
    return "none"


def _view_model(balances: LockupBalances) -> LockupBalancesView:
    return LockupBalancesView(
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=balances.liquid_owners_balance,
    )


def _action(action: str, text: str, method: str | None = None) -> LockupAction:
    return LockupAction(action=action, text=text, method=method, gas_tgas=GAS_TGAS.get(method or ""))


def _actions(
    read: LockupRead,
    owner: str,
    balances: LockupBalances,
    what_if: LockupBalances | None,
    pool: LockupPoolBalance | None,
    projected: bool = False,
) -> list[LockupAction]:
    state, version, lockup_id = read.state, read.version, read.lockup_id
    actions: list[LockupAction] = []
    transfers = state.lockup_information.transfers_information
    if isinstance(transfers, TransfersDisabled) and what_if is not None:
        actions.append(
            _action(
                "check_transfers_vote",
                f"Transfers are still disabled in this lockup (it waits for the vote on "
                f"{transfers.transfer_poll_account_id}), so the contract counts the whole "
                f"{format_near(balances.lockup_amount)} as locked and nothing can be moved. The vote passed on "
                f"{_utc(TRANSFERS_STARTED)}: {owner} calls check_transfers_vote on {lockup_id} once "
                f"({GAS_TGAS['check_transfers_vote']} TGas, no deposit). After that the contract would report "
                f"locked {format_near(what_if.locked)}, owner's balance {format_near(what_if.owners_balance)} and "
                f"{format_near(what_if.liquid_owners_balance)} transferable.",
                "check_transfers_vote",
            )
        )
    if isinstance(state.vesting_information, Terminating):
        term = state.vesting_information
        actions.append(
            _action(
                "termination_in_progress",
                f"The foundation terminated this lockup's vesting (status {term.status.name}): "
                f"{format_near(term.unvested_amount)} unvested stays locked until the foundation withdraws it. "
                "Transfers and staking calls are refused while the termination is in progress; nothing for the owner "
                "to do but wait.",
            )
        )
    if balances.staking_busy:
        actions.append(
            _action(
                "wait_for_staking_call",
                "A staking-pool call of this lockup is still in progress (status Busy); any other lockup call fails "
                "with \"Contract is currently busy with another operation\" until it finishes.",
            )
        )
    pool_id = state.staking_pool_account_id
    if pool_id is not None and pool is not None and pool.total_yocto != balances.known_deposited:
        diff = pool.total_yocto - balances.known_deposited
        if diff > 0:
            why = (
                f"The difference, {format_near(diff)} of rewards, is not part of the owner's balance until {owner} "
                f"calls refresh_staking_pool_balance on {lockup_id} ({GAS_TGAS['refresh_staking_pool_balance']} "
                "TGas)."
            )
        else:
            why = (
                f"The pool holds {format_near(-diff)} less than the lockup counts; refresh_staking_pool_balance "
                f"({GAS_TGAS['refresh_staking_pool_balance']} TGas) brings the lockup's record in line."
            )
        actions.append(
            _action(
                "refresh_staking_pool_balance",
                f"{pool_id} holds {format_near(pool.total_yocto)} for this lockup, but the lockup still counts "
                f"{format_near(balances.known_deposited)} (its record as of the last deposit, withdrawal or refresh). "
                + why,
                "refresh_staking_pool_balance",
            )
        )
    in_pool = pool.total_yocto if pool is not None else balances.known_deposited
    if pool_id is not None and in_pool > 0:
        where = ""
        if pool is not None and pool.unstaked_yocto > 100:
            where = (
                f" Of it, {format_near(pool.unstaked_yocto)} is already unstaked and "
                + ("withdrawable now." if pool.can_withdraw else "still in its unstaking wait.")
            )
        actions.append(
            _action(
                "withdraw_from_staking_pool",
                f"{format_near(in_pool)} is delegated to {pool_id} and cannot be transferred from there.{where} To "
                f"move it: {owner} calls unstake_all on the lockup ({GAS_TGAS['unstake_all']} TGas), waits "
                f"{NUM_EPOCHS_TO_UNLOCK} epochs (the rest of the current epoch plus 3 more; `unbonding {lockup_id}` "
                f"shows the exact epoch), then calls withdraw_all_from_staking_pool "
                f"({GAS_TGAS['withdraw_all_from_staking_pool']} TGas) to bring it back to the lockup account. Only "
                "then does it count toward the transferable balance.",
                "withdraw_all_from_staking_pool",
            )
        )
    whitelist = state.staking_pool_whitelist_account_id
    if pool_id is not None:
        actions.append(
            _action(
                "one_pool_at_a_time",
                f"A lockup delegates to one pool at a time (now {pool_id}). To switch: withdraw everything from it, "
                f"call unselect_staking_pool ({GAS_TGAS['unselect_staking_pool']} TGas), then select_staking_pool "
                f"({GAS_TGAS['select_staking_pool']} TGas) with the new pool. Only pools whitelisted by {whitelist} "
                "are accepted (ask its is_whitelisted view first).",
            )
        )
    else:
        actions.append(
            _action(
                "one_pool_at_a_time",
                f"To stake lockup tokens, {owner} calls select_staking_pool ({GAS_TGAS['select_staking_pool']} TGas) "
                f"with a pool whitelisted by {whitelist} (ask its is_whitelisted view first), then deposit_and_stake "
                f"({GAS_TGAS['deposit_and_stake']} TGas). A lockup delegates to one pool at a time.",
            )
        )
    actions.append(
        _action(
            "storage_minimum",
            f"The lockup account always keeps {format_near(version.min_balance_for_storage)} for storage "
            f"({version.label} code: 35 NEAR before v3.1.0, 3.5 NEAR from v3.1.0), so that part is never "
            "transferable while the lockup exists.",
        )
    )
    can_transfer = (
        balances.transfers_enabled
        and balances.termination_status is None
        and not balances.staking_busy
        and balances.liquid_owners_balance > 0
    )
    if can_transfer:
        actions.append(
            _action(
                "transfer",
                f"Up to {format_near(balances.liquid_owners_balance)} "
                f"{'could be moved at that time' if projected else 'can be moved'}: {owner} calls transfer on "
                f'{lockup_id} with {{"amount": "<yoctoNEAR>", "receiver_id": "<account>"}} '
                f"({GAS_TGAS['transfer']} TGas; the amount is a whole number of yoctoNEAR as a string).",
                "transfer",
            )
        )
    if balances.transfers_enabled and balances.locked == 0 and balances.termination_status is None:
        actions.append(
            _action(
                "add_full_access_key",
                f"Nothing is locked any more: {owner} may take over the lockup account with add_full_access_key "
                f"({GAS_TGAS['add_full_access_key']} TGas, needs the staking pool idle), or keep using transfer.",
                "add_full_access_key",
            )
        )
    return actions


def _notes(read: LockupRead, balances: LockupBalances, at_ns: int, projected: bool, network: str) -> list[str]:
    state, version = read.state, read.version
    notes: list[str] = []
    if read.owner_given is not None and read.owner_given != state.owner_account_id:
        notes.append(
            f"The lockup's stored owner is {state.owner_account_id}, not {read.owner_given}: only "
            f"{state.owner_account_id} can call its owner methods."
        )
    if not version.known:
        notes.append(
            f"Unrecognised lockup code hash {version.code_hash}: the balances are computed with the current "
            "contract's rules (3.5 NEAR storage minimum, no release bug); compare with the contract's own views."
        )
    if version.has_release_start_bug and state.lockup_information.release_duration:
        fixed = dataclasses.replace(version, has_release_start_bug=False)
        effective = with_transfers_enabled(state)
        try:
            buggy = compute_lockup(effective, version, read.account.amount, at_ns)
            correct = compute_lockup(effective, fixed, read.account.amount, at_ns)
        except LockupMathError:
            buggy = correct = None
        matters = (
            buggy is not None
            and correct is not None
            and buggy.release_end_ns is not None
            and correct.release_end_ns is not None
            and buggy.release_end_ns != correct.release_end_ns
            and (buggy.locked != correct.locked or max(buggy.release_end_ns, correct.release_end_ns) > at_ns)
        )
        if matters:
            assert buggy is not None and correct is not None
            assert buggy.release_end_ns is not None and correct.release_end_ns is not None
            notes.append(
                f"This lockup runs {version.label} code, which has the release-start bug: the contract ends the "
                f"release at transfers start + release duration ({_utc(buggy.release_end_ns)}) instead of lockup "
                f"start + release duration ({_utc(correct.release_end_ns)}). The numbers shown are what the contract "
                f"enforces; without the bug {format_near(correct.locked)} would be locked at this time."
            )
    if isinstance(state.vesting_information, VestingHash):
        notes.append(
            "The vesting schedule is private (only its hash is stored): the contract ignores it when computing the "
            "locked amount, but the foundation can still terminate unvested tokens by revealing it."
        )
    if projected:
        notes.append(
            f"Projected for {_utc(at_ns)} from the state at block {read.block_height}: assumes no new transactions "
            "(no deposits, withdrawals, refreshes, transfers or votes) until then."
        )
        if at_ns < read.now_ns:
            notes.append(
                "That time is in the past: this applies today's lockup state to it, which is not necessarily what "
                "the contract reported back then."
            )
    if not state.transfers_enabled and network != "mainnet":
        notes.append(
            "The what-if after check_transfers_vote uses mainnet's transfers start; the vote time on this network "
            "is not known to the bot."
        )
    return notes


async def get_lockup(
    chain: Chain, account_id: str, at_unix: int | None = None, *, at_ns: int | None = None
) -> LockupResult:
    """The lockup of `account_id` (an owner id, or a lockup id `<40 hex>.lockup.near`), now or projected to
    `at_unix` (Unix seconds; `at_ns` for nanosecond precision) assuming no new transactions."""
    if at_unix is not None and at_ns is not None:
        raise ValueError("give at_unix or at_ns, not both")
    if at_unix is not None:
        at_ns = at_unix * NS_PER_SECOND
    projected = at_ns is not None
    if at_ns is not None and not 0 <= at_ns <= U64_MAX:
        raise errors.InvalidInput(f"That time is outside the range a lockup can express. {AT_FORMAT_HELP}")
    read = await _read_lockup(chain, account_id, with_views=not projected)
    state, version = read.state, read.version
    owner = state.owner_account_id
    when_ns = read.now_ns if at_ns is None else at_ns
    balances = _compute(read, state, when_ns)
    what_if = None
    if not state.transfers_enabled:
        what_if = _compute(read, with_transfers_enabled(state), when_ns)

    pool: LockupPoolBalance | None = None
    notes = _notes(read, balances, when_ns, projected, chain.network)
    pool_id = state.staking_pool_account_id
    if pool_id is not None:
        try:
            pool = await _read_pool(chain, pool_id, read.lockup_id, read.block_height)
        except errors.NearError as exc:
            notes.append(f"The pool {pool_id} could not be read for this lockup ({exc.message}).")

    contract_views: LockupBalancesView | None = None
    disagreement: str | None = None
    if read.views is not None:
        contract_views = LockupBalancesView(
            locked_yocto=read.views["locked"],
            owners_balance_yocto=read.views["owners"],
            liquid_owners_balance_yocto=read.views["liquid"],
        )
        mine = {"locked": balances.locked, "owners": balances.owners_balance, "liquid": balances.liquid_owners_balance}
        differing = [name for name in mine if mine[name] != read.views[name]]
        if differing:
            labels = {"locked": "locked", "owners": "owner's balance", "liquid": "transferable"}
            parts = ", ".join(
                f"{labels[name]} {mine[name]} (computed) vs {read.views[name]} (contract)" for name in differing
            )
            disagreement = (
                f"The contract's own views disagree with the computed balances at block {read.block_height}: "
                f"{parts} (yoctoNEAR). The contract enforces its own numbers; the computed ones assume code "
                f"{version.label}. Both are shown."
            )
            log.warning("lockup %s: %s", read.lockup_id, disagreement)
    elif read.views_error is not None and not projected:
        notes.append(f"The contract's own balance views could not be read ({read.views_error}).")
    elif projected:
        notes.append("The contract's own views answer only for now, so a projection is not cross-checked.")

    forecast = unlock_forecast(state, version)
    if forecast.unlocked_at_ns is None and forecast.reason:
        notes.append(f"No full-unlock date: {forecast.reason}.")
    upcoming = [
        LockupMilestone(
            name=m.name.value,
            unix=_ceil_seconds(m.timestamp_ns),
            locked_after_yocto=m.locked_after,
            assumes_transfers_vote=m.assumes_transfers_vote,
        )
        for m in milestones(state, version)
        if m.timestamp_ns > when_ns
    ]
    terminated = state.vesting_information
    schedule, schedule_assumes_vote = _schedule(read, when_ns, forecast.unlocked_at_ns)
    return LockupResult(
        owner_id=owner,
        lockup_id=read.lockup_id,
        code_hash=read.account.code_hash,
        version=version.label,
        version_known=version.known,
        at_unix=when_ns // NS_PER_SECOND,
        projected=projected,
        block_height=read.block_height,
        lockup_amount_yocto=balances.lockup_amount,
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=balances.liquid_owners_balance,
        account_balance_yocto=balances.account_balance,
        staking_pool_id=pool_id,
        known_deposited_yocto=balances.known_deposited,
        transfers_enabled=balances.transfers_enabled,
        fully_unlocked_unix=None if forecast.unlocked_at_ns is None else _ceil_seconds(forecast.unlocked_at_ns),
        unlock_assumes_transfers_vote=forecast.assumes_transfers_vote,
        unreleased_yocto=balances.unreleased,
        unvested_yocto=balances.unvested,
        termination_withdrawn_yocto=balances.termination_withdrawn_tokens,
        termination_status=terminated.status.name if isinstance(terminated, Terminating) else None,
        terminated_unvested_yocto=balances.terminated_unvested_balance,
        vesting=_vesting_kind(state),
        min_balance_for_storage_yocto=balances.min_balance_for_storage,
        release_start_bug=version.has_release_start_bug,
        lockup_start_unix=None if balances.lockup_start_ns is None else _ceil_seconds(balances.lockup_start_ns),
        release_end_unix=None if balances.release_end_ns is None else _ceil_seconds(balances.release_end_ns),
        pool=pool,
        after_transfers_vote=None if what_if is None else _view_model(what_if),
        milestones=upcoming,
        actions=_actions(read, owner, balances, what_if, pool, projected),
        contract_views=contract_views,
        disagreement=disagreement,
        notes=notes,
        schedule=schedule,
        schedule_assumes_transfers_vote=schedule_assumes_vote,
    )


SCHEDULE_POINTS = 60
TWO_YEARS_NS = 2 * 365 * 86_400 * NS_PER_SECOND


def _schedule(read: LockupRead, when_ns: int, unlocked_at_ns: int | None) -> tuple[list[LockupSchedulePoint], bool]:
    """Locked and transferable balances over time (no new transactions assumed), for the release chart.

    While transfers are disabled nothing is released, so the schedule shown is the one after check_transfers_vote.
    """
    state = read.state
    assumes_vote = not state.transfers_enabled
    if assumes_vote:
        state = with_transfers_enabled(state)
    try:
        start_ns = _compute(read, state, when_ns).lockup_start_ns
    except LockupMathError:
        return [], assumes_vote
    begin = min(when_ns, start_ns) if start_ns is not None else when_ns
    end = max(when_ns, unlocked_at_ns or 0) if unlocked_at_ns else when_ns + TWO_YEARS_NS
    end = max(end, begin + 1)
    moments = {begin + (end - begin) * i // SCHEDULE_POINTS for i in range(SCHEDULE_POINTS + 1)}
    moments.add(when_ns)
    for milestone in milestones(state, read.version):
        if begin < milestone.timestamp_ns <= end:  # both sides of a milestone, so a cliff is drawn as a step
            moments.update((milestone.timestamp_ns - 1, milestone.timestamp_ns))
    points = []
    for moment in sorted(moments):
        try:
            balances = _compute(read, state, moment)
        except LockupMathError:
            return [], assumes_vote
        points.append(
            LockupSchedulePoint(
                unix=moment // NS_PER_SECOND,
                locked_yocto=balances.locked,
                liquid_owners_balance_yocto=balances.liquid_owners_balance,
            )
        )
    return points, assumes_vote


async def lockup_summary(chain: Chain, owner_id: str) -> LockupSummary | None:
    """The lockup part of `status`: None when the owner's derived lockup account does not exist.

    Other failures (the account is not a lockup, the chain cannot be reached) propagate as typed errors.
    """
    try:
        read = await _read_lockup(chain, owner_id, with_views=False)
    except NoLockup:
        return None
    balances = _compute(read, read.state, read.now_ns)
    return LockupSummary(
        lockup_id=read.lockup_id,
        locked_yocto=balances.locked,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=balances.liquid_owners_balance,
        transfers_enabled=balances.transfers_enabled,
        staking_pool_id=read.state.staking_pool_account_id,
    )
