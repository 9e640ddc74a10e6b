"""The embedded model, for real: no cassette, no mock (about a minute; run by .ci/run)."""

from __future__ import annotations

import pytest
from support import ROOT
from test_seed_cassettes import assert_grounded

from newsbrief import summarize
from newsbrief.model.embedded import shared_server, stop_shared_server

SEED = ROOT / "seeds" / "004_c079fb98a94b3a61.txt"


@pytest.mark.live
def test_embedded_model_end_to_end() -> None:
    text = SEED.read_text(encoding="utf-8")
    try:
        brief = summarize(text)
        assert brief.provenance.endpoint == "embedded"
        assert brief.key_figures, brief.warnings
        assert_grounded(brief)
        assert shared_server().running
    finally:
        stop_shared_server()
    assert not shared_server.__globals__["_shared"].running
