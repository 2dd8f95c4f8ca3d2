"""Settings from the environment and `.env` (pydantic-settings). Every setting is documented in .env.example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    rpc_deadline_seconds: float = Field(default=12.0, gt=0, le=120)
    dev_guild_id: int | None = None

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

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _defaults_per_network(self) -> Settings:
        if not self.near_rpc_urls:
            self.near_rpc_urls = list(DEFAULT_RPC_URLS[self.near_network])
        if self.near_indexer_api is None:
            self.near_indexer_api = DEFAULT_INDEXER_API[self.near_network]
        return self

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
            # Never echo a token back, even a malformed one.
            shown = "" if "token" in name else f" (got {error.get('input')!r})"
            problems.append(f"{name.upper()}: {error['msg']}{shown}")
        raise SettingsError("Bad setting: " + "; ".join(problems)) from None
