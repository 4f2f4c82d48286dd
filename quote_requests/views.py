import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from core.permissions import manager_required, role_required
from customers.models import Customer
from quote_requests.forms import (
    DiscardForm,
    PublicQuoteRequestForm,
    StaffQuoteRequestForm,
    consent_text,
    service_from_choice,
)
from quote_requests.models import QuoteRequest
from quote_requests.queue import is_stale
from quote_requests.services import (
    public_request_allowed,
    quote_request_create,
    quote_request_discard,
    quote_request_reassign,
    quote_request_register_customer,
    quote_request_start,
)

logger = logging.getLogger(__name__)

# The public form's fields allow about 3,000 characters, at most about 18 KB once
# URL-encoded (6 bytes per accented letter); a larger body is not a person typing.
PUBLIC_FORM_MAX_BODY_BYTES = 32 * 1024

sales_required = role_required(
    Role.ADVISOR, Role.COORDINATOR, Role.DIRECTOR, Role.ADMINISTRATOR
)


@login_not_required
def public_form(request):
    """Show and accept the web page's quote-request form, open to anyone and
    guarded against abuse."""
    if request.method != "POST":
        return render(
            request,
            "quote_requests/public_form.html",
            {"form": PublicQuoteRequestForm(), "consent_text": consent_text()},
        )

    if _body_size(request) > PUBLIC_FORM_MAX_BODY_BYTES:
        return render(request, "quote_requests/public_too_large.html", status=413)
    form = PublicQuoteRequestForm(request.POST)
    if request.POST.get("website"):
        # A robot filled in the hidden field: reply as if accepted, store nothing.
        logger.info("Public quote request discarded by the honeypot")
        return redirect("quote_requests:public_received")

    source_ip = client_ip(request)
    if not public_request_allowed(source_ip=source_ip):
        logger.warning("Public quote request rate limit reached")
        form.add_error(
            None,
            _(
                "Ya recibimos varias solicitudes desde su conexión en la última hora. "
                "Intente de nuevo más tarde o llámenos al %(phone)s."
            )
            % {"phone": settings.COMPANY_PHONE},
        )
        return _render_public_form(request, form, status=429)
    if not form.is_valid():
        return _render_public_form(request, form, status=200)

    data = form.cleaned_data
    tariff_code, service = service_from_choice(
        data["service_code"], data["description"]
    )
    try:
        quote_request_create(
            channel=QuoteRequest.Channel.WEB,
            service=service,
            tariff_code=tariff_code,
            description=data["description"],
            requester_name=data["requester_name"],
            requester_id_number=data["requester_id_number"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            address=data["address"],
            barrio=data["barrio"],
            municipality=data["municipality"],
            source_ip=source_ip,
            data_consent=True,
            data_consent_text=consent_text(),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_public_form(request, form, status=200)
    return redirect("quote_requests:public_received")


@login_not_required
def public_received(request):
    return render(request, "quote_requests/public_received.html")


@sales_required
def request_list(request):
    """List the queue: open requests oldest first, filtered by status and advisor."""
    requests = QuoteRequest.objects.visible_to(request.user).select_related(
        "customer", "advisor", "municipality", "zone"
    )
    status = request.GET.get("estado", "abiertas")
    if status == "abiertas":
        requests = requests.open().order_by("received_at")
    elif status in QuoteRequest.Status.values:
        requests = requests.filter(status=status)
    advisor_id = request.GET.get("asesor", "")
    if request.user.is_manager and advisor_id == "ninguno":
        requests = requests.filter(advisor__isnull=True)
    elif request.user.is_manager and advisor_id.isdigit():
        requests = requests.filter(advisor_id=advisor_id)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        requests = requests.filter(
            Q(requester_name__icontains=query)
            | Q(contact_name__icontains=query)
            | Q(customer__name__icontains=query)
            | Q(service__icontains=query)
            | Q(requester_id_number__contains=query)
        )

    page = Paginator(requests, 50).get_page(request.GET.get("pagina"))
    context = {
        "page": page,
        "rows": [(item, is_stale(item)) for item in page],
        "status": status,
        "statuses": QuoteRequest.Status.choices,
        "advisor_id": advisor_id,
        "advisors": User.objects.advisors() if request.user.is_manager else [],
        "query": query,
    }
    return render(request, "quote_requests/list.html", context)


@sales_required
def request_create(request):
    """Staff register a request received by phone, WhatsApp or e-mail."""
    form = StaffQuoteRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tariff_code, service = service_from_choice(
            data["service_code"], data["description"]
        )
        try:
            quote_request = quote_request_create(
                channel=data["channel"],
                service=service,
                tariff_code=tariff_code,
                description=data["description"],
                customer=data["customer"],
                requester_name=data["requester_name"],
                requester_id_number=data["requester_id_number"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                address=data["address"],
                barrio=data["barrio"],
                municipality=data["municipality"],
                created_by=request.user,
                send_confirmation=data["send_confirmation"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Solicitud %(number)s registrada y asignada: %(note)s.")
                % {
                    "number": quote_request.number,
                    "note": quote_request.routing_note,
                },
            )
            if QuoteRequest.objects.visible_to(request.user).filter(
                pk=quote_request.pk
            ):
                return redirect(quote_request)
            return redirect("quote_requests:list")
    selected = form["customer"].value()
    customer = (
        Customer.objects.visible_to(request.user).filter(pk=selected).first()
        if str(selected or "").isdigit()
        else None
    )
    return render(
        request,
        "quote_requests/create.html",
        {"form": form, "selected_customer": customer},
    )


@sales_required
def customer_search(request):
    """htmx: customers matching the NIT or name typed in the staff form."""
    query = request.GET.get("q", "").strip()[:100]
    customers = (
        Customer.objects.visible_to(request.user).search(query)[:10]
        if len(query) >= 3
        else []
    )
    return render(
        request,
        "quote_requests/_customer_results.html",
        {"customers": customers, "query": query},
    )


@sales_required
def request_detail(request, pk):
    quote_request = get_object_or_404(
        QuoteRequest.objects.visible_to(request.user).select_related(
            "customer", "advisor", "municipality", "zone", "created_by"
        ),
        pk=pk,
    )
    context = {
        "quote_request": quote_request,
        "stale": is_stale(quote_request),
        "discard_form": DiscardForm(),
        "advisors": User.objects.advisors() if request.user.is_manager else [],
        "events": quote_request.history.select_related("history_user")[:50],
    }
    return render(request, "quote_requests/detail.html", context)


@require_POST
@sales_required
def request_start(request, pk):
    quote_request = _visible_request(request, pk)
    _apply(request, quote_request_start, quote_request=quote_request, user=request.user)
    return redirect(quote_request)


@require_POST
@sales_required
def request_discard(request, pk):
    quote_request = _visible_request(request, pk)
    _apply(
        request,
        quote_request_discard,
        quote_request=quote_request,
        user=request.user,
        reason=request.POST.get("reason", "")[:500],
    )
    return redirect(quote_request)


@require_POST
@sales_required
def request_register_customer(request, pk):
    """Link the request to the customer with its NIT, or register a new one."""
    quote_request = _visible_request(request, pk)
    _apply(
        request,
        quote_request_register_customer,
        quote_request=quote_request,
        user=request.user,
        id_number=request.POST.get("id_number", "")[:30],
    )
    return redirect(quote_request)


@require_POST
@manager_required
def request_reassign(request, pk):
    quote_request = _visible_request(request, pk)
    advisor = get_object_or_404(User.objects.advisors(), pk=request.POST.get("advisor"))
    _apply(
        request,
        quote_request_reassign,
        quote_request=quote_request,
        advisor=advisor,
        user=request.user,
    )
    return redirect(quote_request)


def client_ip(request) -> str:
    """Return the client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT
    proxies in front, the address the outermost trusted proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    # Each trusted proxy appends the address it received the request from, so the
    # client is `proxies` entries from the end; earlier entries are client-supplied.
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote


def _body_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _render_public_form(request, form, status):
    return render(
        request,
        "quote_requests/public_form.html",
        {"form": form, "consent_text": consent_text()},
        status=status,
    )


def _visible_request(request, pk) -> QuoteRequest:
    return get_object_or_404(QuoteRequest.objects.visible_to(request.user), pk=pk)


def _apply(request, service, **arguments) -> None:
    try:
        service(**arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Solicitud actualizada."))
