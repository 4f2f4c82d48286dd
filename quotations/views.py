from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role
from core.permissions import role_required
from core.uploads import EXTENSION_TYPES
from onboarding.models import Onboarding
from onboarding.services import customer_onboarding_for_display
from quotations import services
from quotations.followup import follow_up_rows_for, follow_up_xlsx, month_figures
from quotations.forms import (
    AcceptForm,
    AnnulForm,
    FollowUpForm,
    LineForm,
    PriceDecisionForm,
    QuotationCreateForm,
    QuotationFilterForm,
    QuotationUpdateForm,
    RejectForm,
    SendForm,
)
from quotations.models import Quotation
from quote_requests.models import QuoteRequest
from tariffs.models import TariffItem

PAGE_SIZE = 50
# Past this many rows the list prints "more than N" instead of counting them all.
COUNT_LIMIT = 1000

# Roles that prepare and manage quotations; billing only reads them.
EDITOR_ROLES = (Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR)
READER_ROLES = (*EDITOR_ROLES, Role.BILLING)
APPROVER_ROLES = (Role.DIRECTOR, Role.ADMINISTRATOR)

editor_required = role_required(*EDITOR_ROLES)
reader_required = role_required(*READER_ROLES)


def _visible(request, pk) -> Quotation:
    queryset = Quotation.objects.visible_to(request.user).select_related(
        "customer", "advisor"
    )
    return get_object_or_404(queryset, pk=pk)


def _expire_if_due(quotation: Quotation) -> None:
    # Expiry is also run nightly by `expire_quotations`; reading catches the rest.
    if quotation.is_open and quotation.valid_until < timezone.localdate():
        quotation.status = Quotation.Status.EXPIRED
        quotation.save(update_fields=["status"])


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@dataclass
class ListPage:
    """One page of the quotation list. The total is counted only up to
    COUNT_LIMIT, because counting 100,000 rows costs more than the page itself."""

    rows: list
    number: int
    has_next: bool
    # Exact when `total_is_lower_bound` is false, else "more than this many".
    total: int
    total_is_lower_bound: bool

    def __iter__(self):
        return iter(self.rows)

    @property
    def total_display(self) -> str:
        """The total with Colombian thousands separators, e.g. "1.000"."""
        return f"{self.total:,}".replace(",", ".")

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def list_page(queryset, page_number: str | None) -> ListPage:
    """Fetch page `page_number` (1 when missing or invalid) of `queryset`, with
    one row more than the page to know whether a next page exists."""
    try:
        number = max(int(page_number or 1), 1)
    except ValueError:
        number = 1
    offset = (number - 1) * PAGE_SIZE

    # OFFSET still reads every skipped row, so skip over the primary keys alone
    # (an index-only scan), then fetch and join only the rows of the page.
    page_keys = list(
        queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1]
    )
    has_next = len(page_keys) > PAGE_SIZE
    rows = list(queryset.filter(pk__in=page_keys[:PAGE_SIZE])) if page_keys else []
    seen = offset + len(rows)

    if not has_next and (rows or number == 1):
        total, lower_bound = seen, False
    elif seen >= COUNT_LIMIT:
        total, lower_bound = seen, True
    else:
        counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
        total, lower_bound = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
    return ListPage(rows, number, has_next, total, lower_bound)


@require_GET
@reader_required
def quotation_list(request):
    # Nothing is written here: `expire_quotations` expires quotations nightly, and
    # the template shows an open one past its validity as vencida meanwhile.
    form = QuotationFilterForm(request.GET or None)
    quotations = Quotation.objects.visible_to(request.user).select_related(
        "customer", "advisor"
    )
    if form.is_valid():
        if form.cleaned_data["q"]:
            quotations = quotations.search(form.cleaned_data["q"])
        if form.cleaned_data["status"]:
            quotations = quotations.with_status(
                form.cleaned_data["status"], timezone.localdate()
            )
        if form.cleaned_data["advisor"]:
            quotations = quotations.filter(advisor=form.cleaned_data["advisor"])
    page = list_page(
        quotations.order_by("-created_at", "-pk"), request.GET.get("pagina")
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "quotations/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@editor_required
def quotation_create(request):
    quote_request = None
    if request.GET.get("solicitud"):
        quote_request = get_object_or_404(
            QuoteRequest.objects.visible_to(request.user).select_related("customer"),
            pk=request.GET["solicitud"],
        )
    form = QuotationCreateForm(
        request.POST or None,
        user=request.user,
        initial={
            "validity_days": Quotation._meta.get_field("validity_days").default(),
            "conditions": Quotation._meta.get_field("conditions").default,
            "customer": quote_request.customer_id
            if quote_request
            else request.GET.get("cliente"),
        },
    )
    if request.method == "POST" and form.is_valid():
        advisor = form.cleaned_data.get("advisor") or request.user
        if not request.user.is_manager:
            advisor = request.user
        try:
            quotation = services.quotation_create(
                customer=form.cleaned_data["customer"],
                advisor=advisor,
                user=request.user,
                validity_days=form.cleaned_data["validity_days"],
                conditions=form.cleaned_data["conditions"],
                quote_request=quote_request,
            )
            return redirect(quotation)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "quotations/create.html",
        {"form": form, "quote_request": quote_request},
    )


@require_GET
@reader_required
def quotation_detail(request, pk):
    quotation = _visible(request, pk)
    _expire_if_due(quotation)
    can_edit = request.user.is_superuser or request.user.has_role(*EDITOR_ROLES)
    context = {
        "quotation": quotation,
        "lines": quotation.lines.all(),
        "follow_ups": quotation.follow_ups.select_related("created_by"),
        "can_edit": can_edit,
        "can_approve": request.user.is_superuser
        or request.user.has_role(*APPROVER_ROLES),
        "line_form": LineForm(quotation=quotation) if quotation.is_draft else None,
        "follow_up_form": FollowUpForm(),
        "update_form": QuotationUpdateForm(instance=quotation),
        "whatsapp_url": services.quotation_whatsapp_url(quotation)
        if quotation.code
        else "",
        "onboarding": _onboarding_for(quotation, request.user),
    }
    return render(request, "quotations/detail.html", context)


def _onboarding_for(quotation: Quotation, user) -> Onboarding | None:
    """Return the onboarding opened by an accepted quotation or, when the customer
    had one unfinished already, that one."""
    if quotation.status != Quotation.Status.ACCEPTED:
        return None
    return customer_onboarding_for_display(quotation.customer, user)


@require_POST
@editor_required
def quotation_update(request, pk):
    quotation = _visible(request, pk)
    form = QuotationUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.quotation_update(
                quotation=quotation,
                validity_days=form.cleaned_data["validity_days"],
                conditions=form.cleaned_data["conditions"],
            )
            messages.success(request, "Cambios guardados.")
        except ValidationError as error:
            _show_errors(request, error)
    else:
        messages.error(request, "Revise la vigencia y las condiciones.")
    return redirect(quotation)


@require_POST
@editor_required
def line_add(request, pk):
    quotation = _visible(request, pk)
    form = LineForm(request.POST, quotation=quotation)
    errors = []
    if form.is_valid():
        try:
            services.quotation_line_add(
                quotation=quotation,
                tariff_item=form.cleaned_data["tariff_item"],
                quantity=form.cleaned_data["quantity"],
                unit_price=form.cleaned_data["unit_price"],
                price_reason=form.cleaned_data["price_reason"],
                description=form.cleaned_data["description"],
            )
            form = LineForm(quotation=quotation)
        except ValidationError as error:
            errors = error.messages
    return _lines_response(request, quotation, form, errors)


@require_POST
@editor_required
def line_remove(request, pk, line_pk):
    quotation = _visible(request, pk)
    line = get_object_or_404(quotation.lines, pk=line_pk)
    errors = []
    try:
        services.quotation_line_remove(quotation=quotation, line=line)
    except ValidationError as error:
        errors = error.messages
    return _lines_response(request, quotation, LineForm(quotation=quotation), errors)


def _lines_response(request, quotation, form, errors):
    quotation.refresh_from_db()
    context = {
        "quotation": quotation,
        "lines": quotation.lines.all(),
        "line_form": form,
        "line_errors": errors,
        "can_edit": True,
    }
    if request.htmx:
        return render(request, "quotations/partials/lines.html", context)
    for message in errors:
        messages.error(request, message)
    return redirect(quotation)


@require_GET
@editor_required
def tariff_prefill(request, pk):
    """Return the unit price and tax of the chosen tariff item for the line form."""
    quotation = _visible(request, pk)
    item = TariffItem.objects.in_force(on=quotation.date).filter(
        pk=request.GET.get("tariff_item") or 0
    )
    return render(
        request, "quotations/partials/tariff_prefill.html", {"item": item.first()}
    )


@require_POST
@editor_required
def submit_for_approval(request, pk):
    quotation = _visible(request, pk)
    try:
        services.quotation_submit_for_approval(quotation=quotation, user=request.user)
        messages.success(request, "Enviada al director para aprobar los precios.")
    except ValidationError as error:
        _show_errors(request, error)
    return redirect(quotation)


@require_GET
@role_required(*APPROVER_ROLES)
def approval_queue(request):
    pending = (
        Quotation.objects.visible_to(request.user)
        .filter(price_approval=Quotation.PriceApproval.PENDING)
        .select_related("customer", "advisor")
        .prefetch_related("lines")
        .order_by("updated_at")
    )
    return render(request, "quotations/approvals.html", {"quotations": pending})


@require_POST
@role_required(*APPROVER_ROLES)
def decide_prices(request, pk):
    quotation = _visible(request, pk)
    form = PriceDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.quotation_decide_prices(
                quotation=quotation,
                user=request.user,
                approve=form.cleaned_data["decision"] == "aprobar",
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Decisión registrada.")
        except ValidationError as error:
            _show_errors(request, error)
    return redirect("quotations:approvals")


@require_POST
@editor_required
def issue(request, pk):
    quotation = _visible(request, pk)
    try:
        quotation = services.quotation_issue(quotation=quotation, user=request.user)
        messages.success(request, f"Cotización emitida con el código {quotation.code}.")
        if not quotation.pdf_sha256:
            messages.warning(
                request,
                "No se pudo generar el PDF en este momento; se generará al "
                "abrirlo o enviarlo.",
            )
    except ValidationError as error:
        _show_errors(request, error)
    return redirect(quotation)


@require_GET
@reader_required
def download_pdf(request, pk):
    quotation = _visible(request, pk)
    if not quotation.code:
        raise Http404("La cotización no tiene PDF emitido.")
    try:
        content = services.quotation_pdf_bytes(quotation)
    except ValidationError as error:
        _show_errors(request, error)
        return redirect(quotation)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=quotation.pdf_file_name
    )
    return response


@require_GET
@reader_required
def download_acceptance_evidence(request, pk):
    quotation = _visible(request, pk)
    if not quotation.acceptance_evidence:
        raise Http404("Quotation without acceptance evidence")
    extension = Path(quotation.acceptance_evidence.name).suffix.lower()
    response = FileResponse(
        quotation.acceptance_evidence.open("rb"),
        as_attachment=True,
        filename=f"Aceptación {quotation.code}{extension}",
        content_type=EXTENSION_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@editor_required
def send(request, pk):
    quotation = _visible(request, pk)
    recipient = quotation.customer.email
    form = SendForm(request.POST or None, initial={"to": recipient})
    if request.method == "POST" and form.is_valid():
        try:
            services.quotation_send_email(
                quotation=quotation,
                user=request.user,
                to=form.cleaned_data["to"],
                message=form.cleaned_data["message"],
            )
            messages.success(request, "Cotización enviada por correo.")
            return redirect(quotation)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "quotations/action.html",
        {"quotation": quotation, "form": form, "title": "Enviar por correo"},
    )


def _answer_view(request, pk, form_class, title, perform):
    quotation = _visible(request, pk)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(quotation, form.cleaned_data)
            return redirect(quotation)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "quotations/action.html",
        {"quotation": quotation, "form": form, "title": title},
    )


@editor_required
def accept(request, pk):
    def perform(quotation, data):
        services.quotation_accept(
            quotation=quotation,
            user=request.user,
            channel=data["channel"],
            accepted_on=data["accepted_on"],
            evidence=data["evidence"],
            email_text=data["email_text"],
        )
        messages.success(request, "Aceptación registrada.")

    return _answer_view(request, pk, AcceptForm, "Registrar aceptación", perform)


@editor_required
def reject(request, pk):
    def perform(quotation, data):
        services.quotation_reject(
            quotation=quotation,
            user=request.user,
            reason=data["reason"],
            competitor=data["competitor"],
        )
        messages.success(request, "Rechazo registrado.")

    return _answer_view(request, pk, RejectForm, "Registrar rechazo", perform)


@editor_required
def annul(request, pk):
    def perform(quotation, data):
        services.quotation_annul(
            quotation=quotation, user=request.user, reason=data["reason"]
        )
        messages.success(request, "Cotización anulada; conserva su código.")

    return _answer_view(request, pk, AnnulForm, "Anular cotización", perform)


@require_POST
@editor_required
def follow_up_add(request, pk):
    quotation = _visible(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(
                quotation=quotation, user=request.user, **form.cleaned_data
            )
            messages.success(request, "Seguimiento registrado.")
        except ValidationError as error:
            _show_errors(request, error)
    else:
        for field, field_errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(field_errors)}")
    return redirect(quotation)


@require_GET
@editor_required
def follow_up_report(request):
    rows = follow_up_rows_for(request.user)
    this_week = request.GET.get("semana") == "actual"
    if this_week:
        rows = [row for row in rows if row.is_due_this_week]
    if request.GET.get("formato") == "xlsx":
        response = HttpResponse(
            follow_up_xlsx(rows),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True,
            filename=f"seguimiento-cotizaciones-{timezone.localdate():%Y-%m-%d}.xlsx",
        )
        return response
    figures = (
        month_figures(Quotation.objects.visible_to(request.user))
        if request.user.is_manager
        else []
    )
    return render(
        request,
        "quotations/follow_up.html",
        {"rows": rows, "figures": figures, "this_week": this_week},
    )
