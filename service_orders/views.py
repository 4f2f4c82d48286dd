from datetime import date, timedelta
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Role
from core.dates import day_param
from core.permissions import role_required
from customers.models import Customer
from field_work.services import OPEN_STATES, orders_awaiting_aforo
from onboarding.services import customer_is_approved
from quotations.models import Quotation
from quotations.views import list_page
from service_orders import services
from service_orders.crew import crew_format
from service_orders.forms import (
    AWAITING_AFORO,
    AgreementForm,
    OrderCreateForm,
    OrderFilterForm,
    ReasonForm,
    RescheduleForm,
    ScheduleConfirmForm,
    ScheduleRequestForm,
)
from service_orders.models import Agreement, ServiceOrder

READER_ROLES = (*Role,)

reader_required = role_required(*READER_ROLES)
editor_required = role_required(*services.EDITOR_ROLES)
scheduler_required = role_required(*services.SCHEDULER_ROLES)
canceller_required = role_required(
    *set(services.EDITOR_ROLES) | set(services.SCHEDULER_ROLES)
)

NO_EMAIL_WARNING = (
    "El cliente no tiene correo electrónico (ni su contacto principal): no se le "
    "envió el aviso. Comuníquele la programación por teléfono u otro medio y "
    "registre su correo en la ficha del cliente."
)


def _visible(request, pk) -> ServiceOrder:
    queryset = ServiceOrder.objects.visible_to(request.user).select_related(
        "customer", "advisor", "quotation", "supervisor", "agreement", "municipality"
    )
    return get_object_or_404(queryset, pk=pk)


def _visible_quotation(request, pk) -> Quotation:
    queryset = Quotation.objects.visible_to(request.user).select_related("customer")
    return get_object_or_404(queryset, pk=pk)


def _warn_if_not_emailed(request, change) -> None:
    if change.email_id is None:
        messages.warning(request, NO_EMAIL_WARNING)
    else:
        messages.info(request, f"Se envió el aviso al cliente ({change.email.to[0]}).")


@require_GET
@reader_required
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    orders = (
        ServiceOrder.objects.visible_to(request.user)
        .select_related("customer", "advisor", "quotation")
        .annotate(service_date=Coalesce("scheduled_date", "requested_date"))
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            query = data["q"].strip()
            orders = orders.filter(
                Q(code__iexact=query)
                | Q(code__istartswith=query)
                | Q(customer__in=Customer.objects.search(query).values("pk"))
            )
        if data["status"]:
            orders = orders.filter(status=data["status"])
        if data["date_from"]:
            orders = orders.filter(service_date__gte=data["date_from"])
        if data["date_to"]:
            orders = orders.filter(service_date__lte=data["date_to"])
        if data["advisor"]:
            orders = orders.filter(advisor=data["advisor"])
        if data["pending"] == AWAITING_AFORO:
            orders = orders_awaiting_aforo(orders)
    page = list_page(orders.order_by("-created_at", "-pk"), request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "service_orders/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@reader_required
def order_detail(request, pk):
    from field_work.models import Prepayment

    order = _visible(request, pk)
    prepayments = (
        Prepayment.objects.filter(order=order)
        .select_related("registered_by", "annulled_by")
        .order_by("-paid_on", "-pk")
    )
    user = request.user
    context = {
        "order": order,
        "lines": order.lines.all(),
        "crew": order.crew.all(),
        "changes": order.schedule_changes.select_related("created_by", "email"),
        "agreements": Agreement.objects.visible_to(user).filter(
            quotation=order.quotation
        ),
        # Operations and logistics read orders but not quotations, so for them
        # the quotation's code is plain text instead of a link that returns 403.
        "quotation_visible": Quotation.objects.visible_to(user)
        .filter(pk=order.quotation_id)
        .exists(),
        "prepayments": prepayments,
        "prepayments_in_force": any(not payment.annulled_at for payment in prepayments),
        # Annulled, cancelled and executed orders are never scheduled again.
        "prepayment_pending": order.prepayment_required
        and order.status in OPEN_STATES
        and not services.prepayment_registered(order),
        "onboarding_pending": order.status in ONBOARDING_WARNING_STATES
        and not customer_is_approved(order.customer),
        "onboarding_link": _onboarding_link(order.customer),
        "customer_email": services.customer_email_address(order.customer),
        "can_edit": services.can_edit(user),
        "can_schedule": services.can_schedule(user),
        "history": order.history.select_related("history_user")[:50],
    }
    return render(request, "service_orders/detail.html", context)


@editor_required
def order_create(request, quotation_pk):
    quotation = _visible_quotation(request, quotation_pk)
    customer = quotation.customer
    form = OrderCreateForm(
        request.POST or None,
        quotation=quotation,
        initial={
            "address": customer.address,
            "barrio": customer.barrio,
            "agreement": quotation.agreements.order_by("-signed_on", "-pk").first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.service_order_create(
                quotation=quotation,
                user=request.user,
                lines=[
                    services.LineChoice(line, quantity)
                    for line, quantity in form.chosen_lines()
                ],
                address=data["address"],
                barrio=data["barrio"],
                site_contact=data["site_contact"],
                site_contact_phone=data["site_contact_phone"],
                instructions=data["instructions"],
                agreement=data["agreement"],
            )
            messages.success(request, f"Orden de servicio {order.code} creada.")
            if order.prepayment_required:
                messages.warning(
                    request,
                    "Esta orden requiere pago anticipado: no se puede programar "
                    "hasta que se registre el pago.",
                )
            return redirect(order)
        except ValidationError as error:
            form.add_error(None, error)
    elif request.method == "GET" and quotation.status != Quotation.Status.ACCEPTED:
        messages.error(
            request, "Solo se crean órdenes de servicio de cotizaciones aceptadas."
        )
        return redirect(quotation)
    return render(
        request,
        "service_orders/create.html",
        {"quotation": quotation, "form": form},
    )


@editor_required
def agreement_create(request, quotation_pk):
    quotation = _visible_quotation(request, quotation_pk)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_record(
                quotation=quotation,
                user=request.user,
                kind=data["kind"],
                number=data["number"],
                signed_on=data["signed_on"],
                valid_until=data["valid_until"],
                uploaded=data["file"],
                notes=data["notes"],
            )
            messages.success(request, "Documento firmado registrado.")
            return redirect(quotation)
        except ValidationError as error:
            form.add_error("file" if error.code in UPLOAD_CODES else None, error)
    return render(
        request,
        "service_orders/action.html",
        {
            "form": form,
            "title": "Registrar contrato u orden de compra",
            "subject": quotation,
            "back_url": quotation.get_absolute_url(),
            "multipart": True,
        },
    )


UPLOAD_CODES = {"too_large", "empty", "wrong_type", "missing_file"}


@require_GET
@reader_required
def agreement_download(request, pk):
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    if not agreement.file:
        raise Http404("Agreement without file")
    extension = Path(agreement.file.name).suffix
    label = agreement.number or str(agreement.pk)
    response = FileResponse(
        agreement.file.open("rb"),
        as_attachment=True,
        filename=f"{agreement.get_kind_display()} {label}{extension}",
        content_type=agreement.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _step_view(request, order, form, title, perform, *, multipart=False):
    """Render a form for one step of an order and run `perform` on valid input;
    a ValidationError from the service lands on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
            return redirect(order)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "service_orders/action.html",
        {
            "form": form,
            "title": title,
            "subject": order,
            "order": order,
            "back_url": order.get_absolute_url(),
            "multipart": multipart,
        },
    )


@editor_required
def schedule_request(request, pk):
    order = _visible(request, pk)
    form = ScheduleRequestForm(
        request.POST or None, initial={"requested_date": order.requested_date}
    )

    def perform(data):
        services.schedule_request(
            order=order,
            user=request.user,
            requested_date=data["requested_date"],
            allow_non_business_day=data["allow_non_business_day"],
            note=data["note"],
        )
        messages.success(request, "Fecha solicitada a operaciones.")

    return _step_view(request, order, form, "Solicitar fecha a operaciones", perform)


@scheduler_required
def schedule_confirm(request, pk):
    order = _visible(request, pk)
    form = ScheduleConfirmForm(
        request.POST or None, initial={"scheduled_date": order.requested_date}
    )

    def perform(data):
        change = services.schedule_confirm(
            order=order,
            user=request.user,
            scheduled_date=data["scheduled_date"],
            scheduled_time=data["scheduled_time"],
            crew=data["crew"],
            vehicle_plate=data["vehicle_plate"],
            supervisor=data["supervisor"],
            allow_non_business_day=data["allow_non_business_day"],
        )
        messages.success(request, "Servicio programado.")
        _warn_if_not_emailed(request, change)

    return _step_view(request, order, form, "Programar servicio", perform)


@scheduler_required
def schedule_reschedule(request, pk):
    order = _visible(request, pk)
    form = RescheduleForm(
        request.POST or None,
        initial={
            "scheduled_date": order.scheduled_date,
            "scheduled_time": order.scheduled_time,
            "crew": crew_format(order.crew.all()),
            "vehicle_plate": order.vehicle_plate,
            "supervisor": order.supervisor_id,
        },
    )

    def perform(data):
        change = services.schedule_reschedule(
            order=order,
            user=request.user,
            reason=data["reason"],
            scheduled_date=data["scheduled_date"],
            scheduled_time=data["scheduled_time"],
            crew=data["crew"],
            vehicle_plate=data["vehicle_plate"],
            supervisor=data["supervisor"],
            allow_non_business_day=data["allow_non_business_day"],
        )
        messages.success(request, "Servicio reprogramado.")
        _warn_if_not_emailed(request, change)

    return _step_view(request, order, form, "Reprogramar servicio", perform)


@scheduler_required
def schedule_unschedule(request, pk):
    order = _visible(request, pk)
    form = ReasonForm(request.POST or None)

    def perform(data):
        change = services.schedule_unschedule(
            order=order, user=request.user, reason=data["reason"]
        )
        messages.success(
            request, _("Servicio desprogramado: la orden quedó por programar.")
        )
        _warn_if_not_emailed(request, change)

    return _step_view(request, order, form, "Desprogramar servicio", perform)


@canceller_required
def schedule_cancel(request, pk):
    order = _visible(request, pk)
    form = ReasonForm(request.POST or None)

    def perform(data):
        change = services.schedule_cancel(
            order=order, user=request.user, reason=data["reason"]
        )
        messages.success(request, "Servicio cancelado.")
        _warn_if_not_emailed(request, change)

    return _step_view(request, order, form, "Cancelar servicio", perform)


@editor_required
def order_annul(request, pk):
    order = _visible(request, pk)
    form = ReasonForm(request.POST or None)

    def perform(data):
        services.service_order_annul(
            order=order, user=request.user, reason=data["reason"]
        )
        messages.success(request, "Orden anulada; conserva su código.")

    return _step_view(request, order, form, "Anular orden de servicio", perform)


def _week_start(request, raw: str | None) -> date:
    """Return the Monday of the week of `raw`, or of this week with a Spanish
    error message when `raw` is not a valid date."""
    try:
        day = day_param(raw)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@require_GET
@scheduler_required
def schedule_board(request):
    """Operations' board: dates requested and waiting for confirmation, and the
    services scheduled in the chosen week (Monday to Sunday)."""
    start = _week_start(request, request.GET.get("semana"))
    end = start + timedelta(days=6)
    visible = ServiceOrder.objects.visible_to(request.user).select_related(
        "customer", "advisor", "supervisor", "municipality"
    )
    requested = visible.filter(status=ServiceOrder.Status.REQUESTED).order_by(
        "requested_date", "pk"
    )
    scheduled = (
        visible.filter(
            status__in=[ServiceOrder.Status.SCHEDULED, ServiceOrder.Status.EXECUTED],
            scheduled_date__range=(start, end),
        )
        .prefetch_related("crew")
        .order_by("scheduled_date", "scheduled_time", "pk")
    )
    days = [
        {
            "day": start + timedelta(days=offset),
            "orders": [
                order
                for order in scheduled
                if order.scheduled_date == start + timedelta(days=offset)
            ],
        }
        for offset in range(7)
    ]
    paid_orders = _orders_with_prepayment([order.pk for order in requested])
    for order in requested:
        order.prepayment_pending = (
            order.prepayment_required and order.pk not in paid_orders
        )
    shown = list(requested) + [order for entry in days for order in entry["orders"]]
    approved = _approved_customers({order.customer_id for order in shown})
    for order in shown:
        order.onboarding_pending = order.customer_id not in approved
    return render(
        request,
        "service_orders/board.html",
        {
            "requested": requested,
            "days": days,
            "start": start,
            "end": end,
            "previous_week": start - timedelta(days=7),
            "next_week": start + timedelta(days=7),
        },
    )


# Order states in which the order is still headed for billing, so a customer
# without an approved onboarding is worth a warning.
ONBOARDING_WARNING_STATES = (
    ServiceOrder.Status.TO_SCHEDULE,
    ServiceOrder.Status.REQUESTED,
    ServiceOrder.Status.SCHEDULED,
    ServiceOrder.Status.EXECUTED,
)


def _approved_customers(customer_ids) -> set[int]:
    from onboarding.models import Onboarding

    return set(
        Onboarding.objects.filter(
            customer__in=customer_ids, status=Onboarding.Status.APPROVED
        ).values_list("customer_id", flat=True)
    )


def _onboarding_link(customer) -> str:
    """Return the URL of the customer's latest onboarding, or of the customer
    page when none was opened yet."""
    from onboarding.models import Onboarding

    onboarding = Onboarding.objects.filter(customer=customer).order_by("-pk").first()
    return onboarding.get_absolute_url() if onboarding else customer.get_absolute_url()


def _orders_with_prepayment(order_ids) -> set[int]:
    """Return the ids among `order_ids` whose payments cover the aforo's charge."""
    return {
        order.pk
        for order in ServiceOrder.objects.filter(pk__in=order_ids)
        if services.prepayment_registered(order)
    }
