"""The dense-text benchmark (--dense): CPU our code spends on one number-dense article,
without the model."""

from __future__ import annotations

import time


def dense_text(size: int, one_line: bool) -> str:
    """Number-dense text of about `size` characters: table rows of ten percentages and an
    amount, as lines or run together into one sentence (a table with no line breaks)."""
    rows, n = [], 0
    while sum(map(len, rows)) < size:
        n += 1
        cells = " | ".join(f"{(n * 7 + i) % 997}.{(n + i) % 90 + 10}%" for i in range(10))
        rows.append(f"{cells} revenue ${n % 97 + 1}.{n % 9} billion")
    return (" " if one_line else "\n").join(rows)


def dense_section() -> list[str]:
    """CPU our code spends on one number-dense article, without the model: reading it
    (candidates, frames, the marked prompt) and grounding an answer that chooses ten figures
    and writes labels our checks must read. Must grow linearly with the text."""
    from newsbrief.brief.drafts import BriefDraft
    from newsbrief.brief.grounding import ground
    from newsbrief.brief.policy import POLICY
    from newsbrief.text.article import ArticleText

    lines = [
        "## Dense text: CPU per article, no model",
        "",
        "| text | characters | numbers | CPU s |",
        "|---|---:|---:|---:|",
    ]
    for one_line in (False, True):
        for size in (25_000, 50_000, 100_000):
            text = dense_text(size, one_line)
            t0 = time.process_time()
            article = ArticleText(text)
            refs = article.figure_refs(POLICY.candidate_numbers)
            article.marked(POLICY.candidate_numbers)
            answer = {
                "key_figures": [{"id": r.id, "label": "segment revenue growth"} for r in refs[:10]]
            }
            ground(BriefDraft.model_validate(answer), article, 10)
            cpu = time.process_time() - t0
            shape = "one line" if one_line else "table rows"
            lines.append(f"| {shape} | {len(text):,} | {len(article.numbers):,} | {cpu:.1f} |")
    return [*lines, ""]
