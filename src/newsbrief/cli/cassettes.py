"""`newsbrief cassettes check`: the CI gate over recorded model traffic (testing/check.py
decides; this prints)."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbrief.cli import common
from newsbrief.cli.terminal import safe_for_terminal

NAME = "cassettes"
OUTPUTS = None  # it writes to stdout only


def add_parser(sub: common.Subparsers, epilog: str) -> None:
    """The subcommand's parser and its `check`, on `sub` (the top-level subparsers)."""
    c = sub.add_parser(NAME, help="inspect recorded model traffic", epilog=epilog)
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
    common.verbosity_flags(check, argparse.SUPPRESS, "also list the YAML files skipped")
    check.set_defaults(parser=check)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every cassette is ok, 1 when any is not (or there is none to check)."""
    from newsbrief.model.prompts import prompt_version
    from newsbrief.testing.check import cassettes_under, check, summary

    cassettes, skipped = cassettes_under(Path(args.dir))
    bad = 0
    print(safe_for_terminal(f"current prompt version {prompt_version()}"))
    for path in cassettes:
        checked = check(path)
        bad += not checked.ok
        print(safe_for_terminal(checked.line))
    if args.verbose:
        for path in skipped:
            print(safe_for_terminal(f"skipped {path} (not a newsbrief cassette)"))
    print(summary(len(cassettes), bad, len(skipped)))
    return 1 if bad else 0
