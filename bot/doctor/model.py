"""What `doctor` found: one Check per thing an admin can get wrong, each with the fix in one sentence."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field

# ok: fine. fail: the bot cannot work as configured (exit code 1). warn: works, but less than it could.
# skip: could not be checked (no token, an earlier check failed); never counts as a failure.
Status = Literal["ok", "warn", "fail", "skip"]


class Check(BaseModel):
    id: str  # stable, for scripts: settings, rpc, index, database, discord_token, discord_install, …
    status: Status
    title: str
    summary: str
    fix: str | None = None
    target: str | None = None  # which endpoint, server or channel the check is about
    details: dict[str, Any] = Field(default_factory=dict)


class DoctorReport(BaseModel):
    network: str | None
    checks: list[Check]
    invite_url: str | None = None

    @property
    def ok(self) -> bool:
        return not any(check.status == "fail" for check in self.checks)

    def counts(self) -> dict[str, int]:
        counted = {status: 0 for status in ("ok", "warn", "fail", "skip")}
        for check in self.checks:
            counted[check.status] += 1
        return counted

    def to_json_obj(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "network": self.network,
            "counts": self.counts(),
            "invite_url": self.invite_url,
            "checks": [check.model_dump(mode="json") for check in self.checks],
        }


def skipped(check_id: str, title: str, why: str, *, fix: str | None = None, target: str | None = None) -> Check:
    return Check(id=check_id, status="skip", title=title, summary=why, fix=fix, target=target)


def shown_url(url: str) -> str:
    """An endpoint as it may be printed: no user:password@ and no query string (API keys live there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "…" if parts.query else "", ""))
