"""Embed parts for the lockups holders create today: House of Stake (veNEAR) lockups and lockups deployed from a
global contract. Used by `bot.render.embeds` for `status`, `lockup` and `unbonding` answers.

Times are Discord timestamps (`<t:…>`), shown in each reader's own time zone.
"""

from __future__ import annotations

import discord

from bot.near.units import format_near
from bot.services.results import LockupResult, LockupSummary, TimedUnlock


def _near(yocto: int) -> str:
    return format_near(yocto, 5)


def _ts(unix: int, style: str = "f") -> str:
    return f"<t:{unix}:{style}>"


def deployment_line(deployment: str, global_hash: str | None, global_account: str | None) -> str | None:
    if deployment == "global_hash":
        return f"global contract (code hash `{global_hash}`)"
    if deployment == "global_account":
        return f"global contract published by `{global_account}`"
    return None


def lockup_summary_field(lockup: LockupSummary) -> tuple[str, str]:
    """(field name, value) of one lockup in a `status` embed."""
    venear = lockup.venear
    if venear is None:
        value = (
            f"still locked {_near(lockup.locked_yocto)}\nowner's balance {_near(lockup.owners_balance_yocto)}\n"
            f"transferable now {_near(lockup.liquid_owners_balance_yocto)}"
            + ("" if lockup.transfers_enabled else "\ntransfers not enabled yet")
        )
        return f"Lockup {lockup.lockup_id}", value
    lines = [f"locked for veNEAR {_near(venear.locked_yocto)}"]
    if venear.pending_yocto:
        when = "✅ cooldown over: finish it (/venear end-unlock)" if venear.unlock_ready else (
            f"⏳ usable {_ts(venear.unlock_unix or 0, 'R')}"
        )
        lines.append(f"unlocking {_near(venear.pending_yocto)}: {when}")
    lines.append(f"transferable now {_near(lockup.liquid_owners_balance_yocto)}")
    return f"House of Stake lockup {lockup.lockup_id}", "\n".join(lines)


def venear_verdict(result: LockupResult) -> tuple[str, discord.Colour]:
    venear = result.venear
    assert venear is not None
    movable = result.liquid_owners_balance_yocto
    if venear.pending_yocto and venear.unlock_ready:
        return (f"✅ **{_near(venear.pending_yocto)} unlocked from veNEAR: finish with `/venear end-unlock`** · "
                f"{_near(movable)} transferable now", discord.Colour(0x2ECC71))
    if venear.pending_yocto:
        return (f"⏳ **{_near(venear.pending_yocto)} unlocking, usable {_ts(venear.unlock_unix or 0, 'R')}** · "
                f"{_near(movable)} transferable now", discord.Colour(0xF1C40F))
    if venear.locked_yocto:
        return (f"🗳️ **{_near(venear.locked_yocto)} locked for veNEAR** · {_near(movable)} transferable now",
                discord.Colour(0x3498DB))
    return f"✅ **Nothing locked for veNEAR: {_near(movable)} transferable**", discord.Colour(0x2ECC71)


def add_venear_fields(embed: discord.Embed, result: LockupResult) -> None:
    venear = result.venear
    assert venear is not None
    days = venear.unlock_duration_seconds / 86_400
    lines = [
        f"in the lockup **{_near(result.owners_balance_yocto)}**",
        f"locked for veNEAR **{_near(venear.locked_yocto)}**",
    ]
    if venear.pending_yocto:
        state = "cooldown over" if venear.unlock_ready else "cooldown running"
        lines.append(
            f"pending unlock **{_near(venear.pending_yocto)}**, usable from {_ts(venear.unlock_unix or 0)} ({state})"
        )
    lines += [
        f"free to lock {_near(venear.free_to_lock_yocto)}",
        f"transferable now **{_near(result.liquid_owners_balance_yocto)}** (`{result.liquid_owners_balance_yocto}` "
        "yocto)",
    ]
    embed.add_field(name="Balances", value="\n".join(lines), inline=False)
    where = f"on the lockup account {_near(result.account_balance_yocto)}"
    if result.staking_pool_id:
        where += f"; staked through {result.staking_pool_id} (counted: {_near(result.known_deposited_yocto)})"
    embed.add_field(name="Where the tokens are", value=where, inline=False)
    embed.add_field(
        name="Unlock cooldown",
        value=f"{days:g} days (set in the lockup by {venear.venear_contract_id}); a new unlock restarts it for all "
        "pending NEAR",
        inline=False,
    )


def timed_unlock_field(unlock: TimedUnlock) -> tuple[str, str]:
    if unlock.unlock_ready:
        state = f"✅ cooldown over since {_ts(unlock.unlock_unix)}: finish it with `/venear end-unlock`"
    else:
        state = f"⏳ usable {_ts(unlock.unlock_unix, 'R')} ({_ts(unlock.unlock_unix)})"
    return f"veNEAR unlock · {unlock.lockup_id}", f"**{_near(unlock.pending_yocto)}** pending: {state}"
