from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.imports.forms import ImportUploadForm
from core.imports.jobs import (
    import_job_create,
    import_job_preview,
    import_job_progress,
    import_job_start,
)
from core.imports.registry import all_importers, get_importer
from core.imports.report import ImportReport
from core.models import ImportJob
from core.permissions import manager_required

# Problems listed on one page; the full list stays in the job's report.
MAX_LISTED_ISSUES = 500


@manager_required
def import_list(request):
    # A report lists every row that matched: megabytes for a re-import of the
    # whole customer base, and the list shows none of it.
    jobs = (
        ImportJob.objects.visible_to(request.user)
        .select_related("created_by")
        .defer("report")
    )
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    titles = {importer.kind: importer.title for importer in all_importers()}
    for job in page:
        job.kind_title = titles.get(job.kind, job.kind)
    previews_listed = any(job.status == ImportJob.Status.PREVIEW for job in page)
    return render(
        request,
        "core/imports/list.html",
        {
            "page": page,
            "importers": all_importers(),
            "previews_listed": previews_listed,
        },
    )


@manager_required
def import_upload(request, kind):
    importer = _importer_or_404(kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=kind, uploaded_file=form.cleaned_data["file"], user=request.user
        )
        import_job_preview(job=job)
        return redirect(job)
    return render(
        request, "core/imports/upload.html", {"form": form, "importer": importer}
    )


@manager_required
def import_detail(request, pk):
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    report = ImportReport.from_dict(job.report) if job.report else ImportReport()
    preview_headers = list(report.preview[0]) if report.preview else []
    job.progress_done, job.progress_total = import_job_progress(job)
    # Matches that change something come first, each group in row order: a
    # re-import of the whole database matches every customer, and the few it
    # updates would otherwise fall past the listed ones.
    matches = sorted(report.matches, key=lambda match: not match.changes)
    context = {
        "job": job,
        "importer": _importer_or_404(job.kind),
        "report": report,
        "issues": report.errors[:MAX_LISTED_ISSUES],
        "hidden_issues": max(0, len(report.errors) - MAX_LISTED_ISSUES),
        "matches": matches[:MAX_LISTED_ISSUES],
        "changing_matches": sum(1 for match in matches if match.changes),
        "hidden_matches": max(0, len(report.matches) - MAX_LISTED_ISSUES),
        "preview_headers": preview_headers,
        "preview_rows": [list(row.values()) for row in report.preview],
        "file_error": any(issue.row == 0 for issue in report.errors),
    }
    return render(request, "core/imports/detail.html", context)


@manager_required
@require_POST
def import_confirm(request, pk):
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    if job.status != ImportJob.Status.PREVIEW:
        messages.error(request, _("Esta importación ya se confirmó o fue rechazada."))
        return redirect(job)
    skip_invalid = request.POST.get("skip_invalid") == "on"
    if job.rejected and not skip_invalid:
        messages.error(
            request,
            ngettext(
                "Hay %(count)s fila con errores. Corrija el archivo y cárguelo de "
                "nuevo, o marque «Importar solo las filas válidas».",
                "Hay %(count)s filas con errores. Corrija el archivo y cárguelo de "
                "nuevo, o marque «Importar solo las filas válidas».",
                job.rejected,
            )
            % {"count": job.rejected},
        )
        return redirect(job)
    if not import_job_start(job=job, skip_invalid=skip_invalid):
        messages.info(request, _("Esta importación ya se está importando."))
    return redirect(job)


@manager_required
def import_progress(request, pk):
    """The progress bar, polled by htmx; a finished job sends the browser to its
    result page."""
    # Polled every second while the import runs, so the preview's report, which
    # can take megabytes, is left unread.
    jobs = ImportJob.objects.visible_to(request.user).defer("report")
    job = get_object_or_404(jobs, pk=pk)
    if job.is_finished:
        response = HttpResponse()
        response["HX-Redirect"] = reverse("core:import_detail", args=[job.pk])
        return response
    job.progress_done, job.progress_total = import_job_progress(job)
    return render(request, "core/imports/_progress.html", {"job": job})


def _importer_or_404(kind: str):
    try:
        return get_importer(kind)
    except KeyError as error:
        raise Http404(kind) from error


def outbox(request):
    return render(request, "base.html")
