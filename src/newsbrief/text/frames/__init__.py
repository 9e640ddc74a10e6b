"""What a sentence says of each of its numbers: its frame, read by our code, no model.

A label is only as right as the reading of the clause around the number. Financial news and
earnings calls state most numbers in a few formulaic shapes ("X of $A increased $B or C%
compared to $D in P", "rose from A to B", "up C% to A", "closing at A", "A per diluted
share", "expanded B basis points", "guidance of A to B", "a C% share of", "Japan's $4.9
trillion economy"), so a small grammar of those shapes reads, for each number:

- ``head``: the noun phrase the clause states it of, as written and trimmed ("sales to
  commercial customers", "adjusted diluted earnings per share", "Nikkei 225");
- ``subject``: the name it is about (an index, company, country), when one is named;
- ``measure``: the canonical kind of quantity (revenue, EPS, close, tariff ...), or "";
- ``role``: level, change, prior, target, share or multiple ("" when no shape matched);
- ``direction``: up or down, for a change;
- ``period``: the period as written ("year-to-date", "Monday's session", "second quarter");
- ``per_share``; ``whole`` (of what a share is); ``options``: the names the subject could
  be when the sentence leaves it open (the model then chooses among them).

``Frame.label()`` composes a label from a complete frame ("sales decrease, year-over-year",
"Nikkei 225 gain, Monday's session", "adjusted diluted earnings per share, prior year");
an incomplete frame gives None, and the model names the number instead. Deterministic; reads
only the text.
"""

from __future__ import annotations

from newsbrief.text.frames.context import SECTION_SENTENCES
from newsbrief.text.frames.frame import Frame, compose, measure_of
from newsbrief.text.frames.lexicon import MAX_HEAD_WORDS, NEAR_CHARS, REACH_AFTER, REACH_BEFORE
from newsbrief.text.frames.names import NOT_NAMES, name_runs
from newsbrief.text.frames.periods import OPENING_CHARS, in_period, reporting_period
from newsbrief.text.frames.reader import frame_of, frames_of

__all__ = [
    "MAX_HEAD_WORDS",
    "NEAR_CHARS",
    "NOT_NAMES",
    "OPENING_CHARS",
    "REACH_AFTER",
    "REACH_BEFORE",
    "SECTION_SENTENCES",
    "Frame",
    "compose",
    "frame_of",
    "frames_of",
    "in_period",
    "measure_of",
    "name_runs",
    "reporting_period",
]
