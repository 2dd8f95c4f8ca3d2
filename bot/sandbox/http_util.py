"""Small HTTP helpers shared by the sandbox routes."""

from __future__ import annotations

import functools
import json

from aiohttp import web

# nearcore (and FastNEAR) answer compact JSON.
json_response = functools.partial(web.json_response, dumps=functools.partial(json.dumps, separators=(",", ":")))
