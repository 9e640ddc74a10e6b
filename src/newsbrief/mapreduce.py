"""Long articles: brief each overlapping chunk (map), then rewrite the whole (reduce).

Chunk figures and evidence are grounded inside their chunk and shifted to whole-article
offsets, so the result is an ordinary Brief whose spans index the full text. The reduce call
only rewrites prose and picks implications by number; evidence spans are carried over by our
code, never re-quoted by the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from .chunking import Chunk
from .endpoint import Endpoint
from .extract import aextract
from .grounding import asserted_numbers, figures_wanted, ungrounded_numbers
from .llm import CheckedModel, acall, bounded
from .models import Evidence, KeyFigure, PolicyImplication, Usage
from .prompts import render
from .retry import RetryPolicy

MAX_FIGURES = 12
CHUNK_REASKS = 0  # chunks are many; what a chunk misses, another may ground
REDUCE_REASKS = 1


class ReducedImplication(BaseModel):
    statement: str = Field()
    actor: str = Field(description="central bank, government, regulator... or ''")
    source: int = Field(description="number of the candidate implication it comes from")


class ReduceDraft(CheckedModel):
    summary: list[str] = bounded(2, 4, description="2 to 4 sentences")
    policy_implications: list[ReducedImplication] = bounded(max_items=4)


@dataclass
class Reduced:
    summary: str
    figures: list[KeyFigure]
    implications: list[PolicyImplication]
    warnings: list[str]
    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    latency_s: float = 0.0


def _shift_figure(f: KeyFigure, offset: int) -> KeyFigure:
    return f.model_copy(update={"start": f.start + offset, "end": f.end + offset})


def _shift_implication(p: PolicyImplication, offset: int) -> PolicyImplication:
    e = p.evidence
    moved = Evidence(quote=e.quote, start=e.start + offset, end=e.end + offset)
    return p.model_copy(update={"evidence": moved})


def _reduce_problems(draft: ReduceDraft, candidates: int, text: str) -> list[str]:
    problems = [
        f"policy_implications[{i}] source {p.source} is not a candidate number (1..{candidates})"
        for i, p in enumerate(draft.policy_implications)
        if not 1 <= p.source <= candidates
    ]
    in_text = asserted_numbers(text)
    for sentence in draft.summary:
        invented = ungrounded_numbers(sentence, in_text)
        if invented:
            problems.append(f"summary sentence states {', '.join(invented)}, not in the article")
    return problems


async def abrief_chunks(
    text: str,
    chunks: list[Chunk],
    endpoint: Endpoint,
    policy: RetryPolicy | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Reduced:
    started = time.monotonic()
    figures: list[KeyFigure] = []
    implications: list[PolicyImplication] = []
    summaries: list[str] = []
    warnings = [f"long article: briefed in {len(chunks)} overlapping chunks"]
    usage, attempts = Usage(), 0
    seen: set[tuple[float, str]] = set()
    for n, chunk in enumerate(chunks, 1):
        if on_progress:
            on_progress(f"chunk {n}/{len(chunks)}")
        piece = text[chunk.start : chunk.end]
        result = await aextract(
            piece,
            endpoint,
            policy,
            max_reasks=CHUNK_REASKS,
            min_figures=min(2, figures_wanted(piece)),
        )
        usage, attempts = usage + result.usage, attempts + result.attempts
        summaries.append(result.grounded.summary)
        warnings += [f"chunk {n}/{len(chunks)}: {w}" for w in result.warnings]
        for f in result.grounded.figures:
            if (f.value, f.unit) not in seen:  # overlap and repetition collapse here
                seen.add((f.value, f.unit))
                figures.append(_shift_figure(f, chunk.start))
        implications += [_shift_implication(p, chunk.start) for p in result.grounded.implications]
    if on_progress:
        on_progress("combining chunks")
    parts = "\n\n".join(f"Part {i}: {s}" for i, s in enumerate(summaries, 1) if s)
    listed = "\n".join(f"{i}. {p.statement}" for i, p in enumerate(implications, 1)) or "(none)"
    draft, meter = await acall(
        endpoint,
        [
            {
                "role": "user",  # no system role: see extract.messages
                "content": render("reduce_system")
                + "\n\n"
                + render("reduce_user", parts=parts, candidates=listed),
            }
        ],
        ReduceDraft,
        max_reasks=REDUCE_REASKS,
        max_tokens=1024,
        problems=lambda d: _reduce_problems(d, len(implications), text),
        policy=policy,
    )
    usage, attempts = usage + meter.usage, attempts + meter.count
    kept_implications = []
    for p in draft.policy_implications[:4]:
        if 1 <= p.source <= len(implications):
            base = implications[p.source - 1]
            kept_implications.append(
                base.model_copy(
                    update={
                        "statement": p.statement.strip(),
                        "actor": p.actor.strip() or base.actor,
                    }
                )
            )
        else:
            warnings.append(f"dropped: implication citing unknown candidate {p.source}")
    in_text = asserted_numbers(text)
    sentences = []
    for s in draft.summary[:4]:
        invented = ungrounded_numbers(s, in_text)
        if invented:
            warnings.append(
                f"dropped: summary sentence stating {', '.join(invented)}, not in the article"
            )
        elif s.strip():
            sentences.append(" ".join(s.split()))
    figures.sort(key=lambda f: f.start)
    if len(figures) > MAX_FIGURES:
        warnings.append(f"kept the first {MAX_FIGURES} of {len(figures)} grounded figures")
    return Reduced(
        summary=" ".join(sentences),
        figures=figures[:MAX_FIGURES],
        implications=kept_implications,
        warnings=warnings,
        usage=usage,
        attempts=attempts,
        latency_s=round(time.monotonic() - started, 3),
    )
