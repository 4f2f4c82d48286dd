"""Registry screens: the account list with search and filters, and the account
detail with its change history.

Both read accounts through `SubscriberAccount.objects.visible_to(user)`, so an
account outside an advisor's zones gets 404 and a role without the registry 403.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import MANAGER_ROLES, Role
from core.permissions import role_required
from customers.history import _entries as history_entries
from subscribers.forms import AccountFilterForm
from subscribers.models import SubscriberAccount

PAGE_SIZE = 50
# Counting every match of a broad search over a million accounts costs more than
# showing the page, so the count stops here and the list shows "Más de".
COUNT_LIMIT = 10_000

registry_reader_required = role_required(
    *MANAGER_ROLES, Role.BILLING, Role.OPERATIONS, Role.ADVISOR
)


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_LIMIT + 1 rows."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_LIMIT + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > COUNT_LIMIT


def visible_accounts(user):
    return SubscriberAccount.objects.visible_to(user).select_related(
        "municipality", "zone"
    )


@require_GET
@registry_reader_required
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    accounts = form.filter(visible_accounts(request.user)).order_by("account_code")
    page = CappedPaginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "count_limit": COUNT_LIMIT,
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
