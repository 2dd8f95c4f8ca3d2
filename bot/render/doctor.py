"""The doctor's report for a person: one line per check with ✓/✗, the fix under each problem, a verdict."""

from __future__ import annotations

import json

from bot.doctor.model import DoctorReport

MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "–"}
ASCII_MARKS = {"ok": "OK  ", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


def doctor_text(report: DoctorReport, *, unicode: bool = True) -> str:
    marks = MARKS if unicode else ASCII_MARKS
    lines = [f"Doctor ({report.network or 'settings invalid'})", ""]
    for check in report.checks:
        lines.append(f"{marks[check.status]} {check.title}: {check.summary}")
        if check.fix and check.status != "ok":
            lines.append(f"    fix: {check.fix}")
    if report.invite_url:
        lines += ["", f"Invite link (add the bot to a server): {report.invite_url}"]
    counts = report.counts()
    if report.ok:
        verdict = "Everything needed works."
    else:
        verdict = f"{counts['fail']} problem(s) to fix."
    extra = [f"{counts['warn']} warning(s)"] if counts["warn"] else []
    extra += [f"{counts['skip']} not checked"] if counts["skip"] else []
    lines += ["", verdict + (f" ({', '.join(extra)})" if extra else "")]
    return "\n".join(lines)


def doctor_json(report: DoctorReport) -> str:
    return json.dumps(report.to_json_obj(), ensure_ascii=False)
