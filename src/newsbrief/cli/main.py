"""The newsbrief command: exit 0 on success, 1 with one line for any user-facing failure,
2 for usage errors (argparse's own convention)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.console import Console

from newsbrief import settings
from newsbrief.cli.terminal import json_for_terminal, safe_for_terminal, terminal_text
from newsbrief.errors import NewsbriefError
from newsbrief.redact import install_log_redaction, redact

T = TypeVar("T")


def _flag(parse: Callable[[str], T], accepts: str) -> Callable[[str], T]:
    """An argparse type from a settings parser: a flag accepts what its variable accepts."""

    def convert(raw: str) -> T:
        try:
            return parse(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {accepts}, not {raw!r}") from None

    return convert


def _endpoint_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model endpoint (default: embedded model)")
    group.add_argument("--model", help="model name (env NEWSBRIEF_MODEL)")
    group.add_argument("--base-url", help="OpenAI-compatible base URL (env NEWSBRIEF_BASE_URL)")
    group.add_argument("--api-key", help="API key (prefer env OPENAI_API_KEY)")
    group.add_argument(
        "--mode",
        choices=settings.MODES,
        help="instructor mode (env NEWSBRIEF_MODE; default json_schema)",
    )
    group.add_argument(
        "--timeout",
        type=_flag(settings.positive_float, "a positive number of seconds"),
        help="seconds per request (default 1800 embedded, 300 remote; env NEWSBRIEF_TIMEOUT)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbrief",
        description=__doc__,
        epilog=settings.environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    epilog = settings.environment_help()
    raw = argparse.RawDescriptionHelpFormatter
    s = sub.add_parser("summarize", help="brief one article", epilog=epilog, formatter_class=raw)
    s.add_argument("path", help="a .txt, .md or .html file, an http(s) URL, or - for stdin")
    s.add_argument("--format", choices=["md", "json"], default="md")
    _endpoint_flags(s)
    d = sub.add_parser(
        "digest", help="brief many articles into one briefing", epilog=epilog, formatter_class=raw
    )
    d.add_argument(
        "paths", nargs="+", help="files, folders, URLs, or - for a list of paths on stdin"
    )
    d.add_argument("-o", "--output", help="write here; the format follows .md/.html/.json")
    d.add_argument("--format", choices=["md", "html", "json"], help="overrides the extension")
    count = _flag(settings.positive_int, "a positive whole number")
    d.add_argument(
        "--concurrency", type=count, help="articles in flight (default 1 embedded, 4 remote)"
    )
    d.add_argument("--rpm", type=count, help="at most this many requests per minute")
    d.add_argument("--tpm", type=count, help="at most this many (estimated) tokens per minute")
    d.add_argument("--cache-dir", help="where the brief cache lives (default: user cache dir)")
    d.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    d.add_argument("--refresh", action="store_true", help="ignore cached briefs, overwrite them")
    _endpoint_flags(d)
    e = sub.add_parser(
        "eval",
        help="brief a folder of documents and score the briefs",
        epilog=epilog,
        formatter_class=raw,
    )
    e.add_argument(
        "dir", help="a folder of articles, or one laid out like ECTSum (ects/, gt_summaries/)"
    )
    e.add_argument("--gold", action="append", default=[], help="gold label JSON (repeatable)")
    e.add_argument("--only", action="append", default=[], help="only this document (repeatable)")
    e.add_argument("--smallest", type=count, help="only the N shortest documents")
    e.add_argument("-o", "--output", help="write the Markdown report here, and JSON beside it")
    e.add_argument("--cache-dir", help="where the brief cache lives (default: user cache dir)")
    e.add_argument("--no-cache", action="store_true", help="brief every document afresh")
    _endpoint_flags(e)
    c = sub.add_parser("cassettes", help="inspect recorded model traffic")
    csub = c.add_subparsers(dest="cassettes_command", required=True)
    check = csub.add_parser("check", help="list cassettes; exit 1 if any is stale or unsafe")
    check.add_argument("dir", nargs="?", default="cassettes")
    return parser


def _summarize(args: argparse.Namespace, console: Console) -> int:
    from newsbrief.brief.summarize import summarize
    from newsbrief.ingest.read import read_path
    from newsbrief.model.endpoint import resolve_endpoint
    from newsbrief.render.markdown import brief_to_markdown

    article = read_path(args.path)
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    where = (
        "the embedded model (about a minute on 2 cores)" if endpoint.embedded else endpoint.model
    )
    if console.is_terminal:
        with console.status(terminal_text(f"Summarizing {article.origin} with {where}...")):
            brief = summarize(article, endpoint=endpoint)
    else:
        line = f"newsbrief: summarizing {article.origin} with {where}"
        print(safe_for_terminal(line), file=sys.stderr, flush=True)
        brief = summarize(article, endpoint=endpoint)
    if args.format == "json":
        sys.stdout.write(json_for_terminal(brief.model_dump_json(indent=2)) + "\n")
    else:
        sys.stdout.write(brief_to_markdown(brief))
    return 0


EXIT_PARTIAL = 3


def _digest(args: argparse.Namespace) -> int:
    """Exit 0 when every article was summarized, 3 when some were not (partial), 1 when none."""
    from pathlib import Path

    from newsbrief.cli.progress import Reporter
    from newsbrief.digest.batch import DigestOptions
    from newsbrief.digest.build import build_digest
    from newsbrief.digest.cache import BriefCache
    from newsbrief.errors import InputError
    from newsbrief.model.endpoint import resolve_endpoint
    from newsbrief.render import to_html, to_markdown

    paths: list[str] = []
    for p in args.paths:
        if p == "-":
            paths += [line.strip() for line in sys.stdin if line.strip()]
        else:
            paths.append(p)
    fmt = args.format
    if fmt is None and args.output:
        fmt = {
            ".md": "md",
            ".markdown": "md",
            ".html": "html",
            ".htm": "html",
            ".json": "json",
        }.get(Path(args.output).suffix.lower())
        if fmt is None:
            raise InputError(
                f"cannot tell the format of {args.output}; use .md, .html, .json or --format"
            )
    fmt = fmt or "md"
    if args.output:
        folder = Path(args.output).resolve().parent
        if not folder.is_dir():  # found now, not after every article has been briefed
            raise InputError(f"cannot write {args.output}: no folder {folder}")
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    cache = None
    if not args.no_cache:
        cache = BriefCache(Path(args.cache_dir) / "briefs.sqlite" if args.cache_dir else None)
    reporter = Reporter()
    options = DigestOptions(
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        use_cache=not args.no_cache,
        refresh=args.refresh,
        on_start=reporter.start,
        on_done=reporter.done,
    )
    try:
        digest = build_digest(paths, endpoint=endpoint, options=options, cache=cache)
    finally:
        reporter.close()
        if cache is not None:
            cache.close()
    renderers: dict[str, Callable[[], str]] = {
        "md": lambda: to_markdown(digest),
        "html": lambda: to_html(digest),
        "json": lambda: json_for_terminal(digest.model_dump_json(indent=2)),
    }
    rendered = renderers[fmt]()
    if args.output:
        out = Path(args.output)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(rendered, encoding="utf-8")
        tmp.replace(out)
        print(
            safe_for_terminal(
                f"newsbrief: wrote {out} ({digest.stats.summarized}/{digest.stats.articles} "
                f"articles, {digest.stats.model_calls} model calls)"
            ),
            file=sys.stderr,
        )
    else:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
    if digest.stats.summarized == 0:
        print("newsbrief: error: no article could be summarized", file=sys.stderr)
        return 1
    return EXIT_PARTIAL if digest.partial else 0


def _eval(args: argparse.Namespace) -> int:
    """Exit 0 when every document was briefed, 3 when some were not."""
    from pathlib import Path

    from newsbrief.digest.cache import BriefCache
    from newsbrief.evaluate.run import discover, evaluate, load_gold
    from newsbrief.model.endpoint import resolve_endpoint

    docs = discover(Path(args.dir), args.only, args.smallest)
    gold = load_gold([Path(g) for g in args.gold])
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    cache = None
    if not args.no_cache:
        cache = BriefCache(Path(args.cache_dir) / "briefs.sqlite" if args.cache_dir else None)

    def progress(doc: Any) -> None:
        state = f"error: {doc.error}" if doc.error else f"{doc.figures} figures"
        print(
            safe_for_terminal(f"newsbrief: eval {doc.name}: {state}"), file=sys.stderr, flush=True
        )

    try:
        report = evaluate(docs, endpoint, gold, cache=cache, on_done=progress)
    finally:
        if cache is not None:
            cache.close()
    markdown = report.to_markdown()
    if args.output:
        out = Path(args.output)
        out.write_text(markdown, encoding="utf-8")
        out.with_suffix(".json").write_text(report.to_json() + "\n", encoding="utf-8")
        print(
            safe_for_terminal(f"newsbrief: wrote {out} and {out.with_suffix('.json')}"),
            file=sys.stderr,
        )
    else:
        sys.stdout.write(safe_for_terminal(markdown))
    return EXIT_PARTIAL if any(d.error for d in report.docs) else 0


def _cassettes_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from newsbrief.errors import InputError
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.cassettes import inspect_cassette

    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputError(f"no cassette folder at {folder}")
    paths = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    if not paths:
        raise InputError(f"no cassettes (*.yaml) under {folder}")
    bad = 0
    print(safe_for_terminal(f"current prompt version {prompt_version()}"))
    for path in paths:
        info = inspect_cassette(path)
        status = "ok"
        if info.error:
            status = f"UNREADABLE ({info.error})"
        elif info.secrets:
            status = f"UNSAFE: secret-looking value at {', '.join(info.secrets[:5])}"
        elif info.stale:
            status = "STALE: re-record it"
        bad += status != "ok"
        versions = ",".join(sorted(info.prompt_versions)) or "-"
        models = ",".join(sorted(info.models)) or "-"
        line = f"{status:6} {path}  prompt={versions} model={models} requests={info.interactions}"
        print(safe_for_terminal(line))
    print(f"{len(paths)} cassette(s), {bad} stale or unsafe")
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    install_log_redaction()
    # instructor logs each failed attempt at ERROR; our own one-line error says it better.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    console = Console(stderr=True)
    try:
        if args.command == "summarize":
            return _summarize(args, console)
        if args.command == "digest":
            return _digest(args)
        if args.command == "cassettes":
            return _cassettes_check(args)
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
