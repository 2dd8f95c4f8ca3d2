"""Console text of the support answers: `explain` (Markdown made readable in a terminal) and `diagnose`."""

from __future__ import annotations

from bot.render.action_text import ready_lines
from bot.render.text.base import duration, render_text, when
from bot.services.results import DiagnoseResult, ExplainResult

_SEVERITY_MARK = {"action": "->", "warning": "!", "wait": "..", "info": "i", "ok": "ok"}


def plain_markdown(text: str) -> str:
    """Discord Markdown made readable in a terminal: bold and code marks dropped (single * kept: `*.pool.near`)."""
    return text.replace("**", "").replace("`", "")


@render_text.register
def _(result: ExplainResult) -> str:
    lines = [result.title, "", plain_markdown(result.text), ""]
    for note in result.notes:
        lines.append(f"note: {note}")
    lines.append(f"Your own case: {result.console_command}  (in Discord: {result.command})")
    return "\n".join(lines)


@render_text.register
def _(result: DiagnoseResult) -> str:
    lines = [f"Diagnosis for {result.account_id} (epoch {result.current_epoch})"]
    for case in result.cases:
        lines.append(f"  [{_SEVERITY_MARK[case.severity]}] {case.title}")
        text = case.text
        if case.estimated_available_unix is not None and case.severity in ("wait", "info"):
            left = duration(case.estimated_available_unix - result.head_unix)
            text += f" (≈ {when(case.estimated_available_unix)}, in about {left}; an estimate)"
        lines.append(f"      {text}")
        if case.next_command:
            lines.append(f"      next: {case.next_command.removeprefix('/')}")
    for problem in result.problems:
        lines.append(f"  ! {problem.pool_id}: {problem.message}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    lines.append(f"  pools checked: {result.checked}")
    return "\n".join(lines + ready_lines(result))
