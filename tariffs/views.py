from datetime import date
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from core.permissions import manager_required, role_required
from tariffs.importer import TariffImporter
from tariffs.models import TariffItem, TariffVersion
from tariffs.services import (
    tariff_version_approve,
    tariff_version_compare,
    tariff_version_reject,
    user_decides_tariffs,
)

# Every staff role reads the tariff book: advisors quote from it, billing and
# operations check prices. A user without a role gets 403.
staff_required = role_required(*Role)


@staff_required
def tariff_book(request):
    """Show the tariff book in force today, or on the date chosen in `?fecha=`."""
    on = _date_param(request, "fecha")
    items = TariffItem.objects.in_force(on=on).select_related("version")
    items = sorted(items, key=lambda item: (item.category, item.code))
    sections = [
        (category, list(group))
        for category, group in groupby(items, key=lambda item: item.category)
    ]
    context = {
        "on": on,
        "is_today": on == timezone.localdate(),
        "sections": sections,
        "item_count": len(items),
        "draft_count": TariffVersion.objects.filter(
            status=TariffVersion.Status.DRAFT
        ).count(),
        "import_url": _import_url(),
    }
    return render(request, "tariffs/book.html", context)


@manager_required
def version_list(request):
    """List the tariff versions, only those of one status with `?estado=`."""
    versions = TariffVersion.objects.select_related(
        "created_by", "approved_by", "rejected_by"
    )
    status = request.GET.get("estado", "")
    if status in TariffVersion.Status.values:
        versions = versions.filter(status=status)
    else:
        status = ""
    context = {
        "versions": versions,
        "status": status,
        "statuses": TariffVersion.Status.choices,
        "import_url": _import_url(),
    }
    return render(request, "tariffs/version_list.html", context)


@manager_required
def version_detail(request, pk):
    """Show a version's items next to the tariffs in force on `?fecha=` (default
    today)."""
    version = get_object_or_404(TariffVersion, pk=pk)
    on = _date_param(request, "fecha")
    changes = tariff_version_compare(version=version, on=on)
    context = {
        "version": version,
        "on": on,
        "changes": changes,
        "changed_count": sum(change.kind in ("sube", "baja") for change in changes),
        "new_count": sum(change.kind == "nuevo" for change in changes),
        "can_decide": version.is_draft and user_decides_tariffs(request.user),
    }
    return render(request, "tariffs/version_detail.html", context)


@require_POST
@role_required(Role.DIRECTOR)
def version_approve(request, pk):
    version = get_object_or_404(TariffVersion, pk=pk)
    try:
        tariff_version_approve(version=version, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La versión «%(name)s» quedó aprobada y entra en vigencia.")
            % {"name": version.name},
        )
    return redirect(version)


@require_POST
@role_required(Role.DIRECTOR)
def version_reject(request, pk):
    version = get_object_or_404(TariffVersion, pk=pk)
    try:
        tariff_version_reject(
            version=version, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La versión «%(name)s» quedó rechazada.") % {"name": version.name},
        )
    return redirect(version)


@manager_required
def tariff_history(request):
    """Who loaded, approved and rejected each version, and the prices of one code
    across every approved version (`?codigo=`)."""
    code = request.GET.get("codigo", "").strip().upper()[:20]
    events = TariffVersion.history.select_related("history_user").order_by(
        "-history_date"
    )[:200]
    prices = (
        TariffItem.objects.approved()
        .filter(code=code)
        .select_related("version", "version__approved_by")
        .order_by("-valid_from", "-version__approved_at")
        if code
        else []
    )
    codes = (
        TariffItem.objects.order_by("code").values_list("code", flat=True).distinct()
    )
    context = {"events": events, "code": code, "prices": prices, "codes": codes}
    return render(request, "tariffs/history.html", context)


def _import_url() -> str:
    """Return the shared import screen for tariff sheets ('' while core has none)."""
    try:
        return reverse("core:import_upload", args=[TariffImporter.kind])
    except NoReverseMatch:
        return ""


def _date_param(request, name: str) -> date:
    """Return the date in `?<name>=` (aaaa-mm-dd from a date input), or today."""
    raw = request.GET.get(name, "")
    try:
        parsed = parse_date(raw) if raw else None
    except ValueError:
        parsed = None
    return parsed or timezone.localdate()
