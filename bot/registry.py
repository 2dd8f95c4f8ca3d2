"""Every command, registered once: its name, usage and summary, its typed request, how a typed line becomes that
request, the service that answers it and the result type its renderers draw.

The console and `ask` go line → `parse_line` → `CommandSpec.parse` → request → `run_request`; Discord cogs build the
request from their options and go straight to `run_request` (bot/discord/respond.py); the steps other answers
prepare (bot/services/ready.py) parse their command line here too. bot/commands.py wraps all of them with the
secret check, the prepared steps and the error mapping.

Adding a command
----------------
1. A request in bot/requests.py: a `CommandRequest` subclass whose `command` is the name and whose fields are the
   slash command's option names (a field with another name goes in `options`, e.g. `{"pool": "pools"}`).
2. A parser in bot/grammar.py: the command's words → the request, with its usage in every error message.
3. A service in bot/services/ that takes the chain and the request's parts and returns a `Result` subclass
   (a module of bot/services/results/); its JSON is generic (`model_dump`), so its keys go in the README.
4. Its renderers: `@render_embed.register` in a module of bot/render/embeds/ and `@render_text.register` in one of
   bot/render/text/, for the result type (each package's `__init__` imports its modules).
5. One `CommandSpec` below. In Discord, one cog method that builds the request from its options and calls
   `answer(interaction, request, personal=...)`; amounts, times and account ids use the transformers in
   bot/discord/options.py, so a bad option is refused before the answer is deferred.
tests/unit/test_command_registry.py checks the rest: every slash command has an entry with matching fields, every
result type has both renderers, no two names collide.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot import grammar
from bot.action_commands import run_stake, run_transfer, run_unstake, run_venear, run_withdraw
from bot.near import errors
from bot.requests import (
    CommandRequest,
    DiagnoseRequest,
    EpochRequest,
    ExplainRequest,
    LiquidRequest,
    LockupRequest,
    PoolRequest,
    StakeRequest,
    StatusRequest,
    TransferRequest,
    UnbondingRequest,
    UnstakeRequest,
    VenearRequest,
    WithdrawRequest,
)
from bot.services.chain import Chain
from bot.services.diagnose import get_diagnose
from bot.services.epoch import get_epoch
from bot.services.explain import get_explain
from bot.services.liquid import get_liquid
from bot.services.lockup import get_lockup
from bot.services.pool import get_pool
from bot.services.results import (
    ActionResult,
    DiagnoseResult,
    EpochResult,
    ExplainResult,
    LiquidResult,
    LockupResult,
    PoolResult,
    Result,
    StatusResult,
    UnbondingResult,
)
from bot.services.status import get_status
from bot.services.unbonding import get_unbonding

R = TypeVar("R", bound=CommandRequest)


@dataclass(frozen=True)
class CommandSpec(Generic[R]):
    request: type[R]
    usage: str
    summary: str
    parse: Callable[[Sequence[str]], R]  # the console's words after the name → the request
    run: Callable[[Chain, R], Awaitable[Result]]
    result: type[Result]  # what `run` answers; its embed and text renderers are registered for this type
    options: Mapping[str, str] = field(default_factory=dict)  # slash option → request field, where they differ

    @property
    def name(self) -> str:
        return self.request.command


async def _status(chain: Chain, r: StatusRequest) -> Result:
    return await get_status(chain, r.account, r.pools, lockups=r.lockups, linked=r.linked, scan=r.scan)


async def _unbonding(chain: Chain, r: UnbondingRequest) -> Result:
    pools = [r.pool] if r.pool is not None else []
    return await get_unbonding(chain, r.account, pools, lockups=r.lockups, linked=r.linked, scan=r.scan)


async def _diagnose(chain: Chain, r: DiagnoseRequest) -> Result:
    return await get_diagnose(chain, r.account, r.pools, lockups=r.lockups, linked=r.linked)


async def _epoch(chain: Chain, r: EpochRequest) -> Result:
    return await get_epoch(chain)


async def _pool(chain: Chain, r: PoolRequest) -> Result:
    return await get_pool(chain, r.pool)


async def _liquid(chain: Chain, r: LiquidRequest) -> Result:
    return await get_liquid(chain, r.account)


async def _lockup(chain: Chain, r: LockupRequest) -> Result:
    return await get_lockup(chain, r.account, r.at)


async def _explain(chain: Chain, r: ExplainRequest) -> Result:
    return await get_explain(chain, r.topic)


_SPECS: tuple[CommandSpec[Any], ...] = (
    CommandSpec(EpochRequest, grammar.EPOCH_USAGE, "current epoch, progress and estimated end", grammar.parse_epoch,
                _epoch, EpochResult),
    CommandSpec(PoolRequest, grammar.POOL_USAGE, "a staking pool: owner, fee, stake, validator status",
                grammar.parse_pool, _pool, PoolResult),
    CommandSpec(
        StatusRequest, grammar.STATUS_USAGE,
        "balance, delegations, lockup and liquid staking (--scan: also every validator's pool, in case the staking "
        "index missed one)", grammar.parse_status, _status, StatusResult,
    ),
    CommandSpec(UnbondingRequest, grammar.UNBONDING_USAGE,
                "when unstaked NEAR (or a veNEAR unlock) becomes withdrawable", grammar.parse_unbonding, _unbonding,
                UnbondingResult),
    CommandSpec(LiquidRequest, grammar.LIQUID_USAGE,
                "liquid-staking tokens (stNEAR, LiNEAR, rNEAR): value, unstakes, exits", grammar.parse_liquid,
                _liquid, LiquidResult),
    CommandSpec(LockupRequest, grammar.LOCKUP_USAGE,
                "a lockup: locked, owner's and transferable balances, what to do to move more", grammar.parse_lockup,
                _lockup, LockupResult),
    CommandSpec(StakeRequest, grammar.STAKE_USAGE,
                "a wallet link to stake with a pool, liquid staking or your lockup (you sign)", grammar.parse_stake,
                run_stake, ActionResult),
    CommandSpec(UnstakeRequest, grammar.UNSTAKE_USAGE, "a wallet link to unstake (you sign)", grammar.parse_unstake,
                run_unstake, ActionResult),
    CommandSpec(WithdrawRequest, grammar.WITHDRAW_USAGE, "a wallet link to withdraw unstaked NEAR",
                grammar.parse_withdraw, run_withdraw, ActionResult),
    CommandSpec(TransferRequest, grammar.TRANSFER_USAGE,
                "a wallet link to move unlocked NEAR out of a lockup (you sign)", grammar.parse_transfer, run_transfer,
                ActionResult),
    CommandSpec(VenearRequest, grammar.VENEAR_USAGE,
                "a wallet link for your House of Stake lockup: lock, unlock, finish an unlock, relock (you sign)",
                grammar.parse_venear, run_venear, ActionResult),
    CommandSpec(ExplainRequest, grammar.EXPLAIN_USAGE,
                "a short, checked explanation (unbonding, stuck, lockups, liquid staking…)", grammar.parse_explain,
                _explain, ExplainResult),
    CommandSpec(
        DiagnoseRequest, grammar.DIAGNOSE_USAGE,
        "why tokens look stuck: every case that applies and what to do next (also checks every validator's pool)",
        grammar.parse_diagnose, _diagnose, DiagnoseResult, options={"pool": "pools"},
    ),
)
COMMANDS: dict[str, CommandSpec[Any]] = {spec.name: spec for spec in _SPECS}


def try_instead() -> str:
    return "Try one of: " + ", ".join(c.usage for c in COMMANDS.values()) + "."


def parse_line(line: str) -> tuple[CommandSpec[Any], list[str]]:
    """A typed line → (its command, the words after the name); the words become a request with `spec.parse`."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise errors.InvalidInput(f"Could not read that command ({exc}). Check the quotes.") from None
    if not words:
        raise errors.InvalidInput("No command given. " + try_instead())
    command = COMMANDS.get(words[0].lower())
    if command is None:
        raise errors.InvalidInput(f'Unknown command "{words[0][:40]}". ' + try_instead())
    return command, words[1:]


def parse_request(line: str) -> CommandRequest:
    spec, args = parse_line(line)
    return spec.parse(args)  # type: ignore[no-any-return]


async def run_request(chain: Chain, request: CommandRequest) -> Result:
    """The command's own service for `request` (no secret check, no prepared steps: bot/commands.py adds them)."""
    return await COMMANDS[request.command].run(chain, request)
