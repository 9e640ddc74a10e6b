"""A repeated digest makes no model call and returns fast.

Run (from the repository root): python -m bench.bench_cached_digest
Briefs seeds/ against a local fake endpoint (tests.fakes.server), then times the identical
second run, which must be served from the cache.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from tests.fakes.digests import router
from tests.fakes.server import serve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, serve(router()) as fake:
        cmd = ["newsbrief", "digest", str(ROOT / "seeds"), "-o", f"{tmp}/d.html",
               "--cache-dir", f"{tmp}/cache", "--base-url", fake.base_url]  # fmt: skip
        subprocess.run(cmd, capture_output=True, check=True)
        first = len(fake.requests)
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        elapsed = time.perf_counter() - t
        print(
            f"first run: {first} requests; second run: {len(fake.requests) - first} requests, "
            f"{elapsed:.2f} s"
        )


if __name__ == "__main__":
    main()
