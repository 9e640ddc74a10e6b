"""What the commands share: their flags, the checks argparse cannot make alone, the endpoint
and the brief cache built from the flags, and the lines they print on stderr.

Imports here stay light (no model stack): `newsbrief --help` loads every command module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newsbrief import settings
from newsbrief.cli.terminal import safe_for_terminal
from newsbrief.errors import InputError

if TYPE_CHECKING:
    from newsbrief.model.endpoint import Endpoint
    from newsbrief.store.table import BriefCache

    # What each command's add_parser adds its parser to.
    Subparsers = argparse._SubParsersAction[Any]

T = TypeVar("T")

# Exit code of a run that did part of its work (some articles or documents failed).
EXIT_PARTIAL = 3


# --- flags -----------------------------------------------------------------------------------


def flag(parse: Callable[[str], T], accepts: str) -> Callable[[str], T]:
    """An argparse type from a settings parser: a flag accepts what its variable accepts."""

    def convert(raw: str) -> T:
        try:
            return parse(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {accepts}, not {raw!r}") from None

    return convert


def count_flag(parser: argparse.ArgumentParser, name: str, text: str) -> None:
    """A flag taking a count N (--concurrency, --smallest): what NEWSBRIEF_* counts accept.
    `text` is its help."""
    count = flag(settings.positive_int, "a positive whole number")
    parser.add_argument(name, type=count, metavar="N", help=text)


def verbosity_flags(
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


def endpoint_flags(parser: argparse.ArgumentParser) -> None:
    """The flags `endpoint(args)` reads."""
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
        type=flag(settings.positive_float, "a positive number of seconds"),
        metavar="SECONDS",
        help="seconds per model request (env NEWSBRIEF_TIMEOUT; default 1800 s for the "
        "embedded model, 300 s remote)",
    )


def cache_flags(parser: argparse.ArgumentParser, refresh: bool) -> None:
    """The flags `open_cache(args)` reads; --refresh where a command can ask again."""
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


def network_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="let URLs, feeds, their pages and redirects reach loopback and private "
        "addresses (default: refused; link-local and cloud metadata addresses always are)",
    )


def command_flags(parser: argparse.ArgumentParser, *, refresh: bool) -> None:
    """What every command that asks the model takes after its own arguments: the brief
    cache, -q/-v and the endpoint; and the parser, for errors found after parsing."""
    cache_flags(parser, refresh=refresh)
    verbosity_flags(parser, argparse.SUPPRESS)
    endpoint_flags(parser)
    parser.set_defaults(parser=parser)


# --- output formats --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    """The formats a command writes, by -o's extension.

    Attributes:
        formats: extension (lower case, with its dot) -> format name.
        other: why any other extension is refused, or None when --format may name the format.
    """

    formats: Mapping[str, str]
    other: str | None = None


# -o's extension picks the format when --format is not given (summarize and digest).
DOCUMENT_OUTPUTS = Outputs(
    {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}
)


def output_format(
    parser: argparse.ArgumentParser, args: argparse.Namespace, outputs: Outputs
) -> str:
    """--format, else -o's extension, else md. An extension that names no format we write is
    a usage error, found before anything is read or any model is asked."""
    choices = outputs.formats
    fmt: str | None = getattr(args, "format", None)
    if args.output:
        suffix = Path(args.output).suffix.lower()
        if outputs.other is not None and suffix not in choices:
            parser.error(f"argument -o/--output: {args.output} {outputs.other}")
        if fmt is None:
            fmt = choices.get(suffix)
            if fmt is None:
                names = ", ".join(dict.fromkeys(choices))
                parser.error(
                    f"argument -o/--output: cannot tell the format of {args.output}; "
                    f"use {names} or --format"
                )
    return fmt or "md"


def check_output_folder(output: str | None) -> None:
    """Found now, not after every article has been briefed."""
    if output:
        folder = Path(output).resolve().parent
        if not folder.is_dir():
            raise InputError(f"cannot write {output}: no folder {folder}")


# --- what the flags build --------------------------------------------------------------------


def endpoint(args: argparse.Namespace) -> Endpoint:
    """The endpoint the flags name (each falls back to its NEWSBRIEF_* variable)."""
    from newsbrief.model.endpoint import resolve_endpoint

    return resolve_endpoint(args.model, args.base_url, args.api_key, args.mode, args.timeout)


def open_cache(args: argparse.Namespace) -> BriefCache | None:
    """The brief cache --cache-dir names (default: the user's), or None with --no-cache."""
    from newsbrief.store.table import BriefCache

    if args.no_cache:
        return None
    return BriefCache(Path(args.cache_dir) / "briefs.sqlite" if args.cache_dir else None)


# --- lines on stderr -------------------------------------------------------------------------


def status(args: argparse.Namespace, line: str) -> None:
    """A progress or status line on stderr; -q drops it (errors never come this way)."""
    if not args.quiet:
        print(safe_for_terminal(line), file=sys.stderr, flush=True)


def always(line: str) -> None:
    """A line on stderr that -q keeps: an error, or a warning the output depends on."""
    print(safe_for_terminal(line), file=sys.stderr, flush=True)


def show_warnings(args: argparse.Namespace, warnings: Sequence[str], prefix: str = "") -> None:
    """-v: the warnings a brief or digest carries, on stderr, one a line."""
    if args.verbose:
        for warning in warnings:
            text = " ".join(f"{prefix}{warning}".split())
            print(safe_for_terminal(f"newsbrief: warning: {text}"), file=sys.stderr)
