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

from bot.near.account_id import is_valid_account_id
from bot.near.units import format_near
from bot.near.wallet_links import NEARBLOCKS, nearblocks_account_url
from bot.render.discord_limits import Control, Link, SafeEmbed, fit_embed, rows_view
from bot.render.lockup_kinds import (
    add_lockup_actions,
    add_venear_fields,
    deployment_line,
    lockup_summary_field,
    timed_unlock_field,
    venear_verdict,
)
from bot.render.ready import ALL, ReadyRow, button_rows, ready_line, ready_lines, ready_rows
from bot.render.safe import (
    Md,
    Plain,
    SafeUrl,
    checked_url,
    clip_md,
    code,
    code_block,
    esc,
    md,
    md_link,
    plain,
    prose,
    trusted_markdown,
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

MAX_ACCOUNT_BUTTONS = 5  # one row: the account and its first pools
NAME_LIMIT = 100  # characters of an untrusted id or name shown (a valid account id has at most 64)


@dataclass
class Rendered:
    embed: discord.Embed
    links: list[Link] = field(default_factory=list)
    # (filename, bytes) pairs sent as attachments, e.g. a chart or a QR code; an embed may show one as its image.
    files: list[tuple[str, bytes]] = field(default_factory=list)
    ready: list[ReadyRow] = field(default_factory=list)  # the steps ready to sign, a row of buttons each
    details: Result | None = None  # the answer whose technical details "All details" shows

    def detail_items(self) -> dict[str, Result]:
        """What each Details button of the message shows: a step's action answer, or the whole answer's details."""
        items: dict[str, Result] = {str(index): row.plan for index, row in enumerate(self.ready)}
        if self.details is not None:
            items[ALL] = self.details
        return items

    def rows(self, token: str | None = None) -> list[list[Link | Control]]:
        """The buttons, row by row; Details buttons only with a `token` under which their details are kept."""
        return button_rows(self.ready, self.links, token, details=self.details is not None)

    def view(self, token: str | None = None) -> discord.ui.View | None:
        return rows_view(self.rows(token))

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(data), filename=name) for name, data in self.files]


def name(text: object) -> Md:
    """An untrusted id or name (account, pool, owner, provider), escaped and kept short."""
    return esc(text, limit=NAME_LIMIT)


def nearblocks_url(account_id: str, network: str = "mainnet") -> SafeUrl | None:
    """The explorer page of a valid account id; None for anything else (it never goes into a URL)."""
    if not is_valid_account_id(account_id):
        return None
    return checked_url(nearblocks_account_url(account_id, network if network in NEARBLOCKS else "mainnet"))


def account_links(pairs: list[tuple[str, str]], network: str) -> list[Link]:
    """(label, account id) pairs as NearBlocks buttons; ids that are not valid account ids get none."""
    links = []
    for label, account_id in pairs:
        url = nearblocks_url(account_id, network)
        if url is not None:
            links.append(Link(label, url))
    return links


def ts(unix: int, style: str = "f") -> Md:
    """A Discord timestamp, shown in each reader's own time zone and language."""
    return md("<t:{}:{}>", int(unix), style)


def when(unix: int) -> Md:
    return md("{} ({})", ts(unix, "R"), ts(unix, "f"))


def about(seconds: float) -> Md:
    """A rough duration for a verdict line: "~45 min", "~14 h", "~3 d 4 h"."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return md("~{} min", max(1, round(seconds / 60)))
    hours = round(seconds / 3600)
    if hours < 48:
        return md("~{} h", hours)
    return md("~{} d {} h", hours // 24, hours % 24) if hours % 24 else md("~{} d", hours // 24)


def bar(done: float, total: float, width: int = 20, full: str = "█", empty: str = "░") -> str:
    fraction = 0.0 if total <= 0 else min(1.0, max(0.0, done / total))
    filled = int(fraction * width)
    return full * filled + empty * (width - filled)


def near(yocto: int, decimals: int = 5) -> str:
    return format_near(yocto, decimals)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def finish(embed: SafeEmbed, links: list[Link] | None = None, *, answer: Result | None = None) -> Rendered:
    """The embed within Discord's limits; with `answer`, the buttons of its steps ready to sign and "All details"."""
    if answer is None:
        return Rendered(fit_embed(embed), links or [])
    return Rendered(fit_embed(embed), links or [], ready=ready_rows(answer), details=answer)


def add_ready_field(embed: SafeEmbed, answer: Result) -> None:
    """One field listing an answer's recommended steps, most useful first (status, unbonding, liquid)."""
    lines = ready_lines(answer)
    if lines:
        embed.add_field(name=Md("👉 What to do now"), value=LINES.join(lines), inline=False)


LINES = Md("\n")
BULLETS = Md("\n• ")


def bullets(texts: list[str]) -> Md:
    """Sentences the bot composed (notes, warnings) as bullet lines."""
    return Md("• ") + BULLETS.join(prose(t) for t in texts)


def problem_lines(problems: list[PoolProblem]) -> Md:
    return LINES.join(md("{}: {}", name(p.pool_id), prose(p.message)) for p in problems)


def add_problems_and_notes(embed: SafeEmbed, problems: list[PoolProblem], notes: list[str], notes_title: str) -> None:
    """What could not be read, then the notes, as the last fields of an answer."""
    if problems:
        embed.add_field(name=Md("⚠️ Could not read"), value=problem_lines(problems), inline=False)
    if notes:
        embed.add_field(name=esc(notes_title), value=bullets(notes), inline=False)


@singledispatch
def render_embed(result: Result, *, network: str = "mainnet") -> Rendered:
    """Fallback for result types without their own embed: the console text (already cleaned) in a code block."""
    from bot.render.text import render_text

    try:
        text = render_text(result)
    except TypeError:  # no text renderer either: the JSON form
        text = result.model_dump_json(indent=1)
    return finish(SafeEmbed(description=code_block(text, limit=3900), colour=BLUE))


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
    footer = None
    if result.error_kind in UNREACHABLE_KINDS:
        description = esc(UNREACHABLE_TEXT)
        footer = plain("Detail: {}", result.message)
    else:
        description = prose(result.message)
    if result.incident_id:
        description += md("\n\nIncident id: {}. Quote it if you report this.", code(result.incident_id))
    embed = SafeEmbed(title=esc(title), description=description, colour=SOFT_ORANGE)
    if footer:
        embed.set_footer(text=footer)
    return finish(embed)


def error_embed(
    message: str | Md, *, title: str | Md = "That did not work", incident_id: str | None = None
) -> Rendered:
    """A short, kind embed for failures outside a service (cooldowns, checks, unexpected errors). A plain `str`
    message is untrusted prose (escaped, `code` kept); pass Md for the bot's own markdown."""
    text = message if type(message) is Md else prose(message)
    if incident_id:
        text += md("\n\nIncident id: {}. Quote it if you report this.", code(incident_id))
    heading = title if type(title) is Md else esc(title)
    return finish(SafeEmbed(title=heading, description=text, colour=SOFT_ORANGE))


# -- epoch -----------------------------------------------------------------------------------------------------


@render_embed.register
def _(result: EpochResult, *, network: str = "mainnet") -> Rendered:
    percent = result.progress * 100
    left = result.estimated_end_unix - result.head_unix
    embed = SafeEmbed(
        title=md("Epoch {}", result.epoch_height),
        description=md(
            "**{p:.1f} % done, ends {end}** ({left})\n`{bar}` {p:.1f} %",
            p=percent, end=ts(result.estimated_end_unix, "R"), left=about(left),
            bar=bar(result.blocks_into_epoch, result.epoch_length),
        ),
        colour=BLUE,
    )
    embed.add_field(name=Md("Ends (estimate)"), value=when(result.estimated_end_unix), inline=False)
    embed.add_field(
        name=Md("Blocks"),
        value=md("{:,} of {:,} done\n{:,} left", result.blocks_into_epoch, result.epoch_length, result.blocks_left),
        inline=True,
    )
    embed.add_field(
        name=Md("Block time"),
        value=md("{:.3f} s on average\nover the last {:,} blocks", result.avg_block_seconds, result.sample_blocks),
        inline=True,
    )
    embed.add_field(
        name=Md("Chain head"),
        value=md("block {:,}, {}\nepoch started at block {:,}", result.head_height, ts(result.head_unix, "R"),
                 result.epoch_start_height),
        inline=False,
    )
    embed.set_footer(text=Plain(
        "The end time is an estimate from the measured block time; it moves if blocks speed up or slow down."
    ))
    return finish(embed)


# -- pool ------------------------------------------------------------------------------------------------------


def _pool_verdict(result: PoolResult) -> tuple[Md, discord.Colour]:
    v = result.validator
    if result.validator_status == "active":
        if v.in_next_epoch:
            verdict, colour = Md("🟢 **Active validator**, also in the next epoch"), GREEN
        else:
            verdict, colour = Md("🟠 **Active now, but not in the next epoch's validator set**"), AMBER
    elif result.validator_status == "kicked_out":
        verdict = md("🔴 **Kicked out of the validator set**: {}", v.kickout_reason or "reason unknown")
        colour = RED
    elif result.validator_status == "proposal":
        verdict = Md("🟡 **Proposed**: not validating this epoch") + (
            Md(", in the next epoch's set") if v.in_next_epoch else Md(""))
        colour = AMBER
    else:
        verdict, colour = Md("⚪ **Not validating this epoch**: delegations here earn no rewards now"), GREY
    if result.paused:
        verdict += Md("\n⏸️ **Staking is paused**: new stake here earns nothing until the owner resumes it")
        colour = RED
    return verdict, colour


@render_embed.register
def _(result: PoolResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _pool_verdict(result)
    v = result.validator
    embed = SafeEmbed(title=name(result.pool_id), description=verdict, colour=colour)
    embed.add_field(
        name=Md("Fee"), value=md("{:g} % ({}/{})", result.fee_percent, result.fee_numerator, result.fee_denominator),
        inline=True,
    )
    embed.add_field(name=Md("Total staked"), value=esc(near(result.total_staked_yocto, 2)), inline=True)
    if result.delegator_count is not None:
        embed.add_field(name=Md("Delegators"), value=md("{:,}", result.delegator_count), inline=True)
    # The owner is whatever text the contract returns: shown escaped, linked only when it is a valid account id.
    embed.add_field(name=Md("Owner"), value=name(result.owner_id), inline=True)
    embed.add_field(name=Md("Contract"), value=name(result.contract_kind), inline=True)
    embed.add_field(name=Md("Next epoch"), value=Md("in the set") if v.in_next_epoch else Md("**not** in the set"),
                    inline=True)
    if v.expected_blocks is not None:
        duties = [esc(line) for line in duty_lines(v)]
        embed.add_field(
            name=md("This epoch ({}): {}", result.epoch_height, role_text(v)),
            value=LINES.join(duties) if duties else Md("nothing expected of it yet"),
            inline=False,
        )
    embed.set_footer(text=plain("Epoch {} · total staked exactly {} yocto", result.epoch_height,
                                result.total_staked_yocto))
    pairs = [("Pool on NearBlocks", result.pool_id)]
    if result.owner_id != result.pool_id:
        pairs.append(("Owner on NearBlocks", result.owner_id))
    return finish(embed, account_links(pairs, network))


# -- status ----------------------------------------------------------------------------------------------------


def _status_verdict(result: StatusResult) -> tuple[Md, discord.Colour]:
    real = [d for d in result.delegations if d.unstaked_yocto > DUST_YOCTO]  # share-rounding dust is no news
    withdrawable = sum(d.unstaked_yocto for d in real if d.can_withdraw)
    unbonding = sum(d.unstaked_yocto for d in real if not d.can_withdraw)
    staked_pools = [d for d in result.delegations if d.staked_yocto]
    parts: list[Md] = []
    colour = BLUE
    if withdrawable:
        parts.append(md("💰 **{} withdrawable now**", near(withdrawable)))
        colour = GREEN
    if unbonding:
        parts.append(md("⏳ **{} unbonding** (see /unbonding)", near(unbonding)))
        colour = colour if withdrawable else AMBER
    if staked_pools:
        parts.append(md("**{} staked** in {}", near(result.total_staked_yocto), plural(len(staked_pools), "pool")))
    if not parts:
        partial = Md("") if result.delegations_complete else Md(" (some could not be read)")
        parts.append(md("No delegations found in {}", result.delegations_checked) + partial)
        colour = GREY
    return Md(" · ").join(parts), colour


def _delegation_value(d_staked: int, d_unstaked: int, can_withdraw: bool) -> Md:
    lines = [md("staked **{}**", near(d_staked))] if d_staked or not d_unstaked else []
    if 0 < d_unstaked <= DUST_YOCTO:
        lines.append(Md("unstaked: rounding dust (less than 0.00001 NEAR), nothing to do"))
    elif d_unstaked:
        state = Md("✅ withdrawable now") if can_withdraw else Md("⏳ unbonding, not yet withdrawable")
        lines.append(md("unstaked **{}**: {}", near(d_unstaked), state))
    return LINES.join(lines)


@render_embed.register
def _(result: StatusResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _status_verdict(result)
    embed = SafeEmbed(title=name(result.account_id), description=verdict, colour=colour)
    wallet = [
        md("balance **{}**", near(result.amount_yocto)),
        md("movable by the owner {}", near(result.available_yocto)) if result.lockup_of
        else md("spendable {}", near(result.available_yocto)),
        md("storage reserve {} ({:,} bytes)", near(result.storage_cost_yocto), result.storage_usage_bytes),
    ]
    if result.locked_yocto:
        wallet.append(md("locked as validator stake {}", near(result.locked_yocto)))
    embed.add_field(name=Md("Wallet"), value=LINES.join(wallet), inline=False)
    for d in result.delegations:
        missed = md("\n🔎 {}", SCAN_FOUND) if d.found_by == "scan" else Md("")
        embed.add_field(name=name(d.pool_id),
                        value=_delegation_value(d.staked_yocto, d.unstaked_yocto, d.can_withdraw) + missed)
    if len(result.delegations) > 1:
        embed.add_field(
            name=Md("All pools"),
            value=md("staked {}\nunstaked {}", near(result.total_staked_yocto), near(result.total_unstaked_yocto)),
        )
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name=Md("Contract"), value=deployment, inline=False)
    for lockup in result.lockups or ([result.lockup] if result.lockup else []):
        heading, value = lockup_summary_field(lockup)
        embed.add_field(name=heading, value=value, inline=False)
    for holding in result.liquid:
        value = md("{} {} ≈ {}", format_near(holding.token_balance, 5, unit=False), name(holding.symbol),
                   near(holding.near_value_yocto))
        if holding.pending_unstake_yocto:
            ready = Md(" (withdrawable now)") if holding.can_withdraw else Md("")
            value += md("\nunstaking {}{}", near(holding.pending_unstake_yocto), ready)
        embed.add_field(name=md("{} ({})", name(holding.provider), name(holding.contract_id)), value=value)
    add_ready_field(embed, result)
    add_problems_and_notes(embed, result.pool_problems, result.notes, "Notes")
    embed.set_footer(text=plain("Block {:,} · pools checked: {} · exact amounts under All details",
                                result.block_height, result.delegations_checked))
    pairs = [("Account on NearBlocks", result.account_id)] + [(d.pool_id, d.pool_id) for d in result.delegations]
    return finish(embed, account_links(pairs, network)[:MAX_ACCOUNT_BUTTONS], answer=result)


# -- unbonding -------------------------------------------------------------------------------------------------


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


def _unbonding_verdict(result: UnbondingResult) -> tuple[Md, discord.Colour]:
    if not result.entries and result.timed_unlocks:
        ready = [u for u in result.timed_unlocks if u.unlock_ready]
        if ready:
            total = sum(u.pending_yocto for u in ready)
            return md("✅ **{} unlocked from veNEAR: finish the unlock**", near(total)), GREEN
        first = min(result.timed_unlocks, key=lambda u: u.unlock_unix)
        return md("⏳ **{} veNEAR unlock, usable {}**", near(first.pending_yocto), ts(first.unlock_unix, "R")), AMBER
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


# -- lockup -------------------------------------------------------------------------------------------------------


def _lockup_verdict(result: LockupResult) -> tuple[Md, discord.Colour]:
    transferable = result.liquid_owners_balance_yocto
    if not result.transfers_enabled:
        return Md("🔒 **All locked until the lockup records the transfers vote** (one call from you: see below)"), RED
    if result.locked_yocto == 0:
        return md("✅ **Fully unlocked: {} transferable**", near(transferable)), GREEN
    return md("⏳ **{} locked, {} transferable now**", near(result.locked_yocto), near(transferable)), AMBER


@render_embed.register
def _(result: LockupResult, *, network: str = "mainnet") -> Rendered:
    if result.venear is not None:
        return _venear_lockup(result, network)
    verdict, colour = _lockup_verdict(result)
    embed = SafeEmbed(title=md("Lockup of {}", name(result.owner_id)),
                      description=md("{}\n{}", verdict, _lockup_moment(result)), colour=colour)
    deployment = deployment_line(result.deployment, result.global_contract_hash, result.global_contract_account_id)
    if deployment:
        embed.add_field(name=Md("Contract"), value=md("{} runs a {}", code(result.lockup_id), deployment), inline=False)
    done = result.lockup_amount_yocto - min(result.locked_yocto, result.lockup_amount_yocto)
    embed.add_field(
        name=Md("Balances"),
        value=md(
            "locked **{}**\nowner's balance **{}**\ntransferable **{}**\n`{}` unlocked of {}",
            near(result.locked_yocto), near(result.owners_balance_yocto), near(result.liquid_owners_balance_yocto),
            bar(done, result.lockup_amount_yocto), near(result.lockup_amount_yocto, 2),
        ),
        inline=False,
    )
    account = md("on the lockup account {}", near(result.account_balance_yocto))
    if result.staking_pool_id:
        account += md("; staked through {} (counted: {})", name(result.staking_pool_id),
                      near(result.known_deposited_yocto))
    embed.add_field(name=Md("Where the tokens are"), value=account, inline=False)
    if result.fully_unlocked_unix:
        caveat = Md(" (once the transfers vote is recorded)") if result.unlock_assumes_transfers_vote else Md("")
        embed.add_field(name=Md("Fully unlocked"), value=when(result.fully_unlocked_unix) + caveat, inline=False)
    if result.milestones:
        embed.add_field(
            name=Md("Next milestones"),
            value=LINES.join(
                md("{}: {}, then {} locked", m.name.replace("_", " "), when(m.unix), near(m.locked_after_yocto))
                for m in result.milestones[:4]
            ),
            inline=False,
        )
    add_lockup_actions(embed, result)
    if result.disagreement:
        embed.add_field(name=Md("⚠ Contract and computation differ"), value=prose(result.disagreement), inline=False)
    embed.set_footer(text=plain(
        "Contract {} · storage minimum {} · you sign any change in your own wallet", result.version,
        near(result.min_balance_for_storage_yocto, 1),
    ))
    files: list[tuple[str, bytes]] = []
    from bot.render.charts import lockup_chart_png  # matplotlib loads only when a chart is drawn

    chart = lockup_chart_png(result)
    if chart is not None:
        files.append(("lockup.png", chart))
        embed.set_image(url="attachment://lockup.png")
    rendered = finish(embed, account_links([("Lockup on NearBlocks", result.lockup_id)], network), answer=result)
    rendered.files = files
    return rendered


def _lockup_moment(result: LockupResult) -> Md:
    return md("at {} (projected, no new transactions)", when(result.at_unix)) if result.projected else Md("now")


def _venear_lockup(result: LockupResult, network: str) -> Rendered:
    verdict, colour = venear_verdict(result)
    embed = SafeEmbed(title=md("House of Stake lockup of {}", name(result.owner_id)),
                      description=md("{}\n{}", verdict, _lockup_moment(result)), colour=colour)
    add_venear_fields(embed, result)
    add_lockup_actions(embed, result)
    if result.disagreement:
        embed.add_field(name=Md("⚠ Contract and computation differ"), value=prose(result.disagreement), inline=False)
    if result.other_lockups:
        embed.add_field(name=Md("Your other lockups"), value=Md(", ").join(code(x) for x in result.other_lockups),
                        inline=False)
    embed.set_footer(text=plain(
        "Contract {} · storage deposit {} · you sign any change in your own wallet", result.version,
        near(result.min_balance_for_storage_yocto, 1),
    ))
    return finish(embed, account_links([("Lockup on NearBlocks", result.lockup_id)], network), answer=result)


# -- liquid staking -------------------------------------------------------------------------------------------------


@render_embed.register
def _(result: LiquidResult, *, network: str = "mainnet") -> Rendered:
    total = sum(p.near_value_yocto for p in result.positions)
    pending = sum(p.pending_unstake_yocto or 0 for p in result.positions)
    if not result.positions:
        verdict, colour = Md("No liquid-staking tokens or pending unstakes found"), GREY
    else:
        verdict, colour = md("💧 **{} in liquid-staking tokens**", near(total)), BLUE
        if pending:
            verdict += md(", {} unstaking", near(pending))
    embed = SafeEmbed(title=md("Liquid staking of {}", name(result.account_id)), description=verdict, colour=colour)
    for position in result.positions:
        symbol = name(position.symbol)
        lines = [
            md("{} {} ≈ **{}**", near(position.token_balance).removesuffix(" NEAR"), symbol,
               near(position.near_value_yocto)),
            md("price {} per {}", near(position.price_yocto), symbol),
        ]
        entry = position.unbonding
        if position.pending_unstake_yocto:
            if position.can_withdraw:
                lines.append(md("✅ {} unstaked: withdrawable now (a separate step)",
                                near(position.pending_unstake_yocto)))
            elif entry is not None and entry.waiting_note and entry.waiting_for != "epoch":
                lines.append(md("⏳ {} unlocked, not payable yet: {}", near(position.pending_unstake_yocto),
                                prose(entry.waiting_note)))
            elif entry is not None and entry.estimated_available_unix:
                lines.append(md(
                    "⏳ {} unstaking: epoch {}, {}", near(position.pending_unstake_yocto), entry.available_epoch,
                    when(entry.estimated_available_unix),
                ))
            else:
                lines.append(md("⏳ {} unstaking", near(position.pending_unstake_yocto)))
        if position.instant_exit == "liquid_unstake" and position.instant_receive_yocto is not None:
            lines.append(md(
                "instant exit now: {} (fee {}) vs waiting {}", near(position.instant_receive_yocto),
                near(position.instant_fee_yocto or 0), plural(position.wait_epochs, "epoch"),
            ))
        elif position.token_balance:
            lines.append(md("instant exit: a DEX swap (fees and slippage); or wait {}",
                            plural(position.wait_epochs, "epoch")))
        embed.add_field(name=md("{} ({})", name(position.provider), name(position.contract_id)), value=LINES.join(lines),
                        inline=False)
    add_ready_field(embed, result)
    for problem in result.provider_problems[:3]:
        embed.add_field(name=md("⚠ {}", name(problem.pool_id)), value=prose(problem.message), inline=False)
    return finish(embed, account_links([("Account on NearBlocks", result.account_id)], network), answer=result)


# -- support: explain and diagnose ---------------------------------------------------------------------------------


@render_embed.register
def _(result: ExplainResult, *, network: str = "mainnet") -> Rendered:
    # The text is the bot's own topic file (bot/explain/topics) with numbers filled in; the rest is escaped.
    description = md("{}\n\n➡️ **Your own case:** {}", trusted_markdown(result.text), code(result.command))
    embed = SafeEmbed(title=esc(result.title), description=description, colour=BLUE)
    if result.notes:
        embed.add_field(name=Md("Note"), value=LINES.join(prose(n) for n in result.notes), inline=False)
    footer = plain("/explain {}", result.topic)
    if result.live is not None:
        footer += plain(
            " · live: epoch {}, {:,} blocks per epoch, {:.3f} s per block measured · times are estimates",
            result.live.epoch_height, result.live.epoch_length, result.live.avg_block_seconds,
        )
    embed.set_footer(text=footer)
    return finish(embed)


_CASE_MARK = {"action": "👉", "warning": "⚠️", "wait": "⏳", "info": "ℹ️", "ok": "✅"}


def _diagnose_verdict(result: DiagnoseResult) -> tuple[Md, discord.Colour]:
    counts = {severity: sum(1 for c in result.cases if c.severity == severity) for severity in _CASE_MARK}
    parts = []
    if counts["action"]:
        parts.append(md("👉 **{} to do**", plural(counts["action"], "thing")))
    if counts["warning"]:
        parts.append(md("⚠️ **{}**", plural(counts["warning"], "warning")))
    if counts["wait"]:
        parts.append(md("⏳ **{} in progress**: nothing is lost", plural(counts["wait"], "wait")))
    if not parts:
        return Md("✅ **Nothing looks stuck.**"), GREEN
    colour = AMBER if counts["action"] or counts["warning"] else BLUE
    return Md(" · ").join(parts), colour


@render_embed.register
def _(result: DiagnoseResult, *, network: str = "mainnet") -> Rendered:
    verdict, colour = _diagnose_verdict(result)
    embed = SafeEmbed(title=md("Diagnosis: {}", name(result.account_id)), description=verdict, colour=colour)
    for case in result.cases:
        value = prose(case.advice or case.text)  # the holder's words; the technical text is under All details
        if case.estimated_available_unix is not None and case.severity in ("wait", "info"):
            value += md("\n≈ {}", when(case.estimated_available_unix))
        if case.action is not None:
            value = md("{}\n{}", value, ready_line(case.action)[0])
        elif case.next_command:
            value += md("\n**Next:** {}", code(case.next_command))
        embed.add_field(name=md("{} {}", _CASE_MARK.get(case.severity, "•"), prose(case.title)), value=value,
                        inline=False)
    add_problems_and_notes(embed, result.problems, result.notes, "Notes")
    epoch_hours = result.epoch_length * result.avg_block_seconds / 3600
    at_block = plain(" (block {:,})", result.block_height) if result.block_height is not None else plain("")
    embed.set_footer(text=plain(
        "Epoch {}{} · an epoch lasts about {:.1f} h right now · times are estimates · pools checked: {} · the bot "
        "never needs your keys", result.current_epoch, at_block, epoch_hours, result.checked,
    ))
    return finish(embed, account_links([("Account on NearBlocks", result.account_id)], network), answer=result)


# -- prepared actions (stake / unstake / withdraw / transfer) ---------------------------------------------------------

_ERROR_TITLES.setdefault("action_refused", "Not prepared: this would fail or cost you")
QR_FILENAME = "mynearwallet-qr.png"
_ACTION_VERBS = {
    "stake": "Stake", "unstake": "Unstake", "withdraw": "Withdraw", "transfer": "Transfer",
    "venear_lock": "Lock for veNEAR", "venear_unlock": "Start a veNEAR unlock",
    "venear_end_unlock": "Finish a veNEAR unlock", "venear_relock": "Lock pending NEAR again",
}


def call_text(receiver: str, method: str, args: dict[str, object], deposit: int, gas: int) -> Md:
    args_json = json.dumps(args, separators=(",", ":"))
    deposit_text = md("**{}** (`{}` yocto)", near(deposit, 24), deposit) if deposit else Md("0 (none attached)")
    return md(
        "receiver {}\nmethod {}\nargs {}\ndeposit {}\ngas {} TGas (unused gas is refunded)",
        code(receiver), code(method), code(args_json, limit=900), deposit_text, gas // 10**12,
    )


def _chunks(lines: list[Md], limit: int = 1000) -> list[Md]:
    """Bullet lines packed into field values of at most `limit` characters (a longer line is clipped)."""
    out: list[Md] = []
    current = Md("")
    for line in lines:
        line = clip_md(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = line
        else:
            current = md("{}\n{}", current, line) if current else line
    if current:
        out.append(current)
    return out


def _sign_links(result: ActionResult, count: int) -> tuple[list[Link], list[Md]]:
    """Buttons for the wallet links that fit one (512 characters), masked links in the text for the others. Every
    URL is re-checked (https, a known wallet host, URL characters only) before it is shown."""
    from bot.render.discord_limits import BUTTON_URL

    buttons: list[Link] = []
    text: list[Md] = []
    sign_url = checked_url(result.links.get("mynearwallet"))
    if sign_url and len(sign_url) <= BUTTON_URL:
        buttons.append(Link("Sign in MyNearWallet" if count == 1 else f"Sign all {count} steps", sign_url))
    elif sign_url:
        text.append(md("{} (too long for a button)", md_link(md("Sign all {} steps in MyNearWallet", count), sign_url)))
    for index in range(1, count + 1):
        url = checked_url(result.links.get(f"mynearwallet_step_{index}"))
        if url is None:
            continue
        if len(url) <= BUTTON_URL:
            buttons.append(Link(f"Step {index} only", url))
        else:
            text.append(md_link(md("Step {} only", index), url))
    staking = checked_url(result.links.get("mynearwallet_staking"))
    if staking:
        buttons.append(Link("Wallet staking page", staking))
    return buttons, text


@render_embed.register
def _(result: ActionResult, *, network: str = "mainnet") -> Rendered:
    from bot.render.qr import qr_png

    count = len(result.transactions)
    verb = _ACTION_VERBS.get(result.action, result.action.title())
    target = result.receiver_id if result.action == "transfer" else result.pool_id
    steps_word = md("{} transactions, signed in order", count) if count > 1 else Md("one transaction")
    buttons, link_lines = _sign_links(result, count)
    description = [
        md("✍️ **Ready for your wallet** ({}): {}", steps_word, prose(result.summary)),
        Md("You review and sign it in **your own wallet**. Nobody, this bot included, ever needs your seed phrase "
           "or private key."),
        *link_lines,
    ]
    colour = AMBER if result.warnings else GREEN
    embed = SafeEmbed(title=md("{}: {} → {}", verb, name(result.signer_id), name(target)),
                      description=LINES.join(description), colour=colour)
    for index, tx in enumerate(result.transactions, start=1):
        for call in tx.actions:
            heading = (md("Step {} of {}: {}", index, count, call.method_name) if count > 1
                       else md("The transaction: {}", call.method_name))
            embed.add_field(
                name=heading, value=call_text(tx.receiver_id, call.method_name, call.args, call.deposit, call.gas),
                inline=False,
            )
    for number, chunk in enumerate(_chunks([md("⚠️ {}", prose(w)) for w in result.warnings])):
        embed.add_field(name=Md("Check before signing") if number == 0 else Md("…more"), value=chunk, inline=False)
    command = result.commands.get("near_cli_rs", "")
    if len(command) <= 1000:
        embed.add_field(name=Md("Or sign with near-cli-rs"), value=code_block(command, limit=1000), inline=False)
    else:
        for index, line in enumerate(command.splitlines(), start=1):
            embed.add_field(name=md("near-cli-rs, step {}", index), value=code_block(line, limit=1000), inline=False)
    how = [s for s in result.steps if "seed phrase" not in s]
    if how:
        embed.add_field(name=Md("How to sign"), value=bullets(how), inline=False)
    files: list[tuple[str, bytes]] = []
    sign_url = checked_url(result.links.get("mynearwallet"))
    png = qr_png(sign_url) if sign_url else None
    if png is not None:
        files.append((QR_FILENAME, png))
        embed.set_image(url=f"attachment://{QR_FILENAME}")
    amount = plain("exactly {} yocto · ", result.amount_yocto) if result.amount_yocto is not None else plain("")
    embed.set_footer(text=amount + plain("QR code = the MyNearWallet link, for a phone wallet · gas unused is refunded"))
    rendered = finish(embed, buttons)
    rendered.files.extend(files)
    return rendered
