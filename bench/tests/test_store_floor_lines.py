"""The table lines of the benchmark that reloads the import's stored rows."""

from bench.benchmarks.customer_store_floor import table

FIGURES = {
    "rows": 100_000,
    "customers": 98_517,
    "customer_history": 98_517,
    "contacts": 58_737,
    "megabytes": 71.7,
    "seconds": 4.0,
    "rows_per_second": 25_000.0,
    "repeats": 3,
}


def test_floor_ratio_to_bare_copy():
    lines = table(FIGURES, {"copy": {"seconds": 0.5}})
    (ratio,) = [line for line in lines if "ratio of the bare COPY" in line.measure]
    assert ratio.value == "0.12"
    assert ratio.target == "the import's target is 0.2"
    assert ratio.passed is None


def test_import_ratio_to_floor():
    results = {
        "copy": {"seconds": 0.5},
        "import": {"postgresql_large": {"returncode": 0, "seconds": 6.4}},
    }
    lines = table(FIGURES, results)
    (ours,) = [line for line in lines if line.measure.startswith("Our import")]
    assert ours.value == "0.62"


def test_ratios_missing_without_runs():
    failed_import = {"import": {"postgresql_large": {"returncode": 1}}}
    lines = table(FIGURES, failed_import)
    assert len(lines) == 1
    assert lines[0].value == "4.00 s, 25,000 rows/s"
