from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from core.permissions import role_required
from customers.models import Customer
from telemarketing.models import ContactLog
from visits import services
from visits.forms import CancelForm, QuoteRequestForm, ResultForm, VisitForm, WhenForm
from visits.ics import invitation_ics
from visits.models import Visit

visit_roles = role_required(
    Role.ADVISOR, Role.OPERATIONS, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR
)
scheduling_roles = role_required(
    Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR
)


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """Return Monday 00:00 and the next Monday 00:00 around `day`, in Bogotá time."""
    monday = day - timedelta(days=day.weekday())
    zone = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tzinfo=zone)
    return start, start + timedelta(days=7)


def _week_day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("semana", ""))
    except ValueError:
        return timezone.localdate()


@visit_roles
def week(request):
    start, end = week_bounds(_week_day(request))
    visits = Visit.objects.visible_to(request.user).in_range(start, end)
    advisor = None
    advisors = []
    if request.user.is_manager:
        advisors = User.objects.advisors()
        advisor_id = request.GET.get("asesor", "")
        if advisor_id.isdigit():
            advisor = get_object_or_404(advisors, pk=advisor_id)
            visits = visits.filter(advisor=advisor)
    visits = visits.select_related("customer", "advisor", "supervisor")

    days = [
        {"day": start.date() + timedelta(days=offset), "visits": []}
        for offset in range(7)
    ]
    for visit in visits:
        days[timezone.localtime(visit.starts_at).weekday()]["visits"].append(visit)
    return render(
        request,
        "visits/week.html",
        {
            "days": days,
            "week_start": start.date(),
            "previous_week": (start - timedelta(days=7)).date(),
            "next_week": end.date(),
            "advisors": advisors,
            "advisor": advisor,
            "today": timezone.localdate(),
        },
    )


def _schedulable_customers(user):
    customers = Customer.objects.visible_to(user)
    if not user.is_manager:
        customers = customers.filter(advisor=user)
    return customers


@scheduling_roles
def visit_create(request):
    user = request.user
    customers = _schedulable_customers(user)
    advisors = (
        User.objects.advisors() if user.is_manager else User.objects.filter(pk=user.pk)
    )
    initial = {"advisor": user.pk if not user.is_manager else None}
    contact = None
    customer_id = request.GET.get("cliente", "")
    if customer_id.isdigit():
        customer = get_object_or_404(customers, pk=customer_id)
        initial.update(customer=customer.pk, address=customer.address)
        if customer.advisor_id:
            initial["advisor"] = customer.advisor_id
        contact_id = request.GET.get("contacto", "")
        if contact_id.isdigit():
            contact = get_object_or_404(
                ContactLog.objects.visible_to(user), pk=contact_id, customer=customer
            )

    form = VisitForm(
        request.POST or None, initial=initial, customers=customers, advisors=advisors
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_schedule(
                customer=data["customer"],
                advisor=data["advisor"],
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                address=data["address"],
                supervisor=data["supervisor"],
                purpose=data["purpose"],
                contact_log=contact,
                user=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Visita agendada; se enviaron las invitaciones.")
            return redirect(visit)
    return render(request, "visits/visit_form.html", {"form": form, "contact": contact})


def _visit_for(request, pk, change=False) -> Visit:
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related(
            "customer", "advisor", "supervisor"
        ),
        pk=pk,
    )
    if change and not (request.user.is_manager or visit.advisor_id == request.user.pk):
        raise PermissionDenied
    return visit


@visit_roles
def visit_detail(request, pk):
    visit = _visit_for(request, pk)
    local_start = timezone.localtime(visit.starts_at)
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            "can_change": request.user.is_manager
            or visit.advisor_id == request.user.pk,
            "when_form": WhenForm(
                initial={
                    "date": local_start.date(),
                    "start_time": local_start.time(),
                    "duration_minutes": visit.duration_minutes,
                    "address": visit.address,
                    "supervisor": visit.supervisor_id,
                }
            ),
            "cancel_form": CancelForm(),
            "result_form": ResultForm(),
            "quote_form": QuoteRequestForm(),
            "history": visit.history.select_related("history_user")[:20],
        },
    )


def _run(request, visit, action):
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(visit)


@require_POST
@scheduling_roles
def visit_reschedule_view(request, pk):
    visit = _visit_for(request, pk, change=True)
    form = WhenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Revise la fecha, la hora y la duración de la visita.")
        return redirect(visit)
    return _run(
        request,
        visit,
        lambda: services.visit_reschedule(
            visit=visit,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            address=form.cleaned_data["address"],
            supervisor=form.cleaned_data["supervisor"],
            user=request.user,
        ),
    )


@require_POST
@scheduling_roles
def visit_cancel_view(request, pk):
    visit = _visit_for(request, pk, change=True)
    reason = request.POST.get("reason", "")
    return _run(
        request,
        visit,
        lambda: services.visit_cancel(visit=visit, reason=reason, user=request.user),
    )


@require_POST
@scheduling_roles
def visit_result_view(request, pk):
    visit = _visit_for(request, pk, change=True)
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Elija el resultado de la visita.")
        return redirect(visit)
    return _run(
        request,
        visit,
        lambda: services.visit_record_result(
            visit=visit,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
            user=request.user,
        ),
    )


@require_POST
@scheduling_roles
def visit_quote_request_view(request, pk):
    visit = _visit_for(request, pk, change=True)
    form = QuoteRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Escriba el servicio que necesita el cliente.")
        return redirect(visit)
    try:
        quote_request = services.visit_request_quote(
            visit=visit,
            service=form.cleaned_data["service"],
            description=form.cleaned_data["description"],
            user=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(visit)
    messages.success(request, "Solicitud de cotización registrada.")
    return redirect(quote_request)


@visit_roles
def visit_ics(request, pk):
    visit = _visit_for(request, pk)
    method = "CANCEL" if visit.status == Visit.Status.CANCELLED else "REQUEST"
    attendees = services.visit_attendees(visit)
    content = invitation_ics(services.visit_invitation(visit, method, attendees))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visita.ics"'
    return response
