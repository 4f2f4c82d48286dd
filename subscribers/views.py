"""Registry screens: the account list with search and filters, and the account
detail with its change history.

Both read only the accounts in the zones `visible_zone_ids(user)` allows, so an
account outside an advisor's zones gets 404 and a role without the registry 403.
"""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import MANAGER_ROLES, Role
from core.permissions import role_required
from customers.history import _entries as history_entries
from subscribers.forms import AccountFilterForm
from subscribers.models import SubscriberAccount, visible_zone_ids
from subscribers.pages import AccountPage, account_page, search_page

registry_reader_required = role_required(
    *MANAGER_ROLES, Role.BILLING, Role.OPERATIONS, Role.ADVISOR
)


def visible_accounts(user):
    return SubscriberAccount.objects.visible_to(user).select_related(
        "municipality", "zone"
    )


# The account columns the list shows, read alone for speed (see _table.html).
LISTED = [
    "account_code",
    "name",
    "id_type",
    "id_number",
    "check_digit",
    "check_digit_mismatch",
    "address",
    "barrio",
    "municipality__name",
    "use_class",
    "estrato",
    "producer_type",
    "status",
]


def list_page(user, parameters) -> tuple[AccountFilterForm, AccountPage]:
    """Return the filter form and the page of the registry list that the
    request `parameters` of `user` select."""
    form = AccountFilterForm(parameters or None)
    zones = visible_zone_ids(user)
    accounts = SubscriberAccount.objects.in_zones(zones)
    accounts = form.filter(accounts.select_related("municipality").only(*LISTED))
    terms = form.search_terms
    if terms:
        page = search_page(
            accounts, terms, parameters, zones, filtered=form.has_filters
        )
    else:
        page = account_page(accounts.order_by("account_code"), parameters.get("page"))
    return form, page


@require_GET
@registry_reader_required
def account_list(request):
    form, page = list_page(request.user, request.GET)
    query = request.GET.copy()
    for name in ("page", "desde", "hasta"):
        query.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    if request.htmx and request.htmx.target == "account-table":
        return render(request, "subscribers/_table.html", context)
    return render(request, "subscribers/list.html", context)


@require_GET
@registry_reader_required
def account_detail(request, pk):
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    history = history_entries(account.history.all(), lambda record: _("la cuenta"))
    history.reverse()
    context = {"account": account, "history": history}
    return render(request, "subscribers/detail.html", context)
