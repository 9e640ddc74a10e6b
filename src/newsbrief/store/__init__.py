"""The store below the digest: one SQLite table of answers by kind (table.py), and the one
way an article is briefed through it (briefs.py), for the CLI, digests, batch files and the
evaluator alike."""
