"""Command line: `python -m bot` (the bot, or the console without a token), `ask`, `console`, `doctor`, `sandbox`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, help_text, run_line
from bot.log_setup import log_for_a_person, log_to_stderr
from bot.render.json_out import to_json
from bot.render.text import render_text
from bot.services.chain import Chain
from bot.services.results import ErrorResult, Result
from bot.settings import Settings, SettingsError, load_settings

NO_TOKEN = (
    "DISCORD_TOKEN is not set, so this is the local console, not the Discord bot.\n"
    "  Offline demo on a simulated chain: ./scripts/run console --sandbox\n"
    "  Discord bot: README \"Set up your own bot in 10 minutes\" (a token from "
    "https://discord.com/developers/applications in .env, then ./scripts/run doctor)"
)
# Ends an unreachable-chain error in the console and `ask` (not in Discord: users there cannot act on it).
UNREACHABLE_HINT = " (`python -m bot doctor` tests each endpoint in NEAR_RPC_URLS.)"
VERBOSE_HELP = "log to stderr at DEBUG level (default: the log file, LOG_FILE)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Keyless NEAR staking assistant.")
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="mode")

    def person_facing(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        # SUPPRESS: `python -m bot -v ask …` keeps the -v given before the subcommand.
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
        return p

    def chain_options(p: argparse.ArgumentParser, *, sandbox: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="print one JSON object (amounts as exact yocto strings)")
        p.add_argument("--network", choices=["mainnet", "testnet"], help="overrides NEAR_NETWORK")
        p.add_argument("--rpc", action="append", metavar="URL", help="RPC endpoint (repeat for failover)")
        p.add_argument("--api", metavar="URL", help="FastNEAR-compatible staking API base URL")
        if sandbox:
            p.add_argument("--sandbox", action="store_true", help="answer from the bundled sandbox chain (offline demo)")

    ask = person_facing("ask", "answer one command and exit")
    chain_options(ask)
    ask.add_argument("command", nargs="+", help='e.g. "status alice.near"')
    chain_options(person_facing("console", "type commands interactively"))
    doctor = person_facing("doctor", "check the settings, NEAR endpoints, database and Discord set-up, with fixes")
    chain_options(doctor, sandbox=False)
    doctor.add_argument("--guild", type=int, metavar="ID", help="check only this server's channels")
    sandbox = sub.add_parser("sandbox", help="run the local simulated NEAR chain on 127.0.0.1")
    sandbox.add_argument("--port", type=int, default=3030)
    sub.add_parser("run", help="start the Discord bot (the default)")
    sync = person_facing("sync", "log in to Discord, publish the slash commands globally and exit")
    sync.add_argument("--guild", type=int, metavar="ID", help="publish to this one server instead (instant)")
    person_facing("migrate", "create or upgrade the database (DATABASE_URL, or SQLite at DATABASE_PATH) and exit")
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


def for_a_person(result: Result, as_json: bool) -> str:
    if as_json:
        return to_json(result)
    text = render_text(result)
    if isinstance(result, ErrorResult) and result.error_kind in ("rpc_unavailable", "rate_limited"):
        text += UNREACHABLE_HINT
    return text


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
    print(for_a_person(result, as_json))
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
            print(for_a_person(result, as_json))
    finally:
        await chain.aclose()


async def migrate(settings: Settings) -> int:
    from bot.storage import open_storage

    storage = open_storage(settings.storage_url)
    try:
        await storage.open()  # applies pending migrations (safe while other processes start too)
        print(f"Database {storage.describe()} is at schema version {await storage.schema_version()}.")
    finally:
        await storage.close()
    return EXIT_OK


def sync(settings: Settings, guild_id: int | None) -> int:
    if settings.token is None:
        print("DISCORD_TOKEN is not set: `sync` logs in as the bot to publish its slash commands.", file=sys.stderr)
        return EXIT_BAD_INPUT
    import discord

    from bot.discord_app import sync_commands

    try:
        names = asyncio.run(sync_commands(settings, guild_id=guild_id))
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN (401). `python -m bot doctor` checks the whole set-up.", file=sys.stderr)
        return EXIT_FAILED
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


def doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor
    from bot.render.doctor import doctor_json, doctor_text

    settings: Settings | SettingsError
    try:
        settings = settings_for(args)
    except SettingsError as exc:
        settings = exc  # the report's first line, with everything else skipped
    else:
        log_for_a_person(settings, verbose=args.verbose)
    report = asyncio.run(run_doctor(settings, guild_id=args.guild))
    print(doctor_json(report) if args.json else doctor_text(report, unicode=_prints("✓✗–")))
    return EXIT_OK if report.ok else EXIT_FAILED


def _prints(text: str) -> bool:
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


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
    if mode == "doctor":
        return doctor(args)
    try:
        settings = settings_for(args)
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    if mode == "run" and settings.token is not None:
        log_to_stderr("DEBUG" if args.verbose else settings.log_level)  # a service: its log is the output
    else:
        log_for_a_person(settings, verbose=args.verbose)
    if mode == "migrate":
        return asyncio.run(migrate(settings))
    if mode == "ask":
        return asyncio.run(ask(settings, " ".join(args.command), args.json))
    if mode == "console":
        return asyncio.run(console(settings, args.json))
    if mode == "sync":
        return sync(settings, args.guild)
    if settings.token is None:
        print(NO_TOKEN)
        return asyncio.run(console(settings, False))
    from bot.discord_app import run_bot

    return run_bot(settings)
