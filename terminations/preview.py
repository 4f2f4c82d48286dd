"""The summary and the rows by kind that a competitor's list shows after its
preview or import, read from the report the import stored (RequestList.report).

The summary and the page's sections share one label per kind, so their
wording and counts agree. Matched and unmatched rows split the valid rows of
the file. Repeats, accounts claimed by another competitor and accounts
already unlinked flag rows that are already counted in those two.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Tally keys of the rows matched by each method, with the part of the matched
# count they print as.
MATCH_PARTS = {
    "matched_by_code": gettext_lazy("%(count)s por código de cuenta"),
    "matched_by_cadastral": gettext_lazy("%(count)s por número predial"),
    "matched_by_id": gettext_lazy("%(count)s por documento y dirección"),
}

# Page anchors of the sections, by kind (terminations.importer.SAMPLE_KINDS).
ANCHORS = {
    "matched": "filas-coinciden",
    "unmatched": "filas-sin-coincidencia",
    "truncated": "filas-predial-truncado",
    "duplicates": "filas-repetidas",
    "claimed_by_other": "filas-reclamadas",
    "already_unlinked": "filas-desvinculadas",
}

# The tally as reports stored before list_summary printed it, one line per
# key among their notes. list_notes leaves these lines out.
LEGACY_TALLY_LINES = {
    "matched_by_code": "Coinciden por código de cuenta: %(count)s",
    "matched_by_cadastral": "Coinciden por número predial: %(count)s",
    "matched_by_id": "Coinciden por documento y dirección: %(count)s",
    "unmatched": "Sin coincidencia en el catastro: %(count)s",
    "truncated": (
        "Número predial truncado por Excel, sin coincidencia (asigne la cuenta a "
        "mano): %(count)s"
    ),
    "duplicates": "Repiten una solicitud anterior: %(count)s",
    "already_unlinked": "Cuenta ya desvinculada: %(count)s",
    "claimed_by_other": "Reclamadas también por otro competidor: %(count)s",
}


@dataclass
class Section:
    """One kind of row: its label with its count, and the first rows the
    import kept of it."""

    kind: str
    label: str
    count: int
    rows: list[dict]
    subsections: list["Section"] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return ANCHORS[self.kind]


@dataclass
class ListSummary:
    """The sections of a list's report: `parts` split the valid rows and
    `flags` mark some of them."""

    parts: list[Section]
    flags: list[Section]

    @property
    def sections(self) -> list[Section]:
        return self.parts + self.flags

    @property
    def has_rows(self) -> bool:
        return any(section.rows for section in self.sections)


def count_display(number: int) -> str:
    """Return a count as the page's template shows numbers, grouped by
    thousands in es-CO (1.500)."""
    return number_format(number)


def list_summary(report: dict) -> ListSummary:
    """Return the sections of the rows of a list's report, empty for a report
    without a tally (an import that wrote nothing)."""
    tally = report.get("tally") or {}
    samples = report.get("samples") or {}
    if not tally:
        return ListSummary(parts=[], flags=[])

    def section(kind: str, label: str) -> Section:
        count = tally.get(kind, 0)
        rows = samples.get(kind, {}).get("rows", [])
        return Section(
            kind=kind,
            label=label % {"count": count_display(count)},
            count=count,
            rows=rows,
        )

    matched = _matched_section(tally, samples)
    unmatched = _unmatched_section(tally, samples)
    parts = [part for part in (matched, unmatched) if part.count]
    flags = [
        section("duplicates", _("Repiten una solicitud anterior: %(count)s")),
        section(
            "claimed_by_other", _("Reclamadas también por otro competidor: %(count)s")
        ),
        section("already_unlinked", _("Cuenta ya desvinculada: %(count)s")),
    ]
    return ListSummary(parts=parts, flags=[flag for flag in flags if flag.count])


def _matched_section(tally: dict, samples: dict) -> Section:
    counts = {key: tally.get(key, 0) for key in MATCH_PARTS}
    count = sum(counts.values())
    parts = ", ".join(
        str(label) % {"count": count_display(counts[key])}
        for key, label in MATCH_PARTS.items()
        if counts[key]
    )
    return Section(
        kind="matched",
        label=_("Coinciden con el catastro: %(count)s (%(parts)s)")
        % {"count": count_display(count), "parts": parts},
        count=count,
        rows=samples.get("matched", {}).get("rows", []),
    )


def _unmatched_section(tally: dict, samples: dict) -> Section:
    count = tally.get("unmatched", 0)
    truncated = tally.get("truncated", 0)
    values = {"count": count_display(count), "truncated": count_display(truncated)}
    if truncated:
        # Excel's truncated numbers are never looked up, so their rows are
        # always among the unmatched ones.
        label = ngettext(
            "Sin coincidencia en el catastro: %(count)s, con número predial "
            "truncado por Excel",
            "Sin coincidencia en el catastro: %(count)s, de ellas %(truncated)s con "
            "número predial truncado por Excel",
            count,
        )
    else:
        label = _("Sin coincidencia en el catastro: %(count)s")
    subsections = []
    if truncated:
        subsections.append(
            Section(
                kind="truncated",
                label=_(
                    "Número predial truncado por Excel (asigne la cuenta a mano): "
                    "%(count)s"
                )
                % {"count": count_display(truncated)},
                count=truncated,
                rows=samples.get("truncated", {}).get("rows", []),
            )
        )
    return Section(
        kind="unmatched",
        label=label % values,
        count=count,
        rows=samples.get("unmatched", {}).get("rows", []),
        subsections=subsections,
    )


def list_notes(report: dict) -> list[str]:
    """Return the report's notes without the tally lines that reports stored
    before list_summary printed, so the summary is not shown twice."""
    tally = report.get("tally") or {}
    legacy = {
        line % {"count": tally[key]}
        for key, line in LEGACY_TALLY_LINES.items()
        if tally.get(key)
    }
    return [note for note in report.get("notes", []) if note not in legacy]
