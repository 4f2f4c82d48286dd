"""Screens of termination requests: the deadlines list, a request with its
verification and desistimiento, list import and distribution, deliveries,
reconciliation meetings and the novedades report."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core.calendar import BusinessCalendar
from core.permissions import manager_required, role_required
from customers.history import _entries as history_entries
from subscribers.models import Competitor, SubscriberAccount
from terminations import documents, services
from terminations.forms import (
    AssignAccountForm,
    AssignAdvisorForm,
    CompetitorForm,
    DeliveryForm,
    MeetingForm,
    RejectForm,
    RequestListUploadForm,
    SignedUploadForm,
    UnassignAccountForm,
    VerificationForm,
)
from terminations.importer import received_items
from terminations.models import (
    DeliveryBatch,
    NoveltyBatch,
    ReconciliationMeeting,
    RequestList,
    TerminationRequest,
)
from terminations.preview import list_notes, list_summary

worker_required = role_required(
    Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR
)
novelty_reader_required = role_required(
    Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR, Role.BILLING
)
# Rows per page of the open-requests list.
PAGE_SIZE = 100
# Filters of the open-requests page by flag, as (label, condition).
FLAG_FILTERS = {
    "sin_cuenta": (gettext_lazy("Sin coincidencia"), Q(account__isnull=True)),
    "predial_truncado": (
        gettext_lazy("Predial truncado por Excel"),
        Q(cadastral_number_truncated=True, account__isnull=True),
    ),
    "ya_desvinculada": (gettext_lazy("Ya desvinculada"), Q(already_unlinked=True)),
    "reclamada": (
        gettext_lazy("Reclamada por otro competidor"),
        Q(claimed_by_other=True),
    ),
}

# Value of the page's `plazo` filter for requests whose response is overdue or
# due soon, as the start page counts them.
DEADLINE_DUE_FILTER = "vencido_o_pronto"
# Value of the `plazo` filter for requests whose response is overdue.
DEADLINE_OVERDUE_FILTER = "vencido"

CSV_TYPE = "text/csv; charset=utf-8"

# Content types of stored uploads by the extension upload_extension gave them.
UPLOAD_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}


def _visible(request, pk) -> TerminationRequest:
    requests = (
        TerminationRequest.objects.visible_to(request.user)
        .select_related("account", "competitor", "advisor", "request_list")
        .defer("request_list__report")
    )
    return get_object_or_404(requests, pk=pk)


def _stored_attachment(field, name: str) -> FileResponse:
    """Send a stored upload as a download, typed by its extension (the upload check
    set that extension from the file's content)."""
    extension = Path(field.name).suffix.lower()
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{name}{extension}",
        content_type=UPLOAD_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@worker_required
def request_list(request):
    """Open requests with both deadlines and their status: all of them for
    managers, an advisor's own for advisors."""
    calendar = BusinessCalendar()
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    flag = request.GET.get("alerta", "")
    deadline = request.GET.get("plazo", "")
    to_verify = request.GET.get("por_verificar") == "1"
    requests = TerminationRequest.objects.visible_to(request.user).open().search(query)
    if flag in FLAG_FILTERS:
        requests = requests.filter(FLAG_FILTERS[flag][1])
    if deadline == DEADLINE_DUE_FILTER:
        requests = requests.response_due_soon(today)
    elif deadline == DEADLINE_OVERDUE_FILTER:
        requests = requests.response_overdue(today)
    else:
        deadline = ""
    if to_verify:
        requests = requests.awaiting_verification()
    requests = requests.select_related("account", "competitor", "advisor").order_by(
        "response_due_on", "pk"
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = [
        {
            "request": item,
            "response_status": calendar.deadline_status(item.response_due_on, today),
            "effective_status": calendar.deadline_status(item.effective_due_on, today),
        }
        for item in page
    ]
    # The page links repeat the filters, without the page number.
    filters = request.GET.copy()
    filters.pop("pagina", None)
    return render(
        request,
        "terminations/list.html",
        {
            "rows": rows,
            "page": page,
            "filter_query": filters.urlencode(),
            "total": page.paginator.count,
            "today": today,
            "query": query,
            "flag": flag,
            "flags": [(key, label) for key, (label, _q) in FLAG_FILTERS.items()],
            "deadline": deadline,
            "to_verify": to_verify,
            "filtered": bool(query or flag or deadline or to_verify),
            "response_days": settings.TERMINATION_RESPONSE_BUSINESS_DAYS,
            "effective_months": settings.TERMINATION_EFFECTIVE_MONTHS,
        },
    )


@worker_required
def detail(request, pk):
    return _detail_render(request, _visible(request, pk))


def _history(item: TerminationRequest) -> list:
    """Return the request's saved changes, newest first, with their reasons."""
    entries = history_entries(item.history.all(), lambda record: _("la solicitud"))
    entries.reverse()
    return entries


def _detail_render(request, item, verification_form=None):
    """Render the request page; `verification_form` is a bound form to show
    again with its errors and the values the user chose."""
    resolving = request.user.is_manager and item.account_id is None and item.is_open
    calendar = BusinessCalendar()
    today = timezone.localdate()
    awaiting_response = item.status in (
        TerminationRequest.Status.FILED,
        TerminationRequest.Status.VERIFYING,
    )
    return render(
        request,
        "terminations/detail.html",
        {
            "item": item,
            "verifications": item.verifications.select_related("recorded_by"),
            "desistimiento": getattr(item, "desistimiento", None),
            "verification_form": verification_form or VerificationForm(),
            "reject_form": RejectForm(),
            "signed_form": SignedUploadForm(),
            "assign_form": AssignAccountForm() if resolving else None,
            "unassign_form": UnassignAccountForm()
            if request.user.is_manager and services.request_account_undoable(item)
            else None,
            "advisor_form": AssignAdvisorForm()
            if request.user.is_manager and item.is_open
            else None,
            "advisor_changes": _advisor_changes(item),
            "account_changes": _account_changes(item),
            "history": _history(item),
            "received": received_items(
                item.received, item.request_list.received_columns
            ),
            "candidates": services.account_candidates(request=item)
            if resolving
            else [],
            "response_days": settings.TERMINATION_RESPONSE_BUSINESS_DAYS,
            "effective_months": settings.TERMINATION_EFFECTIVE_MONTHS,
            # Each deadline is marked while it still binds the request.
            "response_status": calendar.deadline_status(item.response_due_on, today)
            if awaiting_response
            else None,
            "effective_status": calendar.deadline_status(item.effective_due_on, today)
            if item.is_open
            else None,
        },
    )


@manager_required
@require_POST
def assign_account(request, pk):
    item = _visible(request, pk)
    form = AssignAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["account_code"]))
        return redirect(item)
    try:
        services.request_assign_account(
            request=item, account=form.cleaned_data["account_code"], user=request.user
        )
        messages.success(
            request,
            _("Cuenta %(code)s asignada a la solicitud.")
            % {"code": item.account.account_code},
        )
    except services.TerminationError as error:
        messages.error(request, str(error))
    return redirect(item)


@manager_required
@require_POST
def unassign_account(request, pk):
    item = _visible(request, pk)
    form = UnassignAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect(item)
    code = item.account.account_code if item.account_id else ""
    try:
        services.request_unassign_account(
            request=item, user=request.user, reason=form.cleaned_data["reason"]
        )
    except services.TerminationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Se deshizo la asignación de la cuenta %(code)s. Asigne la cuenta "
                "que corresponde a la solicitud."
            )
            % {"code": code},
        )
    return redirect(item)


@manager_required
@require_POST
def assign_advisor(request, pk):
    item = _visible(request, pk)
    form = AssignAdvisorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elija el asesor al que se asigna la solicitud."))
        return redirect(item)
    advisor = form.cleaned_data["advisor"]
    try:
        services.request_assign_advisor(
            request=item,
            advisor=advisor,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except services.TerminationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Solicitud asignada a %(name)s.") % {"name": advisor}
        )
    return redirect(item)


def _advisor_changes(item: TerminationRequest) -> list[dict]:
    """Return each change of the request's advisor, oldest first, with who made
    it, when, the advisor before and after, and the reason recorded."""
    return _history_changes(item, "advisor")


def _account_changes(item: TerminationRequest) -> list[dict]:
    """Return each change of the request's account after the import (assigned
    or undone by hand), as _advisor_changes does for the advisor."""
    return _history_changes(item, "account")


def _history_changes(item: TerminationRequest, field: str) -> list[dict]:
    changes = []
    previous = None
    records = item.history.select_related("history_user", field).order_by(
        "history_date", "history_id"
    )
    for record in records:
        before_key = getattr(previous, f"{field}_id", None)
        if previous is not None and getattr(record, f"{field}_id") != before_key:
            changes.append(
                {
                    "when": record.history_date,
                    "user": record.history_user,
                    "before": getattr(previous, field),
                    "after": getattr(record, field),
                    "reason": record.history_change_reason or "",
                }
            )
        previous = record
    return changes


@worker_required
@require_POST
def verify(request, pk):
    item = _visible(request, pk)
    form = VerificationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.verification_record(
                request=item,
                user=request.user,
                result=form.cleaned_data["result"],
                evidence_kind=form.cleaned_data["evidence_kind"],
                notes=form.cleaned_data["notes"],
                evidence_file=form.cleaned_data["evidence_file"],
                submission_token=form.cleaned_data["submission"],
            )
        except services.DuplicateSubmission as error:
            messages.warning(request, str(error))
            return redirect(item)
        except (services.TerminationError, ValidationError) as error:
            form.add_error(None, _messages(error))
        else:
            messages.success(request, _("Verificación registrada."))
            return redirect(item)
    messages.error(request, _("La verificación no se registró; revise el formulario."))
    return _detail_render(request, item, verification_form=form)


@manager_required
@require_POST
def reject(request, pk):
    item = _visible(request, pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise services.TerminationError(
                _("Escriba el motivo y el fundamento legal del rechazo.")
            )
        services.request_reject(
            request=item,
            user=request.user,
            reason=form.cleaned_data["reason"],
            basis=form.cleaned_data["basis"],
        )
        messages.success(request, _("Solicitud rechazada."))
    except services.TerminationError as error:
        messages.error(request, str(error))
    return redirect(item)


@worker_required
def desistimiento_pdf(request, pk):
    item = _visible(request, pk)
    desistimiento = getattr(item, "desistimiento", None)
    if desistimiento is None:
        raise Http404("No desistimiento")
    return _attachment(
        services.desistimiento_pdf(desistimiento),
        f"{desistimiento.code}.pdf",
        "application/pdf",
    )


@worker_required
@require_POST
def desistimiento_upload(request, pk):
    item = _visible(request, pk)
    desistimiento = getattr(item, "desistimiento", None)
    if desistimiento is None:
        raise Http404("No desistimiento")
    form = SignedUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Elija el archivo del formato firmado."))
        return redirect(item)
    try:
        replaced = services.desistimiento_upload_signed(
            desistimiento=desistimiento,
            uploaded=form.cleaned_data["file"],
            user=request.user,
        )
        messages.success(request, _("Formato firmado cargado."))
        if replaced:
            messages.warning(
                request,
                _(
                    "Este escaneo reemplaza al formato firmado cargado antes; el "
                    "anterior queda en el historial del desistimiento %(code)s."
                )
                % {"code": desistimiento.code},
            )
    except (services.TerminationError, ValidationError) as error:
        messages.error(request, " ".join(_messages(error)))
    return redirect(item)


@worker_required
def desistimiento_signed(request, pk):
    item = _visible(request, pk)
    desistimiento = getattr(item, "desistimiento", None)
    if desistimiento is None or not desistimiento.signed_file:
        raise Http404("No signed form")
    extension = Path(desistimiento.signed_file.name).suffix
    return FileResponse(
        desistimiento.signed_file.open("rb"),
        as_attachment=True,
        filename=f"{desistimiento.code}-firmado{extension}",
        content_type=desistimiento.signed_content_type,
    )


@worker_required
def verification_evidence(request, pk, verification_pk):
    item = _visible(request, pk)
    verification = get_object_or_404(item.verifications, pk=verification_pk)
    if not verification.evidence_file:
        raise Http404("No evidence file")
    return _stored_attachment(
        verification.evidence_file, f"soporte-verificacion-{verification.pk}"
    )


@manager_required
def list_upload(request):
    """Upload a competitor's list and show its preview; below the form, the
    previews still open and the lists received."""
    form = RequestListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_list = services.request_list_preview(
                competitor=form.cleaned_data["competitor"],
                uploaded=form.cleaned_data["file"],
                user=request.user,
            )
        except services.TerminationError as error:
            form.add_error("file", str(error))
        else:
            return redirect(request_list)
    lists = RequestList.objects.select_related("competitor")
    return render(
        request,
        "terminations/list_upload.html",
        {
            "form": form,
            "previews": lists.open_previews().select_related("imported_by"),
            "lists": lists.received()[:50],
            "preview_hours": settings.TERMINATION_LIST_PREVIEW_HOURS,
        },
    )


@manager_required
def competitors(request):
    """List the competitors and register a new one, which importing its first
    list requires."""
    form = CompetitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        competitor = form.save()
        messages.success(
            request, _("Competidor %(name)s registrado.") % {"name": competitor.name}
        )
        return redirect("terminations:list_upload")
    return render(
        request,
        "terminations/competitors.html",
        {"form": form, "competitors": Competitor.objects.all()},
    )


@manager_required
def list_detail(request, pk):
    request_list = get_object_or_404(RequestList, pk=pk)
    plan = None
    if request_list.status == RequestList.Status.IMPORTED:
        plan = services.distribution_plan(request_list=request_list)
    summary = list_summary(request_list.report)
    return render(
        request,
        "terminations/list_detail.html",
        {
            "request_list": request_list,
            "report": request_list.report,
            "notes": list_notes(request_list.report),
            "summary": summary,
            # A discarded preview keeps its counts but not its rows.
            "show_rows": summary.has_rows
            and request_list.status != RequestList.Status.DISCARDED,
            "plan": plan,
            "preview_hours": settings.TERMINATION_LIST_PREVIEW_HOURS,
        },
    )


@manager_required
@require_POST
def list_discard(request, pk):
    request_list = get_object_or_404(RequestList, pk=pk)
    try:
        services.request_list_discard(request_list=request_list, user=request.user)
    except services.TerminationError as error:
        messages.error(request, str(error))
        return redirect(request_list)
    messages.success(
        request,
        _("Vista previa de «%(name)s» descartada; no se importó nada.")
        % {"name": request_list.original_name},
    )
    return redirect("terminations:list_upload")


@manager_required
@require_POST
def list_confirm(request, pk):
    request_list = get_object_or_404(RequestList, pk=pk)
    skip_invalid = request.POST.get("skip_invalid") == "on"
    if (
        request_list.status == RequestList.Status.PREVIEW
        and request_list.report.get("rejected")
        and not skip_invalid
    ):
        # The import would roll back and close the preview: ask first.
        messages.error(
            request,
            _(
                "La lista tiene filas con errores. Marque «Importar solo las filas "
                "válidas» para importar las demás, o corrija el archivo y cárguelo "
                "de nuevo."
            ),
        )
        return redirect(request_list)
    try:
        report, _tally = services.request_list_import(
            request_list=request_list,
            user=request.user,
            skip_invalid=skip_invalid,
        )
        if report.committed:
            messages.success(request, _("Lista importada."))
        else:
            messages.error(
                request,
                _("La lista tiene filas con errores; no se guardó."),
            )
    except services.TerminationError as error:
        messages.error(request, str(error))
    return redirect(request_list)


@manager_required
@require_POST
def list_distribute(request, pk):
    request_list = get_object_or_404(RequestList, pk=pk)
    try:
        count = services.distribution_confirm(
            request_list=request_list,
            user=request.user,
            plan_digest=request.POST.get("digest", ""),
        )
        messages.success(
            request,
            ngettext(
                "%(count)s solicitud asignada.",
                "%(count)s solicitudes asignadas.",
                count,
            )
            % {"count": count},
        )
    except services.TerminationError as error:
        messages.error(request, str(error))
    return redirect(request_list)


@manager_required
def deliveries(request):
    competitors = Competitor.objects.all()
    pending = [
        (competitor, list(services.delivery_candidates(competitor=competitor)))
        for competitor in competitors
    ]
    return render(
        request,
        "terminations/deliveries.html",
        {
            "pending": [(c, items) for c, items in pending if items],
            "batches": DeliveryBatch.objects.select_related("competitor")[:50],
            "form": DeliveryForm(),
            "response_days": settings.TERMINATION_RESPONSE_BUSINESS_DAYS,
        },
    )


@manager_required
@require_POST
def delivery_create(request, competitor_pk):
    competitor = get_object_or_404(Competitor, pk=competitor_pk)
    form = DeliveryForm(
        request.POST, candidates=services.delivery_candidates(competitor=competitor)
    )
    try:
        if not form.is_valid():
            raise services.TerminationError(
                " ".join(
                    message
                    for field_errors in form.errors.values()
                    for message in field_errors
                )
            )
        batch = services.delivery_create(
            competitor=competitor,
            desistimientos=list(form.cleaned_data["desistimiento"]),
            user=request.user,
            received_by=form.cleaned_data["received_by"],
        )
    except services.TerminationError as error:
        messages.error(request, str(error))
        return redirect("terminations:deliveries")
    messages.success(request, _("Entrega registrada."))
    return redirect(batch)


@manager_required
def delivery_detail(request, pk):
    batch = get_object_or_404(DeliveryBatch, pk=pk)
    return render(
        request,
        "terminations/delivery_detail.html",
        {"batch": batch, "items": batch.desistimientos.select_related("request")},
    )


DELIVERY_FILES = {
    "libro": ("workbook", documents.XLSX_TYPE),
    "desistimientos": ("bundle", "application/pdf"),
    "acta": ("record", "application/pdf"),
}


@manager_required
def delivery_file(request, pk, kind):
    batch = get_object_or_404(DeliveryBatch, pk=pk)
    if kind not in DELIVERY_FILES:
        raise Http404(kind)
    field_name, content_type = DELIVERY_FILES[kind]
    field = getattr(batch, field_name)
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=Path(field.name).name,
        content_type=content_type,
    )


@manager_required
def meeting_create(request):
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreements = _agreement_inputs(data["agreements"])
            meeting = services.meeting_record(
                competitor=data["competitor"],
                held_on=data["held_on"],
                frequency=data["frequency"],
                attendees=data["attendees"],
                documents_delivered=data["documents_delivered"],
                documents_received=data["documents_received"],
                minutes=data["minutes"],
                agreements=agreements,
                user=request.user,
                submission_token=data["submission"],
            )
        except services.DuplicateSubmission as error:
            messages.warning(request, str(error))
            return redirect(error.record)
        except (services.TerminationError, ValidationError) as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(request, _("Reunión de conciliación registrada."))
            return redirect(meeting)
    meetings = ReconciliationMeeting.objects.select_related("competitor")[:50]
    return render(
        request, "terminations/meeting_form.html", {"form": form, "meetings": meetings}
    )


@manager_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(ReconciliationMeeting, pk=pk)
    return render(
        request,
        "terminations/meeting_detail.html",
        {
            "meeting": meeting,
            "agreements": meeting.agreements.select_related("account"),
        },
    )


@manager_required
def meeting_minutes(request, pk):
    meeting = get_object_or_404(ReconciliationMeeting, pk=pk)
    if not meeting.minutes:
        raise Http404("No minutes")
    return _stored_attachment(
        meeting.minutes, f"acta-conciliacion-{meeting.held_on:%Y%m%d}-{meeting.pk}"
    )


@novelty_reader_required
def novelties(request):
    """The pending novedades with their downloads and, below, the batches already
    reported. A download made from the page carries the page's `al` and `hasta`,
    so it contains the novelties the page listed, whatever was recorded since."""
    report = _novelty_report_from(request.GET)
    export = request.GET.get("formato")
    if export == "xlsx":
        return _attachment(
            report.xlsx(), f"novedades-{report.on:%Y%m%d}.xlsx", documents.XLSX_TYPE
        )
    if export == "csv":
        return _attachment(report.csv(), f"novedades-{report.on:%Y%m%d}.csv", CSV_TYPE)
    return render(
        request,
        "terminations/novelties.html",
        {
            "report": report,
            "batches": NoveltyBatch.objects.select_related("marked_by")[:50],
        },
    )


def _novelty_report_from(data) -> services.NoveltyReport:
    """Return the report pinned by `al` (its date) and `hasta` (the last novelty
    id it saw) in `data`, or today's report with every novelty when they are
    missing or invalid."""
    pinned = _novelty_pin(data)
    if pinned is None:
        return services.novelty_report()
    on, last_id = pinned
    return services.novelty_report(on=on, last_id=last_id)


def _novelty_pin(data) -> tuple[date, int] | None:
    """Return the (`al`, `hasta`) pair of a report page, or None when either is
    missing or invalid. A date after today is invalid: marking the report makes
    the terminations due on its date effective, which must not run ahead."""
    try:
        on = date.fromisoformat(data.get("al", ""))
        last_id = int(data.get("hasta", ""))
    except ValueError:
        return None
    if on > timezone.localdate():
        return None
    return on, last_id


@manager_required
@require_POST
def novelties_mark_sent(request):
    """Mark as reported the novedades the page listed, as one batch."""
    pinned = _novelty_pin(request.POST)
    if pinned is None:
        messages.error(
            request,
            _("El formulario llegó incompleto. Recargue la página e intente de nuevo."),
        )
        return redirect("terminations:novelties")
    on, last_id = pinned
    try:
        batch = services.novelty_batch_create(
            on=on,
            last_id=last_id,
            digest=request.POST.get("digest", ""),
            user=request.user,
        )
    except services.DuplicateSubmission as error:
        messages.info(request, str(error))
    except services.TerminationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "Lote %(batch)s: %(count)s novedad marcada como reportada.",
                "Lote %(batch)s: %(count)s novedades marcadas como reportadas.",
                batch.novelty_count,
            )
            % {"batch": batch.pk, "count": batch.novelty_count},
        )
    return redirect("terminations:novelties")


@manager_required
@require_POST
def terminations_make_effective(request):
    """Record as efectiva the accepted terminations whose unlinking date has
    come, as the daily make_terminations_effective command does."""
    count = services.terminations_make_effective(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s terminación quedó registrada como efectiva y su cuenta "
                "desvinculada.",
                "%(count)s terminaciones quedaron registradas como efectivas y sus "
                "cuentas desvinculadas.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("No había terminaciones por hacer efectivas hoy."))
    return redirect("terminations:novelties")


NOVELTY_BATCH_FILES = {
    "xlsx": ("workbook", documents.XLSX_TYPE),
    "csv": ("csv_file", CSV_TYPE),
}


@novelty_reader_required
def novelty_batch_file(request, pk, kind):
    """Download a reported batch's file again, as it was when it was marked."""
    batch = get_object_or_404(NoveltyBatch, pk=pk)
    if kind not in NOVELTY_BATCH_FILES:
        raise Http404(kind)
    field_name, content_type = NOVELTY_BATCH_FILES[kind]
    field = getattr(batch, field_name)
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"novedades-{batch.report_on:%Y%m%d}-lote-{batch.pk}.{kind}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _agreement_inputs(lines) -> list[services.AgreementInput]:
    inputs = []
    for number, code, outcome, notes in lines:
        account = SubscriberAccount.objects.filter(account_code=code.zfill(9)).first()
        if account is None:
            raise services.TerminationError(
                _(
                    "Línea %(line)s: la cuenta %(code)s no existe en el catastro. "
                    "Revise el código."
                )
                % {"line": number, "code": code.zfill(9)}
            )
        inputs.append(services.AgreementInput(account, outcome, notes, number))
    return inputs


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]
