"""Registry screens: the account list with search and filters, and the account
detail with its change history.

Both read accounts through `SubscriberAccount.objects.visible_to(user)`, so an
account outside an advisor's zones gets 404 and a role without the registry 403.
"""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import MANAGER_ROLES, Role
from core.permissions import role_required
from customers.history import _entries as history_entries
from subscribers.forms import AccountFilterForm
from subscribers.models import SubscriberAccount

PAGE_SIZE = 50

registry_reader_required = role_required(
    *MANAGER_ROLES, Role.BILLING, Role.OPERATIONS, Role.ADVISOR
)


@dataclass
class AccountPage:
    """One page of the registry list, read without counting every match:
    counting a broad search over a million accounts takes many times longer
    than reading the page, so the list fetches one row more to know whether a
    next page exists."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.object_list)

    @property
    def is_complete(self) -> bool:
        """True when this page holds every match, so its size is the total."""
        return self.number == 1 and not self.has_next


def account_page(queryset, number) -> AccountPage:
    """Return page `number` (1 for anything that is not a positive integer)."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * PAGE_SIZE
    # Sort and cut the primary keys alone, then read the page's rows: a broad
    # search matches thousands of accounts, and joining each to its
    # municipality and zone before the sort costs more than the search.
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
    page_keys = keys[:PAGE_SIZE]
    by_key = queryset.order_by().in_bulk(page_keys)
    rows = [by_key[key] for key in page_keys]
    return AccountPage(rows, number, len(keys) > PAGE_SIZE)


def visible_accounts(user):
    return SubscriberAccount.objects.visible_to(user).select_related(
        "municipality", "zone"
    )


@require_GET
@registry_reader_required
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    accounts = form.filter(visible_accounts(request.user)).order_by("account_code")
    page = account_page(accounts, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
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
