"""Import jobs: an uploaded file previewed, then committed in the background."""

import logging
import threading
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports.engine import run_import
from core.imports.registry import get_importer
from core.imports.report import ImportReport, Severity
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
    job.progress_total = report.rows + report.skipped
    job.save()
    return report


def import_job_run(*, job: ImportJob, skip_invalid: bool) -> ImportReport | None:
    """Import the job's file for real and store the result; returns None when the
    import failed with an unexpected error (logged and kept in `failure`)."""
    job.skip_invalid = skip_invalid
    job.status = ImportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.progress_done = 0
    job.save(update_fields=["skip_invalid", "status", "started_at", "progress_done"])

    def progress(done: int, total: int) -> None:
        if done in (0, total) or done - progress.saved >= PROGRESS_EVERY_ROWS:
            progress.saved = done
            ImportJob.objects.filter(pk=job.pk).update(
                progress_done=done, progress_total=total
            )

    progress.saved = 0
    importer = get_importer(job.kind)(user=job.created_by)
    try:
        report = run_import(
            importer, Path(job.file.path), skip_invalid=skip_invalid, progress=progress
        )
    except Exception as error:
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.failure = _("Error inesperado: %(error)s") % {"error": error}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        return None

    _store_counts(job, report)
    job.status = (
        ImportJob.Status.DONE if report.committed else ImportJob.Status.REJECTED
    )
    job.finished_at = timezone.now()
    job.progress_done = job.progress_total = report.rows + report.skipped
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


def import_job_start(*, job: ImportJob, skip_invalid: bool) -> None:
    """Run import_job_run in a background thread so the page can poll progress.

    NOTE: a thread dies with the web process; a task queue (Celery, RQ, Django
    tasks) is the production upgrade. A job left in "importando" by a restart
    stays so and must be uploaded again.
    """
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    thread = threading.Thread(
        target=_run_in_thread, args=(job.pk, skip_invalid), daemon=True
    )
    thread.start()


def _run_in_thread(job_id: int, skip_invalid: bool) -> None:
    try:
        job = ImportJob.objects.get(pk=job_id)
        import_job_run(job=job, skip_invalid=skip_invalid)
    finally:
        # The thread opened its own database connection; close it here.
        connections.close_all()


def _file_unreadable(report: ImportReport) -> bool:
    return any(issue.row == 0 for issue in report.errors)


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
