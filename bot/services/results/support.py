"""Support answers: `explain` (a curated topic with live numbers) and `diagnose` (findings with next steps)."""

from __future__ import annotations

from typing import Annotated, Literal

from bot.services.results.actions import PreparedAction
from bot.services.results.base import BOT_BUILT, PoolProblem, Result, Yocto


class ExplainLive(Result):
    """The live chain numbers an explanation quoted (from the epoch service)."""

    epoch_height: int
    epoch_length: int
    avg_block_seconds: float
    head_unix: int


class ExplainResult(Result):
    """A curated explanation (`bot/explain/topics/*.md`) with live numbers filled in."""

    kind: Literal["explain"] = "explain"
    topic: str
    title: str
    summary: str
    text: Annotated[str, BOT_BUILT]  # Markdown from the bot's own topic file, live numbers substituted
    command: str  # the slash command that answers the reader's own case, e.g. "/unbonding <account>"
    console_command: str  # the same for the console and `ask`
    live: ExplainLive | None = None  # None: the topic needs no live numbers, or they could not be read
    notes: list[str] = []


class DiagnoseCase(Result):
    """One finding about an account, in plain words, with the next action."""

    kind: Literal[
        "unbonding",
        "withdrawable",
        "dust",
        "liquid_unbonding",
        "liquid_withdrawable",
        "liquid_settling",
        "liquid_pending_unknown",
        "lockup_transfers_vote",
        "lockup_refresh",
        "lockup_locked",
        "lockup_unbonding",
        "lockup_withdrawable",
        "lockup_termination",
        "lockup_transferable",
        "venear_locked",
        "venear_unlocking",
        "venear_unlock_ready",
        "validator_kicked_out",
        "validator_low_uptime",
        "index_missed",
        "validator_leaving",
        "validator_inactive",
        "pool_paused",
        "unknown_epoch",
        "nothing_wrong",
    ]
    severity: Literal["action", "wait", "warning", "info", "ok"]
    title: str
    text: str
    next_command: str | None = None  # what to run or call next
    pool_id: str | None = None  # the pool, liquid-staking contract or lockup concerned
    amount_yocto: Yocto | None = None
    available_epoch: int | None = None
    estimated_available_unix: int | None = None
    advice: str | None = None  # `text` in a holder's words: no method names, gas or yocto (None: `text` is)
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class DiagnoseResult(Result):
    kind: Literal["diagnose"] = "diagnose"
    account_id: str
    current_epoch: int
    epoch_length: int
    avg_block_seconds: float
    head_unix: int
    cases: list[DiagnoseCase]
    complete: bool  # False: some pools or providers could not be read (see problems)
    problems: list[PoolProblem] = []
    notes: list[str] = []
    block_height: int | None = None  # the one block the triage describes
    checked: str = "every pool the staking index lists"  # which pools were checked for delegations
    scanned_pools: int | None = None
