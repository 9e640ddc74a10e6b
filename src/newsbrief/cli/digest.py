"""`newsbrief digest`: brief many articles into one briefing, written whole or not at all."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsbrief.cli import common
from newsbrief.cli.terminal import json_for_terminal, safe_for_terminal
from newsbrief.files import write_whole

if TYPE_CHECKING:
    from newsbrief.digest.contract import Digest

NAME = "digest"
OUTPUTS = common.DOCUMENT_OUTPUTS


def _since(raw: str) -> object:
    from newsbrief.digest.feeds import parse_since  # the digest stack: only when given

    return parse_since(raw)


def add_parser(sub: common.Subparsers, epilog: str) -> None:
    """The subcommand's parser, on `sub` (the top-level parser's subparsers)."""
    d = sub.add_parser(NAME, help="brief many articles into one briefing", epilog=epilog)
    d.add_argument(
        "paths",
        nargs="+",
        help="files, folders (their .txt, .md and .html files and .rss, .xml, .atom and .rdf "
        "feeds), http(s) URLs, RSS, Atom or OPML feeds (files or URLs: each entry becomes an "
        "article), or - for a list of these on stdin, one a line",
    )
    d.add_argument(
        "--since",
        metavar="WHEN",
        type=common.flag(
            _since, "a date (2026-11-20), a date-time (2026-11-20T07:00Z) or last-run"
        ),
        help="keep feed entries published at or after WHEN (UTC unless a zone is given), or "
        "last-run: only entries the previous run of each feed did not see (default: all)",
    )
    d.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the digest here, replaced whole (never half-written); the format follows "
        "the extension, .md, .html or .json (default: stdout)",
    )
    d.add_argument(
        "--format",
        choices=["md", "html", "json"],
        help="md, html or json; overrides -o's extension (default: from -o's extension, else md)",
    )
    d.add_argument(
        "--force",
        action="store_true",
        help="write the digest even when nothing is new since the previous one, or when no "
        "article could be summarized (default: leave an existing -o file as it was)",
    )
    common.count_flag(
        d, "--concurrency", "articles in flight (default 1 for the embedded model, 4 remote)"
    )
    common.count_flag(d, "--rpm", "at most N requests per minute (default: no limit)")
    common.count_flag(d, "--tpm", "at most N (estimated) tokens per minute (default: no limit)")
    common.network_flags(d)
    common.command_flags(d, refresh=True)


def _paths(args: argparse.Namespace) -> list[str]:
    """The paths given, with `-` replaced by the lines of standard input."""
    paths: list[str] = []
    for p in args.paths:
        if p == "-":
            paths += [line.strip() for line in sys.stdin if line.strip()]
        else:
            paths.append(p)
    return paths


def _deliver(args: argparse.Namespace, kept: list[str]) -> Callable[[Digest], None]:
    """What build_digest calls with the finished digest; `kept` collects why the output was
    left as it was (one line), when it was."""
    from newsbrief.render import to_html, to_markdown

    def deliver(digest: Digest) -> None:
        """Write the digest whole; only once this returns are feed entries marked seen.
        Under cron, a run with nothing new, or with nothing summarized (a feed down), leaves
        an existing file as it was, unless --force."""
        out = Path(args.output) if args.output else None
        if not args.force and (digest.nothing_new or digest.stats.summarized == 0):
            if out is None and digest.nothing_new:
                kept.append("nothing written")
                return
            if out is not None and out.exists():
                kept.append(f"left {out} as it was")
                return
        renderers: dict[str, Callable[[], str]] = {
            "md": lambda: to_markdown(digest),
            "html": lambda: to_html(digest),
            "json": lambda: json_for_terminal(digest.model_dump_json(indent=2)),
        }
        rendered = renderers[args.format]()
        if args.output:
            write_whole(Path(args.output), rendered)
        else:
            sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
            sys.stdout.flush()

    return deliver


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every article was summarized, 3 when some were not (partial), 1 when none."""
    from newsbrief.cli.progress import Reporter
    from newsbrief.digest.batch import DigestOptions
    from newsbrief.digest.build import build_digest

    paths = _paths(args)
    common.check_output_folder(args.output)
    endpoint = common.endpoint(args)
    cache = common.open_cache(args)
    reporter = Reporter(quiet=args.quiet)
    options = DigestOptions(
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        use_cache=not args.no_cache,
        refresh=args.refresh,
        on_start=reporter.start,
        on_done=reporter.done,
        since=args.since,
        allow_private=args.allow_private,
    )
    kept: list[str] = []
    try:
        digest = build_digest(
            paths, endpoint=endpoint, options=options, cache=cache, deliver=_deliver(args, kept)
        )
    finally:
        reporter.close()
        if cache is not None:
            cache.close()
    if digest.nothing_new:  # one line, exit 0: the cron case
        since = digest.changes.previous_at if digest.changes else None
        done = kept[0] if kept else f"wrote {args.output}" if args.output else ""
        line = f"nothing new{f' since {since}' if since else ''}{f'; {done}' if done else ''}"
        print(safe_for_terminal(f"newsbrief: {line}"), file=sys.stderr)
        return 0
    common.show_warnings(args, digest.warnings)
    for result in digest.articles:
        if result.brief is not None:
            common.show_warnings(
                args, result.brief.warnings, f"{result.article_id} {result.origin}: "
            )
    if args.output and not kept:
        common.status(
            args,
            f"newsbrief: wrote {args.output} ({digest.stats.summarized}/{digest.stats.articles} "
            f"articles, {digest.stats.model_calls} model calls)",
        )
    if digest.stats.summarized == 0:
        also = f"; {kept[0]}" if kept else ""
        common.always(f"newsbrief: error: no article could be summarized{also}")
        return 1
    return common.EXIT_PARTIAL if digest.partial else 0
