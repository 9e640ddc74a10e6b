"""One escaping for everything article- or model-derived, briefs and digests alike.

Titles, labels, quotes, statements, actors, warnings, headlines, theme text, file names and
server messages are untrusted: an article (or a model that read one) can write Markdown.
In our Markdown output they must stay plain text, whatever the renderer:

- no raw HTML or entity (`<` and `>` are backslash-escaped, and so is an `&` that would
  start an entity: `<script>`, `<javascript:...>` autolinks and `&#106;` tricks stay text),
  and no entity of ours either: Markdown is read in terminals, where `S&amp;P` is noise, so
  `S&P` stays `S&P`;
- no links or images (`[`, `]` and `!` before `[` are backslash-escaped, so neither
  `[x](javascript:...)`, `![](http://tracker/x.png)` nor `[x][1]` + `[1]: http://...` forms);
- no code spans, emphasis or strikethrough that could swallow or break the text around it
  (`` ` ``, `*`, `_`, `~` are backslash-escaped, and `\\` itself first, so an escape in the
  input cannot cancel one of ours);
- no block structure: one line, and a leading `#`, `- `, `+ `, `1. `, `---` or `===` cannot
  start a heading, list or rule; a trailing `#` cannot close a heading;
- no terminal control characters (Markdown is read in terminals too): C0 controls, DEL and
  C1 controls become U+FFFD.

A bare `http://` or `www.` URL stays as written; some renderers (GFM) show it as a link whose
text is the URL itself, which hides nothing. Every escape is CommonMark's own, so the
rendered text reads exactly as the input did.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from newsbrief.text.chars import CONTROL_CHARS

REPLACEMENT = "\ufffd"

_INLINE = {
    "\\": "\\\\",
    "&": "\\&",
    "<": "\\<",
    ">": "\\>",
    "[": "\\[",
    "]": "\\]",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "~": "\\~",
}
# `&` only where it would start an entity (`&amp;`, `&#106;`, `&#x6a;`): elsewhere it is text.
_INLINE_RE = re.compile(
    "[" + re.escape("".join(c for c in _INLINE if c != "&")) + "]|!(?=\\[)|&(?=#?\\w+;)"
)
# At the start of a line: a heading; a list item; a rule or setext underline (a line of only
# `-`, `=` and spaces). `*`, `_`, `` ` ``, `~` and `>` are escaped everywhere already.
_BLOCK_MARK = re.compile(r"^(?:#|[-+](?=\s|$)|[-=](?=[-=\s]*$))")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")  # an ordered list item: "1. ", "2) "
_CLOSING_HASHES = re.compile(r"#+$")  # would close an ATX heading


def strip_controls(text: str) -> str:
    """`text` with line breaks kept (CR, CRLF become LF) and every other control as U+FFFD."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARS.sub(REPLACEMENT, text)


def plain_line(text: str) -> str:
    """One line: whitespace runs collapsed to one space, controls replaced."""
    return strip_controls(" ".join(str(text).split()))


def _inline(match: re.Match[str]) -> str:
    char = match.group()
    return "\\!" if char == "!" else _INLINE[char]


def md_text(text: str) -> str:
    """Untrusted text as one line of Markdown that renders as exactly that text, inert."""
    escaped = _INLINE_RE.sub(_inline, plain_line(text))
    escaped = _CLOSING_HASHES.sub(lambda m: "\\" + m.group(), escaped)
    escaped = _BLOCK_MARK.sub(lambda m: "\\" + m.group(), escaped)
    return _LIST_NUMBER.sub(r"\1\\\2", escaped)


def md_inline(text: str) -> str:
    """md_text for a value inside a line (after an opening quote): no block marker can act
    there, so a leading `#` or `1.` is left as written ("# Oil jumps", not "\\# Oil jumps")."""
    return _INLINE_RE.sub(_inline, plain_line(text))


def md_link(text: str, url: str) -> str:
    """A Markdown link to an http(s) URL we checked (digest.lead.original_link), its text
    escaped by md_text. The destination is written in `<...>` with every character outside
    a URL's own set percent-encoded, so it can neither close the link nor hold a space."""
    safe = quote(plain_line(url), safe=":/?#@!$&'*+,;=%-._~")
    return f"[{md_text(text)}](<{safe}>)"


def md_cell(text: str) -> str:
    """md_text for a table cell: a `|` cannot end the cell."""
    return md_text(text).replace("|", "\\|")


def md_code(text: str) -> str:
    """Untrusted text as a Markdown code span, shown verbatim whatever it contains.

    The fence is one backtick longer than any run of backticks inside, padded with a space
    when the text starts or ends with a backtick, so the text can neither close the span nor
    leak out of it. Inside a span nothing is interpreted: no escapes, entities or links.
    Not for table cells (a `|` there would split the cell).
    """
    cleaned = plain_line(text)
    if not cleaned:
        return ""
    longest = max((len(run) for run in re.findall("`+", cleaned)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if cleaned.startswith("`") or cleaned.endswith("`") else ""
    return f"{fence}{pad}{cleaned}{pad}{fence}"
