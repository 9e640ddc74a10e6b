"""The digest's contract: the data a digest is made of, and nothing that makes it.

render/ and cli/ import the digest's types from here alone; the modules that build a digest
(batch, stories, compare, synthesis, build, lead) import them from here too, so a type has
one home and its JSON shape (`Digest.model_json_schema()`, the public schema) one place to
change. Besides the JSON types: `StoryIndex`, each article's story and day, built once per
digest or batch run and passed to the figure comparison and the synthesis checks; and
`OwnTexts`, each article's text without its publisher's boilerplate, computed once per digest
(digest.boilerplate) and read by the stories and the lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from newsbrief.contract import Brief, KeyFigure, Note, Usage

DIGEST_SCHEMA_VERSION = "3"  # 2: stories; articles carry published and source; 3: notes, changes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleResult(_Strict):
    """One input's outcome: a Brief, or the reason there is none."""

    article_id: str = Field(description="the article's id in this digest (A1, A2...)")
    origin: str = Field(description="where it came from: a path, URL or feed entry link")
    brief: Brief | None = Field(default=None, description="the brief; null when it failed")
    error: str | None = Field(default=None, description="why there is no brief, one line")
    cached: bool = Field(default=False, description="the brief came from the cache")
    published: dt.datetime | None = Field(
        default=None, description="from the feed entry or the page's metadata"
    )
    source: str | None = Field(default=None, description="the feed's or site's name")


class Story(_Strict):
    """One event and the articles that report it, in input order."""

    id: str = Field(description="S1, S2... in order of first appearance")
    title: str = Field(description="the first article's title")
    article_ids: list[str] = Field(description="the articles reporting it, in input order")
    sources: list[str] = Field(
        description="distinct sources, first seen first: the feed's or site's name, else "
        "the URL's host, else the file"
    )
    source_count: int = Field(description="how many distinct sources")
    single_source: bool = Field(description="only one source reports it")
    published: dt.datetime | None = Field(
        default=None, description="the earliest date among its articles"
    )

    @property
    def coverage(self) -> str | None:
        """ "N articles from M sources" when some source gave more than one article (a
        live blog and its follow-up, wire copies under one name), else None: the source
        count alone says it. Not stored: the JSON has article_ids and source_count."""
        n, m = len(self.article_ids), self.source_count
        if n <= m:
            return None
        return f"{n} articles from {m} source{'' if m == 1 else 's'}"


class FigureEntry(KeyFigure):
    """A brief's figure, with where it came from."""

    article_id: str = Field(description="the article whose brief holds the figure")
    index: int = Field(description="position in that brief's key_figures (links to its quote)")


class FigureGroup(_Strict):
    """One figure as several articles report it, grouped by our code (never the model)."""

    key: str = Field(description="subject words + measure kind + unit: what the group is of")
    label: str = Field(description="the label shown for the group")
    unit: str = Field(description="the unit its entries share")
    entries: list[FigureEntry] = Field(description="each article's figure, in input order")
    conflicting: bool = Field(
        description="two articles of one story and one day disagree beyond rounding"
    )


class Theme(_Strict):
    """A thread several articles share, as the synthesis call wrote it."""

    title: str = Field(description="the theme in a few words")
    summary: str = Field(description="what the articles say of it")
    article_ids: list[str] = Field(description="the articles it draws on")


class CrossImplication(_Strict):
    """A policy implication drawn across articles."""

    statement: str = Field(description="the implication in one sentence")
    actor: str = Field(default="", description="who would act; empty when none is named")
    article_ids: list[str] = Field(description="the articles it rests on")


class Discrepancy(_Strict):
    """Articles that disagree, as the synthesis found it (two known articles at least)."""

    description: str = Field(description="what the articles disagree on")
    article_ids: list[str] = Field(description="the articles that disagree")


class DigestStats(_Strict):
    """Counts and cost of one digest run."""

    articles: int = Field(description="inputs, feed entries counted one by one")
    summarized: int = Field(description="articles with a brief")
    failed: int = Field(description="articles without one (see ArticleResult.error)")
    model_calls: int = Field(description="model calls made by this run (cached ones excluded)")
    cached: int = Field(description="briefs read from the cache")
    usage: Usage = Field(default_factory=Usage, description="tokens this run spent")
    cost_usd: float = Field(default=0.0, description="estimated cost in USD (0 when unknown)")


Mark = Literal["new", "changed"]


class Changes(_Strict):
    """What this digest adds to the previous one of the same inputs (None: the first)."""

    previous_at: str | None = Field(
        default=None, description="the previous digest's generated_at; None: there was none"
    )
    stories: dict[str, Mark] = Field(
        default_factory=dict, description="story id -> new or changed since the previous digest"
    )
    figures: dict[str, Mark] = Field(
        default_factory=dict, description='figure ("A1-f0") -> new or changed since then'
    )

    @property
    def anything(self) -> bool:
        return bool(self.stories or self.figures)


class OwnText(NamedTuple):
    """An article's title and text without what its source repeats on its articles."""

    title: str
    text: str


@dataclass(frozen=True)
class OwnTexts:
    """Each briefed article's OwnText by article id (digest.boilerplate.own_texts), and
    what it was computed from: (article id, source text id, source) of each, in order, so a
    copy of a digest whose articles changed computes them again instead of reading stale
    ones."""

    basis: tuple[tuple[str, str, str], ...]
    texts: Mapping[str, OwnText]


class Digest(_Strict):
    """The briefing: cross-article view, every article's result, and what it cost.

    Strict (unknown fields are refused) and versioned like Brief: `schema_version` changes
    whenever the JSON shape does. Render it with newsbrief.to_markdown / to_html.

    Attributes:
        schema_version: version of this JSON shape.
        headline: one line for the whole briefing (the synthesis's, else a count).
        themes: threads several articles share (synthesis).
        implications: policy implications drawn across articles (synthesis).
        discrepancies: articles that disagree (synthesis, checked against known ids).
        stories: articles clustered by event, by our code.
        figure_groups: the same figure across articles, by our code, conflicts marked.
        articles: every input's result, a Brief or the reason there is none, in input order.
        warnings: readable notes on the run (feeds skipped, synthesis failed...).
        notes: the same notes, typed (see contract.Note).
        stats: counts, tokens and estimated cost.
        model: the model name used.
        generated_at: when it was built, "YYYY-MM-DD HH:MM UTC".
        changes: marks against the previous digest of the same inputs (digest.since).
    """

    schema_version: str = Field(
        default=DIGEST_SCHEMA_VERSION, description="version of this JSON shape"
    )
    headline: str = Field(description="one line for the whole briefing")
    themes: list[Theme] = Field(default_factory=list, description="threads articles share")
    implications: list[CrossImplication] = Field(
        default_factory=list, description="policy implications drawn across articles"
    )
    discrepancies: list[Discrepancy] = Field(
        default_factory=list, description="articles that disagree"
    )
    stories: list[Story] = Field(
        default_factory=list, description="articles clustered by event, by our code"
    )
    figure_groups: list[FigureGroup] = Field(
        default_factory=list, description="the same figure across articles, conflicts marked"
    )
    articles: list[ArticleResult] = Field(
        default_factory=list, description="every input's result, in input order"
    )
    warnings: list[str] = Field(
        default_factory=list, description="every note's text, in order: readable notes on the run"
    )
    notes: list[Note] = Field(
        default_factory=list, description="the same notes, typed (absent before schema 3)"
    )
    stats: DigestStats = Field(description="counts, tokens and estimated cost")
    model: str = Field(description="the model name used")
    generated_at: str = Field(description="when it was built, 'YYYY-MM-DD HH:MM UTC'")
    changes: Changes | None = Field(
        default=None,
        description="marks against the previous digest of the same inputs (None without a cache)",
    )
    # The texts its stories were clustered on, kept for the lead (digest.boilerplate): a
    # cache, not part of the JSON, the schema or equality.
    _own_texts: OwnTexts | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal fields; the kept own texts are a cache, not part of a digest's value."""
        if not isinstance(other, Digest):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    @property
    def nothing_new(self) -> bool:
        """No article at all (every feed entry seen before), or nothing the previous digest
        of these inputs did not already have, and no failure to report."""
        if self.failures:
            return False
        if not self.articles:
            return True
        return (
            self.changes is not None
            and self.changes.previous_at is not None
            and not (self.changes.anything)
        )

    @property
    def briefs(self) -> dict[str, Brief]:
        return {a.article_id: a.brief for a in self.articles if a.brief is not None}

    @property
    def failures(self) -> list[ArticleResult]:
        return [a for a in self.articles if a.brief is None]

    @property
    def partial(self) -> bool:
        return bool(self.failures)


@dataclass(frozen=True)
class StoryIndex:
    """Each article's story and publication day, built once per digest or batch run
    (digest.stories.story_index) and passed to what goes by them: figure comparisons (one
    story, one day) and the synthesis checks (a discrepancy needs both). The empty index
    knows no story and no day: nothing is compared across stories, no day is claimed.

    Args:
        stories: the stories, in order (S1, S2...).
        story_ids: story id by article id.
        days: publication day by article id (None: unknown).
    """

    stories: tuple[Story, ...] = ()
    story_ids: Mapping[str, str] = field(default_factory=dict)
    days: Mapping[str, dt.date | None] = field(default_factory=dict)

    @classmethod
    def of(cls, stories: Sequence[Story], results: Sequence[ArticleResult]) -> StoryIndex:
        """The index of these stories over these results (their publication dates)."""
        return cls(
            stories=tuple(stories),
            story_ids={aid: s.id for s in stories for aid in s.article_ids},
            days={r.article_id: r.published.date() if r.published else None for r in results},
        )

    @property
    def knows_stories(self) -> bool:
        return bool(self.story_ids)

    def story_of(self, article_id: str) -> str | None:
        """The article's story id; None when the index has no story for it."""
        return self.story_ids.get(article_id)

    def day_of(self, article_id: str) -> dt.date | None:
        """The article's publication day; None when unknown."""
        return self.days.get(article_id)
