"""One model call over the briefs (never the raw articles) for the digest's cross-article view.

Citations are checked like figures: a theme citing an article id we never gave the model is
re-asked, then dropped with a warning. So is any number the synthesis states that none of
the briefs it cites has grounded (the headline may use any brief's numbers): a headline
cannot state a figure no article has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from newsbrief.brief.policy import POLICY, BriefPolicy
from newsbrief.contract import Brief, Note, NoteKind
from newsbrief.digest.contract import OwnTexts, StoryIndex
from newsbrief.digest.synthesis_input import fit, prompt_of
from newsbrief.model.call import Ask, Request, Spent
from newsbrief.model.client import acall
from newsbrief.model.endpoint import Endpoint
from newsbrief.model.schema import CheckedModel, bounded
from newsbrief.model.transport import RetryPolicy
from newsbrief.text.numbers import find_numbers, overlong_numbers, same_quantity, worth_a_figure
from newsbrief.text.words import content_words


class ThemeDraft(BaseModel):
    title: str = Field(description="a few words")
    summary: str = Field(description="one or two sentences")
    article_ids: list[str] = bounded(1, description="ids like A1 of supporting articles")


class CrossImplicationDraft(BaseModel):
    statement: str = Field()
    actor: str = Field(description="central bank, government, regulator... or ''")
    article_ids: list[str] = bounded(1)


class DiscrepancyDraft(BaseModel):
    description: str = Field(description="what the sources disagree on")
    article_ids: list[str] = bounded(2)


class SynthesisDraft(CheckedModel):
    """The synthesis answer's shape; what is sent is synthesis_model's."""

    headline: str = Field(description="one line for the whole briefing")
    themes: list[ThemeDraft]
    implications: list[CrossImplicationDraft]
    discrepancies: list[DiscrepancyDraft]


@lru_cache(maxsize=16)
def synthesis_model(ids: tuple[str, ...], policy: BriefPolicy) -> type[SynthesisDraft]:
    """SynthesisDraft whose citations the endpoint's grammar restricts to these article ids
    (checked again by our code for endpoints without a grammar), with the item bounds of
    `policy`."""
    most_themes, most_items = policy.max_themes, policy.max_digest_items

    def cites(base: type[BaseModel], least: int) -> type[BaseModel]:
        field = base.model_fields["article_ids"]
        return create_model(
            base.__name__,
            __base__=base,
            article_ids=(
                list[str],
                bounded(least, description=field.description, item_enum=list(ids)),
            ),
        )

    theme, implication, discrepancy = (
        cites(ThemeDraft, 1),
        cites(CrossImplicationDraft, 1),
        cites(DiscrepancyDraft, 2),
    )
    return create_model(
        "SynthesisDraft",
        __base__=SynthesisDraft,
        themes=(list[theme], bounded(1, most_themes)),  # type: ignore[valid-type]
        implications=(list[implication], bounded(max_items=most_items)),  # type: ignore[valid-type]
        discrepancies=(list[discrepancy], bounded(max_items=most_items)),  # type: ignore[valid-type]
    )


def _kinds(draft: SynthesisDraft) -> list[tuple[str, list[Any]]]:
    return [(kind, getattr(draft, kind)) for kind in ("themes", "implications", "discrepancies")]


def _text(item: Any) -> str:
    """The words of a theme, implication or discrepancy (drafts and stored ones alike)."""
    if hasattr(item, "summary"):
        return f"{item.title}. {item.summary}"
    if hasattr(item, "statement"):
        return str(item.statement)
    return str(item.description)


def brief_numbers(brief: Brief) -> list[tuple[float, str]]:
    """The quantities a brief grounds: its figures, and the numbers of its summary and
    implications (every one checked against the article when the brief was made)."""
    found = [(f.value, f.unit) for f in brief.key_figures]
    prose = [brief.summary, *(p.statement for p in brief.policy_implications)]
    found += [(n.value, n.unit) for text in prose for n in find_numbers(text)]
    return found


def unbacked(text: str, briefs: list[Brief]) -> list[str]:
    """Numbers `text` states that none of `briefs` grounds (years and counts aside)."""
    have = [q for b in briefs for q in brief_numbers(b)]
    out = []
    for n in find_numbers(text):
        if not worth_a_figure(n) or any(same_quantity(n, v, u) for v, u in have):
            continue
        out.append(n.text)
    return out + overlong_numbers(text)


def brief_words(brief: Brief) -> set[str]:
    """What a brief is about: the content words of its title, summary, figure labels and
    implications (the same stems grounding compares implications and evidence by)."""
    parts = [brief.source.title, brief.summary, *(f.label for f in brief.key_figures)]
    parts += [p.statement for p in brief.policy_implications]
    return set().union(*(content_words(p) for p in parts))


def unsupported(item: Any, words_of: dict[str, set[str]]) -> list[str]:
    """Cited articles whose brief shares fewer than half as many content words with the item
    as the brief that shares the most: a theme about one article cited to another. An item
    that shares no word with any brief ("The BoJ holds.") cannot be judged, and passes.
    words_of: brief_words of every brief, by article id."""
    words = content_words(_text(item))
    overlap = {a: len(words & w) for a, w in words_of.items()}
    best = max(overlap.values(), default=0)
    return [a for a in item.article_ids if a in overlap and 2 * overlap[a] < best]


def unrelated(item: Any, index: StoryIndex) -> str | None:
    """Why a discrepancy's articles cannot disagree: one article, two stories, two days."""
    ids = list(dict.fromkeys(item.article_ids))
    if len(ids) < 2:
        return "it cites one article: an article does not disagree with itself"
    if index.knows_stories and len({index.story_of(a) for a in ids}) > 1:
        return "its articles report different events"
    days = {index.day_of(a) for a in ids} - {None}
    if len(days) > 1:
        return "its articles are from different days: that is a sequence, not a disagreement"
    return None


def unknown_citations(draft: SynthesisDraft, known: set[str]) -> list[str]:
    problems = []
    for kind, items in _kinds(draft):
        for i, item in enumerate(items):
            bad = [a for a in item.article_ids if a not in known]
            if bad:
                problems.append(
                    f"{kind}[{i}] cites unknown article ids {bad}; use only {sorted(known)}"
                )
    return problems


def wrong_citations(
    draft: SynthesisDraft, words_of: dict[str, set[str]], index: StoryIndex
) -> list[str]:
    """Citations a cited brief does not support, and discrepancies between articles that
    cannot disagree, phrased for a re-ask."""
    problems = []
    for kind, items in _kinds(draft):
        for i, item in enumerate(items):
            weak = unsupported(item, words_of)
            if weak:
                problems.append(
                    f"{kind}[{i}] cites {weak}, whose briefs say nothing of it; cite only "
                    "the articles it comes from"
                )
            why = unrelated(item, index) if kind == "discrepancies" else None
            if why:
                problems.append(f"discrepancies[{i}]: {why}; leave it out")
    return problems


def unbacked_numbers(draft: SynthesisDraft, briefs: dict[str, Brief]) -> list[str]:
    """Every number stated without a cited brief that grounds it, phrased for a re-ask."""
    problems = []
    loose = unbacked(draft.headline, list(briefs.values()))
    if loose:
        problems.append(f"headline states {', '.join(loose)}, which no brief has")
    for kind, items in _kinds(draft):
        for i, item in enumerate(items):
            cited = [briefs[a] for a in item.article_ids if a in briefs]
            loose = unbacked(_text(item), cited)
            if loose:
                problems.append(
                    f"{kind}[{i}] states {', '.join(loose)}, which the briefs it cites do not; "
                    "cite the briefs that state it or leave the number out"
                )
    return problems


def keep_known(
    draft: SynthesisDraft,
    briefs: dict[str, Brief],
    index: StoryIndex | None = None,
    policy: BriefPolicy = POLICY,
) -> tuple[SynthesisDraft, list[Note]]:
    """Strip unknown and unsupported citations; drop items left with too few, stating a
    number their cited briefs lack, or discrepancies between articles that cannot disagree;
    clear a headline stating a number no brief has. Returns the repairs, typed.

    Args:
        draft: the synthesis answer.
        briefs: the briefs it was given, by article id.
        index: each article's story and day; None: none known.
        policy: the item limits.
    """
    index = index or StoryIndex()
    words_of = {a: brief_words(b) for a, b in briefs.items()}
    notes: list[Note] = []

    def warn(kind: NoteKind, text: str) -> None:
        notes.append(Note(kind=kind, text=text))

    out = draft.model_copy(deep=True)
    loose = unbacked(out.headline, list(briefs.values()))
    if loose:
        warn("item_dropped", f"headline dropped: it states {', '.join(loose)}, which no brief has")
        out.headline = ""
    for kind, items in _kinds(out):
        kept = []
        for item in items:
            bad = [a for a in item.article_ids if a not in briefs]
            item.article_ids = [a for a in item.article_ids if a in briefs]
            if bad:
                warn("citation_removed", f"{kind}: removed citation of unknown article ids {bad}")
            weak = unsupported(item, words_of)
            if weak:
                item.article_ids = [a for a in item.article_ids if a not in weak]
                warn(
                    "citation_removed",
                    f"{kind}: removed citations {weak}: their briefs say nothing of it",
                )
            item.article_ids = list(dict.fromkeys(item.article_ids))
            needed = 2 if kind == "discrepancies" else 1
            loose = unbacked(_text(item), [briefs[a] for a in item.article_ids])
            why = unrelated(item, index) if kind == "discrepancies" else None
            if why and len(item.article_ids) >= needed:
                warn("item_dropped", f"discrepancies: dropped one: {why}")
            elif len(item.article_ids) < needed:
                warn(
                    "item_dropped",
                    f"{kind}: dropped an item citing fewer than {needed} known articles",
                )
            elif loose:
                warn(
                    "item_dropped",
                    f"{kind}: dropped an item stating {', '.join(loose)}, which the briefs it "
                    "cites do not",
                )
            else:
                kept.append(item)
        limit = policy.max_themes if kind == "themes" else policy.max_digest_items
        if len(kept) > limit:
            warn("trimmed", f"{kind}: kept the first {limit} of {len(kept)}")
        setattr(out, kind, kept[:limit])
    return out, notes


@dataclass
class Synthesis:
    draft: SynthesisDraft
    notes: list[Note]
    spent: Spent

    @property
    def warnings(self) -> list[str]:
        return [n.text for n in self.notes]


async def synthesize(
    briefs: dict[str, Brief],
    endpoint: Endpoint,
    retry: RetryPolicy | None = None,
    ask: Ask = acall,
    index: StoryIndex | None = None,
    policy: BriefPolicy = POLICY,
    own: OwnTexts | None = None,
) -> Synthesis:
    """The cross-article view of these briefs, its citations checked.

    Args:
        briefs: by article id (A1...), as the model will cite them.
        endpoint: the model; retry: transport retries; ask: how calls are made.
        index: each article's story and publication day (digest.stories.story_index), so
            a discrepancy between two events or two days is re-asked, then dropped.
        policy: the limits (themes, items, re-asks, answer size).
        own: the articles' own texts (digest.boilerplate), which rank the stories when not
            every brief fits the context window (digest.synthesis_input).
    """
    index = index or StoryIndex()
    fitted = await fit(briefs, endpoint, policy, index, own)
    briefs = fitted.briefs
    known = set(briefs)
    words_of = {a: brief_words(b) for a, b in briefs.items()}

    def problems(d: SynthesisDraft) -> list[str]:
        found = unknown_citations(d, known) + unbacked_numbers(d, briefs)
        return found + wrong_citations(d, words_of, index)

    prompt = prompt_of(briefs, policy)
    messages = [{"role": "user", "content": prompt}]  # no system role: see extract.messages
    request = Request(
        messages,
        synthesis_model(tuple(briefs), policy),
        max_tokens=policy.synthesis_tokens,
        max_reasks=policy.synthesis_reasks,
        problems=problems,
    )
    draft, meter = await ask(endpoint, request, retry=retry)
    draft, notes = keep_known(draft, briefs, index, policy)
    if fitted.note is not None:
        notes.insert(0, fitted.note)
    return Synthesis(draft=draft, notes=notes, spent=meter.spent())
