"""The `lockup` answer and the lockup summaries of `status`, assembled from the read (reading.py, finding.py), the
figures (computing.py, venear.py) and the advice (advice.py).

Reads, all pinned to one final block (near-staking.md §4): round trip 1 the block (its timestamp is "now"), the
lockup candidates' `view_account`, `view_state` of key `STATE` and, for answers about now, the contract's own balance
views; round trip 2 the selected pool's `get_account` for the lockup. The balances are computed with
`bot.near.lockup` (foundation family, §4.5) or `bot.near.venear` (House of Stake) and compared with the contract's own
views: a disagreement is reported, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.near import errors
from bot.near.lockup import (
    LockupBalances,
    Terminating,
    UnlockForecast,
    unlock_forecast,
    with_transfers_enabled,
)
from bot.near.lockup_state import U64_MAX
from bot.services.chain import Chain
from bot.services.lockup.advice import foundation_actions, foundation_notes
from bot.services.lockup.computing import (
    balances_view,
    ceil_seconds,
    compute_foundation,
    cross_check,
    foundation_summary,
    schedule,
    transferable_now,
    upcoming_milestones,
    vesting_kind,
)
from bot.services.lockup.finding import LockupLookup, find_lockups, read_lockup
from bot.services.lockup.reading import (
    AnyLockupRead,
    LockupRead,
    LockupStateUnreadable,
    VenearRead,
    deployment_fields,
    pool_of,
)
from bot.services.lockup.venear import venear_result, venear_summary
from bot.services.lockup_input import AT_FORMAT_HELP, NS_PER_SECOND
from bot.services.results import LockupResult, LockupSummary


def _requested_ns(at_unix: int | None, at_ns: int | None) -> int | None:
    if at_unix is not None and at_ns is not None:
        raise ValueError("give at_unix or at_ns, not both")
    if at_unix is not None:
        at_ns = at_unix * NS_PER_SECOND
    if at_ns is not None and not 0 <= at_ns <= U64_MAX:
        raise errors.InvalidInput(f"That time is outside the range a lockup can express. {AT_FORMAT_HELP}")
    return at_ns


async def get_lockup(
    chain: Chain, account_id: str, at_unix: int | None = None, *, at_ns: int | None = None
) -> LockupResult:
    """The lockup of `account_id` (an owner id, or a lockup account of any kind and id), now or projected to
    `at_unix` (Unix seconds; `at_ns` for nanosecond precision) assuming no new transactions."""
    at_ns = _requested_ns(at_unix, at_ns)
    chain = chain.at_final()  # the pool's reads below are at the lockup's block
    lookup = await read_lockup(chain, account_id, with_views=at_ns is None)
    if isinstance(lookup.read, VenearRead):
        return await venear_result(chain, lookup, at_ns)
    return await _foundation_result(chain, lookup, at_ns)


def _views_notes(read: LockupRead, projected: bool) -> list[str]:
    if read.views is not None:
        return []
    if read.views_error is not None and not projected:
        return [f"The contract's own balance views could not be read ({read.views_error})."]
    if projected:
        return ["The contract's own views answer only for now, so a projection is not cross-checked."]
    return []


async def _foundation_result(chain: Chain, lookup: LockupLookup, at_ns: int | None) -> LockupResult:
    read = lookup.read
    assert isinstance(read, LockupRead)
    state, projected = read.state, at_ns is not None
    when_ns = read.now_ns if at_ns is None else at_ns
    balances = compute_foundation(read, state, when_ns)
    what_if = None if state.transfers_enabled else compute_foundation(read, with_transfers_enabled(state), when_ns)
    notes = [*lookup.notes, *foundation_notes(read, balances, when_ns, projected, chain.network)]
    pool = await pool_of(chain, read, notes)
    contract_views, disagreement = cross_check(read, balances)
    notes += _views_notes(read, projected)
    forecast = unlock_forecast(state, read.version)
    if forecast.unlocked_at_ns is None and forecast.reason:
        notes.append(f"No full-unlock date: {forecast.reason}.")
    points, schedule_assumes_vote = schedule(read, when_ns, forecast.unlocked_at_ns)
    return LockupResult(
        at_unix=when_ns // NS_PER_SECOND,
        projected=projected,
        pool=pool,
        after_transfers_vote=None if what_if is None else balances_view(what_if),
        milestones=upcoming_milestones(state, read.version, when_ns),
        actions=foundation_actions(read, state.owner_account_id, balances, what_if, pool, projected, chain.network),
        contract_views=contract_views,
        disagreement=disagreement,
        notes=notes,
        schedule=points,
        schedule_assumes_transfers_vote=schedule_assumes_vote,
        other_lockups=lookup.others,
        **_foundation_figures(read, balances, forecast),
        **deployment_fields(read),
    )


def _foundation_figures(read: LockupRead, balances: LockupBalances, forecast: UnlockForecast) -> dict[str, Any]:
    """The lockup's identity and balances, as the answer's fields."""
    state, version = read.state, read.version
    terminated = state.vesting_information
    return {
        "owner_id": state.owner_account_id,
        "lockup_id": read.lockup_id,
        "code_hash": read.account.code_hash,
        "version": version.label,
        "version_known": version.known,
        "block_height": read.block_height,
        "lockup_amount_yocto": balances.lockup_amount,
        "locked_yocto": balances.locked,
        "owners_balance_yocto": balances.owners_balance,
        "liquid_owners_balance_yocto": transferable_now(balances),
        "account_balance_yocto": balances.account_balance,
        "staking_pool_id": state.staking_pool_account_id,
        "known_deposited_yocto": balances.known_deposited,
        "transfers_enabled": balances.transfers_enabled,
        "fully_unlocked_unix": None if forecast.unlocked_at_ns is None else ceil_seconds(forecast.unlocked_at_ns),
        "unlock_assumes_transfers_vote": forecast.assumes_transfers_vote,
        "unreleased_yocto": balances.unreleased,
        "unvested_yocto": balances.unvested,
        "termination_withdrawn_yocto": balances.termination_withdrawn_tokens,
        "termination_status": terminated.status.name if isinstance(terminated, Terminating) else None,
        "terminated_unvested_yocto": balances.terminated_unvested_balance,
        "vesting": vesting_kind(state),
        "min_balance_for_storage_yocto": balances.min_balance_for_storage,
        "release_start_bug": version.has_release_start_bug,
        "lockup_start_unix": None if balances.lockup_start_ns is None else ceil_seconds(balances.lockup_start_ns),
        "release_end_unix": None if balances.release_end_ns is None else ceil_seconds(balances.release_end_ns),
    }


def summarize(read: AnyLockupRead) -> LockupSummary:
    return venear_summary(read) if isinstance(read, VenearRead) else foundation_summary(read)


async def lockup_summaries(
    chain: Chain, owner_id: str, named: Sequence[str] = (), *, linked: Sequence[str] = (),
) -> tuple[list[LockupSummary], LockupSummary | None, list[str]]:
    """(the owner's lockups, the account itself when it is a lockup, notes) for `status`, at the answer's block.

    Failures to read the chain propagate as typed errors; a lockup whose state cannot be computed becomes a note.
    """
    found = await find_lockups(chain, owner_id, named, linked=linked)
    notes = list(found.notes)
    summaries = []
    for read in found.reads:
        try:
            summaries.append(summarize(read))
        except LockupStateUnreadable as exc:
            notes.append(exc.message)
    itself = None
    if found.itself is not None:
        try:
            itself = summarize(found.itself)
        except LockupStateUnreadable as exc:
            notes.append(exc.message)
    return summaries, itself, notes


async def lockup_summary(chain: Chain, owner_id: str) -> LockupSummary | None:
    """The first lockup of `owner_id` (or the account itself when it is a lockup); None when there is none."""
    summaries, itself, _ = await lockup_summaries(chain, owner_id)
    return itself or (summaries[0] if summaries else None)
