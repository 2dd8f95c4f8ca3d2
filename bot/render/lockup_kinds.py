"""Embed parts for the lockups holders create today: House of Stake (veNEAR) lockups and lockups deployed from a
global contract. Used by `bot.render.embeds` for `status`, `lockup` and `unbonding` answers.

Times are Discord timestamps (`<t:…>`), shown in each reader's own time zone. Every id here is read from the chain:
it enters the text escaped (`Md`, bot/render/safe.py).
"""

from __future__ import annotations

import discord

from bot.near.units import format_near
from bot.render.discord_limits import SafeEmbed
from bot.render.ready import ready_line
from bot.render.safe import Md, code, md, prose
from bot.services.results import LockupResult, LockupSummary, TimedUnlock


def _near(yocto: int) -> str:
    return format_near(yocto, 5)


def _ts(unix: int, style: str = "f") -> Md:
    return md("<t:{}:{}>", int(unix), style)


def deployment_line(deployment: str, global_hash: str | None, global_account: str | None) -> Md | None:
    if deployment == "global_hash":
        return md("global contract (code hash {})", code(global_hash or ""))
    if deployment == "global_account":
        return md("global contract published by {}", code(global_account or ""))
    return None


def lockup_summary_field(lockup: LockupSummary) -> tuple[Md, Md]:
    """(field name, value) of one lockup in a `status` embed."""
    venear = lockup.venear
    if venear is None:
        value = md(
            "still locked {}\nowner's balance {}\ntransferable now {}{}", _near(lockup.locked_yocto),
            _near(lockup.owners_balance_yocto), _near(lockup.liquid_owners_balance_yocto),
            Md("") if lockup.transfers_enabled else Md("\ntransfers not enabled yet"),
        )
        return md("Lockup {}", lockup.lockup_id), value
    lines = [md("locked for veNEAR {}", _near(venear.locked_yocto))]
    if venear.pending_yocto:
        when = Md("✅ cooldown over: finish it (`/venear action:end-unlock`)") if venear.unlock_ready else (
            md("⏳ usable {}", _ts(venear.unlock_unix or 0, "R"))
        )
        lines.append(md("unlocking {}: {}", _near(venear.pending_yocto), when))
    lines.append(md("transferable now {}", _near(lockup.liquid_owners_balance_yocto)))
    return md("House of Stake lockup {}", lockup.lockup_id), Md("\n").join(lines)


def venear_verdict(result: LockupResult) -> tuple[Md, discord.Colour]:
    venear = result.venear
    assert venear is not None
    movable = _near(result.liquid_owners_balance_yocto)
    if venear.pending_yocto and venear.unlock_ready:
        return (md("✅ **{} unlocked from veNEAR: finish with `/venear action:end-unlock`** · {} transferable now",
                   _near(venear.pending_yocto), movable), discord.Colour(0x2ECC71))
    if venear.pending_yocto:
        return (md("⏳ **{} unlocking, usable {}** · {} transferable now", _near(venear.pending_yocto),
                   _ts(venear.unlock_unix or 0, "R"), movable), discord.Colour(0xF1C40F))
    if venear.locked_yocto:
        return (md("🗳️ **{} locked for veNEAR** · {} transferable now", _near(venear.locked_yocto), movable),
                discord.Colour(0x3498DB))
    return md("✅ **Nothing locked for veNEAR: {} transferable**", movable), discord.Colour(0x2ECC71)


def add_venear_fields(embed: SafeEmbed, result: LockupResult) -> None:
    venear = result.venear
    assert venear is not None
    days = venear.unlock_duration_seconds / 86_400
    lines = [
        md("in the lockup **{}**", _near(result.owners_balance_yocto)),
        md("locked for veNEAR **{}**", _near(venear.locked_yocto)),
    ]
    if venear.pending_yocto:
        state = Md("cooldown over") if venear.unlock_ready else Md("cooldown running")
        lines.append(md("pending unlock **{}**, usable from {} ({})", _near(venear.pending_yocto),
                        _ts(venear.unlock_unix or 0), state))
    lines += [
        md("free to lock {}", _near(venear.free_to_lock_yocto)),
        md("transferable now **{}**", _near(result.liquid_owners_balance_yocto)),
    ]
    embed.add_field(name=Md("Balances"), value=Md("\n").join(lines), inline=False)
    where = md("on the lockup account {}", _near(result.account_balance_yocto))
    if result.staking_pool_id:
        where += md("; staked through {} (counted: {})", result.staking_pool_id, _near(result.known_deposited_yocto))
    embed.add_field(name=Md("Where the tokens are"), value=where, inline=False)
    embed.add_field(
        name=Md("Unlock cooldown"),
        value=md("{:g} days (set in the lockup by {}); a new unlock restarts it for all pending NEAR", days,
                 venear.venear_contract_id),
        inline=False,
    )


def timed_unlock_field(unlock: TimedUnlock) -> tuple[Md, Md]:
    if unlock.unlock_ready:
        state = md("✅ cooldown over since {}: finish it with `/venear action:end-unlock`", _ts(unlock.unlock_unix))
    else:
        state = md("⏳ usable {} ({})", _ts(unlock.unlock_unix, "R"), _ts(unlock.unlock_unix))
    return md("veNEAR unlock · {}", unlock.lockup_id), md("**{}** pending: {}", _near(unlock.pending_yocto), state)


_LOCKUP_HEADINGS = {
    "check_transfers_vote": "Enable transfers (one call)",
    "termination_in_progress": "Vesting terminated",
    "wait_for_staking_call": "Wait a minute",
    "staking_busy": "Wait a minute",
    "refresh_staking_pool_balance": "Count your staking rewards",
    "withdraw_from_staking_pool": "Staked from the lockup",
    "one_pool_at_a_time": "Staking from the lockup",
    "storage_minimum": "Kept for storage",
    "transfer": "Move NEAR to your wallet",
    "add_full_access_key": "Fully unlocked",
    "end_unlock_near": "Finish your unlock",
    "unlock_pending": "Unlock in progress",
    "begin_unlock_near": "Locked for veNEAR",
    "lock_near": "Free to lock for veNEAR",
}
MAX_LOCKUP_ADVICE = 6


def add_lockup_actions(embed: SafeEmbed, result: LockupResult) -> None:
    """What the owner can do, in a holder's words: steps ready to sign first, each with its line."""
    actions = [a for a in result.actions if a.prepared] + [a for a in result.actions if not a.prepared]
    for action in actions[:MAX_LOCKUP_ADVICE]:
        value = prose(action.advice or action.text)
        if action.prepared is not None:
            value = md("{}\n{}", value, ready_line(action.prepared)[0])
        heading = _LOCKUP_HEADINGS.get(action.action, action.action.replace("_", " "))
        embed.add_field(name=md("What to do: {}", heading), value=value, inline=False)
