"""Support answers as embeds: `explain` (the bot's own topic text) and `diagnose` (one field per finding)."""

from __future__ import annotations

import discord

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import (
    AMBER,
    BLUE,
    GREEN,
    LINES,
    Rendered,
    account_links,
    add_problems_and_notes,
    finish,
    name,
    plural,
    render_embed,
    when,
)
from bot.render.ready import ready_line
from bot.render.safe import Md, code, esc, md, plain, prose, trusted_markdown
from bot.services.results import DiagnoseResult, ExplainResult


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
