""""All details": the technical side of an answer whose advice speaks to a holder. The console answer (contract
methods, gas, every prepared transaction; it keeps the technical text) and the exact amounts in yoctoNEAR, sent as a
second ephemeral message when the reader asks for it. The wallet links are the message's buttons, not repeated.
"""

from __future__ import annotations

from functools import singledispatch

import discord

from bot.near.cli_commands import near_cli_rs
from bot.near.wallet_links import parse_sign_url
from bot.render.discord_limits import FIELD_VALUE, SafeEmbed, fit_embed
from bot.render.embeds import call_text
from bot.render.safe import Md, code_block, esc, md, plain
from bot.render.text import render_text
from bot.services.results import (
    DiagnoseResult,
    LiquidResult,
    LockupResult,
    Result,
    StatusResult,
    UnbondingResult,
)

GREY = discord.Colour(0x95A5A6)
DESCRIPTION_TEXT = 3900  # characters of console text in the description; the rest goes into fields
MORE_TEXT = FIELD_VALUE - 10  # per field, leaving room for the code fences


@singledispatch
def exact_amounts(result: Result) -> list[tuple[str, int]]:
    """(what, yoctoNEAR) of every amount an answer shows rounded."""
    return []


@exact_amounts.register
def _(result: StatusResult) -> list[tuple[str, int]]:
    amounts = [("balance", result.amount_yocto), ("spendable", result.available_yocto),
               ("storage reserve", result.storage_cost_yocto)]
    for d in result.delegations:
        amounts += [(f"staked in {d.pool_id}", d.staked_yocto), (f"unstaked in {d.pool_id}", d.unstaked_yocto)]
    for s in result.lockups:
        amounts += [(f"locked in {s.lockup_id}", s.locked_yocto),
                    (f"transferable from {s.lockup_id}", s.liquid_owners_balance_yocto)]
    for h in result.liquid:
        amounts += [(f"{h.symbol} held (token units)", h.token_balance), (f"{h.symbol} worth", h.near_value_yocto)]
    return amounts


@exact_amounts.register
def _(result: UnbondingResult) -> list[tuple[str, int]]:
    return [(f"unstaked in {e.pool_id}", e.unstaked_yocto) for e in result.entries] + [
        (f"pending unlock in {u.lockup_id}", u.pending_yocto) for u in result.timed_unlocks
    ]


@exact_amounts.register
def _(result: DiagnoseResult) -> list[tuple[str, int]]:
    return [(case.title, case.amount_yocto) for case in result.cases if case.amount_yocto is not None]


@exact_amounts.register
def _(result: LockupResult) -> list[tuple[str, int]]:
    return [("locked", result.locked_yocto), ("owner's balance", result.owners_balance_yocto),
            ("transferable", result.liquid_owners_balance_yocto), ("on the lockup account", result.account_balance_yocto),
            ("deposit the lockup counts in its pool", result.known_deposited_yocto),
            ("kept for storage", result.min_balance_for_storage_yocto)]


@exact_amounts.register
def _(result: LiquidResult) -> list[tuple[str, int]]:
    amounts = []
    for p in result.positions:
        amounts += [(f"{p.symbol} held (token units)", p.token_balance), (f"{p.symbol} worth", p.near_value_yocto)]
        if p.pending_unstake_yocto:
            amounts.append((f"unstaking at {p.provider}", p.pending_unstake_yocto))
    return amounts


def _pieces(text: str, first: int, rest: int) -> list[str]:
    """`text` cut at line ends into a piece of at most `first` characters, then pieces of at most `rest`."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines():
        limit = first if not pieces else rest
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*pieces, current] if current else pieces


def details_embed(result: Result) -> discord.Embed:
    """The technical details of an answer (a second ephemeral message)."""
    text = "\n".join(line for line in render_text(result).splitlines() if "https://" not in line)
    first, *more = _pieces(text, DESCRIPTION_TEXT, MORE_TEXT) or [""]
    subject = getattr(result, "account_id", None) or getattr(result, "lockup_id", "")
    embed = SafeEmbed(title=md("Details: {} {}", getattr(result, "kind", "answer"), esc(subject, limit=100)),
                      description=code_block(first, limit=DESCRIPTION_TEXT + 10), colour=GREY)
    for piece in more:
        embed.add_field(name=Md("…"), value=code_block(piece, limit=MORE_TEXT + 10), inline=False)
    lines = [md("{}: `{}`", esc(what, limit=120), amount) for what, amount in exact_amounts(result)]
    for index in range(0, len(lines), 8):
        embed.add_field(name=Md("Exact amounts (yoctoNEAR)"), value=Md("\n").join(lines[index : index + 8]),
                        inline=False)
    embed.set_footer(text=plain("The technical side of the answer above: contract methods, gas and exact amounts."))
    return fit_embed(embed)


def signed_by_links(urls: list[str], network: str) -> discord.Embed | None:
    """What a step's buttons sign, read back from their MyNearWallet links: its Details when the answer's own are
    no longer kept (a restart, an old alert). None when no link can be read."""
    transactions = []
    for url in urls:
        try:
            transactions += parse_sign_url(url, network)
        except ValueError:
            continue
    if not transactions:
        return None
    embed = SafeEmbed(
        title=Md("What these buttons ask your wallet to sign"),
        description=Md("Read back from the buttons' own links. The checks made when the answer was prepared are no "
                       "longer kept here: run the command again for a fresh check before you sign."),
        colour=GREY,
    )
    count = len(transactions)
    for index, tx in enumerate(transactions, start=1):
        for call in tx.actions:
            heading = md("Step {} of {}: {}", index, count, call.method_name) if count > 1 else md("{}", call.method_name)
            embed.add_field(name=heading, value=call_text(tx.receiver_id, call.method_name, call.args, call.deposit,
                                                          call.gas), inline=False)
    cli = "\n".join(near_cli_rs(tx, network) for tx in transactions)
    embed.add_field(name=Md("Or sign with near-cli-rs"), value=code_block(cli, limit=1000), inline=False)
    return fit_embed(embed)
