"""A House of Stake (veNEAR) lockup as its owner needs to see it: NEAR locked for veNEAR, NEAR in the unlock
cooldown and when it ends, NEAR free to lock, what is staked and where, and what `transfer` accepts now — the
smaller of its two limits (houseofstake lockup-contract/src/owner.rs `transfer`, mainnet-2026.md §3).

Balances do not move with time here (no release or vesting schedule); only whether the unlock cooldown is over
does, so a projection (`--at`) changes `unlock_ready` and nothing else.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.near.units import format_near
from bot.near.venear import VENEAR_UPDATE_GAS_TGAS, VenearBalances, VenearMathError, compute_venear
from bot.services.chain import Chain
from bot.services.delegations import DUST_YOCTO
from bot.services.lockup.advice import GAS_TGAS, unstake_wait, unstaked_state
from bot.services.lockup.finding import LockupLookup
from bot.services.lockup.reading import LockupStateUnreadable, VenearRead, deployment_fields, pool_of
from bot.services.offers import end_unlock_offer, lockup_withdraw_offer, transfer_offer
from bot.services.results import (
    LockupAction,
    LockupBalancesView,
    LockupPoolBalance,
    LockupResult,
    LockupSummary,
    PreparedAction,
    VenearView,
)

log = logging.getLogger(__name__)
NS_PER_SECOND = 1_000_000_000
VENEAR_GAS_TGAS = {
    **GAS_TGAS,
    "lock_near": VENEAR_UPDATE_GAS_TGAS,
    "begin_unlock_near": VENEAR_UPDATE_GAS_TGAS,
    "end_unlock_near": VENEAR_UPDATE_GAS_TGAS,
    "lock_pending_near": VENEAR_UPDATE_GAS_TGAS,
}


def _ceil_seconds(ns: int) -> int:
    return -(-ns // NS_PER_SECOND)


def _utc(unix: int) -> str:
    # To the second: end_unlock_near fails one second too early ("Invalid unlock time").
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _days(ns: int) -> str:
    days, rest = divmod(ns, 86_400 * NS_PER_SECOND)
    return f"{days} days" if rest == 0 else f"{ns / (86_400 * NS_PER_SECOND):.2f} days"


def venear_balances(read: VenearRead, at_ns: int | None = None) -> VenearBalances:
    try:
        return compute_venear(read.state, read.account.amount, read.now_ns if at_ns is None else at_ns)
    except VenearMathError as exc:
        raise LockupStateUnreadable(read.lockup_id, str(exc)) from exc


def venear_view(read: VenearRead, balances: VenearBalances) -> VenearView:
    return VenearView(
        locked_yocto=balances.locked,
        pending_yocto=balances.pending,
        unlock_unix=None if balances.unlock_timestamp_ns is None else _ceil_seconds(balances.unlock_timestamp_ns),
        unlock_ready=balances.unlock_ready,
        free_to_lock_yocto=balances.venear_liquid,
        unlock_duration_seconds=read.state.unlock_duration_ns // NS_PER_SECOND,
        venear_contract_id=read.state.venear_account_id,
    )


def venear_summary(read: VenearRead) -> LockupSummary:
    balances = venear_balances(read)
    return LockupSummary(
        lockup_id=read.lockup_id,
        locked_yocto=balances.locked + balances.pending,
        owners_balance_yocto=balances.owners_balance,
        liquid_owners_balance_yocto=balances.transferable,
        transfers_enabled=True,
        staking_pool_id=read.staking_pool_id,
        lockup_kind="venear",
        owner_id=read.owner_id,
        venear=venear_view(read, balances),
    )


def _action(
    action: str, text: str, method: str | None = None, *, advice: str | None = None,
    prepared: PreparedAction | None = None,
) -> LockupAction:
    """`text` keeps the contract's words; `advice` says the same to a holder (None: `text` does)."""
    return LockupAction(action=action, text=text, method=method, gas_tgas=VENEAR_GAS_TGAS.get(method or ""),
                        advice=advice, prepared=prepared)


def _unlock_actions(read: VenearRead, b: VenearBalances, owner: str, now: bool) -> list[LockupAction]:
    """`now`: the answer is about the chain's head (not a projection), so its steps can be signed."""
    cooldown = _days(read.state.unlock_duration_ns)
    actions: list[LockupAction] = []
    if b.pending and b.unlock_ready:
        assert b.unlock_timestamp_ns is not None
        actions.append(_action(
            "end_unlock_near",
            f"The unlock of {format_near(b.pending)} finished on {_utc(_ceil_seconds(b.unlock_timestamp_ns))}, but "
            f"it stays pending until {owner} finishes it: `venear end-unlock {owner}` (end_unlock_near). Then it "
            "counts as free NEAR in the lockup and can be transferred or locked again.",
            "end_unlock_near",
            advice=f"The unlock of {format_near(b.pending)} finished on {_utc(_ceil_seconds(b.unlock_timestamp_ns))}, "
            "but it stays pending until you finish it. Then it counts as free NEAR in the lockup and can be moved "
            "out or locked again.",
            prepared=end_unlock_offer(owner, read.lockup_id, b.pending) if now else None,
        ))
    elif b.pending:
        assert b.unlock_timestamp_ns is not None
        actions.append(_action(
            "unlock_pending",
            f"{format_near(b.pending)} is in the veNEAR unlock cooldown until "
            f"{_utc(_ceil_seconds(b.unlock_timestamp_ns))}; nothing can speed it up. Starting another unlock "
            f"(begin_unlock_near) restarts the {cooldown} timer for the whole pending amount. `venear relock "
            f"{owner}` (lock_pending_near) cancels it and locks it again.",
            advice=f"{format_near(b.pending)} is in the veNEAR unlock cooldown until "
            f"{_utc(_ceil_seconds(b.unlock_timestamp_ns))}; nothing can speed it up. Starting another unlock restarts "
            f"the {cooldown} timer for the whole pending amount. `venear relock {owner}` cancels it and locks it "
            "again.",
        ))
    if b.locked:
        actions.append(_action(
            "begin_unlock_near",
            f"{format_near(b.locked)} is locked for veNEAR (House of Stake voting power). To get it back, {owner} "
            f"starts an unlock (`venear unlock {owner}`, begin_unlock_near), waits {cooldown}, then finishes it "
            "(end_unlock_near).",
            "begin_unlock_near",
            advice=f"{format_near(b.locked)} is locked for veNEAR (House of Stake voting power). To get it back, start "
            f"an unlock (`venear unlock {owner}`), wait {cooldown}, then finish it.",
        ))
    if b.venear_liquid:
        actions.append(_action(
            "lock_near",
            f"{format_near(b.venear_liquid)} in the lockup is not locked: `venear lock {owner}` (lock_near) locks it "
            "for veNEAR voting power.",
            "lock_near",
            advice=f"{format_near(b.venear_liquid)} in the lockup is not locked: `venear lock {owner}` locks it for "
            "veNEAR voting power.",
        ))
    return actions


def _transfer_action(read: VenearRead, b: VenearBalances, owner: str, now: bool, network: str) -> LockupAction:
    limits = []
    if b.venear_liquid < b.liquid_owners_balance:
        limits.append(f"{format_near(b.locked + b.pending)} is locked or pending for veNEAR")
    if b.liquid_owners_balance < b.venear_liquid:
        where = f"staked in {read.staking_pool_id}" if read.staking_pool_id else "not on the lockup account"
        limits.append(
            f"only NEAR on the lockup account itself can move ({format_near(b.known_deposited)} is {where}; the "
            f"lockup keeps {format_near(read.state.min_lockup_deposit)} for storage)"
        )
    finishing = b.pending > 0 and b.unlock_ready  # the transfer finishes the unlock first (lockup_transfer.py)
    movable = b.transferable + (b.pending if finishing else 0)
    offered = transfer_offer(owner, read.lockup_id, movable, network) if now and movable > DUST_YOCTO else None
    why = f" ({'; '.join(limits)})" if limits else ""
    if b.staking_busy:
        return _action("staking_busy", "A staking-pool call of this lockup is in progress: transfers are refused "
                                       "until it finishes. Try again in a minute.")
    if b.transferable == 0:
        return _action("transfer", f"Nothing can be transferred out of {read.lockup_id} right now{why}.",
                       prepared=offered)
    return _action(
        "transfer",
        f"Move the {format_near(b.transferable)} that can leave the lockup now to your wallet: `transfer {owner} all "
        f"--lockup {read.lockup_id}`{why}.",
        "transfer",
        prepared=offered,
    )


def _staking_actions(
    read: VenearRead, owner: str, pool: LockupPoolBalance | None, now: bool, network: str
) -> list[LockupAction]:
    pool_id = read.staking_pool_id
    if pool_id is None:
        return [_action(
            "one_pool_at_a_time",
            f"To stake from this lockup (locked NEAR can be staked too), {owner} selects one pool whitelisted by "
            f"{read.state.staking_pool_whitelist_account_id} and deposits: `stake {owner} <pool> <amount> "
            f"--from-lockup --lockup {read.lockup_id}`.",
        )]
    if pool is None or pool.total_yocto == 0:
        return []
    unstaked = f" {format_near(pool.unstaked_yocto)} of it is unstaked, {unstaked_state(pool)}" \
        if pool.unstaked_yocto > 100 else ""
    epochs, why = unstake_wait(pool)
    unstake = (f"{format_near(pool.total_yocto)} of the lockup is delegated to {pool_id}.{unstaked} To bring it back "
               f"to the lockup: unstake (`unstake {owner} {pool_id} all --from-lockup --lockup {read.lockup_id}`), "
               f"wait {epochs}, then withdraw")
    ready = now and pool.can_withdraw and pool.unstaked_yocto > DUST_YOCTO
    return [_action(
        "withdraw_from_staking_pool", f"{unstake} (withdraw_all_from_staking_pool).{why}",
        "withdraw_all_from_staking_pool", advice=f"{unstake} it to the lockup.{why}",
        prepared=lockup_withdraw_offer(owner, pool_id, read.lockup_id, pool.unstaked_yocto, network) if ready else None,
    )]


def _cross_check(read: VenearRead, b: VenearBalances) -> tuple[LockupBalancesView | None, str | None]:
    views = read.views
    if views is None:
        return None, None
    contract = LockupBalancesView(
        locked_yocto=views["locked"] + views["pending"],
        owners_balance_yocto=views["owners"],
        liquid_owners_balance_yocto=min(views["liquid"], views["venear_liquid"]),
    )
    mine = {"locked": b.locked, "pending": b.pending, "venear_liquid": b.venear_liquid,
            "owners": b.owners_balance, "liquid": b.liquid_owners_balance,
            "unlock": read.state.unlock_timestamp_ns}
    differing = [name for name in mine if mine[name] != views[name]]
    if not differing:
        return contract, None
    parts = ", ".join(f"{name} {mine[name]} (computed) vs {views[name]} (contract)" for name in differing)
    text = (
        f"The contract's own views disagree with the balances computed from its storage at block "
        f"{read.block_height}: {parts}. The contract enforces its own numbers; both are shown."
    )
    log.warning("venear lockup %s: %s", read.lockup_id, text)
    return contract, text


async def venear_result(chain: Chain, lookup: LockupLookup, at_ns: int | None) -> LockupResult:
    read = lookup.read
    assert isinstance(read, VenearRead)
    when_ns = read.now_ns if at_ns is None else at_ns
    b = venear_balances(read, when_ns)
    owner = read.owner_id
    notes = list(lookup.notes)
    if read.owner_given is not None and read.owner_given != owner:
        notes.append(f"The lockup's stored owner is {owner}, not {read.owner_given}: only {owner} can call it.")
    if read.release is None:
        notes.append(
            f"Unrecognised House of Stake lockup code {read.account.effective_code_hash or 'of a global contract'}: "
            "the balances are computed "
            "from its storage with the v1.0.2 rules and cross-checked with its own views."
        )
    if at_ns is not None:
        notes.append(
            f"Projected for {_utc(when_ns // NS_PER_SECOND)} from the state at block {read.block_height}, assuming "
            "no new transactions: a House of Stake lockup has no release schedule, so only whether the unlock "
            "cooldown is over changes."
        )
    elif read.views_error is not None:
        notes.append(f"The contract's own balance views could not be read ({read.views_error}).")
    pool = await pool_of(chain, read, notes)
    contract_views, disagreement = _cross_check(read, b) if at_ns is None else (None, None)
    now = at_ns is None
    actions = [*_unlock_actions(read, b, owner, now), _transfer_action(read, b, owner, now, chain.network),
               *_staking_actions(read, owner, pool, now, chain.network)]
    keeps = f"The lockup always keeps {format_near(read.state.min_lockup_deposit)} for storage"
    actions.append(_action(
        "storage_minimum", f"{keeps} (its min_lockup_deposit), so that part is never transferable while the lockup "
        "exists.", advice=f"{keeps}, so that part never moves while the lockup exists.",
    ))
    view = venear_view(read, b)
    return LockupResult(
        owner_id=owner,
        lockup_id=read.lockup_id,
        code_hash=read.account.code_hash,
        version=f"house-of-stake {read.release}" if read.release else "house-of-stake (unknown build)",
        version_known=read.release is not None,
        at_unix=when_ns // NS_PER_SECOND,
        projected=at_ns is not None,
        block_height=read.block_height,
        lockup_amount_yocto=b.owners_balance,
        locked_yocto=b.locked + b.pending,
        owners_balance_yocto=b.owners_balance,
        liquid_owners_balance_yocto=b.transferable,
        account_balance_yocto=b.account_balance,
        staking_pool_id=read.staking_pool_id,
        known_deposited_yocto=b.known_deposited,
        transfers_enabled=True,
        fully_unlocked_unix=None,
        unreleased_yocto=0,
        unvested_yocto=0,
        vesting="none",
        min_balance_for_storage_yocto=read.state.min_lockup_deposit,
        pool=pool,
        actions=actions,
        contract_views=contract_views,
        disagreement=disagreement,
        notes=notes,
        lockup_kind="venear",
        venear=view,
        other_lockups=lookup.others,
        **deployment_fields(read),
    )
