"""newsbrief's benchmarks, a package run from the repository root: `python -m bench` is the
overhead benchmark (run.py); `python -m bench.bench_grounding`, `bench.bench_cached_digest`,
`bench.bench_embedded` and `bench.candidates` the others. The fakes they share with the tests
import as `tests.fakes`."""
