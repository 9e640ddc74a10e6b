"""testing/inspection.py: what a cassette file holds, read without trusting it (its reading by
`cassettes check`: test_cli_cassettes.py; by replay's messages: test_plugin*.py)."""

from __future__ import annotations

from typing import Any

import pytest

from newsbrief.testing.cassettes import RECORDING_METADATA
from newsbrief.testing.inspection import incomplete_reason


@pytest.mark.parametrize(
    ("metadata", "count", "reason"),
    [
        ({}, 2, None),  # recorded before the mark, with its requests: complete
        ({}, 0, "it holds no interactions (a recording that failed before any request?)"),
        ({RECORDING_METADATA: {"complete": True}}, 0, None),  # a test that sent nothing
        ({RECORDING_METADATA: {"complete": False, "failed": "KeyError"}}, 3, "KeyError"),
        ({RECORDING_METADATA: {"complete": "yes"}}, 1, "unknown error"),  # not True: failed
        ({RECORDING_METADATA: {"complete": False, "failed": "x" * 5000}}, 1, "x" * 80 + ")"),
        ({RECORDING_METADATA: "complete"}, 1, None),  # not ours to read: judged as unmarked
        ({RECORDING_METADATA: ["junk"]}, 0, "holds no interactions"),  # unreadable mark
        ("not a mapping", 0, "it holds no interactions"),
    ],
)
def test_hand_edited_recording_marks_give_a_reason_or_none_never_an_error(
    metadata: Any, count: int, reason: str | None
) -> None:
    found = incomplete_reason(metadata, count)
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found
        assert len(found) < 120 and "x" * 81 not in found  # a hostile reason is cut short
