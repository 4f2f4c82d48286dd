"""What every benchmark shares: options, measured subprocesses and bench databases."""

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = ROOT / "bench" / "output"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass
class Options:
    """Settings of one `bench/run.py` run, passed as JSON to each benchmark process."""

    rows: int
    small_rows: int
    customer_file: str
    small_customer_file: str
    # Admin connection used to create and drop bench databases; None when the
    # PostgreSQL server could not be reached.
    postgres_url: str | None
    database_prefix: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Options":
        return cls(**json.loads(text))


@dataclass
class Measured:
    """Outcome of a command run by `run_measured`."""

    returncode: int
    seconds: float
    # Peak resident set size of the process (ru_maxrss), in MiB.
    peak_rss_mb: float
    # User plus system CPU time of the process. Unlike wall time, it does not grow
    # while other processes hold the CPU, though a busy machine still inflates it.
    cpu_seconds: float
    stdout: str
    stderr: str


def run_measured(
    command: list[str], env: dict | None = None, capture: bool = True
) -> Measured:
    """Run `command` and return its exit status, wall time and peak memory.

    The peak memory is the ru_maxrss that os.wait4 reports for the process itself
    and the descendants it waited for, so each command is measured on its own.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out if capture else None,
            stderr=err if capture else None,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=process.returncode,
            seconds=seconds,
            # Linux reports ru_maxrss in KiB.
            peak_rss_mb=usage.ru_maxrss / 1024,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def django_env(database_url: str, var_dir: Path) -> dict:
    """Environment for a `manage.py` process working on a bench database."""
    return {
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def manage(arguments: list[str], env: dict, capture: bool = True) -> Measured:
    return run_measured(
        [sys.executable, str(ROOT / "manage.py"), *arguments], env, capture
    )


def migrate(database_url: str, var_dir: Path) -> None:
    """Create the schema of a fresh bench database; raise when migrate fails."""
    result = manage(["migrate", "--noinput"], django_env(database_url, var_dir))
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed on {database_url}:\n{result.stderr}")


def postgres_problem(url: str) -> str | None:
    """Return None when `url` accepts a connection, else the error text."""
    try:
        with psycopg.connect(url, connect_timeout=5):
            return None
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__


def database_url(admin_url: str, name: str) -> str:
    """Return `admin_url` pointing at database `name` on the same server."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def bench_database(options: Options, suffix: str):
    """Create an empty PostgreSQL database for one benchmark, yield its URL, drop it.

    A database left behind by an interrupted run is dropped first.
    """
    name = options.database_prefix + suffix
    _drop_database(options.postgres_url, name)
    with psycopg.connect(options.postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(options.postgres_url, name)
    finally:
        _drop_database(options.postgres_url, name)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def rows_per_second(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def setup_django(database_url: str, var_dir: Path) -> None:
    """Configure Django in this process for a bench database, after `migrate`."""
    os.environ.update(django_env(database_url, var_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
