"""A Digest as one self-contained HTML file (inline CSS, no requests).

Every figure links to its highlighted quote in an excerpt; all article-derived text goes
through Jinja's autoescaping.
"""

from __future__ import annotations

from newsbrief.digest.contract import Digest
from newsbrief.render.page import context, env


def digest_to_html(digest: Digest) -> str:
    return env.get_template("digest.html.j2").render(**context(digest))
