from django import template

from core.formatting import format_date, format_file_size, format_pesos
from core.uploads import CONTENT_TYPE_LABELS

register = template.Library()


@register.filter
def pesos(amount):
    """Render an amount as whole pesos: `$ 1.250.000`."""
    return format_pesos(amount)


@register.filter
def file_size(size):
    """Render a size in bytes as `340 KB`, `12 MB` or `1,5 MB`."""
    return format_file_size(size)


@register.filter
def content_type_label(content_type):
    """Render a stored file's content type as people name it: «PDF», «Imagen
    JPEG», «Imagen PNG»; any other type as it is."""
    return CONTENT_TYPE_LABELS.get(content_type, content_type)


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
