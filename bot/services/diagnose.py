""""My tokens are stuck": walk an account's situation with the existing services and say, in plain words, which
cases apply and what to do next (support-channel triage; `diagnose <account>`, `/diagnose`, "Diagnose this").

Reads (concurrently, so identical in-flight reads are shared by the RPC client): `status` (balance, delegations,
lockup summary, liquid-staking holdings), `unbonding` (exact unlock epochs and times, liquid-staking unstakes) and
the validator set. When the account has a lockup, `lockup` adds the owner's to-do list (transfers vote, refresh) and
the lockup's own delegation. Cases and facts: seed-errata A3, A4, A13 (why tokens look stuck), near-staking.md
§2.4, §2.5 (4 epochs, explicit withdraw, rounding dust ≤ 100 yocto), §4.4-4.6 (lockup), §5 (liquid staking).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.near import errors
from bot.near.account_id import account_kind, is_valid_account_id
from bot.near.epochs import EpochAt, read_epoch_at
from bot.near.liquid import providers_for
from bot.near.units import format_near
from bot.safety import looks_like_secret
from bot.services.chain import Chain
from bot.services.delegations import DUST_YOCTO, INDEX_CHECKED, parse_account
from bot.services.diagnose_liquid import epochs_text, liquid_entry_cases
from bot.services.diagnose_lockups import (
    NAME_YOUR_LOCKUP,
    foundation_cases,
    held_entry_cases,
    lockup_command,
    venear_cases,
)
from bot.services.lockup import get_lockup
from bot.services.lockup.finding import derived_candidates
from bot.services.offers import LOCKUP_WITHDRAW, offer, withdraw_offer
from bot.services.pool import uptime_summary, validator_info
from bot.services.results import (
    DiagnoseCase,
    DiagnoseResult,
    LockupResult,
    StatusResult,
    UnbondingEntry,
    UnbondingResult,
    ValidatorInfo,
)
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding

_ORDER = {"action": 0, "warning": 1, "wait": 2, "info": 3, "ok": 4}


def _utc(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Cases:
    def __init__(self) -> None:
        self.items: list[DiagnoseCase] = []

    def add(self, **fields: Any) -> None:
        self.items.append(DiagnoseCase(**fields))

    def sorted(self) -> list[DiagnoseCase]:
        return sorted(self.items, key=lambda c: _ORDER[c.severity])


# -- pools ---------------------------------------------------------------------------------------------------------


def _pool_entry(cases: _Cases, entry: UnbondingEntry, account_id: str, current_epoch: int, via_lockup: bool) -> None:
    pool, amount = entry.pool_id, entry.unstaked_yocto
    if amount <= DUST_YOCTO:
        cases.add(
            kind="dust", severity="info", pool_id=pool, amount_yocto=amount,
            title=f"A speck of rounding dust left in {pool}",
            text=f"{amount} yoctoNEAR: rounding dust from the pool's share arithmetic (1 NEAR = 10^24 yocto), not stuck "
            "money. Wallets hide 100 yocto or less. Nothing to do.",
            advice="Less than 0.00001 NEAR is left there from the pool's share arithmetic: not stuck money, and wallets "
            "hide it. Nothing to do.",
        )
        return
    if entry.can_withdraw:
        if via_lockup:
            text = (
                "The unstaking wait is over, but the NEAR stays in the pool until the lockup's owner calls "
                "withdraw_all_from_staking_pool on this lockup (175 TGas): withdraw is a separate step."
            )
            advice = ("The unstaking wait is over, but the NEAR stays in the pool until the lockup's owner brings it "
                      "back to the lockup: a separate step.")
            command = f"/lockup {account_id}"
            ready = offer(f"withdraw {account_id} {pool} --from-lockup", f"Bring {format_near(amount)} back",
                          f"Withdraw {format_near(amount)} from {pool} back to the lockup {account_id} — it is ready.",
                          LOCKUP_WITHDRAW, amount)
        else:
            text = (
                "The unstaking wait is over, but withdraw is a separate step: the NEAR stays in the pool until you "
                "withdraw it. Unstaking again in this pool first would restart the wait for all of it."
            )
            advice = None
            command = f"/withdraw {account_id} {pool}"
            ready = withdraw_offer(account_id, pool, amount)
        cases.add(
            kind="withdrawable", severity="action", pool_id=pool, amount_yocto=amount,
            title=f"{format_near(amount)} ready to withdraw from {pool}", text=text, next_command=command,
            advice=advice, action=ready,
        )
        return
    if entry.available_epoch is not None:
        left = entry.available_epoch - current_epoch
        text = (
            f"Unbonding: withdrawable from epoch {entry.available_epoch}, {epochs_text(left)} from now (the current "
            f"epoch is {current_epoch}). Nothing is wrong and nothing can speed it up; then withdraw it (a separate "
            "step). A new unstake in this pool before then would restart the wait."
        )
        cases.add(
            kind="unbonding", severity="wait", pool_id=pool, amount_yocto=amount,
            available_epoch=entry.available_epoch, estimated_available_unix=entry.estimated_available_unix,
            title=f"{format_near(amount)} unbonding in {pool}", text=text,
            next_command=f"/unbonding {account_id} {pool}",
        )
        return
    latest = entry.latest_possible_epoch
    bound = f" It is epoch {latest} at the latest (4 epochs after the last possible unstake)." if latest else ""
    cases.add(
        kind="unknown_epoch", severity="wait", pool_id=pool, amount_yocto=amount, available_epoch=latest,
        estimated_available_unix=entry.estimate_latest_unix,
        title=f"{format_near(amount)} unbonding in {pool}",
        text=f"Not withdrawable yet; the exact epoch could not be read ({entry.source_note or 'unknown'}).{bound} "
        "Then withdraw it (a separate step).",
        advice=f"Not withdrawable yet; the exact epoch could not be read.{bound} Then withdraw it (a separate step).",
        next_command=f"/unbonding {account_id} {pool}",
    )


async def _paused(chain: Chain, pool_id: str) -> bool | None:
    try:
        value = await chain.rpc.view_function(pool_id, "is_staking_paused", {})
    except errors.NearError:
        return None
    return value if isinstance(value, bool) else None


def _validator_case(info: ValidatorInfo, pool: str, paused: bool | None, at_stake: str) -> tuple[str, str, str] | None:
    """(kind, title, text) of what the pool's standing means for the stake there, or None when all is well."""
    back = " It is in the next epoch's validator set again." if info.in_next_epoch else ""
    if paused:
        return ("pool_paused", f"{pool} has paused staking",
                f"The pool's owner paused staking, so {at_stake} earns no rewards until it is resumed. The NEAR is not "
                "lost; to move it, unstake, wait 4 epochs and withdraw.")
    if info.status == "kicked_out":
        return ("validator_kicked_out", f"{pool} was kicked out of the validator set",
                f"Reason: {info.kickout_reason or 'not given'}. While it is out, {at_stake} earns no rewards; the NEAR "
                f"is not lost.{back} If it stays out, consider unstaking and moving to an active validator.")
    if info.status == "active" and not info.in_next_epoch:
        return ("validator_leaving", f"{pool} is not in the next epoch's validator set",
                f"It validates this epoch, but from the next one {at_stake} earns no rewards unless the pool regains "
                "a seat.")
    if info.status == "active" and info.low_uptime:
        now = "It is below that now" if info.below_kickout else "It is close to that"
        return ("validator_low_uptime", f"{pool} has low uptime this epoch",
                f"{_sentence(uptime_summary(info))}. {now}: if it ends the epoch below, it leaves the validator set "
                f"and {at_stake} earns no rewards while it is out. The NEAR is not lost.")
    if info.status in ("proposal", "inactive"):
        joins = " It joins the validator set next epoch." if info.in_next_epoch else ""
        return ("validator_inactive", f"{pool} is not validating this epoch",
                f"{_sentence(at_stake)} earns no rewards while the pool is outside the validator set.{joins}")
    return None


async def _validator_cases(
    chain: Chain, cases: _Cases, staked: dict[str, int], validators: Any, owner_note: str
) -> None:
    infos = {pool: validator_info(pool, validators) for pool in staked}
    quiet = [pool for pool, info in infos.items() if info.status != "active"]
    paused = dict(zip(quiet, await asyncio.gather(*(_paused(chain, p) for p in quiet)), strict=True))
    for pool, amount in staked.items():
        found = _validator_case(infos[pool], pool, paused.get(pool), f"the {format_near(amount)} staked there{owner_note}")
        if found is not None:
            kind, title, text = found
            cases.add(kind=kind, severity="warning", pool_id=pool, amount_yocto=amount, title=title, text=text,
                      next_command=f"/pool {pool}")


# -- the answer ----------------------------------------------------------------------------------------------------


def _liquid_names(chain: Chain, status: StatusResult) -> dict[str, tuple[str, str]]:
    names = {p.contract_id: (p.name, p.withdraw_method) for p in providers_for(chain.network)}
    for holding in status.liquid:
        names.setdefault(holding.contract_id, (holding.provider, "withdraw_all"))
    return names


async def _lockup_results(
    chain: Chain, status: StatusResult, notes: list[str]
) -> list[LockupResult]:
    """The full `lockup` answer of every lockup `status` found (each read at its own final block, in parallel)."""
    reads = await asyncio.gather(*(get_lockup(chain, s.lockup_id) for s in status.lockups), return_exceptions=True)
    results = []
    for summary, read in zip(status.lockups, reads, strict=True):
        if isinstance(read, errors.NearError):
            notes.append(f"The lockup {summary.lockup_id} could not be read in full: {read.message}")
        elif isinstance(read, BaseException):
            raise read
        else:
            results.append(read)
    return results


def _index_missed(cases: _Cases, status: StatusResult, account_id: str) -> None:
    if not status.delegations_checked.startswith(INDEX_CHECKED):
        return  # the index could not be read: nothing can be said about what it lists
    for d in status.delegations:
        if d.found_by != "scan" or d.staked_yocto + d.unstaked_yocto <= DUST_YOCTO:
            continue
        cases.add(
            kind="index_missed", severity="warning", pool_id=d.pool_id, amount_yocto=d.staked_yocto + d.unstaked_yocto,
            title=f"{format_near(d.staked_yocto + d.unstaked_yocto)} in {d.pool_id}, which the staking index misses",
            text=f"The staking index that wallets and explorers use to find your pools does not list {d.pool_id} for "
            f"this account, so they may not show this stake. It is there ({format_near(d.staked_yocto)} staked, "
            f"{format_near(d.unstaked_yocto)} unstaked): found by checking the account in every pool of the validator "
            "set. Nothing is lost; name the pool to see it.",
            next_command=f"/status {account_id} {d.pool_id}",
        )


async def get_diagnose(
    chain: Chain, account_text: str, pools: Sequence[str] = (), *, lockups: Sequence[str] = (),
    linked: Sequence[str] = (),
) -> DiagnoseResult:
    """`pools`: pools the user named or linked, checked next to the index and the validator set.
    `lockups` / `linked`: lockup accounts the user named or linked (a global-contract lockup can live at any id)."""
    account_id = parse_account(account_text)
    named = [parse_account(p) for p in pools]
    named_lockups = [parse_account(x) for x in lockups]
    # One block for the whole triage: status, unbonding, the lockups and the validator set all describe it.
    chain = chain.at_final()
    status_read, unbonding_read, epoch_read = await asyncio.gather(
        get_status(chain, account_id, named, lockups=named_lockups, linked=linked, scan=True),
        get_unbonding(chain, account_id, lockups=named_lockups, linked=linked, scan=True, also=named),
        read_epoch_at(chain.rpc),
        return_exceptions=True,
    )
    for outcome in (status_read, unbonding_read):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(status_read, StatusResult) and isinstance(unbonding_read, UnbondingResult)
    status, unbonding = status_read, unbonding_read
    notes = [n for n in status.notes if "rounding dust" not in n]
    complete = status.delegations_complete and unbonding.pools_complete
    cases = _Cases()
    _index_missed(cases, status, account_id)
    # What `/lockup <account>` shows: the first lockup found from the account id alone (not a named one).
    findable = {lockup_id for lockup_id, _ in derived_candidates(account_id, chain.network)} | {account_id}
    primary = next((s.lockup_id for s in status.lockups if s.lockup_id in findable), None)
    _unbonding_cases(cases, chain, status, unbonding, account_id, primary)
    staked = {d.pool_id: d.staked_yocto for d in status.delegations if d.staked_yocto > DUST_YOCTO}
    lockup_staked = await _lockup_cases(cases, chain, status, account_id, primary, notes)
    if not status.lockups and not named_lockups and not linked:
        notes.append(NAME_YOUR_LOCKUP.format(account=account_id))
    await _standing_cases(cases, chain, epoch_read, staked, lockup_staked, notes)
    if not any(c.severity in ("action", "wait", "warning") for c in cases.items):
        cases.add(kind="nothing_wrong", severity="ok", title="Nothing looks stuck", text=_all_good(status, complete))
    if not complete:
        notes.append("Some pools or providers could not be read, so this check may be incomplete.")
    return DiagnoseResult(
        account_id=account_id,
        current_epoch=unbonding.current_epoch,
        block_height=unbonding.block_height,
        checked=status.delegations_checked,
        scanned_pools=status.scanned_pools,
        epoch_length=unbonding.epoch_length,
        avg_block_seconds=unbonding.avg_block_seconds,
        head_unix=unbonding.head_unix,
        cases=cases.sorted(),
        complete=complete,
        problems=list(status.pool_problems),
        notes=list(dict.fromkeys(notes)),
    )


def _unbonding_cases(
    cases: _Cases, chain: Chain, status: StatusResult, unbonding: UnbondingResult, account_id: str,
    primary: str | None,
) -> None:
    """Each pending unstake (the account's, its lockups', at liquid-staking providers), and the providers whose
    pending unstake cannot be seen."""
    is_lockup = status.lockup_of is not None
    liquid = _liquid_names(chain, status)
    for entry in unbonding.entries:
        if entry.held_by:
            held_entry_cases(cases, entry, lockup_command(entry.held_by, account_id, primary), unbonding.current_epoch,
                             account_id, chain.network)
        elif entry.pool_id in liquid:
            liquid_entry_cases(cases, entry, account_id, unbonding.current_epoch, liquid)
        else:
            _pool_entry(cases, entry, account_id, unbonding.current_epoch, is_lockup)
    for problem in status.pool_problems:
        if problem.kind == "pending_unknown":
            name = liquid.get(problem.pool_id, (problem.pool_id, ""))[0]
            cases.add(
                kind="liquid_pending_unknown", severity="info", pool_id=problem.pool_id,
                title=f"{name}: a pending unstake cannot be seen",
                text=f"{problem.message} If you unstaked there, check it in {name}'s own app.",
                advice=f"{name} gives the bot no way to read a pending unstake. If you unstaked there, check it in "
                f"{name}'s own app.",
                next_command=f"/liquid {account_id}",
            )


async def _lockup_cases(
    cases: _Cases, chain: Chain, status: StatusResult, account_id: str, primary: str | None, notes: list[str]
) -> dict[str, int]:
    """Each lockup's to-do list; returns what the account's lockups have staked, by pool (for the standing check)."""
    lockup_staked: dict[str, int] = {}
    # A House of Stake lockup may stake through a liquid-staking contract: no validator, so no standing to check.
    liquid = {p.contract_id for p in providers_for(chain.network)}
    for lockup in await _lockup_results(chain, status, notes):
        command = lockup_command(lockup.lockup_id, account_id, primary)
        if lockup.lockup_kind == "venear":
            venear_cases(cases, lockup, command, chain.network)
        else:
            foundation_cases(cases, lockup, command, chain.network)
        pool = lockup.pool
        if status.lockup_of is None and pool is not None and pool.staked_yocto > DUST_YOCTO and pool.pool_id not in liquid:
            lockup_staked[pool.pool_id] = lockup_staked.get(pool.pool_id, 0) + pool.staked_yocto
    return lockup_staked


async def _standing_cases(
    cases: _Cases, chain: Chain, epoch_read: EpochAt | BaseException, staked: dict[str, int],
    lockup_staked: dict[str, int], notes: list[str],
) -> None:
    """Whether the pools holding stake are validating, from the validator set at the answer's block."""
    if isinstance(epoch_read, BaseException):
        if not isinstance(epoch_read, errors.NearError):
            raise epoch_read
        notes.append(f"The validator set could not be read, so pool standing was not checked ({epoch_read.message}).")
        return
    await _validator_cases(chain, cases, staked, epoch_read.validators, "")
    await _validator_cases(chain, cases, lockup_staked, epoch_read.validators, " by your lockup")


def _all_good(status: StatusResult, complete: bool) -> str:
    parts = []
    pools = [d for d in status.delegations if d.staked_yocto > DUST_YOCTO]
    if pools:
        parts.append(
            f"{format_near(status.total_staked_yocto)} staked in {len(pools)} "
            f"{'pool' if len(pools) == 1 else 'pools'}, all validating and earning rewards"
        )
    if status.liquid:
        parts.append("liquid-staking tokens with no pending unstake to act on")
    if status.lockups:
        movable = sum(lockup.liquid_owners_balance_yocto for lockup in status.lockups)
        what = "a lockup" if len(status.lockups) == 1 else f"{len(status.lockups)} lockups"
        parts.append(f"{what} with {format_near(movable)} transferable now and nothing to fix")
    if not parts:
        parts.append("no delegations, pending unstakes, lockup or liquid-staking tokens were found")
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    text += f" Spendable balance: {format_near(status.available_yocto)}."
    if not complete:
        text += " Some pools could not be read, so something may be missing."
    return text


# -- finding accounts in a support message ----------------------------------------------------------------------------

_CANDIDATE = re.compile(r"(?<![\w.@-])([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(?![\w@-])")
_NAMED_TLDS = ("near", "testnet")
_POOL_SUFFIXES = (".poolv1.near", ".pool.near", ".pool.testnet", ".poolv1.testnet")
# Contracts, not holders: liquid-staking providers and the lockup factories.
_NOT_HOLDERS = frozenset(
    {p.contract_id for network in ("mainnet", "testnet") for p in providers_for(network)}
    | {"lockup.near", "locktest.testnet", "lockup-whitelist.near", "near", "testnet"}
)
MAX_FOUND = 3
MAX_POOLS = 5


def _mentioned(text: str, keep: Callable[[str], bool], limit: int) -> list[str]:
    """Valid account ids in a message, in order, that `keep` accepts. Never looks inside a message that holds a
    secret."""
    if looks_like_secret(text):
        return []
    found: list[str] = []
    for match in _CANDIDATE.finditer(text):
        candidate = match.group(1).rstrip(".-_").lower()
        if candidate in found or not is_valid_account_id(candidate) or not keep(candidate):
            continue
        found.append(candidate)
        if len(found) >= limit:
            break
    return found


def _is_holder(candidate: str) -> bool:
    kind = account_kind(candidate)
    if kind == "named":
        if candidate.rsplit(".", 1)[-1] not in _NAMED_TLDS or "." not in candidate:
            return False
        return not candidate.endswith(_POOL_SUFFIXES) and candidate not in _NOT_HOLDERS  # a pool is where tokens are
    return kind in ("near-implicit", "eth-implicit")


def find_pool_ids(text: str, *, limit: int = MAX_POOLS) -> list[str]:
    """Staking pools named or linked in a message (`x.poolv1.near`, or inside a wallet or explorer link), for
    diagnose to check next to the index and the validator set."""
    return _mentioned(text, lambda candidate: candidate.endswith(_POOL_SUFFIXES), limit)


def find_account_ids(text: str, *, limit: int = MAX_FOUND) -> list[str]:
    """NEAR account ids mentioned in a message, in order: named ids under .near/.testnet (not staking pools),
    implicit ids (64 hex) and lockup ids."""
    return _mentioned(text, _is_holder, limit)
