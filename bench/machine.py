"""Describe the machine and software versions a benchmark run used."""

import os
import platform
import sqlite3
from pathlib import Path

import django
import psycopg


def describe(postgres_url: str | None) -> dict:
    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count()),
        "Memory": _memory(),
        "OS": _operating_system(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": _postgres_version(postgres_url),
        "SQLite": sqlite3.sqlite_version,
        "Load average at start (1, 5, 15 min)": ", ".join(
            f"{load:.2f}" for load in os.getloadavg()
        ),
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory() -> str:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                kibibytes = int(line.split()[1])
                return f"{kibibytes / 1024**2:.1f} GiB"
    return "unknown"


def _operating_system() -> str:
    try:
        name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        name = platform.system()
    return f"{name}, kernel {platform.release()}"


def _postgres_version(url: str | None) -> str:
    if url is None:
        return "not reachable"
    with psycopg.connect(url, connect_timeout=5) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]
