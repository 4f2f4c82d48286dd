from django import template

from quote_requests.queue import age_display

register = template.Library()


@register.filter
def age(value):
    """Render the time since a datetime as «hace 3 h»."""
    return age_display(value) if value else ""
