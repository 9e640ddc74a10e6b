"""python -m bench: the overhead benchmark (bench/run.py)."""

from bench.run import main

main()
