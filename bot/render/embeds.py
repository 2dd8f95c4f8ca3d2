"""Results as Discord embeds: a one-line verdict on top, colour, amounts in NEAR (exact yocto one look away),
Discord timestamps for every time, text progress bars and NearBlocks link buttons.

One function per result type, registered on `render_embed`; a result type without its own embed falls back to
its console text in a code block. Every embed passes through `discord_limits.fit_embed` on the way out.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import singledispatch

import discord

from bot.near.units import format_near
from bot.render.discord_limits import Link, clip, fit_embed, link_view
from bot.render.lockup_kinds import (
    add_venear_fields,
    deployment_line,
    lockup_summary_field,
    timed_unlock_field,
    venear_verdict,
)
from bot.render.text import SCAN_FOUND, duty_lines, role_text
from bot.services.delegations import DUST_YOCTO
from bot.services.results import (
    ActionResult,
    DiagnoseResult,
    EpochResult,
    ErrorResult,
    ExplainResult,
    LiquidResult,
    LockupResult,
    PoolProblem,
    PoolResult,
    Result,
    StatusResult,
    UnbondingEntry,
    UnbondingResult,
)
from bot.services.unbonding import NUM_EPOCHS_TO_UNLOCK

GREEN = discord.Colour(0x2ECC71)
AMBER = discord.Colour(0xF1C40F)
RED = discord.Colour(0xE74C3C)
BLUE = discord.Colour(0x3498DB)
GREY = discord.Colour(0x95A5A6)
SOFT_ORANGE = discord.Colour(0xE67E22)

NEARBLOCKS = {"mainnet": "https://nearblocks.io", "testnet": "https://testnet.nearblocks.io"}
MAX_ACCOUNT_BUTTONS = 5  # one row: the account and its first pools


@dataclass
class Rendered:
    embed: discord.Embed
    links: list[Link] = field(default_factory=list)
    # (filename, bytes) pairs sent as attachments, e.g. a chart or a QR code; an embed may show one as its image.
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def view(self) -> discord.ui.View | None:
        return link_view(self.links)

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]


def nearblocks_url(account_id: str, network: str = "mainnet") -> str:
    return f"{NEARBLOCKS.get(network, NEARBLOCKS['mainnet'])}/address/{account_id}"


def account_link(label: str, account_id: str, network: str) -> Link:
    return Link(label, nearblocks_url(account_id, network))


def ts(unix: int, style: str = "f") -> str:
    """A Discord timestamp, shown in each reader's own time zone and language."""
    return f"<t:{int(unix)}:{style}>"


def when(unix: int) -> str:
    return f"{ts(unix, 'R')} ({ts(unix, 'f')})"


def about(seconds: float) -> str:
    """A rough duration for a verdict line: "~45 min", "~14 h", "~3 d 4 h"."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return f"~{max(1, round(seconds / 60))} min"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"~{hours} h"
    return f"~{hours // 24} d {hours % 24} h" if hours % 24 else f"~{hours // 24} d"


def bar(done: float, total: float, width: int = 20, full: str = "█", empty: str = "░") -> str:
    fraction = 0.0 if total <= 0 else min(1.0, max(0.0, done / total))
    filled = int(fraction * width)
    return full * filled + empty * (width - filled)


def near(yocto: int, decimals: int = 5) -> str:
    return format_near(yocto, decimals)


def exact(yocto: int) -> str:
    return f"`{yocto}` yocto"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def finish(embed: discord.Embed, links: list[Link] | None = None) -> Rendered:
    return Rendered(fit_embed(embed), links or [])


def add_problems_and_notes(embed: discord.Embed, problems: list[PoolProblem], notes: list[str], notes_title: str) -> None:
    """What could not be read, then the notes, as the last fields of an answer."""
    if problems:
        embed.add_field(
            name="⚠️ Could not read", value="\n".join(f"{p.pool_id}: {p.message}" for p in problems), inline=False
        )
    if notes:
        embed.add_field(name=notes_title, value="\n".join(f"• {n}" for n in notes), inline=False)


@singledispatch
def render_embed(result: Result, *, network: str = "mainnet") -> Rendered:
    """Fallback for result types without their own embed: the console text in a code block."""
    from bot.render.text import render_text

    try:
        text = render_text(result)
    except TypeError:  # no text renderer either: the JSON form
        text = result.model_dump_json(indent=1)
    return finish(discord.Embed(description=f"```\n{clip(text, 3900)}\n```", colour=BLUE))


# -- errors ----------------------------------------------------------------------------------------------------

_ERROR_TITLES = {
    "invalid_input": "That doesn't look right",
    "account_not_found": "Account not found",
    "no_contract": "Not a contract",
    "method_not_found": "Not the expected kind of contract",
    "not_a_pool": "Not a staking pool",
    "rpc_unavailable": "Cannot reach the NEAR network right now",
    "rate_limited": "Cannot reach the NEAR network right now",
    "malformed_response": "Cannot reach the NEAR network right now",
    "rpc_request_rejected": "Cannot reach the NEAR network right now",
    "indexer_unavailable": "The staking index cannot be reached right now",
    "internal": "Something went wrong on our side",
    "secret_detected": "Keep that secret",
}
UNREACHABLE_KINDS = frozenset({"rpc_unavailable", "rate_limited", "malformed_response", "rpc_request_rejected"})
UNREACHABLE_TEXT = (
    "The bot cannot reach a NEAR RPC node at the moment. Nothing is wrong with your account or your tokens; "
    "please try again in a minute."
)


@render_embed.register
def _(result: ErrorResult, *, network: str = "mainnet") -> Rendered:
    title = _ERROR_TITLES.get(result.error_kind, "That did not work")
    if result.error_kind in UNREACHABLE_KINDS:
        description = UNREACHABLE_TEXT
        footer = f"Detail: {result.message}"
    else:
        description = result.message
        footer = None
    if result.incident_id:
        description += f"\n\nIncident id: `{result.incident_id}`. Quote it if you report this."
    embed = discord.Embed(title=title, description=description, colour=SOFT_ORANGE)
    if footer:
        embed.set_footer(text=footer)
    return finish(embed)


def error_embed(message: str, *, title: str = "That did not work", incident_id: str | None = None) -> Rendered:
    """A short, kind embed for failures outside a service (cooldowns, checks, unexpected errors)."""
    if incident_id:
        message += f"\n\nIncident id: `{incident_id}`. Quote it if you report this."
    return finish(discord.Embed(title=title, description=message, colour=SOFT_ORANGE))


# -- epoch -----------------------------------------------------------------------------------------------------


@render_embed.register
def _(result: EpochResult, *, network: str = "mainnet") -> Rendered:
    percent = result.progress * 100
    left = result.estimated_end_unix - result.head_unix
    embed = discord.Embed(
        title=f"Epoch {result.epoch_height}",
        description=(
            f"**{percent:.1f} % done, ends {ts(result.estimated_end_unix, 'R')}** ({about(left)})\n"
            f"`{bar(result.blocks_into_epoch, result.epoch_length)}` {percent:.1f} %"
        ),
        colour=BLUE,
    )
    embed.add_field(name="Ends (estimate)", value=when(result.estimated_end_unix), inline=False)
    embed.add_field(
        name="Blocks",
        value=f"{result.blocks_into_epoch:,} of {result.epoch_length:,} done\n{result.blocks_left:,} left",
        inline=True,
    )
    embed.add_field(
        name="Block time",
        value=f"{result.avg_block_seconds:.3f} s on average\nover the last {result.sample_blocks:,} blocks",
        inline=True,
    )
    embed.add_field(
        name="Chain head",
        value=f"block {result.head_height:,}, {ts(result.head_unix, 'R')}\nepoch started at block "
        f"{result.epoch_start_height:,}",
        inline=False,
    )
    embed.set_footer(text="The end time is an estimate from the measured block time; it moves if blocks speed up or slow down.")
    return finish(embed)


# -- pool ------------------------------------------------------------------------------------------------------


def _pool_verdict(result: PoolResult) -> tuple[str, discord.Colour]:
    v = result.validator
    if result.validator_status == "active":
        if v.in_next_epoch:
            verdict, colour = "🟢 **Active validator**, also in the next epoch", GREEN
        else:
            verdict, colour = "🟠 **Active now, but not in the next epoch's validator set**", AMBER
    elif result.validator_status == "kicked_out":
        verdict, colour = f"🔴 **Kicked out of the validator set**: {v.kickout_reason or 'reason unknown'}", RED
    elif result.validator_status == "proposal":
        verdict = "🟡 **Proposed**: not validating this epoch" + (", in the next epoch's set" if v.in_next_epoch else "")
        colour = AMBER
    else:
        verdict, colour = "⚪ **Not validating this epoch**: delegations here earn no rewards now", GREY
    if result.paused:
        verdict += "\n⏸️ **Staking is paused**: new stake here earns nothing until the owner resumes it"
        colour = RED
    return verdict, colour


@render_embed.register
def _(result: PoolResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _pool_verdict(result)
    v = result.validator
    embed = discord.Embed(title=result.pool_id, description=verdict, colour=colour)
    embed.add_field(
        name="Fee", value=f"{result.fee_percent:g} % ({result.fee_numerator}/{result.fee_denominator})", inline=True
    )
    embed.add_field(name="Total staked", value=near(result.total_staked_yocto, 2), inline=True)
    if result.delegator_count is not None:
        embed.add_field(name="Delegators", value=f"{result.delegator_count:,}", inline=True)
    embed.add_field(name="Owner", value=result.owner_id, inline=True)
    embed.add_field(name="Contract", value=result.contract_kind, inline=True)
    embed.add_field(name="Next epoch", value="in the set" if v.in_next_epoch else "**not** in the set", inline=True)
    if v.expected_blocks is not None:
        embed.add_field(
            name=f"This epoch ({result.epoch_height}): {role_text(v)}",
            value="\n".join(duty_lines(v)) or "nothing expected of it yet",
            inline=False,
        )
    embed.set_footer(text=f"Epoch {result.epoch_height} · total staked exactly {result.total_staked_yocto} yocto")
    links = [account_link("Pool on NearBlocks", result.pool_id, network)]
    if result.owner_id != result.pool_id:
        links.append(account_link("Owner on NearBlocks", result.owner_id, network))
    return finish(embed, links)


# -- status ----------------------------------------------------------------------------------------------------


def _status_verdict(result: StatusResult) -> tuple[str, discord.Colour]:
    real = [d for d in result.delegations if d.unstaked_yocto > DUST_YOCTO]  # share-rounding dust is no news
    withdrawable = sum(d.unstaked_yocto for d in real if d.can_withdraw)
    unbonding = sum(d.unstaked_yocto for d in real if not d.can_withdraw)
    staked_pools = [d for d in result.delegations if d.staked_yocto]
    parts: list[str] = []
    colour = BLUE
    if withdrawable:
        parts.append(f"💰 **{near(withdrawable)} withdrawable now**")
        colour = GREEN
    if unbonding:
        parts.append(f"⏳ **{near(unbonding)} unbonding** (see /unbonding)")
        colour = colour if withdrawable else AMBER
    if staked_pools:
        parts.append(f"**{near(result.total_staked_yocto)} staked** in {plural(len(staked_pools), 'pool')}")
    if not parts:
        parts.append(f"No delegations found in {result.delegations_checked}"
                     + ("" if result.delegations_complete else " (some could not be read)"))
        colour = GREY
    return " · ".join(parts), colour


def _delegation_value(d_staked: int, d_unstaked: int, can_withdraw: bool) -> str:
    lines = [f"staked **{near(d_staked)}**"] if d_staked or not d_unstaked else []
    if 0 < d_unstaked <= DUST_YOCTO:
        lines.append(f"unstaked {d_unstaked} yocto: rounding dust, nothing to do")
    elif d_unstaked:
        state = "✅ withdrawable now" if can_withdraw else "⏳ unbonding, not yet withdrawable"
        lines.append(f"unstaked **{near(d_unstaked)}**: {state}")
    return "\n".join(lines)


@render_embed.register
def _(result: StatusResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _status_verdict(result)
    embed = discord.Embed(title=result.account_id, description=verdict, colour=colour)
    wallet = [
        f"balance **{near(result.amount_yocto)}**",
        (f"movable by the owner {near(result.available_yocto)}" if result.lockup_of
         else f"spendable {near(result.available_yocto)}"),
        f"storage reserve {near(result.storage_cost_yocto)} ({result.storage_usage_bytes:,} bytes)",
    ]
    if result.locked_yocto:
        wallet.append(f"locked as validator stake {near(result.locked_yocto)}")
    embed.add_field(name="Wallet", value="\n".join(wallet), inline=False)
    for d in result.delegations:
        missed = f"\n🔎 {SCAN_FOUND}" if d.found_by == "scan" else ""
        embed.add_field(name=d.pool_id, value=_delegation_value(d.staked_yocto, d.unstaked_yocto, d.can_withdraw) + missed)
    if len(result.delegations) > 1:
        embed.add_field(
            name="All pools",
            value=f"staked {near(result.total_staked_yocto)}\nunstaked {near(result.total_unstaked_yocto)}",
        )
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name="Contract", value=deployment, inline=False)
    for lockup in result.lockups or ([result.lockup] if result.lockup else []):
        name, value = lockup_summary_field(lockup)
        embed.add_field(name=name, value=value, inline=False)
    for holding in result.liquid:
        value = f"{format_near(holding.token_balance, 5, unit=False)} {holding.symbol} ≈ {near(holding.near_value_yocto)}"
        if holding.pending_unstake_yocto:
            ready = " (withdrawable now)" if holding.can_withdraw else ""
            value += f"\nunstaking {near(holding.pending_unstake_yocto)}{ready}"
        embed.add_field(name=f"{holding.provider} ({holding.contract_id})", value=value)
    if result.pool_problems:
        embed.add_field(
            name="⚠️ Could not read",
            value="\n".join(f"{p.pool_id}: {p.message}" for p in result.pool_problems),
            inline=False,
        )
    if result.notes:
        embed.add_field(name="Notes", value="\n".join(f"• {n}" for n in result.notes), inline=False)
    embed.set_footer(text=f"Balance exactly {result.amount_yocto} yocto · block {result.block_height:,} · "
                          f"pools checked: {result.delegations_checked}")
    links = [account_link("Account on NearBlocks", result.account_id, network)]
    links += [account_link(d.pool_id, d.pool_id, network) for d in result.delegations]
    return finish(embed, links[:MAX_ACCOUNT_BUTTONS])


# -- unbonding -------------------------------------------------------------------------------------------------


def seconds_until(entry: UnbondingEntry, result: UnbondingResult) -> int | None:
    """Time from the chain head to the estimated withdraw time, measured on the chain's own clock."""
    if entry.estimated_available_unix is None:
        return None
    return entry.estimated_available_unix - result.head_unix


def unbonding_verdict(entry: UnbondingEntry, result: UnbondingResult) -> str:
    if entry.can_withdraw:
        return "withdrawable now"
    if entry.waiting_for not in (None, "epoch"):
        return "unlocked, waiting for the contract to pay out"
    if entry.epochs_left:
        remaining = seconds_until(entry, result)
        eta = f" ({about(remaining)})" if remaining is not None else ""
        return f"ready in {plural(entry.epochs_left, 'epoch')}{eta}"
    return "still unbonding"


def _unbonding_value(entry: UnbondingEntry, result: UnbondingResult) -> str:
    if entry.unstaked_yocto <= DUST_YOCTO:
        return f"{entry.unstaked_yocto} yocto of share-rounding dust: not stuck money, nothing to do"
    lines = [f"**{near(entry.unstaked_yocto)}** unstaked: {unbonding_verdict(entry, result)}"]
    if entry.held_by:
        lines.append(f"Staked by your lockup `{entry.held_by}`: withdraw through it (`from_lockup`).")
    if entry.can_withdraw:
        lines.append(f"`{bar(1, 1, NUM_EPOCHS_TO_UNLOCK * 2, '▰', '▱')}` waiting over")
        lines.append("Withdraw is a separate step: nothing returns to your wallet by itself.")
    elif entry.waiting_note and entry.waiting_for != "epoch":
        lines.append(entry.waiting_note)
    elif entry.available_epoch is not None:
        left = min(NUM_EPOCHS_TO_UNLOCK, entry.epochs_left or 0)
        waited = NUM_EPOCHS_TO_UNLOCK - left
        lines.append(
            f"`{bar(waited, NUM_EPOCHS_TO_UNLOCK, NUM_EPOCHS_TO_UNLOCK * 2, '▰', '▱')}` "
            f"{waited} of {NUM_EPOCHS_TO_UNLOCK} epochs · withdrawable from epoch {entry.available_epoch}"
        )
        if entry.estimated_available_unix is not None:
            lines.append(f"≈ {when(entry.estimated_available_unix)}")
        if entry.estimate_earliest_unix is not None and entry.estimate_latest_unix is not None:
            lines.append(f"between {ts(entry.estimate_earliest_unix)} and {ts(entry.estimate_latest_unix)}")
    elif entry.latest_possible_epoch is not None:
        latest = f", {ts(entry.estimate_latest_unix, 'R')}" if entry.estimate_latest_unix else ""
        lines.append(
            f"The exact epoch could not be read ({entry.source_note or 'unknown'}); it is epoch "
            f"{entry.latest_possible_epoch} at the latest{latest}."
        )
    lines.append(f"exactly {exact(entry.unstaked_yocto)}")
    return "\n".join(lines)


def _unbonding_verdict(result: UnbondingResult) -> tuple[str, discord.Colour]:
    if not result.entries and result.timed_unlocks:
        ready = [u for u in result.timed_unlocks if u.unlock_ready]
        if ready:
            return f"✅ **{near(sum(u.pending_yocto for u in ready))} unlocked from veNEAR: finish the unlock**", GREEN
        first = min(result.timed_unlocks, key=lambda u: u.unlock_unix)
        return f"⏳ **{near(first.pending_yocto)} veNEAR unlock, usable {ts(first.unlock_unix, 'R')}**", AMBER
    if not result.entries:
        text = "Nothing is unbonding: no pool checked holds unstaked NEAR for this account."
        if not result.pools_complete:
            text += " The pool list may be partial."
        return text, GREY
    real = [e for e in result.entries if e.unstaked_yocto > DUST_YOCTO]
    if not real:
        return "Nothing is unbonding: only share-rounding dust is left unstaked (not stuck money).", GREY
    ready = [e for e in real if e.can_withdraw]
    waiting = [e for e in real if not e.can_withdraw]
    parts: list[str] = []
    if ready:
        total = sum(e.unstaked_yocto for e in ready)
        parts.append(f"✅ **{near(total)} withdrawable now**")
    if waiting:
        soonest = min(waiting, key=lambda e: (e.epochs_left is None, e.epochs_left or 0))
        verdict = unbonding_verdict(soonest, result)
        epoch = soonest.available_epoch or soonest.latest_possible_epoch
        at_epoch = f" (epoch {epoch})" if epoch else ""
        if len(waiting) == 1:
            parts.append(f"⏳ **{near(soonest.unstaked_yocto)} not yet withdrawable: {verdict}**{at_epoch}")
        else:
            total = sum(e.unstaked_yocto for e in waiting)
            parts.append(
                f"⏳ **{near(total)} not yet withdrawable** in {len(waiting)} pools; the first, "
                f"{near(soonest.unstaked_yocto)}, is {verdict}{at_epoch}"
            )
    return " · ".join(parts), GREEN if ready else AMBER


@render_embed.register
def _(result: UnbondingResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _unbonding_verdict(result)
    embed = discord.Embed(title=f"Unbonding: {result.account_id}", description=verdict, colour=colour)
    for entry in result.entries:
        embed.add_field(name=entry.pool_id, value=_unbonding_value(entry, result), inline=False)
    for unlock in result.timed_unlocks:
        name, value = timed_unlock_field(unlock)
        embed.add_field(name=name, value=value, inline=False)
    add_problems_and_notes(embed, result.pool_problems, result.notes, "Good to know")
    epoch_hours = result.epoch_length * result.avg_block_seconds / 3600
    at_block = f" (block {result.block_height:,})" if result.block_height is not None else ""
    embed.set_footer(
        text=f"Current epoch {result.current_epoch}{at_block} · an epoch lasts about {epoch_hours:.0f} h · times are "
        f"estimates · pools checked: {result.pools_checked}"
    )
    links = [account_link("Account on NearBlocks", result.account_id, network)]
    links += [account_link(e.pool_id, e.pool_id, network) for e in result.entries]
    return finish(embed, links[:MAX_ACCOUNT_BUTTONS])


# -- lockup -------------------------------------------------------------------------------------------------------


def _lockup_verdict(result: LockupResult) -> tuple[str, discord.Colour]:
    transferable = result.liquid_owners_balance_yocto
    if not result.transfers_enabled:
        return "🔒 **All locked until `check_transfers_vote` is called**", RED
    if result.locked_yocto == 0:
        return f"✅ **Fully unlocked: {near(transferable)} transferable**", GREEN
    return f"⏳ **{near(result.locked_yocto)} locked, {near(transferable)} transferable now**", AMBER


@render_embed.register
def _(result: LockupResult, *, network: str = "mainnet") -> Rendered:
    if result.venear is not None:
        return _venear_lockup(result, network)
    verdict, colour = _lockup_verdict(result)
    moment = "at " + when(result.at_unix) + " (projected, no new transactions)" if result.projected else "now"
    embed = discord.Embed(title=f"Lockup of {result.owner_id}", description=f"{verdict}\n{moment}", colour=colour)
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name="Contract", value=f"`{result.lockup_id}` runs a {deployment}", inline=False)
    done = result.lockup_amount_yocto - min(result.locked_yocto, result.lockup_amount_yocto)
    embed.add_field(
        name="Balances",
        value=(
            f"locked **{near(result.locked_yocto)}** ({exact(result.locked_yocto)})\n"
            f"owner's balance **{near(result.owners_balance_yocto)}**\n"
            f"transferable **{near(result.liquid_owners_balance_yocto)}** ({exact(result.liquid_owners_balance_yocto)})\n"
            f"`{bar(done, result.lockup_amount_yocto)}` unlocked of {near(result.lockup_amount_yocto, 2)}"
        ),
        inline=False,
    )
    account = f"on the lockup account {near(result.account_balance_yocto)}"
    if result.staking_pool_id:
        account += f"; staked through {result.staking_pool_id} (counted: {near(result.known_deposited_yocto)})"
    embed.add_field(name="Where the tokens are", value=account, inline=False)
    if result.fully_unlocked_unix:
        caveat = " (after `check_transfers_vote`)" if result.unlock_assumes_transfers_vote else ""
        embed.add_field(name="Fully unlocked", value=when(result.fully_unlocked_unix) + caveat, inline=False)
    if result.milestones:
        embed.add_field(
            name="Next milestones",
            value="\n".join(
                f"{m.name.replace('_', ' ')}: {when(m.unix)}, then {near(m.locked_after_yocto)} locked"
                for m in result.milestones[:4]
            ),
            inline=False,
        )
    for action in result.actions[:4]:
        embed.add_field(name=f"What to do: {action.action}", value=action.text, inline=False)
    if result.disagreement:
        embed.add_field(name="⚠ Contract and computation differ", value=result.disagreement, inline=False)
    embed.set_footer(
        text=f"Contract {result.version} · storage minimum {near(result.min_balance_for_storage_yocto, 1)} · "
        "you sign any change in your own wallet"
    )
    files: list[tuple[str, bytes]] = []
    from bot.render.charts import lockup_chart_png  # matplotlib loads only when a chart is drawn

    chart = lockup_chart_png(result)
    if chart is not None:
        files.append(("lockup.png", chart))
        embed.set_image(url="attachment://lockup.png")
    rendered = finish(embed, [account_link("Lockup on NearBlocks", result.lockup_id, network)])
    rendered.files = files
    return rendered


def _venear_lockup(result: LockupResult, network: str) -> Rendered:
    verdict, colour = venear_verdict(result)
    moment = "at " + when(result.at_unix) + " (projected, no new transactions)" if result.projected else "now"
    embed = discord.Embed(
        title=f"House of Stake lockup of {result.owner_id}", description=f"{verdict}\n{moment}", colour=colour
    )
    add_venear_fields(embed, result)
    for action in result.actions[:5]:
        embed.add_field(name=f"What to do: {action.action.replace('_', ' ')}", value=action.text, inline=False)
    if result.disagreement:
        embed.add_field(name="⚠ Contract and computation differ", value=result.disagreement, inline=False)
    if result.other_lockups:
        embed.add_field(name="Your other lockups", value=", ".join(f"`{x}`" for x in result.other_lockups),
                        inline=False)
    embed.set_footer(text=f"Contract {result.version} · storage deposit {near(result.min_balance_for_storage_yocto, 1)} "
                     "· you sign any change in your own wallet")
    return finish(embed, [account_link("Lockup on NearBlocks", result.lockup_id, network)])


# -- liquid staking -------------------------------------------------------------------------------------------------


@render_embed.register
def _(result: LiquidResult, *, network: str = "mainnet") -> Rendered:
    total = sum(p.near_value_yocto for p in result.positions)
    pending = sum(p.pending_unstake_yocto or 0 for p in result.positions)
    if not result.positions:
        verdict, colour = "No liquid-staking tokens or pending unstakes found", GREY
    else:
        verdict, colour = f"💧 **{near(total)} in liquid-staking tokens**", BLUE
        if pending:
            verdict += f", {near(pending)} unstaking"
    embed = discord.Embed(title=f"Liquid staking of {result.account_id}", description=verdict, colour=colour)
    for position in result.positions:
        lines = [
            f"{near(position.token_balance).removesuffix(' NEAR')} {position.symbol} ≈ **{near(position.near_value_yocto)}**",
            f"price {near(position.price_yocto)} per {position.symbol}",
        ]
        entry = position.unbonding
        if position.pending_unstake_yocto:
            if position.can_withdraw:
                lines.append(f"✅ {near(position.pending_unstake_yocto)} unstaked: withdrawable now (a separate step)")
            elif entry is not None and entry.waiting_note and entry.waiting_for != "epoch":
                lines.append(f"⏳ {near(position.pending_unstake_yocto)} unlocked, not payable yet: {entry.waiting_note}")
            elif entry is not None and entry.estimated_available_unix:
                lines.append(
                    f"⏳ {near(position.pending_unstake_yocto)} unstaking: epoch {entry.available_epoch}, "
                    f"{when(entry.estimated_available_unix)}"
                )
            else:
                lines.append(f"⏳ {near(position.pending_unstake_yocto)} unstaking")
        if position.instant_exit == "liquid_unstake" and position.instant_receive_yocto is not None:
            lines.append(
                f"instant exit now: {near(position.instant_receive_yocto)} (fee {near(position.instant_fee_yocto or 0)}) "
                f"vs waiting {plural(position.wait_epochs, 'epoch')}"
            )
        elif position.token_balance:
            lines.append(f"instant exit: a DEX swap (fees and slippage); or wait {plural(position.wait_epochs, 'epoch')}")
        embed.add_field(name=f"{position.provider} ({position.contract_id})", value="\n".join(lines), inline=False)
    for problem in result.provider_problems[:3]:
        embed.add_field(name=f"⚠ {problem.pool_id}", value=problem.message, inline=False)
    return finish(embed, [account_link("Account on NearBlocks", result.account_id, network)])


# -- support: explain and diagnose ---------------------------------------------------------------------------------


@render_embed.register
def _(result: ExplainResult, *, network: str = "mainnet") -> Rendered:
    description = f"{result.text}\n\n➡️ **Your own case:** `{result.command}`"
    embed = discord.Embed(title=result.title, description=description, colour=BLUE)
    if result.notes:
        embed.add_field(name="Note", value="\n".join(result.notes), inline=False)
    footer = f"/explain {result.topic}"
    if result.live is not None:
        footer += (
            f" · live: epoch {result.live.epoch_height}, {result.live.epoch_length:,} blocks per epoch, "
            f"{result.live.avg_block_seconds:.3f} s per block measured · times are estimates"
        )
    embed.set_footer(text=footer)
    return finish(embed)


_CASE_MARK = {"action": "👉", "warning": "⚠️", "wait": "⏳", "info": "ℹ️", "ok": "✅"}


def _diagnose_verdict(result: DiagnoseResult) -> tuple[str, discord.Colour]:
    counts = {severity: sum(1 for c in result.cases if c.severity == severity) for severity in _CASE_MARK}
    parts = []
    if counts["action"]:
        parts.append(f"👉 **{plural(counts['action'], 'thing')} to do**")
    if counts["warning"]:
        parts.append(f"⚠️ **{plural(counts['warning'], 'warning')}**")
    if counts["wait"]:
        parts.append(f"⏳ **{plural(counts['wait'], 'wait')} in progress**: nothing is lost")
    if not parts:
        return "✅ **Nothing looks stuck.**", GREEN
    colour = AMBER if counts["action"] or counts["warning"] else BLUE
    return " · ".join(parts), colour


@render_embed.register
def _(result: DiagnoseResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _diagnose_verdict(result)
    embed = discord.Embed(title=f"Diagnosis: {result.account_id}", description=verdict, colour=colour)
    for case in result.cases:
        value = case.text
        if case.estimated_available_unix is not None and case.severity in ("wait", "info"):
            value += f"\n≈ {when(case.estimated_available_unix)}"
        if case.next_command:
            value += f"\n**Next:** `{case.next_command}`"
        embed.add_field(name=f"{_CASE_MARK[case.severity]} {case.title}", value=value, inline=False)
    add_problems_and_notes(embed, result.problems, result.notes, "Notes")
    epoch_hours = result.epoch_length * result.avg_block_seconds / 3600
    at_block = f" (block {result.block_height:,})" if result.block_height is not None else ""
    embed.set_footer(
        text=f"Epoch {result.current_epoch}{at_block} · an epoch lasts about {epoch_hours:.1f} h right now · times are "
        f"estimates · pools checked: {result.checked} · the bot never needs your keys"
    )
    return finish(embed, [account_link("Account on NearBlocks", result.account_id, network)])


# -- prepared actions (stake / unstake / withdraw / transfer) ---------------------------------------------------------

_ERROR_TITLES.setdefault("action_refused", "Not prepared: this would fail or cost you")
QR_FILENAME = "mynearwallet-qr.png"
_ACTION_VERBS = {
    "stake": "Stake", "unstake": "Unstake", "withdraw": "Withdraw", "transfer": "Transfer",
    "venear_lock": "Lock for veNEAR", "venear_unlock": "Start a veNEAR unlock",
    "venear_end_unlock": "Finish a veNEAR unlock", "venear_relock": "Lock pending NEAR again",
}


def _call_text(receiver: str, method: str, args: dict[str, object], deposit: int, gas: int) -> str:
    args_json = json.dumps(args, separators=(",", ":"))
    deposit_text = f"**{near(deposit, 24)}** (`{deposit}` yocto)" if deposit else "0 (none attached)"
    return (
        f"receiver `{receiver}`\nmethod `{method}`\nargs `{args_json}`\ndeposit {deposit_text}\n"
        f"gas {gas // 10**12} TGas (unused gas is refunded)"
    )


def _chunks(lines: list[str], limit: int = 1000) -> list[str]:
    """Bullet lines packed into field values of at most `limit` characters (a longer line is clipped)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


@render_embed.register
def _(result: ActionResult, *, network: str = "mainnet") -> Rendered:
    from bot.render.discord_limits import BUTTON_URL
    from bot.render.qr import qr_png

    count = len(result.transactions)
    verb = _ACTION_VERBS.get(result.action, result.action.title())
    target = result.receiver_id if result.action == "transfer" else result.pool_id
    title = f"{verb}: {result.signer_id} → {target}"
    steps_word = f"{count} transactions, signed in order" if count > 1 else "one transaction"
    description = [
        f"✍️ **Ready for your wallet** ({steps_word}): {result.summary}",
        "You review and sign it in **your own wallet**. Nobody, this bot included, ever needs your seed phrase "
        "or private key.",
    ]
    sign_url = result.links.get("mynearwallet", "")
    step_urls = [result.links[f"mynearwallet_step_{i}"] for i in range(1, count + 1) if f"mynearwallet_step_{i}" in result.links]
    buttons: list[Link] = []
    if sign_url and len(sign_url) <= BUTTON_URL:
        buttons.append(Link("Sign in MyNearWallet" if count == 1 else f"Sign all {count} steps", sign_url))
    elif sign_url:
        description.append(f"[Sign all {count} steps in MyNearWallet]({sign_url}) (too long for a button)")
    for index, url in enumerate(step_urls, start=1):
        if len(url) <= BUTTON_URL:
            buttons.append(Link(f"Step {index} only", url))
        else:
            description.append(f"[Step {index} only]({url})")
    if result.links.get("mynearwallet_staking"):
        buttons.append(Link("Wallet staking page", result.links["mynearwallet_staking"]))
    colour = AMBER if result.warnings else GREEN
    embed = discord.Embed(title=title, description="\n".join(description), colour=colour)
    for index, tx in enumerate(result.transactions, start=1):
        for call in tx.actions:
            name = f"Step {index} of {count}: {call.method_name}" if count > 1 else f"The transaction: {call.method_name}"
            embed.add_field(
                name=name, value=_call_text(tx.receiver_id, call.method_name, call.args, call.deposit, call.gas),
                inline=False,
            )
    for number, chunk in enumerate(_chunks([f"⚠️ {w}" for w in result.warnings])):
        embed.add_field(name="Check before signing" if number == 0 else "…more", value=chunk, inline=False)
    command = result.commands.get("near_cli_rs", "")
    lines = command.splitlines()
    if len(command) <= 1000:
        embed.add_field(name="Or sign with near-cli-rs", value=f"```\n{command}\n```", inline=False)
    else:
        for index, line in enumerate(lines, start=1):
            embed.add_field(name=f"near-cli-rs, step {index}", value=f"```\n{clip(line, 1000)}\n```", inline=False)
    how = [s for s in result.steps if "seed phrase" not in s]
    if how:
        embed.add_field(name="How to sign", value="\n".join(f"• {s}" for s in how), inline=False)
    files: list[tuple[str, bytes]] = []
    png = qr_png(sign_url) if sign_url else None
    if png is not None:
        files.append((QR_FILENAME, png))
        embed.set_image(url=f"attachment://{QR_FILENAME}")
    amount = f"exactly {result.amount_yocto} yocto · " if result.amount_yocto is not None else ""
    embed.set_footer(text=f"{amount}QR code = the MyNearWallet link, for a phone wallet · gas unused is refunded")
    rendered = finish(embed, buttons)
    rendered.files.extend(files)
    return rendered
