"""The outcome of an import: counts, row problems and matched records."""

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _


class Severity(StrEnum):
    # An error rejects the row; a warning keeps the row without the offending value.
    ERROR = "error"
    WARNING = "warning"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, a required
    column missing). The message is Spanish and says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Issue:
    """A problem in one cell. `row` is the row number a spreadsheet shows (0 for a
    problem with the whole file); `column` is the header as the file writes it."""

    row: int
    column: str
    message: str
    value: str = ""
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @property
    def detail(self) -> str:
        """The message without the row and column it starts with, for tables
        that show them in columns of their own."""
        prefix = cell_prefix(self.row, self.column)
        return self.message.removeprefix(prefix)


def cell_prefix(row: int, column: str) -> str:
    """Return the start of a cell's problem message, naming its row and column."""
    return _("Fila %(row)s, columna «%(column)s»: ") % {"row": row, "column": column}


@dataclass
class Match:
    """A row that matched a record already stored or an earlier row of the file."""

    row: int
    key: str
    earlier_row: int | None = None
    existing: str = ""
    # What the row changed: in the earlier row it repeats
    # (Importer.describe_merge), or in the stored record it updated
    # (WriteResult.changes).
    changes: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    """Counts and problems of one import run. `created + updated + unchanged +
    rejected == rows` once the run has finished, unless nothing was written."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    # Blank and footer lines, also counted in `skipped`.
    blank_rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    preview: list[dict] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    @property
    def progress_rows(self) -> int:
        """Rows an import's progress counts: every row but the blank and footer
        lines, so the rows the report counts plus the importer's skipped rows
        (section titles, notes)."""
        return self.rows + self.skipped - self.blank_rows

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.errors if issue.severity == Severity.WARNING]

    @property
    def row_errors(self) -> list[Issue]:
        return [issue for issue in self.errors if issue.severity == Severity.ERROR]

    def count(self, outcome: Outcome) -> None:
        setattr(self, str(outcome), getattr(self, str(outcome)) + 1)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "blank_rows": self.blank_rows,
            "errors": [issue.as_dict() for issue in self.errors],
            "matches": [match.as_dict() for match in self.matches],
            "notes": list(self.notes),
            "header_row": self.header_row,
            "columns": dict(self.columns),
            # Pairs, because PostgreSQL's jsonb does not keep the order of an
            # object's keys, and the preview's columns follow the file's.
            "preview": [list(row.items()) for row in self.preview],
            "committed": self.committed,
            "dry_run": self.dry_run,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        report = cls(
            **{
                key: data[key]
                for key in (
                    "rows",
                    "created",
                    "updated",
                    "unchanged",
                    "rejected",
                    "skipped",
                    "blank_rows",
                    "notes",
                    "header_row",
                    "columns",
                    "preview",
                    "committed",
                    "dry_run",
                )
                if key in data
            }
        )
        # Reports stored before the preview rows became pairs hold objects.
        report.preview = [
            row if isinstance(row, dict) else dict(row) for row in report.preview
        ]
        report.errors = [
            Issue(**{**issue, "severity": Severity(issue["severity"])})
            for issue in data.get("errors", [])
        ]
        report.matches = [Match(**match) for match in data.get("matches", [])]
        return report
