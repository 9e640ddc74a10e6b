"""Every limit of a brief, in one frozen place.

Prompts receive these numbers as template variables and the response schemas are built
from them, so what the model is told, what its grammar allows and what our code keeps can
no longer drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BriefPolicy:
    # Figures: demanded from an article with numbers to spare, advertised per answer, kept.
    min_figures: int = 10  # ids cost a few tokens each: ask for what a brief must carry
    max_figures: int = 12  # per answer: the schema's maxItems, the prompt's range, kept
    max_figures_long: int = 16  # a long article gathers figures from several chunks
    max_implications: int = 4
    min_summary_sentences: int = 2
    max_summary_sentences: int = 4
    max_summary_chars: int = 300  # a longer source sentence is cut at a clause break
    candidate_numbers: int = 40  # numbers listed in the prompt for the model to choose from
    # Re-asks: a small model rarely fixes a re-asked answer; a strong one does it at once.
    max_reasks: int = 1
    chunk_reasks: int = 0  # chunks are many; what a chunk misses, another may ground
    reduce_reasks: int = 1
    # Answer sizes (max_tokens). A good brief is ~300 tokens; a loop is cut early, salvaged.
    brief_tokens: int = 700
    reduce_tokens: int = 1024
    synthesis_tokens: int = 1536
    # Around the article in the context window: instructions, example, candidate list.
    prompt_overhead_tokens: int = 1200
    reask_tokens: int = 1200  # the problems list of one re-ask
    min_article_budget: int = 1000
    chunk_overlap_chars: int = 400
    label_tokens: int = 24  # per figure in the one follow-up label question
    implication_tokens: int = 96  # an implication asked again in that follow-up
    policy_sentences: int = 3  # the policy sentences it is asked to follow from
    # Digest synthesis.
    max_themes: int = 6
    max_digest_items: int = 5
    synthesis_reasks: int = 1

    def reserved_tokens(self) -> int:
        """Context kept free beside the article: the prompt around it, the answer, and one
        re-ask with its answer."""
        answers = self.brief_tokens * (1 + self.max_reasks)
        return self.prompt_overhead_tokens + answers + self.reask_tokens * self.max_reasks

    def synthesis_reserved_tokens(self) -> int:
        """Context kept free beside the synthesis prompt: its answer, and one re-ask (the
        problems list and the answer again) per synthesis re-ask."""
        answers = self.synthesis_tokens * (1 + self.synthesis_reasks)
        return answers + self.reask_tokens * self.synthesis_reasks

    def figures_wanted(self, candidates: int) -> int:
        """How many figures to demand: min_figures, or every candidate when there are fewer
        (years and small bare integers are never candidates)."""
        return min(self.min_figures, candidates)


POLICY = BriefPolicy()
