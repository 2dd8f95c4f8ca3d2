"""From advice to a transaction ready to sign: every answer that recommends a step (`status`, `unbonding`,
`diagnose`, `lockup`, `liquid`, the alerts) carries it as a `PreparedAction`.

A service (or `ready_offers` for answers whose offers follow from their figures) marks a recommendation with an
*offer*: an unplanned PreparedAction holding the action command (`withdraw bob.near alpha.poolv1.near`), a usefulness
class and words for a holder. `with_ready_actions` then ranks every offer of the answer, runs the most useful
`MAX_READY` through the action commands' own entries (bot/registry.py: the same grammar, planners, pre-flight
checks and refusals as `withdraw`, `transfer`, `venear`), concurrently and pinned to the answer's block (one block per
answer; reads the answer already made are shared through the RPC client's cache), and puts the results in place.
The others stay offers: the command to run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import BaseModel

from bot.near import errors
from bot.near.liquid import providers_for
from bot.near.units import format_near
from bot.registry import COMMANDS, parse_line
from bot.services.actions import ActionRefused
from bot.services.chain import Chain
from bot.services.offers import prepared_actions, step_words, with_offers
from bot.services.results import ActionResult, PreparedAction, Result

log = logging.getLogger(__name__)

# One message holds 5 rows of buttons (discord.md §2.2): one row per prepared step, one for the answer's own
# buttons. Console and JSON prepare the same steps, so every interface shows the same answer.
MAX_READY = 4

# The commands whose answer is a transaction to sign: only those can be a prepared step.
ACTION_COMMANDS = frozenset(name for name, spec in COMMANDS.items() if spec.result is ActionResult)

def _place(result: ActionResult, network: str) -> str:
    provider = next((p for p in providers_for(network) if p.contract_id == result.pool_id), None)
    return provider.name if provider is not None else result.pool_id


def holder_words(result: ActionResult, network: str) -> tuple[str, str]:
    """(button label, sentence) for a prepared action: what happens to the NEAR, in NEAR, for a holder."""
    amount = format_near(result.amount_yocto) if result.amount_yocto is not None else "the NEAR"
    place, signer = _place(result, network), result.signer_id
    if result.action == "withdraw" and result.via == "lockup":
        label = f"Bring {amount} back to your lockup"
        text = (f"Withdraw {amount} from {place} back to your lockup {result.lockup_id} — it is ready. It returns to "
                "the lockup, not to your wallet; then you can move out what is unlocked.")
    elif result.action == "withdraw":
        label, text = f"Withdraw {amount}", f"Withdraw {amount} from {place} to {signer} — it is ready."
    elif result.action == "transfer":
        to = "your wallet" if result.receiver_id == signer else result.receiver_id
        label = f"Move {amount} to {to}"
        text = f"Move {amount} out of your lockup {result.lockup_id} to {to}" + (
            f" ({signer})." if result.receiver_id == signer else ".")
    elif result.action == "venear_end_unlock":
        label = f"Finish the unlock of {amount}"
        text = (f"Finish the veNEAR unlock of {amount}: it becomes free NEAR in your lockup {result.lockup_id}, to "
                "move out or lock again.")
    else:
        verb = {"stake": "Stake", "unstake": "Unstake", "venear_lock": "Lock for veNEAR",
                "venear_unlock": "Start unlocking", "venear_relock": "Lock again"}.get(result.action, "Sign")
        label, text = f"{verb} {amount}", f"{verb} {amount} ({place})."
    words = step_words(result.transactions)
    if len(words) > 1:
        text += f" {len(words)} steps in your wallet, in order: {', then '.join(words)}."
    else:
        text += " One step in your wallet."
    return label, text + f" You sign it as {signer}; nobody needs your keys."


async def plan_offer(chain: Chain, prepared: PreparedAction) -> PreparedAction:
    """Run the offer's action command through its own registry entry; a refusal is kept as the reason."""
    name = prepared.command.split(" ", 1)[0]
    update: dict[str, Any] = {"planned": True}
    try:
        spec, args = parse_line(prepared.command)
        if spec.name not in ACTION_COMMANDS:
            raise TypeError(f"{name} is not an action command")
        result = await spec.run(chain, spec.parse(args))
        assert isinstance(result, ActionResult)  # the action commands answer nothing else
    except ActionRefused as exc:
        update["refused"] = exc.message
    except errors.NearError as exc:
        update["refused"] = f"It could not be prepared just now: {exc.message}"
    except Exception:  # a step that cannot be prepared never costs the user the answer itself
        log.exception("preparing %r failed", name)
        update["refused"] = "It could not be prepared just now (a problem on our side); run the command instead."
    else:
        label, text = holder_words(result, chain.network)
        update.update({name: getattr(result, name) for name in ActionResult.model_fields if name != "kind"})
        update.update(label=label, text=text)
    return prepared.model_copy(update=update)


def _replaced(value: Any, new: dict[int, PreparedAction]) -> Any:
    if isinstance(value, PreparedAction):
        return new.get(id(value), value)
    if isinstance(value, BaseModel):
        update = {key: _replaced(item, new) for key, item in value.__dict__.items()
                  if isinstance(item, BaseModel | list)}
        changed = {key: item for key, item in update.items() if item is not value.__dict__[key]}
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [_replaced(item, new) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


async def _pinned(chain: Chain, height: int | None) -> Chain:
    """The chain read at the answer's block, so the prepared figures describe the same block as the answer."""
    if height is None or chain.rpc.pinned_height is not None:
        return chain
    try:
        return chain.at(await chain.rpc.block(block_id=height))
    except errors.NearError:
        return chain  # the planners then read the latest final block, as the action commands do


def answer_height(result: Result) -> int | None:
    height = getattr(result, "block_height", None)
    if height is None:
        heights = [p.block_height for p in getattr(result, "positions", [])]
        height = min(heights) if heights else None
    return height


async def with_ready_actions(chain: Chain, result: Result, *, plan: bool = True) -> Result:
    """`result` with its offers ranked (1 = most useful) and the first `MAX_READY` prepared (`plan`), in place."""
    result = with_offers(result, chain.network)
    offers = [p for p in prepared_actions(result) if not p.planned]
    if not offers:
        return result
    order = sorted(offers, key=lambda p: (p.rank, -(p.amount_yocto or 0)))
    ranked = {id(p): p.model_copy(update={"rank": rank}) for rank, p in enumerate(order, start=1)}
    if plan:
        chosen = order[:MAX_READY]
        chain = await _pinned(chain, answer_height(result))
        planned = await asyncio.gather(*(plan_offer(chain, ranked[id(p)]) for p in chosen))
        ranked.update({id(p): done for p, done in zip(chosen, planned, strict=True)})
    replaced = _replaced(result, ranked)
    assert isinstance(replaced, Result)  # a model walked is the same kind of model
    return replaced
