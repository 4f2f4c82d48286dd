"""`{% contact_summary customer %}`: the telemarketing panel for the customer detail
page (opt-out status, latest contact and a link to the contact page)."""

from django import template

from telemarketing.models import ContactLog
from telemarketing.rules import active_opt_out

register = template.Library()


@register.inclusion_tag(
    "telemarketing/partials/contact_summary.html", takes_context=True
)
def contact_summary(context, customer):
    user = context["request"].user
    return {
        "customer": customer,
        "opt_out": active_opt_out(customer),
        "last_log": ContactLog.objects.visible_to(user)
        .filter(customer=customer)
        .first(),
        "can_contact": user.is_manager or customer.advisor_id == user.pk,
    }
