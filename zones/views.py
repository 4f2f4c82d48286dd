from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from core.permissions import manager_required
from customers.models import Customer
from zones import services
from zones.forms import AssignmentForm, RedistributionForm, ZoneForm
from zones.models import AssignmentRun, Zone

NEW = Customer.CustomerType.NEW
EXISTING = Customer.CustomerType.EXISTING


def _customer_counts(prefix: str) -> dict:
    """Count annotations by customer type over the relation named `prefix`.

    The counts are distinct because the querysets also join other relations
    (an advisor's zones), which would repeat each customer once per joined row.
    """
    return {
        "customer_total": Count(prefix, distinct=True),
        "new_total": Count(
            prefix, filter=Q(**{f"{prefix}__customer_type": NEW}), distinct=True
        ),
        "existing_total": Count(
            prefix, filter=Q(**{f"{prefix}__customer_type": EXISTING}), distinct=True
        ),
    }


@manager_required
def zone_list(request):
    zones = (
        Zone.objects.prefetch_related("municipalities", "advisors")
        .annotate(
            **_customer_counts("customers"),
            unassigned_total=Count(
                "customers", filter=Q(customers__advisor__isnull=True), distinct=True
            ),
        )
        .order_by("-is_active", "name")
    )
    context = {
        "zones": zones,
        "without_zone": Customer.objects.filter(zone__isnull=True).count(),
    }
    return render(request, "zones/zone_list.html", context)


@manager_required
def zone_detail(request, pk):
    zone = get_object_or_404(Zone, pk=pk)
    portfolio = (
        User.objects.filter(Q(zones=zone) | Q(customers__zone=zone))
        .distinct()
        .annotate(**_zone_portfolio_counts(zone))
        .order_by("sort_name", "pk")
    )
    zone_advisor_ids = set(zone.advisors.values_list("pk", flat=True))
    rows = [
        {"advisor": advisor, "in_zone": advisor.pk in zone_advisor_ids}
        for advisor in portfolio
    ]
    totals = zone.customers.aggregate(
        customer_total=Count("pk"),
        new_total=Count("pk", filter=Q(customer_type=NEW)),
        existing_total=Count("pk", filter=Q(customer_type=EXISTING)),
        unassigned_total=Count("pk", filter=Q(advisor__isnull=True)),
    )
    context = {
        "zone": zone,
        "rows": rows,
        "totals": totals,
        "runs": zone.assignment_runs.select_related("created_by")[:10],
    }
    return render(request, "zones/zone_detail.html", context)


def _zone_portfolio_counts(zone: Zone) -> dict:
    in_zone = Q(customers__zone=zone)
    return {
        "customer_total": Count("customers", filter=in_zone, distinct=True),
        "new_total": Count(
            "customers",
            filter=in_zone & Q(customers__customer_type=NEW),
            distinct=True,
        ),
        "existing_total": Count(
            "customers",
            filter=in_zone & Q(customers__customer_type=EXISTING),
            distinct=True,
        ),
    }


@manager_required
def zone_create(request):
    form = ZoneForm(request.POST or None)
    if form.is_valid():
        zone = form.save()
        messages.success(request, _("Zona %(zone)s creada.") % {"zone": zone.name})
        return redirect(zone)
    return render(request, "zones/zone_form.html", {"form": form})


@manager_required
def zone_edit(request, pk):
    zone = get_object_or_404(Zone, pk=pk)
    form = ZoneForm(request.POST or None, instance=zone)
    if form.is_valid():
        form.save()
        messages.success(request, _("Zona %(zone)s guardada.") % {"zone": zone.name})
        return redirect(zone)
    return render(request, "zones/zone_form.html", {"form": form, "zone": zone})


@manager_required
def zone_assign_start(request):
    zone_id = request.GET.get("zona", "")
    if not zone_id.isdigit():
        # Without a zone there is nothing to assign yet: choose one from the list.
        return redirect("zones:list")
    zone = get_object_or_404(Zone, pk=zone_id)
    return redirect("zones:assign", pk=zone.pk)


@manager_required
def zone_assign(request, pk):
    """Choose the advisors, preview the fair assignment, then confirm it."""
    zone = get_object_or_404(Zone, pk=pk)
    if request.method != "POST":
        initial = services.assignable_advisors().filter(zones=zone)
        form = AssignmentForm(initial={"advisors": initial})
        return render(request, "zones/assign.html", {"zone": zone, "form": form})

    form = AssignmentForm(request.POST)
    plan = None
    if form.is_valid():
        advisors = list(form.cleaned_data["advisors"])
        try:
            if "confirm" in request.POST:
                return _confirm_assignment(request, zone, advisors, form)
            plan = services.assignment_plan(zone=zone, advisors=advisors)
        except services.StalePlanError as error:
            messages.warning(request, str(error))
            plan = error.plan
        except services.AssignmentError as error:
            form.add_error(None, str(error))

    template = "zones/assign_preview.html" if request.htmx else "zones/assign.html"
    context = {"zone": zone, "form": form, "plan": plan}
    return render(request, template, context)


def _confirm_assignment(request, zone, advisors, form):
    run = services.assignment_confirm(
        zone=zone,
        advisors=advisors,
        user=request.user,
        plan_digest=form.cleaned_data["plan_digest"],
    )
    messages.success(
        request,
        _(
            "Asignación confirmada: %(moved)s clientes cambiaron de asesor. "
            "Se envió un correo a cada asesor."
        )
        % {"moved": run.customer_count},
    )
    response = redirect("zones:run_detail", pk=run.pk)
    if request.htmx:
        response.headers["HX-Redirect"] = response.url
    return response


@manager_required
def advisor_list(request):
    advisors = (
        User.objects.filter(groups__name=Role.ADVISOR.value)
        .annotate(
            **_customer_counts("customers"),
            zone_total=Count("zones", distinct=True),
        )
        .filter(Q(is_active=True) | Q(customer_total__gt=0))
        .prefetch_related("zones")
        .order_by("-available_for_assignment", "sort_name", "pk")
    )
    return render(request, "zones/advisor_list.html", {"advisors": advisors})


def _advisor_or_404(pk) -> User:
    return get_object_or_404(
        User.objects.filter(groups__name=Role.ADVISOR.value), pk=pk
    )


@manager_required
def advisor_redistribute(request, pk):
    """Preview and confirm spreading an advisor's portfolio over their zones."""
    advisor = _advisor_or_404(pk)
    form = RedistributionForm(request.POST or None)
    plan = None
    if form.is_valid():
        try:
            run = services.advisor_redistribute(
                advisor=advisor,
                user=request.user,
                reason=form.cleaned_data["reason"],
                plan_digest=form.cleaned_data["plan_digest"],
            )
        except services.StalePlanError as error:
            messages.warning(request, str(error))
            plan = error.plan
        except services.AssignmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(advisor)s quedó no disponible y %(moved)s clientes fueron "
                    "redistribuidos."
                )
                % {"advisor": advisor, "moved": run.customer_count},
            )
            return redirect("zones:run_detail", pk=run.pk)

    if plan is None:
        plan = services.advisor_redistribution_plan(advisor=advisor)
    context = {"advisor": advisor, "plan": plan, "form": form}
    return render(request, "zones/redistribute.html", context)


@manager_required
@require_POST
def advisor_available(request, pk):
    advisor = _advisor_or_404(pk)
    services.advisor_mark_available(advisor=advisor, user=request.user)
    messages.success(
        request,
        _(
            "%(advisor)s está disponible de nuevo. Sus clientes anteriores no "
            "regresan solos: asigne la zona para darle su parte."
        )
        % {"advisor": advisor},
    )
    return redirect("zones:advisor_list")


@manager_required
def run_list(request):
    runs = AssignmentRun.objects.select_related(
        "zone", "created_by", "departing_advisor"
    )[:100]
    return render(request, "zones/run_list.html", {"runs": runs})


@manager_required
def run_detail(request, pk):
    run = get_object_or_404(
        AssignmentRun.objects.select_related("zone", "created_by", "departing_advisor"),
        pk=pk,
    )
    assignments = run.assignments.select_related(
        "customer", "advisor", "previous_advisor", "zone"
    ).order_by("customer__sort_name", "pk")
    context = {"run": run, "assignments": assignments}
    return render(request, "zones/run_detail.html", context)
