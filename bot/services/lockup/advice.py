"""What a foundation-family lockup's owner can or must do, in plain sentences (the `actions` and `notes` of a
`lockup` answer). Facts: near-staking.md §4.4 (owner methods, gas), §4.2 (versions), §4.6 (transfers vote)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

from bot.near.lockup import (
    TRANSFERS_STARTED,
    LockupBalances,
    LockupMathError,
    Terminating,
    TransfersDisabled,
    VestingHash,
    compute_lockup,
    with_transfers_enabled,
)
from bot.near.units import format_near
from bot.services.delegations import DUST_YOCTO
from bot.services.lockup.reading import LockupRead
from bot.services.offers import lockup_withdraw_offer, transfer_offer
from bot.services.results import LockupAction, LockupPoolBalance, PreparedAction

NS_PER_SECOND = 1_000_000_000
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


def utc_ns_text(ns: int) -> str:
    return datetime.fromtimestamp(ns // NS_PER_SECOND, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def lockup_action(
    action: str, text: str, method: str | None = None, *, advice: str | None = None,
    prepared: PreparedAction | None = None,
) -> LockupAction:
    """`text` keeps the contract's words (methods, gas); `advice` says the same to a holder (None: `text` does)."""
    return LockupAction(action=action, text=text, method=method, gas_tgas=GAS_TGAS.get(method or ""), advice=advice,
                        prepared=prepared)


def unstaked_state(pool: LockupPoolBalance) -> str:
    """Whether the lockup's unstaked NEAR in its pool can come back now and, if not, until when: for a
    liquid-staking contract by its own rule, at the epoch it names (reading.read_liquid_pool)."""
    if pool.can_withdraw:
        return "withdrawable now."
    if pool.waiting_for == "epoch" and pool.available_epoch is not None:
        return f"still in its unstaking wait until epoch {pool.available_epoch}, the epoch {pool.pool_id} names for it."
    if pool.waiting_note:
        return f"not withdrawable yet. {pool.waiting_note}"
    return "still in its unstaking wait."


def unstake_wait(pool: LockupPoolBalance | None) -> tuple[str, str]:
    """(how many epochs a new unstake waits, a sentence on why, or ""): a staking pool's 4 epochs, or a liquid-staking
    contract's own rule (LiNEAR/Rhea 5 after this epoch's settlement, Meta Pool 4 or 8; liquid_readiness.py)."""
    if pool is None or pool.unstake_wait_epochs is None:
        return f"{NUM_EPOCHS_TO_UNLOCK} epochs", ""
    return f"{pool.unstake_wait_epochs} epochs by {pool.pool_id}'s own rule", f" {pool.unstake_wait_note or ''}".rstrip()


@dataclasses.dataclass(frozen=True)
class Situation:
    """What the advice about a foundation-family lockup is drawn from, at the answer's moment."""

    read: LockupRead
    owner: str
    balances: LockupBalances
    what_if: LockupBalances | None  # after check_transfers_vote, while transfers are disabled
    pool: LockupPoolBalance | None
    projected: bool
    network: str

    @property
    def lockup_id(self) -> str:
        return self.read.lockup_id

    @property
    def pool_id(self) -> str | None:
        return self.read.state.staking_pool_account_id


def _transfers_vote(s: Situation) -> LockupAction | None:
    transfers = s.read.state.lockup_information.transfers_information
    what_if = s.what_if
    if not isinstance(transfers, TransfersDisabled) or what_if is None:
        return None
    owner, lockup_amount = s.owner, format_near(s.balances.lockup_amount)
    return lockup_action(
        "check_transfers_vote",
        f"Transfers are still disabled in this lockup (it waits for the vote on "
        f"{transfers.transfer_poll_account_id}), so the contract counts the whole "
        f"{lockup_amount} as locked and nothing can be moved. The vote passed on "
        f"{utc_ns_text(TRANSFERS_STARTED)}: {owner} calls check_transfers_vote on {s.lockup_id} once "
        f"({GAS_TGAS['check_transfers_vote']} TGas, no deposit). After that the contract would report "
        f"locked {format_near(what_if.locked)}, owner's balance {format_near(what_if.owners_balance)} and "
        f"{format_near(what_if.liquid_owners_balance)} transferable.",
        "check_transfers_vote",
        advice=f"Transfers are still disabled in this lockup: it never recorded the vote that enabled them "
        f"(it passed on {utc_ns_text(TRANSFERS_STARTED)}), so it counts the whole "
        f"{lockup_amount} as locked and nothing can be moved. One call from you records "
        f"it; after that {format_near(what_if.locked)} would be locked and "
        f"{format_near(what_if.liquid_owners_balance)} could be moved.",
        prepared=None if s.projected or what_if.liquid_owners_balance <= DUST_YOCTO else transfer_offer(
            owner, s.lockup_id, what_if.liquid_owners_balance, s.network),
    )


def _termination(s: Situation) -> LockupAction | None:
    term = s.read.state.vesting_information
    if not isinstance(term, Terminating):
        return None
    return lockup_action(
        "termination_in_progress",
        f"The foundation terminated this lockup's vesting (status {term.status.name}): "
        f"{format_near(term.unvested_amount)} unvested stays locked until the foundation withdraws it. "
        "Transfers and staking calls are refused while the termination is in progress; nothing for the owner "
        "to do but wait.",
        advice=f"The foundation terminated this lockup's vesting: {format_near(term.unvested_amount)} unvested "
        "stays locked until the foundation takes it back. Moving and staking are refused until then; nothing "
        "for you to do but wait.",
    )


def _staking_busy(s: Situation) -> LockupAction | None:
    if not s.balances.staking_busy:
        return None
    return lockup_action(
        "wait_for_staking_call",
        "A staking-pool call of this lockup is still in progress (status Busy); any other lockup call fails "
        "with \"Contract is currently busy with another operation\" until it finishes.",
        advice="A staking call of this lockup is still running; every other call fails until it finishes. "
        "Try again in a minute.",
    )


def _refresh(s: Situation) -> LockupAction | None:
    pool, known = s.pool, s.balances.known_deposited
    if s.pool_id is None or pool is None or pool.total_yocto == known:
        return None
    diff = pool.total_yocto - known
    if diff > 0:
        why = (
            f"The difference, {format_near(diff)} of rewards, is not part of the owner's balance until {s.owner} "
            f"calls refresh_staking_pool_balance on {s.lockup_id} ({GAS_TGAS['refresh_staking_pool_balance']} "
            "TGas)."
        )
        plain_why = (
            f"The difference, {format_near(diff)} of rewards, is not yours to move until the lockup counts it: "
            "one call does that (moving NEAR out includes it when it lets more move)."
        )
    else:
        why = (
            f"The pool holds {format_near(-diff)} less than the lockup counts; refresh_staking_pool_balance "
            f"({GAS_TGAS['refresh_staking_pool_balance']} TGas) brings the lockup's record in line."
        )
        plain_why = f"The pool holds {format_near(-diff)} less than the lockup counts; one call brings it in line."
    counts = (f"{s.pool_id} holds {format_near(pool.total_yocto)} for this lockup, but the lockup still counts "
              f"{format_near(known)} (its record as of the last deposit, withdrawal or refresh). ")
    return lockup_action("refresh_staking_pool_balance", counts + why, "refresh_staking_pool_balance",
                         advice=counts + plain_why)


def _withdraw_from_pool(s: Situation) -> LockupAction | None:
    pool, pool_id = s.pool, s.pool_id
    in_pool = pool.total_yocto if pool is not None else s.balances.known_deposited
    if pool_id is None or in_pool <= 0:
        return None
    where = ""
    if pool is not None and pool.unstaked_yocto > 100:
        where = f" Of it, {format_near(pool.unstaked_yocto)} is already unstaked and {unstaked_state(pool)}"
    epochs, why = unstake_wait(pool)
    so_far = "the rest of the current epoch plus 3 more; " if pool is None or pool.unstake_wait_epochs is None else ""
    wait = f"waits {epochs} ({so_far}`unbonding {s.lockup_id}` shows the exact epoch)"
    ready = pool is not None and pool.unstaked_yocto > DUST_YOCTO and pool.can_withdraw and not s.projected
    return lockup_action(
        "withdraw_from_staking_pool",
        f"{format_near(in_pool)} is delegated to {pool_id} and cannot be transferred from there.{where} To "
        f"move it: {s.owner} calls unstake_all on the lockup ({GAS_TGAS['unstake_all']} TGas), {wait}, then "
        f"calls withdraw_all_from_staking_pool ({GAS_TGAS['withdraw_all_from_staking_pool']} TGas) to bring "
        f"it back to the lockup account. Only then does it count toward the transferable balance.{why}",
        "withdraw_all_from_staking_pool",
        advice=f"{format_near(in_pool)} is staked from the lockup in {pool_id} and cannot be moved from "
        f"there.{where} To move it: unstake it, {wait.replace('waits', 'wait')}, then bring it back to the "
        f"lockup. Only then does it count toward what you can move.{why}",
        prepared=lockup_withdraw_offer(s.owner, pool_id, s.lockup_id, pool.unstaked_yocto, s.network)
        if ready and pool is not None else None,
    )


def _one_pool_at_a_time(s: Situation) -> LockupAction:
    whitelist, pool_id = s.read.state.staking_pool_whitelist_account_id, s.pool_id
    if pool_id is not None:
        return lockup_action(
            "one_pool_at_a_time",
            f"A lockup delegates to one pool at a time (now {pool_id}). To switch: withdraw everything from it, "
            f"call unselect_staking_pool ({GAS_TGAS['unselect_staking_pool']} TGas), then select_staking_pool "
            f"({GAS_TGAS['select_staking_pool']} TGas) with the new pool. Only pools whitelisted by {whitelist} "
            "are accepted (ask its is_whitelisted view first).",
            advice=f"A lockup stakes with one pool at a time (now {pool_id}). To switch: bring everything back "
            f"from it, release it, then choose the new pool; only pools on {whitelist}'s list are accepted.",
        )
    return lockup_action(
        "one_pool_at_a_time",
        f"To stake lockup tokens, {s.owner} calls select_staking_pool ({GAS_TGAS['select_staking_pool']} TGas) "
        f"with a pool whitelisted by {whitelist} (ask its is_whitelisted view first), then deposit_and_stake "
        f"({GAS_TGAS['deposit_and_stake']} TGas). A lockup delegates to one pool at a time.",
        advice=f"To stake lockup tokens, choose a pool on {whitelist}'s list and stake: `stake {s.owner} <pool> "
        "<amount> --from-lockup` prepares it. A lockup stakes with one pool at a time.",
    )


def _storage_minimum(s: Situation) -> LockupAction:
    version = s.read.version
    return lockup_action(
        "storage_minimum",
        f"The lockup account always keeps {format_near(version.min_balance_for_storage)} for storage "
        f"({version.label} code: 35 NEAR before v3.1.0, 3.5 NEAR from v3.1.0), so that part is never "
        "transferable while the lockup exists.",
    )  # no method, gas or yocto in it: the text is the advice


def _transfer(s: Situation) -> LockupAction | None:
    b = s.balances
    if not b.transfers_enabled or b.termination_status is not None or b.staking_busy or b.liquid_owners_balance <= 0:
        return None
    return lockup_action(
        "transfer",
        f"Up to {format_near(b.liquid_owners_balance)} "
        f"{'could be moved at that time' if s.projected else 'can be moved'}: {s.owner} calls transfer on "
        f'{s.lockup_id} with {{"amount": "<yoctoNEAR>", "receiver_id": "<account>"}} '
        f"({GAS_TGAS['transfer']} TGas; the amount is a whole number of yoctoNEAR as a string).",
        "transfer",
        advice=f"Up to {format_near(b.liquid_owners_balance)} "
        f"{'could be moved to your wallet at that time' if s.projected else 'can be moved to your wallet now'}: "
        "unlocked NEAR stays in the lockup until you move it out.",
        prepared=None if s.projected else transfer_offer(s.owner, s.lockup_id, b.liquid_owners_balance, s.network),
    )


def _take_over(s: Situation) -> LockupAction | None:
    b = s.balances
    if not b.transfers_enabled or b.locked != 0 or b.termination_status is not None:
        return None
    return lockup_action(
        "add_full_access_key",
        f"Nothing is locked any more: {s.owner} may take over the lockup account with add_full_access_key "
        f"({GAS_TGAS['add_full_access_key']} TGas, needs the staking pool idle), or keep using transfer.",
        "add_full_access_key",
        advice="Nothing is locked any more: you may take over the lockup account itself (one call, when "
        "nothing is staked), or keep moving NEAR out of it.",
    )


# Each rule gives its hint when it applies (None otherwise), in the order a holder reads them.
FOUNDATION_RULES: tuple[Callable[[Situation], LockupAction | None], ...] = (
    _transfers_vote,
    _termination,
    _staking_busy,
    _refresh,
    _withdraw_from_pool,
    _one_pool_at_a_time,
    _storage_minimum,
    _transfer,
    _take_over,
)


def foundation_actions(
    read: LockupRead,
    owner: str,
    balances: LockupBalances,
    what_if: LockupBalances | None,
    pool: LockupPoolBalance | None,
    projected: bool = False,
    network: str = "mainnet",
) -> list[LockupAction]:
    """What the owner can do, each with a holder's wording; the steps to sign now are offered (never for a
    projection: a future state cannot be signed today)."""
    situation = Situation(read, owner, balances, what_if, pool, projected, network)
    return [action for rule in FOUNDATION_RULES if (action := rule(situation)) is not None]


def foundation_notes(read: LockupRead, balances: LockupBalances, at_ns: int, projected: bool, network: str) -> list[str]:
    state, version = read.state, read.version
    notes: list[str] = []
    if read.owner_given is not None and read.owner_given != state.owner_account_id:
        notes.append(
            f"The lockup's stored owner is {state.owner_account_id}, not {read.owner_given}: only "
            f"{state.owner_account_id} can call its owner methods."
        )
    if not version.known:
        notes.append(
            f"Unrecognised lockup code hash {version.code_hash or '(none: a global contract named by account)'}: the "
            "balances are computed with the current "
            "contract's rules (3.5 NEAR storage minimum, no release bug); compare with the contract's own views."
        )
    notes += _release_bug_note(read, at_ns)
    if isinstance(state.vesting_information, VestingHash):
        notes.append(
            "The vesting schedule is private (only its hash is stored): the contract ignores it when computing the "
            "locked amount, but the foundation can still terminate unvested tokens by revealing it."
        )
    if projected:
        notes.append(
            f"Projected for {utc_ns_text(at_ns)} from the state at block {read.block_height}: assumes no new transactions "
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


def _release_bug_note(read: LockupRead, at_ns: int) -> list[str]:
    """The release-start bug of old lockup code (near-staking.md §4.2), when it changes what is locked or when."""
    state, version = read.state, read.version
    if not (version.has_release_start_bug and state.lockup_information.release_duration):
        return []
    fixed = dataclasses.replace(version, has_release_start_bug=False)
    effective = with_transfers_enabled(state)
    try:
        buggy = compute_lockup(effective, version, read.account.amount, at_ns)
        correct = compute_lockup(effective, fixed, read.account.amount, at_ns)
    except LockupMathError:
        return []
    buggy_end, correct_end = buggy.release_end_ns, correct.release_end_ns
    if buggy_end is None or correct_end is None or buggy_end == correct_end:
        return []
    if buggy.locked == correct.locked and max(buggy_end, correct_end) <= at_ns:
        return []
    return [
        f"This lockup runs {version.label} code, which has the release-start bug: the contract ends the "
        f"release at transfers start + release duration ({utc_ns_text(buggy_end)}) instead of lockup "
        f"start + release duration ({utc_ns_text(correct_end)}). The numbers shown are what the contract "
        f"enforces; without the bug {format_near(correct.locked)} would be locked at this time."
    ]
