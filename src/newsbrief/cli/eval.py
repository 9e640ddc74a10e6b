"""`newsbrief eval`: brief a folder of documents and score the briefs (evaluate/)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsbrief.cli import common
from newsbrief.cli.terminal import safe_for_terminal
from newsbrief.files import write_whole

NAME = "eval"
# The Markdown report goes to -o; the JSON report beside it, as .json.
OUTPUTS = common.Outputs(
    {".md": "md", ".markdown": "md"},
    other="is not a .md file (eval writes a Markdown report there and its JSON beside it)",
)


def add_parser(sub: common.Subparsers, epilog: str) -> None:
    """The subcommand's parser, on `sub` (the top-level parser's subparsers)."""
    e = sub.add_parser(NAME, help="brief a folder of documents and score the briefs", epilog=epilog)
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
    common.count_flag(e, "--smallest", "only the N shortest documents (default: all of them)")
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
    common.command_flags(e, refresh=False)


def _progress(args: argparse.Namespace, who: str = "") -> Callable[[Any], None]:
    """The line shown as each document is done (`who`: the peer's name and ": ", or "")."""

    def progress(doc: Any) -> None:
        if doc.error:  # an error, so shown even with -q
            common.always(f"newsbrief: eval {doc.name}: {who}error: {doc.error}")
        else:
            common.status(args, f"newsbrief: eval {doc.name}: {who}{doc.figures} figures")

    return progress


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every document was briefed (and, with --peer, extracted by the peer), 3
    when some were not."""
    from newsbrief.evaluate.peers import langextract_version
    from newsbrief.evaluate.run import discover, evaluate, evaluate_peer, load_gold, load_policy

    common.check_output_folder(args.output)
    if args.peer:
        langextract_version()  # not installed: say so now, not after the briefs
    docs = discover(Path(args.dir), args.only, args.smallest)
    notes: list[str] = []
    gold = load_gold([Path(g) for g in args.gold], notes)
    policy = load_policy(Path(args.policy) if args.policy else None, notes)
    for note in notes:  # scores without those labels: shown even with -q, and in the report
        common.always(f"newsbrief: warning: {note}")
    endpoint = common.endpoint(args)
    cache = common.open_cache(args)
    try:
        report = evaluate(
            docs, endpoint, gold, cache=cache, on_done=_progress(args), policy_angles=policy
        )
    finally:
        if cache is not None:
            cache.close()
    report.notes = notes
    if args.peer:
        report.peer = evaluate_peer(
            docs, endpoint, gold, peer=args.peer, on_done=_progress(args, f"{args.peer}: ")
        )
    markdown = report.to_markdown()
    if args.output:
        out = Path(args.output)
        write_whole(out, markdown)
        write_whole(out.with_suffix(".json"), report.to_json() + "\n")
        common.status(args, f"newsbrief: wrote {out} and {out.with_suffix('.json')}")
    else:
        sys.stdout.write(safe_for_terminal(markdown))
    peer_failed = report.peer is not None and any(d.error for d in report.peer.docs)
    return common.EXIT_PARTIAL if peer_failed or any(d.error for d in report.docs) else 0
