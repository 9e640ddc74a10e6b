"""The fakes the tests and the benchmarks share: an OpenAI-compatible server on 127.0.0.1
(server.py: scripted replies, faults, request records) and the synthetic articles and
answers of digests (digests.py), a morning of three feeds for the briefing tests
(briefing.py). Importable as `tests.fakes` from the repository root."""
