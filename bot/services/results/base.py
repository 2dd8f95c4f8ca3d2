"""What every result shares: the `Result` base (frozen), exact yocto (`Yocto`: an int in Python, a decimal
string in JSON), the bot-built text marker, pool problems and the error answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

# Exact yoctoNEAR: an int in Python, a decimal string in JSON.
Yocto = Annotated[int, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")]


class BotBuilt:
    """Field metadata: text the bot built itself from validated parts (wallet links). Every other string of a
    result is untrusted and cleaned before it is shown (bot/render/safe.py)."""


BOT_BUILT = BotBuilt()


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


FoundBy = Literal["index", "named", "scan"]


class PoolProblem(Result):
    pool_id: str
    kind: str
    message: str


class ErrorResult(Result):
    kind: Literal["error"] = "error"
    error_kind: str
    message: str
    exit_code: int
    incident_id: str | None = None

    def to_json_obj(self) -> dict[str, object]:
        body: dict[str, object] = {"kind": self.error_kind, "message": self.message}
        if self.incident_id:
            body["incident_id"] = self.incident_id
        return {"error": body}
