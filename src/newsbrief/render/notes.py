"""What a reader is told of the checks: typed notes filtered by kind, repairs counted.

A `reader` note is a sentence about the article, shown as written. Every other kind is a
repair whose text is a log line for the model's operator (ids like C07 or A3, the model's
own words): it stays in the JSON and -v, and a reader sees only how many there were, in
plain sentences. Briefs and digests written before notes were typed carry warnings alone:
their warnings are counted, never shown, since nothing says which were meant for readers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from newsbrief.contract import Note, NoteKind


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 time", "2 times"; `many` for an irregular plural ("2 summaries")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


# Repairs worth a sentence of their own, each saying what the reader does not see and why:
# (one, many, why for one, why for many).
_SAID: dict[NoteKind, tuple[str, str, str, str]] = {
    "figure_dropped": (
        "figure",
        "figures",
        "it could not be checked against the article",
        "they could not be checked against the article",
    ),
    "implication_dropped": (
        "policy implication",
        "policy implications",
        "the article does not bear it out, or it repeated another",
        "the article does not bear them out, or they repeated others",
    ),
    "summary_dropped": (
        "summary sentence",
        "summary sentences",
        "the article does not support it, or it repeated another",
        "the article does not support them, or they repeated others",
    ),
}


def _sentence(kind: NoteKind, count: int) -> str:
    one, many, why_one, why_many = _SAID[kind]
    if count == 1:
        return f"1 {one} was left out: {why_one}."
    return f"{count} {many} were left out: {why_many}."


def reader_notes(notes: Sequence[Note]) -> list[str]:
    """The sentences a reader sees: reader notes as written, then one sentence per kind of
    left-out item, with its count."""
    shown = list(dict.fromkeys(n.text for n in notes if n.kind == "reader"))
    counts = Counter(n.kind for n in notes)
    shown += [_sentence(kind, counts[kind]) for kind in _SAID if counts[kind]]
    return shown


def corrections(notes: Sequence[Note], warnings: Sequence[str] = ()) -> int:
    """How many repairs are not told as a sentence (relabelled, trimmed, re-cited...): the
    reader is told their number and where the details are. Untyped warnings (briefs and
    digests from before typed notes) count here too."""
    if not notes:
        return len(warnings)
    return sum(1 for n in notes if n.kind != "reader" and n.kind not in _SAID)


def corrections_line(count: int, what: str = "this brief") -> str:
    """ "Our checks corrected this brief 1 time: ..." (empty for none)."""
    if not count:
        return ""
    return (
        f"Our checks corrected {what} {plural(count, 'time')}: the details are in the JSON, "
        "or run with -v."
    )
