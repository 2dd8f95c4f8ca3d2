"""Cheap structural checks, no network: every command is registered once and consistently (its slash command's
options are its request's fields, its parser and service take its request, its result type has both renderers),
no two names collide, and every cog loads into a bot and describes what it offers."""

from __future__ import annotations

import importlib
import inspect
import typing
from collections import Counter

import pytest
from discord import AppCommandOptionType, app_commands
from discord.ext import commands

from bot.discord_app import StakingBot, cog_extensions
from bot.registry import _SPECS, COMMANDS
from bot.render.embeds import render_embed
from bot.render.text import render_text as text_renderers
from bot.services.chain import Chain
from bot.services.results import ErrorResult, Result
from bot.settings import Settings


@pytest.fixture
async def tree() -> app_commands.CommandTree[StakingBot]:
    """Every cog loaded into a bot that never connects (the chain is given, so nothing is opened)."""
    settings = Settings(_env_file=None, discord_token="unused", database_path=":memory:")  # type: ignore[call-arg]
    bot = StakingBot(settings, chain=Chain.from_settings(settings))
    for extension in cog_extensions():
        await bot.load_extension(extension)
    try:
        yield bot.tree
    finally:
        await bot.chain.aclose()


def _slash_commands(tree: app_commands.CommandTree[StakingBot]) -> dict[str, app_commands.Command[typing.Any, ..., None]]:
    return {c.name: c for c in tree.get_commands() if isinstance(c, app_commands.Command)}


async def test_every_registered_command_is_a_slash_command_whose_options_are_its_request_fields(
    tree: app_commands.CommandTree[StakingBot],
) -> None:
    slash = _slash_commands(tree)
    for spec in COMMANDS.values():
        assert spec.name in slash, f"{spec.name} has no slash command"
        fields = spec.request.model_fields
        options = {p.name: p for p in slash[spec.name].parameters}
        covered = set()
        for name, option in options.items():
            field = spec.options.get(name, name)
            assert field in fields, f"/{spec.name} option {name!r} is not a field of {spec.request.__name__}"
            covered.add(field)
            if option.type is AppCommandOptionType.boolean:
                assert fields[field].annotation in (bool, "bool"), f"{spec.name}.{field} should be a bool"
        for name, info in fields.items():
            assert name in covered or not info.is_required(), (
                f"{spec.request.__name__}.{name} is required but /{spec.name} has no option for it")


def test_parsers_and_services_take_their_own_request() -> None:
    for spec in COMMANDS.values():
        assert spec.request.command == spec.name
        assert typing.get_type_hints(spec.parse)["return"] is spec.request, spec.name
        service = list(typing.get_type_hints(spec.run).values())
        assert service[1] is spec.request, f"the {spec.name} service takes {service[1]}"


@pytest.mark.parametrize("result", sorted({spec.result for spec in COMMANDS.values()} | {ErrorResult},
                                          key=lambda t: t.__name__))
def test_every_result_type_has_an_embed_and_a_text_renderer(result: type[Result]) -> None:
    assert render_embed.dispatch(result) is not render_embed.dispatch(object), f"no embed for {result.__name__}"
    assert text_renderers.dispatch(result) is not text_renderers.dispatch(object), f"no text for {result.__name__}"


async def test_no_two_commands_share_a_name(tree: app_commands.CommandTree[StakingBot]) -> None:
    console = Counter(spec.name for spec in _SPECS)
    assert [name for name, n in console.items() if n > 1] == []
    assert "help" not in COMMANDS  # the console's own word
    every_slash = Counter((c.qualified_name, type(c).__name__) for c in tree.walk_commands())
    assert [name for name, n in every_slash.items() if n > 1] == []


async def test_every_cog_loads_and_describes_its_commands(tree: app_commands.CommandTree[StakingBot]) -> None:
    """Like python-discord's tests/bot/exts/test_cogs.py: walk every cog module, not only the registered ones."""
    for extension in cog_extensions():
        module = importlib.import_module(extension)
        assert inspect.iscoroutinefunction(getattr(module, "setup", None)), f"{extension} has no async setup"
        cogs = [c for _, c in inspect.getmembers(module, inspect.isclass)
                if issubclass(c, commands.Cog) and c.__module__ == extension]
        assert cogs, f"{extension} defines no cog"
    for command in tree.walk_commands():
        assert command.description and len(command.description) <= 100, command.qualified_name
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"/{command.qualified_name} {parameter.name} has no description")
