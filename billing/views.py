import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from billing import services
from billing.consolidation import month_orders, proofs_zip_write, workbook_export
from billing.forms import InvoiceForm, ReopenForm
from billing.importer import INVOICE_IMPORT_KIND
from billing.models import Handoff
from billing.periods import Month, month_current, month_parse
from core.imports.forms import ImportUploadForm
from core.imports.jobs import import_job_create, import_job_preview, import_job_run
from core.imports.registry import get_importer
from core.imports.report import ImportReport
from core.models import ImportJob
from core.permissions import role_required
from service_orders.models import ServiceOrder

# The month view, workbook and hand-offs are for the managers and billing.
reader_required = role_required(*services.REOPENER_ROLES)
sender_required = role_required(*services.SENDER_ROLES)
invoice_required = role_required(*services.INVOICE_ROLES)

INVOICE_PAGE_SIZE = 100


def _month(request) -> Month | None:
    """Return the month of the `mes` parameter, the current month without one, or
    None after adding the Spanish error message when `mes` is not a valid month.
    The caller then redirects to the month page."""
    text = request.GET.get("mes") or request.POST.get("mes")
    if not text:
        return month_current()
    try:
        return month_parse(text)
    except ValidationError as error:
        _show_errors(request, error)
        return None


def _current_month_redirect():
    return redirect(reverse("billing:month"))


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@reader_required
def month_view(request):
    month = _month(request)
    if month is None:
        return _current_month_redirect()
    rows = services.order_summaries(
        month_orders(month).filter(
            pk__in=ServiceOrder.objects.visible_to(request.user).values("pk")
        )
    )
    counts = {"ejecutado": 0, "consolidado": 0, "facturado": 0}
    for row in rows:
        counts[row.stage] += 1
    # The same rule as the send page, so "por entregar" is what a send would take.
    blockers = services.handoff_blockers(
        [row.pk for row in rows if row.stage == "ejecutado"]
    )
    for row in rows:
        row.reason = blockers.get(row.pk, "")
    counts["por_entregar"] = counts["ejecutado"] - len(blockers)
    counts["retenidas"] = len(blockers)
    return render(
        request,
        "billing/month.html",
        {
            "month": month,
            "rows": rows,
            "counts": counts,
            "missing_proofs": sum(1 for row in rows if not row.proof_count),
            "can_send": request.user.is_superuser
            or request.user.has_role(*services.SENDER_ROLES),
        },
    )


@require_GET
@reader_required
def month_workbook(request):
    month = _month(request)
    if month is None:
        return _current_month_redirect()
    orders = month_orders(month)
    target = tempfile.TemporaryFile()
    workbook_export(orders, target, month=month)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"consolidado-servicios-{month.slug}.xlsx"
    )


@require_GET
@reader_required
def month_proofs(request):
    month = _month(request)
    if month is None:
        return _current_month_redirect()
    target = tempfile.TemporaryFile()
    proofs_zip_write(month_orders(month), target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"soportes-servicios-{month.slug}.zip"
    )


@sender_required
def handoff_send(request):
    month = _month(request)
    if month is None:
        return _current_month_redirect()
    if request.method == "POST":
        try:
            expected = [int(pk) for pk in request.POST.getlist("ordenes")]
        except ValueError as error:
            raise Http404 from error
        try:
            result = services.handoff_send(
                month=month, user=request.user, expected_ids=expected
            )
        except services.HandoffChanged as error:
            # Show the new preview right away instead of sending another set.
            _show_errors(request, error)
        except ValidationError as error:
            _show_errors(request, error)
            return redirect(f"{reverse('billing:handoff_send')}?mes={month.slug}")
        else:
            count = result.handoff.service_count
            messages.success(
                request,
                ngettext(
                    "Consolidado de %(month)s enviado a facturación: %(count)s orden.",
                    "Consolidado de %(month)s enviado a facturación: %(count)s "
                    "órdenes.",
                    count,
                )
                % {"month": month.label, "count": count},
            )
            left_out = len(result.left_out)
            if left_out:
                messages.warning(
                    request,
                    ngettext(
                        "Quedó por fuera %(count)s orden (sin vinculación aprobada o "
                        "sin soportes completos).",
                        "Quedaron por fuera %(count)s órdenes (sin vinculación "
                        "aprobada o sin soportes completos).",
                        left_out,
                    )
                    % {"count": left_out},
                )
            return redirect(result.handoff)
    preview = services.handoff_preview(month=month)
    return render(
        request, "billing/handoff_send.html", {"preview": preview, "month": month}
    )


@require_GET
@reader_required
def handoff_list(request):
    handoffs = Handoff.objects.visible_to(request.user).select_related("sent_by")
    page = Paginator(handoffs, 50).get_page(request.GET.get("pagina"))
    return render(request, "billing/handoff_list.html", {"page": page})


@require_GET
@reader_required
def handoff_detail(request, pk):
    handoff = get_object_or_404(Handoff.objects.visible_to(request.user), pk=pk)
    rows = services.order_summaries(handoff.service_orders.all())
    reopenings = handoff.reopenings.select_related("order", "reopened_by")
    return render(
        request,
        "billing/handoff_detail.html",
        {"handoff": handoff, "rows": rows, "reopenings": reopenings},
    )


@require_GET
@reader_required
def handoff_file(request, pk, kind):
    handoff = get_object_or_404(Handoff.objects.visible_to(request.user), pk=pk)
    stored = {"consolidado": handoff.workbook, "soportes": handoff.proofs_zip}.get(kind)
    if not stored:
        raise Http404(kind)
    name = stored.name.rsplit("/", 1)[-1]
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@require_GET
@invoice_required
def invoice_list(request):
    orders = (
        ServiceOrder.objects.visible_to(request.user)
        .filter(handoff__isnull=False)
        .select_related("customer", "handoff")
        .order_by("executed_on", "code")
    )
    pending_only = request.GET.get("todas") != "1"
    if pending_only:
        orders = orders.filter(invoice_number="")
    page = Paginator(orders, INVOICE_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "billing/invoices.html",
        {"page": page, "pending_only": pending_only, "form": InvoiceForm()},
    )


@require_POST
@invoice_required
def invoice_record(request, pk):
    order = get_object_or_404(ServiceOrder.objects.visible_to(request.user), pk=pk)
    form = InvoiceForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(
                    request,
                    _("%(code)s: %(label)s: %(error)s")
                    % {"code": order.code, "label": label, "error": error},
                )
    else:
        try:
            services.invoice_record(
                order=order,
                number=form.cleaned_data["number"],
                invoice_date=form.cleaned_data["invoice_date"],
                user=request.user,
            )
            messages.success(
                request,
                _("Factura registrada en la orden %(code)s.") % {"code": order.code},
            )
        except ValidationError as error:
            _show_errors(request, error)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("billing:invoice_list")
    return redirect(target)


def _invoice_jobs():
    # Core's import list is for managers only, so billing users see the invoice
    # imports here, including those uploaded by other users.
    return ImportJob.objects.filter(kind=INVOICE_IMPORT_KIND).select_related(
        "created_by"
    )


@invoice_required
def invoice_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=INVOICE_IMPORT_KIND,
            uploaded_file=form.cleaned_data["file"],
            user=request.user,
        )
        import_job_preview(job=job)
        return redirect("billing:invoice_import_detail", pk=job.pk)
    jobs = _invoice_jobs().defer("report")[:20]
    return render(
        request,
        "billing/invoice_import.html",
        {"form": form, "importer": get_importer(INVOICE_IMPORT_KIND), "jobs": jobs},
    )


@require_GET
@invoice_required
def invoice_import_detail(request, pk):
    job = get_object_or_404(_invoice_jobs(), pk=pk)
    report = ImportReport.from_dict(job.report) if job.report else ImportReport()
    preview_headers = list(report.preview[0])[1:] if report.preview else []
    return render(
        request,
        "billing/invoice_import_detail.html",
        {
            "job": job,
            "report": report,
            "preview_headers": preview_headers,
            "preview_rows": [list(row.values()) for row in report.preview],
            "file_error": any(issue.row == 0 for issue in report.errors),
        },
    )


@require_POST
@invoice_required
def invoice_import_confirm(request, pk):
    job = get_object_or_404(_invoice_jobs(), pk=pk)
    if job.status != ImportJob.Status.PREVIEW:
        messages.error(request, _("Esta importación ya se confirmó o fue rechazada."))
    elif job.rejected:
        messages.error(
            request,
            ngettext(
                "Hay %(count)s fila con errores y no se guardó nada. Corrija el "
                "archivo y cárguelo de nuevo.",
                "Hay %(count)s filas con errores y no se guardó nada. Corrija el "
                "archivo y cárguelo de nuevo.",
                job.rejected,
            )
            % {"count": job.rejected},
        )
    else:
        # Invoice files are short (one row per order of a month), so the import
        # runs in the request instead of a background thread.
        import_job_run(job=job, skip_invalid=False)
    return redirect("billing:invoice_import_detail", pk=job.pk)


@reader_required
def order_reopen(request, pk):
    order = get_object_or_404(
        ServiceOrder.objects.visible_to(request.user)
        .filter(handoff__isnull=False)
        .select_related("customer", "handoff"),
        pk=pk,
    )
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        handoff = order.handoff
        try:
            services.order_reopen(
                order=order, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Orden %(code)s reabierta: operaciones puede corregirla y se "
                    "entregará en el próximo envío a facturación."
                )
                % {"code": order.code},
            )
            return redirect(handoff)
    return render(request, "billing/reopen.html", {"order": order, "form": form})
