"""Template filters for the wording of certificates."""

from django import template

register = template.Library()


@register.filter
def sentence_end(value) -> str:
    """Return `value` ending a sentence: with one final period, never two, so a
    company name such as «Aseo S.A. E.S.P.» closes the sentence as it is."""
    text = str(value).rstrip()
    return text if text.endswith(".") else f"{text}."
