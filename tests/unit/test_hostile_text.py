"""The one rule for untrusted text (bot/render/safe.py): escaping primitives under hostile input, the URL check,
and a source check that templates are always the bot's own literals."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.json_out import to_json
from bot.render.safe import (
    Md,
    Plain,
    checked_url,
    clip_markdown,
    code,
    code_block,
    esc,
    md,
    plain,
    plain_text,
    prose,
)
from bot.services.results import ErrorResult, PoolProblem, UnbondingResult
from tests.hostile import (
    NASTY,
    hidden_characters,
    hostile_text,
    plain_links,
    rendered_links,
    rendered_mentions,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = {"md", "plain", "Md", "Plain"}
# The only places that take markdown as it is: the bot's own explain topics and its own stored notices.
TRUSTED_MARKDOWN_CALLERS = {"bot/render/embeds/support.py", "bot/discord/notices.py"}


def _source_files() -> list[Path]:
    return [p for folder in ("bot", "cogs") for p in (ROOT / folder).rglob("*.py") if p.name != "safe.py"]


def test_templates_are_always_literals() -> None:
    """`md(x)` / `Md(x)` with x built at run time would trust text the bot did not write: only literals."""
    offenders = []
    trusted_callers = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id in TEMPLATES:
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.id}(…)")
            elif node.func.id == "trusted_markdown":
                trusted_callers.add(str(path.relative_to(ROOT)))
    assert offenders == []
    assert trusted_callers <= TRUSTED_MARKDOWN_CALLERS


def _safe_markdown(text: str) -> None:
    assert rendered_links(text) == [], text[:300]
    assert rendered_mentions(text) == [], text[:300]
    assert hidden_characters(text) == [], text[:300]


@settings(max_examples=300, deadline=None)
@given(hostile_text(), st.integers(min_value=1, max_value=300))
def test_every_escaper_is_safe_for_any_text(text: str, cut: int) -> None:
    for rendered in (esc(text), prose(text), code(text), code_block(text), md("**{}** · `{}`", text, text),
                     Md("a ") + text, Md(", ").join([text, text]), md("{}{}{}", text, "https:", text),
                     md("{}{}", "https:", "//evil.example")):
        assert type(rendered) is Md
        _safe_markdown(rendered)
        _safe_markdown(clip_markdown(rendered, cut))  # a cut never exposes anything
    for shown in (plain("{}", text), plain_text(text, limit=100)):
        assert type(shown) is Plain
        assert plain_links(shown) == [] and hidden_characters(shown) == []
    assert len(plain_text(text, limit=100)) <= 100


@pytest.mark.parametrize("text", NASTY)
def test_fixed_attacks_are_defused(text: str) -> None:
    _safe_markdown(esc(text))
    _safe_markdown(prose(text))


def test_ordinary_text_stays_readable() -> None:
    assert esc("alice.near") == "alice.near"
    assert esc("deposit_and_stake on my-pool.poolv1.near") == "deposit_and_stake on my-pool.poolv1.near"
    assert esc("1.99999 NEAR (est.)") == "1.99999 NEAR (est.)"
    assert prose("Withdraw first (`withdraw bob.near alpha.poolv1.near all --from-lockup`).") == (
        "Withdraw first (`withdraw bob.near alpha.poolv1.near all --from-lockup`)."
    )
    assert esc("[x](https://evil.example)") == "\\[x\\](https\\[:\\]//evil.example)"
    assert esc("@everyone") == "@\u200beveryone"
    assert code("a`b") == "`aˋb`"


def test_escaping_is_not_a_convention() -> None:
    assert md("{}", Md("**bold**")) == "**bold**"  # Md passes through
    assert md("{}", "**bold**") == "\\*\\*bold\\*\\*"  # anything else is escaped
    assert Md("**a**") + "**b**" == "**a**\\*\\*b\\*\\*"
    with pytest.raises(TypeError):
        Md("%s") % "x"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://app.mynearwallet.com/sign?transactions=AAAA%2B%2F%3D,BBBB&callbackUrl=x", True),
        ("https://nearblocks.io/address/alice.near", True),
        ("https://evil.example/", False),
        ("http://nearblocks.io/address/a.near", False),
        ("https://nearblocks.io/address/a.near)(https://evil.example", False),
        ("https://nearblocks.io/address/a b", False),
        ("https://user@nearblocks.io/", False),
        ("https://nearblocks.io.evil.example/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_known_well_formed_urls_are_shown(url: str, ok: bool) -> None:
    assert (checked_url(url) is not None) is ok


def test_json_keeps_raw_text_and_stays_valid_utf8() -> None:
    hostile = "[x](https://evil.example) @everyone \u202e \ud800"
    result = UnbondingResult(
        account_id="alice.near", current_epoch=1, epoch_length=10, avg_block_seconds=1.0, head_unix=0, entries=[],
        pools_complete=True, pool_problems=[PoolProblem(pool_id=hostile, kind="x", message=hostile)],
    )
    out = to_json(result)
    out.encode("utf-8")  # printable
    assert json.loads(out)["pool_problems"][0]["pool_id"] == hostile  # raw data, every character kept
    error = to_json(ErrorResult(error_kind="invalid_input", message="bad <@1>", exit_code=2))
    assert json.loads(error) == {"error": {"kind": "invalid_input", "message": "bad <@1>"}}
