"""`newsbrief summarize`: brief one article, through the brief cache."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from newsbrief.cli import common
from newsbrief.cli.terminal import json_for_terminal, terminal_text
from newsbrief.files import write_whole

if TYPE_CHECKING:
    from newsbrief.ingest.read import Article
    from newsbrief.model.endpoint import Endpoint

NAME = "summarize"
OUTPUTS = common.DOCUMENT_OUTPUTS


def add_parser(sub: common.Subparsers, epilog: str) -> None:
    """The subcommand's parser, on `sub` (the top-level parser's subparsers)."""
    s = sub.add_parser(NAME, help="brief one article", epilog=epilog)
    s.add_argument("path", help="a .txt, .md or .html file, an http(s) URL, or - for stdin")
    s.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the brief here, replaced whole (never half-written); the format follows "
        "the extension, .md, .html (the article with every figure and quote marked) or .json "
        "(default: stdout)",
    )
    s.add_argument(
        "--format",
        choices=["md", "html", "json"],
        help="md (Markdown), html (one self-contained page) or json (the Brief contract); "
        "overrides -o's extension (default: from -o's extension, else md)",
    )
    common.network_flags(s)
    common.command_flags(s, refresh=True)


def _asking(
    args: argparse.Namespace, console: Console, endpoint: Endpoint
) -> Callable[[Article], contextlib.AbstractAsyncContextManager[None]]:
    """What the user sees while the model works (on a cache miss only)."""
    where = endpoint.profile.waiting or endpoint.model

    @contextlib.asynccontextmanager
    async def around(article: Article) -> AsyncIterator[None]:
        if console.is_terminal and not args.quiet:
            with console.status(terminal_text(f"Summarizing {article.origin} with {where}...")):
                yield
            return
        common.status(args, f"newsbrief: summarizing {article.origin} with {where}")
        yield

    return around


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the brief written (or on stdout); errors raise NewsbriefError."""
    from newsbrief.aio import run_sync
    from newsbrief.ingest.read import read_path
    from newsbrief.render import brief_to_html
    from newsbrief.render.markdown import brief_to_markdown
    from newsbrief.store.briefs import brief_through

    common.check_output_folder(args.output)
    article = read_path(args.path, allow_private=args.allow_private)
    endpoint = common.endpoint(args)
    cache = common.open_cache(args)
    console = Console(stderr=True)
    try:
        got = run_sync(
            brief_through(
                cache,
                article,
                endpoint,
                refresh=args.refresh,
                around_call=_asking(args, console, endpoint),
            )
        )
    finally:
        if cache is not None:
            cache.close()
    brief = got.brief
    if got.cached:
        common.status(args, f"newsbrief: {article.origin}: cached brief (--refresh to ask again)")
    common.show_warnings(args, brief.warnings)
    if args.format == "json":
        rendered = json_for_terminal(brief.model_dump_json(indent=2)) + "\n"
    elif args.format == "html":
        rendered = brief_to_html(brief)
    else:
        rendered = brief_to_markdown(brief)
    if args.output:
        write_whole(Path(args.output), rendered)
        common.status(args, f"newsbrief: wrote {args.output}")
    else:
        sys.stdout.write(rendered)
    return 0
