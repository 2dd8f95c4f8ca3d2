"""The verification page's committed script is exactly what scripts/build-web makes from web/verify (its sources
and its pinned npm packages): the bot never serves a file nobody can rebuild, and never fetches one from a CDN."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "bot" / "verify" / "static" / "verify.js"


def test_committed_bundle_matches_a_fresh_build(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are required in CI to rebuild the verification page")
        pytest.skip("npm is not installed")
    out = tmp_path / "verify.js"
    subprocess.run([str(ROOT / "scripts" / "build-web"), str(out)], check=True, timeout=300, cwd=ROOT)
    assert out.read_bytes() == BUNDLE.read_bytes(), "run scripts/build-web and commit bot/verify/static/verify.js"


def test_the_page_loads_nothing_from_elsewhere() -> None:
    from bot.verify.web import HEADERS, PAGE, SIGN_BODY

    assert "script-src 'self'" in HEADERS["Content-Security-Policy"]
    assert "http" not in PAGE + SIGN_BODY  # every script and style comes from the bot's own /verify/static/
