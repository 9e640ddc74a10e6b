"""newsbrief's benchmarks, a package run from the repository root: `python -m bench` is the
overhead benchmark (run.py); `python -m bench.bench_grounding`, `bench.bench_cached_digest`,
`bench.bench_embedded`, `bench.candidates` and `bench.scale` (cost per article at 2,000 to
100,000 articles through batch files and the digest) the others. The fakes they share with
the tests import as `tests.fakes`."""
