"""Customer screens: list with search and filters, export, detail, create and edit,
contacts and data consents.

Every view reads customers through `Customer.objects.visible_to(user)`, so a customer
outside the user's portfolio gets 404 and a role without the feature gets 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import MANAGER_ROLES, Role
from core.exports import Column, xlsx_build
from core.permissions import role_required
from customers import services
from customers.forms import (
    ConsentForm,
    ConsentRevokeForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
)
from customers.history import customer_history
from customers.identification import format_identification
from customers.models import Customer
from customers.phones import format_phone
from onboarding.services import customer_onboarding_for_display

PAGE_SIZE = 50

# Every role reads customers (advisors only their own); managers and advisors edit
# and export (Customer.objects.exportable_by).
customer_reader_required = role_required(*Role)
customer_editor_required = role_required(*MANAGER_ROLES, Role.ADVISOR)


def visible_customers(user):
    return Customer.objects.visible_to(user).select_related(
        "municipality", "zone", "advisor"
    )


def get_customer(request, pk) -> Customer:
    return get_object_or_404(visible_customers(request.user), pk=pk)


def get_editable_customer(request, pk) -> Customer:
    """Return customer `pk` if the user may change it. Raise 404 when they cannot
    see it and 403 when they may only read it."""
    customer = get_customer(request, pk)
    if not can_edit(request.user, customer):
        raise PermissionDenied
    return customer


def can_edit(user, customer: Customer) -> bool:
    if user.is_manager:
        return True
    return user.is_advisor and customer.advisor_id == user.pk


def name_ordered_page(customers, *, searched: bool, number) -> Page:
    """Return page `number` of `customers` in name order. Pass `searched` for a
    queryset from search(), whose best order depends on its number of matches
    (Customer.objects.in_name_order)."""
    paginator = Paginator(customers.in_name_order(), PAGE_SIZE)
    if searched:
        # The paginator counts once, before it reads the page.
        paginator.object_list = customers.in_name_order(matches=paginator.count)
    return paginator.get_page(number)


@require_GET
@customer_reader_required
def customer_list(request):
    form = CustomerFilterForm(request.GET or None, user=request.user)
    customers = form.filter(visible_customers(request.user))
    page = name_ordered_page(
        customers, searched=form.searches, number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": request.user.is_manager or request.user.is_advisor,
        "can_export": can_export(request.user),
    }
    if request.htmx and request.htmx.target == "customer-table":
        return render(request, "customers/_table.html", context)
    return render(request, "customers/list.html", context)


def export_columns() -> list[Column]:
    return [
        Column(_("Tipo de documento"), width=10),
        Column(_("Identificación"), width=16),
        Column(_("Razón social o nombre"), width=40),
        Column(_("Nombre comercial"), width=28),
        Column(_("Tipo de cliente"), width=10),
        Column(_("Dirección"), width=32),
        Column(_("Barrio o vereda"), width=20),
        Column(_("Municipio"), width=20),
        Column(_("Código DANE"), width=10),
        Column(_("Teléfono fijo"), width=15),
        Column(_("Celular"), width=15),
        Column(_("Correo electrónico"), width=30),
        Column(_("Zona"), width=16),
        Column(_("Asesor"), width=24),
        Column(_("En catastro"), width=10),
        Column(_("Fecha último servicio"), kind="date", width=14),
        Column(_("Valor último servicio"), kind="money", width=16),
    ]


def can_export(user) -> bool:
    return user.is_manager or user.is_advisor


@require_GET
@customer_editor_required
def customer_export(request):
    """Send the filtered list as a workbook, with the rows the list shows. Only
    the roles that manage customers may export (403 for the others)."""
    form = CustomerFilterForm(request.GET or None, user=request.user)
    customers = Customer.objects.exportable_by(request.user).select_related(
        "municipality", "zone", "advisor"
    )
    customers = form.filter(customers).order_by("sort_name", "pk")
    rows = _export_rows(customers)
    content = xlsx_build(
        sheet_name=_("Clientes"),
        columns=export_columns(),
        rows=rows,
        title=_("Clientes · exportado el %(date)s")
        % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
    )
    filename = f"clientes-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_FIELDS = [
    "id_type",
    "id_number",
    "check_digit",
    "name",
    "trade_name",
    "customer_type",
    "address",
    "barrio",
    "municipality__name",
    "municipality_id",
    "phone",
    "mobile",
    "email",
    "zone__name",
    "advisor__first_name",
    "advisor__last_name",
    "advisor__username",
    "in_catastro",
    "last_service_date",
    "last_service_amount",
]


def _export_rows(customers):
    # Plain tuples and labels translated once: model instances and per-row
    # translation were most of the time of a large export.
    type_labels = {value: str(label) for value, label in Customer.CustomerType.choices}
    yes, no = _("Sí"), _("No")
    rows = customers.values_list(*EXPORT_FIELDS, named=True)
    for row in rows.iterator(chunk_size=2000):
        # Values come back as None for a customer without an advisor.
        advisor_names = (row.advisor__first_name, row.advisor__last_name)
        advisor = " ".join(name for name in advisor_names if name)
        yield [
            row.id_type,
            format_identification(row.id_type, row.id_number, row.check_digit),
            row.name,
            row.trade_name,
            type_labels.get(row.customer_type, row.customer_type),
            row.address,
            row.barrio,
            row.municipality__name or "",
            row.municipality_id or "",
            format_phone(row.phone),
            format_phone(row.mobile),
            row.email,
            row.zone__name or "",
            advisor or row.advisor__username or "",
            yes if row.in_catastro else no,
            row.last_service_date,
            row.last_service_amount,
        ]


@require_GET
@customer_reader_required
def customer_detail(request, pk):
    customer = get_customer(request, pk)
    return render(request, "customers/detail.html", _detail_context(request, customer))


def _detail_context(request, customer: Customer, **forms) -> dict:
    editable = can_edit(request.user, customer)
    context = {
        "customer": customer,
        "can_edit": editable,
        "contacts": customer.contacts.all(),
        "consents": customer.consents.select_related("recorded_by"),
        "assignments": customer.assignments.select_related(
            "advisor", "previous_advisor", "zone", "assigned_by", "run"
        ),
        "history": customer_history(customer),
        "today": timezone.localdate(),
        "onboarding": customer_onboarding_for_display(customer, request.user),
    }
    if editable:
        context["contact_form"] = forms.get("contact_form") or ContactForm(
            customer=customer
        )
        context["consent_form"] = forms.get("consent_form") or ConsentForm(
            initial={"granted_on": timezone.localdate()}
        )
    return context


@customer_editor_required
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                fields=_model_fields(form), user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cliente creado."))
            return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "customer": None})


@customer_editor_required
def customer_edit(request, pk):
    customer = get_editable_customer(request, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                customer=customer, fields=_model_fields(form), user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


def _model_fields(form: CustomerForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@require_POST
@customer_editor_required
def contact_create(request, pk):
    customer = get_editable_customer(request, pk)
    form = ContactForm(request.POST, customer=customer)
    if not form.is_valid():
        context = _detail_context(request, customer, contact_form=form)
        return render(request, "customers/detail.html", context, status=400)
    contact = form.save(commit=False)
    contact.customer = customer
    services.contact_save(contact=contact, user=request.user)
    messages.success(request, _("Contacto agregado."))
    return redirect(customer)


@customer_editor_required
def contact_edit(request, pk, contact_pk):
    customer = get_editable_customer(request, pk)
    contact = get_object_or_404(customer.contacts, pk=contact_pk)
    form = ContactForm(request.POST or None, instance=contact, customer=customer)
    if request.method == "POST" and form.is_valid():
        services.contact_save(contact=form.save(commit=False), user=request.user)
        messages.success(request, _("Contacto actualizado."))
        return redirect(customer)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@require_POST
@customer_editor_required
def contact_delete(request, pk, contact_pk):
    customer = get_editable_customer(request, pk)
    contact = get_object_or_404(customer.contacts, pk=contact_pk)
    services.contact_delete(contact=contact, user=request.user)
    messages.success(request, _("Contacto eliminado."))
    return redirect(customer)


@require_POST
@customer_editor_required
def consent_create(request, pk):
    customer = get_editable_customer(request, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, customer, consent_form=form)
        return render(request, "customers/detail.html", context, status=400)
    services.consent_record(
        customer=customer, fields=form.cleaned_data, user=request.user
    )
    messages.success(request, _("Autorización de datos registrada."))
    return redirect(customer)


@require_POST
@customer_editor_required
def consent_revoke(request, pk, consent_pk):
    customer = get_editable_customer(request, pk)
    consent = get_object_or_404(customer.consents, pk=consent_pk)
    form = ConsentRevokeForm(request.POST, consent=consent)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(customer)
    try:
        services.consent_revoke(
            consent=consent,
            revoked_on=form.cleaned_data["revoked_on"],
            note=form.cleaned_data["revocation_note"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Autorización revocada."))
    return redirect(customer)
