"""Primary keys written into HTML attributes must not be localized.

With USE_THOUSAND_SEPARATOR and the es-CO formats, `{{ item.pk }}` renders the
key 1234 as «1.234». Inside an attribute that a form posts back (an option or a
hidden input), a query string or an element id that htmx targets, that text no
longer names the record, so such keys go through `|unlocalize`.
"""

import re
from pathlib import Path

from django.conf import settings

# An attribute value that contains a key (`.pk`, `.id` or `_id`) printed
# without a filter.
KEY_IN_ATTRIBUTE = re.compile(r'="[^"]*?\{\{\s*[\w.]+(?:\.pk|_id|\.id)\s*\}\}[^"]*"')


def template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for path in sorted(root.glob("*/templates/**/*.html"))
        if ".venv" not in path.parts
    ]


def test_templates_are_found():
    assert len(template_files()) > 50


def test_keys_in_attributes_unlocalized():
    found = []
    for path in template_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in KEY_IN_ATTRIBUTE.finditer(line):
                found.append(f"{path.name}:{number}: {match.group(0)}")
    assert found == []
