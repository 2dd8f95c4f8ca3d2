"""Settings from the environment and `.env` (pydantic-settings). Every setting is documented in .env.example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.near.rpc_policy import DEFAULT_IN_FLIGHT

Network = Literal["mainnet", "testnet"]

# Public endpoints per network (near-staking.md §6.3: the *.near.org RPCs are deprecated and heavily
# rate-limited, so they come last as a fallback; FastNEAR is listed first by docs.near.org).
DEFAULT_RPC_URLS: dict[str, list[str]] = {
    "mainnet": ["https://free.rpc.fastnear.com", "https://near.lava.build", "https://rpc.mainnet.near.org"],
    "testnet": ["https://test.rpc.fastnear.com", "https://rpc.testnet.near.org"],
}
# FastNEAR staking API (near-staking.md §6.4).
DEFAULT_INDEXER_API: dict[str, str] = {
    "mainnet": "https://api.fastnear.com",
    "testnet": "https://test.api.fastnear.com",
}


class SettingsError(ValueError):
    """A setting is wrong; the message names it and says what is expected."""


def _split_urls(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    discord_token: SecretStr | None = None
    near_network: Network = "mainnet"
    near_rpc_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    near_indexer_api: str | None = None
    database_path: Path = Path("data/bot.sqlite3")
    # sqlite:///<path> or postgresql://user:password@host:5432/db; unset = SQLite at DATABASE_PATH.
    database_url: str | None = None
    # Sharding across processes: SHARD_COUNT shards in all, this process runs SHARD_IDS (e.g. "0" in one process and
    # "1" in another, with SHARD_COUNT=2). Unset: one process runs every shard Discord recommends.
    shard_count: int | None = Field(default=None, ge=1, le=10_000)
    shard_ids: Annotated[list[int] | None, NoDecode] = None
    # Delivered (or given-up) alert notifications are kept this long, then removed from the outbox.
    outbox_retention_hours: float = Field(default=168.0, ge=1, le=24 * 365)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Where `ask`, `console`, `doctor`, `sync` and `migrate` write their log (the Discord bot logs to stderr).
    # Unset = bot.log next to the database.
    log_file: Path | None = None
    rpc_deadline_seconds: float = Field(default=12.0, gt=0, le=120)
    # Requests the bot keeps in flight to each RPC endpoint and to the staking index: a politeness limit towards
    # public providers (a burst queues behind it, oldest question first).
    rpc_in_flight_per_endpoint: int = Field(default=DEFAULT_IN_FLIGHT, ge=1, le=256)
    dev_guild_id: int | None = None
    # Ask Discord for the privileged Message Content intent so the key/seed-phrase guard can read messages in the
    # support channels a server admin chose (/guard on). Off: the guard works only in DMs (and messages that mention
    # the bot). Turning it on also needs the toggle in the Developer Portal, or Discord refuses the connection.
    guard_message_content: bool = False
    # Account verification (/account verify, NEP-413) and verified roles: the page the bot serves is reached at
    # PUBLIC_BASE_URL (https; e.g. https://bot.example.org behind a reverse proxy to WEB_HOST:WEB_PORT). Unset: off.
    public_base_url: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # The NEP-413 `recipient` wallets sign for (ASCII). Unset: PUBLIC_BASE_URL's host name.
    verify_recipient: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_:]{0,99}$")
    # For tests only: a loopback stand-in for MyNearWallet (unset = the real wallet of NEAR_NETWORK).
    mynearwallet_url: str | None = None
    # For tests only: point discord.py at a loopback fake Discord (REST base ending in /api/v10, gateway ws:// URL).
    # Unset = the real Discord. Only 127.0.0.1/localhost are accepted, so the token can never go elsewhere.
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None

    @field_validator("near_rpc_urls", mode="before")
    @classmethod
    def _parse_urls(cls, value: object) -> object:
        return _split_urls(value)

    @field_validator("near_rpc_urls")
    @classmethod
    def _check_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("near_indexer_api")
    @classmethod
    def _check_api(cls, url: str | None) -> str | None:
        if url is not None and url.strip() == "":
            return None
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/") if url else url

    @field_validator("public_base_url")
    @classmethod
    def _check_public_url(cls, url: str | None) -> str | None:
        from urllib.parse import urlsplit

        if not url or not url.strip():
            return None
        parts = urlsplit(url.strip())
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not parts.hostname or parts.query or parts.fragment or parts.username or not (
                parts.scheme == "https" or (parts.scheme == "http" and loopback)):
            raise ValueError(f"{url!r} must be an https URL (http only on 127.0.0.1, for tests), without query")
        if not parts.hostname.isascii():
            raise ValueError(f"{url!r}: write an internationalised host name in its xn-- form")
        return url.strip().rstrip("/")

    @field_validator("discord_api_base", "discord_gateway_url", "mynearwallet_url")
    @classmethod
    def _loopback_only(cls, url: str | None) -> str | None:
        if not url:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"{url!r} must be a loopback http(s)/ws(s) URL (a test setting)")
        return url.rstrip("/")

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError(f"{value!r} is not a comma-separated list of shard numbers")
            return [int(part) for part in parts] or None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, url: str | None) -> str | None:
        from bot.storage import check_database_url

        return check_database_url(url.strip()) if url and url.strip() else None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (how many shards there are in all)")
            if len(set(self.shard_ids)) != len(self.shard_ids) or not all(
                0 <= i < self.shard_count for i in self.shard_ids
            ):
                raise ValueError(f"SHARD_IDS must be distinct numbers from 0 to {self.shard_count - 1}")
        return self

    @model_validator(mode="after")
    def _defaults_per_network(self) -> Settings:
        if not self.near_rpc_urls:
            self.near_rpc_urls = list(DEFAULT_RPC_URLS[self.near_network])
        if self.near_indexer_api is None:
            self.near_indexer_api = DEFAULT_INDEXER_API[self.near_network]
        return self

    @property
    def log_path(self) -> Path:
        if self.log_file is not None:
            return self.log_file
        in_memory = str(self.database_path) == ":memory:"
        return (Path("data") if in_memory else self.database_path.parent) / "bot.log"

    @property
    def storage_url(self) -> str:
        return self.database_url or f"sqlite:///{self.database_path}"

    @property
    def recipient(self) -> str | None:
        """Who NEP-413 messages are addressed to: VERIFY_RECIPIENT, else the public page's host."""
        from urllib.parse import urlsplit

        if self.verify_recipient:
            return self.verify_recipient
        return urlsplit(self.public_base_url).hostname if self.public_base_url else None

    @property
    def token(self) -> str | None:
        if self.discord_token is None:
            return None
        value = self.discord_token.get_secret_value().strip()
        return value or None


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation problems into one readable SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            # Never echo a token or a database URL (it may hold a password) back, even a malformed one.
            shown = "" if "token" in name or "database_url" in name else f" (got {error.get('input')!r})"
            problems.append(f"{name.upper()}: {error['msg']}{shown}")
        raise SettingsError("Bad setting: " + "; ".join(problems)) from None
