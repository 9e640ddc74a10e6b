"""Brief one piece of text: the brief call (ids chosen by the model), then at most one
follow-up call naming the figures our code could not, and the grounded result."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbrief.brief.drafts import (
    IMPLICATION_FIELD,
    ActionDraft,
    BriefDraft,
    ImplicationDraft,
    draft_model,
    follow_up_model,
)
from newsbrief.brief.grounding import Grounded, Question, ground, ground_implication
from newsbrief.brief.labels import label_problem
from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.contract import KeyFigure, Note
from newsbrief.errors import NewsbriefError
from newsbrief.model.call import Ask, Request, Spent
from newsbrief.model.client import acall
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.prompts import render
from newsbrief.model.replay import Pending
from newsbrief.model.transport import RetryPolicy
from newsbrief.text import align
from newsbrief.text.article import ArticleText, Ref
from newsbrief.text.frames import Frame, compose


@dataclass
class Extraction:
    grounded: Grounded
    spent: Spent

    @property
    def warnings(self) -> list[str]:
        return self.grounded.warnings

    @property
    def notes(self) -> list[Note]:
        return self.grounded.log


def messages(article: ArticleText, policy: BriefPolicy = POLICY) -> list[dict[str, str]]:
    """The brief request: fixed instructions and worked example, then the marked article."""
    return [
        *_fixed_turns(policy),
        {
            "role": "user",
            "content": render("brief_user", article=article.marked(policy.candidate_numbers)),
        },
    ]


def prefix_messages(policy: BriefPolicy = POLICY) -> list[dict[str, str]]:
    """The part of every brief request that no article changes (an empty article): what
    the embedded server keeps in its KV cache, across processes (model.embedded)."""
    return [*_fixed_turns(policy), {"role": "user", "content": render("brief_user", article="")}]


def _fixed_turns(policy: BriefPolicy) -> list[dict[str, str]]:
    limits = {
        "min_figures": policy.min_figures,
        "max_figures": policy.max_figures,
        "min_sentences": policy.min_summary_sentences,
        "max_sentences": policy.max_summary_sentences,
        "max_implications": policy.max_implications,
    }
    # Fixed instructions first: llama.cpp reuses their cached prefix from one article to the
    # next. The worked example is a prior turn: small models follow a shown answer far better
    # than a described one. No system role: the fixed part stays one user turn.
    return [
        {
            "role": "user",
            "content": render("brief_system", **limits) + "\n\n" + render("example_article"),
        },
        {"role": "assistant", "content": render("example_brief")},
    ]


def follow_up_messages(
    article: ArticleText, questions: list[Question], policy_refs: list[Ref]
) -> list[dict[str, str]]:
    """The one follow-up question: each figure our code could not name, with its sentence
    and, where the sentence leaves the subject open, the names to choose from; and, for a
    policy-angle article whose answer kept no implication, its policy sentences to draw one
    from (the dropped statement is not shown: a small model copies what it is shown)."""
    lines = []
    for q in questions:
        figure = q.figure
        line = f'{_qid(q)}: {figure.number_text} in "{_passage(article, figure)}"'
        if q.options:
            line += " Choose the name it is about: " + ", ".join(f'"{o}"' for o in q.options)
        lines.append(line)
    sentences = "\n".join(
        f"[{r.id}] {' '.join(article.text[r.start : r.end].split())}" for r in policy_refs
    )
    content = render("follow_up", questions="\n".join(lines), sentences=sentences)
    return [{"role": "user", "content": content}]


def _qid(q: Question) -> str:
    return q.fid


def _passage(article: ArticleText, figure: KeyFigure) -> str:
    """The figure's quote, with the sentence before when the quote opens with a pronoun
    ("That's a 25% gain" names its subject one sentence earlier)."""
    quote = " ".join(figure.quote.split())
    if re.match(r"(?i)^(?:that|this|it|they|these|which)\b", quote):
        start = align.sentence_bounds(article.text, max(0, figure.start - 2))[0]
        quote = " ".join(article.text[start : figure.end].split())
    return quote


class _Checker:
    """Grounds each answer once: the re-ask check and the best-attempt choice share it."""

    def __init__(self, article: ArticleText, wanted: int, policy: BriefPolicy) -> None:
        self.article, self.wanted, self.policy = article, wanted, policy
        self._done: dict[int, tuple[BriefDraft, Grounded]] = {}

    def __call__(self, draft: BriefDraft) -> Grounded:
        hit = self._done.get(id(draft))
        if hit is None or hit[0] is not draft:
            hit = (draft, ground(draft, self.article, self.wanted, self.policy))
            self._done[id(draft)] = hit
        return hit[1]


async def _follow_up(
    article: ArticleText,
    grounded: Grounded,
    endpoint: Endpoint,
    retry: RetryPolicy | None,
    policy: BriefPolicy,
    ask: Ask,
    implication: bool,
) -> Spent:
    """One call for every figure our code could not name, and for an implication when the
    article bears on policy and none held: an option chosen completes its frame; a label
    written is kept if it passes the label checks, else repaired from the frame (or the
    figure dropped) with a warning; an implication is grounded like the brief's."""
    questions = grounded.questions
    policy_refs: list[Ref] = []
    if implication and article.policy_angle and not grounded.implications:
        policy_refs = article.policy_sentences(policy.policy_sentences)
    if not questions and not policy_refs:
        return Spent()
    spent = Spent()
    answers: dict[str, str] = {}
    offered: ActionDraft | None = None
    model = follow_up_model(
        tuple((_qid(q), q.options) for q in questions), tuple(r.id for r in policy_refs)
    )
    try:
        request = Request(
            follow_up_messages(article, questions, policy_refs),
            model,
            max_tokens=policy.label_tokens * len(questions)
            + (policy.implication_tokens if policy_refs else 0)
            + 16,
        )
        answer, meter = await ask(endpoint, request, retry=retry)
        spent = meter.spent()
        answers = {k: v for k, v in answer.model_dump().items() if isinstance(v, str)}
        offered = getattr(answer, IMPLICATION_FIELD, None)
    except Pending:  # a batch run: the question goes into the next round
        raise
    except NewsbriefError as exc:
        grounded.note("process", f"the label question failed ({exc}); labels repaired from frames")
    _name_figures(article, grounded, questions, answers)
    if policy_refs and offered is not None:
        sentences = {r.id: r for r in article.sentence_refs}
        draft = ImplicationDraft(
            statement=offered.statement(), actor=offered.actor, evidence=offered.evidence
        )
        found = ground_implication(0, draft, sentences, article)
        if isinstance(found, str):
            grounded.unsaid.append(Note(kind="implication_dropped", text=f"asked again: {found}"))
        else:
            grounded.implications.append(found)
    return spent


def _name_figures(
    article: ArticleText, grounded: Grounded, questions: list[Question], answers: dict[str, str]
) -> None:
    """Each asked-about figure named from its answer, or repaired from its frame, or
    dropped (with a note)."""
    for q in questions:
        given = " ".join(answers.get(_qid(q), "").split())
        index = grounded.figures.index(q.figure)
        label: str | None
        if q.options and given in q.options:
            label, source = q.frame.label_with(given), "frame"
        elif given and not q.options and label_problem(given, article, q.number) is None:
            label, source = given, "model"
        else:
            label, source = repair(q.frame), "repaired"
            if label is None:
                del grounded.figures[index]
                why = q.problem or f"no label for it passed the checks (answer: {given!r})"
                grounded.note("figure_dropped", f"dropped {q.figure.number_text}: {why}")
                continue
            grounded.note(
                "label_repaired",
                f"labelled {q.figure.number_text} {label!r} from its sentence"
                + (f" (the answer {given!r} failed a check)" if given else ""),
            )
        grounded.figures[index] = q.figure.model_copy(update={"label": label, "label_from": source})
    grounded.questions = []


def repair(frame: Frame) -> str | None:
    """The best label our code can compose from an incomplete frame: its first subject
    option, or its head phrase with its role; None when it has neither."""
    if frame.options:
        return frame.label_with(frame.options[0])
    if frame.role and frame.what and frame.head.lower() not in ("", "it", "that", "this"):
        return compose(frame, frame.what)
    return None


async def aextract(
    article: ArticleText,
    endpoint: Endpoint,
    retry: RetryPolicy | None = None,
    *,
    max_reasks: int = POLICY.max_reasks,
    min_figures: int | None = None,
    policy: BriefPolicy = POLICY,
    ask: Ask = acall,
    implication: bool = True,
) -> Extraction:
    """Brief one text: the brief call, then at most one follow-up call.

    Args:
        article: the text, analysed once.
        endpoint: where the model answers.
        retry: transport retries (None: the endpoint's default).
        max_reasks: re-asks of the brief call when its ids name nothing.
        min_figures: the figures to demand (default: policy.figures_wanted).
        policy: the brief's limits.
        ask: the model call (acall, or a batch run's replay).
        implication: ask again for an implication when a policy-angle text kept none
            (off for the chunks of a long article: its combining call chooses).
    """
    refs = article.figure_refs(policy.candidate_numbers)
    wanted = policy.figures_wanted(len(refs)) if min_figures is None else min_figures
    model = draft_model(
        min(wanted, len(refs)),
        tuple(r.id for r in refs),
        tuple(r.id for r in article.sentence_refs),
        1 if article.policy_angle else 0,
        policy=policy,
    )
    grounded = _Checker(article, wanted, policy)
    # Before every brief request (each chunk's too): the embedded profile restores the
    # server's cached prompt prefix, which any request since the last brief replaced.
    await endpoint.prime(lambda: prefix_messages(policy))
    request = Request(
        messages(article, policy),
        model,
        max_tokens=policy.brief_tokens,
        max_reasks=max_reasks,
        problems=lambda d: grounded(d).problems,
    )
    draft, meter = await ask(endpoint, request, retry=retry)
    # A re-ask can come back worse (a small model copies the example): keep the attempt
    # that grounds the most, the later one on a tie.
    attempts = [*(a for a in meter.answers if a is not draft), draft]
    best = max(enumerate(attempts), key=lambda t: (grounded(t[1]).score, t[0]))[1]
    result = grounded(best)
    spent = meter.spent() + await _follow_up(
        article, result, endpoint, retry, policy, ask, implication
    )
    return Extraction(grounded=result, spent=spent)
