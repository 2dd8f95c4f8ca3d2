"""From an account to its lockups: the ids an owner's id leads to (the lockup factory's and the veNEAR contract's
derivations, and the veNEAR contract's own answer), the lockups the user named or linked, and the account itself
when it is a lockup; all read at the answer's block (reading.py)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from bot.near import errors
from bot.near.account_id import AccountIdError, is_lockup_account_id, is_valid_account_id, lockup_account_id
from bot.near.models import AccountView
from bot.near.venear import is_venear_lockup_id, venear_contract_id, venear_lockup_account_id
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.lockup.reading import (
    VENEAR_VIEWS,
    AnyLockupRead,
    LockupKind,
    LockupStateUnreadable,
    NoLockup,
    NotALockup,
    answer_block,
    build_read,
    fetch_candidate,
    read_lockup_at,
    views_for,
    with_contract_views,
)


def derived_candidates(owner_id: str, network: str) -> list[tuple[str, LockupKind]]:
    """The lockup ids an owner's id leads to: the lockup factory's and the veNEAR contract's derivations."""
    out: list[tuple[str, LockupKind]] = []
    try:
        out.append((lockup_account_id(owner_id, network), "foundation"))
    except AccountIdError:
        pass
    venear_id = venear_contract_id(network)
    if venear_id is not None:
        out.append((venear_lockup_account_id(owner_id, venear_id), "venear"))
    return out


async def _venear_answer(chain: Chain, owner_id: str) -> str | None:
    """`get_lockup_account_id` of the veNEAR contract (asked, not only derived: mainnet-2026.md §3)."""
    venear_id = venear_contract_id(chain.network)
    if venear_id is None:
        return None
    try:
        value = await chain.rpc.view_function(venear_id, "get_lockup_account_id", {"account_id": owner_id})
    except errors.NearError:
        return None
    return value if isinstance(value, str) and is_valid_account_id(value) else None


@dataclasses.dataclass
class FoundLockups:
    reads: list[AnyLockupRead]  # the owner's lockups, the derived .lockup.near first
    itself: AnyLockupRead | None  # the account asked about is itself a lockup
    notes: list[str]
    searched: list[str]
    problems: list[errors.NearError] = dataclasses.field(default_factory=list)  # candidates that are not lockups


async def find_lockups(
    chain: Chain, account_id: str, named: Sequence[str] = (), *, with_views: bool = False, linked: Sequence[str] = (),
) -> FoundLockups:
    """Every lockup of `account_id` the bot can prove, all read at the answer's block in one round trip (plus one
    when the veNEAR contract names an unexpected id): the derived ones, the veNEAR contract's answer, the lockups the
    user named (a note says why one is not counted) or linked (silently skipped when not this owner's lockup) and
    the account itself when it is a lockup."""
    chain = chain.at_final()
    candidates: dict[str, LockupKind | None] = dict(derived_candidates(account_id, chain.network))
    for extra in [*named, *linked]:
        candidates.setdefault(extra, None)
    quiet = set(linked) - set(named)
    candidates.setdefault(account_id, None)
    ids = list(candidates)
    raws, answer, (height, now_ns) = await asyncio.gather(
        asyncio.gather(*(fetch_candidate(chain, i, views_for(k) if with_views and k else None) for i, k in candidates.items())),
        _venear_answer(chain, account_id),
        answer_block(chain),
    )
    by_id = dict(zip(ids, raws, strict=True))
    if answer and answer not in by_id and answer != account_id:
        by_id[answer] = await fetch_candidate(chain, answer, VENEAR_VIEWS if with_views else None)
        candidates[answer] = "venear"
    found = FoundLockups([], None, [], [i for i, k in candidates.items() if k is not None])
    for lockup_id, raw in by_id.items():
        if lockup_id == account_id and isinstance(raw.account, AccountView) and not raw.account.has_contract:
            continue
        try:
            read = build_read(lockup_id, account_id, height, now_ns, raw, chain.network)
        except NoLockup:
            if lockup_id in named and lockup_id not in quiet:
                found.notes.append(f"{lockup_id} was named as a lockup, but no such account exists.")
            continue
        except (NotALockup, LockupStateUnreadable) as exc:
            if (lockup_id == account_id or lockup_id in quiet) and isinstance(exc, NotALockup):
                continue  # an account running some other contract: not a lockup, nothing to say
            found.problems.append(exc)
            found.notes.append(exc.message)
            continue
        if lockup_id == account_id:
            found.itself = dataclasses.replace(read, owner_given=None)
        elif read.owner_id != account_id:
            if lockup_id in quiet:
                continue
            found.notes.append(
                f"{lockup_id} is a lockup of {read.owner_id}, not of {account_id}, so it is not counted here."
            )
        else:
            found.reads.append(read)
    if with_views:
        found.reads = list(await asyncio.gather(*(with_contract_views(chain, r) for r in found.reads)))
        if found.itself is not None:
            found.itself = await with_contract_views(chain, found.itself)
    return found


@dataclasses.dataclass
class LockupLookup:
    read: AnyLockupRead
    others: list[str]  # the owner's other lockups (another command shows each)
    notes: list[str]


async def lockup_itself(chain: Chain, account_id: str) -> AnyLockupRead | None:
    """`account_id` read as a lockup (one round trip, at the final block), or None when it is not one: a lockup
    account cannot sign its own pool calls, its owner signs them through the lockup."""
    chain = chain.at_final()
    if not (is_lockup_account_id(account_id, chain.network) or is_venear_lockup_id(account_id, chain.network)):
        account = await chain.rpc.view_account(account_id)
        if not account.has_contract:
            return None
    try:
        return await read_named_lockup(chain, account_id)
    except (NoLockup, NotALockup, LockupStateUnreadable):
        return None


async def read_named_lockup(chain: Chain, lockup_text: str, *, with_views: bool = False) -> AnyLockupRead:
    """The account the user named as a lockup, read as one: "does not exist" and "is not a lockup" are said as
    such, never taken for an owner whose lockups would be searched."""
    return await read_lockup_at(chain, parse_account(lockup_text), None, with_views=with_views)


async def read_lockup(chain: Chain, account_text: str, *, with_views: bool) -> LockupLookup:
    """The lockup `account_text` names: a lockup account itself (any id), or an owner's lockup (the derived
    `.lockup.near` one first, then House of Stake)."""
    account_id = parse_account(account_text)
    chain = chain.at_final()
    if is_lockup_account_id(account_id, chain.network) or is_venear_lockup_id(account_id, chain.network):
        expected: LockupKind = "foundation" if is_lockup_account_id(account_id, chain.network) else "venear"
        read = await read_lockup_at(chain, account_id, None, with_views=with_views, expected=expected)
        return LockupLookup(read, [], [])
    found = await find_lockups(chain, account_id, with_views=with_views)
    if found.itself is not None:
        return LockupLookup(found.itself, [], found.notes)
    if not found.reads:
        if found.problems:
            raise found.problems[0]
        await _refuse_unknown_lockup(chain, account_id)
        searched = found.searched or [account_id]
        raise NoLockup(account_id, searched[0], chain.network, searched=searched)
    first, *rest = found.reads
    return LockupLookup(first, [r.lockup_id for r in rest], found.notes)


async def _refuse_unknown_lockup(chain: Chain, account_id: str) -> None:
    """An account whose code the bot does not know but which answers `get_owner_account_id` like a lockup: say so,
    rather than "no lockup" (its storage layout is not one the bot can compute from)."""
    try:
        owner = await chain.rpc.view_function(account_id, "get_owner_account_id", {})
    except errors.NearError:
        return
    if isinstance(owner, str) and owner:
        raise LockupStateUnreadable(
            account_id,
            f"it answers get_owner_account_id ({owner[:64]}) like a lockup, but neither its code nor its storage is a "
            "lockup version the bot can compute. Its own views (get_liquid_owners_balance) are what its transfer "
            "method checks.",
        )
