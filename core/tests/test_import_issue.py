"""A row problem's message with and without the row and column it names."""

from core.imports.report import Issue, cell_prefix


def test_detail_drops_row_and_column():
    issue = Issue(row=39, column="NIT/CC", message=cell_prefix(39, "NIT/CC") + "Falta.")
    assert issue.message == "Fila 39, columna «NIT/CC»: Falta."
    assert issue.detail == "Falta."


def test_detail_keeps_other_messages():
    issue = Issue(row=0, column="", message="El archivo está vacío.")
    assert issue.detail == "El archivo está vacío."
