from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from core.calendar import BusinessCalendar
from core.permissions import role_required
from customers.models import Customer
from telemarketing.forms import ContactLogForm, ReauthorizeForm
from telemarketing.links import contact_links
from telemarketing.models import Channel, ContactLog, ContactOptOut
from telemarketing.rules import (
    active_opt_out,
    contact_allowed,
    customer_opted_out,
    week_start,
)
from telemarketing.services import contact_log, customer_opt_out, customer_reauthorize

telemarketing_roles = role_required(
    Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR
)

LINK_CHANNELS = [Channel.CALL, Channel.WHATSAPP, Channel.EMAIL]
PAGE_SIZE = 50


def call_list_customers(user, advisor=None):
    """Customers on the call list, annotated with their latest contact and ordered:
    next actions due today or overdue, then never contacted, then oldest contact.
    Customers who opted out are left out."""
    today = timezone.localdate()
    latest = ContactLog.objects.filter(customer=OuterRef("pk")).order_by(
        "-contacted_at", "-pk"
    )
    opted_out = ContactOptOut.objects.filter(
        customer=OuterRef("pk"), reauthorized_at__isnull=True
    )
    customers = Customer.objects.visible_to(user)
    if user.is_advisor and not user.is_manager:
        customers = customers.filter(advisor=user)
    elif advisor is not None:
        customers = customers.filter(advisor=advisor)
    return (
        customers.filter(~Exists(opted_out))
        .select_related("municipality", "advisor")
        .annotate(
            last_contact_at=Subquery(latest.values("contacted_at")[:1]),
            last_outcome=Subquery(latest.values("outcome")[:1]),
            next_action=Subquery(latest.values("next_action")[:1]),
            next_action_on=Subquery(latest.values("next_action_on")[:1]),
        )
        .annotate(
            priority=Case(
                When(next_action_on__lte=today, then=Value(0)),
                When(last_contact_at__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "priority",
            F("next_action_on").asc(nulls_last=True),
            F("last_contact_at").asc(nulls_first=True),
            "name",
        )
    )


def prefetch_contact_facts(customers, now):
    """Load what the contact rules read for each customer in three queries."""
    return customers.prefetch_related(
        "consents",
        Prefetch(
            "contact_opt_outs",
            queryset=ContactOptOut.objects.filter(reauthorized_at__isnull=True),
            to_attr="active_opt_outs",
        ),
        Prefetch(
            "contact_logs",
            queryset=ContactLog.objects.outbound().filter(
                contacted_at__gte=week_start(now)
            ),
            to_attr="recent_outbound_logs",
        ),
    )


def contact_options(customer, user, now, calendar):
    """Return, per channel, the link to open and whether contact is allowed now."""
    links = contact_links(customer, user)
    options = []
    for channel in LINK_CHANNELS:
        url = links.get(channel.value)
        if not url:
            continue
        decision = contact_allowed(customer, channel, now, calendar)
        options.append({"channel": channel, "url": url, "decision": decision})
    return options


@telemarketing_roles
def call_list(request):
    now = timezone.now()
    advisor = None
    advisors = []
    if request.user.is_manager:
        advisors = User.objects.advisors()
        advisor_id = request.GET.get("asesor", "")
        if advisor_id.isdigit():
            advisor = get_object_or_404(advisors, pk=advisor_id)

    customers = prefetch_contact_facts(call_list_customers(request.user, advisor), now)
    due = list(customers.filter(priority=0))
    page = Paginator(customers.exclude(priority=0), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    calendar = BusinessCalendar()
    rows = [
        {
            "customer": customer,
            "options": contact_options(customer, request.user, now, calendar),
        }
        for customer in [*due, *page.object_list]
    ]
    return render(
        request,
        "telemarketing/call_list.html",
        {
            "due_rows": rows[: len(due)],
            "rows": rows[len(due) :],
            "page": page,
            "today": timezone.localdate(now),
            "advisors": advisors,
            "advisor": advisor,
            "contact_form": ContactLogForm(),
        },
    )


def _customer_for(request, pk):
    customers = Customer.objects.visible_to(request.user)
    if not request.user.is_manager:
        customers = customers.filter(advisor=request.user)
    return get_object_or_404(customers, pk=pk)


@telemarketing_roles
def customer_contacts(request, pk):
    customer = _customer_for(request, pk)
    now = timezone.now()
    return render(
        request,
        "telemarketing/customer_contacts.html",
        {
            "customer": customer,
            "logs": ContactLog.objects.visible_to(request.user)
            .filter(customer=customer)
            .select_related("logged_by"),
            "opt_out": active_opt_out(customer),
            "options": contact_options(customer, request.user, now, BusinessCalendar()),
            "form": ContactLogForm(),
            "reauthorize_form": ReauthorizeForm(),
        },
    )


@telemarketing_roles
def contact_log_create(request, pk):
    """Show (GET) or submit (POST) the compact contact form of one customer; htmx
    swaps the returned fragment into the call-list row or the customer page."""
    customer = _customer_for(request, pk)
    form = ContactLogForm(request.POST or None)
    log = None
    if request.method == "POST" and form.is_valid():
        try:
            log = contact_log(customer=customer, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                form.add_error(None, error.messages)
    if log and not request.htmx:
        return redirect("telemarketing:customer_contacts", pk=customer.pk)
    return render(
        request,
        "telemarketing/partials/contact_form.html",
        {
            "customer": customer,
            "form": form if log is None else ContactLogForm(),
            "log": log,
        },
    )


@require_POST
@telemarketing_roles
def opt_out(request, pk):
    customer = _customer_for(request, pk)
    customer_opt_out(
        customer=customer, user=request.user, note=request.POST.get("note", "")
    )
    return redirect("telemarketing:customer_contacts", pk=customer.pk)


@require_POST
@telemarketing_roles
def reauthorize(request, pk):
    customer = _customer_for(request, pk)
    form = ReauthorizeForm(request.POST)
    if form.is_valid() and customer_opted_out(customer):
        customer_reauthorize(
            customer=customer, user=request.user, evidence=form.cleaned_data["evidence"]
        )
    return redirect("telemarketing:customer_contacts", pk=customer.pk)
