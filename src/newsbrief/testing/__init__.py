"""Recorded fixtures: the pytest plugin (pytest11 entry point) and cassette handling."""
