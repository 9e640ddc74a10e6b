"""Turn the model's choices (ids and words) into grounded figures and evidence, or name
the problem.

The model only chooses: a candidate id and a label for a figure, sentence ids for evidence.
Quotes, offsets and values come from our code (ArticleText's refs and parser). Labels are
checked against the number's clause (labels.py), and every number a statement or summary
sentence states must be one the brief grounds. Problems are phrased so they can go straight
back to the model as a re-ask and, if still unsolved, into the Brief's warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsbrief.brief.drafts import BriefDraft, FigureChoice, ImplicationDraft
from newsbrief.brief.labels import label_problem, mention_problem
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.contract import Evidence, KeyFigure, PolicyImplication
from newsbrief.text import align
from newsbrief.text.article import ArticleText, Ref, worth_a_figure
from newsbrief.text.numbers import (
    NumberMatch,
    find_numbers,
    overlong_numbers,
    quantity_key,
    same_quantity,
)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_MARK = re.compile(r" ?\[[CS]\d{2,4}\]")  # our prompt's ids, copied into prose by the model
REPEAT_OVERLAP = 0.6  # summary sentences sharing this share of their words say one thing
MIN_SHARED_WORDS = 2  # an implication and its evidence share at least these content words


@dataclass
class Mislabel:
    """A grounded figure whose label contradicts its clause: asked about once more."""

    figure: KeyFigure
    number: NumberMatch
    problem: str


@dataclass
class Grounded:
    summary: str = ""  # the draft's sentences that passed every check
    figures: list[KeyFigure] = field(default_factory=list)
    implications: list[PolicyImplication] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # figures, implications that did not ground
    unsaid: list[str] = field(default_factory=list)  # summary, implications dropped, and why
    shortfall: str | None = None  # fewer figures than the article can support
    notes: list[str] = field(default_factory=list)  # kept, but worth a warning
    mislabelled: list[Mislabel] = field(default_factory=list)  # in figures; label in doubt

    @property
    def problems(self) -> list[str]:
        """Everything worth a re-ask of the whole answer, phrased for the model: figures. A
        dropped summary sentence or implication is not: a re-ask costs a whole answer (a
        minute on the embedded model) and a small model rarely mends prose when asked."""
        return self.dropped + ([self.shortfall] if self.shortfall else [])

    @property
    def warnings(self) -> list[str]:
        """What the Brief must say about what did not survive (after the last attempt)."""
        found = [f"dropped: {d}" for d in self.dropped + self.unsaid]
        return found + ([self.shortfall] if self.shortfall else []) + self.notes

    @property
    def score(self) -> int:
        """How much of an answer grounded: the best attempt is the one with most."""
        return len(self.figures) - len(self.mislabelled) + len(self.implications)


def ground_figure(
    i: int, choice: FigureChoice, refs: dict[str, Ref], article: ArticleText
) -> tuple[KeyFigure, NumberMatch] | str:
    """The figure the choice names, quoted by our code: the sentence (or clauses) stating it."""
    ref = refs.get(choice.id.strip())
    if ref is None or ref.number is None:
        return f"key_figures[{i}]: {choice.id!r} is not the id of a listed number"
    label = " ".join(choice.label.split())
    if not label:
        return f"key_figures[{i}] ({ref.id}): the label is empty; say what the number measures"
    n = ref.number
    span = align.span_around(article.text, n)
    figure = KeyFigure(
        label=label,
        quote=article.text[span.start : span.end],
        start=span.start,
        end=span.end,
        number_text=n.text,
        value=n.value,
        unit=n.unit,
        grounding="exact",
    )
    return figure, n


def _evidence_span(ids: list[str], refs: dict[str, Ref]) -> tuple[int, int] | None:
    """The first cited sentence, joined with the second when that one follows it."""
    known = [refs[i.strip()] for i in ids if i.strip() in refs]
    if not known:
        return None
    order = list(refs)
    first = known[0]
    span = (first.start, first.end)
    for nxt in known[1:]:
        if order.index(nxt.id) == order.index(first.id) + 1:
            span = (first.start, nxt.end)
    return span


def ground_implication(
    i: int, draft: ImplicationDraft, refs: dict[str, Ref], article: ArticleText
) -> PolicyImplication | str:
    where = f"policy_implications[{i}] ({draft.statement!r})"
    span = _evidence_span(draft.evidence, refs)
    if span is None:
        cited = ", ".join(repr(e) for e in draft.evidence) or "nothing"
        return f"{where}: evidence cites {cited}; cite the ids of the sentences that support it"
    start, end = span
    quote = article.text[start:end]
    stated = find_numbers(quote)
    invented = [
        n.text
        for n in find_numbers(draft.statement)
        if not any(same_quantity(m, n.value, n.unit) for m in stated)
    ] + overlong_numbers(draft.statement)
    if invented:
        return (
            f"{where} states {', '.join(invented)}, which its evidence does not; state only "
            "numbers from the cited sentences"
        )
    if len(content_words(draft.statement) & content_words(quote)) < MIN_SHARED_WORDS:
        return f"{where}: the cited sentences do not speak of it; cite the ones that do"
    return PolicyImplication(
        statement=" ".join(_MARK.sub("", draft.statement).split()),
        actor=draft.actor.strip(),
        evidence=Evidence(quote=quote, start=start, end=end),
    )


def summary_sentences(
    sentences: Iterable[str], article: ArticleText, limit: int
) -> tuple[list[str], list[str]]:
    """(kept, problems): the one summary filter. A sentence stating a number the article
    never states is dropped and named; at most `limit` sentences are read."""
    kept: list[str] = []
    problems: list[str] = []
    for sentence in list(sentences)[:limit]:
        invented = article.unstated(sentence)
        if invented:
            problems.append(
                f"summary sentence {sentence.strip()!r} states {', '.join(invented)}, "
                "which the article never states; use only numbers from the article"
            )
        elif sentence.strip():
            kept.append(" ".join(sentence.split()))
    return kept, problems


def distinct_figures(figures: Iterable[KeyFigure]) -> tuple[list[KeyFigure], list[KeyFigure]]:
    """(first of each quantity, repeats): the one dedupe, by (value, unit)."""
    seen: set[tuple[float, str]] = set()
    kept: list[KeyFigure] = []
    repeats: list[KeyFigure] = []
    for f in figures:
        key = quantity_key(f.value, f.unit)
        (repeats if key in seen else kept).append(f)
        seen.add(key)
    return kept, repeats


_STOP = frozenset({
    "that", "this", "with", "from", "have", "will", "would", "could", "their", "there", "they",
    "which", "what", "when", "while", "into", "more", "than", "been", "were", "also", "after",
    "about", "over", "such", "some", "these", "those", "its", "it's", "may", "might", "should",
})  # fmt: skip


def content_words(sentence: str) -> set[str]:
    """Words that carry meaning: what repeats and what supports are judged by."""
    words = (w.lower() for w in _WORD.findall(sentence))
    # A crude stem ("rates" and "rate", "buffers" and "buffer") is enough to compare.
    return {w.rstrip("s")[:6] for w in words if (len(w) > 3 or w[0].isdigit()) and w not in _STOP}


def _summary_problem(
    sentence: str, chosen: list[tuple[KeyFigure, NumberMatch]], article: ArticleText
) -> str | None:
    """A number a summary sentence states must be a chosen figure, and the words around it
    must agree with that figure's clause."""
    for n in find_numbers(sentence):
        if not worth_a_figure(n) and article.states(n.value, n.unit):
            continue  # a year, a count
        match = next((m for f, m in chosen if same_quantity(m, n.value, n.unit)), None)
        if match is None:
            return f"states {n.text}, which is not one of the chosen key figures"
        c0, c1 = align.clause_bounds(sentence, n.start, n.end)
        found = mention_problem(sentence[c0:c1], article, match)
        if found:
            return f"says of {n.text}: {found}"
    return None


def _repeats(words: set[str], said: list[set[str]]) -> bool:
    return any(len(words & w) >= REPEAT_OVERLAP * min(len(words), len(w)) > 0 for w in said)


def _distinct_implications(
    implications: list[PolicyImplication], notes: list[str]
) -> list[PolicyImplication]:
    """Implications that say what an earlier one said are dropped, with a note."""
    said: list[set[str]] = []
    kept = []
    for p in implications:
        words = content_words(p.statement)
        if _repeats(words, said):
            notes.append(f"dropped an implication that repeats another: {p.statement!r}")
            continue
        said.append(words)
        kept.append(p)
    return kept


def ground(
    draft: BriefDraft, article: ArticleText, wanted: int, policy: BriefPolicy = POLICY
) -> Grounded:
    result = Grounded()
    refs = {r.id: r for r in article.figure_refs(policy.candidate_numbers)}
    chosen: list[tuple[KeyFigure, NumberMatch]] = []
    used: set[str] = set()
    for i, choice in enumerate(draft.key_figures):
        grounded = ground_figure(i, choice, refs, article)
        if isinstance(grounded, str):
            result.dropped.append(grounded)
        elif choice.id.strip() in used:
            result.dropped.append(
                f"key_figures[{i}] repeats {choice.id.strip()}; each figure must be a "
                "different number"
            )
        else:
            used.add(choice.id.strip())
            chosen.append(grounded)
    if len(chosen) > policy.max_figures:
        result.notes.append(f"kept the first {policy.max_figures} of {len(chosen)} figures")
        chosen = chosen[: policy.max_figures]
    for figure, number in chosen:
        problem = label_problem(figure.label, article, number)
        if problem:
            result.mislabelled.append(Mislabel(figure, number, problem))
    result.figures = [f for f, _ in chosen]
    sentences = {r.id: r for r in article.sentence_refs}
    for i, imp in enumerate(draft.policy_implications):
        implication = ground_implication(i, imp, sentences, article)
        if isinstance(implication, str):
            result.unsaid.append(implication)
        else:
            result.implications.append(implication)
    result.implications = _distinct_implications(result.implications, result.notes)
    if len(result.implications) > policy.max_implications:
        most = policy.max_implications
        result.notes.append(f"kept the first {most} of {len(result.implications)} implications")
        result.implications = result.implications[:most]
    if len(result.figures) < wanted:
        unused = [r.id for r in refs.values() if r.id not in used]
        hint = ", ".join(unused[: policy.shortfall_hint])
        result.shortfall = (
            f"only {len(result.figures)} key figures could be grounded; give at least {wanted}, "
            "each a different id" + (f"; ids not yet used: {hint}" if hint else "")
        )
    limit = policy.max_summary_sentences
    written = [_MARK.sub("", s) for s in draft.summary]
    if len(written) > limit:
        result.notes.append(f"summary cut to its first {limit} sentences")
    kept, problems = summary_sentences(written, article, limit)
    result.unsaid += problems
    said: list[set[str]] = []
    final: list[str] = []
    for sentence in kept:
        problem = _summary_problem(sentence, chosen, article)
        if problem:
            result.unsaid.append(f"summary sentence {sentence!r} {problem}")
            continue
        words = content_words(sentence)
        if _repeats(words, said):
            result.notes.append(f"dropped a summary sentence that repeats another: {sentence!r}")
            continue
        said.append(words)
        final.append(sentence)
    result.summary = " ".join(final)
    return result
