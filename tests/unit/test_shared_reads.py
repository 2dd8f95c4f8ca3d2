"""Reads shared between callers (bot/near/shared_reads.py) and requests served oldest question first
(bot/near/slots.py): what a burst of answers relies on to send each read once and answer early questions early."""

from __future__ import annotations

import asyncio

import pytest

from bot.near import errors
from bot.near.rpc import RpcStats
from bot.near.shared_reads import SharedReads
from bot.near.slots import FairSlots


def fetcher(answer: object = "value", *, fail: BaseException | None = None, seconds: float = 0.05):
    calls = 0

    async def fetch() -> object:
        nonlocal calls
        calls += 1
        await asyncio.sleep(seconds)
        if fail is not None:
            raise fail
        return answer

    return fetch, lambda: calls


def never(error: BaseException) -> bool:
    return False


async def test_an_answer_that_expires_while_callers_want_it_is_read_again_once() -> None:
    stats = RpcStats()
    reads = SharedReads(stats)
    fetch, calls = fetcher()
    assert await reads.read("k", 0.05, fetch, never) == "value"
    await asyncio.sleep(0.06)  # expired
    again = await asyncio.gather(*(reads.read("k", 0.05, fetch, never) for _ in range(20)))
    assert again == ["value"] * 20
    assert calls() == 2 and stats.coalesced == 19
    assert await reads.read("k", 0.05, fetch, never) == "value" and calls() == 2 and stats.cache_hits == 1


async def test_answers_about_a_block_are_kept_and_failures_to_answer_are_not() -> None:
    reads = SharedReads(RpcStats())
    missing = errors.AccountNotFound("ghost.near")
    missing.block_height = 7
    fetch, calls = fetcher(fail=missing)
    for _ in range(2):
        with pytest.raises(errors.AccountNotFound):
            await reads.read("ghost", 10, fetch, lambda error: getattr(error, "block_height", None) is not None)
    assert calls() == 1
    down, down_calls = fetcher(fail=errors.RpcUnavailable("down"))
    for _ in range(2):
        with pytest.raises(errors.RpcUnavailable):
            await reads.read("down", 10, down, lambda error: getattr(error, "block_height", None) is not None)
    assert down_calls() == 2


async def test_a_caller_giving_up_does_not_cancel_the_read_for_the_others() -> None:
    reads = SharedReads(RpcStats())
    fetch, calls = fetcher(seconds=0.1)
    impatient = asyncio.ensure_future(reads.read("k", 10, fetch, never))
    patient = asyncio.ensure_future(reads.read("k", 10, fetch, never))
    await asyncio.sleep(0.02)
    impatient.cancel()
    assert await patient == "value" and calls() == 1


async def test_a_freed_slot_goes_to_the_oldest_question_not_the_first_request() -> None:
    slots = FairSlots(1)
    served: list[float] = []
    gate = asyncio.Event()

    async def request(asked_at: float) -> None:
        async with slots.hold(asked_at):
            served.append(asked_at)
            if asked_at == 0.0:
                await gate.wait()

    first = asyncio.ensure_future(request(0.0))  # holds the only slot
    await asyncio.sleep(0)
    waiting = [asyncio.ensure_future(request(t)) for t in (3.0, 1.0, 2.0)]  # issued newest first
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *waiting)
    assert served == [0.0, 1.0, 2.0, 3.0]


async def test_a_request_that_gives_up_while_waiting_passes_its_turn_on() -> None:
    slots = FairSlots(1)
    gate = asyncio.Event()
    served: list[str] = []

    async def request(name: str, asked_at: float, hold: bool = False) -> None:
        async with slots.hold(asked_at):
            served.append(name)
            if hold:
                await gate.wait()

    holder = asyncio.ensure_future(request("holder", 0.0, hold=True))
    await asyncio.sleep(0)
    quitter = asyncio.ensure_future(request("quitter", 1.0))
    later = asyncio.ensure_future(request("later", 2.0))
    await asyncio.sleep(0)
    quitter.cancel()
    gate.set()
    await asyncio.gather(holder, later)
    assert served == ["holder", "later"] and quitter.cancelled()
    async with slots.hold(5.0):  # the slot came back
        pass


async def test_a_full_store_keeps_the_newest_answers_and_stays_bounded() -> None:
    reads = SharedReads(RpcStats(), max_entries=8)
    for number in range(20):
        reads.keep(f"k{number}", 60, number)
    kept = [number for number in range(20) if reads.lookup(f"k{number}") is not None]
    assert len(kept) <= 8 and kept[-1] == 19 and reads.lookup("k0") is None
