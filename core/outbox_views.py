"""The outbox screens: outgoing e-mails with their status, and a manual retry."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.mail import email_retry
from core.models import OutgoingEmail
from core.permissions import manager_required

PAGE_SIZE = 50


@manager_required
def outbox(request):
    emails = OutgoingEmail.objects.select_related("created_by")
    status = request.GET.get("estado", "")
    if status in OutgoingEmail.Status.values:
        emails = emails.filter(status=status)
    else:
        status = ""
    page = Paginator(emails, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {
        "page": page,
        "status": status,
        "statuses": OutgoingEmail.Status.choices,
        "failed_count": OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.FAILED
        ).count(),
    }
    return render(request, "core/outbox/list.html", context)


@manager_required
def outbox_detail(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    return render(request, "core/outbox/detail.html", {"email": email})


@manager_required
@require_POST
def outbox_retry(request, pk):
    email = get_object_or_404(OutgoingEmail, pk=pk)
    if email.status != OutgoingEmail.Status.FAILED:
        messages.error(
            request,
            _("Solo se reintentan correos fallidos; este está %(status)s.")
            % {"status": email.get_status_display().lower()},
        )
    elif email_retry(email=email, user=request.user):
        messages.success(request, _("Correo reenviado."))
    else:
        email.refresh_from_db()
        messages.error(
            request,
            _("El reintento falló: %(error)s") % {"error": email.last_error},
        )
    return redirect("core:outbox_detail", pk=email.pk)
