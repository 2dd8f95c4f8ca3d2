"""What a foundation-family lockup's owner can or must do, in plain sentences (the `actions` and `notes` of a
`lockup` answer). Facts: near-staking.md §4.4 (owner methods, gas), §4.2 (versions), §4.6 (transfers vote)."""

from __future__ import annotations

import dataclasses
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
    state, version, lockup_id = read.state, read.version, read.lockup_id
    actions: list[LockupAction] = []
    transfers = state.lockup_information.transfers_information
    if isinstance(transfers, TransfersDisabled) and what_if is not None:
        actions.append(
            lockup_action(
                "check_transfers_vote",
                f"Transfers are still disabled in this lockup (it waits for the vote on "
                f"{transfers.transfer_poll_account_id}), so the contract counts the whole "
                f"{format_near(balances.lockup_amount)} as locked and nothing can be moved. The vote passed on "
                f"{utc_ns_text(TRANSFERS_STARTED)}: {owner} calls check_transfers_vote on {lockup_id} once "
                f"({GAS_TGAS['check_transfers_vote']} TGas, no deposit). After that the contract would report "
                f"locked {format_near(what_if.locked)}, owner's balance {format_near(what_if.owners_balance)} and "
                f"{format_near(what_if.liquid_owners_balance)} transferable.",
                "check_transfers_vote",
                advice=f"Transfers are still disabled in this lockup: it never recorded the vote that enabled them "
                f"(it passed on {utc_ns_text(TRANSFERS_STARTED)}), so it counts the whole "
                f"{format_near(balances.lockup_amount)} as locked and nothing can be moved. One call from you records "
                f"it; after that {format_near(what_if.locked)} would be locked and "
                f"{format_near(what_if.liquid_owners_balance)} could be moved.",
                prepared=None if projected or what_if.liquid_owners_balance <= DUST_YOCTO else transfer_offer(
                    owner, lockup_id, what_if.liquid_owners_balance, network),
            )
        )
    if isinstance(state.vesting_information, Terminating):
        term = state.vesting_information
        actions.append(
            lockup_action(
                "termination_in_progress",
                f"The foundation terminated this lockup's vesting (status {term.status.name}): "
                f"{format_near(term.unvested_amount)} unvested stays locked until the foundation withdraws it. "
                "Transfers and staking calls are refused while the termination is in progress; nothing for the owner "
                "to do but wait.",
                advice=f"The foundation terminated this lockup's vesting: {format_near(term.unvested_amount)} unvested "
                "stays locked until the foundation takes it back. Moving and staking are refused until then; nothing "
                "for you to do but wait.",
            )
        )
    if balances.staking_busy:
        actions.append(
            lockup_action(
                "wait_for_staking_call",
                "A staking-pool call of this lockup is still in progress (status Busy); any other lockup call fails "
                "with \"Contract is currently busy with another operation\" until it finishes.",
                advice="A staking call of this lockup is still running; every other call fails until it finishes. "
                "Try again in a minute.",
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
        counts = (f"{pool_id} holds {format_near(pool.total_yocto)} for this lockup, but the lockup still counts "
                  f"{format_near(balances.known_deposited)} (its record as of the last deposit, withdrawal or "
                  "refresh). ")
        actions.append(
            lockup_action("refresh_staking_pool_balance", counts + why, "refresh_staking_pool_balance",
                          advice=counts + plain_why)
        )
    in_pool = pool.total_yocto if pool is not None else balances.known_deposited
    if pool_id is not None and in_pool > 0:
        where = ""
        ready = pool is not None and pool.unstaked_yocto > DUST_YOCTO and pool.can_withdraw and not projected
        if pool is not None and pool.unstaked_yocto > 100:
            where = (
                f" Of it, {format_near(pool.unstaked_yocto)} is already unstaked and "
                + ("withdrawable now." if pool.can_withdraw else "still in its unstaking wait.")
            )
        wait = (f"waits {NUM_EPOCHS_TO_UNLOCK} epochs (the rest of the current epoch plus 3 more; `unbonding "
                f"{lockup_id}` shows the exact epoch)")
        actions.append(
            lockup_action(
                "withdraw_from_staking_pool",
                f"{format_near(in_pool)} is delegated to {pool_id} and cannot be transferred from there.{where} To "
                f"move it: {owner} calls unstake_all on the lockup ({GAS_TGAS['unstake_all']} TGas), {wait}, then "
                f"calls withdraw_all_from_staking_pool ({GAS_TGAS['withdraw_all_from_staking_pool']} TGas) to bring "
                "it back to the lockup account. Only then does it count toward the transferable balance.",
                "withdraw_all_from_staking_pool",
                advice=f"{format_near(in_pool)} is staked from the lockup in {pool_id} and cannot be moved from "
                f"there.{where} To move it: unstake it, {wait.replace('waits', 'wait')}, then bring it back to the "
                "lockup. Only then does it count toward what you can move.",
                prepared=lockup_withdraw_offer(owner, pool_id, lockup_id, pool.unstaked_yocto, network)
                if ready and pool is not None else None,
            )
        )
    whitelist = state.staking_pool_whitelist_account_id
    if pool_id is not None:
        actions.append(
            lockup_action(
                "one_pool_at_a_time",
                f"A lockup delegates to one pool at a time (now {pool_id}). To switch: withdraw everything from it, "
                f"call unselect_staking_pool ({GAS_TGAS['unselect_staking_pool']} TGas), then select_staking_pool "
                f"({GAS_TGAS['select_staking_pool']} TGas) with the new pool. Only pools whitelisted by {whitelist} "
                "are accepted (ask its is_whitelisted view first).",
                advice=f"A lockup stakes with one pool at a time (now {pool_id}). To switch: bring everything back "
                f"from it, release it, then choose the new pool; only pools on {whitelist}'s list are accepted.",
            )
        )
    else:
        actions.append(
            lockup_action(
                "one_pool_at_a_time",
                f"To stake lockup tokens, {owner} calls select_staking_pool ({GAS_TGAS['select_staking_pool']} TGas) "
                f"with a pool whitelisted by {whitelist} (ask its is_whitelisted view first), then deposit_and_stake "
                f"({GAS_TGAS['deposit_and_stake']} TGas). A lockup delegates to one pool at a time.",
                advice=f"To stake lockup tokens, choose a pool on {whitelist}'s list and stake: `stake {owner} <pool> "
                "<amount> --from-lockup` prepares it. A lockup stakes with one pool at a time.",
            )
        )
    actions.append(
        lockup_action(
            "storage_minimum",
            f"The lockup account always keeps {format_near(version.min_balance_for_storage)} for storage "
            f"({version.label} code: 35 NEAR before v3.1.0, 3.5 NEAR from v3.1.0), so that part is never "
            "transferable while the lockup exists.",
        )
    )  # no method, gas or yocto in it: the text is the advice
    can_transfer = (
        balances.transfers_enabled
        and balances.termination_status is None
        and not balances.staking_busy
        and balances.liquid_owners_balance > 0
    )
    if can_transfer:
        actions.append(
            lockup_action(
                "transfer",
                f"Up to {format_near(balances.liquid_owners_balance)} "
                f"{'could be moved at that time' if projected else 'can be moved'}: {owner} calls transfer on "
                f'{lockup_id} with {{"amount": "<yoctoNEAR>", "receiver_id": "<account>"}} '
                f"({GAS_TGAS['transfer']} TGas; the amount is a whole number of yoctoNEAR as a string).",
                "transfer",
                advice=f"Up to {format_near(balances.liquid_owners_balance)} "
                f"{'could be moved to your wallet at that time' if projected else 'can be moved to your wallet now'}: "
                "unlocked NEAR stays in the lockup until you move it out.",
                prepared=None if projected else transfer_offer(owner, lockup_id, balances.liquid_owners_balance,
                                                               network),
            )
        )
    if balances.transfers_enabled and balances.locked == 0 and balances.termination_status is None:
        actions.append(
            lockup_action(
                "add_full_access_key",
                f"Nothing is locked any more: {owner} may take over the lockup account with add_full_access_key "
                f"({GAS_TGAS['add_full_access_key']} TGas, needs the staking pool idle), or keep using transfer.",
                "add_full_access_key",
                advice="Nothing is locked any more: you may take over the lockup account itself (one call, when "
                "nothing is staked), or keep moving NEAR out of it.",
            )
        )
    return actions


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
                f"release at transfers start + release duration ({utc_ns_text(buggy.release_end_ns)}) instead of lockup "
                f"start + release duration ({utc_ns_text(correct.release_end_ns)}). The numbers shown are what the contract "
                f"enforces; without the bug {format_near(correct.locked)} would be locked at this time."
            )
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
