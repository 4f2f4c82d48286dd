"""Onboarding screens: the list for managers, advisors and billing, the detail with
its checklist and uploads, the review of the customer's data, billing's decision
and the download of documents.

Records are read through `visible_to(user)`, so an onboarding or document of a
customer outside the user's portfolio gets 404. Operations and logistics read
customers' addresses but not their legal documents, so every view here returns
403 to them.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import MANAGER_ROLES, Role
from core.permissions import role_required
from customers.forms import CustomerForm
from onboarding import services
from onboarding.forms import DecisionForm, DocumentUploadForm, OnboardingFilterForm
from onboarding.models import CustomerDocument, DocumentKind, Onboarding
from quotations.models import Quotation

PAGE_SIZE = 50

EDITOR_ROLES = (*MANAGER_ROLES, Role.ADVISOR)

reader_required = role_required(*services.READER_ROLES)
editor_required = role_required(*EDITOR_ROLES)
approver_required = role_required(*services.APPROVER_ROLES)


def _visible(request, pk) -> Onboarding:
    queryset = Onboarding.objects.visible_to(request.user).select_related(
        "customer",
        "customer__advisor",
        "customer__municipality",
        "quotation",
        "opened_by",
        "data_reviewed_by",
        "decided_by",
    )
    return get_object_or_404(queryset, pk=pk)


def _can_edit(user, onboarding: Onboarding) -> bool:
    """Managers change any onboarding; an advisor only those of their customers."""
    if user.is_manager:
        return True
    return user.is_advisor and onboarding.customer.advisor_id == user.pk


def _editable(request, pk) -> Onboarding:
    onboarding = _visible(request, pk)
    if not _can_edit(request.user, onboarding):
        raise PermissionDenied
    return onboarding


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@reader_required
def onboarding_list(request):
    form = OnboardingFilterForm(request.GET or None)
    onboardings = form.filter(
        Onboarding.objects.visible_to(request.user).select_related(
            "customer", "customer__advisor", "quotation"
        )
    )
    page = Paginator(onboardings, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "onboarding/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@reader_required
def onboarding_detail(request, pk):
    onboarding = _visible(request, pk)
    return render(
        request, "onboarding/detail.html", _detail_context(request, onboarding)
    )


def _detail_context(request, onboarding: Onboarding, **forms) -> dict:
    user = request.user
    editable = _can_edit(user, onboarding)
    documents = onboarding.customer.documents.select_related(
        "uploaded_by", "replaced_by"
    ).order_by("kind", "-uploaded_at", "-pk")
    context = {
        "onboarding": onboarding,
        "customer": onboarding.customer,
        "checklist": services.onboarding_checklist(onboarding),
        "documents": documents,
        "can_edit": editable,
        "can_change": editable and onboarding.status in services.CHANGEABLE_STATUSES,
        "can_submit": editable and onboarding.status in services.SUBMITTABLE_STATUSES,
        "can_decide": services.user_may_approve(user)
        and onboarding.status == Onboarding.Status.IN_REVIEW,
        "upload_form": forms.get("upload_form") or DocumentUploadForm(),
        "upload_errors": forms.get("upload_errors", []),
        "upload_notice": forms.get("upload_notice", ""),
        "decision_form": forms.get("decision_form")
        or DecisionForm(initial={"payment_terms": onboarding.payment_terms}),
        "history": onboarding.history.select_related("history_user").order_by(
            "-history_date"
        ),
        "max_mb": settings.UPLOAD_MAX_MB,
    }
    return context


@editor_required
def onboarding_review(request, pk):
    """Show the customer's data in the customers app's form; saving records the
    review, with or without changes."""
    onboarding = _editable(request, pk)
    customer = onboarding.customer
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.onboarding_review_data(
                onboarding=onboarding, user=request.user, fields=fields
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Datos del cliente revisados."))
            was_approved = onboarding.status == Onboarding.Status.APPROVED
            onboarding.refresh_from_db()
            if was_approved and onboarding.status == Onboarding.Status.IN_REVIEW:
                messages.info(
                    request,
                    _(
                        "La vinculación estaba aprobada: con los datos cambiados "
                        "vuelve a revisión de facturación."
                    ),
                )
            return redirect(onboarding)
    return render(
        request,
        "onboarding/review.html",
        {"onboarding": onboarding, "customer": customer, "form": form},
    )


@require_POST
@editor_required
def document_upload(request, pk):
    onboarding = _editable(request, pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    errors = []
    notice = ""
    if form.is_valid():
        try:
            document = services.document_upload(
                onboarding=onboarding,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                user=request.user,
                issued_on=form.cleaned_data["issued_on"],
                document_id_number=form.cleaned_data["document_id_number"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            errors = error.messages
        else:
            form = DocumentUploadForm()
            notice = _("Documento «%(kind)s» guardado.") % {
                "kind": document.get_kind_display()
            }
            was_approved = onboarding.status == Onboarding.Status.APPROVED
            onboarding.refresh_from_db()
            if was_approved and onboarding.status == Onboarding.Status.IN_REVIEW:
                notice += " " + _(
                    "La vinculación estaba aprobada: vuelve a revisión de "
                    "facturación con el documento nuevo."
                )
    else:
        errors = _form_errors(form)

    if request.htmx:
        # htmx swaps only 2xx responses, so a rejected upload returns 200 with
        # its errors inside the partial.
        context = _detail_context(
            request,
            onboarding,
            upload_form=form,
            upload_errors=errors,
            upload_notice=notice,
        )
        return render(request, "onboarding/partials/documents.html", context)
    for message in errors:
        messages.error(request, message)
    if notice:
        messages.success(request, notice)
    return redirect(onboarding)


def _form_errors(form) -> list[str]:
    errors = []
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(field_errors)
        errors.append(f"{label}: {text}" if label else text)
    return errors


@require_GET
@reader_required
def document_download(request, pk):
    """Serve a customer's document as an attachment, with its checked content type
    and a name built from the kind and customer, never from the uploader's."""
    document = get_object_or_404(
        CustomerDocument.objects.visible_to(request.user).select_related("customer"),
        pk=pk,
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("El archivo del documento no está en el servidor.")) from None
    extension = Path(document.file.name).suffix
    filename = (
        f"{DocumentKind(document.kind).label} - {document.customer.id_number}"
        f"{extension}"
    )
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@editor_required
def submit(request, pk):
    onboarding = _editable(request, pk)
    try:
        services.onboarding_submit(onboarding=onboarding, user=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Vinculación enviada a facturación."))
    return redirect(onboarding)


@require_POST
@approver_required
def decide(request, pk):
    onboarding = _visible(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for message in _form_errors(form):
            messages.error(request, message)
        return redirect(onboarding)
    try:
        if form.cleaned_data["decision"] == DecisionForm.APPROVE:
            services.onboarding_approve(
                onboarding=onboarding,
                user=request.user,
                payment_terms=form.cleaned_data["payment_terms"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Cliente aprobado."))
        else:
            services.onboarding_return(
                onboarding=onboarding,
                user=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Vinculación devuelta con observaciones."))
    except ValidationError as error:
        _show_errors(request, error)
    return redirect(onboarding)


@require_POST
@editor_required
def open_for_quotation(request, quotation_pk):
    """Open the onboarding of an accepted quotation that has none, such as one
    accepted before onboardings existed."""
    quotation = get_object_or_404(
        Quotation.objects.visible_to(request.user), pk=quotation_pk
    )
    if quotation.status != Quotation.Status.ACCEPTED:
        messages.error(
            request,
            _(
                "La cotización %(quotation)s no está aceptada; registre primero la aceptación."
            )
            % {"quotation": quotation},
        )
        return redirect(quotation)
    onboarding = services.onboarding_open(quotation=quotation, user=request.user)
    return redirect(onboarding)
