"""Prepared actions (stake, unstake, withdraw, transfer, veNEAR) as embeds: every call spelled out, wallet
links as buttons when they fit, the near-cli-rs command and a QR code for a phone wallet."""

from __future__ import annotations

import json

from bot.render.discord_limits import BUTTON_URL, Link, SafeEmbed
from bot.render.embeds.base import AMBER, GREEN, LINES, Rendered, bullets, finish, name, near, render_embed
from bot.render.safe import Md, checked_url, clip_md, code, code_block, md, md_link, plain, prose
from bot.services.results import ActionResult

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
