"""The doctor's report as printed: endpoint keys never shown, marks, fixes under problems, verdict and exit rule."""

from __future__ import annotations

import json

from bot.doctor.model import Check, DoctorReport, shown_url
from bot.render.doctor import doctor_json, doctor_text


def test_endpoints_are_shown_without_their_keys() -> None:
    assert shown_url("https://user:s3cret@rpc.example.com/v1/?apikey=s3cret") == "https://rpc.example.com/v1?…"
    assert shown_url("http://127.0.0.1:3030") == "http://127.0.0.1:3030"


def report(*statuses: str) -> DoctorReport:
    checks = [Check(id="rpc", status=s, title=f"Check {i}", summary=f"{s} summary", fix=f"fix {i}")  # type: ignore[arg-type]
              for i, s in enumerate(statuses)]
    return DoctorReport(network="mainnet", checks=checks, invite_url="https://discord.com/oauth2/authorize?x")


def test_text_puts_the_fix_under_each_problem_only() -> None:
    text = doctor_text(report("ok", "fail", "warn", "skip"))
    assert text.splitlines()[2:10] == [
        "✓ Check 0: ok summary",
        "✗ Check 1: fail summary",
        "    fix: fix 1",
        "! Check 2: warn summary",
        "    fix: fix 2",
        "– Check 3: skip summary",
        "    fix: fix 3",
        "",
    ]
    assert text.endswith("1 problem(s) to fix. (1 warning(s), 1 not checked)")
    assert "FAIL Check 0: fail summary" in doctor_text(report("fail"), unicode=False)


def test_only_failures_make_it_fail() -> None:
    assert report("ok", "warn", "skip").ok
    assert doctor_text(report("ok", "warn")).endswith("Everything needed works. (1 warning(s))")
    body = json.loads(doctor_json(report("ok", "fail")))
    assert body["ok"] is False and body["counts"] == {"ok": 1, "warn": 0, "fail": 1, "skip": 0}
    assert set(body["checks"][0]) == {"id", "status", "title", "summary", "fix", "target", "details"}
