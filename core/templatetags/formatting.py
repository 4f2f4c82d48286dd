from django import template

from core.formatting import format_date, format_pesos

register = template.Library()


@register.filter
def pesos(amount, decimals=None):
    """Render an amount as `$ 1.250.000`; `{{ value|pesos:2 }}` forces two decimals."""
    return format_pesos(amount, None if decimals is None else int(decimals))


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
