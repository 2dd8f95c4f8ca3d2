"""Alerts against the sandbox chain, on both storage backends: exactly once, at the right epoch, across a
restarted wait, crashes between send and mark, closed DMs, an alert removed during its check, a database error
between announcing an epoch and marking it; and the scheduler's RPC cost follows due alerts, not subscriptions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.alerts.delivery import Deliverer, DeliveryPolicy
from bot.alerts.notify import DeliveryRefused
from bot.alerts.scheduler import AlertScheduler
from bot.alerts.subscriptions import subscribe_pool, subscribe_unbonding
from bot.sandbox import ThreadedSandbox
from bot.sandbox.chain import Seat, ValidatorRole
from bot.sandbox.scenario import SCENARIO
from bot.services.chain import Chain
from bot.services.venear_actions import plan_venear
from bot.storage import Storage
from tests.storage.test_storage import dialect_of, raw_execute

E = SCENARIO.epoch_height
USER = 1001


class RecordingNotifier:
    """Stands in for Discord delivery; like Discord's enforce_nonce it drops a repeat of a nonce it has seen.
    (The real Discord path, with its timing cases, is tested against the fake Discord in tests/discord.)"""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, dict[str, Any]]] = []
        self.nonces: set[str] = set()
        self.crash_after_send = 0
        self.refuse: DeliveryRefused | None = None

    async def send(self, destination: str, payload: dict[str, Any], nonce: str, marker: str) -> int:
        if self.refuse is not None:
            raise self.refuse
        if nonce not in self.nonces:
            self.nonces.add(nonce)
            self.delivered.append((destination, payload))
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise asyncio.CancelledError("the process died before marking the message sent")
        return len(self.delivered)

    async def find_marker(self, destination: str, marker: str, since_ms: int) -> int | None:
        return None

    def kinds(self) -> list[str]:
        return [payload["kind"] for _, payload in self.delivered]


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


def deliverer_for(storage: Storage, notifier: RecordingNotifier, holder: str = "process-1") -> Deliverer:
    return Deliverer(storage, notifier, holder=holder, policy=DeliveryPolicy(lease_ms=300))


@pytest.fixture
def scheduler(storage: Storage, chain: Chain, notifier: RecordingNotifier) -> AlertScheduler:
    return AlertScheduler(storage, chain, deliverer_for(storage, notifier))


async def test_unbonding_ready_is_sent_once_at_the_due_epoch(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    outcome = await subscribe_unbonding(storage, chain, USER, "carol.near")
    assert [(s.pool_id, s.due_epoch) for s in outcome.created] == [("charlie.pool.near", E + 1)]
    plan = await scheduler.run_once()
    assert notifier.delivered == []
    assert plan.target_epoch == E + 1 and plan.sleep_seconds > 60  # sleeps towards the epoch, no polling
    sandbox.advance(epochs=1)
    await scheduler.run_once()
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]
    destination, payload = notifier.delivered[0]
    assert destination == f"dm:{USER}"
    assert "carol.near" in payload["text"] and "charlie.pool.near" in payload["text"]


async def test_a_new_unstake_reschedules_and_says_so(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "dave.near", "alpha.poolv1.near")).created
    assert sub.due_epoch == E + 2
    assert sandbox.call("dave.near", "alpha.poolv1.near", "unstake", {"amount": str(10**24)})["ok"]
    sandbox.advance(epochs=2)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_restarted"]
    assert (await storage.subscription(sub.id)).due_epoch == E + 4  # type: ignore[union-attr]
    sandbox.advance(epochs=2)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_restarted", "unbonding_ready"]


async def test_a_crash_between_send_and_mark_does_not_show_twice(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    await subscribe_unbonding(storage, chain, USER, "carol.near")
    sandbox.advance(epochs=1)
    notifier.crash_after_send = 1
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run_once()  # sent, then the process "died" before it was marked
    assert len(await storage.pending_outbox()) == 1
    other = deliverer_for(storage, notifier, holder="process-2")  # another process over the same database
    assert await other.deliver_due() == 0  # the dead process's claim still runs: not touched
    await asyncio.sleep(0.4)  # its lease ends
    assert await other.deliver_due() == 1  # sent again with the same nonce: Discord shows it once
    assert await storage.pending_outbox() == []
    assert notifier.kinds() == ["unbonding_ready"]


async def test_removing_an_alert_during_its_check_neither_aborts_the_pass_nor_sends_it(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    (kept,) = (await subscribe_unbonding(storage, chain, USER, "carol.near")).created
    (removed,) = (await subscribe_unbonding(storage, chain, USER + 1, "carol.near")).created
    sandbox.advance(epochs=1)
    sandbox.set_faults(0, [{"kind": "latency", "ms": 800, "method": "query"}])  # each alert's pool read is slow
    checking = asyncio.create_task(scheduler.run_once())
    await asyncio.sleep(0.4)  # the pass has read the due alerts and waits for the chain
    assert await storage.remove_subscription(USER + 1, removed.id)
    await checking  # no foreign-key error, no aborted pass
    assert [d for d, _ in notifier.delivered] == [f"dm:{USER}"]
    assert (await storage.subscription(kept.id)).state == "done"  # type: ignore[union-attr]
    assert await storage.subscription(removed.id) is None


async def test_an_error_between_announcing_and_marking_loses_nothing_and_repeats_nothing(
    storage: Storage, database_url: str, sandbox: ThreadedSandbox, scheduler: AlertScheduler,
    notifier: RecordingNotifier,
) -> None:
    await storage.update_guild(77, announcement_channel_id=555)
    await scheduler.run_once()  # mid-epoch at start: not news, but the epoch is recorded
    sandbox.advance(blocks=sandbox.chain.epoch_start_height + 43_200 + 50 - sandbox.chain.head_height)
    await raw_execute(database_url, FAIL_MARK[dialect_of(database_url)])  # the database fails the "announced" mark
    with pytest.raises(Exception, match="injected"):
        await scheduler.run_once()
    assert await storage.pending_outbox() == [] and notifier.delivered == []  # not queued without its mark
    await raw_execute(database_url, [("DROP TRIGGER fail_mark" + (" ON scheduler_state" if "postgres" in database_url
                                                                   else ""), ())])
    await scheduler.run_once()
    await scheduler.run_once()
    assert [(d, p["title"]) for d, p in notifier.delivered] == [("channel:555", f"New epoch {E + 1}")]


FAIL_MARK = {
    "sqlite": [("CREATE TRIGGER fail_mark BEFORE UPDATE ON scheduler_state "
                "BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END", ())],
    "postgresql": [
        ("CREATE FUNCTION fail_mark() RETURNS trigger LANGUAGE plpgsql AS "
         "$$ BEGIN RAISE EXCEPTION 'injected: disk I/O error'; END $$", ()),
        ("CREATE TRIGGER fail_mark BEFORE UPDATE ON scheduler_state FOR EACH ROW EXECUTE FUNCTION fail_mark()", ()),
    ],
}


async def test_closed_dms_disable_the_alert_and_leave_a_notice(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "carol.near")).created
    sandbox.advance(epochs=1)
    notifier.refuse = DeliveryRefused("403 Cannot send messages to this user (50007)", dm_closed=True)
    await scheduler.run_once()
    marked = await storage.subscription(sub.id)
    assert (marked.state, marked.disabled_reason) == ("disabled", "dm_closed")  # type: ignore[union-attr]
    notices = await storage.pop_notices(USER)
    assert len(notices) == 1 and "DMs are closed" in notices[0]
    assert await scheduler.deliverer.deliver_due() == 0 and await storage.pending_outbox() == []  # never retried


async def test_rpc_cost_grows_with_due_alerts_not_subscriptions(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler
) -> None:
    for other_user in range(2000, 2040):  # not due for three more epochs
        await storage.add_subscription("unbonding", other_user, account_id="alice.near", pool_id="bravo.poolv1.near", due_epoch=E + 4)
    await subscribe_unbonding(storage, chain, USER, "carol.near")
    sandbox.advance(epochs=1)
    before = chain.rpc.stats.http_requests
    await scheduler.run_once()
    used = chain.rpc.stats.http_requests - before
    # The epoch clock (validators, block, config, sample block), one due alert, and the withdrawal its DM carries,
    # prepared by /withdraw's own planner: the pool's code, whether the signer is a lockup, and the delegation again
    # (with the production read cache the last is a hit: the same final read a moment later; this chain caches
    # nothing).
    assert used <= 4 + 1 + 3


async def test_epoch_announcement_once_per_epoch(
    storage: Storage, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    await storage.update_guild(77, announcement_channel_id=555)
    await scheduler.run_once()  # mid-epoch at start: not news
    assert notifier.delivered == []
    sandbox.advance(blocks=sandbox.chain.epoch_start_height + 43_200 + 50 - sandbox.chain.head_height)
    await scheduler.run_once()
    await scheduler.run_once()
    assert [(d, p["kind"]) for d, p in notifier.delivered] == [("channel:555", "epoch")]
    assert f"Epoch {E + 1} has started" in notifier.delivered[0][1]["text"]
    assert "lasted about" in notifier.delivered[0][1]["text"]


async def test_pool_watch_reports_fee_change_and_pause(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    await subscribe_pool(storage, chain, USER, "bravo.poolv1.near", guild_id=9, channel_id=42)
    await scheduler.run_once()  # first look records the pool's state
    assert notifier.delivered == []
    fee = {"reward_fee_fraction": {"numerator": 15, "denominator": 100}}
    assert sandbox.call("bravo-ops.near", "bravo.poolv1.near", "update_reward_fee_fraction", fee)["ok"]
    assert sandbox.call("bravo-ops.near", "bravo.poolv1.near", "pause_staking", {})["ok"]
    await scheduler.run_once()
    await scheduler.run_once()
    texts = [p["text"] for _, p in notifier.delivered]
    assert any("fee from 5/100 to 15/100" in t for t in texts)
    assert any("paused staking" in t for t in texts)
    assert all(d == "channel:42" for d, _ in notifier.delivered)
    assert len(texts) == 2


@pytest.mark.parametrize(("online", "alerted"), [((29_610, 30_863), False), ((78, 100), True), ((60, 100), True)])
async def test_chunk_validator_low_uptime_is_judged_on_endorsements(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler,
    notifier: RecordingNotifier, online: tuple[int, int], alerted: bool,
) -> None:
    # A chunk-validator-only seat produces no blocks or chunks: only its endorsements can make its uptime low, and
    # nearcore removes such a seat below 70 % (the alert warns 10 points above that).
    await subscribe_pool(storage, chain, USER, "chunkval.poolv1.near", guild_id=9, channel_id=42)
    await scheduler.run_once()
    sandbox.run_on_loop(lambda: sandbox.chain.set_validator(
        "chunkval.poolv1.near", ValidatorRole.ACTIVE, seat=Seat.CHUNK_VALIDATOR, online=online))
    sandbox.advance(blocks=100)
    await scheduler.run_once()
    texts = [p["text"] for _, p in notifier.delivered]
    if not alerted:
        assert texts == []
        return
    (text,) = texts
    assert text.startswith("chunkval.poolv1.near has low uptime: as a chunk validator it produced ")
    assert "expected endorsements this epoch" in text and text.endswith("nearcore removes a chunk validator below 70%.")


async def test_liquid_staking_unstake_alert(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    outcome = await subscribe_unbonding(storage, chain, USER, "bob.near", "meta-pool.near")
    assert [(s.pool_id, s.due_epoch) for s in outcome.created] == [("meta-pool.near", E + 2)]
    sandbox.advance(epochs=1)
    await scheduler.run_once()
    assert notifier.delivered == []
    sandbox.advance(epochs=1)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]
    payload = notifier.delivered[0][1]
    assert "meta-pool.near" in payload["text"]
    assert payload["link"] == "https://app.mynearwallet.com/liquid-staking/meta-pool.near"


async def test_liquid_alert_waits_for_the_settlement_without_polling(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, notifier: RecordingNotifier
) -> None:
    scheduler = AlertScheduler(storage, chain, deliverer_for(storage, notifier), min_sleep=0.05, settling_recheck=0.5)
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "dave.near", "lst.rhealab.near")).created
    assert sub.due_epoch == E + 3  # Rhea's own unlock epoch (last_unstake_request_epoch_height)
    sandbox.run_on_loop(lambda: setattr(sandbox.chain.contracts["lst.rhealab.near"], "auto_settle", False))
    sandbox.advance(epochs=3)
    plan = await scheduler.run_once()  # the view says can_withdraw, the contract would refuse: no message
    assert notifier.delivered == []
    assert 0.3 < plan.sleep_seconds <= 0.5  # looks again after the recheck time, not every few seconds
    assert sandbox.call("erin.near", "lst.rhealab.near", "epoch_unstake")["ok"]
    await scheduler.run_once()
    assert notifier.delivered == []  # not read again before its recheck time
    await asyncio.sleep(0.55)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]
    assert "lst.rhealab.near" in notifier.delivered[0][1]["text"]


async def test_an_unstake_without_a_readable_epoch_is_never_called_nothing_unbonding(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox
) -> None:
    # A Rhea deployment without get_account_details: its get_account has no unlock epoch (bot/near/liquid.py), so
    # dave.near's pending unstake there cannot be timed.
    rhea = sandbox.chain.contracts["lst.rhealab.near"]
    views = {k: v for k, v in type(rhea).VIEW_METHODS.items() if k != "get_account_details"}
    sandbox.run_on_loop(lambda: setattr(rhea, "VIEW_METHODS", views))
    outcome = await subscribe_unbonding(storage, chain, USER, "dave.near", "lst.rhealab.near")
    assert outcome.created == [] and outcome.unknown_epoch == ["lst.rhealab.near"]
    assert "nothing unbonding" not in outcome.message
    assert "the epoch it unlocks cannot be read" in outcome.message and "lst.rhealab.near" in outcome.message
    both = await subscribe_unbonding(storage, chain, USER, "dave.near")
    assert [s.pool_id for s in both.created] == ["alpha.poolv1.near"] and both.unknown_epoch == ["lst.rhealab.near"]


async def test_no_false_restart_message_at_the_epoch_boundary(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    await subscribe_unbonding(storage, chain, USER, "carol.near", "charlie.pool.near")  # due E+1
    # The newest block is in E+1 but the pool is read a few blocks behind, still in E.
    sandbox.advance(blocks=sandbox.chain.epoch_start_height + 43_200 + 1 - sandbox.chain.head_height)
    sandbox.set_faults(0, [{"kind": "stale", "blocks": 20, "method": "query"}])
    plan = await scheduler.run_once()
    assert notifier.delivered == []  # not "your wait restarted"
    assert plan.sleep_seconds < 60  # looks again shortly
    sandbox.clear_faults()
    sandbox.advance(blocks=10)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]


async def test_lockup_stake_unbonding_is_shown_and_alerted(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    from bot.near.account_id import lockup_account_id
    from bot.services.unbonding import get_unbonding

    lockup_id = lockup_account_id("sam.near")
    assert sandbox.call("sam.near", lockup_id, "unstake", {"amount": str(5_000 * 10**24)})["ok"]
    result = await get_unbonding(chain, "sam.near")
    (entry,) = [e for e in result.entries if e.pool_id == "bravo.poolv1.near"]
    assert entry.held_by == lockup_id
    assert (entry.available_epoch, entry.can_withdraw) == (E + 4, False)
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "sam.near")).created
    assert (sub.account_id, sub.pool_id, sub.due_epoch) == (lockup_id, "bravo.poolv1.near", E + 4)
    sandbox.advance(epochs=4)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]
    assert "through the lockup" in notifier.delivered[0][1]["text"]


# -- House of Stake veNEAR unlocks: alerts due at a time, not an epoch -----------------------------------------------


def _short_unlock_lockup(sandbox: ThreadedSandbox, owner: str, cooldown_seconds: int) -> str:
    """A House of Stake lockup with a short cooldown (deployed like venear.dao's), 100 NEAR locked, 40 unlocking."""
    import hashlib

    from bot.sandbox.venear import MIN_LOCKUP_DEPOSIT, VENEAR_ID, WHITELIST_ID
    from bot.sandbox.venear_contracts import VenearLockup

    lockup_id = hashlib.sha256(owner.encode()).digest()[:20].hex() + "." + VENEAR_ID

    def deploy() -> None:
        chain = sandbox.chain
        chain.create_account(owner, 10 * 10**24)
        chain.create_account(lockup_id, 200 * 10**24)
        chain.deploy(lockup_id, VenearLockup(
            owner_account_id=owner, venear_account_id=VENEAR_ID, whitelist_account_id=WHITELIST_ID,
            unlock_duration_ns=cooldown_seconds * 10**9, min_lockup_deposit=MIN_LOCKUP_DEPOSIT,
        ))

    sandbox.run_on_loop(deploy)
    for method, amount in (("lock_near", 100), ("begin_unlock_near", 40)):
        outcome = sandbox.call(owner, lockup_id, method, {"amount": str(amount * 10**24)}, deposit=1)
        assert outcome["ok"], outcome
    return lockup_id


async def test_venear_unlock_alert_at_the_unlock_time(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    lockup_id = _short_unlock_lockup(sandbox, "otis.near", cooldown_seconds=3600)
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "otis.near")).created
    assert sub.is_timed and sub.account_id == lockup_id and sub.due_epoch is None
    plan = await scheduler.run_once()
    assert notifier.delivered == []
    assert 3000 < plan.sleep_seconds <= 3700  # sleeps until the unlock time, no polling
    sandbox.advance(blocks=3600 * 10 // 6 + 50)  # one hour of 0.6 s blocks, and the final block past it
    await scheduler.run_once()
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_ready"]
    assert "end-unlock" in notifier.delivered[0][1]["text"] and lockup_id in notifier.delivered[0][1]["text"]
    assert "end_unlock_near" not in notifier.delivered[0][1]["text"]  # the method is in the step's Details
    # By DM: the step that finishes the unlock, ready to sign, exactly what /venear end-unlock prepares.
    step = notifier.delivered[0][1]["action"]
    planned = await plan_venear(chain, "end-unlock", "otis.near", None, lockup_id)
    assert step["planned"] and step["refused"] is None and step["signer_id"] == "otis.near"
    assert step["links"] == planned.links and step["label"] == "Finish the unlock of 40 NEAR"
    assert (await storage.subscription(sub.id)).state == "done"  # type: ignore[union-attr]


async def test_a_new_unlock_restarts_the_alert_and_a_relock_ends_it(
    storage: Storage, chain: Chain, sandbox: ThreadedSandbox, scheduler: AlertScheduler, notifier: RecordingNotifier
) -> None:
    lockup_id = _short_unlock_lockup(sandbox, "pia.near", cooldown_seconds=3600)
    (sub,) = (await subscribe_unbonding(storage, chain, USER, "pia.near")).created
    sandbox.advance(blocks=3000)  # half an hour later, another unlock restarts the cooldown for all 50 NEAR pending
    assert sandbox.call("pia.near", lockup_id, "begin_unlock_near", {"amount": str(10 * 10**24)}, deposit=1)["ok"]
    sandbox.advance(blocks=3000 + 50)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_restarted"]
    moved = await storage.subscription(sub.id)
    assert moved is not None and moved.due_unix is not None and moved.due_unix > sub.due_unix  # type: ignore[operator]
    assert sandbox.call("pia.near", lockup_id, "lock_pending_near", {}, deposit=1)["ok"]
    sandbox.advance(blocks=3000 + 50)
    await scheduler.run_once()
    assert notifier.kinds() == ["unbonding_restarted"]  # locked again: nothing pending, nothing more to say
    assert (await storage.subscription(sub.id)).state == "done"  # type: ignore[union-attr]


async def test_an_unlock_already_over_is_said_not_scheduled(storage: Storage, chain: Chain) -> None:
    outcome = await subscribe_unbonding(storage, chain, USER, "ivy.near")
    assert outcome.created == [] and "veNEAR unlock" in outcome.message and "/venear" in outcome.message
