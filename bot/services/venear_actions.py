"""Keyless veNEAR actions on a House of Stake lockup, signed by its owner: lock NEAR (`lock_near`), start an unlock
(`begin_unlock_near`), finish it after the cooldown (`end_unlock_near`) and put pending NEAR back (`lock_pending_near`).

Facts (houseofstake lockup-contract/src/venear.rs, mainnet-2026.md §3): each call asserts exactly 1 yocto; `amount`
is optional (left out: everything free, locked or pending); lock_near needs amount ≤ the veNEAR-liquid balance;
begin_unlock_near sets the unlock time to now + the lockup's `unlock_duration_ns` for the **whole** pending amount;
end_unlock_near fails with "Invalid unlock time" before it. Gas: bot/near/venear.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.near import errors
from bot.near.staking_calls import venear_call
from bot.near.units import format_near
from bot.near.venear import VenearBalances
from bot.services.chain import Chain
from bot.services.delegations import parse_account
from bot.services.lockup.finding import find_lockups
from bot.services.lockup.reading import VenearRead
from bot.services.planning import (
    ActionRefused,
    LockupContext,
    build_action,
    gas_warning,
    is_all,
    lockup_context,
    owner_transactions,
    parse_amount,
)
from bot.services.results import ActionKind, ActionResult

NS_PER_SECOND = 1_000_000_000
# The command words people type → (action value in JSON, contract method).
VENEAR_ACTIONS: dict[str, tuple[ActionKind, str]] = {
    "lock": ("venear_lock", "lock_near"),
    "unlock": ("venear_unlock", "begin_unlock_near"),
    "end-unlock": ("venear_end_unlock", "end_unlock_near"),
    "relock": ("venear_relock", "lock_pending_near"),
}


def venear_word(text: str) -> str:
    """The veNEAR action a person typed (`lock`, `unlock`, `end-unlock`, `relock`; any case)."""
    word = text.strip().lower()
    if word not in VENEAR_ACTIONS:
        raise errors.InvalidInput(
            f"Unknown veNEAR action. Use one of: {', '.join(VENEAR_ACTIONS)} (e.g. venear unlock alice.near 10)."
        )
    return word


def _utc(ns: int) -> str:
    return datetime.fromtimestamp(-(-ns // NS_PER_SECOND), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _days(ns: int) -> str:
    days, rest = divmod(ns, 86_400 * NS_PER_SECOND)
    return f"{days} days" if rest == 0 else f"{ns / (86_400 * NS_PER_SECOND):.2f} days"


async def _venear_context(chain: Chain, owner_text: str, lockup_text: str | None) -> LockupContext:
    """The owner's House of Stake lockup (or the one named), never their core-contracts lockup."""
    if lockup_text is None:
        owner = parse_account(owner_text)
        found = await find_lockups(chain, owner)
        venear = next((r for r in [found.itself, *found.reads] if isinstance(r, VenearRead)), None)
        if venear is None:
            raise ActionRefused(
                f"{owner} has no House of Stake lockup the bot can find (none at the id the veNEAR contract gives). "
                "Name it with --lockup <lockup_account> if it is elsewhere."
            )
        lockup_text = venear.lockup_id
    ctx = await lockup_context(chain, owner_text, lockup_text)
    if not ctx.is_venear:
        raise ActionRefused(
            f"{ctx.lockup_id} is not a House of Stake lockup: veNEAR locking exists only there. Use `lockup "
            f"{ctx.lockup_id}` to see what it allows."
        )
    return ctx


def _amount(amount_text: str | None, limit: int, what: str, lockup_id: str) -> int | None:
    """None = "all" (the method's optional amount left out, so the contract takes exactly everything)."""
    if limit == 0:
        raise ActionRefused(f"The lockup {lockup_id} has no {what}.")
    if amount_text is None or is_all(amount_text):
        return None
    amount = parse_amount(amount_text)
    if amount > limit:
        raise ActionRefused(
            f"{format_near(amount, 24)} is more than the {format_near(limit, 24)} {what} in {lockup_id}. Use \"all\" "
            "for exactly all of it."
        )
    return amount


def _plan(ctx: LockupContext, word: str, amount_text: str | None) -> tuple[int | None, int, str, list[str]]:
    """(amount or None for all, the amount shown, summary verb phrase, warnings) for one veNEAR action."""
    b = ctx.balances
    assert isinstance(b, VenearBalances)
    read = ctx.read
    assert isinstance(read, VenearRead)
    lockup_id, warnings = ctx.lockup_id, []
    if word == "lock":
        amount = _amount(amount_text, b.venear_liquid, "NEAR free to lock", lockup_id)
        shown = b.venear_liquid if amount is None else amount
        warnings.append(
            f"Locked NEAR gives House of Stake voting power and cannot be transferred; getting it back takes an "
            f"unlock and a {_days(read.state.unlock_duration_ns)} cooldown."
        )
        return amount, shown, "Lock", warnings
    if word == "unlock":
        amount = _amount(amount_text, b.locked, "NEAR locked for veNEAR", lockup_id)
        shown = b.locked if amount is None else amount
        ends = read.now_ns + read.state.unlock_duration_ns
        warnings.append(
            f"The cooldown is {_days(read.state.unlock_duration_ns)}: the NEAR becomes usable from about {_utc(ends)} "
            "(the block time of your transaction plus the cooldown), then you finish it with end_unlock_near."
        )
        if b.pending:
            warnings.append(
                f"{format_near(b.pending)} is already pending unlock: a new unlock restarts the timer for the whole "
                f"pending amount ({format_near(b.pending + shown)}), so that part waits the full cooldown again."
            )
        return amount, shown, "Start unlocking", warnings
    amount = _amount(amount_text, b.pending, "NEAR pending unlock", lockup_id)
    shown = b.pending if amount is None else amount
    if word == "end-unlock":
        if not b.unlock_ready:
            assert b.unlock_timestamp_ns is not None
            raise ActionRefused(
                f"The unlock of {format_near(b.pending)} in {lockup_id} is still in its cooldown: end_unlock_near "
                f"works from {_utc(b.unlock_timestamp_ns)} (the contract refuses it before: \"Invalid unlock time\")."
            )
        return amount, shown, "Finish unlocking", warnings
    warnings.append("The pending NEAR is locked again for veNEAR; a later unlock starts a new full cooldown.")
    return amount, shown, "Lock again the pending", warnings


async def plan_venear(
    chain: Chain, word: str, owner_text: str, amount_text: str | None, lockup_text: str | None = None
) -> ActionResult:
    word = venear_word(word)
    action, method = VENEAR_ACTIONS[word]
    chain = chain.at_final()  # the lockup's veNEAR state and the owner's gas balance: one block (BlockPin)
    ctx = await _venear_context(chain, owner_text, lockup_text)
    amount, shown, verb, warnings = _plan(ctx, word, amount_text)
    call = venear_call(method, amount)
    warnings += await gas_warning(chain, ctx.owner, [call])
    how = "all of it" if amount is None else format_near(amount)
    summary = (
        f"{verb} {format_near(shown)} in the House of Stake lockup {ctx.lockup_id} ({method}, {how}), signed by "
        f"{ctx.owner}."
    )
    return build_action(
        chain, action, ctx.owner, ctx.lockup_id, shown, summary, owner_transactions(ctx, [call]), warnings, None,
        via="lockup", lockup_id=ctx.lockup_id,
    )
