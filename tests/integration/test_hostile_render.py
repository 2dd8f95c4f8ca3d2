"""Hostile-text fuzz over every renderer (Discord embed, console text, JSON).

Real answers of every kind come from the sandbox chain (including phish.pool.near, whose owner text is a markdown
link, and mallory.near, whose staking index lists a 200-character id and markdown); hypothesis then replaces every
string the bot did not write itself (every field except literals and BOT_BUILT links) with hostile text. Whatever
it draws: the embed has no link the bot did not build, no mention, no hidden character and fits Discord's limits;
the console text has no control sequence, hidden character or foreign link; the JSON is valid UTF-8 and raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bot.render.discord_limits import Control, Link
from bot.render.embeds import render_embed
from bot.render.json_out import to_json
from bot.render.text import render_text
from bot.sandbox.hostile import HOSTILE, LONG_POOL_ID
from bot.services.results import BOT_BUILT, Result
from tests.conftest import sandbox_answers
from tests.hostile import foreign_links, hidden_characters, hostile_text, message_problems, plain_links

LINES = (
    "epoch", "pool alpha.poolv1.near", "pool kicked.poolv1.near", "pool paused.poolv1.near", "pool phish.pool.near",
    "status alice.near", "status dave.near", "status mallory.near", "status sam.near",
    "unbonding alice.near", "unbonding carol.near", "unbonding dave.near", "unbonding mallory.near",
    "lockup lena.near", "lockup gina.near", "lockup ivan.near", "lockup sam.near",
    "lockup hana.near", "lockup ivy.near", "lockup payroll-grant-7.near", "status hana.near",
    "unbonding ivy.near", "status nina.near --linked payroll-grant-7.near", "venear unlock hana.near 10",
    "venear end-unlock ivy.near",
    "liquid alice.near", "liquid bob.near", "liquid dave.near",
    "diagnose bob.near", "diagnose dave.near", "diagnose gina.near", "diagnose sam.near", "diagnose mallory.near",
    "explain unbonding", "explain lockups",
    "stake alice.near bravo.poolv1.near 10", "unstake alice.near meta-pool.near 1 --instant",
    "withdraw bob.near alpha.poolv1.near", "stake sam.near bravo.poolv1.near 1 --from-lockup", "transfer lena.near 1",
    "pool ghost.near", "status Bob..Wallet.near", "explain moon",
)
KINDS = {"epoch", "pool", "status", "unbonding", "lockup", "liquid", "diagnose", "explain", "action", "error"}


class Samples(list[Result]):
    def __repr__(self) -> str:  # hypothesis prints its arguments: keep reports short
        return f"<{len(self)} answers from the sandbox>"


@pytest.fixture(scope="module")
def samples() -> Samples:
    results = Samples(sandbox_answers(LINES))
    assert {r.kind for r in results} == KINDS  # type: ignore[attr-defined]
    return results


def _is_literal(annotation: Any) -> bool:
    return any(get_origin(a) is Literal for a in (annotation, *get_args(annotation)))


def hostile_copy(model: BaseModel, draw: Callable[[], str]) -> Any:
    """`model` with every untrusted string replaced by `draw()` (literal-typed and BOT_BUILT fields kept)."""
    fields = type(model).model_fields
    values = {}
    for key, value in model.__dict__.items():
        info = fields[key]
        keep = BOT_BUILT in info.metadata or _is_literal(info.annotation)
        values[key] = value if keep else _mutate(value, draw)
    return type(model).model_construct(**values)


def _mutate(value: Any, draw: Callable[[], str]) -> Any:
    if isinstance(value, str):
        return draw()
    if isinstance(value, BaseModel):
        return hostile_copy(value, draw)
    if isinstance(value, list):
        return [_mutate(item, draw) for item in value]
    if isinstance(value, dict):
        return {key: _mutate(item, draw) for key, item in value.items()}
    return value


def _button(item: Link | Control) -> dict[str, Any]:
    if isinstance(item, Link):
        return {"type": 2, "style": 5, "label": item.label, "url": item.url}
    return {"type": 2, "style": 2, "label": item.label, "custom_id": item.custom_id}


def discord_body(result: Result) -> dict[str, Any]:
    """The message the bot would send for `result` (its buttons as discord.py builds them: links, then Details)."""
    rendered = render_embed(result)
    rows = rendered.rows("0123456789abcdef")
    components = [{"type": 1, "components": [_button(item) for item in row]} for row in rows]
    return {"embeds": [rendered.embed.to_dict()], "components": components}


def check_all_renderers(result: Result) -> None:
    assert message_problems(discord_body(result)) == []
    text = render_text(result)
    assert hidden_characters(text) == [] and foreign_links(plain_links(text)) == [], text[:500]
    out = to_json(result)
    out.encode("utf-8")
    json.loads(out)


def test_real_answers_render_cleanly(samples: list[Result]) -> None:
    for result in samples:
        check_all_renderers(result)


def test_hostile_chain_data_is_shown_escaped_and_never_linked(samples: list[Result]) -> None:
    phish = next(r for r in samples if r.kind == "pool" and r.pool_id == HOSTILE.phish_pool)  # type: ignore[attr-defined]
    assert phish.owner_id == HOSTILE.phish_owner  # type: ignore[attr-defined]  # raw in the result and in JSON
    assert json.loads(to_json(phish))["owner_id"] == HOSTILE.phish_owner
    body = discord_body(phish)
    owner = next(f["value"] for f in body["embeds"][0]["fields"] if f["name"] == "Owner")
    assert owner.startswith("\\[Claim your NEAR\\](https\\[:\\]//evil.example/claim) @\u200beveryone \\<@&")
    assert [b["label"] for row in body["components"] for b in row["components"]] == ["Pool on NearBlocks"]
    mallory = next(r for r in samples if r.kind == "status" and r.account_id == HOSTILE.mallory)  # type: ignore[attr-defined]
    assert [d.pool_id for d in mallory.delegations] == [HOSTILE.phish_pool]  # type: ignore[attr-defined]
    assert any("5 entries that are not valid pool ids" in n for n in mallory.notes)  # type: ignore[attr-defined]
    assert LONG_POOL_ID not in to_json(mallory)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_hostile_text_in_any_field_of_any_answer(samples: list[Result], data: st.DataObject) -> None:
    result = samples[data.draw(st.integers(0, len(samples) - 1), label="sample")]
    check_all_renderers(hostile_copy(result, lambda: data.draw(hostile_text())))
