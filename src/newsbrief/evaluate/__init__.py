"""The evaluation harness: briefs judged by numbers against gold labels and reference bullets.

Scores are computed by our own code from the Brief and the article alone, independently of
the pipeline's own flags, so a change to prompts or grounding is judged, not trusted.
"""
