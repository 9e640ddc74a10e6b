"""Cost per article at scale: N synthetic articles through batch export, a fake batch engine,
batch import (until nothing is due), and the digest from the cache (built and rendered as
Markdown and HTML), each stage in its own process, its wall time and peak RSS measured.

Run from the repository root:  python -m bench.scale 2000 10000 100000 [-o report.md]

The articles are made in each stage's process by one seeded generator (made, not timed):
events of 1 to 4 reports each from 40 outlets (every outlet's footer repeats: boilerplate),
several events a day, each with its own company, city, numbers and topic words drawn from a
vocabulary of 5,000 made-up words, around the sentences tests.fakes.digests answers by. The
engine answers each request line as tests/test_batch_api.py's does (briefs by the ids the
prompt marks, label questions, the synthesis by its ids) and writes OpenAI Batch output
lines, which `batch import` reads. Nothing listens on the network: the endpoint's URL is
never asked. Target: wall and peak RSS per article flat (within 1.5x from 2,000 to 100,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = 40
VOCABULARY = 5000
EVENTS_PER_DAY = 400
LABEL_QUESTION = "say what it measures"
_SYLLABLES = ["ka", "ro", "mi", "ten", "sul", "va", "dor", "ine", "pa", "lek", "zu", "mar",
              "ost", "qui", "bel", "nor", "ta", "gen", "ul", "fa"]  # fmt: skip
_CITIES = ["Osaka", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto", "Sendai", "Chiba",
           "Niigata", "Hiroshima", "Okayama", "Kumamoto"]  # fmt: skip
_VERBS = ["rises", "falls", "climbs", "slips", "jumps", "drops"]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts))


def _vocabulary() -> list[str]:
    rng = random.Random("vocabulary")
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        words[_word(rng, rng.randint(2, 4))] = None
    return list(words)


def articles(n: int) -> Iterator[Any]:
    """N articles, the same on every call: events of 1 to 4 reports, in time order."""
    from newsbrief import Article

    vocab = _vocabulary()
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    made = event = 0
    while made < n:
        rng = random.Random(f"event {event}")
        company = f"{_word(rng, 3).title()} {_word(rng, 2).title()}"
        chief = f"{_word(rng, 2).title()} {_word(rng, 3).title()}"
        city = rng.choice(_CITIES)
        topic = rng.sample(vocab, 16)
        level = f"{30000 + rng.randrange(25000):,}"
        gain, exporters = rng.randrange(10, 99), rng.randrange(2, 9)
        yen, amount = f"{140 + rng.random() * 15:.2f}", rng.randrange(100, 990)
        pct, shares = f"{rng.randrange(1, 15)}.{rng.randrange(10)}", rng.randrange(2, 40)
        when = start + dt.timedelta(
            days=event // EVENTS_PER_DAY, minutes=(event % EVENTS_PER_DAY) * 3
        )
        for report in range(min(1 + event % 4, n - made)):
            outlet = (event * 7 + report * 13) % OUTLETS
            words = rng.sample(topic, 12) + rng.sample(vocab, 6)
            title = f"{company} {rng.choice(_VERBS)} {pct}% as {words[0]} {words[1]} lift {city}"
            text = (
                f"{title}\n\n"
                f"The Nikkei 225 closed at {level} on day {event % 28 + 1}, up 1.{gain}% on the "
                f"session. Exporters gained {exporters}.5% as the yen weakened past {yen} per "
                f"dollar. {company} said {' '.join(words[2:6])} reached {amount} million yen "
                f"in {city}, and its chief {chief} expects {' '.join(words[6:9])} to add "
                f"{shares} billion yen. Analysts tied {' '.join(words[9:13])} to "
                f"{' '.join(words[13:])}. The Bank of Japan is expected to keep its policy rate "
                "unchanged.\n\n"
                f"Copyright Outlet {outlet} Media. All rights reserved. Read more market news "
                f"at outlet{outlet}.example.\n"
            )
            yield Article(
                text,
                title,
                f"https://outlet{outlet}.example/{event}-{report}",
                published=when + dt.timedelta(minutes=37 * report),
                source=f"Outlet {outlet}",
            )
            made += 1
        event += 1


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    """A good model, as tests/test_batch_api.py's engine answers."""
    from tests.fakes.digests import DIGEST_MARKER, brief_answer, synthesis_answer
    from tests.fakes.server import completion

    turns = body["messages"]
    first, last = turns[0]["content"], turns[-1]["content"]
    if DIGEST_MARKER in first:
        ids = sorted(set(re.findall(r"^\[(A[0-9]+)\]", first, flags=re.M)))
        return completion(json.dumps(synthesis_answer(ids)))
    if LABEL_QUESTION in last:
        asked = body["response_format"]["json_schema"]["schema"]["properties"]
        return completion(json.dumps({fid: "yen per dollar" for fid in asked}))
    usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    return {**completion(json.dumps(brief_answer(last))), "usage": usage}


def engine(requests: Path, results: Path) -> int:
    """One OpenAI Batch output line per request line, streamed; the number of lines."""
    n = 0
    with requests.open(encoding="utf-8") as src, results.open("w", encoding="utf-8") as out:
        for raw in src:
            line = json.loads(raw)
            response = {"status_code": 200, "request_id": f"r{n}", "body": _answer(line["body"])}
            out.write(json.dumps({"id": f"batch_req_{n}", "custom_id": line["custom_id"],
                                  "response": response, "error": None}) + "\n")  # fmt: skip
            n += 1
    return n


def _endpoint() -> Any:
    from newsbrief import Endpoint

    return Endpoint(model="bench-model", base_url="http://127.0.0.1:9/v1", api_key="sk-bench")


def stage(name: str, n: int, folder: Path, step: int) -> dict[str, Any]:
    """Run one stage in this process (the parent measures it); what it did, as JSON."""
    from newsbrief import BriefCache, build_digest, to_html, to_markdown
    from newsbrief.digest import batch_api

    if name == "engine":
        return {"lines": engine(folder / f"requests{step}.jsonl", folder / f"results{step}.jsonl")}
    made = list(articles(n))  # before the clock: the inputs, not the work
    cache = BriefCache(folder / "cache.sqlite")
    began = time.perf_counter()
    if name == "export":
        r = batch_api.export_requests(made, _endpoint(), cache, folder / "requests1.jsonl")
        done: dict[str, Any] = {"written": r.written}
    elif name == "import":
        r = batch_api.import_results(
            folder / f"results{step - 1}.jsonl",
            _endpoint(),
            cache,
            folder / f"requests{step}.jsonl",
        )
        done = {"written": r.written, "answers": r.answers, "failed": len(r.failed),
                "done": r.done, "synthesis": r.synthesis}  # fmt: skip
    else:
        digest = build_digest(made, endpoint=_endpoint(), cache=cache)
        if digest.stats.model_calls or digest.stats.summarized != n:
            raise SystemExit(f"bench.scale: the digest of {n} was not all from the cache")
        (folder / "digest.md").write_text(to_markdown(digest), encoding="utf-8")
        (folder / "digest.html").write_text(to_html(digest), encoding="utf-8")
        done = {"calls": digest.stats.model_calls, "summarized": digest.stats.summarized,
                "stories": len(digest.stories),
                "notes": [n.text for n in digest.notes]}  # fmt: skip
    done["work_s"] = time.perf_counter() - began
    return done


@dataclass
class Measured:
    stage: str
    wall_s: float
    rss_mb: float
    said: dict[str, Any]


def _measure(name: str, n: int, folder: Path, step: int) -> Measured:
    """The stage in a child process: its wall time and peak RSS (wait4's ru_maxrss)."""
    command = [sys.executable, "-m", "bench.scale", "--stage", name, "--dir", str(folder),
               "--step", str(step), str(n)]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    said = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench.scale: stage {name} at {n} failed ({child.returncode})")
    return Measured(name, wall, usage.ru_maxrss / 1024, json.loads(said.strip().splitlines()[-1]))


def run(n: int, workdir: Path, log: Any) -> list[Measured]:
    """Every stage for N articles, in order, until nothing is due; then the digest."""
    folder = workdir / str(n)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    out = [_measure("export", n, folder, 1)]
    step = 1
    while (folder / f"requests{step}.jsonl").stat().st_size:
        out.append(_measure("engine", n, folder, step))
        step += 1
        out.append(_measure("import", n, folder, step))
        print(f"  {n}: {out[-2].stage} {out[-2].wall_s:.1f} s, {out[-1].stage} "
              f"{out[-1].wall_s:.1f} s {out[-1].said}", file=log, flush=True)  # fmt: skip
        if step > 6:
            raise SystemExit(f"bench.scale: still due after {step - 1} rounds at {n}")
    out.append(_measure("digest", n, folder, step))
    return out


def table(results: dict[int, list[Measured]]) -> str:
    """Per N: newsbrief's wall and peak RSS per stage and per article (the engine apart)."""
    lines = [
        "| articles | stage | wall s | ms / article | peak RSS MB | KB / article |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n, measured in results.items():
        ours = [m for m in measured if m.stage != "engine"]
        for m in ours:
            lines.append(f"| {n:,} | {m.stage} | {m.wall_s:.1f} | {1000 * m.wall_s / n:.2f} | "
                         f"{m.rss_mb:.0f} | {1024 * m.rss_mb / n:.1f} |")  # fmt: skip
        wall = sum(m.wall_s for m in ours)
        rss = max(m.rss_mb for m in ours)
        rounds = sum(1 for m in measured if m.stage == "engine")
        lines.append(f"| {n:,} | **all ({rounds} engine rounds)** | {wall:.1f} | "
                     f"{1000 * wall / n:.2f} | {rss:.0f} | {1024 * rss / n:.1f} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sizes", type=int, nargs="+", help="articles per run, e.g. 2000 10000")
    p.add_argument("-o", "--output", type=Path, help="also write the table here")
    p.add_argument("--workdir", type=Path, default=Path("build/scale"))
    p.add_argument(
        "--stage", choices=["export", "engine", "import", "digest"], help=argparse.SUPPRESS
    )
    p.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--step", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.stage:
        print(json.dumps(stage(args.stage, args.sizes[0], args.dir, args.step)))
        return 0
    results: dict[int, list[Measured]] = {}
    for n in args.sizes:
        results[n] = run(n, args.workdir.resolve(), sys.stderr)
        report = table(results)
        print(report, flush=True)
        if args.output:
            args.output.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
