"""Import jobs: an uploaded file previewed, then committed in the background."""

import logging
import threading
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.imports.engine import run_import
from core.imports.registry import get_importer
from core.imports.report import ImportReport, Match, Severity
from core.models import ImportJob

logger = logging.getLogger(__name__)

# Progress is saved at most once per this many rows, besides the start and the end.
PROGRESS_EVERY_ROWS = 2000


def import_job_create(*, kind: str, uploaded_file: UploadedFile, user) -> ImportJob:
    """Store an uploaded file as a new job in preview status."""
    get_importer(kind)
    job = ImportJob(
        kind=kind, original_name=Path(uploaded_file.name).name, created_by=user
    )
    job.file.save(uploaded_file.name, uploaded_file, save=False)
    job.save()
    logger.info("Import job %s created for %s", job.pk, kind)
    return job


def import_job_preview(*, job: ImportJob) -> ImportReport:
    """Validate the whole file without writing anything and store the report."""
    importer = get_importer(job.kind)(user=job.created_by)
    report = run_import(importer, Path(job.file.path), dry_run=True)
    _store_counts(job, report)
    job.status = (
        ImportJob.Status.REJECTED
        if _file_unreadable(report)
        else ImportJob.Status.PREVIEW
    )
    job.progress_total = report.progress_rows
    job.save()
    return report


# Progress of the jobs running in this process, by job id: (rows done, total).
_progress_in_process: dict[int, tuple[int, int]] = {}


class ProgressStore:
    """Storage for a running job's progress, which other requests read before
    the import's transaction commits.

    The import writes all its rows in one transaction, so progress saved through
    that transaction's connection stays invisible until the end. On PostgreSQL
    the store updates the job row through a second connection in autocommit
    mode. SQLite allows one writer at a time and the import holds the lock, so
    there the store keeps the progress in this process's memory, which the
    progress page reads (import_job_progress).

    NOTE: on SQLite, a progress request served by another web process than the
    one running the import reads the job's stored progress (0) until the end.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.connection = None
        if connection.vendor != "sqlite":
            self.connection = connection.copy()

    def save(self, done: int, total: int) -> None:
        _progress_in_process[self.job_id] = (done, total)
        if self.connection is None:
            return
        table = self.connection.ops.quote_name(ImportJob._meta.db_table)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s "
                    "WHERE id = %s",
                    [done, total, self.job_id],
                )
        except DatabaseError:
            # Progress is for the page only: the import goes on without it.
            logger.warning(
                "Import job %s: progress not saved, no longer trying",
                self.job_id,
                exc_info=True,
            )
            self.close_connection()

    def close(self) -> None:
        _progress_in_process.pop(self.job_id, None)
        self.close_connection()

    def close_connection(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """Return the rows done and the total of a job, as it runs."""
    return _progress_in_process.get(job.pk, (job.progress_done, job.progress_total))


def import_job_run(*, job: ImportJob, skip_invalid: bool) -> ImportReport | None:
    """Import the job's file for real and store the result; returns None when the
    import failed with an unexpected error (logged and kept in `failure`)."""
    job.skip_invalid = skip_invalid
    job.status = ImportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.progress_done = 0
    job.save(update_fields=["skip_invalid", "status", "started_at", "progress_done"])

    store = ProgressStore(job.pk)

    def progress(done: int, total: int) -> None:
        if done in (0, total) or done - progress.saved >= PROGRESS_EVERY_ROWS:
            progress.saved = done
            store.save(done, total)

    progress.saved = 0
    previewed = (job.created, job.updated, job.unchanged)
    previewed_matches = (job.report or {}).get("matches", [])
    importer = get_importer(job.kind)(user=job.created_by)
    try:
        report = run_import(
            importer, Path(job.file.path), skip_invalid=skip_invalid, progress=progress
        )
    except Exception:
        store.close()
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        # The exception's text is technical English: the log keeps it.
        job.failure = _(
            "La importación falló por un error inesperado y no se guardó nada. "
            "Avise al administrador del sistema (importación %(job)s)."
        ) % {"job": job.pk}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        return None

    store.close()
    if report.committed:
        _preview_differences_note(report, previewed, previewed_matches)
    _store_counts(job, report)
    job.status = (
        ImportJob.Status.DONE if report.committed else ImportJob.Status.REJECTED
    )
    job.finished_at = timezone.now()
    job.progress_done = job.progress_total = report.progress_rows
    job.save()
    logger.info(
        "Import job %s finished: %s rows, %s created, %s updated, %s rejected",
        job.pk,
        report.rows,
        report.created,
        report.updated,
        report.rejected,
    )
    return report


def import_job_start(*, job: ImportJob, skip_invalid: bool) -> bool:
    """Run import_job_run in a background thread so the page can poll progress,
    and return True. Return False without running it when the job is no
    longer a preview, because another request confirmed it first.

    NOTE: a thread dies with the web process; a task queue (Celery, RQ, Django
    tasks) is the production upgrade. A job left in "importando" by a restart
    stays so and must be uploaded again.
    """
    started = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.PREVIEW
    ).update(status=ImportJob.Status.RUNNING)
    if not started:
        return False
    thread = threading.Thread(
        target=_run_in_thread, args=(job.pk, skip_invalid), daemon=True
    )
    thread.start()
    return True


def _run_in_thread(job_id: int, skip_invalid: bool) -> None:
    try:
        job = ImportJob.objects.get(pk=job_id)
        import_job_run(job=job, skip_invalid=skip_invalid)
    finally:
        # The thread opened its own database connection; close it here.
        connections.close_all()


def _file_unreadable(report: ImportReport) -> bool:
    return any(issue.row == 0 for issue in report.errors)


def _preview_differences_note(
    report: ImportReport, previewed: tuple[int, int, int], previewed_matches: list
) -> None:
    """Add a note to a committed import's report when its outcome differs from
    the preview's: first by the counts, else by the rows whose match differs."""
    if (report.created, report.updated, report.unchanged) != previewed:
        report.notes.append(_preview_differs_note(previewed, report))
        return
    rows = _rows_matched_differently(previewed_matches, report.matches)
    if rows:
        report.notes.append(_preview_matches_differ_note(rows))


def _rows_matched_differently(previewed: list[dict], matches: list[Match]) -> list[int]:
    """Return the rows whose match differs between the preview's stored report
    and the import's: a record matched or no longer matched, another stored
    record, or other changes. The changes include the stored values an update
    replaces, so an edit that the import overwrites shows here."""
    # NOTE: a preview stored by a version that gave updates no change text
    # differs on every updated row, so its confirmation lists them all. A
    # confirmation on a later day also lists a row whose last-service date was
    # still in the future at the preview, although no stored record changed.
    before = {
        (
            match["row"],
            match.get("key", ""),
            match.get("earlier_row"),
            match.get("existing", ""),
            match.get("changes", ""),
        )
        for match in previewed
    }
    after = {
        (match.row, match.key, match.earlier_row, match.existing, match.changes)
        for match in matches
    }
    return sorted({row for row, *_rest in before ^ after})


def _preview_matches_differ_note(rows: list[int]) -> str:
    """Explain an import whose counts equal its preview's while some rows
    matched another way: the stored records changed in between."""
    listed = ", ".join(str(row) for row in rows[:20])
    if len(rows) > 20:
        listed += ", …"
    return ngettext(
        "Los totales coinciden con la vista previa, pero en %(count)s fila la "
        "coincidencia o lo que cambia ya no es lo que mostraba (fila %(rows)s): "
        "los datos guardados cambiaron entre la vista previa y la confirmación "
        "(otra importación o una edición). Revise las coincidencias.",
        "Los totales coinciden con la vista previa, pero en %(count)s filas la "
        "coincidencia o lo que cambia ya no es lo que mostraba (filas %(rows)s): "
        "los datos guardados cambiaron entre la vista previa y la confirmación "
        "(otra importación o una edición). Revise las coincidencias.",
        len(rows),
    ) % {"count": len(rows), "rows": listed}


def _preview_differs_note(previewed: tuple[int, int, int], report) -> str:
    """Explain an import whose counts differ from its preview's: the stored
    records changed in between (another import, or an edit)."""
    return _(
        "El resultado no coincide con la vista previa, que contaba %(created)s por "
        "crear, %(updated)s por actualizar y %(unchanged)s sin cambios: los datos "
        "guardados cambiaron entre la vista previa y la confirmación (otra "
        "importación o una edición). Revise las coincidencias."
    ) % dict(zip(("created", "updated", "unchanged"), previewed, strict=True))


def _store_counts(job: ImportJob, report: ImportReport) -> None:
    job.rows = report.rows
    job.created = report.created
    job.updated = report.updated
    job.unchanged = report.unchanged
    job.rejected = report.rejected
    job.warnings = sum(
        1 for issue in report.errors if issue.severity == Severity.WARNING
    )
    job.report = report.as_dict()
