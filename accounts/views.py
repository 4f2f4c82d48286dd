from django.contrib.auth import views as auth_views
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from accounts.pending import pending_items
from core.text import sort_key
from customers.models import Customer

NEW = Customer.CustomerType.NEW
EXISTING = Customer.CustomerType.EXISTING


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request):
    """The start page: each role sees the counts and shortcuts of its own work."""
    user = request.user
    customers = Customer.objects.visible_to(user)
    context = {
        "pending": pending_items(user),
        "totals": portfolio_counts(customers),
    }
    if user.is_manager:
        context["unassigned_count"] = customers.filter(advisor__isnull=True).count()
        context["by_zone"] = _counts_by(customers, "zone_id", "zone__name")
        context["by_advisor"] = _counts_by(
            customers, "advisor_id", "advisor__first_name", "advisor__last_name"
        )
    context["is_portfolio"] = user.is_advisor and not user.reads_all_customers
    return render(request, "accounts/home.html", context)


def portfolio_counts(customers) -> dict:
    """Total, new and existing customers of a queryset, in one query."""
    return customers.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(customer_type=NEW)),
        existing=Count("pk", filter=Q(customer_type=EXISTING)),
    )


def _counts_by(customers, key: str, *labels: str) -> list[dict]:
    rows = (
        customers.order_by()
        .values(key, *labels)
        .annotate(
            total=Count("pk"),
            new=Count("pk", filter=Q(customer_type=NEW)),
            existing=Count("pk", filter=Q(customer_type=EXISTING)),
        )
    )
    result = []
    for row in rows:
        name = " ".join(str(row[label]) for label in labels if row[label])
        result.append({"id": row[key], "name": name, **_counts(row)})
    # Named groups in order, the group with no zone or no advisor last.
    result.sort(key=lambda item: (item["id"] is None, sort_key(item["name"])))
    return result


def _counts(row: dict) -> dict:
    return {"total": row["total"], "new": row["new"], "existing": row["existing"]}
