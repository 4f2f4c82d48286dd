"""The verdicts of the import benchmarks' table lines."""

from bench.benchmarks.customer_import import run_lines

RUN = {
    "returncode": 0,
    "rows": 200_000,
    "seconds": 8.0,
    "rows_per_second": 25_000.0,
    "created": 200_000,
    "updated": 0,
    "rejected": 0,
    "cpu_seconds": 5.0,
    "peak_rss_mb": 90.0,
}


def ratio_line(lines):
    (line,) = [line for line in lines if "ratio of COPY" in line.measure]
    return line


def test_copy_ratio_below_target_fails():
    line = ratio_line(run_lines("postgresql", RUN, None, copy_rate=400_000.0))
    assert line.passed is False


def test_copy_ratio_without_target_is_reported_only():
    lines = run_lines(
        "postgresql", RUN, None, copy_rate=400_000.0, copy_ratio_target=None
    )
    line = ratio_line(lines)
    assert line.value == "0.06"
    assert line.passed is None
    assert lines[0].passed is True
