"""The newsbrief command: exit 0 on success, 1 with one line for any user-facing failure,
2 for usage errors (argparse's own convention)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from rich.console import Console

from .errors import NewsbriefError
from .redact import redact


def _endpoint_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model endpoint (default: embedded model)")
    group.add_argument("--model", help="model name (env NEWSBRIEF_MODEL)")
    group.add_argument("--base-url", help="OpenAI-compatible base URL (env NEWSBRIEF_BASE_URL)")
    group.add_argument("--api-key", help="API key (prefer env OPENAI_API_KEY)")
    group.add_argument(
        "--mode",
        choices=["json_schema", "tools", "json", "md_json"],
        help="instructor mode (env NEWSBRIEF_MODE; default json_schema)",
    )
    group.add_argument("--timeout", type=float, help="seconds per request (default 300)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbrief", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summarize", help="brief one article")
    s.add_argument("path", help="a .txt, .md or .html file, or - for standard input")
    s.add_argument("--format", choices=["md", "json"], default="md")
    _endpoint_flags(s)
    c = sub.add_parser("cassettes", help="inspect recorded model traffic")
    csub = c.add_subparsers(dest="cassettes_command", required=True)
    check = csub.add_parser("check", help="list cassettes; exit 1 if any is stale or unsafe")
    check.add_argument("dir", nargs="?", default="cassettes")
    return parser


def _summarize(args: argparse.Namespace, console: Console) -> int:
    from .endpoint import resolve_endpoint
    from .ingest import read_path
    from .pipeline import summarize
    from .render import brief_to_markdown

    article = read_path(args.path)
    endpoint = resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)
    where = (
        "the embedded model (about a minute on 2 cores)" if endpoint.embedded else endpoint.model
    )
    if console.is_terminal:
        with console.status(f"Summarizing {article.origin} with {where}..."):
            brief = summarize(article.text, title=article.title, endpoint=endpoint)
    else:
        print(f"newsbrief: summarizing {article.origin} with {where}", file=sys.stderr, flush=True)
        brief = summarize(article.text, title=article.title, endpoint=endpoint)
    brief.warnings[:0] = article.warnings
    if args.format == "json":
        sys.stdout.write(brief.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(brief_to_markdown(brief))
    return 0


def _cassettes_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .cassettes import inspect_cassette
    from .errors import InputError
    from .prompts import prompt_version

    folder = Path(args.dir)
    if not folder.is_dir():
        raise InputError(f"no cassette folder at {folder}")
    paths = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    if not paths:
        raise InputError(f"no cassettes (*.yaml) under {folder}")
    bad = 0
    print(f"current prompt version {prompt_version()}")
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
        print(f"{status:6} {path}  prompt={versions} model={models} requests={info.interactions}")
    print(f"{len(paths)} cassette(s), {bad} stale or unsafe")
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # instructor logs each failed attempt at ERROR; our own one-line error says it better.
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    console = Console(stderr=True)
    try:
        if args.command == "summarize":
            return _summarize(args, console)
        if args.command == "cassettes":
            return _cassettes_check(args)
        raise AssertionError(args.command)
    except NewsbriefError as exc:
        message = redact(" ".join(str(exc).split()), getattr(args, "api_key", None))
        print(f"newsbrief: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsbrief: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, full trace on request
        if os.environ.get("NEWSBRIEF_DEBUG"):
            raise
        message = redact(" ".join(str(exc).split()), getattr(args, "api_key", None))
        print(
            f"newsbrief: internal error: {type(exc).__name__}: {message} "
            "(set NEWSBRIEF_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 1
