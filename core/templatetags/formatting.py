from django import template

from core.formatting import format_date, format_megabytes, format_pesos

register = template.Library()


@register.filter
def pesos(amount):
    """Render an amount as whole pesos: `$ 1.250.000`."""
    return format_pesos(amount)


@register.filter
def megabytes(size):
    """Render a size in bytes as `12 MB` or `1,5 MB`."""
    return format_megabytes(size)


@register.filter
def fecha(value):
    """Render a date as dd/mm/aaaa, or a datetime as dd/mm/aaaa hh:mm in Bogotá time."""
    return format_date(value)


@register.filter
def sentence_end(value) -> str:
    """Return `value` ending a sentence: with one final period, never two, so a
    company name such as «Aseo S.A. E.S.P.» closes the sentence as it is."""
    text = str(value).rstrip()
    return text if text.endswith(".") else f"{text}."
