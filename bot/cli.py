"""Command line: `python -m bot` (the bot, or the console without a token), `ask`, `console`, `sandbox`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS, EXIT_BAD_INPUT, EXIT_OK, help_text, run_line
from bot.render.json_out import to_json
from bot.render.text import render_text
from bot.services.chain import Chain
from bot.settings import Settings, SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Keyless NEAR staking assistant.")
    sub = parser.add_subparsers(dest="mode")

    def chain_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON object (exact yocto strings)")
        p.add_argument("--network", choices=["mainnet", "testnet"], help="overrides NEAR_NETWORK")
        p.add_argument("--rpc", action="append", metavar="URL", help="RPC endpoint (repeat for failover)")
        p.add_argument("--api", metavar="URL", help="FastNEAR-compatible staking API base URL")
        p.add_argument("--sandbox", action="store_true", help="answer from the bundled sandbox chain (offline demo)")

    ask = sub.add_parser("ask", help="answer one command and exit")
    chain_options(ask)
    ask.add_argument("command", nargs="+", help='e.g. "status alice.near"')
    console = sub.add_parser("console", help="type commands interactively")
    chain_options(console)
    sandbox = sub.add_parser("sandbox", help="run the local simulated NEAR chain on 127.0.0.1")
    sandbox.add_argument("--port", type=int, default=3030)
    sub.add_parser("run", help="start the Discord bot (the default)")
    sync = sub.add_parser("sync", help="log in to Discord, publish the slash commands globally and exit")
    sync.add_argument("--guild", type=int, metavar="ID", help="publish to this one server instead (instant)")
    sub.add_parser("migrate", help="create or upgrade the SQLite database (DATABASE_PATH) and exit")
    return parser


def settings_for(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "network", None):
        overrides["near_network"] = args.network
    if getattr(args, "rpc", None):
        overrides["near_rpc_urls"] = args.rpc
    if getattr(args, "api", None):
        overrides["near_indexer_api"] = args.api
    return load_settings(**overrides)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def ask(settings: Settings, line: str, as_json: bool) -> int:
    if line.strip().lower() in ("help", "?", "--help"):
        usages = [c.usage for c in COMMANDS.values()]
        print(json.dumps({"commands": usages}) if as_json else help_text())
        return EXIT_OK
    chain = Chain.from_settings(settings)
    try:
        result, code = await run_line(chain, line)
    finally:
        await chain.aclose()
    print(to_json(result) if as_json else render_text(result))
    return code


async def console(settings: Settings, as_json: bool) -> int:
    chain = Chain.from_settings(settings)
    print(f"NEAR staking console ({settings.near_network}). Type help for commands, quit to leave.")
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, "near> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return EXIT_OK
            line = line.strip()
            if not line:
                continue
            if line.lower() in ("quit", "exit", "q"):
                return EXIT_OK
            if line.lower() in ("help", "?"):
                print(help_text())
                continue
            result, _ = await run_line(chain, line)
            print(to_json(result) if as_json else render_text(result))
    finally:
        await chain.aclose()


async def migrate(settings: Settings) -> int:
    from bot.storage import open_storage

    storage = open_storage(str(settings.database_path))
    try:
        await storage.open()  # applies pending migrations
        print(f"Database {settings.database_path} is at schema version {await storage.schema_version()}.")
    finally:
        await storage.close()
    return EXIT_OK


def sync(settings: Settings, guild_id: int | None) -> int:
    if settings.token is None:
        print("DISCORD_TOKEN is not set: `sync` logs in as the bot to publish its slash commands.", file=sys.stderr)
        return EXIT_BAD_INPUT
    from bot.discord_app import sync_commands

    names = asyncio.run(sync_commands(settings, guild_id=guild_id))
    where = f"to server {guild_id}" if guild_id else "globally (Discord may take a while to show them everywhere)"
    print(f"Synced {len(names)} commands {where}: {', '.join('/' + n for n in names)}")
    return EXIT_OK


def _with_sandbox(args: argparse.Namespace) -> int:
    """Run `ask`/`console` against an in-process sandbox chain on 127.0.0.1 (no second terminal needed)."""
    from bot.sandbox import ThreadedSandbox

    with ThreadedSandbox() as sandbox:
        args.sandbox = False
        args.rpc, args.api = [sandbox.url], sandbox.url
        if args.mode == "console":
            print(f"Sandbox chain on {sandbox.url} (simulated accounts: alice.near, bob.near, carol.near, lena.near …)")
        return main_with(args)


def main(argv: Sequence[str] | None = None) -> int:
    return main_with(build_parser().parse_args(argv))


def main_with(args: argparse.Namespace) -> int:
    mode = args.mode or "run"
    if mode == "sandbox":
        from bot.sandbox.server import run_forever

        run_forever(port=args.port)
        return EXIT_OK
    if getattr(args, "sandbox", False):
        return _with_sandbox(args)
    try:
        settings = settings_for(args)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    configure_logging(settings.log_level)
    if mode == "migrate":
        return asyncio.run(migrate(settings))
    if mode == "ask":
        return asyncio.run(ask(settings, " ".join(args.command), args.json))
    if mode == "console":
        return asyncio.run(console(settings, args.json))
    if mode == "sync":
        return sync(settings, args.guild)
    if settings.token is None:
        print("DISCORD_TOKEN is not set, so the Discord bot cannot start: opening the local console instead.")
        return asyncio.run(console(settings, False))
    from bot.discord_app import run_bot

    return run_bot(settings)
