"""Typed results, one per question. Renderers turn them into console text, JSON or Discord embeds.

JSON is a public interface (README "JSON output"): amounts are exact yocto decimal strings, times Unix seconds,
epochs integers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

# Exact yoctoNEAR: an int in Python, a decimal string in JSON.
Yocto = Annotated[int, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")]


class BotBuilt:
    """Field metadata: text the bot built itself from validated parts (wallet links). Every other string of a
    result is untrusted and cleaned before it is shown (bot/render/safe.py)."""


BOT_BUILT = BotBuilt()


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


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


class EpochResult(Result):
    kind: Literal["epoch"] = "epoch"
    epoch_height: int
    epoch_start_height: int
    epoch_length: int
    head_height: int
    blocks_into_epoch: int
    blocks_left: int
    progress: float
    avg_block_seconds: float
    head_unix: int
    estimated_end_unix: int
    sample_blocks: int


ValidatorRole = Literal["block_producer", "chunk_producer", "chunk_validator"]
DutyName = Literal["blocks", "chunks", "endorsements"]


class Duty(Result):
    """One duty of a validator this epoch, counted against what was expected of it."""

    duty: DutyName
    produced: int
    expected: int
    percent: float | None  # floored to 2 decimals (never rounded up past a threshold); None when nothing expected
    # nearcore's kickout threshold for this duty in this role, or None when the duty does not decide a kickout
    # for the role (endorsements of block and chunk producers).
    kickout_threshold_percent: int | None
    below_kickout: bool  # produced × 100 < threshold × expected, nearcore's own comparison
    low: bool  # below the threshold plus the bot's warning margin (the low-uptime alert's rule)


class ValidatorInfo(Result):
    status: Literal["active", "proposal", "kicked_out", "inactive"]
    in_next_epoch: bool
    kickout_reason: str | None = None
    stake_yocto: Yocto | None = None
    produced_blocks: int | None = None
    expected_blocks: int | None = None
    produced_chunks: int | None = None
    expected_chunks: int | None = None
    # The lowest percentage among the duties that decide a kickout for this role (None: no duties yet).
    uptime_percent: float | None = None
    produced_endorsements: int | None = None
    expected_endorsements: int | None = None
    # "chunk_validator" = a seat that only endorses chunks (no blocks or chunks expected), judged on endorsements.
    role: ValidatorRole | None = None
    duties: list[Duty] = []
    kickout_threshold_percent: int | None = None  # the threshold of the duty `uptime_percent` comes from
    below_kickout: bool = False
    low_uptime: bool = False


class PoolResult(Result):
    kind: Literal["pool"] = "pool"
    pool_id: str
    owner_id: str
    fee_numerator: int
    fee_denominator: int
    fee_percent: float
    total_staked_yocto: Yocto
    paused: bool
    contract_kind: str
    code_hash: str
    # How the code is deployed (mainnet-2026.md §1): "local", "global_hash" or "global_account".
    deployment: str = "local"
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None
    validator_status: Literal["active", "proposal", "kicked_out", "inactive"]
    validator: ValidatorInfo
    delegator_count: int | None
    epoch_height: int


FoundBy = Literal["index", "named", "scan"]


class DelegationEntry(Result):
    pool_id: str
    staked_yocto: Yocto
    unstaked_yocto: Yocto
    can_withdraw: bool
    # How the pool was found: listed by the staking index, named by the user, or by scanning the validator set.
    found_by: FoundBy = "index"
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class PoolProblem(Result):
    pool_id: str
    kind: str
    message: str


class VenearView(Result):
    """A House of Stake lockup's veNEAR side (house-of-stake-contracts lockup-contract/src/venear.rs)."""

    locked_yocto: Yocto  # locked for veNEAR (voting power)
    pending_yocto: Yocto  # in the unlock cooldown
    unlock_unix: int | None  # the first second end_unlock_near accepts; None when nothing is pending
    unlock_ready: bool  # the cooldown is over: end_unlock_near would work now
    free_to_lock_yocto: Yocto  # get_venear_liquid_balance: neither locked nor pending
    unlock_duration_seconds: int  # the cooldown a new begin_unlock_near starts (the lockup's stored setting)
    venear_contract_id: str


class LockupSummary(Result):
    """The lockup part of `status` (full detail: the `lockup` command)."""

    lockup_id: str
    locked_yocto: Yocto  # foundation: get_locked_amount; venear: locked + pending for veNEAR
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto  # what `transfer` accepts now (venear: the smaller of its two limits)
    transfers_enabled: bool
    staking_pool_id: str | None
    lockup_kind: Literal["foundation", "venear"] = "foundation"
    owner_id: str | None = None
    venear: VenearView | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class TimedUnlock(Result):
    """NEAR that becomes usable at a time rather than an epoch: a House of Stake lockup's veNEAR unlock."""

    lockup_id: str
    pending_yocto: Yocto
    unlock_unix: int
    unlock_ready: bool
    owner_id: str | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class LiquidHolding(Result):
    """A liquid-staking token position in `status`."""

    contract_id: str
    provider: str
    symbol: str
    token_balance: Yocto  # the token's own smallest unit (24 decimals for stNEAR, LiNEAR, rNEAR)
    near_value_yocto: Yocto
    pending_unstake_yocto: Yocto = 0
    can_withdraw: bool | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class StatusResult(Result):
    kind: Literal["status"] = "status"
    account_id: str
    amount_yocto: Yocto
    locked_yocto: Yocto
    storage_usage_bytes: int
    storage_cost_yocto: Yocto
    available_yocto: Yocto
    has_contract: bool
    delegations: list[DelegationEntry]
    total_staked_yocto: Yocto
    total_unstaked_yocto: Yocto
    delegations_complete: bool
    pool_problems: list[PoolProblem] = []
    notes: list[str] = []
    block_height: int
    # What `delegations_complete` is about, in words ("every pool the staking index lists", ...): never more.
    delegations_checked: str = "every pool the staking index lists"
    # Pools the validator-set scan checked beyond the index and the named ones; None when no scan was asked for.
    scanned_pools: int | None = None
    lockup: LockupSummary | None = None
    liquid: list[LiquidHolding] = []
    lockups: list[LockupSummary] = []  # every lockup found (`lockup` is the first of them)
    lockup_of: str | None = None  # the owner, when the account asked about is itself a lockup contract
    # How the account's own code is deployed (mainnet-2026.md §1): "none", "local", "global_hash", "global_account".
    deployment: str = "none"
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None


class ErrorResult(Result):
    kind: Literal["error"] = "error"
    error_kind: str
    message: str
    exit_code: int
    incident_id: str | None = None

    def to_json_obj(self) -> dict[str, object]:
        body: dict[str, object] = {"kind": self.error_kind, "message": self.message}
        if self.incident_id:
            body["incident_id"] = self.incident_id
        return {"error": body}


AnyResult = EpochResult | PoolResult | StatusResult


class UnbondingEntry(Result):
    pool_id: str
    unstaked_yocto: Yocto
    staked_yocto: Yocto
    can_withdraw: bool
    available_epoch: int | None
    # "state": read from the pool's storage; "contract": a view method of the contract itself (liquid staking);
    # "unknown": could not be read (see `source_note`).
    available_epoch_source: Literal["state", "contract", "unknown"]
    estimated_available_unix: int | None
    estimate_earliest_unix: int | None = None
    estimate_latest_unix: int | None = None
    # When the exact epoch is unknown: the latest epoch it can be, from the 4-epoch rule.
    latest_possible_epoch: int | None = None
    epochs_left: int | None = None
    source_note: str | None = None
    # Set when the stake belongs to the account's lockup: the lockup account id (withdraw goes through it).
    held_by: str | None = None
    # Liquid staking: what a withdrawal still waits for ("epoch", "settlement" (Rhea), "retrieval" (Meta Pool),
    # "contract_balance" (LiNEAR/Rhea reserve), "check": the contract's own check could not be read), and why.
    waiting_for: Literal["epoch", "settlement", "retrieval", "contract_balance", "check"] | None = None
    waiting_note: str | None = None
    # For the account's own pool delegations: how the pool was found (see DelegationEntry); None otherwise.
    found_by: FoundBy | None = None
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class UnbondingResult(Result):
    kind: Literal["unbonding"] = "unbonding"
    account_id: str
    current_epoch: int
    epoch_length: int
    avg_block_seconds: float
    head_unix: int
    entries: list[UnbondingEntry]
    pools_complete: bool
    pool_problems: list[PoolProblem] = []
    notes: list[str] = []
    timed_unlocks: list[TimedUnlock] = []
    # The block every figure describes (the latest final block when the command started).
    block_height: int | None = None
    pools_checked: str = "every pool the staking index lists"
    scanned_pools: int | None = None


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


class LiquidPosition(Result):
    """One liquid-staking provider's position in the `liquid` command (amounts in yocto; tokens have 24 decimals)."""

    contract_id: str
    provider: str
    symbol: str
    token_balance: Yocto
    price_yocto: Yocto  # NEAR yocto per 10^24 token units, as the contract reports it
    near_value_yocto: Yocto  # token_balance × price // 10^24 (floored)
    pending_unstake_yocto: Yocto | None  # None: the provider has no view to read it
    can_withdraw: bool | None
    unbonding: UnbondingEntry | None  # the pending unstake's unlock epoch and estimate
    instant_exit: Literal["liquid_unstake", "dex_swap"]
    instant_receive_yocto: Yocto | None = None  # live quote for the whole balance (Meta Pool)
    instant_fee_yocto: Yocto | None = None
    wait_epochs: int  # a delayed unstake started now waits this many epochs (live for Meta Pool)
    wait_estimated_unix: int | None = None
    block_height: int
    notes: list[str] = []
    action: PreparedAction | None = None  # the recommended step, ready to sign (see PreparedAction)


class LiquidResult(Result):
    kind: Literal["liquid"] = "liquid"
    account_id: str
    current_epoch: int
    head_unix: int
    positions: list[LiquidPosition]
    provider_problems: list[PoolProblem] = []
    notes: list[str] = []


class LockupMilestone(Result):
    """A moment where the lockup's locked amount changes course (from `unix` on, locked is `locked_after_yocto`)."""

    name: Literal["lockup_start", "vesting_cliff", "release_end", "vesting_end"]
    unix: int
    locked_after_yocto: Yocto
    assumes_transfers_vote: bool = False  # only true once the owner calls check_transfers_vote


class LockupAction(Result):
    """Something the lockup owner can or must do, and why (a plain sentence)."""

    action: str  # e.g. check_transfers_vote, refresh_staking_pool_balance, withdraw_from_staking_pool, transfer
    text: str
    method: str | None = None  # the lockup (or pool) method to call, signed by the owner in their own wallet
    gas_tgas: int | None = None
    advice: str | None = None  # `text` in a holder's words: no method names, gas or yocto (None: `text` is)
    # The step ready to sign (`action` is taken here by the advice's name, so it is called `prepared`).
    prepared: PreparedAction | None = None


class LockupBalancesView(Result):
    """locked / owner's / transferable balances, from the contract's own views or from a what-if."""

    locked_yocto: Yocto
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto


class LockupPoolBalance(Result):
    """The lockup's delegation as the pool reports it live (`get_account`)."""

    pool_id: str
    staked_yocto: Yocto
    unstaked_yocto: Yocto
    total_yocto: Yocto  # = get_account_total_balance
    can_withdraw: bool


class LockupSchedulePoint(Result):
    """Balances at one moment, assuming no new transactions (for the release chart)."""

    unix: int
    locked_yocto: Yocto
    liquid_owners_balance_yocto: Yocto


class LockupResult(Result):
    kind: Literal["lockup"] = "lockup"
    owner_id: str
    lockup_id: str
    code_hash: str
    version: str  # v2.0.0 … v3.1.0, or "unknown"
    version_known: bool
    at_unix: int
    projected: bool  # at_unix is a chosen time (assumes no new transactions), not the chain's head
    block_height: int
    lockup_amount_yocto: Yocto
    locked_yocto: Yocto
    owners_balance_yocto: Yocto
    liquid_owners_balance_yocto: Yocto
    account_balance_yocto: Yocto
    staking_pool_id: str | None
    known_deposited_yocto: Yocto
    transfers_enabled: bool
    fully_unlocked_unix: int | None
    unlock_assumes_transfers_vote: bool = False
    unreleased_yocto: Yocto
    unvested_yocto: Yocto
    termination_withdrawn_yocto: Yocto = 0
    termination_status: str | None = None
    terminated_unvested_yocto: Yocto = 0
    vesting: Literal["none", "schedule", "hash", "terminated"]
    min_balance_for_storage_yocto: Yocto
    release_start_bug: bool = False
    lockup_start_unix: int | None = None
    release_end_unix: int | None = None
    pool: LockupPoolBalance | None = None
    after_transfers_vote: LockupBalancesView | None = None
    milestones: list[LockupMilestone] = []
    actions: list[LockupAction] = []
    contract_views: LockupBalancesView | None = None
    disagreement: str | None = None
    notes: list[str] = []
    schedule: list[LockupSchedulePoint] = []
    schedule_assumes_transfers_vote: bool = False
    lockup_kind: Literal["foundation", "venear"] = "foundation"
    deployment: str = "local"  # "local", "global_hash" or "global_account" (mainnet-2026.md §1)
    global_contract_hash: str | None = None
    global_contract_account_id: str | None = None
    venear: VenearView | None = None
    other_lockups: list[str] = []  # the owner's other lockups (ask `lockup <id>` for each)


# -- support: explain and diagnose ---------------------------------------------------------------------------------


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
