"""The `unbonding` embed: each pool's unstaked NEAR, how long it still waits, and timed unlocks."""

from __future__ import annotations

import discord

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    AMBER,
    GREEN,
    GREY,
    LINES,
    MAX_ACCOUNT_BUTTONS,
    Rendered,
    about,
    account_links,
    add_problems_and_notes,
    add_ready_field,
    bar,
    finish,
    name,
    near,
    plural,
    render_embed,
    ts,
    when,
)
from bot.render.lockup_kinds import timed_unlock_field
from bot.render.safe import Md, code, md, plain, prose
from bot.services.delegations import DUST_YOCTO
from bot.services.results import UnbondingEntry, UnbondingResult
from bot.services.unbonding import NUM_EPOCHS_TO_UNLOCK


def seconds_until(entry: UnbondingEntry, result: UnbondingResult) -> int | None:
    """Time from the chain head to the estimated withdraw time, measured on the chain's own clock."""
    if entry.estimated_available_unix is None:
        return None
    return entry.estimated_available_unix - result.head_unix


def unbonding_verdict(entry: UnbondingEntry, result: UnbondingResult) -> Md:
    if entry.can_withdraw:
        return Md("withdrawable now")
    if entry.waiting_for not in (None, "epoch"):
        return Md("unlocked, waiting for the contract to pay out")
    if entry.epochs_left:
        remaining = seconds_until(entry, result)
        eta = md(" ({})", about(remaining)) if remaining is not None else Md("")
        return md("ready in {}{}", plural(entry.epochs_left, "epoch"), eta)
    return Md("still unbonding")


def _unbonding_value(entry: UnbondingEntry, result: UnbondingResult) -> Md:
    if entry.unstaked_yocto <= DUST_YOCTO:
        return Md("share-rounding dust (less than 0.00001 NEAR): not stuck money, nothing to do")
    lines = [md("**{}** unstaked: {}", near(entry.unstaked_yocto), unbonding_verdict(entry, result))]
    if entry.held_by:
        lines.append(md("Staked by your lockup {}: it comes back through the lockup.", code(entry.held_by)))
    if entry.can_withdraw:
        lines.append(md("`{}` waiting over", bar(1, 1, NUM_EPOCHS_TO_UNLOCK * 2, "▰", "▱")))
        lines.append(Md("Withdraw is a separate step: nothing returns to your wallet by itself."))
    elif entry.waiting_note and entry.waiting_for != "epoch":
        lines.append(prose(entry.waiting_note))
    elif entry.available_epoch is not None:
        left = min(NUM_EPOCHS_TO_UNLOCK, entry.epochs_left or 0)
        waited = NUM_EPOCHS_TO_UNLOCK - left
        lines.append(md(
            "`{}` {} of {} epochs · withdrawable from epoch {}",
            bar(waited, NUM_EPOCHS_TO_UNLOCK, NUM_EPOCHS_TO_UNLOCK * 2, "▰", "▱"), waited, NUM_EPOCHS_TO_UNLOCK,
            entry.available_epoch,
        ))
        if entry.estimated_available_unix is not None:
            lines.append(md("≈ {}", when(entry.estimated_available_unix)))
        if entry.estimate_earliest_unix is not None and entry.estimate_latest_unix is not None:
            lines.append(md("between {} and {}", ts(entry.estimate_earliest_unix), ts(entry.estimate_latest_unix)))
    elif entry.latest_possible_epoch is not None:
        latest = md(", {}", ts(entry.estimate_latest_unix, "R")) if entry.estimate_latest_unix else Md("")
        lines.append(md(
            "The exact epoch could not be read ({}); it is epoch {} at the latest{}.",
            prose(entry.source_note or "unknown"), entry.latest_possible_epoch, latest,
        ))
    return LINES.join(lines)


def _timed_unlock_verdict(result: UnbondingResult) -> tuple[Md, discord.Colour]:
    unlocked = [u for u in result.timed_unlocks if u.unlock_ready]
    if unlocked:
        total = sum(u.pending_yocto for u in unlocked)
        return md("✅ **{} unlocked from veNEAR: finish the unlock**", near(total)), GREEN
    first = min(result.timed_unlocks, key=lambda u: u.unlock_unix)
    return md("⏳ **{} veNEAR unlock, usable {}**", near(first.pending_yocto), ts(first.unlock_unix, "R")), AMBER


def _unbonding_verdict(result: UnbondingResult) -> tuple[Md, discord.Colour]:
    if not result.entries and result.timed_unlocks:
        return _timed_unlock_verdict(result)
    if not result.entries:
        text = Md("Nothing is unbonding: no pool checked holds unstaked NEAR for this account.")
        if not result.pools_complete:
            text += Md(" The pool list may be partial.")
        return text, GREY
    real = [e for e in result.entries if e.unstaked_yocto > DUST_YOCTO]
    if not real:
        return Md("Nothing is unbonding: only share-rounding dust is left unstaked (not stuck money)."), GREY
    ready = [e for e in real if e.can_withdraw]
    waiting = [e for e in real if not e.can_withdraw]
    parts: list[Md] = []
    if ready:
        total = sum(e.unstaked_yocto for e in ready)
        parts.append(md("✅ **{} withdrawable now**", near(total)))
    if waiting:
        soonest = min(waiting, key=lambda e: (e.epochs_left is None, e.epochs_left or 0))
        verdict = unbonding_verdict(soonest, result)
        epoch = soonest.available_epoch or soonest.latest_possible_epoch
        at_epoch = md(" (epoch {})", epoch) if epoch else Md("")
        if len(waiting) == 1:
            parts.append(md("⏳ **{} not yet withdrawable: {}**{}", near(soonest.unstaked_yocto), verdict, at_epoch))
        else:
            total = sum(e.unstaked_yocto for e in waiting)
            parts.append(md(
                "⏳ **{} not yet withdrawable** in {} pools; the first, {}, is {}{}",
                near(total), len(waiting), near(soonest.unstaked_yocto), verdict, at_epoch,
            ))
    return Md(" · ").join(parts), GREEN if ready else AMBER


@render_embed.register
def _(result: UnbondingResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _unbonding_verdict(result)
    embed = SafeEmbed(title=md("Unbonding: {}", name(result.account_id)), description=verdict, colour=colour)
    for entry in result.entries:
        embed.add_field(name=name(entry.pool_id), value=_unbonding_value(entry, result), inline=False)
    for unlock in result.timed_unlocks:
        heading, value = timed_unlock_field(unlock)
        embed.add_field(name=heading, value=value, inline=False)
    add_ready_field(embed, result)
    add_problems_and_notes(embed, result.pool_problems, result.notes, "Good to know")
    epoch_hours = result.epoch_length * result.avg_block_seconds / 3600
    at_block = plain(" (block {:,})", result.block_height) if result.block_height is not None else plain("")
    embed.set_footer(text=plain(
        "Current epoch {}{} · an epoch lasts about {:.0f} h · times are estimates · pools checked: {}",
        result.current_epoch, at_block, epoch_hours, result.pools_checked,
    ))
    pairs = [("Account on NearBlocks", result.account_id)] + [(e.pool_id, e.pool_id) for e in result.entries]
    return finish(embed, account_links(pairs, network)[:MAX_ACCOUNT_BUTTONS], answer=result)
