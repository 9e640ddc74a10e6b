"""Text for the terminal: nothing we print can drive it.

File names, article titles, model labels and server error messages are untrusted. Printed
raw, an ESC (0x1b) or a C1 control such as CSI (U+009B) starts an escape sequence: clear the
screen (`ESC [2J`), set the window title (`ESC ]0;...BEL`), plant a hidden OSC 8 hyperlink,
move the cursor to overwrite earlier lines, or (on some terminals) answer back into the shell.

safe_for_terminal() replaces every such character with a visible, unambiguous escape in
Python's own notation: ESC becomes the four characters `\\x1b`, CSI `\\x9b`, DEL `\\x7f`.
A reader still sees that something was there, and where. Newline and tab pass through (the
CLI's own lines need them); carriage return does not (it would let text overwrite a line).
"""

from __future__ import annotations

import re

from rich.text import Text

from newsbrief.text.chars import CONTROL_CHARS  # light: loads no model stack


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def safe_for_terminal(text: str) -> str:
    """`text` with C0 controls (but newline and tab), DEL and C1 controls made visible."""
    return CONTROL_CHARS.sub(_visible, str(text))


def terminal_text(text: str) -> Text:
    """For rich: sanitized, and a plain Text, so `[...]` in it is never read as markup."""
    return Text(safe_for_terminal(text))


_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def json_for_terminal(text: str) -> str:
    """JSON with DEL and C1 controls written as \\u00XX escapes: the same data, but nothing a
    terminal acts on (pydantic escapes C0 controls already)."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
