"""The newsbrief command: exit 0 on success, 1 with one line for any user-facing failure,
2 for usage errors (argparse's own convention)."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from rich.console import Console

from newsbrief import settings
from newsbrief.cli.terminal import json_for_terminal, safe_for_terminal, terminal_text
from newsbrief.errors import InputError, NewsbriefError
from newsbrief.files import write_whole
from newsbrief.redact import install_log_redaction, redact

if TYPE_CHECKING:
    from newsbrief.digest.contract import Digest
    from newsbrief.ingest.read import Article
    from newsbrief.model.endpoint import Endpoint
    from newsbrief.store.table import BriefCache

T = TypeVar("T")

# -o's extension picks the format when --format is not given; any other is a usage error.
SUMMARIZE_OUTPUTS = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
DIGEST_OUTPUTS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
EVAL_OUTPUTS = {".md": "md", ".markdown": "md"}  # the JSON report goes beside it, as .json


class _Parser(argparse.ArgumentParser):
    """No abbreviations: `--form` is named as unrecognized, never silently taken for
    `--format` (an abbreviation that works today breaks once a second flag shares its
    prefix). And error lines that cannot drive the terminal: argparse quotes the user's
    arguments, which may hold escape sequences."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, safe_for_terminal(f"{self.prog}: error: {message}") + "\n")


def _version() -> str:
    """The installed distribution's version; the package's own when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsbrief")
    except PackageNotFoundError:
        from newsbrief import __version__

        return __version__


def _flag(parse: Callable[[str], T], accepts: str) -> Callable[[str], T]:
    """An argparse type from a settings parser: a flag accepts what its variable accepts."""

    def convert(raw: str) -> T:
        try:
            return parse(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {accepts}, not {raw!r}") from None

    return convert


def _since(raw: str) -> object:
    from newsbrief.digest.feeds import parse_since  # the digest stack: only when given

    return parse_since(raw)


def _verbosity_flags(
    parser: argparse.ArgumentParser,
    default: Any,
    verbose: str = "also print warnings and newsbrief's INFO log on stderr",
) -> None:
    """-q/-v, on the top-level parser (default False) and again after each subcommand
    (default SUPPRESS, so a subcommand that is not given them keeps the top-level value)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="no progress or status lines on stderr; errors still print (default: off)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help=f"{verbose} (default: off)",
    )


def _endpoint_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model endpoint (default: embedded model)")
    group.add_argument(
        "-m",
        "--model",
        help="model name (env NEWSBRIEF_MODEL; default qwen2.5-coder-1.5b-instruct-q4_k_m "
        "for the embedded model, gpt-4o-mini remote)",
    )
    group.add_argument(
        "--base-url",
        help="OpenAI-compatible base URL (env NEWSBRIEF_BASE_URL; default none: the embedded "
        "model, or OpenAI's API when an API key is set)",
    )
    group.add_argument(
        "--api-key",
        help="API key (prefer env OPENAI_API_KEY: a flag shows in ps; default none)",
    )
    group.add_argument(
        "--mode",
        choices=settings.MODES,
        help=f"how instructor asks for structured output: {', '.join(settings.MODES)} "
        "(env NEWSBRIEF_MODE; default json_schema)",
    )
    group.add_argument(
        "--timeout",
        type=_flag(settings.positive_float, "a positive number of seconds"),
        metavar="SECONDS",
        help="seconds per model request (env NEWSBRIEF_TIMEOUT; default 1800 s for the "
        "embedded model, 300 s remote)",
    )


def _cache_flags(parser: argparse.ArgumentParser, refresh: bool) -> None:
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help=f"folder of the brief cache, briefs.sqlite (default {settings.cache_dir()}, "
        "from NEWSBRIEF_CACHE_DIR or the user cache folder)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the brief cache (default: read and write it)",
    )
    if refresh:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="ask the model even when a brief is cached, and overwrite it "
            "(default: serve cached briefs)",
        )


def _network_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="let URLs, feeds, their pages and redirects reach loopback and private "
        "addresses (default: refused; link-local and cloud metadata addresses always are)",
    )


def build_parser() -> argparse.ArgumentParser:
    epilog = settings.environment_help()
    parser = _Parser(prog="newsbrief", description=__doc__, epilog=epilog)
    parser.add_argument(
        "--version",
        action="version",
        version=f"newsbrief {_version()}",
        help="print newsbrief's version and exit",
    )
    _verbosity_flags(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("summarize", help="brief one article", epilog=epilog)
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
    _network_flags(s)
    _cache_flags(s, refresh=True)
    _verbosity_flags(s, argparse.SUPPRESS)
    _endpoint_flags(s)
    s.set_defaults(parser=s)

    d = sub.add_parser("digest", help="brief many articles into one briefing", epilog=epilog)
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
        type=_flag(_since, "a date (2026-11-20), a date-time (2026-11-20T07:00Z) or last-run"),
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
    count = _flag(settings.positive_int, "a positive whole number")
    d.add_argument(
        "--concurrency",
        type=count,
        metavar="N",
        help="articles in flight (default 1 for the embedded model, 4 remote)",
    )
    d.add_argument(
        "--rpm", type=count, metavar="N", help="at most N requests per minute (default: no limit)"
    )
    d.add_argument(
        "--tpm",
        type=count,
        metavar="N",
        help="at most N (estimated) tokens per minute (default: no limit)",
    )
    _network_flags(d)
    _cache_flags(d, refresh=True)
    _verbosity_flags(d, argparse.SUPPRESS)
    _endpoint_flags(d)
    d.set_defaults(parser=d)

    e = sub.add_parser(
        "eval", help="brief a folder of documents and score the briefs", epilog=epilog
    )
    e.add_argument(
        "dir", help="a folder of articles, or one laid out like ECTSum (ects/, gt_summaries/)"
    )
    e.add_argument(
        "--gold",
        action="append",
        default=[],
        metavar="FILE",
        help="gold label JSON (repeatable; default: none)",
    )
    e.add_argument(
        "--policy",
        metavar="FILE",
        help='policy-angle JSON ({"article.txt": true}): count the articles with a policy '
        "angle that got an implication (default: none)",
    )
    e.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only this document (repeatable; default: every document)",
    )
    e.add_argument(
        "--smallest",
        type=count,
        metavar="N",
        help="only the N shortest documents (default: all of them)",
    )
    e.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the Markdown report here (a .md name) and the JSON report beside it, "
        "as .json (default: the Markdown report on stdout)",
    )
    e.add_argument(
        "--peer",
        choices=["langextract"],
        help="also run this extractor on the same documents and model and report its figures "
        "beside newsbrief's (needs langextract installed, see EVAL.md; default: no peer)",
    )
    _cache_flags(e, refresh=False)
    _verbosity_flags(e, argparse.SUPPRESS)
    _endpoint_flags(e)
    e.set_defaults(parser=e)

    b = sub.add_parser(
        "batch",
        help="run briefs on a batch engine (OpenAI Batch, Azure, vllm run-batch)",
        description="Export the model requests for many articles as an OpenAI Batch API\n"
        "JSONL file, import the engine's results into the brief cache, repeat with the\n"
        "requests import writes until none are left, then run `newsbrief digest` on the\n"
        "same articles: it builds from the cache with no model call.",
        epilog=epilog,
    )
    bsub = b.add_subparsers(dest="batch_command", required=True, metavar="COMMAND")
    bx = bsub.add_parser("export", help="write one request line per model call due", epilog=epilog)
    bx.add_argument(
        "paths",
        nargs="+",
        help="files, folders, http(s) URLs, as for digest and in the digest's order",
    )
    bx.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="the requests JSONL to write"
    )
    _network_flags(bx)
    bi = bsub.add_parser(
        "import",
        help="store a batch engine's results; write the requests still due",
        epilog=epilog,
    )
    bi.add_argument("results", help="the engine's output JSONL (OpenAI Batch output format)")
    bi.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the next round's requests JSONL (default: RESULTS with .next.jsonl)",
    )
    for command in (bx, bi):
        _cache_flags(command, refresh=False)
        _verbosity_flags(command, argparse.SUPPRESS)
        _endpoint_flags(command)
        command.set_defaults(parser=command)

    c = sub.add_parser("cassettes", help="inspect recorded model traffic", epilog=epilog)
    csub = c.add_subparsers(dest="cassettes_command", required=True, metavar="COMMAND")
    check = csub.add_parser(
        "check",
        help="list newsbrief's cassettes; exit 1 if any is stale, incomplete or unsafe",
        description="List the cassettes newsbrief recorded under DIR (other YAML files are\n"
        "skipped); exit 1 if any is stale, unsafe or unreadable, or if there are none.",
        epilog=epilog,
    )
    check.add_argument(
        "dir",
        nargs="?",
        default="cassettes",
        help="folder searched, with its subfolders, for *.yaml and *.yml (default: cassettes)",
    )
    _verbosity_flags(check, argparse.SUPPRESS, "also list the YAML files skipped")
    check.set_defaults(parser=check)
    return parser


# --- after parsing: what argparse cannot check alone ---------------------------------------


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> NoReturn:
    """Name only the misspelt flags. argparse lists every leftover: with `--formt json x.txt`
    the value `json` fills the path, so the real path is left over and was named too."""
    flags = [a.split("=", 1)[0] for a in extras if a.startswith("-") and a != "-"]
    if not flags:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    known = [option for action in parser._actions for option in action.option_strings]
    named = []
    for flag in dict.fromkeys(flags):
        close = difflib.get_close_matches(flag, known, n=1)
        named.append(f"{flag} (did you mean {close[0]}?)" if close else flag)
    plural = "s" if len(named) > 1 else ""
    parser.error(f"unrecognized option{plural}: {', '.join(named)}")


def _output_format(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """--format, else -o's extension, else md. An extension that names no format we write is
    a usage error, found before anything is read or any model is asked."""
    outputs = {"summarize": SUMMARIZE_OUTPUTS, "digest": DIGEST_OUTPUTS, "eval": EVAL_OUTPUTS}
    choices = outputs[args.command]
    fmt: str | None = getattr(args, "format", None)
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if args.command == "eval" and suffix not in choices:
            parser.error(
                f"argument -o/--output: {args.output} is not a .md file "
                "(eval writes a Markdown report there and its JSON beside it)"
            )
        if fmt is None:
            fmt = choices.get(suffix)
            if fmt is None:
                names = ", ".join(dict.fromkeys(choices))
                parser.error(
                    f"argument -o/--output: cannot tell the format of {args.output}; "
                    f"use {names} or --format"
                )
    return fmt or "md"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    owner: argparse.ArgumentParser = getattr(args, "parser", None) or parser
    if extras:
        _unrecognized(owner, extras)
    if args.quiet and args.verbose:
        owner.error("-q/--quiet and -v/--verbose cannot be used together")
    if args.command in ("summarize", "digest", "eval"):
        args.format = _output_format(owner, args)
    return args


# --- shared by the commands ------------------------------------------------------------------


def _status(args: argparse.Namespace, line: str) -> None:
    """A progress or status line on stderr; -q drops it (errors never come this way)."""
    if not args.quiet:
        print(safe_for_terminal(line), file=sys.stderr, flush=True)


def _warnings(args: argparse.Namespace, warnings: Sequence[str], prefix: str = "") -> None:
    """-v: the warnings a brief or digest carries, on stderr, one a line."""
    if args.verbose:
        for warning in warnings:
            text = " ".join(f"{prefix}{warning}".split())
            print(safe_for_terminal(f"newsbrief: warning: {text}"), file=sys.stderr)


def _check_output_folder(output: str | None) -> None:
    """Found now, not after every article has been briefed."""
    if output:
        folder = Path(output).resolve().parent
        if not folder.is_dir():
            raise InputError(f"cannot write {output}: no folder {folder}")


def _open_cache(args: argparse.Namespace) -> BriefCache | None:
    from newsbrief.store.table import BriefCache

    if args.no_cache:
        return None
    return BriefCache(Path(args.cache_dir) / "briefs.sqlite" if args.cache_dir else None)


@contextlib.contextmanager
def _logging(args: argparse.Namespace) -> Iterator[None]:
    """-v: newsbrief's log at INFO on stderr (through the redacting record factory, and
    sanitized for the terminal); -q: errors only. Undone on return: main() may run many
    times in one process (tests), and must not leave handlers behind."""
    logger = logging.getLogger("newsbrief")
    level = logger.level
    handler: logging.Handler | None = None
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_TerminalFormatter("newsbrief: %(levelname)s: %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    elif args.quiet:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        if handler is not None:
            logger.removeHandler(handler)
        logger.setLevel(level)


class _TerminalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return safe_for_terminal(super().format(record))


# --- summarize -------------------------------------------------------------------------------


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
        _status(args, f"newsbrief: summarizing {article.origin} with {where}")
        yield

    return around


def _summarize(args: argparse.Namespace, console: Console) -> int:
    from newsbrief.aio import run_sync
    from newsbrief.ingest.read import read_path
    from newsbrief.model.endpoint import resolve_endpoint
    from newsbrief.render import brief_to_html
    from newsbrief.render.markdown import brief_to_markdown
    from newsbrief.store.briefs import brief_through

    _check_output_folder(args.output)
    article = read_path(args.path, allow_private=args.allow_private)
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    cache = _open_cache(args)
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
        _status(args, f"newsbrief: {article.origin}: cached brief (--refresh to ask again)")
    _warnings(args, brief.warnings)
    if args.format == "json":
        rendered = json_for_terminal(brief.model_dump_json(indent=2)) + "\n"
    elif args.format == "html":
        rendered = brief_to_html(brief)
    else:
        rendered = brief_to_markdown(brief)
    if args.output:
        write_whole(Path(args.output), rendered)
        _status(args, f"newsbrief: wrote {args.output}")
    else:
        sys.stdout.write(rendered)
    return 0


# --- digest ----------------------------------------------------------------------------------

EXIT_PARTIAL = 3


def _digest(args: argparse.Namespace) -> int:
    """Exit 0 when every article was summarized, 3 when some were not (partial), 1 when none."""
    from newsbrief.cli.progress import Reporter
    from newsbrief.digest.batch import DigestOptions
    from newsbrief.digest.build import build_digest
    from newsbrief.model.endpoint import resolve_endpoint
    from newsbrief.render import to_html, to_markdown

    paths: list[str] = []
    for p in args.paths:
        if p == "-":
            paths += [line.strip() for line in sys.stdin if line.strip()]
        else:
            paths.append(p)
    _check_output_folder(args.output)
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    cache = _open_cache(args)
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

    kept: list[str] = []  # why the output was left as it was (one line), when it was

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

    try:
        digest = build_digest(
            paths, endpoint=endpoint, options=options, cache=cache, deliver=deliver
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
    _warnings(args, digest.warnings)
    for result in digest.articles:
        if result.brief is not None:
            _warnings(args, result.brief.warnings, f"{result.article_id} {result.origin}: ")
    if args.output and not kept:
        _status(
            args,
            f"newsbrief: wrote {args.output} ({digest.stats.summarized}/{digest.stats.articles} "
            f"articles, {digest.stats.model_calls} model calls)",
        )
    if digest.stats.summarized == 0:
        also = f"; {kept[0]}" if kept else ""
        print(
            safe_for_terminal(f"newsbrief: error: no article could be summarized{also}"),
            file=sys.stderr,
        )
        return 1
    return EXIT_PARTIAL if digest.partial else 0


# --- eval ------------------------------------------------------------------------------------


def _eval(args: argparse.Namespace) -> int:
    """Exit 0 when every document was briefed (and, with --peer, extracted by the peer), 3
    when some were not."""
    from newsbrief.evaluate.peers import langextract_version
    from newsbrief.evaluate.run import discover, evaluate, evaluate_peer, load_gold, load_policy
    from newsbrief.model.endpoint import resolve_endpoint

    _check_output_folder(args.output)
    if args.peer:
        langextract_version()  # not installed: say so now, not after the briefs
    docs = discover(Path(args.dir), args.only, args.smallest)
    notes: list[str] = []
    gold = load_gold([Path(g) for g in args.gold], notes)
    policy = load_policy(Path(args.policy) if args.policy else None, notes)
    for note in notes:  # scores without those labels: shown even with -q, and in the report
        print(safe_for_terminal(f"newsbrief: warning: {note}"), file=sys.stderr, flush=True)
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    cache = _open_cache(args)

    def progress(doc: Any) -> None:
        if doc.error:  # an error, so shown even with -q
            line = f"newsbrief: eval {doc.name}: error: {doc.error}"
            print(safe_for_terminal(line), file=sys.stderr, flush=True)
        else:
            _status(args, f"newsbrief: eval {doc.name}: {doc.figures} figures")

    def peer_progress(doc: Any) -> None:
        if doc.error:
            line = f"newsbrief: eval {doc.name}: {args.peer}: error: {doc.error}"
            print(safe_for_terminal(line), file=sys.stderr, flush=True)
        else:
            _status(args, f"newsbrief: eval {doc.name}: {args.peer}: {doc.figures} figures")

    try:
        report = evaluate(docs, endpoint, gold, cache=cache, on_done=progress, policy_angles=policy)
    finally:
        if cache is not None:
            cache.close()
    report.notes = notes
    if args.peer:
        report.peer = evaluate_peer(docs, endpoint, gold, peer=args.peer, on_done=peer_progress)
    markdown = report.to_markdown()
    if args.output:
        out = Path(args.output)
        write_whole(out, markdown)
        write_whole(out.with_suffix(".json"), report.to_json() + "\n")
        _status(args, f"newsbrief: wrote {out} and {out.with_suffix('.json')}")
    else:
        sys.stdout.write(safe_for_terminal(markdown))
    peer_failed = report.peer is not None and any(d.error for d in report.peer.docs)
    return EXIT_PARTIAL if peer_failed or any(d.error for d in report.docs) else 0


# --- cassettes check -------------------------------------------------------------------------


_VCR_START = re.compile(r"^interactions:", re.MULTILINE)


def _cassettes_to_check(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(newsbrief's cassettes, other YAML files).

    A file newsbrief_cassette() cannot read as a cassette is whose we cannot tell. It
    counts as ours, and is reported UNREADABLE, when it lies beside one of our cassettes,
    names newsbrief's markers, or begins a vcrpy `interactions:` list (a torn cassette: for
    a gate that keeps secrets out of git, flagged rather than passed over). Anything else
    (a virtualenv's YAML, another tool's readable cassette) is skipped."""
    from newsbrief.testing.cassettes import NEWSBRIEF_MARKERS, newsbrief_cassette

    def looks_like_ours(path: Path) -> bool:
        try:
            raw = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return any(marker in raw for marker in NEWSBRIEF_MARKERS) or bool(_VCR_START.search(raw))

    kinds = {path: newsbrief_cassette(path) for path in paths}
    ours_beside = {path.parent for path, kind in kinds.items() if kind}
    ours: list[Path] = []
    others: list[Path] = []
    for path, kind in kinds.items():
        if kind is None:
            kind = path.parent in ours_beside or looks_like_ours(path)
        (ours if kind else others).append(path)
    return ours, others


def _cassettes_check(args: argparse.Namespace) -> int:
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.cassettes import CassetteInfo, inspect_cassette

    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputError(f"no cassette folder at {folder}")
    paths = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    if not paths:
        raise InputError(f"no cassettes (*.yaml) under {folder}")
    cassettes, skipped = _cassettes_to_check(paths)
    if not cassettes:
        raise InputError(
            f"no newsbrief cassettes under {folder} "
            f"({len(skipped)} YAML file(s) skipped: not recorded by newsbrief)"
        )
    bad = 0
    print(safe_for_terminal(f"current prompt version {prompt_version()}"))
    for path in cassettes:
        try:
            info = inspect_cassette(path)
        except RecursionError:  # YAML nested past Python's stack: reported, like any damage
            info = CassetteInfo(path=path, error="not valid YAML: nested too deeply")
        status = "ok"
        if info.error:
            status = f"UNREADABLE ({info.error})"
        elif info.secrets:
            status = f"UNSAFE: secret-looking value at {', '.join(info.secrets[:5])}"
        elif info.incomplete:
            status = f"INCOMPLETE: {info.incomplete}; record it with --newsbrief-record-mode=once"
        elif info.stale:
            status = "STALE: re-record it with --newsbrief-record-mode=rewrite"
        bad += status != "ok"
        versions = ",".join(sorted(info.prompt_versions)) or "-"
        models = ",".join(sorted(info.models)) or "-"
        line = f"{status:6} {path}  prompt={versions} model={models} requests={info.interactions}"
        print(safe_for_terminal(line))
    if args.verbose:
        for path in skipped:
            print(safe_for_terminal(f"skipped {path} (not a newsbrief cassette)"))
    summary = f"{len(cassettes)} cassette(s), {bad} stale, incomplete or unsafe"
    if skipped:
        summary += f", {len(skipped)} skipped (not a newsbrief cassette)"
    print(summary)
    return 1 if bad else 0


# --- batch -------------------------------------------------------------------------------------


def _batch(args: argparse.Namespace) -> int:
    """Exit 0 when the round is written, 3 when some articles or result lines failed."""
    from newsbrief.digest import batch_api
    from newsbrief.model.endpoint import resolve_endpoint

    if args.no_cache:
        args.parser.error("batch runs keep their state in the brief cache: drop --no-cache")
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    _check_output_folder(args.output)
    cache = _open_cache(args)
    assert cache is not None
    try:
        if args.batch_command == "export":
            out = Path(args.output)
            report = batch_api.export_requests(
                args.paths, endpoint, cache, out, allow_private=args.allow_private
            )
        else:
            results = Path(args.results)
            out = Path(args.output) if args.output else results.with_suffix(".next.jsonl")
            report = batch_api.import_results(results, endpoint, cache, out)
            _status(args, f"newsbrief: stored {report.answers} answer(s)")
    finally:
        cache.close()
    for line in report.failed:
        print(safe_for_terminal(f"newsbrief: warning: {line}"), file=sys.stderr)
    done = f"{report.done}/{report.articles} briefs in the cache"
    if report.written:
        _status(args, f"newsbrief: {done}; wrote {report.written} request(s) to {out}")
    else:
        synthesis = "with" if report.synthesis else "without"
        _status(
            args,
            f"newsbrief: {done}, {synthesis} the synthesis; nothing left to ask ({out} is "
            "empty): run newsbrief digest on the same articles",
        )
    return EXIT_PARTIAL if report.failed else 0


# --- entry point -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    install_log_redaction()
    console = Console(stderr=True)
    try:
        with _logging(args):
            if args.command == "summarize":
                return _summarize(args, console)
            if args.command == "digest":
                return _digest(args)
            if args.command == "cassettes":
                return _cassettes_check(args)
            if args.command == "batch":
                return _batch(args)
            if args.command == "eval":
                return _eval(args)
            raise AssertionError(args.command)
    except NewsbriefError as exc:
        message = redact(" ".join(str(exc).split()), getattr(args, "api_key", None))
        print(safe_for_terminal(f"newsbrief: error: {message}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsbrief: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, full trace on request
        if os.environ.get(settings.DEBUG.name):
            raise
        message = redact(" ".join(str(exc).split()), getattr(args, "api_key", None))
        print(
            safe_for_terminal(
                f"newsbrief: internal error: {type(exc).__name__}: {message} "
                "(set NEWSBRIEF_DEBUG=1 for a traceback)"
            ),
            file=sys.stderr,
        )
        return 1
