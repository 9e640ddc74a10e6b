"""The lead of a digest: the few stories that matter most, ranked by our code, and a market
snapshot of their key numbers. Data only (render/ shows it).

A story ranks by how widely it is reported (sources, then articles), whether it carries a
number worth a figure, whether it bears on policy, and how recent it is. Each lead item says
what happened (the lead brief's first summary sentence), why it matters (a synthesis item
citing the story, whose numbers keep_known checked against the briefs it cites; else the
brief's own grounded implication), its key number, and its articles with their sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsbrief.contract import Brief, KeyFigure, PolicyImplication
from newsbrief.digest.boilerplate import own_texts_of
from newsbrief.digest.contract import ArticleResult, Digest, OwnText, Story
from newsbrief.text.salience import policy_angle

LEAD_MOST = 6
LEAD_LEAST = 3
LEAD_SHARE = 0.5  # past the first LEAD_LEAST, a story leads if it scores this share of the best
SNAPSHOT_MOST = 8
RECENT_DAYS = 3.0  # a story this much older than the newest one earns no recency


@dataclass(frozen=True)
class Figure:
    """One key figure, where it is: article id and index (the page's anchor A1-f0)."""

    article_id: str
    index: int
    figure: KeyFigure

    @property
    def anchor(self) -> str:
        return f"{self.article_id}-f{self.index}"


@dataclass(frozen=True)
class LeadItem:
    story: Story
    what: str  # one line: what happened
    why: str | None  # one line: why it matters, grounded (None when nothing says)
    why_actor: str  # who acts, when the line is an implication ("" otherwise)
    key: Figure | None
    articles: list[ArticleResult]
    score: float


def _first_sentence(brief: Brief) -> str:
    if brief.summary_sentences:
        return brief.summary_sentences[0].text
    return brief.summary or brief.source.title


def key_figure(story: Story, briefs: dict[str, Brief]) -> Figure | None:
    """The story's key number: the first figure the model chose in its first brief that has
    one (our ranking's first when it chose none)."""
    for aid in story.article_ids:
        brief = briefs.get(aid)
        if brief is None or not brief.key_figures:
            continue
        chosen = [i for i, f in enumerate(brief.key_figures) if f.chosen_by == "model"]
        index = chosen[0] if chosen else 0
        return Figure(aid, index, brief.key_figures[index])
    return None


def _own_implications(brief: Brief, own: str | None) -> list[PolicyImplication]:
    """The brief's implications whose evidence is the article's own text, not boilerplate."""
    return [p for p in brief.policy_implications if own is None or p.evidence.quote in own]


def story_score(
    story: Story,
    briefs: dict[str, Brief],
    newest: dt.datetime | None,
    own: Mapping[str, OwnText] | None = None,
) -> float:
    """Higher first. Sources count most (an event several outlets report), then articles,
    a key number, a policy angle, recency.

    Args:
        story: the story to score.
        briefs: the digest's briefs by article id.
        newest: the newest story's publication time (recency is measured from it).
        own: article texts without their source's boilerplate (digest.boilerplate); None:
            as briefed (a publisher's investment disclaimer is no policy angle of a story).
    """
    own = own or {}
    texts = {a: own[a].text for a in story.article_ids if a in own}
    mine = [(a, briefs[a]) for a in story.article_ids if a in briefs]
    score = 3.0 * story.source_count + 1.0 * (len(story.article_ids) - 1)
    if any(b.key_figures for _, b in mine):
        score += 1.5
    if any(
        _own_implications(b, texts.get(a)) or policy_angle(texts.get(a, b.source.text))
        for a, b in mine
    ):
        score += 2.0
    if newest is not None and story.published is not None:
        age = (newest - story.published).total_seconds() / 86400
        score += max(0.0, 1.0 - age / RECENT_DAYS)
    return score


def _why(
    story: Story,
    digest: Digest,
    briefs: dict[str, Brief],
    what: str,
    own: Mapping[str, OwnText],
) -> tuple[str | None, str]:
    """The synthesis item that cites most of the story's articles (implications before
    themes); else the first implication of one of its briefs. Never a line that only
    repeats `what`."""
    mine = set(story.article_ids)
    best: tuple[int, int, str, str] | None = None
    for rank, (text, actor, ids) in enumerate(
        [(p.statement, p.actor, p.article_ids) for p in digest.implications]
        + [(t.summary, "", t.article_ids) for t in digest.themes]
    ):
        shared = len(mine & set(ids))
        if what in text:
            continue
        if shared and (best is None or (shared, -rank) > (best[0], best[1])):
            best = (shared, -rank, text, actor)
    if best is not None:
        return best[2], best[3]
    for aid in story.article_ids:
        brief = briefs.get(aid)
        own_text = own[aid].text if aid in own else None
        implications = _own_implications(brief, own_text) if brief is not None else []
        if implications:
            return implications[0].statement, implications[0].actor
    return None, ""


def rank_stories(
    stories: Sequence[Story], briefs: dict[str, Brief], own: Mapping[str, OwnText] | None = None
) -> list[tuple[float, int, Story]]:
    """(score, position, story), best first (story_score; ties in story order): the lead's
    order, and which stories a synthesis too large for the context window keeps.

    Args:
        stories: the digest's stories, in order.
        briefs: its briefs by article id.
        own: its own texts (digest.boilerplate.own_texts); None: as briefed.
    """
    dates = [s.published for s in stories if s.published is not None]
    newest = max(dates) if dates else None
    return sorted(
        ((story_score(s, briefs, newest, own), n, s) for n, s in enumerate(stories)),
        key=lambda t: (-t[0], t[1]),
    )


def lead(digest: Digest) -> list[LeadItem]:
    """The 3 to 6 stories that matter most, best first (fewer when the digest has fewer)."""
    briefs = digest.briefs
    by_id = {a.article_id: a for a in digest.articles}
    own = own_texts_of(digest).texts
    scored = rank_stories(digest.stories, briefs, own)
    if not scored:
        return []
    best = scored[0][0]
    kept = [
        t for i, t in enumerate(scored[:LEAD_MOST]) if i < LEAD_LEAST or t[0] >= LEAD_SHARE * best
    ]
    items = []
    for score, _, story in kept:
        first = next((briefs[a] for a in story.article_ids if a in briefs), None)
        if first is None:
            continue
        what = _first_sentence(first)
        why, actor = _why(story, digest, briefs, what, own)
        items.append(
            LeadItem(
                story=story,
                what=what,
                why=why,
                why_actor=actor,
                key=key_figure(story, briefs),
                articles=[by_id[a] for a in story.article_ids if a in by_id],
                score=score,
            )
        )
    return items


def snapshot(digest: Digest, items: list[LeadItem] | None = None) -> list[Figure]:
    """At most SNAPSHOT_MOST figures: each story's key number in lead order, then the other
    stories', then each story's next figures; one of each label and value."""
    briefs = digest.briefs
    ranked = [i.story for i in (items if items is not None else lead(digest))]
    ranked += [s for s in digest.stories if s not in ranked]
    rounds: list[Figure] = []
    for story in ranked:
        key = key_figure(story, briefs)
        if key is not None:
            rounds.append(key)
    for story in ranked:
        for aid in story.article_ids:
            brief = briefs.get(aid)
            for i, f in enumerate(brief.key_figures if brief else []):
                rounds.append(Figure(aid, i, f))
    out: list[Figure] = []
    seen: set[tuple[str, str]] = set()
    for fig in rounds:
        ident = (fig.figure.label.lower(), fig.figure.number_text)
        if ident in seen or any(o.anchor == fig.anchor for o in out):
            continue
        seen.add(ident)
        out.append(fig)
        if len(out) >= SNAPSHOT_MOST:
            break
    return out
