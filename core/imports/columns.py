"""Columns an importer expects, and matching them to the headers of a file."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.text import fold

_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def header_key(text) -> str:
    """Fold a header for comparison: `RAZÓN SOCIAL / NOMBRE` → `razon social nombre`."""
    if text is None:
        return ""
    return _PUNCTUATION.sub(" ", fold(str(text))).strip()


@dataclass(frozen=True)
class Column:
    """A column an importer reads: its key in parsed rows, the Spanish header it
    shows in messages, the other header spellings it accepts, and whether a file
    without it is rejected."""

    key: str
    label: str
    aliases: Sequence[str] = ()
    required: bool = False
    help_text: str = ""
    keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        names = {header_key(self.label), *(header_key(alias) for alias in self.aliases)}
        object.__setattr__(self, "keys", frozenset(name for name in names if name))


@dataclass(frozen=True)
class ForeignKind:
    """Another kind of file an importer must reject, known by headers that only
    that kind has. `name` is Spanish, as a message names it ("el catastro de
    suscriptores"). A header row with at least `min_headers` of `headers`
    (compared folded) is taken for that kind."""

    name: str
    headers: Sequence[str]
    min_headers: int = 2

    def headers_in(self, found: Sequence[str]) -> list[str]:
        """Return the headers of `found` that mark this kind, as written."""
        marks = {header_key(header) for header in self.headers}
        return [header for header in found if header_key(header) in marks]


@dataclass
class HeaderMatch:
    """Where each expected column sits in a file: column key → position, plus the
    header text as the file writes it (used to name the column in messages)."""

    positions: dict[str, int]
    headers: dict[str, str]
    found: list[str]

    @property
    def score(self) -> int:
        return len(self.positions)

    def missing(self, columns: Sequence[Column]) -> list[Column]:
        return [
            column
            for column in columns
            if column.required and column.key not in self.positions
        ]


def match_headers(cells: Sequence, columns: Sequence[Column]) -> HeaderMatch:
    """Match header cells to columns by folded name: exact spellings first, then a
    header that starts with a known spelling (`VALOR UNITARIO (COP)`). The first
    header matching a column wins; later ones are ignored."""
    keys = [header_key(cell) for cell in cells]
    positions: dict[str, int] = {}
    used: set[int] = set()

    for column in columns:
        for index, key in enumerate(keys):
            if index not in used and key in column.keys:
                positions[column.key] = index
                used.add(index)
                break

    for column in columns:
        if column.key in positions:
            continue
        for index, key in enumerate(keys):
            if index in used or not key:
                continue
            if any(key.startswith(name + " ") for name in column.keys):
                positions[column.key] = index
                used.add(index)
                break

    headers = {key: str(cells[index]).strip() for key, index in positions.items()}
    found = [str(cell).strip() for cell in cells if cell not in (None, "")]
    return HeaderMatch(positions=positions, headers=headers, found=found)
