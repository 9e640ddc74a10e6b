"""Long articles: brief each overlapping chunk (map), then rewrite the whole (reduce).

Chunk figures and evidence are grounded inside their chunk and shifted to whole-article
offsets, so the result is an ordinary Brief whose spans index the full text. The reduce call
only rewrites prose and picks implications by number; evidence spans are carried over by our
code, never re-quoted by the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, Field, create_model

from newsbrief.brief.chunking import Chunk
from newsbrief.brief.drafts import summary_field
from newsbrief.brief.extract import aextract
from newsbrief.brief.grounding import distinct_figures
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.brief.summary import SummaryChoices, build_summary
from newsbrief.contract import Evidence, KeyFigure, Note, PolicyImplication, SummarySentence
from newsbrief.errors import NewsbriefError
from newsbrief.model.call import Ask, Request, Spent
from newsbrief.model.client import acall
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import render
from newsbrief.model.replay import Pending
from newsbrief.model.schema import CheckedModel, bounded
from newsbrief.model.transport import RetryPolicy
from newsbrief.text.article import ArticleText, Ref
from newsbrief.text.salience import CHOSEN_BONUS


class ReducedImplication(BaseModel):
    statement: str = Field()
    actor: str = Field(description="central bank, government, regulator... or ''")
    source: int = Field(description="number of the candidate implication it comes from")


class ReducedSentence(BaseModel):
    source: int = Field(description="number of the part sentence it comes from")
    text: str = Field(description="that sentence, shortened to its point; same numbers")


class ReduceDraft(CheckedModel):
    """The combining answer's shape; what is sent is reduce_model's, bounded by a policy."""

    summary: list[ReducedSentence]
    policy_implications: list[ReducedImplication]


@lru_cache(maxsize=8)
def reduce_model(policy: BriefPolicy) -> type[ReduceDraft]:
    """ReduceDraft with the summary and implication bounds of `policy`."""
    return create_model(
        "ReduceDraft",
        __base__=ReduceDraft,
        summary=(list[ReducedSentence], summary_field(policy)),
        policy_implications=(
            list[ReducedImplication],
            bounded(max_items=policy.max_implications),
        ),
    )


@dataclass
class Reduced:
    """A whole article's grounded content, from one answer or from its chunks."""

    summary: list[SummarySentence]
    figures: list[KeyFigure]
    implications: list[PolicyImplication]
    notes: list[Note]
    spent: Spent = field(default_factory=Spent)


def _shift_figure(f: KeyFigure, offset: int) -> KeyFigure:
    return f.model_copy(update={"start": f.start + offset, "end": f.end + offset})


def _shift_implication(p: PolicyImplication, offset: int) -> PolicyImplication:
    e = p.evidence
    moved = Evidence(quote=e.quote, start=e.start + offset, end=e.end + offset)
    return p.model_copy(update={"evidence": moved})


def _reduce_problems(draft: ReduceDraft, implications: int, sentences: int) -> list[str]:
    problems = [
        f"policy_implications[{i}] source {p.source} is not a candidate number (1..{implications})"
        for i, p in enumerate(draft.policy_implications)
        if not 1 <= p.source <= implications
    ]
    return problems + [
        f"summary[{i}] source {p.source} is not a part sentence number (1..{sentences})"
        for i, p in enumerate(draft.summary)
        if not 1 <= p.source <= sentences
    ]


def _rank(article: ArticleText, figure: KeyFigure) -> float:
    """Where a chunk's figure stands among the whole article's: its salience in the whole
    text (a chunk sees only its own lead), and the model's choice over our ranking's."""
    inside = article.numbers_within(figure.start, figure.end)
    number = next((n for n in inside if n.text == figure.number_text), None)
    score = article.salience(number) if number is not None else 0.0
    return score + (CHOSEN_BONUS if figure.chosen_by == "model" else 0.0)


def _shift_sentence(s: SummarySentence, offset: int) -> Ref:
    """A chunk's summary sentence as a sentence of the whole article."""
    span = s.spans[0]
    return Ref(f"P{span.start + offset}", span.start + offset, span.end + offset)


async def abrief_chunks(
    article: ArticleText,
    chunks: list[Chunk],
    endpoint: Endpoint,
    retry: RetryPolicy | None = None,
    on_progress: Callable[[str], None] | None = None,
    policy: BriefPolicy = POLICY,
    ask: Ask = acall,
) -> Reduced:
    text = article.text
    figures: list[KeyFigure] = []
    implications: list[PolicyImplication] = []
    part_sentences: list[tuple[Ref, str]] = []  # each chunk's summary, whole-article spans
    warnings = [
        Note(kind="reader", text=f"A long article: briefed in {len(chunks)} overlapping chunks.")
    ]
    spent = Spent()
    pending: list[Pending] = []
    for n, chunk in enumerate(chunks, 1):
        if on_progress:
            on_progress(f"chunk {n}/{len(chunks)}")
        piece = ArticleText(text[chunk.start : chunk.end])
        try:
            result = await aextract(
                piece,
                endpoint,
                retry,
                max_reasks=policy.chunk_reasks,
                min_figures=min(2, len(piece.figure_refs(policy.candidate_numbers))),
                policy=policy,
                ask=ask,
                implication=False,
            )
        except Pending as waiting:  # a batch run: every chunk goes into the same round
            pending.append(waiting)
            continue
        spent += result.spent
        part_sentences += [
            (_shift_sentence(x, chunk.start), x.text) for x in result.grounded.summary_sentences
        ]
        warnings += [
            w.model_copy(update={"text": f"chunk {n}/{len(chunks)}: {w.text}"})
            for w in result.notes
        ]
        figures += [_shift_figure(f, chunk.start) for f in result.grounded.figures]
        implications += [_shift_implication(p, chunk.start) for p in result.grounded.implications]
    if pending:
        raise Pending.joined(pending)
    figures = distinct_figures(figures)[0]  # overlap and repetition collapse here
    if on_progress:
        on_progress("combining chunks")
    unique = {ref.start: (ref, said) for ref, said in part_sentences}  # overlaps repeat
    part_sentences = sorted(unique.values(), key=lambda t: t[0].start)
    parts = "\n".join(f"{i}. {said}" for i, (_, said) in enumerate(part_sentences, 1))
    listed = "\n".join(f"{i}. {p.statement}" for i, p in enumerate(implications, 1)) or "(none)"
    fallback = [ref for ref, _ in part_sentences]
    limits = {
        "min_sentences": policy.min_summary_sentences,
        "max_sentences": policy.max_summary_sentences,
        "max_implications": policy.max_implications,
    }
    prompt = render("reduce_system", **limits) + "\n\n"
    prompt += render("reduce_user", parts=parts, candidates=listed)
    try:
        request = Request(
            [{"role": "user", "content": prompt}],  # no system role: see extract.messages
            reduce_model(policy),
            max_tokens=policy.reduce_tokens,
            max_reasks=policy.reduce_reasks,
            problems=lambda d: _reduce_problems(d, len(implications), len(part_sentences)),
        )
        draft, meter = await ask(endpoint, request, retry=retry)
    except NewsbriefError as exc:
        # Every chunk is already briefed and grounded: a failed rewrite costs the prose, not
        # the brief. The chunk summaries and implications stand in, in article order.
        warnings.append(
            Note(
                kind="process",
                text=f"combining the chunks failed ({exc}); the brief joins the chunk results",
            )
        )
        notes: list[Note] = []
        summary = build_summary(SummaryChoices([], []), article, fallback, policy, notes)
        return _finish(article, summary, figures, implications, warnings + notes, spent, policy)
    spent += meter.spent()
    kept_implications = []
    for p in draft.policy_implications[: policy.max_implications]:
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
            warnings.append(
                Note(
                    kind="implication_dropped",
                    text=f"dropped: implication citing unknown candidate {p.source}",
                )
            )
    chosen = [
        (part_sentences[p.source - 1][0], p.text)
        for p in draft.summary
        if 1 <= p.source <= len(part_sentences)
    ]
    notes = []
    sentences = build_summary(
        SummaryChoices([r for r, _ in chosen], [t for _, t in chosen]),
        article,
        fallback,
        policy,
        notes,
    )
    return _finish(article, sentences, figures, kept_implications, warnings + notes, spent, policy)


def _finish(
    article: ArticleText,
    sentences: list[SummarySentence],
    figures: list[KeyFigure],
    implications: list[PolicyImplication],
    warnings: list[Note],
    spent: Spent,
    policy: BriefPolicy,
) -> Reduced:
    most = policy.max_figures_long
    if len(figures) > most:
        warnings.append(
            Note(
                kind="trimmed",
                text=f"kept the first {most} of {len(figures)} grounded figures, by rank",
            )
        )
        ranked = sorted(figures, key=lambda f: (-_rank(article, f), f.start))
        figures = ranked[:most]
    figures.sort(key=lambda f: f.start)
    return Reduced(
        summary=sentences,
        figures=figures,
        implications=implications[: policy.max_implications],
        notes=warnings,
        spent=spent,
    )
