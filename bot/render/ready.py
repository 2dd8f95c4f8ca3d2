"""The steps ready to sign in a Discord answer: one line of advice each (what happens to the NEAR, in NEAR) and one
row of buttons each (the wallet link, or one per step when the whole does not fit a button, and "Details").

The advice never names a contract method, a gas figure or a yocto amount: those are behind "Details", which shows
the action command's own answer (receiver, method, args, deposit, gas, warnings, near-cli-rs). A step that was not
prepared shows the command that prepares it; a refused one, the planner's reason.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from bot.render.discord_limits import BUTTON_URL, BUTTONS_PER_ROW, ROWS, Control, Link, fit_links
from bot.render.safe import Md, checked_url, code, md, md_link, prose
from bot.services.offers import prepared_actions, step_words
from bot.services.results import ActionResult, PreparedAction, Result

DETAILS_LABEL = "Details"
ALL_DETAILS_LABEL = "All details"
DETAILS_PREFIX = "nsa:details:"  # custom_id "nsa:details:<token>:<row number or all>" (cogs/details.py answers it)
ALL = "all"
# Slash-command option names of each action command's positional words (cogs/actions.py).
_SLASH_WORDS = {
    "stake": ("account", "pool", "amount"),
    "unstake": ("account", "pool", "amount"),
    "withdraw": ("account", "pool", "amount"),
    "transfer": ("account", "amount"),
    "venear": ("action", "account", "amount"),
}


@dataclass(frozen=True)
class ReadyRow:
    """The buttons of one prepared step, and the action command's answer its "Details" shows."""

    buttons: list[Link]
    plan: ActionResult


def slash_command(command: str) -> str:
    """An action command line as the slash command a Discord user types, e.g. `/withdraw account:a pool:p`."""
    try:
        name, *words = shlex.split(command)
    except ValueError:  # not a command line the bot wrote: shown as it is (escaped by the caller)
        return f"/{command}"
    positional, options = [], []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--from-lockup":
            options.append("from_lockup:True")
        elif word in ("--lockup", "--to") and index + 1 < len(words):
            options.append(f"{word[2:]}:{words[index + 1]}")
            index += 1
        else:
            positional.append(word)
        index += 1
    names = _SLASH_WORDS.get(name, ())
    return " ".join([f"/{name}", *(f"{n}:{v}" for n, v in zip(names, positional, strict=False)), *options])


def _sign_buttons(prepared: PreparedAction) -> tuple[list[Link], list[Md]]:
    """The whole step as one button when its link fits (512 characters), else one button per transaction; a link
    too long for any button becomes a masked link in the text. Every URL is re-checked before it is shown."""
    whole = checked_url(prepared.links.get("mynearwallet"))
    if whole is not None and len(whole) <= BUTTON_URL:
        return [Link(prepared.label, whole)], []
    count = len(prepared.transactions)
    if count == 1:
        return [], [md_link(md("Sign: {}", prepared.label), whole)] if whole else []
    buttons: list[Link] = []
    text: list[Md] = []
    for index, words in enumerate(step_words(prepared.transactions), start=1):
        url = checked_url(prepared.links.get(f"mynearwallet_step_{index}"))
        if url is None:
            continue
        label = f"Step {index}: {words}"
        if len(url) <= BUTTON_URL:
            buttons.append(Link(label, url))
        else:
            text.append(md_link(md("{}", label), url))
    return buttons, text


def ready_line(prepared: PreparedAction) -> tuple[Md, ReadyRow | None]:
    """The advice line of one step and, when it is ready to sign, its row of buttons."""
    if not prepared.planned:
        return md("➡️ {} Run {}.", prose(prepared.text), code(slash_command(prepared.command))), None
    if not prepared.ready:
        return md("⚠️ {} Not prepared: {}", prose(prepared.text), prose(prepared.refused)), None
    sign, text_links = _sign_buttons(prepared)
    line = md("👉 {}", prose(prepared.text))
    if sign:
        line += md(" Sign it with the button{} below.", "s" if len(sign) > 1 else "")
    if prepared.warnings:  # the planner's warnings speak the contract's language: they are in its Details
        count = len(prepared.warnings)
        line += md(" ⚠️ Its Details hold {}: read {} before you sign.",
                   "a warning" if count == 1 else f"{count} warnings", "it" if count == 1 else "them")
    if text_links:
        line = Md("\n").join([line, *text_links])
    return line, ReadyRow(sign, prepared.plan())


def ready_rows(result: Result) -> list[ReadyRow]:
    """The button rows of an answer's prepared steps, most useful first."""
    rows = []
    for prepared in prepared_actions(result):
        _, row = ready_line(prepared)
        if row is not None:
            rows.append(row)
    return rows


def ready_lines(result: Result) -> list[Md]:
    """Every recommended step of an answer, most useful first (for answers that list them in one field)."""
    return [ready_line(prepared)[0] for prepared in prepared_actions(result)]


def button_rows(ready: list[ReadyRow], links: list[Link], token: str | None, *, details: bool) -> list[list[Link | Control]]:
    """The message's buttons: a row per prepared step (its sign buttons, then "Details"), then "All details" and the
    answer's other links in what is left of Discord's 5 rows of 5 (links that do not fit are left out). Without a
    `token` (no place to keep the details) there are no Details buttons."""
    rows: list[list[Link | Control]] = []
    for index, row in enumerate(ready[: ROWS - 1]):
        items: list[Link | Control] = list(fit_links(row.buttons)[: BUTTONS_PER_ROW - 1])
        if token is not None:
            items.append(Control(DETAILS_LABEL, f"{DETAILS_PREFIX}{token}:{index}"))
        if items:
            rows.append(items)
    rest: list[Link | Control] = []
    if token is not None and details:
        rest.append(Control(ALL_DETAILS_LABEL, f"{DETAILS_PREFIX}{token}:{ALL}"))
    rest += fit_links(links)
    while rest and len(rows) < ROWS:
        rows.append(rest[:BUTTONS_PER_ROW])
        rest = rest[BUTTONS_PER_ROW:]
    return rows
