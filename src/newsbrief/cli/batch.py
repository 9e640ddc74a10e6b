"""`newsbrief batch export|import`: briefs run on a batch engine (digest/batch_api.py), their
state kept in the brief cache between rounds."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbrief.cli import common

NAME = "batch"
OUTPUTS = None  # the files written are JSONL, whatever their names


def add_parser(sub: common.Subparsers, epilog: str) -> None:
    """The subcommand's parser and its own two, on `sub` (the top-level subparsers)."""
    b = sub.add_parser(
        NAME,
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
    common.network_flags(bx)
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
        common.command_flags(command, refresh=False)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the round is written, 3 when some articles or result lines failed."""
    from newsbrief.digest import batch_api

    if args.no_cache:
        args.parser.error("batch runs keep their state in the brief cache: drop --no-cache")
    endpoint = common.endpoint(args)
    common.check_output_folder(args.output)
    cache = common.open_cache(args)
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
            common.status(args, f"newsbrief: stored {report.answers} answer(s)")
    finally:
        cache.close()
    for line in report.failed:
        common.always(f"newsbrief: warning: {line}")
    done = f"{report.done}/{report.articles} briefs in the cache"
    if report.written:
        common.status(args, f"newsbrief: {done}; wrote {report.written} request(s) to {out}")
    else:
        synthesis = "with" if report.synthesis else "without"
        common.status(
            args,
            f"newsbrief: {done}, {synthesis} the synthesis; nothing left to ask ({out} is "
            "empty): run newsbrief digest on the same articles",
        )
    return common.EXIT_PARTIAL if report.failed else 0
