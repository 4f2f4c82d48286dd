"""One module per benchmark; bench/run.py lists them and runs each in its own process.

A benchmark module defines:

- `TITLE`: the heading of its section in docs/benchmarks.md.
- `NEEDS_POSTGRESQL`: True when it cannot run at all without the PostgreSQL server.
- `measure(options) -> dict`: runs in a fresh process and returns its figures as
  JSON-serialisable values.
- `table(figures, results) -> list[Line]`: the report lines, given its own figures and
  the figures of every benchmark of the same run (for ratios to a baseline).
"""
