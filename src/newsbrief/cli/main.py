"""The newsbrief command: exit 0 on success, 1 with one line for any user-facing failure,
2 for usage errors (argparse's own convention)."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn, Protocol

from newsbrief import settings
from newsbrief.cli import batch, cassettes, common, digest, summarize
from newsbrief.cli import eval as eval_command
from newsbrief.cli.terminal import safe_for_terminal
from newsbrief.errors import NewsbriefError
from newsbrief.redact import install_log_redaction, redact


class _Command(Protocol):
    """A command module (summarize.py, digest.py, ...): its name, the formats its -o
    writes, its parser, and what it runs."""

    @property
    def NAME(self) -> str: ...

    @property
    def OUTPUTS(self) -> common.Outputs | None: ...

    def add_parser(self, sub: common.Subparsers, epilog: str) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# In the order `newsbrief --help` lists them.
_IN_ORDER: tuple[_Command, ...] = (summarize, digest, eval_command, batch, cassettes)
COMMANDS = {command.NAME: command for command in _IN_ORDER}


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


def build_parser() -> argparse.ArgumentParser:
    epilog = settings.environment_help()
    parser = _Parser(prog="newsbrief", description=__doc__, epilog=epilog)
    parser.add_argument(
        "--version",
        action="version",
        version=f"newsbrief {_version()}",
        help="print newsbrief's version and exit",
    )
    common.verbosity_flags(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        command.add_parser(sub, epilog)
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


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    owner: argparse.ArgumentParser = getattr(args, "parser", None) or parser
    if extras:
        _unrecognized(owner, extras)
    if args.quiet and args.verbose:
        owner.error("-q/--quiet and -v/--verbose cannot be used together")
    outputs = COMMANDS[args.command].OUTPUTS
    if outputs is not None:
        args.format = common.output_format(owner, args, outputs)
    return args


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


# --- entry point -----------------------------------------------------------------------------


def _one_line(exc: BaseException, args: argparse.Namespace) -> str:
    """An exception's text on one line, with the key given by --api-key redacted."""
    return redact(" ".join(str(exc).split()), getattr(args, "api_key", None))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    install_log_redaction()
    try:
        with _logging(args):
            return COMMANDS[args.command].run(args)
    except NewsbriefError as exc:
        print(safe_for_terminal(f"newsbrief: error: {_one_line(exc, args)}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsbrief: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, full trace on request
        if os.environ.get(settings.DEBUG.name):
            raise
        print(
            safe_for_terminal(
                f"newsbrief: internal error: {type(exc).__name__}: {_one_line(exc, args)} "
                "(set NEWSBRIEF_DEBUG=1 for a traceback)"
            ),
            file=sys.stderr,
        )
        return 1
