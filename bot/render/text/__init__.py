"""Results as plain text for the console and `ask` (one place defines each answer's wording).

`render_text` (`base`) hands every renderer a cleaned copy of the result (`safe.cleaned_copy`: no control
sequences, hidden or right-to-left characters, or links in untrusted text), so a renderer registered here cannot
print raw input. One module per answer kind; importing this package registers every renderer.
"""

from bot.render.text import actions, chain, liquid, lockup, status, support, unbonding
from bot.render.text.base import SCAN_FOUND, duration, duty_lines, render_text, role_text, when, when_exact
from bot.render.text.support import plain_markdown

__all__ = [
    "SCAN_FOUND", "actions", "chain", "duration", "duty_lines", "liquid", "lockup", "plain_markdown", "render_text",
    "role_text", "status", "support", "unbonding", "when", "when_exact",
]
