"""Doctor check of the database, through the storage layer (so it holds for every backend)."""

from __future__ import annotations

import os

from bot.doctor.model import Check
from bot.settings import Settings
from bot.storage import Storage, StorageHealth, open_storage


def open_configured_storage(settings: Settings) -> Storage:
    return open_storage(settings.storage_url)


async def check_database(storage: Storage) -> tuple[Check, StorageHealth | None]:
    """Opens, schema current, writable. Changes nothing: no file created, no migration run."""
    try:
        health = await storage.check_health()
    except Exception as exc:  # a backend that cannot even say: report it, do not crash the doctor
        return Check(id="database", status="fail", title="Database", summary=f"could not be checked ({exc})",
                     fix="Check DATABASE_URL (or DATABASE_PATH)."), None
    title = f"Database {health.location}"
    setting = "DATABASE_URL" if health.backend == "postgresql" else "DATABASE_PATH"

    def found(status: str, summary: str, fix: str | None = None) -> tuple[Check, StorageHealth]:
        details = {"backend": health.backend, "exists": health.exists, "schema_version": health.schema_version,
                   "latest_version": health.latest_version, "writable": health.writable}
        return Check(id="database", status=status, title=title, summary=summary, fix=fix,
                     details=details), health

    if health.denied and health.backend == "postgresql":
        return found("fail", f"not usable by the bot's database user: {health.problem}",
                     "Check the user and password in DATABASE_URL, and that this user may create tables there.")
    if health.denied:
        return found("fail", f"not usable by this user: {health.problem}",
                     f"Let the user running the bot ({_who()}) read and write DATABASE_PATH and its folder "
                     "(SQLite also writes -wal and -shm files next to it).")
    if not health.writable or not health.readable:
        return found("fail", f"cannot be used: {health.problem}",
                     f"Point {setting} at this bot's database, or restore it from a backup if it is damaged.")
    if not health.persistent:
        return found("warn", "in memory: linked accounts, alerts and server settings are lost at every restart",
                     "Set DATABASE_PATH to a file (e.g. data/bot.sqlite3).")
    if not health.exists:
        return found("ok", "not created yet; the bot creates it at first start (its folder is writable)")
    version, latest = health.schema_version or 0, health.latest_version
    if version > latest:
        return found("fail", f"schema {version} is newer than this bot's {latest} (written by a newer version)",
                     "Run the newer version of the bot, or restore a backup made with this one.")
    if version < latest:
        return found("warn", f"schema {version} of {latest}: {latest - version} migration(s) pending",
                     "They run at the next start; run `./scripts/run migrate` to apply them now.")
    return found("ok", f"schema {version} (current), writable")


def _who() -> str:
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    return "this user" if uid is None else f"uid {uid}"
