"""Turn the model's choices (ids and a few words) into a grounded brief body, or name the
problem.

The model only chooses: candidate ids for figures, sentence ids (with a shorter wording) for
the summary, sentence ids for an implication's evidence. Quotes, offsets and values come
from our code (ArticleText's refs and parser); labels from the frame our code reads of each
number's sentence (text.frames), or, where it cannot name one, from one follow-up question
whose answer is checked (labels.py). A summary sentence keeps the model's wording only when
every number in it is its source sentence's, with the same unit; otherwise the source
sentence stands. Problems are phrased so they can go back to the model as a re-ask and, if
still unsolved, into the Brief's warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from newsbrief.brief.drafts import BriefDraft, ImplicationDraft
from newsbrief.brief.labels import label_problem
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.brief.summary import (
    ID_MARK,
    MIN_SHARED_WORDS,
    SummaryChoices,
    best_sentence,
    build_summary,
    invented_numbers,
    lead_sentences,
    repeats,
    shared_words,
)
from newsbrief.contract import (
    Evidence,
    KeyFigure,
    Note,
    NoteKind,
    PolicyImplication,
    SummarySentence,
)
from newsbrief.text import align
from newsbrief.text.article import ArticleText, Ref
from newsbrief.text.frames import Frame
from newsbrief.text.numbers import (
    NumberMatch,
    quantity_key,
)
from newsbrief.text.words import content_words, restates


@dataclass
class Question:
    """A grounded figure our code could not name alone: asked about in the one follow-up
    call. `options`: the names the sentence leaves open (the answer is one of them)."""

    fid: str  # the candidate's id (C07)
    figure: KeyFigure
    number: NumberMatch
    frame: Frame
    options: tuple[str, ...] = ()
    problem: str = ""  # why the answer's own label, if it gave one, failed a check


@dataclass
class Grounded:
    summary_sentences: list[SummarySentence] = field(default_factory=list)
    figures: list[KeyFigure] = field(default_factory=list)
    implications: list[PolicyImplication] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # figure ids naming nothing: a re-ask
    unsaid: list[Note] = field(default_factory=list)  # summary, implications dropped, and why
    notes: list[Note] = field(default_factory=list)  # kept, but worth a warning
    questions: list[Question] = field(default_factory=list)  # in figures; label still due

    @property
    def summary(self) -> str:
        return " ".join(s.text for s in self.summary_sentences)

    @property
    def problems(self) -> list[str]:
        """Everything worth a re-ask of the whole answer, phrased for the model: ids that
        name nothing (an endpoint without a grammar). A short answer is filled by our
        ranking, and a dropped sentence or implication costs that item alone."""
        return list(self.dropped)

    def note(self, kind: NoteKind, text: str) -> None:
        self.notes.append(Note(kind=kind, text=text))

    @property
    def log(self) -> list[Note]:
        """What the Brief must say about what did not survive (after the last attempt),
        typed by the check that decided it."""
        dropped = [Note(kind="figure_dropped", text=f"dropped: {d}") for d in self.dropped]
        unsaid = [n.model_copy(update={"text": f"dropped: {n.text}"}) for n in self.unsaid]
        return dropped + unsaid + self.notes

    @property
    def warnings(self) -> list[str]:
        return [n.text for n in self.log]

    @property
    def score(self) -> int:
        """How much of an answer grounded: the best attempt is the one with most."""
        chosen = sum(f.chosen_by == "model" for f in self.figures)
        return chosen + len(self.implications) + len(self.summary_sentences)


def ground_figure(
    i: int, fid: str, refs: dict[str, Ref], article: ArticleText, label: str, source: str
) -> tuple[KeyFigure, NumberMatch] | str:
    """The figure an id names, quoted by our code: the sentence (or clauses) stating it."""
    ref = refs.get(fid.strip())
    if ref is None or ref.number is None:
        return f"key_figures[{i}]: {fid!r} is not the id of a listed number"
    n = ref.number
    span = align.span_around(article.text, n)
    figure = KeyFigure(
        label=" ".join(label.split()) or n.text,
        quote=article.text[span.start : span.end],
        start=span.start,
        end=span.end,
        number_text=n.text,
        value=n.value,
        unit=n.unit,
        grounding="exact",
        label_from=source,  # type: ignore[arg-type]
    )
    return figure, n


def fill_figures(
    figures: list[KeyFigure],
    used: set[str],
    refs: dict[str, Ref],
    article: ArticleText,
    policy: BriefPolicy,
) -> list[KeyFigure]:
    """The places the model left, filled by our ranking (ArticleText.salience): the most
    salient candidates it did not choose whose frame names them, up to policy.max_figures.
    A small model picks a year-ago figure and skips the quarter's result; the reader needs
    both, and naming them costs no call."""
    have = {quantity_key(f.value, f.unit) for f in figures}
    ranked = sorted(
        (r for r in refs.values() if r.id not in used and r.number is not None),
        key=lambda r: (-article.salience(r.number), r.start),  # type: ignore[arg-type]
    )
    added: list[KeyFigure] = []
    for ref in ranked:
        if len(figures) + len(added) >= policy.max_figures:
            break
        n = ref.number
        assert n is not None
        label = article.frame(n).label()
        if label is None or quantity_key(n.value, n.unit) in have:
            continue
        grounded = ground_figure(len(added), ref.id, refs, article, label, "frame")
        if isinstance(grounded, str):
            continue
        have.add(quantity_key(n.value, n.unit))
        added.append(grounded[0].model_copy(update={"chosen_by": "ranking"}))
    return added


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
    """The implication with the sentences that support it: those the model cited when they
    do, else the article's best-supporting sentence (the model's ids are a hint). Dropped
    only when no sentence supports it, or when it only restates one."""
    where = f"policy_implications[{i}] ({draft.statement!r})"
    statement = " ".join(ID_MARK.sub("", draft.statement).split())
    if not statement:
        return f"{where}: the statement is empty"
    span = _evidence_span(draft.evidence, refs)
    if span is None or shared_words(statement, article.text[span[0] : span[1]]) < MIN_SHARED_WORDS:
        best = max(
            refs.values(),
            key=lambda r: (shared_words(statement, article.text[r.start : r.end]), -r.start),
            default=None,
        )
        if (
            best is None
            or shared_words(statement, article.text[best.start : best.end]) < MIN_SHARED_WORDS
        ):
            invented = invented_numbers(statement, article.text[span[0] : span[1]] if span else "")
            if invented:
                return f"{where} states {', '.join(invented)}, which its evidence does not"
            return f"{where}: no sentence of the article supports it"
        span = (best.start, best.end)
    start, end = span
    quote = article.text[start:end]
    if restates(statement, quote, draft.actor):
        return f"{where} restates its evidence; an implication says what follows from it"
    return PolicyImplication(
        statement=statement,
        actor=draft.actor.strip(),
        evidence=Evidence(quote=quote, start=start, end=end),
    )


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


def _distinct_implications(
    implications: list[PolicyImplication], notes: list[Note]
) -> list[PolicyImplication]:
    """Implications that say what an earlier one said are dropped, with a note."""
    said: list[set[str]] = []
    kept = []
    for p in implications:
        words = content_words(p.statement)
        if repeats(words, said):
            notes.append(
                Note(
                    kind="implication_dropped",
                    text=f"dropped an implication that repeats another: {p.statement!r}",
                )
            )
            continue
        said.append(words)
        kept.append(p)
    return kept


def ground(
    draft: BriefDraft, article: ArticleText, wanted: int, policy: BriefPolicy = POLICY
) -> Grounded:
    """Turn one answer into a grounded brief body: figures named by their frames (or listed
    as questions), implications with supporting evidence, a summary built from sentences."""
    result = Grounded()
    refs = {r.id: r for r in article.figure_refs(policy.candidate_numbers)}
    chosen: list[tuple[str, KeyFigure, NumberMatch]] = []
    used: set[str] = set()
    for i, fid in enumerate(draft.key_figures):
        fid = fid.strip()
        if fid in used:
            result.note("trimmed", f"key_figures[{i}] repeats {fid}; kept once")
            continue
        grounded = ground_figure(i, fid, refs, article, "", "frame")
        if isinstance(grounded, str):
            result.dropped.append(grounded)
            continue
        used.add(fid)
        chosen.append((fid, *grounded))
    if len(chosen) > policy.max_figures:
        result.note("trimmed", f"kept the first {policy.max_figures} of {len(chosen)} figures")
        chosen = chosen[: policy.max_figures]
    figures: list[KeyFigure] = []
    for fid, figure, number in chosen:
        frame = article.frame(number)
        label = frame.label()
        if label is not None:
            figures.append(figure.model_copy(update={"label": label, "label_from": "frame"}))
            continue
        given = " ".join(draft.given_labels.get(fid, "").split())
        problem = label_problem(given, article, number) if given else "no label given"
        if given and problem is None:
            figures.append(figure.model_copy(update={"label": given, "label_from": "model"}))
            continue
        figures.append(figure)
        result.questions.append(Question(fid, figure, number, frame, frame.options, problem or ""))
    added = fill_figures(figures, used, refs, article, policy)
    result.figures = figures + added
    if len(chosen) < wanted:
        # The model chooses; a short answer is noted and filled, not re-asked (the
        # grammar's minItems already asks a small model for `wanted`).
        filled = f"; our ranking added {len(added)}" if added else ""
        result.note(
            "trimmed", f"the answer chose {len(chosen)} figures of the {wanted} asked for{filled}"
        )
    sentences = {r.id: r for r in article.sentence_refs}
    for i, imp in enumerate(draft.policy_implications):
        implication = ground_implication(i, imp, sentences, article)
        if isinstance(implication, str):
            result.unsaid.append(Note(kind="implication_dropped", text=implication))
        else:
            result.implications.append(implication)
    result.implications = _distinct_implications(result.implications, result.notes)
    if len(result.implications) > policy.max_implications:
        most = policy.max_implications
        result.note("trimmed", f"kept the first {most} of {len(result.implications)} implications")
        result.implications = result.implications[:most]
    picked: list[Ref] = []
    written: list[str] = []
    for item in draft.summary[: policy.max_summary_sentences]:
        at = sentences.get(item.id.strip()) or best_sentence(
            item.text, list(sentences.values()), article
        )
        if at is None:
            invented = article.unstated(item.text)
            why = (
                f"states {', '.join(invented)}, which the article never states"
                if invented
                else "no article sentence supports it"
            )
            result.unsaid.append(
                Note(kind="summary_dropped", text=f"summary sentence {item.text!r} {why}")
            )
            continue
        picked.append(at)
        written.append(item.text)
    if len(draft.summary) > policy.max_summary_sentences:
        result.note("trimmed", f"summary cut to its first {policy.max_summary_sentences} sentences")
    result.summary_sentences = build_summary(
        SummaryChoices(picked, written),
        article,
        lead_sentences(article, result.figures),
        policy,
        result.notes,
    )
    return result
