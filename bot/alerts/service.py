"""Alerts in one bot process: its deliverer always runs; its scheduler runs only while this process holds the
scheduler lock, so exactly one process checks alerts at a time (PostgreSQL: a session advisory lock, released
by the server the moment the holder's connection dies; SQLite: a lease row renewed every second). Every other
process asks for the lock every `poll_seconds` and takes over within seconds of the holder's death.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket

from bot.alerts.delivery import Deliverer, DeliveryPolicy
from bot.alerts.notify import Notifier
from bot.alerts.scheduler import AlertScheduler
from bot.roles.keeper import RoleKeeper
from bot.services.chain import Chain
from bot.storage import Storage

log = logging.getLogger(__name__)
SCHEDULER_LOCK = "alert-scheduler"


def process_holder() -> str:
    """Who holds a claim or the lock: host, pid and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class AlertService:
    def __init__(self, storage: Storage, chain: Chain, notifier: Notifier, *, retention_seconds: int,
                 policy: DeliveryPolicy | None = None, poll_seconds: float = 1.0, lease_seconds: float = 10.0,
                 roles: RoleKeeper | None = None) -> None:
        self.storage = storage
        self.holder = process_holder()
        self.deliverer = Deliverer(storage, notifier, holder=self.holder, policy=policy)
        self.scheduler = AlertScheduler(storage, chain, self.deliverer, retention_seconds=retention_seconds, roles=roles)
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.leading = False
        storage.on_change(self._changed)

    def _changed(self, topic: str) -> None:
        if topic == "alerts":
            self.scheduler.poke()  # does nothing while this process is not the scheduler
        elif topic == "outbox":
            self.deliverer.poke()

    def poke(self) -> None:
        self.scheduler.poke()
        self.deliverer.poke()

    async def run(self) -> None:
        log.info("alert scheduler started")  # delivery runs here; checking runs wherever the lock is held
        try:
            await asyncio.gather(self.deliverer.run_forever(), self._lead())
        finally:
            self.leading = False
            with contextlib.suppress(Exception):
                await self.storage.release_lead(SCHEDULER_LOCK, self.holder)  # let another process take over now

    async def _lead(self) -> None:
        while True:
            if await self._try_lead():
                log.info("this process runs the alert scheduler (%s)", self.holder)
                self.leading = True
                checking = asyncio.create_task(self.scheduler.run_forever(), name="alert-checks")
                try:
                    while await self._try_lead():
                        await asyncio.sleep(self.poll_seconds)
                finally:
                    self.leading = False
                    checking.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await checking
                log.warning("this process no longer runs the alert scheduler (lock lost)")
            await asyncio.sleep(self.poll_seconds)

    async def _try_lead(self) -> bool:
        try:
            return await self.storage.try_lead(SCHEDULER_LOCK, self.holder, int(self.lease_seconds * 1000))
        except Exception as exc:  # the database is away: nobody can be sure to lead, so stop checking
            log.warning("could not ask for the alert scheduler lock: %s", exc)
            return False
