"""Failures as short, kind embeds: a service's error answer, and errors outside a service (cooldowns,
checks, unexpected errors)."""

from __future__ import annotations

from bot.render.discord_limits import SafeEmbed
from bot.render.embeds.base import SOFT_ORANGE, Rendered, finish, render_embed
from bot.render.safe import Md, code, esc, md, plain, prose
from bot.services.results import ErrorResult

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
    "action_refused": "Not prepared: this would fail or cost you",
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
