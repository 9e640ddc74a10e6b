"""cli/digest.py: `newsbrief digest` as a cron job runs it (the digest itself is tested in
test_digest.py and the hostile tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run

from tests.fakes.digests import router, write_reports
from tests.fakes.server import serve


def test_quiet_digest_prints_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_reports(tmp_path / "in", 2)
    out = tmp_path / "digest.md"
    with serve(router()) as fake:
        argv = ["digest", str(tmp_path / "in"), "-o", str(out), "--base-url", fake.base_url]
        code, stdout, err = run([*argv, "--cache-dir", str(tmp_path / "c"), "-q"], capsys)
    assert (code, stdout, err) == (0, "", "")
    assert out.read_text().startswith("#")
