"""How to show the candidates to the model: inline ids, or a list after the article.

Counts prompt tokens with the embedded model's own tokenizer for both displays on the seeds
and the ten shortest ECTSum transcripts (when ../shared is beside the checkout), and prints a
Markdown table. The inline display is what newsbrief sends; the list repeats each candidate
with its sentence, as a langextract-style or quote-copying prompt would need.

    python -m bench.candidates
"""

from __future__ import annotations

import sys
from pathlib import Path

from newsbrief.brief.extract import messages
from newsbrief.brief.policy import POLICY
from newsbrief.model.embedded import EmbeddedServer, count_tokens
from newsbrief.text import align
from newsbrief.text.article import ArticleText

ROOT = Path(__file__).resolve().parents[1]
ECTSUM = ROOT.parent / "shared" / "eval" / "ectsum" / "ects"


def listed(article: ArticleText) -> str:
    """The article plain, then one line per candidate: id, number, its sentence."""
    lines = []
    for ref in article.figure_refs(POLICY.candidate_numbers):
        assert ref.number is not None
        span = align.span_around(article.text, ref.number)
        lines.append(f"{ref.id} {ref.number.text}: {article.text[span.start : span.end]}")
    sentences = [f"{r.id}: {article.text[r.start : r.end]}" for r in article.sentence_refs]
    return (
        article.text
        + "\n\nNumbers:\n"
        + "\n".join(lines)
        + "\n\nSentences:\n"
        + "\n".join(sentences)
    )


def main() -> None:
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    if ECTSUM.is_dir():
        paths += sorted(ECTSUM.glob("*.txt"), key=lambda p: p.stat().st_size)[:10]
    server = EmbeddedServer().start()
    try:
        url = server.base_url.removesuffix("/v1")
        fixed = sum(count_tokens(url, m["content"]) for m in messages(ArticleText("x"))[:2])
        print(f"Fixed prompt (instructions and worked example): {fixed} tokens\n")
        print("| document | article | inline ids | list after article | candidates | sentences |")
        print("|---|---|---|---|---|---|")
        for path in paths:
            article = ArticleText(path.read_text(encoding="utf-8"))
            plain = count_tokens(url, article.text)
            inline = count_tokens(url, article.marked(POLICY.candidate_numbers))
            as_list = count_tokens(url, listed(article))
            n = len(article.figure_refs(POLICY.candidate_numbers))
            print(
                f"| {path.name} | {plain} | {inline} (+{inline - plain}) | {as_list} "
                f"(+{as_list - plain}) | {n} | {len(article.sentence_refs)} |"
            )
            sys.stdout.flush()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
