"""Advice speaks to a holder; the technical side is one click away.

Real answers from the sandbox chain (every answer kind that recommends a step, on accounts in every state: pool,
liquid-staking and lockup withdrawals, lockups of each kind and age, House of Stake unlocks) rendered for Discord:
the main text never names a contract method, a gas figure or a yocto amount; the Details behind its buttons (each
step's action answer, and "All details") hold every one of them.
"""

from __future__ import annotations

import re

import pytest

from bot.render.details import details_embed
from bot.render.embeds import Rendered, render_embed
from bot.sandbox.venear import NEW_LOCKUPS
from bot.services.offers import prepared_actions
from bot.services.results import LockupResult, Result
from tests.conftest import sandbox_answers

GLOBAL = NEW_LOCKUPS["global"]
LINES = (
    "diagnose bob.near", "diagnose carol.near", "diagnose ivy.near", "diagnose lena.near", "diagnose hana.near",
    "diagnose sam.near", "diagnose gina.near", "diagnose dave.near", "diagnose alice.near", "diagnose frank.near",
    f"diagnose nina.near --lockup {GLOBAL.lockup_id}", "diagnose ivan.near",
    "lockup lena.near", "lockup gina.near", "lockup sam.near", "lockup hana.near", "lockup ivy.near", "lockup vera.near",
    "lockup fay.near", "lockup ivan.near", "lockup otto.near", "lockup hugo.near", f"lockup {GLOBAL.lockup_id}",
    "status bob.near", "status carol.near", "status ivy.near", "status sam.near", "status hana.near",
    "unbonding carol.near", "unbonding ivy.near", "unbonding alice.near", f"unbonding nina.near --lockup {GLOBAL.lockup_id}",
    "liquid carol.near", "liquid bob.near", "liquid alice.near",
)
METHOD_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # contract methods and views are snake_case
GAS = re.compile(r"(?i)\bT?gas\b")
YOCTO = re.compile(r"(?i)yocto")


@pytest.fixture(scope="module")
def answers() -> list[Result]:
    results = sandbox_answers(LINES)
    assert [r.kind for r in results] == [line.split()[0] for line in LINES]  # type: ignore[attr-defined]
    return results


def main_text(rendered: Rendered) -> str:
    """What the reader sees without pressing anything: the embed and every button label."""
    embed = rendered.embed.to_dict()
    parts = [embed.get("title", ""), embed.get("description", ""), (embed.get("footer") or {}).get("text", "")]
    for field in embed.get("fields", []):
        parts += [field["name"], field["value"]]
    parts += [item.label for row in rendered.rows("0123456789abcdef") for item in row]
    return "\n".join(parts)


def details_text(rendered: Rendered) -> str:
    parts = [render_embed(row.plan).embed.to_dict() for row in rendered.ready]
    if rendered.details is not None:
        parts.append(details_embed(rendered.details).to_dict())
    return "\n".join(str(part) for part in parts)


def test_advice_has_no_method_gas_or_yocto_in_its_main_text(answers: list[Result]) -> None:
    for line, result in zip(LINES, answers, strict=True):
        text = main_text(render_embed(result))
        assert METHOD_NAME.findall(text) == [], (line, METHOD_NAME.findall(text))
        assert GAS.findall(text) == [], (line, text)
        assert YOCTO.findall(text) == [], (line, text)


def test_every_method_gas_and_yocto_is_in_the_details(answers: list[Result]) -> None:
    prepared_somewhere = 0
    for line, result in zip(LINES, answers, strict=True):
        rendered = render_embed(result)
        details = details_text(rendered)
        for row in rendered.ready:
            prepared_somewhere += 1
            for tx in row.plan.transactions:
                for call in tx.actions:
                    assert call.method_name in details, (line, call.method_name)
                    assert f"{call.gas // 10**12} TGas" in details, (line, call.gas)
                    if call.deposit:
                        assert str(call.deposit) in details, (line, call.deposit)
            assert str(row.plan.amount_yocto) in details, line  # the exact amount the step moves
        if isinstance(result, LockupResult):  # the advice's own contract methods, in the technical text
            for action in result.actions:
                if action.method:
                    assert action.method in details, (line, action.method)
        assert "yocto" in details.lower() or not rendered.details, line
    assert prepared_somewhere >= 15  # the lines above really offer steps to sign


def test_each_ready_step_has_its_row_and_the_most_useful_comes_first(answers: list[Result]) -> None:
    ivy = answers[LINES.index("diagnose ivy.near")]
    steps = prepared_actions(ivy)
    assert [(p.rank, p.action) for p in steps] == [(1, "transfer"), (2, "venear_end_unlock")]
    rows = render_embed(ivy).rows("0123456789abcdef")
    labels = [[item.label for item in row] for row in rows]
    assert labels[0] == ["Step 1: finish the veNEAR unlock", "Step 2: move the NEAR", "Details"]
    assert labels[1] == ["Finish the unlock of 300 NEAR", "Details"]
    assert labels[2] == ["All details", "Account on NearBlocks"]
