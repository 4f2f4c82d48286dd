"""A subscriber registry export of any size, built from the sample registry.

The sample (`subscribers/tests/data/catastro_suscriptores.csv`, 20,000 accounts)
is repeated with new account codes, so a larger file keeps the sample's columns,
quirks and value distribution: copy k of account 449000663 is 4490006630k. Names,
documents and addresses repeat once per copy.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "subscribers" / "tests" / "data" / "catastro_suscriptores.csv"
OUTPUT_DIR = ROOT / "bench" / "output"


def sample_rows() -> tuple[list[str], list[list[str]]]:
    """Return the sample's header and data rows."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def copy_code(code: str, copy: int) -> str:
    """Return the account code of copy `copy` of an account (copy 0 is itself)."""
    return code if copy == 0 else f"{code}{copy:02d}"


def registry_rows(count: int) -> Iterator[list[str]]:
    """Yield `count` registry rows: the sample, then copies with new codes."""
    _header, rows = sample_rows()
    produced = 0
    copy = 0
    while produced < count:
        for row in rows[: count - produced]:
            yield [copy_code(row[0], copy), *row[1:]]
        produced += min(len(rows), count - produced)
        copy += 1


def write_registry_file(path: Path, count: int) -> None:
    """Write `count` rows in the sample's format: UTF-8 with BOM, `,`, LF."""
    header, _rows = sample_rows()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(buffer.getvalue())
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows(registry_rows(count))


def registry_file(count: int) -> Path:
    """Return the generated file of `count` rows, writing it when missing or older
    than the sample or this generator."""
    path = OUTPUT_DIR / f"catastro_{count}.csv"
    sources = (SAMPLE, Path(__file__))
    newest = max(source.stat().st_mtime for source in sources)
    if not path.exists() or path.stat().st_mtime < newest:
        print(f"generating {path.relative_to(ROOT)}", flush=True)
        write_registry_file(path, count)
    return path
