"""`python -m bot` end to end in a real subprocess against the sandbox: JSON keys, exit codes, console."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import ThreadedSandbox
from bot.sandbox.scenario import SCENARIO
from bot.storage.migrations import LATEST_VERSION
from tests.integration.test_rpc_client import closed_port_url

ROOT = Path(__file__).resolve().parents[2]


def run_bot(*args: str, stdin: str | None = None, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEAR_", "DISCORD_", "RPC_", "LOG_"))}
    env.update({"RPC_DEADLINE_SECONDS": "3", "LOG_LEVEL": "WARNING", "LOG_FILE": os.devnull})
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def ask_json(sandbox: ThreadedSandbox, command: str) -> tuple[dict, int]:
    done = run_bot("ask", "--json", "--rpc", sandbox.url, "--api", sandbox.url, command)
    return json.loads(done.stdout), done.returncode


def test_epoch_json_keys(sandbox: ThreadedSandbox) -> None:
    body, code = ask_json(sandbox, "epoch")
    assert code == 0
    for key in ("epoch_height", "epoch_start_height", "epoch_length", "head_height", "blocks_left",
                "avg_block_seconds", "estimated_end_unix"):
        assert key in body, key
    assert body["epoch_height"] == SCENARIO.epoch_height
    assert isinstance(body["estimated_end_unix"], int)


def test_pool_json_keys(sandbox: ThreadedSandbox) -> None:
    body, code = ask_json(sandbox, "pool kicked.poolv1.near")
    assert code == 0
    assert body["pool_id"] == "kicked.poolv1.near"
    assert body["owner_id"] == "kicked-ops.near"
    assert (body["fee_numerator"], body["fee_denominator"]) == (6, 100)
    assert isinstance(body["total_staked_yocto"], str) and body["total_staked_yocto"].isdigit()
    assert body["paused"] is False
    assert body["contract_kind"] == "poolv1"
    assert body["validator_status"] == "kicked_out"


def test_status_json_amounts_are_exact_strings(sandbox: ThreadedSandbox) -> None:
    body, code = ask_json(sandbox, "status alice.near")
    assert code == 0
    expected = sandbox.run_on_loop(lambda: sandbox.chain.view_account("alice.near"))
    assert body["account_id"] == "alice.near"
    assert body["amount_yocto"] == expected["amount"]
    assert body["locked_yocto"] == expected["locked"]
    pools = {d["pool_id"]: d for d in body["delegations"]}
    assert set(pools) >= {"alpha.poolv1.near", "bravo.poolv1.near", "mega.poolv1.near"}
    for entry in pools.values():
        assert set(entry) >= {"pool_id", "staked_yocto", "unstaked_yocto", "can_withdraw"}
        assert entry["staked_yocto"].isdigit() and entry["unstaked_yocto"].isdigit()


def test_status_scan_json_says_how_each_pool_was_found(sandbox: ThreadedSandbox) -> None:
    body, code = ask_json(sandbox, "status frank.near --scan")
    assert code == 0
    assert {d["pool_id"]: d["found_by"] for d in body["delegations"]} == {
        "alpha.poolv1.near": "index", "chunkval.poolv1.near": "scan", "kicked.poolv1.near": "scan"}
    assert isinstance(body["scanned_pools"], int) and body["scanned_pools"] > 0
    assert body["delegations_checked"].startswith("every pool the staking index lists, every pool of the validator set")
    plain, _ = ask_json(sandbox, "status frank.near")
    assert plain["scanned_pools"] is None and plain["delegations_checked"] == "every pool the staking index lists"
    assert [d["pool_id"] for d in plain["delegations"]] == ["alpha.poolv1.near"]


def test_unbonding_json(sandbox: ThreadedSandbox) -> None:
    body, code = ask_json(sandbox, "unbonding alice.near bravo.poolv1.near")
    assert code == 0
    assert body["current_epoch"] == SCENARIO.epoch_height
    (entry,) = body["entries"]
    assert entry["available_epoch"] == SCENARIO.epoch_height + 4
    assert entry["available_epoch_source"] == "state"
    assert isinstance(entry["estimated_available_unix"], int)
    assert body["block_height"] == sandbox.chain.final_height() and entry["found_by"] == "named"


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("status ghost.near", "account_not_found"),
        ("status Alice.near", "invalid_input"),
        ("pool nocontract.near", "not_a_pool"),
        ("pool token.sandbox.near", "not_a_pool"),
        ("frobnicate", "invalid_input"),
        ("status", "invalid_input"),
        ("status alice.near --scna", "invalid_input"),
        ("unbonding alice.near bravo.poolv1.near mega.poolv1.near", "invalid_input"),
    ],
)
def test_bad_input_exits_2_with_a_json_error(sandbox: ThreadedSandbox, command: str, kind: str) -> None:
    body, code = ask_json(sandbox, command)
    assert code == 2
    assert body["error"]["kind"] == kind
    assert body["error"]["message"]


def test_unreachable_chain_exits_3() -> None:
    url = closed_port_url()
    done = run_bot("ask", "--json", "--rpc", url, "--api", url, "epoch")
    assert done.returncode == 3
    assert json.loads(done.stdout)["error"]["kind"] == "rpc_unavailable"
    assert "Traceback" not in done.stderr


def test_text_output_and_failover(two_node_sandbox: ThreadedSandbox) -> None:
    two_node_sandbox.set_faults(0, [{"kind": "status", "status": 503}])
    done = run_bot(
        "ask", "--rpc", two_node_sandbox.urls[0], "--rpc", two_node_sandbox.urls[1], "--api", two_node_sandbox.urls[1],
        "status bob.near",
    )
    assert done.returncode == 0, done.stderr
    assert "Account bob.near" in done.stdout
    assert "withdrawable now" in done.stdout


def test_console_reads_commands_until_quit(sandbox: ThreadedSandbox) -> None:
    done = run_bot("console", "--rpc", sandbox.url, "--api", sandbox.url, stdin="help\nepoch\nstatus NOPE\nquit\n")
    assert done.returncode == 0
    assert "Commands:" in done.stdout
    assert f"Epoch {SCENARIO.epoch_height}" in done.stdout
    assert "capital letters" in done.stdout


def test_without_a_token_the_main_command_opens_the_console(sandbox: ThreadedSandbox) -> None:
    done = run_bot(stdin="epoch\n", env_extra={"NEAR_RPC_URLS": sandbox.url, "NEAR_INDEXER_API": sandbox.url})
    assert done.returncode == 0
    first_line, demo, get_a_token = done.stdout.splitlines()[:3]
    assert "DISCORD_TOKEN is not set" in first_line
    assert "./scripts/run console --sandbox" in demo  # the best first thing to try
    assert "https://discord.com/developers/applications" in get_a_token and "doctor" in get_a_token
    assert f"Epoch {SCENARIO.epoch_height}" in done.stdout


def test_offline_console_shows_one_error_line_and_logs_to_the_file(tmp_path: Path) -> None:
    """Nothing reachable: the person sees the banner, then one line for the failed command; the failover
    chatter is in the log file, not on the screen."""
    url = closed_port_url()
    log = tmp_path / "bot.log"
    done = run_bot("console", "--rpc", url, "--api", url, stdin="epoch\nquit\n",
                   env_extra={"LOG_FILE": str(log), "LOG_LEVEL": "INFO"})
    assert done.returncode == 0
    assert done.stderr == ""
    banner, answer, prompt = done.stdout.split("\n")
    assert banner.startswith("NEAR staking console (mainnet)")
    assert answer.startswith("near> Error: Could not reach a NEAR RPC node")
    assert answer.endswith("(`python -m bot doctor` tests each endpoint in NEAR_RPC_URLS.)")
    assert prompt == "near> "
    assert "gave up" in log.read_text()
    assert "failed (backoff)" not in log.read_text()  # each attempt is DEBUG, below LOG_LEVEL=INFO


def test_ask_offline_prints_the_answer_line_only_and_v_shows_the_log(tmp_path: Path) -> None:
    url, log = closed_port_url(), tmp_path / "bot.log"
    quiet = run_bot("ask", "--rpc", url, "--api", url, "epoch", env_extra={"LOG_FILE": str(log)})
    assert quiet.returncode == 3 and quiet.stderr == ""
    logged = log.read_text()
    verbose = run_bot("ask", "-v", "--rpc", url, "--api", url, "epoch", env_extra={"LOG_FILE": str(log)})
    for done in (quiet, verbose):  # which read fails first varies; the line a person reads is the same kind
        [line] = done.stdout.splitlines()
        assert line.startswith("Error: Could not reach a NEAR RPC node")
    assert "DEBUG bot.near.rpc: rpc" in verbose.stderr and "failed (backoff)" in verbose.stderr
    assert log.read_text() == logged  # -v: the records went to stderr instead


def test_a_bad_setting_names_itself() -> None:
    done = run_bot("ask", "epoch", env_extra={"NEAR_NETWORK": "devnet"})
    assert done.returncode == 2
    assert "NEAR_NETWORK" in done.stderr and "mainnet" in done.stderr


def test_bad_shard_and_database_settings_are_named_without_echoing_a_password() -> None:
    done = run_bot("ask", "epoch", env_extra={"SHARD_COUNT": "2", "SHARD_IDS": "0,2"})
    assert done.returncode == 2 and "SHARD_IDS must be distinct numbers from 0 to 1" in done.stderr
    done = run_bot("ask", "epoch", env_extra={"DATABASE_URL": "mysql://bot:hunter2@db/near"})
    assert done.returncode == 2 and "DATABASE_URL" in done.stderr and "postgresql://" in done.stderr
    assert "hunter2" not in done.stderr


def test_migrate_reports_the_schema_of_either_backend(tmp_path: Path, postgres_url: str) -> None:
    for url in (f"sqlite:///{tmp_path / 'bot.sqlite3'}", postgres_url):
        done = run_bot("migrate", env_extra={"DATABASE_URL": url})
        assert done.returncode == 0, done.stderr
        assert f"is at schema version {LATEST_VERSION}" in done.stdout
        assert "postgres@" not in done.stdout  # described without credentials


def test_ask_help_lists_every_command() -> None:
    done = run_bot("ask", "--json", "help")
    assert done.returncode == 0
    usages = json.loads(done.stdout)["commands"]
    for name in ("epoch", "pool", "status", "unbonding", "lockup", "liquid", "stake", "unstake", "withdraw", "explain"):
        assert any(u.split()[0] == name for u in usages), name


def test_sandbox_flag_answers_offline() -> None:
    done = run_bot("ask", "--json", "--sandbox", "unbonding carol.near charlie.pool.near")
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(done.stdout)["entries"]
    assert entry["available_epoch"] == SCENARIO.epoch_height + 1
