"""The errors management commands raise for bad arguments are Spanish sentences
that name the value and the fix."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subscribers.models import Competitor


def test_import_missing_file_is_spanish(db, tmp_path):
    missing = tmp_path / "no-existe.csv"

    with pytest.raises(CommandError) as raised:
        call_command("import_subscribers", str(missing), stdout=StringIO())

    assert str(raised.value) == (
        f"No se encontró el archivo «{missing}». Revise la ruta y el nombre del "
        "archivo."
    )


def test_import_unknown_user_is_spanish(db, tmp_path):
    path = tmp_path / "catastro.csv"
    path.write_text("CODIGO_CUENTA\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_subscribers", str(path), "--user", "nadie", stdout=StringIO()
        )

    assert "No existe el usuario «nadie»" in str(raised.value)


def test_termination_import_unknown_competitor(db, tmp_path):
    Competitor.objects.create(name="Aseo Uno", nit="901318645", check_digit="5")
    path = tmp_path / "lista.csv"
    path.write_text("FECHA RADICACIÓN;CÓDIGO CUENTA\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_termination_requests",
            str(path),
            "--competitor",
            "Aseo Dos",
            stdout=StringIO(),
        )

    message = str(raised.value)
    assert message.startswith("No existe el competidor «Aseo Dos».")
    assert "Competidores registrados: «Aseo Uno»." in message


def test_termination_import_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No se encontró el archivo"):
        call_command(
            "import_termination_requests",
            str(tmp_path / "lista.xlsx"),
            "--competitor",
            "Aseo Uno",
            stdout=StringIO(),
        )


def test_digest_invalid_date_is_spanish(db):
    with pytest.raises(CommandError) as raised:
        call_command("send_termination_digest", "--date", "20/10/2026")

    assert str(raised.value) == (
        "La fecha --date «20/10/2026» no es válida. Escríbala como AAAA-MM-DD, "
        "p. ej. 2026-10-20."
    )


def test_monthly_export_wrong_suffix(db, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command(
            "export_monthly_services",
            "--month",
            "2026-11",
            "--output",
            str(tmp_path / "noviembre.csv"),
        )

    assert "debe terminar en .xlsx" in str(raised.value)


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize("name", ["catastro.pdf", "catastro.xlsx", "catastro.csv"])
def test_import_pdf_says_it_is_a_pdf(db, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PDF)

    with pytest.raises(CommandError) as raised:
        call_command("import_subscribers", str(path), stdout=StringIO())

    assert str(raised.value).startswith(f"«{name}» es un documento PDF")


def test_import_binary_named_xlsx_has_web_message(db, tmp_path):
    path = tmp_path / "catastro.xlsx"
    path.write_bytes(b"\x00\x01\x02binary")

    with pytest.raises(CommandError) as raised:
        call_command("import_subscribers", str(path), stdout=StringIO())

    assert "no es un libro de Excel válido" in str(raised.value)


def test_termination_import_pdf_named_xlsx(db, tmp_path):
    Competitor.objects.create(name="Aseo Uno", nit="901318645", check_digit="5")
    path = tmp_path / "lista.xlsx"
    path.write_bytes(PDF)

    with pytest.raises(CommandError, match="es un documento PDF"):
        call_command(
            "import_termination_requests",
            str(path),
            "--competitor",
            "Aseo Uno",
            stdout=StringIO(),
        )


def test_import_header_only_file_fails(db, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text("NIT;Razón social;Teléfono\n", encoding="utf-8")
    output = StringIO()

    with pytest.raises(SystemExit) as raised:
        call_command("import_customers", str(path), stdout=output)

    assert raised.value.code == 1
    assert "ERROR El archivo no tiene filas de datos" in output.getvalue()
    assert "filas 0" in output.getvalue()
    assert "corrija el archivo como dice el ERROR" in output.getvalue()
    assert "--skip-invalid" not in output.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [
        ["import_subscribers"],
        ["import_termination_requests", "--competitor", "Aseo Uno"],
    ],
)
def test_json_missing_file_is_json(db, tmp_path, arguments):
    missing = tmp_path / "no-existe.csv"
    output = StringIO()

    with pytest.raises(SystemExit) as raised:
        call_command(
            arguments[0], str(missing), *arguments[1:], "--json", stdout=output
        )

    assert raised.value.code == 1
    assert json.loads(output.getvalue()) == {
        "error": f"No se encontró el archivo «{missing}». Revise la ruta y el "
        "nombre del archivo."
    }


def test_json_unknown_competitor_is_json(db, tmp_path):
    path = tmp_path / "lista.csv"
    path.write_text("FECHA RADICACIÓN;CÓDIGO CUENTA\n", encoding="utf-8")
    output = StringIO()

    with pytest.raises(SystemExit):
        call_command(
            "import_termination_requests",
            str(path),
            "--competitor",
            "Aseo Dos",
            "--json",
            stdout=output,
        )

    assert json.loads(output.getvalue())["error"].startswith(
        "No existe el competidor «Aseo Dos»."
    )
