"""Our import: `manage.py import_customers FILE --json --skip-invalid` on SQLite and
PostgreSQL, each on a fresh migrated database, with rate and peak memory."""

import json
import tempfile
from pathlib import Path

from bench.harness import (
    ROOT,
    Options,
    bench_database,
    django_env,
    manage,
    migrate,
    rows_per_second,
)
from bench.report import Line, number

TITLE = "Our import: manage.py import_customers"
NEEDS_POSTGRESQL = False
BASELINES = ["copy"]
COMMAND_FILE = ROOT / "customers" / "management" / "commands" / "import_customers.py"

TARGET_ROWS_PER_SECOND = 20_000
TARGET_COPY_RATIO = 0.2
# The large file (4 times the rows by default) may cost at most this much more
# peak memory than the small one. An importer that streams the file keeps only
# small per-row state, such as the IDs seen for duplicate detection.
MAX_MEMORY_GROWTH = 1.25


def measure(options: Options) -> dict:
    if not COMMAND_FILE.exists():
        return {"available": False}
    figures = {"available": True}
    files = {"large": options.customer_file, "small": options.small_customer_file}
    for size, path in files.items():
        print(f"import on SQLite, {size} file", flush=True)
        figures[f"sqlite_{size}"] = import_on_sqlite(path)
    if options.postgres_url is not None:
        for size, path in files.items():
            print(f"import on PostgreSQL, {size} file", flush=True)
            figures[f"postgresql_{size}"] = import_on_postgresql(options, path)
    return figures


def import_on_sqlite(path: str) -> dict:
    with tempfile.TemporaryDirectory() as var_dir:
        url = f"sqlite:///{var_dir}/db.sqlite3"
        migrate(url, Path(var_dir))
        return run_import(path, url, Path(var_dir))


def import_on_postgresql(options: Options, path: str) -> dict:
    with (
        bench_database(options, "import") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        migrate(url, Path(var_dir))
        return run_import(path, url, Path(var_dir))


def run_import(
    path: str, url: str, var_dir: Path, command: str = "import_customers"
) -> dict:
    result = manage(
        [command, path, "--json", "--skip-invalid"],
        django_env(url, var_dir),
    )
    figures = {
        "returncode": result.returncode,
        "seconds": result.seconds,
        "peak_rss_mb": result.peak_rss_mb,
        "cpu_seconds": result.cpu_seconds,
    }
    try:
        summary = json.loads(result.stdout)
    except json.JSONDecodeError:
        figures["output"] = (result.stdout + result.stderr)[-2000:]
        return figures
    figures.update(
        {key: summary.get(key) for key in ("rows", "created", "updated", "unchanged")}
    )
    figures["rejected"] = summary.get("rejected")
    issues = summary.get("errors", [])
    figures["errors"] = sum(1 for issue in issues if issue.get("severity") == "error")
    figures["warnings"] = len(issues) - figures["errors"]
    figures["rows_per_second"] = rows_per_second(
        summary.get("rows") or 0, result.seconds
    )
    if result.returncode != 0:
        figures["output"] = result.stderr[-2000:]
    return figures


def table(figures: dict, results: dict) -> list[Line]:
    if not figures.get("available"):
        return [Line("import_customers", "not available yet")]
    lines = []
    copy_rate = results.get("copy", {}).get("rows_per_second")
    for database in ("sqlite", "postgresql"):
        large = figures.get(f"{database}_large")
        small = figures.get(f"{database}_small")
        if large is None:
            lines.append(Line(f"{database_label(database)}", "skipped"))
            continue
        lines += run_lines(database, large, small, copy_rate)
    return lines


def run_lines(
    database,
    large,
    small,
    copy_rate,
    copy_ratio_target: float | None = TARGET_COPY_RATIO,
) -> list[Line]:
    """Return the table lines of one database's runs. `copy_ratio_target` is the
    lowest passing ratio of the rate to COPY's, or None to report it only."""
    label = database_label(database)
    if "rows_per_second" not in large or large["returncode"] != 0:
        message = f"failed (exit status {large['returncode']})"
        return [Line(f"{label}: import", message, passed=False)]

    on_postgresql = database == "postgresql"
    rate = large["rows_per_second"]
    lines = [
        Line(
            f"{label}: {number(large['rows'])} rows in {large['seconds']:.1f} s "
            f"(created {number(large['created'] or 0)}, updated "
            f"{number(large['updated'] or 0)}, rejected {number(large['rejected'] or 0)})",
            f"{number(rate)} rows/s",
            f"≥ {number(TARGET_ROWS_PER_SECOND)} rows/s" if on_postgresql else "",
            rate >= TARGET_ROWS_PER_SECOND if on_postgresql else None,
        )
    ]
    if on_postgresql and copy_rate:
        ratio = rate / copy_rate
        lines.append(
            Line(
                f"{label}: rate as a ratio of COPY in this run",
                f"{ratio:.2f}",
                "" if copy_ratio_target is None else f"≥ {copy_ratio_target}",
                None if copy_ratio_target is None else ratio >= copy_ratio_target,
            )
        )
    lines.append(
        Line(
            f"{label}: CPU time of the import process (user + system)",
            f"{large['cpu_seconds']:.1f} s",
        )
    )
    lines.append(
        Line(f"{label}: peak memory, {number(large['rows'])} rows", mebibytes(large))
    )
    if small and small.get("returncode") == 0 and small.get("rows"):
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        lines.append(
            Line(
                f"{label}: peak memory, {number(small['rows'])} rows, and the "
                f"{number(large['rows'])}-row peak as a ratio of it",
                f"{mebibytes(small)} (ratio {growth:.2f})",
                f"ratio ≤ {MAX_MEMORY_GROWTH}",
                growth <= MAX_MEMORY_GROWTH,
            )
        )
    return lines


def database_label(database: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[database]


def mebibytes(run: dict) -> str:
    return f"{run['peak_rss_mb']:.0f} MiB"


def details(figures: dict) -> str:
    if not figures.get("available"):
        return ""
    return (
        "Each import runs `manage.py import_customers FILE --json --skip-invalid` on a "
        "freshly migrated database; the time is the whole command, Django start-up "
        "included, and the peak memory is that process's `ru_maxrss`. "
        "The rows counted are the data rows the command reports reading.\n"
    )
