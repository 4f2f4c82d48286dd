import logging
import math
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role
from certificates import services
from certificates.forms import CertificateForm, RevokeForm, SignatureForm
from certificates.models import Certificate, DirectorSignature
from certificates.pdf import certificate_render_pdf, short_url
from core.permissions import role_required
from customers.models import Customer
from quote_requests.views import client_ip
from service_orders.models import ServiceOrder

logger = logging.getLogger(__name__)

PAGE_SIZE = 50

# Advisors draft for their own customers and managers for any; billing reads
# certificates to reply to customers. Operations and logistics have no use for them.
EDITOR_ROLES = (Role.ADVISOR, Role.DIRECTOR, Role.COORDINATOR, Role.ADMINISTRATOR)
READER_ROLES = (*EDITOR_ROLES, Role.BILLING)

editor_required = role_required(*EDITOR_ROLES)
reader_required = role_required(*READER_ROLES)


def director_required(view):
    """Allow the view only to users with the director role (not superusers as such)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.can_sign(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _visible(request, pk) -> Certificate:
    queryset = Certificate.objects.visible_to(request.user).select_related(
        "customer", "drafted_by", "signed_by", "revoked_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _draftable_customers(user):
    """Customers with at least one invoiced order that `user` may certify."""
    invoiced = ServiceOrder.objects.exclude(invoice_number="").values("customer_id")
    customers = Customer.objects.visible_to(user).filter(pk__in=invoiced)
    if not user.is_manager:
        customers = customers.filter(advisor=user)
    return customers.order_by("sort_name", "pk")


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@reader_required
def certificate_list(request):
    certificates = Certificate.objects.visible_to(request.user).select_related(
        "customer"
    )
    status = request.GET.get("estado", "")
    if status in Certificate.Status.values:
        certificates = certificates.filter(status=status)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        certificates = certificates.filter(
            Q(code__icontains=query) | Q(customer__name__icontains=query)
        )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "certificates/list.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "statuses": Certificate.Status.choices,
            "can_draft": request.user.is_manager or request.user.is_advisor,
        },
    )


def _period_warn(request, form, data) -> None:
    """On «Buscar servicios facturados», say what is wrong with the period."""
    if data is not None and "buscar" in data:
        problem = form.period_error()
        if problem:
            messages.error(request, problem)


@editor_required
def certificate_create(request):
    customers = _draftable_customers(request.user)
    data = request.POST if request.method == "POST" else None
    initial = {"customer": request.GET.get("cliente")}
    form = CertificateForm(data, customers=customers, initial=initial)
    _period_warn(request, form, data)
    if data is not None and "buscar" not in data and form.is_valid():
        try:
            certificate = services.certificate_draft(
                customer=form.cleaned_data["customer"],
                user=request.user,
                data=form.draft_data(),
            )
            messages.success(request, "Borrador de certificado guardado.")
            return redirect(certificate)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "certificates/form.html",
        {"form": form, "title": "Nuevo certificado", "certificate": None},
    )


@editor_required
def certificate_update(request, pk):
    certificate = _visible(request, pk)
    if not services.can_draft(request.user, certificate.customer):
        raise PermissionDenied
    if certificate.status != Certificate.Status.DRAFT:
        messages.error(request, "Solo se edita un certificado en borrador.")
        return redirect(certificate)
    customers = Customer.objects.filter(pk=certificate.customer_id)
    data = request.POST if request.method == "POST" else None
    form = CertificateForm(data, customers=customers, instance=certificate)
    _period_warn(request, form, data)
    if data is not None and "buscar" not in data and form.is_valid():
        try:
            services.certificate_update(
                certificate=certificate, user=request.user, data=form.draft_data()
            )
            messages.success(request, "Cambios guardados.")
            return redirect(certificate)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "certificates/form.html",
        {"form": form, "title": "Editar borrador", "certificate": certificate},
    )


@require_GET
@reader_required
def certificate_detail(request, pk):
    certificate = _visible(request, pk)
    user = request.user
    context = {
        "certificate": certificate,
        "lines": certificate.lines.select_related("order"),
        "can_edit": certificate.status == Certificate.Status.DRAFT
        and services.can_draft(user, certificate.customer),
        "can_sign": services.can_sign(user),
        "has_signature": DirectorSignature.objects.filter(user=user).exists(),
        "short_url": short_url(certificate) if certificate.code else "",
        "masked_identification": services.masked_identification(certificate.customer),
        "history": certificate.history.select_related("history_user")[:20],
    }
    return render(request, "certificates/detail.html", context)


@require_GET
@reader_required
def certificate_preview(request, pk):
    """Render the draft's PDF on the fly, marked as a draft, without storing it."""
    certificate = _visible(request, pk)
    if certificate.status != Certificate.Status.DRAFT:
        return redirect("certificates:pdf", pk=certificate.pk)
    response = HttpResponse(
        certificate_render_pdf(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"borrador-certificado-{certificate.pk}.pdf"
    )
    return response


@require_GET
@reader_required
def certificate_pdf(request, pk):
    certificate = _visible(request, pk)
    if not certificate.code:
        raise Http404("El certificado no está firmado.")
    try:
        content = services.certificate_pdf_bytes(certificate)
    except ValidationError as error:
        _show_errors(request, error)
        return redirect(certificate)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{certificate.code}.pdf"
    )
    return response


@require_POST
@director_required
def certificate_sign(request, pk):
    certificate = _visible(request, pk)
    try:
        certificate = services.certificate_sign(
            certificate=certificate, user=request.user
        )
        messages.success(
            request, f"Certificado firmado con el código {certificate.code}."
        )
    except ValidationError as error:
        _show_errors(request, error)
    return redirect(certificate)


@director_required
def certificate_revoke(request, pk):
    certificate = _visible(request, pk)
    if certificate.status != Certificate.Status.SIGNED:
        messages.error(
            request,
            _("Solo se revoca un certificado firmado; %(code)s está %(status)s.")
            % {
                "code": str(certificate),
                "status": certificate.get_status_display().lower(),
            },
        )
        return redirect(certificate)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Certificado revocado; conserva su código.")
            return redirect(certificate)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "certificates/revoke.html",
        {"certificate": certificate, "form": form},
    )


@director_required
def signature_edit(request):
    signature = DirectorSignature.objects.filter(user=request.user).first()
    form = SignatureForm(
        request.POST or None,
        request.FILES or None,
        initial={"title": signature.title} if signature else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_save(
                user=request.user,
                image=form.cleaned_data["image"],
                title=form.cleaned_data["title"],
            )
            messages.success(request, "Firma guardada.")
            return redirect("certificates:signature")
        except ValidationError as error:
            form.add_error("image", error)
    return render(
        request,
        "certificates/signature.html",
        {"form": form, "signature": signature},
    )


@require_GET
@director_required
def signature_image(request):
    """Serve the director's own signature image, for the preview on its page."""
    signature = get_object_or_404(DirectorSignature, user=request.user)
    with signature.image.open("rb") as stored:
        content = stored.read()
    content_type = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_not_required
@require_GET
@never_cache
def verify(request, token):
    """Show the public verification page the QR code points to: code, issue
    date, customer name, masked ID and status, and nothing else about the customer."""
    source_ip = client_ip(request)
    if _verify_misses(source_ip) >= settings.CERTIFICATE_VERIFY_MISS_LIMIT:
        logger.warning("Certificate verification rate limit reached")
        return _public(request, "certificates/verify_limited.html", {}, status=429)
    certificate = (
        Certificate.objects.filter(public_token=token)
        .exclude(code="")
        .select_related("customer")
        .first()
    )
    if certificate is None:
        _verify_miss_record(source_ip)
        return _public(request, "certificates/verify_unknown.html", {}, status=404)
    context = {
        "code": certificate.code,
        "issued_at": certificate.signed_at,
        "customer_name": certificate.customer.name,
        "masked_identification": services.masked_identification(certificate.customer),
        "revoked": certificate.status == Certificate.Status.REVOKED,
        "revoked_at": certificate.revoked_at,
    }
    return _public(request, "certificates/verify.html", context)


def _public(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _verify_key(source_ip: str) -> str:
    return f"certificates:verify-misses:{source_ip}"


def _verify_misses(source_ip: str) -> int:
    misses, _window_ends = cache.get(_verify_key(source_ip), (0, None))
    return misses


def _verify_miss_record(source_ip: str) -> None:
    """Count one unknown code from `source_ip` in a window of
    CERTIFICATE_VERIFY_WINDOW_MINUTES that starts at its first miss.

    The entry is (misses, end of the window as a Unix time) in the database
    cache, so every worker and a restarted server read the same count. Each
    write passes the time left in the window as the timeout, because
    DatabaseCache.incr() would reset it to the default of 300 seconds."""
    # NOTE: the count is read and then written, so two misses at the same
    # instant may count as one. The limit can therefore be exceeded by the
    # number of concurrent requests.
    key = _verify_key(source_ip)
    now = time.time()
    window = settings.CERTIFICATE_VERIFY_WINDOW_MINUTES * 60
    misses, window_ends = cache.get(key, (0, now + window))
    remaining = max(1, math.ceil(window_ends - now))
    cache.set(key, (misses + 1, window_ends), timeout=remaining)
