"""Screens of field work: an order's aforos, prepayments, proof and execution, the
daily proof upload of operations, the coordinator's inbox of incomplete proof, and
the downloads of the stored files."""

from datetime import date
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import MANAGER_ROLES, Role
from core.dates import day_param
from core.formatting import format_pesos
from core.permissions import role_required
from field_work import services
from field_work.forms import (
    READINGS_PREFIX,
    AforoForm,
    ExecutionForm,
    PrepaymentForm,
    ProofUploadForm,
    ReadingFormSet,
    tariff_choices,
)
from field_work.models import Aforo, AforoPhoto, Prepayment, ServiceProof
from field_work.proof import proof_inbox, proof_missing, proof_requirements
from service_orders.models import ServiceOrder

aforo_required = role_required(*services.AFORO_ROLES)
prepayment_required = role_required(*services.PREPAYMENT_ROLES)
execution_required = role_required(*services.EXECUTION_ROLES)
inbox_required = role_required(Role.OPERATIONS, Role.LOGISTICS, *MANAGER_ROLES)


def _visible_order(request, pk) -> ServiceOrder:
    queryset = ServiceOrder.objects.visible_to(request.user).select_related(
        "customer", "advisor", "supervisor", "quotation"
    )
    return get_object_or_404(queryset, pk=pk)


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _order_url(order) -> str:
    return reverse("field_work:order", args=[order.pk])


def _parse_day(value: str | None, request=None) -> date:
    """Return the date `value` names, or today when it is empty or invalid. With
    `request`, an invalid date also adds a Spanish error message."""
    try:
        return day_param(value)
    except ValidationError as error:
        if request is not None:
            _show_errors(request, error)
        return timezone.localdate()


@require_GET
def order_detail(request, pk):
    """Everything field work recorded on one order, with the actions the user's
    role allows."""
    order = _visible_order(request, pk)
    user = request.user
    aforos = order.aforos.select_related("measured_by").prefetch_related(
        "readings__tariff_item", "photos"
    )
    proofs = order.proofs.select_related("uploaded_by")
    can_execute = user.is_superuser or user.has_role(*services.EXECUTION_ROLES)
    can_prepay = user.is_superuser or user.has_role(*services.PREPAYMENT_ROLES)
    can_annul_prepayment = can_prepay and not services.prepayment_is_final(order)
    return render(
        request,
        "field_work/order.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "aforos": [(aforo, services.aforo_charge(aforo)) for aforo in aforos],
            "prepayments": order.prepayments.select_related(
                "registered_by", "annulled_by"
            ),
            "paid": services.prepayment_paid(order),
            "due": services.prepayment_due(order),
            "covered": services.prepayment_is_covered(order),
            "proofs": proofs,
            "requirements": proof_requirements(order),
            "missing": proof_missing(order),
            "can_aforo": user.is_superuser or user.has_role(*services.AFORO_ROLES),
            "can_prepay": can_prepay,
            "can_execute": can_execute,
            "proof_form": ProofUploadForm() if can_execute else None,
            "can_annul_prepayment": can_annul_prepayment,
            "open_states": services.OPEN_STATES,
            "aforo_annul_states": services.AFORO_ANNUL_STATES,
            "proof_states": services.PROOF_STATES,
        },
    )


def _reading_formset(data, measured_on: date):
    return ReadingFormSet(
        data,
        prefix=READINGS_PREFIX,
        form_kwargs={
            "tariffs": tariff_choices(measured_on),
            "measured_on": measured_on,
        },
    )


@aforo_required
def aforo_create(request, pk):
    order = _visible_order(request, pk)
    if request.method == "POST":
        form = AforoForm(request.POST, request.FILES, user=request.user)
        measured_on = _parse_day(request.POST.get("measured_on"))
        formset = _reading_formset(request.POST, measured_on)
        if form.is_valid() and formset.is_valid():
            readings = [
                services.ReadingInput(**reading.cleaned_data)
                for reading in formset
                if reading.cleaned_data
            ]
            try:
                aforo = services.aforo_record(
                    order=order,
                    user=request.user,
                    measured_on=form.cleaned_data["measured_on"],
                    measured_by=form.cleaned_data["measured_by"],
                    method=form.cleaned_data["method"],
                    readings=readings,
                    signed_record=form.cleaned_data["signed_record"],
                    photos=form.cleaned_data["photos"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                _show_errors(request, error)
            else:
                messages.success(
                    request,
                    _("Aforo registrado. Valor a cobrar: %(total)s.")
                    % {"total": format_pesos(aforo.charge_total)},
                )
                return redirect(_order_url(order))
    else:
        form = AforoForm(user=request.user)
        formset = _reading_formset(None, timezone.localdate())
    return render(
        request,
        "field_work/aforo_form.html",
        {"order": order, "form": form, "formset": formset},
    )


@aforo_required
@require_POST
def aforo_annul(request, pk):
    """Annul one aforo of an order with the reason typed in the order page."""
    aforo = get_object_or_404(
        Aforo.objects.visible_to(request.user).select_related("order"), pk=pk
    )
    try:
        services.aforo_annul(
            aforo=aforo, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(
            request,
            _("Aforo anulado. Registre un nuevo aforo si la orden lo necesita."),
        )
    return redirect(_order_url(aforo.order))


@aforo_required
@require_GET
def aforo_reading_row(request, pk):
    """Render one more empty reading row for the aforo form (htmx), numbered from
    the formset's current TOTAL_FORMS. An out-of-band input raises that count."""
    order = _visible_order(request, pk)
    try:
        index = int(request.GET.get(f"{READINGS_PREFIX}-TOTAL_FORMS", "1"))
    except ValueError:
        index = 1
    index = max(0, min(index, 49))
    formset = _reading_formset(None, _parse_day(request.GET.get("measured_on")))
    form = formset.form(
        prefix=f"{READINGS_PREFIX}-{index}",
        tariffs=formset.form_kwargs["tariffs"],
        measured_on=formset.form_kwargs["measured_on"],
        use_required_attribute=False,
    )
    return render(
        request,
        "field_work/partials/reading_row.html",
        {"order": order, "reading": form, "total_forms": index + 1, "oob": True},
    )


@prepayment_required
def prepayment_create(request, pk):
    order = _visible_order(request, pk)
    form = PrepaymentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prepayment_register(
                order=order,
                user=request.user,
                reference=form.cleaned_data["reference"],
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
                receipt=form.cleaned_data["receipt"],
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("Pago anticipado registrado."))
            due = services.prepayment_due(order)
            paid = services.prepayment_paid(order)
            if due is not None and paid < due:
                messages.warning(
                    request,
                    _(
                        "Los pagos suman %(paid)s y el aforo cobra %(due)s: faltan "
                        "%(missing)s. La orden se podrá programar cuando los pagos "
                        "cubran el valor."
                    )
                    % {
                        "paid": format_pesos(paid),
                        "due": format_pesos(due),
                        "missing": format_pesos(due - paid),
                    },
                )
            return redirect(_order_url(order))
    return render(
        request,
        "field_work/prepayment_form.html",
        {
            "order": order,
            "form": form,
            "due": services.prepayment_due(order),
            "paid": services.prepayment_paid(order),
        },
    )


@prepayment_required
@require_POST
def prepayment_annul(request, pk):
    """Annul one payment of an order with the reason typed in the order page, and
    warn when the payments left no longer cover the aforo's charge."""
    prepayment = get_object_or_404(
        Prepayment.objects.visible_to(request.user).select_related("order"), pk=pk
    )
    order = prepayment.order
    try:
        services.prepayment_annul(
            prepayment=prepayment,
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        _show_errors(request, error)
        return redirect(_order_url(order))
    messages.success(
        request,
        _("Pago %(reference)s anulado; ya no cuenta para el pago anticipado.")
        % {"reference": prepayment.reference},
    )
    order.refresh_from_db()
    if order.prepayment_required and not services.prepayment_is_covered(order):
        _warn_payments_short(request, order)
    return redirect(_order_url(order))


def _warn_payments_short(request, order: ServiceOrder) -> None:
    due = services.prepayment_due(order)
    paid = services.prepayment_paid(order)
    if due is None:
        return
    if order.status == ServiceOrder.Status.SCHEDULED:
        message = _(
            "La orden %(code)s ya está programada, pero los pagos vigentes suman "
            "%(paid)s y el aforo cobra %(due)s. Registre el pago que falta o "
            "reprograme o cancele el servicio."
        )
    else:
        message = _(
            "Los pagos vigentes suman %(paid)s y el aforo cobra %(due)s: la orden "
            "%(code)s no se podrá programar hasta que los pagos cubran el valor."
        )
    messages.warning(
        request,
        message
        % {"code": order.code, "paid": format_pesos(paid), "due": format_pesos(due)},
    )


@execution_required
@require_POST
def proof_create(request, pk):
    order = _visible_order(request, pk)
    form = ProofUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            proofs = services.proof_upload_many(
                order=order,
                user=request.user,
                kind=form.cleaned_data["kind"],
                files=form.cleaned_data["files"],
                taken_on=form.cleaned_data["taken_on"],
                reference=form.cleaned_data["reference"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s soporte de %(code)s guardado.",
                    "%(count)s soportes de %(code)s guardados.",
                    len(proofs),
                )
                % {"count": len(proofs), "code": order.code},
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    if request.POST.get("volver") == "dia":
        day = _parse_day(request.POST.get("fecha"))
        return redirect(f"{reverse('field_work:daily')}?fecha={day.isoformat()}")
    return redirect(_order_url(order))


@execution_required
def execution_update(request, pk):
    order = _visible_order(request, pk)
    form = ExecutionForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.execution_record(
                order=order,
                user=request.user,
                executed_on=form.cleaned_data["executed_on"],
                quantities=form.quantities(),
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(
                request, _("Orden %(code)s ejecutada.") % {"code": order.code}
            )
            return redirect(_order_url(order))
    return render(
        request, "field_work/execution_form.html", {"order": order, "form": form}
    )


@execution_required
@require_GET
def daily(request):
    """List the orders scheduled or executed on one day (today by default) with
    their proof status and an upload form each."""
    day = _parse_day(request.GET.get("fecha"), request)
    orders = (
        ServiceOrder.objects.visible_to(request.user)
        .filter(
            Q(status=ServiceOrder.Status.SCHEDULED, scheduled_date=day)
            | Q(status=ServiceOrder.Status.EXECUTED, executed_on=day)
        )
        .select_related("customer", "supervisor")
        .prefetch_related("lines", "proofs")
        .order_by("scheduled_time", "code")
    )
    rows = [
        {
            "order": order,
            "proof_count": len(order.proofs.all()),
            "missing": proof_missing(order),
        }
        for order in orders
    ]
    return render(
        request,
        "field_work/daily.html",
        {
            "day": day,
            "previous_day": date.fromordinal(day.toordinal() - 1),
            "next_day": date.fromordinal(day.toordinal() + 1),
            "rows": rows,
            "form": ProofUploadForm(initial={"taken_on": day}),
        },
    )


@inbox_required
@require_GET
def inbox(request):
    today = timezone.localdate()
    days = proof_inbox(user=request.user, today=today)
    return render(
        request,
        "field_work/inbox.html",
        {"days": days, "today": today, "total": sum(len(d.rows) for d in days)},
    )


# --- Downloads -------------------------------------------------------------------


def _file_response(field_file, *, content_type: str, filename: str) -> FileResponse:
    if not field_file:
        raise Http404("No file")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Stored file missing") from error
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _extension(field_file) -> str:
    return Path(field_file.name).suffix


@require_GET
def proof_file(request, pk):
    proof = get_object_or_404(
        ServiceProof.objects.visible_to(request.user).select_related("order"), pk=pk
    )
    return _file_response(
        proof.file,
        content_type=proof.content_type,
        filename=f"{proof.order.code}-{proof.kind}-{proof.pk}{_extension(proof.file)}",
    )


@require_GET
def aforo_record_file(request, pk):
    aforo = get_object_or_404(
        Aforo.objects.visible_to(request.user).select_related("order"), pk=pk
    )
    return _file_response(
        aforo.signed_record,
        content_type=aforo.signed_record_content_type or "application/octet-stream",
        filename=f"{aforo.order.code}-acta-aforo-{aforo.pk}"
        f"{_extension(aforo.signed_record)}",
    )


@require_GET
def aforo_photo_file(request, pk):
    visible = Aforo.objects.visible_to(request.user).values("pk")
    photo = get_object_or_404(
        AforoPhoto.objects.filter(aforo__in=visible).select_related("aforo__order"),
        pk=pk,
    )
    return _file_response(
        photo.file,
        content_type=photo.content_type,
        filename=f"{photo.aforo.order.code}-foto-aforo-{photo.pk}"
        f"{_extension(photo.file)}",
    )


@require_GET
def prepayment_receipt_file(request, pk):
    prepayment = get_object_or_404(
        Prepayment.objects.visible_to(request.user).select_related("order"), pk=pk
    )
    return _file_response(
        prepayment.receipt,
        content_type=prepayment.receipt_content_type,
        filename=f"{prepayment.order.code}-pago-{prepayment.pk}"
        f"{_extension(prepayment.receipt)}",
    )
