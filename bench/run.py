"""Run the benchmarks and write docs/benchmarks.md.

    .venv/bin/python bench/run.py              # every benchmark
    .venv/bin/python bench/run.py import copy  # a subset, by name

Each benchmark runs in its own process (this script with `--child`), so the peak
memory reported for it is its own. PostgreSQL benchmarks connect to the server at
TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres). Each one
creates and drops a database named BENCH_DATABASE_PREFIX (default `bench_`) plus a
suffix. When the server cannot be reached, they are skipped.
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness, machine, report  # noqa: E402
from bench.customer_file import write_customer_file  # noqa: E402

# Name on the command line -> module. New benchmarks are added here.
BENCHMARKS = {
    "copy": "bench.benchmarks.customer_copy",
    "bulk_create": "bench.benchmarks.customer_bulk_create",
    "import": "bench.benchmarks.customer_import",
    "store_floor": "bench.benchmarks.customer_store_floor",
    "search": "bench.benchmarks.customer_search",
    "quotation_pdf": "bench.benchmarks.quotation_pdf",
    "quotation_issue": "bench.benchmarks.quotation_issue",
    "quotation_list": "bench.benchmarks.quotation_list",
    "termination_match": "bench.benchmarks.termination_match",
    "registry_copy": "bench.benchmarks.registry_copy",
    "registry_import": "bench.benchmarks.registry_import",
    "registry_search": "bench.benchmarks.registry_search",
    "certificate_pdf": "bench.benchmarks.certificate_pdf",
    "monthly_workbook": "bench.benchmarks.monthly_workbook",
}


def main() -> int:
    arguments = parse_arguments()
    if arguments.child:
        return run_child(arguments.child, arguments.options, arguments.result)

    names = selected_names(arguments.names)
    options = build_options(arguments)
    if options.postgres_url is None:
        print(
            "PostgreSQL benchmarks skipped: cannot connect to "
            f"{postgres_admin_url()} ({arguments.postgres_problem})",
            flush=True,
        )

    results, sections = {}, []
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        print(f"\n=== {name}: {module.TITLE} ===", flush=True)
        figures = run_benchmark(name, module, options)
        results[name] = figures
        print(json.dumps(figures, indent=2, default=str), flush=True)
    for name in names:
        sections.append(section(name, results))
    # The raw figures, for a closer look than the page gives (git-ignored).
    harness.OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    raw = harness.OUTPUT_DIR / "results.json"
    raw.write_text(json.dumps(results, indent=2, default=str))

    if not arguments.no_docs:
        header = run_header(options, arguments)
        arguments.output.write_text(report.render(header, sections))
        print(f"\nwrote {arguments.output}")
    return 0 if all("error" not in figures for figures in results.values()) else 1


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run, from: {', '.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--rows", type=int, default=100_000, help="data rows in the customer file"
    )
    parser.add_argument(
        "--small-rows",
        type=int,
        default=25_000,
        help="data rows in the smaller file used to check that memory stays flat",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="page to write the figures to",
    )
    parser.add_argument("--no-docs", action="store_true", help="print the figures only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    return arguments


def selected_names(requested: list[str]) -> list[str]:
    """Return the requested benchmarks plus the baselines they compare with, in
    the order of BENCHMARKS."""
    wanted = set(requested or BENCHMARKS)
    for name in list(wanted):
        module = importlib.import_module(BENCHMARKS[name])
        wanted.update(getattr(module, "BASELINES", []))
    return [name for name in BENCHMARKS if name in wanted]


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", harness.DEFAULT_POSTGRES_URL)


def build_options(arguments) -> harness.Options:
    url = postgres_admin_url()
    arguments.postgres_problem = harness.postgres_problem(url)
    files = {}
    for rows in (arguments.rows, arguments.small_rows):
        files[rows] = customer_file(rows)
    return harness.Options(
        rows=arguments.rows,
        small_rows=arguments.small_rows,
        customer_file=str(files[arguments.rows]),
        small_customer_file=str(files[arguments.small_rows]),
        postgres_url=None if arguments.postgres_problem else url,
        database_prefix=os.environ.get("BENCH_DATABASE_PREFIX", "bench_"),
    )


def customer_file(rows: int) -> Path:
    """Return the generated file of `rows` rows, writing it when missing or older
    than the generator."""
    path = harness.OUTPUT_DIR / f"clientes_{rows}.csv"
    generator = ROOT / "bench" / "customer_file.py"
    if not path.exists() or path.stat().st_mtime < generator.stat().st_mtime:
        print(f"generating {path.relative_to(ROOT)}", flush=True)
        write_customer_file(path, rows)
    return path


def run_benchmark(name: str, module, options: harness.Options) -> dict:
    if module.NEEDS_POSTGRESQL and options.postgres_url is None:
        return {"skipped": "PostgreSQL is not reachable"}
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            name,
            "--options",
            options.to_json(),
            "--result",
            result.name,
        ]
        measured = harness.run_measured(command, capture=False)
        if measured.returncode < 0:
            return {"error": f"stopped by signal {-measured.returncode}"}
        if measured.returncode != 0:
            return {"error": f"exit status {measured.returncode}"}
        figures = json.loads(Path(result.name).read_text())
    figures["peak_rss_mb"] = measured.peak_rss_mb
    figures["wall_seconds"] = measured.seconds
    return figures


def run_child(name: str, options_json: str, result_path: str) -> int:
    module = importlib.import_module(BENCHMARKS[name])
    figures = module.measure(harness.Options.from_json(options_json))
    Path(result_path).write_text(json.dumps(figures, default=str))
    return 0


def section(name: str, results: dict) -> tuple[str, list, str]:
    module = importlib.import_module(BENCHMARKS[name])
    figures = results[name]
    title = f"{module.TITLE} (`{name}`)"
    if "skipped" in figures:
        return title, [report.Line("Skipped", figures["skipped"])], ""
    if "error" in figures:
        message = f"failed ({figures['error']}); see the output of the run"
        return title, [report.Line("Error", message, passed=False)], ""
    extra = module.details(figures) if hasattr(module, "details") else ""
    return title, module.table(figures, results), extra


def run_header(options: harness.Options, arguments) -> dict:
    now = datetime.now(ZoneInfo("America/Bogota"))
    command = " ".join([".venv/bin/python bench/run.py", *sys.argv[1:]])
    prefix = os.environ.get("BENCH_DATABASE_PREFIX")
    if prefix:
        command = f"BENCH_DATABASE_PREFIX={prefix} {command}"
    return {
        "Date": now.strftime("%Y-%m-%d %H:%M %Z"),
        "Command": f"`{command}`",
        "Commit": git_commit(),
        **machine.describe(options.postgres_url),
        "Customer file": f"{options.rows:,} rows (and {options.small_rows:,} for "
        "the memory check), seed 2026",
    }


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
