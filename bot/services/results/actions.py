"""Prepared, unsigned actions: the action command's answer (`ActionResult`) and a recommended step ready to
sign (`PreparedAction`) that other answers carry."""

from __future__ import annotations

from typing import Annotated, Literal

from bot.services.results.base import BOT_BUILT, Result, Yocto

ActionKind = Literal[
    "stake", "unstake", "withdraw", "transfer", "venear_lock", "venear_unlock", "venear_end_unlock", "venear_relock"
]


class ActionCall(Result):
    method_name: str
    args: dict[str, object]
    gas: Yocto  # exact decimal string in JSON, like deposits
    deposit: Yocto


class ActionTransaction(Result):
    receiver_id: str
    actions: list[ActionCall]


class PreparedAction(Result):
    """A recommended step, ready to sign: what the action command `command` answers now (the same planner, the
    same checks and refusals), in a holder's words (`label`, `text`) and with the action command's keys
    (`transactions`, `links`, `commands`, …). Not `planned`: beyond what one answer prepares; run `command`.
    `refused`: the planner's reason not to prepare it (then there is nothing to sign)."""

    command: str  # the action command that prepares it, e.g. "withdraw bob.near alpha.poolv1.near"
    label: str  # a button's words, e.g. "Withdraw 500 NEAR"
    text: str  # what happens to the NEAR, e.g. "Withdraw 500 NEAR from alpha.poolv1.near to bob.near: it is ready."
    rank: int  # 1 = the most useful step of the answer
    planned: bool = True
    refused: str | None = None
    # The action command's own answer (ActionResult), when it was prepared:
    action: ActionKind | None = None
    signer_id: str | None = None
    pool_id: str | None = None
    amount_yocto: Yocto | None = None
    summary: str | None = None
    transactions: list[ActionTransaction] = []
    links: Annotated[dict[str, str], BOT_BUILT] = {}
    commands: dict[str, str] = {}
    warnings: list[str] = []
    steps: list[str] = []
    via: Literal["pool", "liquid_staking", "lockup"] | None = None
    lockup_id: str | None = None
    token_amount: Yocto | None = None
    symbol: str | None = None
    receiver_id: str | None = None

    @property
    def ready(self) -> bool:
        """There is something to sign."""
        return self.planned and self.refused is None and bool(self.transactions)

    def plan(self) -> ActionResult:
        """The action command's answer this was prepared from (its technical view: the "Details")."""
        assert self.ready
        fields = {name: getattr(self, name) for name in ActionResult.model_fields if name != "kind"}
        return ActionResult(**fields)


class ActionResult(Result):
    """A prepared, unsigned staking action: the user's wallet signs it, the bot never holds a key."""

    kind: Literal["action"] = "action"
    action: ActionKind
    signer_id: str
    pool_id: str  # the pool or liquid-staking contract; for `transfer`, the lockup account
    amount_yocto: Yocto | None
    summary: str
    transactions: list[ActionTransaction]  # in signing order; each one is a separate step in the wallet
    links: Annotated[dict[str, str], BOT_BUILT]  # also `mynearwallet_step_<n>` (one transaction each) when there are several
    commands: dict[str, str]
    warnings: list[str] = []
    steps: list[str] = []
    via: Literal["pool", "liquid_staking", "lockup"] = "pool"
    lockup_id: str | None = None  # the lockup account the owner's calls go to (via = "lockup")
    token_amount: Yocto | None = None  # liquid-staking tokens (24 decimals) an unstake burns, when known
    symbol: str | None = None  # the liquid-staking token (stNEAR, LiNEAR, rNEAR)
    receiver_id: str | None = None  # where a lockup `transfer` sends the NEAR
