"""Run every check and test: lint, migrations, the suite on SQLite, then on PostgreSQL.

PostgreSQL is taken from TEST_POSTGRES_URL (default: the local server as user
postgres). When it cannot be reached, or Chromium is missing, the affected tests are
skipped and listed at the end; with CI=true they fail the run instead.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def run(title: str, command: list[str], env: dict | None = None) -> int:
    print(f"\n=== {title} ===", flush=True)
    return subprocess.call(command, cwd=ROOT, env={**os.environ, **(env or {})})


def postgres_reachable(url: str) -> str | None:
    """Return None when `url` accepts a connection, else the error text."""
    try:
        with psycopg.connect(url, connect_timeout=5):
            return None
    except psycopg.Error as error:
        return str(error).strip()


def run_suite(database: str, env: dict) -> list[str]:
    """Run the suite on one database, then the browser tests in a process of their
    own, so that their live server starts from a fresh database state."""
    failures = []
    pytest = [sys.executable, "-m", "pytest"]
    if run(f"pytest on {database}", [*pytest, "-m", "not browser"], env) != 0:
        failures.append(f"pytest on {database}")
    if run(f"browser tests on {database}", [*pytest, "-m", "browser"], env) != 0:
        failures.append(f"browser tests on {database}")
    return failures


def main() -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    failures = []
    skipped = []

    checks = [
        ("ruff check", [str(BIN / "ruff"), "check", "."]),
        ("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."]),
        (
            "makemigrations --check",
            [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        ),
    ]
    for title, command in checks:
        if run(title, command) != 0:
            failures.append(title)

    sqlite_env = {"DATABASE_URL": "sqlite:///:memory:"}
    failures += run_suite("SQLite", sqlite_env)

    postgres_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    problem = postgres_reachable(postgres_url)
    if problem is None:
        failures += run_suite("PostgreSQL", {"DATABASE_URL": postgres_url})
    else:
        skipped.append(
            f"the PostgreSQL pass: cannot connect to {postgres_url} ({problem})"
        )
        if in_ci:
            failures.append("PostgreSQL unreachable on CI")

    print("\n=== summary ===")
    for reason in skipped:
        print(f"SKIPPED {reason}")
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
