"""Template filters for the wording of certificates."""

from django import template

from core.templatetags.formatting import sentence_end

register = template.Library()

# The filter lives in core.templatetags.formatting; the certificate templates load
# it under this library name.
register.filter("sentence_end", sentence_end)
